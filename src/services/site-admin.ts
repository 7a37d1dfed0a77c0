import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../domain/errors.js';
import type { SiteRole } from '../domain/site-roles.js';
import type {
  AuthConfigRecord, AuthConfigType, ContentItem, ContentType, MembershipRecord, Scope, Site, SiteSettings, TierCapacity,
} from '../domain/types.js';
import type { Store } from '../ports/storage.js';
import { evaluateScimGate, SCIM_NOT_ENABLED_DETAIL } from '../policy/auth-gate.js';
import { evaluateCloudAdminGrant } from '../policy/limits.js';
import { auditEvent, type RequestContext } from './context.js';
import { generateSecret, type CredentialService } from './credentials.js';
import { TtlCache } from './ttl-cache.js';
import { applyMembershipPolicy, freedSeat, relicenseWaiting } from './membership-policy.js';

/** Builds the context of an admin request acting on one site of its tenant. */
export type SiteContextFactory = (siteId: string) => Promise<RequestContext>;

/**
 * Site administration (SPEC §6): sites, auth configurations, SCIM enablement and secret
 * rotation, license capacities, role-mapping rules, settings, content and sign-ins. Every
 * change is one unit of work with its audit event.
 */
export class SiteAdminService {
  /** siteId → gate decision; cleared by every local change of a site's configuration. */
  readonly #gate = new TtlCache<string, { allowed: boolean; reason: string }>(1000);

  constructor(private readonly store: Store, private readonly credentials: CredentialService) {}

  async createSite(tenantId: string, actor: string, requestId: string, body: { name: string; contentUrl: string; settings?: SiteSettings }): Promise<Site> {
    const site: Site = { id: randomUUID(), tenantId, name: body.name, contentUrl: body.contentUrl, settings: body.settings ?? {}, createdAt: Date.now() };
    const ctx: RequestContext = { scope: { tenantId, siteId: site.id }, site, actor, requestId, now: Date.now };
    // One unit of work on SQLite (its write lock is re-entrant, so the directory write joins it):
    // no site without its SiteCreated entry.
    await this.store.transaction(ctx.scope, async (w) => {
      await this.store.directory.insertSite(site);
      await w.appendAudit(auditEvent(ctx, 'SiteCreated', { type: 'Site', id: site.id }, { name: site.name, contentUrl: site.contentUrl }));
    });
    return site;
  }

  async describeSite(ctx: RequestContext) {
    const state = await this.store.reader(ctx.scope).findSitePolicyState();
    return {
      ...state.site, scim: { ...state.scim, ready: evaluateScimGate(state as never).value.allowed },
      authConfigs: state.authConfigs.map(publicAuthConfig), roleMapping: state.roleMapping,
    };
  }

  async updateSettings(ctx: RequestContext, settings: SiteSettings): Promise<Site> {
    const site = await this.store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      const next = { ...state.site.settings, ...settings };
      await w.updateSiteSettings(next);
      await w.appendAudit(auditEvent(ctx, 'SiteSettingsChanged', { type: 'Site', id: ctx.scope.siteId }, { before: state.site.settings, after: next }));
      this.#gate.delete(ctx.scope.siteId);
      return { ...state.site, settings: next };
    });
    // After the commit: SCIM requests of this process see the new settings (ctx.site) at once.
    this.credentials.invalidate();
    return site;
  }

  async addAuthConfig(ctx: RequestContext, body: { type: AuthConfigType; enabled?: boolean } & Record<string, unknown>): Promise<AuthConfigRecord> {
    const { type, enabled, ...settings } = body;
    const config: AuthConfigRecord = { id: randomUUID(), siteId: ctx.scope.siteId, type, enabled: enabled !== false, settings, createdAt: ctx.now() };
    await this.store.transaction(ctx.scope, async (w) => {
      await w.insertAuthConfig(config);
      await w.appendAudit(auditEvent(ctx, 'AuthConfigCreated', { type: 'Site', id: ctx.scope.siteId }, { authConfigId: config.id, type }));
      this.#gate.delete(ctx.scope.siteId);
    });
    return config;
  }

  /**
   * Associates SCIM with one auth configuration and rotates the secret, shown once
   * (R-SCIM-05/06/08). The gate is evaluated on every SCIM request, so a secret issued while the
   * configuration is not an enabled SAML/OIDC one answers 403 until it is (`ready` says which).
   */
  async enableScim(ctx: RequestContext, authConfigId: string, graceSeconds = 0): Promise<{ secret: string; authConfigId: string; ready: boolean; detail?: string }> {
    const secret = generateSecret('rgs');
    const ready = await this.store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      if (!state.authConfigs.some((c) => c.id === authConfigId)) throw new AppError('request.invalid_value', `No auth configuration ${authConfigId} on this site`);
      await w.updateSiteScim(true, authConfigId);
      await w.appendAudit(auditEvent(ctx, 'ScimEnabled', { type: 'Site', id: ctx.scope.siteId }, { authConfigId }));
      this.#gate.delete(ctx.scope.siteId);
      await w.appendAudit(auditEvent(ctx, 'ScimSecretRotated', { type: 'Credential', id: null }, { authConfigId, graceSeconds }));
      // The new secret commits with the enablement and its audit entries (same unit on SQLite).
      await this.credentials.rotateScimSecret(ctx.scope.tenantId, ctx.scope.siteId, ctx.now(), secret, graceSeconds);
      return evaluateScimGate({ authConfigs: state.authConfigs as never, scim: { enabled: true, authConfigId } });
    });
    // Again after the commit: a lookup between the rotation and the commit saw the old secret live.
    this.credentials.invalidate();
    return { secret, authConfigId, ready: ready.value.allowed, ...(ready.value.allowed ? {} : { detail: `${SCIM_NOT_ENABLED_DETAIL} (${ready.reasons.join(', ')})` }) };
  }

  /** Turns SCIM off (the gate closes; the secret stays until rotated). */
  async disableScim(ctx: RequestContext): Promise<void> {
    await this.store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      await w.updateSiteScim(false, state.scim.authConfigId);
      await w.appendAudit(auditEvent(ctx, 'SiteSettingsChanged', { type: 'Site', id: ctx.scope.siteId }, { scim: { enabled: false } }));
      this.#gate.delete(ctx.scope.siteId);
    });
  }

  /** Enables or disables an auth configuration (an IdP outage, a migration). */
  async setAuthConfigEnabled(ctx: RequestContext, id: string, enabled: boolean): Promise<AuthConfigRecord> {
    return this.store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      const config = state.authConfigs.find((c) => c.id === id);
      if (!config) throw notFound('Auth configuration', id);
      await w.setAuthConfigEnabled(id, enabled);
      await w.appendAudit(auditEvent(ctx, 'SiteSettingsChanged', { type: 'Site', id: ctx.scope.siteId }, { authConfigId: id, before: { enabled: config.enabled }, after: { enabled } }));
      this.#gate.delete(ctx.scope.siteId);
      return { ...config, enabled };
    });
  }

  async licenses(ctx: RequestContext) {
    const r = this.store.reader(ctx.scope);
    const [state, seats] = [await r.findSitePolicyState(), await r.countSeats()];
    return { capacity: state.capacity, used: seats.used, borrowed: seats.borrowed, pool: state.tenantPool ? 'tenant' : 'site' };
  }

  async setCapacity(ctx: RequestContext, capacity: TierCapacity) {
    await this.store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      await w.updateCapacity(capacity);
      await w.appendAudit(auditEvent(ctx, 'LicenseCapacityChanged', { type: 'Site', id: ctx.scope.siteId }, { before: state.capacity, after: capacity }));
      state.capacity = capacity;
      await relicenseWaiting(ctx, w, state);
    });
    return this.licenses(ctx);
  }

  async roleMapping(ctx: RequestContext) {
    const state = await this.store.reader(ctx.scope).findSitePolicyState();
    return state.roleMapping ?? { rules: [], default: state.site.settings.defaultSiteRole ?? 'Unlicensed' };
  }

  async setRoleMapping(ctx: RequestContext, rules: Record<string, unknown>) {
    await this.store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      await w.updateRoleMapping(rules);
      await w.appendAudit(auditEvent(ctx, 'RoleMappingChanged', { type: 'Site', id: ctx.scope.siteId }, { before: state.roleMapping, after: rules }));
    });
    return rules;
  }

  /** Registers content (from the analytics platform); owners must be members of the site. */
  async registerContent(ctx: RequestContext, items: { id?: string; type: ContentType; name: string; ownerUserId: string }[]): Promise<ContentItem[]> {
    return this.store.transaction(ctx.scope, async (w) => {
      const owners = await w.findExistingUserIds([...new Set(items.map((i) => i.ownerUserId))]);
      const missing = items.find((i) => !owners.has(i.ownerUserId));
      if (missing) throw new AppError('request.invalid_value', `Owner ${missing.ownerUserId} is not a member of this site`);
      const created = items.map((i) => ({ id: i.id ?? randomUUID(), siteId: ctx.scope.siteId, type: i.type, name: i.name, ownerUserId: i.ownerUserId, createdAt: ctx.now() }));
      await w.insertContent(created);
      await w.appendAudit(auditEvent(ctx, 'ContentRegistered', { type: 'Site', id: ctx.scope.siteId }, { count: created.length, ids: created.slice(0, 100).map((c) => c.id) }));
      return created;
    });
  }

  async transferContent(ctx: RequestContext, fromUserId: string, toUserId: string): Promise<number> {
    return this.store.transaction(ctx.scope, async (w) => {
      if (fromUserId === toUserId) throw new AppError('request.invalid_value', 'fromUserId and toUserId must differ');
      const found = await w.findExistingUserIds([toUserId, fromUserId]);
      if (!found.has(toUserId)) throw new AppError('request.invalid_value', `User ${toUserId} is not a member of this site`);
      const moved = await w.transferContent(fromUserId, toUserId);
      // Neither a member nor an owner of anything here (another site's or tenant's id): refused, and nothing audited.
      if (!moved && !found.has(fromUserId)) throw new AppError('request.invalid_value', `User ${fromUserId} is not a member of this site`);
      await w.appendAudit(auditEvent(ctx, 'ContentTransferred', { type: 'User', id: fromUserId }, { from: fromUserId, to: toUserId, count: moved }));
      return moved;
    });
  }

  /** Sign-in event (SPEC §5.2): applies onLogin floors and records lastLogin. */
  async signIn(ctx: RequestContext, userId: string): Promise<MembershipRecord> {
    return this.store.transaction(ctx.scope, async (w) => {
      const su = await w.findUserById(userId);
      if (!su) throw notFound('User', userId);
      const state = await w.findSitePolicyState();
      const next = await applyMembershipPolicy(ctx, w, state, su.membership, { event: 'signIn', channel: 'system' });
      if (!(await w.updateMembership(next, su.membership.version))) throw new AppError('resource.conflict', 'Concurrent modification');
      await w.appendAudit(auditEvent(ctx, 'UserSignedIn', { type: 'User', id: userId }, { siteRole: next.siteRole, licensed: next.licensed }));
      if (freedSeat(su.membership, next)) await relicenseWaiting(ctx, w, state);
      return next;
    });
  }

  /** Admin change of role / license on one site (a manual change, SPEC §5.7). */
  async changeMembership(ctx: RequestContext, userId: string, body: { siteRole?: SiteRole; licensed?: boolean }): Promise<MembershipRecord> {
    return this.store.transaction(ctx.scope, async (w) => {
      const su = await w.findUserById(userId);
      if (!su) throw notFound('User', userId);
      const state = await w.findSitePolicyState();
      const next = await applyMembershipPolicy(ctx, w, state, su.membership, { event: 'write', requested: body.siteRole, active: body.licensed, channel: 'admin' });
      if (!(await w.updateMembership(next, su.membership.version))) throw new AppError('resource.conflict', 'Concurrent modification');
      if (freedSeat(su.membership, next)) await relicenseWaiting(ctx, w, state);
      return next;
    });
  }

  /** Grants or revokes cloud administration; at most 100 per tenant (R-TCM-03). */
  async setCloudAdmin(ctx: RequestContext, userId: string, flag: boolean) {
    return this.store.transaction(ctx.scope, async (w) => {
      const user = await w.findTenantUserById(userId);
      if (!user) throw notFound('User', userId);
      if (flag && !user.cloudAdmin) {
        const d = evaluateCloudAdminGrant(await w.countCloudAdmins(), user.cloudAdmin);
        if (!d.value.allowed) throw new AppError('tenant.cloud_admin_limit', 'A tenant has at most 100 cloud administrators (CLOUD_ADMIN_LIMIT)', { reason: 'CLOUD_ADMIN_LIMIT' });
      }
      await w.setCloudAdmin(userId, flag);
      await w.appendAudit(auditEvent(ctx, 'CloudAdminChanged', { type: 'User', id: userId }, { before: user.cloudAdmin, after: flag }));
      return { ...user, cloudAdmin: flag };
    });
  }

  /** The admin view of a user: every membership in the tenant with seat and ownership. */
  async userView(ctx: RequestContext, userId: string) {
    return this.store.transaction(ctx.scope, async (w) => {
      const user = await w.findTenantUserById(userId);
      const here = user && (await w.findUserById(userId));
      if (!user || !here) throw notFound('User', userId);
      const memberships = await w.findMembershipsOfUser(userId);
      return {
        id: user.id, userName: user.userName, displayName: user.displayName, externalId: user.externalId, cloudAdmin: user.cloudAdmin,
        memberships: memberships.map((m) => ({
          siteId: m.siteId, requestedSiteRole: m.requestedRole, siteRole: m.siteRole, licensed: m.licensed, active: m.active,
          seatTier: m.seatTier, authSetting: m.authSetting, idpConfigurationId: m.idpConfigId, source: m.source, state: m.state,
          floorRole: m.floorRole, manualRole: m.manualRole, lastLogin: m.lastLoginAt ? new Date(m.lastLoginAt).toISOString() : null,
          ownedContentCount: m.ownedContentCount,
        })),
      };
    });
  }

  /** The SCIM gate of a site (SPEC §5.6): answers with the detail Okta shows when closed. */
  async checkScimGate(scope: Scope): Promise<void> {
    const gate = await this.#gate.get(scope.siteId, async () => {
      const state = await this.store.reader(scope).findSitePolicyState();
      const d = evaluateScimGate({ authConfigs: state.authConfigs as never, scim: state.scim });
      return { allowed: d.value.allowed, reason: d.reasons[0] ?? 'SCIM_NOT_ENABLED' };
    });
    if (!gate.allowed) throw new AppError('auth.scim_not_enabled', SCIM_NOT_ENABLED_DETAIL, { reason: gate.reason });
  }
}

const publicAuthConfig = (c: AuthConfigRecord) => ({ id: c.id, type: c.type, enabled: c.enabled, ...c.settings });
export { publicAuthConfig };
