import type { SiteRole } from '../../domain/site-roles.js';
import type { GroupRecord, MembershipRecord, Site, SiteUser, UserRecord } from '../../domain/types.js';

/** Column list of the Users ⋈ memberships join, aliased so both halves map without clashes. */
export const SITE_USER_COLUMNS = `
  u.id AS u_id, u.tenant_id AS u_tenant_id, u.user_name AS u_user_name, u.external_id AS u_external_id,
  u.display_name AS u_display_name, u.data AS u_data, u.cloud_admin AS u_cloud_admin, u.created_at AS u_created_at,
  u.updated_at AS u_updated_at, m.seq AS m_seq, m.site_id AS m_site_id, m.user_id AS m_user_id, m.requested_role AS m_requested_role, m.site_role AS m_site_role,
  m.active AS m_active, m.licensed AS m_licensed, m.seat_tier AS m_seat_tier, m.auth_setting AS m_auth_setting,
  m.idp_config_id AS m_idp_config_id, m.source AS m_source, m.state AS m_state, m.ext AS m_ext,
  m.floor_role AS m_floor_role, m.manual_role AS m_manual_role, m.last_login_at AS m_last_login_at,
  m.created_at AS m_created_at, m.updated_at AS m_updated_at, m.version AS m_version`;

import type { Row } from './repo-base.js';
export type { Row };

const USER_FIELDS = ['id', 'tenant_id', 'user_name', 'external_id', 'display_name', 'data', 'cloud_admin', 'created_at', 'updated_at'] as const;
const MEMBERSHIP_FIELDS = ['site_id', 'user_id', 'requested_role', 'site_role', 'active', 'licensed', 'seat_tier', 'auth_setting',
  'idp_config_id', 'source', 'state', 'ext', 'floor_role', 'manual_role', 'last_login_at', 'created_at', 'updated_at', 'version'] as const;

/** Column names with their join prefix, computed once: row mapping is on every list page's hot path. */
function keyed<F extends readonly string[]>(fields: F, prefix: string): Record<F[number], string> {
  return Object.fromEntries(fields.map((f) => [f, `${prefix}${f}`])) as Record<F[number], string>;
}
const U = { u_: keyed(USER_FIELDS, 'u_'), '': keyed(USER_FIELDS, '') };
const M = { m_: keyed(MEMBERSHIP_FIELDS, 'm_'), '': keyed(MEMBERSHIP_FIELDS, '') };

export function toUser(r: Row, prefix: 'u_' | '' = 'u_'): UserRecord {
  const k = U[prefix];
  return {
    id: r[k.id] as string,
    tenantId: r[k.tenant_id] as string,
    userName: r[k.user_name] as string,
    externalId: (r[k.external_id] as string | null) ?? null,
    displayName: (r[k.display_name] as string | null) ?? null,
    data: JSON.parse(r[k.data] as string) as Record<string, unknown>,
    cloudAdmin: r[k.cloud_admin] === 1,
    createdAt: r[k.created_at] as number,
    updatedAt: r[k.updated_at] as number,
  };
}

/** A site_memberships row; `prefix` is 'm_' in the users ⋈ memberships join, '' for plain rows. */
export function toMembership(r: Row, prefix: 'm_' | '' = 'm_'): MembershipRecord {
  const k = M[prefix];
  const ext = r[k.ext] as string | null;
  return {
    siteId: r[k.site_id] as string,
    userId: r[k.user_id] as string,
    requestedRole: r[k.requested_role] as SiteRole,
    siteRole: r[k.site_role] as SiteRole,
    active: r[k.active] === 1,
    licensed: r[k.licensed] === 1,
    seatTier: (r[k.seat_tier] as MembershipRecord['seatTier']) ?? null,
    authSetting: (r[k.auth_setting] as string | null) ?? null,
    idpConfigId: (r[k.idp_config_id] as string | null) ?? null,
    source: r[k.source] as MembershipRecord['source'],
    state: r[k.state] as MembershipRecord['state'],
    ext: ext ? (JSON.parse(ext) as Record<string, unknown>) : null,
    floorRole: (r[k.floor_role] as SiteRole | null) ?? null,
    manualRole: (r[k.manual_role] as SiteRole | null) ?? null,
    lastLoginAt: (r[k.last_login_at] as number | null) ?? null,
    createdAt: r[k.created_at] as number,
    updatedAt: r[k.updated_at] as number,
    version: r[k.version] as number,
  };
}

export const toMembershipRow = (r: Row) => toMembership(r, '');

export const toSite = (r: Row): Site => ({
  id: r.id as string, tenantId: r.tenant_id as string, name: r.name as string,
  contentUrl: r.content_url as string, settings: JSON.parse(r.settings as string), createdAt: r.created_at as number,
});

export const toSiteUser = (r: Row): SiteUser => ({ user: toUser(r), membership: toMembership(r) });

/** Position of each alias in SITE_USER_COLUMNS, for rows read as arrays. */
const AT = Object.fromEntries(SITE_USER_COLUMNS.split(',').map((c, i) => [c.trim().split(/\s+AS\s+/i)[1]!, i])) as Record<string, number>;
/** Position of `m_seq` in a raw site-user row (the cursor position). */
export const SITE_USER_SEQ = AT.m_seq!;

/**
 * A users ⋈ memberships row read in raw (array) mode: on a list page, better-sqlite3 building
 * an object with 28 named keys per row cost as much as the join itself. Same record as
 * toSiteUser (positions come from SITE_USER_COLUMNS itself, so they cannot drift).
 */
const P = {
  uId: AT.u_id!, uTenant: AT.u_tenant_id!, uName: AT.u_user_name!, uExt: AT.u_external_id!, uDisplay: AT.u_display_name!, uData: AT.u_data!,
  uCloud: AT.u_cloud_admin!, uCreated: AT.u_created_at!, uUpdated: AT.u_updated_at!, mSite: AT.m_site_id!, mUser: AT.m_user_id!,
  mRequested: AT.m_requested_role!, mRole: AT.m_site_role!, mActive: AT.m_active!, mLicensed: AT.m_licensed!, mTier: AT.m_seat_tier!,
  mAuth: AT.m_auth_setting!, mIdp: AT.m_idp_config_id!, mSource: AT.m_source!, mState: AT.m_state!, mExt: AT.m_ext!, mFloor: AT.m_floor_role!,
  mManual: AT.m_manual_role!, mLogin: AT.m_last_login_at!, mCreated: AT.m_created_at!, mUpdated: AT.m_updated_at!, mVersion: AT.m_version!,
};
export function toSiteUserRaw(a: unknown[]): SiteUser {
  const ext = a[P.mExt] as string | null;
  return {
    user: {
      id: a[P.uId] as string, tenantId: a[P.uTenant] as string, userName: a[P.uName] as string,
      externalId: (a[P.uExt] as string | null) ?? null, displayName: (a[P.uDisplay] as string | null) ?? null,
      data: JSON.parse(a[P.uData] as string) as Record<string, unknown>, cloudAdmin: a[P.uCloud] === 1,
      createdAt: a[P.uCreated] as number, updatedAt: a[P.uUpdated] as number,
    },
    membership: {
      siteId: a[P.mSite] as string, userId: a[P.mUser] as string, requestedRole: a[P.mRequested] as SiteRole, siteRole: a[P.mRole] as SiteRole,
      active: a[P.mActive] === 1, licensed: a[P.mLicensed] === 1, seatTier: (a[P.mTier] as MembershipRecord['seatTier']) ?? null,
      authSetting: (a[P.mAuth] as string | null) ?? null, idpConfigId: (a[P.mIdp] as string | null) ?? null,
      source: a[P.mSource] as MembershipRecord['source'], state: a[P.mState] as MembershipRecord['state'],
      ext: ext ? (JSON.parse(ext) as Record<string, unknown>) : null, floorRole: (a[P.mFloor] as SiteRole | null) ?? null,
      manualRole: (a[P.mManual] as SiteRole | null) ?? null, lastLoginAt: (a[P.mLogin] as number | null) ?? null,
      createdAt: a[P.mCreated] as number, updatedAt: a[P.mUpdated] as number, version: a[P.mVersion] as number,
    },
  };
}


export function toGroup(r: Row): GroupRecord {
  return {
    id: r.id as string,
    siteId: r.site_id as string,
    displayName: r.display_name as string,
    externalId: (r.external_id as string | null) ?? null,
    minimumSiteRole: (r.minimum_site_role as SiteRole | null) ?? null,
    grantLicenseMode: (r.grant_license_mode as GroupRecord['grantLicenseMode']) ?? null,
    memberCount: r.member_count as number,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    version: r.version as number,
  };
}

/** Emails as rows of user_emails (the index behind `emails[type eq "work"].value eq`). */
export function emailRows(user: UserRecord): { position: number; value: string | null; type: string | null; primary: number }[] {
  const emails = Array.isArray(user.data.emails) ? (user.data.emails as Record<string, unknown>[]) : [];
  return emails.map((e, position) => ({
    position,
    value: typeof e.value === 'string' ? e.value : null,
    type: typeof e.type === 'string' ? e.type : null,
    primary: e.primary === true ? 1 : 0,
  }));
}
