import type { LicenseTier, SiteRole } from './site-roles.js';

/** Tenant + site a request acts in. Every repository is bound to one. */
export interface Scope {
  readonly tenantId: string;
  readonly siteId: string;
}

export interface Tenant { id: string; name: string; createdAt: number }

/** Per-site policy switches (SPEC §4, §5; TABLEAU-RULES §8 `policies`). Absent = default. */
export interface SiteSettings {
  /** Allow IdPs to rename users (SPEC §4). Default true. */
  allowRename?: boolean;
  /** SCIM DELETE of a content owner: 204 with the demotion recorded (default) or 409 as Tableau's REST API. */
  deleteOwnerResponse?: '204' | '409';
  /** A full tier may borrow the cheapest free higher tier (R-REST-18). Default true. */
  allowSeatBorrowing?: boolean;
  /** When a seat frees up, license the oldest waiting request. Default false. */
  relicenseOnFreeSeat?: boolean;
  /** Leaving a grant group demotes instead of flagging ROLE_ABOVE_ENTITLEMENT (R-GRP-08). Default false. */
  demoteOnGroupExit?: boolean;
  /** Let SCIM deprovision / re-role memberships not authenticated through its IdP. Default false. */
  allowScimOnLocalAccounts?: boolean;
  /** With SAML enforced, userName must be an email equal to the primary email (seed 004). Default false. */
  samlEnforced?: boolean;
  /** Role when no carrier and no mapping rule applies. Default Unlicensed. */
  defaultSiteRole?: SiteRole;
}

export interface TierCounts {
  creator: number;
  explorer: number;
  viewer: number;
}

/** Seat capacity per tier; null = never set = unlimited (SPEC §3). */
export interface TierCapacity {
  creator: number | null;
  explorer: number | null;
  viewer: number | null;
}

export type AuthConfigType = 'SAML' | 'OIDC' | 'Google' | 'TableauIDWithMFA';

export interface AuthConfigRecord {
  id: string;
  siteId: string;
  type: AuthConfigType;
  enabled: boolean;
  settings: Record<string, unknown>;
  createdAt: number;
}

/** Where license seats are pooled: per site (Cloud, R-LIC-05; the default) or per tenant (Server mode, R-LIC-04). */
export type LicenseScope = 'site' | 'tenant';

/** The tenant's license pool (Server mode, R-LIC-04): one seat per user, at their highest role across sites. */
export interface TenantPool {
  scope: LicenseScope;
  capacity: TierCapacity;
  /** Users holding a tenant seat, per seat tier. */
  used: TierCounts;
  /** A full tier may borrow the cheapest free higher tier (R-REST-18). Default true. */
  allowBorrow: boolean;
}

/** Everything the policy layer needs to know about a site, read inside the unit of work. */
export interface SitePolicyState {
  site: Site;
  authConfigs: AuthConfigRecord[];
  scim: { enabled: boolean; authConfigId: string | null };
  capacity: TierCapacity;
  used: TierCounts;
  /** Role-mapping rules JSON as stored (validated on write), or null. */
  roleMapping: Record<string, unknown> | null;
  /** The tenant pool when the tenant pools seats (Server mode); null when seats are per site. */
  tenantPool: TenantPool | null;
}

export type ContentType =
  | 'project' | 'workbook' | 'view' | 'datasource' | 'flow' | 'collection' | 'dataAlert'
  | 'subscription' | 'metric' | 'virtualConnection';

export interface ContentItem {
  id: string;
  siteId: string;
  type: ContentType;
  name: string;
  ownerUserId: string;
  createdAt: number;
}

/** A grant-enabled group the user is in, for floors and group conditions of mapping rules. */
export interface GroupOfUser {
  id: string;
  displayName: string;
  minimumSiteRole: SiteRole | null;
  grantLicenseMode: 'onSync' | 'onLogin' | null;
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
  cloudAdmin: boolean;
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
  /** Group floor in force (sticky when a group is left, R-GRP-08). */
  floorRole: SiteRole | null;
  /** Role an administrator set by hand, until an IdP overwrites it (SPEC §5.7). */
  manualRole: SiteRole | null;
  lastLoginAt: number | null;
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
  /** scim: a site's SCIM secret; admin: an opaque admin token; oauthClient: a client-credentials client. */
  kind: 'scim' | 'admin' | 'oauthClient';
  scope: string | null;
  secretHash: string;
  /** Revoked from this instant on (a future instant is a rotation grace window). */
  revokedAt: number | null;
  label?: string | null;
  createdAt?: number;
  lastUsedAt?: number | null;
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
