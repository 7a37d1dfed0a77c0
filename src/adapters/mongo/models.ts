/**
 * The Mongo store's collections as mongoose models: one schema per collection, mirroring the
 * SQLite schema (src/adapters/sqlite/schema.ts, portal-schema.ts) table for table, with the
 * same unique constraints and an index behind every index-hit filter. Indexes are created at
 * start (`createIndexes`, idempotent); `autoIndex` stays off so a deploy never races them.
 *
 * Reads and writes go to the models' native collections (`collections()`): no document
 * hydration on hot paths (the SQLite adapter likewise runs prepared statements), and no
 * mongoose command buffering, so an unreachable server fails fast (serverSelectionTimeoutMS)
 * instead of queueing requests.
 */
import mongoose, { Schema, type Connection, type mongo } from 'mongoose';

const opts = { versionKey: false, autoIndex: false, autoCreate: false, strict: false } as const;
const S = String;
const N = Number;
const B = Boolean;
const M = Schema.Types.Mixed;

type IndexSpec = [Record<string, 1 | -1>, { unique?: boolean; name: string }?];

interface Def {
  collection: string;
  fields: Record<string, unknown>;
  indexes: IndexSpec[];
}

const u = (name: string) => ({ unique: true, name });
const n = (name: string) => ({ name });

/** Collection name → fields and indexes. `_id` is the domain id wherever the domain has one. */
export const DEFS = {
  tenants: { collection: 'tenants', fields: { _id: S, name: S, settingsJson: S, createdAt: N }, indexes: [] },
  sites: {
    collection: 'sites',
    fields: {
      _id: S, tenantId: S, name: S, contentUrl: S, contentUrlLower: S, settingsJson: S, createdAt: N,
      userCount: N, groupCount: N, scimEnabled: B, scimAuthConfigId: S, roleMappingJson: S,
      cap: { creator: N, explorer: N, viewer: N }, used: { creator: N, explorer: N, viewer: N },
    },
    indexes: [[{ tenantId: 1, contentUrlLower: 1 }, u('sites_content_url')], [{ tenantId: 1, createdAt: 1 }, n('sites_tenant')]],
  },
  /** The tenant pool (Server mode, R-LIC-04); `_id` is the tenant id, absent = pooled per site. */
  tenantLicenses: {
    collection: 'tenant_licenses',
    fields: { _id: S, scope: S, allowBorrow: B, cap: { creator: N, explorer: N, viewer: N }, used: { creator: N, explorer: N, viewer: N } },
    indexes: [],
  },
  /** One tenant seat per user in Server mode: `_id` is the user id. */
  serverSeats: { collection: 'server_seats', fields: { _id: S, tenantId: S, tier: S }, indexes: [[{ tenantId: 1, tier: 1 }, n('server_seats_tenant')]] },
  /** Per-tenant sequences ($inc inside the transaction): memberships and groups in commit order. */
  counters: { collection: 'counters', fields: { _id: S, n: N }, indexes: [] },
  authConfigs: { collection: 'auth_configs', fields: { _id: S, siteId: S, type: S, enabled: B, settingsJson: S, createdAt: N }, indexes: [[{ siteId: 1, createdAt: 1 }, n('auth_configs_site')]] },
  content: { collection: 'content_items', fields: { _id: S, siteId: S, type: S, name: S, ownerUserId: S, createdAt: N }, indexes: [[{ siteId: 1, ownerUserId: 1 }, n('content_owner')], [{ ownerUserId: 1 }, n('content_owner_any_site')]] },
  signingKeys: { collection: 'signing_keys', fields: { _id: S, secret: S, createdAt: N }, indexes: [[{ createdAt: -1 }, n('signing_keys_created')]] },
  credentials: {
    collection: 'credentials',
    fields: { _id: S, tenantId: S, siteId: S, kind: S, scope: S, secretHash: S, label: S, createdAt: N, revokedAt: N, lastUsedAt: N },
    indexes: [[{ secretHash: 1 }, u('credentials_hash')], [{ tenantId: 1, siteId: 1, createdAt: -1 }, n('credentials_site')]],
  },
  users: {
    collection: 'users',
    fields: { _id: S, tenantId: S, userName: S, userNameLower: S, externalId: S, displayName: S, displayNameLower: S, dataJson: S, cloudAdmin: B, createdAt: N, updatedAt: N },
    indexes: [
      [{ tenantId: 1, userNameLower: 1 }, u('users_tenant_username')], [{ tenantId: 1, externalId: 1 }, n('users_tenant_external')],
      [{ tenantId: 1, displayNameLower: 1 }, n('users_tenant_display')], [{ tenantId: 1, _id: 1 }, n('users_tenant_id')],
      [{ tenantId: 1, cloudAdmin: 1 }, n('users_tenant_cloud_admin')],
    ],
  },
  memberships: {
    collection: 'memberships',
    fields: {
      _id: S, tenantId: S, siteId: S, userId: S, seq: N, requestedRole: S, siteRole: S, active: B, licensed: B, seatTier: S,
      authSetting: S, idpConfigId: S, source: S, state: S, extJson: S, floorRole: S, manualRole: S, manualAt: N, lastLoginAt: N,
      createdAt: N, updatedAt: N, version: N, u: M, s: M,
    },
    indexes: [
      [{ siteId: 1, userId: 1 }, u('memberships_site_user')], [{ siteId: 1, seq: 1 }, u('memberships_site_seq')],
      [{ userId: 1, tenantId: 1 }, n('memberships_user')],
      // The IdP lookups: userName, externalId, displayName, emails[…].value (multikey) per site.
      [{ siteId: 1, 'u.userNameLower': 1 }, n('memberships_site_username')], [{ siteId: 1, 'u.externalId': 1 }, n('memberships_site_external')],
      [{ siteId: 1, 'u.displayNameLower': 1 }, n('memberships_site_display')], [{ siteId: 1, 's.emails.value': 1 }, n('memberships_site_email')],
      [{ siteId: 1, updatedAt: 1 }, n('memberships_site_updated')], [{ siteId: 1, createdAt: 1 }, n('memberships_site_created')],
      [{ siteId: 1, siteRole: 1 }, n('memberships_site_role')], [{ tenantId: 1, siteRole: 1 }, n('memberships_tenant_role')],
    ],
  },
  groups: {
    collection: 'groups',
    fields: {
      _id: S, siteId: S, seq: N, displayName: S, displayNameLower: S, externalId: S, minimumSiteRole: S, grantLicenseMode: S,
      memberCount: N, createdAt: N, updatedAt: N, version: N,
    },
    indexes: [
      [{ siteId: 1, displayNameLower: 1 }, u('groups_site_display')], [{ siteId: 1, seq: 1 }, u('groups_site_seq')],
      [{ siteId: 1, externalId: 1 }, n('groups_site_external')], [{ siteId: 1, updatedAt: 1 }, n('groups_site_updated')],
    ],
  },
  members: {
    collection: 'group_members',
    fields: { _id: S, groupId: S, memberId: S, type: S, display: S, displayLower: S, typeLower: S, addedAt: N },
    indexes: [[{ groupId: 1, memberId: 1 }, u('group_members_group')], [{ memberId: 1 }, n('group_members_member')]],
  },
  auditChain: { collection: 'audit_chain', fields: { _id: S, headSeq: N, headHash: S, anchorSeq: N, anchorHash: S }, indexes: [] },
  audit: {
    collection: 'audit_entries',
    fields: {
      _id: S, seq: N, tenantId: S, siteId: S, at: N, kind: S, event: S, actor: S, targetType: S, targetId: S, reason: S,
      requestId: S, client: S, status: N, dataJson: S, prevHash: S, hash: S,
    },
    indexes: [
      [{ tenantId: 1, seq: 1 }, u('audit_tenant_seq')], [{ tenantId: 1, targetId: 1, seq: 1 }, n('audit_target')],
      [{ tenantId: 1, siteId: 1, seq: 1 }, n('audit_site')], [{ tenantId: 1, event: 1, seq: 1 }, n('audit_event')],
      [{ tenantId: 1, reason: 1, seq: 1 }, n('audit_reason')], [{ tenantId: 1, at: 1 }, n('audit_at')],
    ],
  },
  portalAccounts: { collection: 'portal_accounts', fields: { _id: S, tenantId: S, name: S, createdAt: N, updatedAt: N }, indexes: [[{ tenantId: 1, createdAt: 1 }, n('portal_accounts_tenant')]] },
  portalUsers: {
    collection: 'portal_users',
    fields: { _id: S, tenantId: S, email: S, emailLower: S, firstName: S, lastName: S, createdAt: N, updatedAt: N },
    indexes: [[{ tenantId: 1, emailLower: 1 }, u('portal_users_email')]],
  },
  portalMemberships: {
    collection: 'portal_memberships',
    fields: { _id: S, accountId: S, portalUserId: S, role: S, caseAdmin: B, securityPoc: B, technicalPoc: B, createdAt: N, updatedAt: N },
    indexes: [[{ accountId: 1, portalUserId: 1 }, u('portal_memberships_key')], [{ portalUserId: 1 }, n('portal_memberships_user')]],
  },
  portalKeys: {
    collection: 'portal_keys',
    fields: { _id: S, accountId: S, product: S, ownerPortalUserId: S, assignedEmail: S, assignedEmailLower: S, createdAt: N, updatedAt: N },
    indexes: [
      [{ accountId: 1, createdAt: 1 }, n('portal_keys_account')], [{ accountId: 1, ownerPortalUserId: 1 }, n('portal_keys_owner')],
      [{ accountId: 1, assignedEmailLower: 1 }, n('portal_keys_assigned')],
    ],
  },
} satisfies Record<string, Def>;

export type CollectionName = keyof typeof DEFS;

/** The native collections the repositories use (a fake with the same methods works in tests). */
export type Collections = Record<CollectionName, mongo.Collection>;

/** Registers the models on the connection and returns their native collections. */
export function registerModels(conn: Connection): { models: mongoose.Model<unknown>[]; collections: Collections } {
  const models: mongoose.Model<unknown>[] = [];
  const collections = {} as Collections;
  for (const [key, def] of Object.entries(DEFS) as [CollectionName, Def][]) {
    const schema = new Schema(def.fields, { ...opts, collection: def.collection, _id: false });
    for (const [fields, o] of def.indexes) schema.index(fields, o);
    const model = conn.models[def.collection] ?? conn.model(def.collection, schema);
    models.push(model as mongoose.Model<unknown>);
    collections[key] = conn.db!.collection(def.collection);
  }
  return { models, collections };
}
