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

export function toUser(r: Row, prefix = 'u_'): UserRecord {
  return {
    id: r[`${prefix}id`] as string,
    tenantId: r[`${prefix}tenant_id`] as string,
    userName: r[`${prefix}user_name`] as string,
    externalId: (r[`${prefix}external_id`] as string | null) ?? null,
    displayName: (r[`${prefix}display_name`] as string | null) ?? null,
    data: JSON.parse(r[`${prefix}data`] as string) as Record<string, unknown>,
    cloudAdmin: r[`${prefix}cloud_admin`] === 1,
    createdAt: r[`${prefix}created_at`] as number,
    updatedAt: r[`${prefix}updated_at`] as number,
  };
}

/** A site_memberships row; `prefix` is 'm_' in the users ⋈ memberships join, '' for plain rows. */
export function toMembership(r: Row, prefix = 'm_'): MembershipRecord {
  const c = (name: string) => r[`${prefix}${name}`];
  return {
    siteId: c('site_id') as string,
    userId: c('user_id') as string,
    requestedRole: c('requested_role') as SiteRole,
    siteRole: c('site_role') as SiteRole,
    active: c('active') === 1,
    licensed: c('licensed') === 1,
    seatTier: (c('seat_tier') as MembershipRecord['seatTier']) ?? null,
    authSetting: (c('auth_setting') as string | null) ?? null,
    idpConfigId: (c('idp_config_id') as string | null) ?? null,
    source: c('source') as MembershipRecord['source'],
    state: c('state') as MembershipRecord['state'],
    ext: c('ext') ? (JSON.parse(c('ext') as string) as Record<string, unknown>) : null,
    floorRole: (c('floor_role') as SiteRole | null) ?? null,
    manualRole: (c('manual_role') as SiteRole | null) ?? null,
    lastLoginAt: (c('last_login_at') as number | null) ?? null,
    createdAt: c('created_at') as number,
    updatedAt: c('updated_at') as number,
    version: c('version') as number,
  };
}

export const toMembershipRow = (r: Row) => toMembership(r, '');

export const toSite = (r: Row): Site => ({
  id: r.id as string, tenantId: r.tenant_id as string, name: r.name as string,
  contentUrl: r.content_url as string, settings: JSON.parse(r.settings as string), createdAt: r.created_at as number,
});

export const toSiteUser = (r: Row): SiteUser => ({ user: toUser(r), membership: toMembership(r) });

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
