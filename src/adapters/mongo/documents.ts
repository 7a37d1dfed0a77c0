/**
 * Document shapes of the Mongo store and their mapping to domain records. No driver import:
 * the filter translation tests build the same documents (test/unit/scim-filter/mongo-*).
 * Times are epoch milliseconds (numbers), as in the SQLite store; SCIM attributes no query
 * needs as a field stay JSON text (`dataJson`), so keys with dots or `$` round-trip untouched.
 */
import type { SiteRole } from '../../domain/site-roles.js';
import type { GroupMember, GroupRecord, MembershipRecord, SiteUser, UserRecord } from '../../domain/types.js';
import { searchDocument } from '../../scim-filter/to-mongo-doc.js';

/** The tenant user (one identity per tenant): `users`, unique (tenantId, userNameLower). */
export interface UserDoc {
  _id: string;
  tenantId: string;
  userName: string;
  userNameLower: string;
  externalId: string | null;
  displayName: string | null;
  displayNameLower: string | null;
  dataJson: string;
  cloudAdmin: boolean;
  createdAt: number;
  updatedAt: number;
}

/** The user as copied onto each of its memberships (see scim-filter/to-mongo-layout.ts for why). */
export type UserCopy = Omit<UserDoc, '_id' | 'tenantId'>;

/** A SCIM User of one site: `memberships`, unique (siteId, userId) and (siteId, seq). */
export interface MembershipDoc {
  _id: string;
  tenantId: string;
  siteId: string;
  userId: string;
  /** Per-site insertion order (keyset cursors), from the site document's counter. */
  seq: number;
  requestedRole: string;
  siteRole: string;
  active: boolean;
  licensed: boolean;
  seatTier: string | null;
  authSetting: string | null;
  idpConfigId: string | null;
  source: string;
  state: string;
  extJson: string | null;
  floorRole: string | null;
  manualRole: string | null;
  manualAt: number | null;
  lastLoginAt: number | null;
  createdAt: number;
  updatedAt: number;
  version: number;
  u: UserCopy;
  /** Searchable copy of the user's data (lower-cased strings, escaped keys). */
  s: Record<string, unknown>;
}

export interface GroupDoc {
  _id: string;
  siteId: string;
  seq: number;
  displayName: string;
  displayNameLower: string;
  externalId: string | null;
  minimumSiteRole: string | null;
  grantLicenseMode: string | null;
  memberCount: number;
  createdAt: number;
  updatedAt: number;
  version: number;
}

/** One member of one group: `group_members`, never an array inside the group document. */
export interface MemberDoc {
  _id: string;
  groupId: string;
  memberId: string;
  type: string;
  display: string | null;
  /** Lower-cased shadows: `members.display` / `members.type` compare case-insensitively. */
  displayLower: string | null;
  typeLower: string;
  addedAt: number;
}

/** Composite keys as unambiguous strings (ids may contain any character). */
export const membershipKey = (siteId: string, userId: string) => JSON.stringify([siteId, userId]);
export const memberKey = (groupId: string, memberId: string) => JSON.stringify([groupId, memberId]);

export function userCopy(u: UserRecord): UserCopy {
  return {
    userName: u.userName, userNameLower: u.userName.toLowerCase(), externalId: u.externalId,
    displayName: u.displayName, displayNameLower: u.displayName?.toLowerCase() ?? null,
    dataJson: JSON.stringify(u.data), cloudAdmin: u.cloudAdmin, createdAt: u.createdAt, updatedAt: u.updatedAt,
  };
}

export const toUserDoc = (u: UserRecord, tenantId: string): UserDoc => ({ _id: u.id, tenantId, ...userCopy(u) });

function fromCopy(id: string, tenantId: string, c: UserCopy): UserRecord {
  return {
    id, tenantId, userName: c.userName, externalId: c.externalId ?? null, displayName: c.displayName ?? null,
    data: JSON.parse(c.dataJson) as Record<string, unknown>, cloudAdmin: c.cloudAdmin === true, createdAt: c.createdAt, updatedAt: c.updatedAt,
  };
}

export const toUser = (d: UserDoc): UserRecord => fromCopy(d._id, d.tenantId, d);

/** The membership fields a write sets (everything but identity, seq and the user copy). */
export function membershipFields(m: MembershipRecord) {
  return {
    requestedRole: m.requestedRole, siteRole: m.siteRole, active: m.active, licensed: m.licensed, seatTier: m.seatTier,
    authSetting: m.authSetting, idpConfigId: m.idpConfigId, source: m.source, state: m.state,
    extJson: m.ext ? JSON.stringify(m.ext) : null, floorRole: m.floorRole, manualRole: m.manualRole,
    lastLoginAt: m.lastLoginAt, updatedAt: m.updatedAt, version: m.version,
  };
}

export function toMembershipDoc(m: MembershipRecord, user: UserRecord, siteId: string, seq: number): MembershipDoc {
  return {
    _id: membershipKey(siteId, m.userId), tenantId: user.tenantId, siteId, userId: m.userId, seq,
    ...membershipFields(m), manualAt: m.manualRole ? m.updatedAt : null, createdAt: m.createdAt,
    u: userCopy(user), s: searchDocument(user.data),
  };
}

export function toMembership(d: MembershipDoc): MembershipRecord {
  return {
    siteId: d.siteId, userId: d.userId, requestedRole: d.requestedRole as SiteRole, siteRole: d.siteRole as SiteRole,
    active: d.active, licensed: d.licensed, seatTier: (d.seatTier as MembershipRecord['seatTier']) ?? null,
    authSetting: d.authSetting ?? null, idpConfigId: d.idpConfigId ?? null, source: d.source as MembershipRecord['source'],
    state: d.state as MembershipRecord['state'], ext: d.extJson ? (JSON.parse(d.extJson) as Record<string, unknown>) : null,
    floorRole: (d.floorRole as SiteRole | null) ?? null, manualRole: (d.manualRole as SiteRole | null) ?? null,
    lastLoginAt: d.lastLoginAt ?? null, createdAt: d.createdAt, updatedAt: d.updatedAt, version: d.version,
  };
}

export const toSiteUser = (d: MembershipDoc): SiteUser => ({ user: fromCopy(d.userId, d.tenantId, d.u), membership: toMembership(d) });

export function toGroupDoc(g: GroupRecord, siteId: string, seq: number): GroupDoc {
  return {
    _id: g.id, siteId, seq, displayName: g.displayName, displayNameLower: g.displayName.toLowerCase(), externalId: g.externalId,
    minimumSiteRole: g.minimumSiteRole, grantLicenseMode: g.grantLicenseMode, memberCount: 0,
    createdAt: g.createdAt, updatedAt: g.updatedAt, version: g.version,
  };
}

export function toGroup(d: GroupDoc): GroupRecord {
  return {
    id: d._id, siteId: d.siteId, displayName: d.displayName, externalId: d.externalId ?? null,
    minimumSiteRole: (d.minimumSiteRole as SiteRole | null) ?? null,
    grantLicenseMode: (d.grantLicenseMode as GroupRecord['grantLicenseMode']) ?? null,
    memberCount: d.memberCount, createdAt: d.createdAt, updatedAt: d.updatedAt, version: d.version,
  };
}

export function toMemberDoc(groupId: string, m: GroupMember, addedAt: number): MemberDoc {
  return {
    _id: memberKey(groupId, m.value), groupId, memberId: m.value, type: m.type, display: m.display,
    displayLower: m.display?.toLowerCase() ?? null, typeLower: m.type.toLowerCase(), addedAt,
  };
}

export const toMember = (d: MemberDoc): GroupMember => ({ value: d.memberId, type: d.type as GroupMember['type'], display: d.display ?? null });
