import type { LicenseTier, SiteRole } from './site-roles.js';

/** Tenant + site a request acts in. Every repository is bound to one. */
export interface Scope {
  readonly tenantId: string;
  readonly siteId: string;
}

export interface Tenant { id: string; name: string; createdAt: number }

export interface SiteSettings {
  /** Allow IdPs to rename users (SPEC §4). */
  allowRename?: boolean;
}

export interface Site {
  id: string;
  tenantId: string;
  name: string;
  contentUrl: string;
  settings: SiteSettings;
  createdAt: number;
}

/** The tenant-level identity (one per tenant, TCM model). */
export interface UserRecord {
  id: string;
  tenantId: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  /** Remaining core + enterprise attributes in scimmy-canonical form (no id/meta/schemas). */
  data: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type MembershipSource = 'scim' | 'csv' | 'admin' | 'groupGrant';
export type MembershipState = 'active' | 'retainedOwner';

/** A user's presence on one site: what the SCIM User resource of that site shows. */
export interface MembershipRecord {
  siteId: string;
  userId: string;
  requestedRole: SiteRole;
  siteRole: SiteRole;
  /** License status the IdP asked for (SCIM `active`, R-SCIM-35). */
  active: boolean;
  /** Whether a seat is actually held. */
  licensed: boolean;
  seatTier: LicenseTier | null;
  authSetting: string | null;
  idpConfigId: string | null;
  source: MembershipSource;
  state: MembershipState;
  /** The Tableau extension as last received (siteRoles / entitlements), for echo. */
  ext: Record<string, unknown> | null;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface SiteUser {
  user: UserRecord;
  membership: MembershipRecord;
}

export interface GroupRecord {
  id: string;
  siteId: string;
  displayName: string;
  externalId: string | null;
  minimumSiteRole: SiteRole | null;
  grantLicenseMode: 'onSync' | 'onLogin' | null;
  memberCount: number;
  createdAt: number;
  updatedAt: number;
  version: number;
}

export interface GroupMember {
  value: string;
  type: 'User' | 'Group';
  display: string | null;
}

export interface GroupWithMembers {
  group: GroupRecord;
  /** Undefined when the caller asked not to load members. */
  members?: GroupMember[];
}

export interface Credential {
  id: string;
  tenantId: string;
  siteId: string | null;
  kind: 'scim' | 'admin';
  scope: string | null;
  secretHash: string;
  revokedAt: number | null;
}

/** A user as a SCIM client asks for it, after lenience and schema coercion. */
export interface UserInput {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  /** License status asked for (SCIM `active`); defaults to true. */
  active: boolean;
  data: Record<string, unknown>;
  /** Tableau extension: `{siteRoles?, entitlements?}` or null when absent. */
  ext: Record<string, unknown> | null;
}

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  /** Undefined: leave members as they are (PATCH of other attributes). */
  members?: GroupMember[];
}
