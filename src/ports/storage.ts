import type { FilterNode } from '../scim-filter/ast.js';
import type {
  AuthConfigRecord, ContentItem, ContentType, Credential, GroupMember, GroupOfUser, GroupRecord,
  GroupWithMembers, LicenseScope, MembershipRecord, Scope, Site, SitePolicyState, SiteSettings, SiteUser, Tenant,
  TenantPool, TierCapacity, TierCounts, UserRecord,
} from '../domain/types.js';
import type { AuditEntry, StoredAuditEntry } from '../domain/audit.js';
import type { PortalStore } from './portal.js';
import type { LicenseTier, SiteRole } from '../domain/site-roles.js';

/** A page request already validated and clamped by the HTTP layer (RFC 7644 §3.4.2.4, RFC 9865). */
export interface ListQuery {
  filter?: FilterNode;
  sortBy?: string;
  sortOrder?: 'ascending' | 'descending';
  /** 1-based index pagination. Ignored when `after` is set. */
  startIndex: number;
  count: number;
  /** Keyset cursor: the position after which the page starts (opaque to callers above ports). */
  after?: number;
}

export interface Page<T> {
  items: T[];
  totalResults: number;
  /** Position of the last item, when more items follow (for RFC 9865 `nextCursor`). */
  nextAfter?: number;
}

/** Reads of one site's SCIM resources. Bound to a Scope: no method can reach another site. */
export interface SiteReader {
  findUserById(id: string): Promise<SiteUser | undefined>;
  findUsers(q: ListQuery): Promise<Page<SiteUser>>;
  /** Groups (id, displayName) of each user on this site, for the readOnly `groups` attribute. */
  findGroupsOfUsers(userIds: string[]): Promise<Map<string, { value: string; display: string }[]>>;
  findGroupById(id: string, opts: { members: boolean }): Promise<GroupWithMembers | undefined>;
  findGroups(q: ListQuery, opts: { members: boolean }): Promise<Page<GroupWithMembers>>;
  /** Auth configs, SCIM association, license pool and counters, mapping rules, settings. */
  findSitePolicyState(): Promise<SitePolicyState>;
  /** Seats actually held, counted from memberships: used per seat tier, borrowed per seat tier. */
  countSeats(): Promise<{ used: TierCounts; borrowed: TierCounts }>;
  /** Report rows (SPEC §7): memberships of the site matching one condition, with userName and owned content count. */
  findReportMemberships(kind: ReportKind, opts: { limit: number; idleBefore?: number }): Promise<ReportMembership[]>;
}

/** retainedOwner: state retainedOwner; waiting: active but unlicensed for lack of a seat; borrowed: seat of a higher tier than the role; idle: licensed, no sign-in since idleBefore (or never). */
export type ReportKind = 'retainedOwner' | 'waiting' | 'borrowed' | 'idle';
export interface ReportMembership extends MembershipRecord {
  userName: string;
  ownedContentCount: number;
}

/** Privileged writes inside one unit of work (one transaction, audit entries included). */
export interface SiteWriter extends SiteReader {
  readonly scope: Scope;
  /** Tenant-wide lookup by userName (case-insensitive): users are one identity per tenant. */
  findTenantUserByUserName(userName: string): Promise<UserRecord | undefined>;
  findTenantUserById(id: string): Promise<UserRecord | undefined>;
  /** @throws AppError resource.uniqueness when the userName is taken in the tenant. */
  insertUser(user: UserRecord): Promise<void>;
  /** @throws AppError resource.uniqueness on a rename onto a taken userName. */
  updateUser(user: UserRecord): Promise<void>;
  deleteUser(userId: string): Promise<void>;
  insertMembership(m: MembershipRecord): Promise<void>;
  /** Compare-and-swap on `version`; returns false when another writer got there first. */
  updateMembership(m: MembershipRecord, expectedVersion: number): Promise<boolean>;
  deleteMembership(userId: string): Promise<void>;
  countMembershipsOfUser(userId: string): Promise<number>;
  /** Bumps version and lastModified of the user's memberships (its identity changed), except on `exceptSiteId`. */
  touchMembershipsOfUser(userId: string, at: number, exceptSiteId?: string): Promise<void>;
  /** Ids among `ids` that are members (users) of this site. */
  findExistingUserIds(ids: string[]): Promise<Set<string>>;
  /** @throws AppError resource.uniqueness when displayName is taken on the site. */
  insertGroup(g: GroupRecord): Promise<void>;
  updateGroup(g: GroupRecord, expectedVersion: number): Promise<boolean>;
  deleteGroup(id: string): Promise<void>;
  /** Adds members (idempotent); returns the ids actually added. Maintains member_count. */
  addGroupMembers(groupId: string, members: GroupMember[]): Promise<string[]>;
  /** Removes the given members, or all when `ids` is 'all'; returns the ids actually removed. */
  removeGroupMembers(groupId: string, ids: string[] | 'all'): Promise<string[]>;
  /** Removes a user from every group of this site; returns the group ids touched. */
  removeUserFromGroups(userId: string): Promise<string[]>;
  appendAudit(entry: AuditEntry): Promise<void>;

  // ---- policy inputs and site configuration (same unit of work as the change) ----------
  /** Adds per-tier deltas to the site's seat counters (kept exact by the transaction). */
  adjustSeats(delta: TierCounts): Promise<void>;
  /** Licensed-intent memberships left Unlicensed for lack of a seat, oldest request first. */
  findWaitingMemberships(limit: number): Promise<MembershipRecord[]>;
  findGroupsOfUser(userId: string): Promise<GroupOfUser[]>;
  findMemberIdsOfGroup(groupId: string): Promise<string[]>;
  findOwnedContent(userId: string): Promise<ContentItem[]>;
  insertContent(items: ContentItem[]): Promise<void>;
  deleteContentOf(userId: string, types: ContentType[]): Promise<number>;
  transferContent(fromUserId: string, toUserId: string): Promise<number>;
  updateSiteSettings(settings: SiteSettings): Promise<void>;
  updateSiteScim(enabled: boolean, authConfigId: string | null): Promise<void>;
  updateCapacity(capacity: TierCapacity): Promise<void>;
  updateRoleMapping(rules: Record<string, unknown> | null): Promise<void>;
  insertAuthConfig(c: AuthConfigRecord): Promise<void>;
  setAuthConfigEnabled(id: string, enabled: boolean): Promise<void>;
  /** Every membership of a tenant user, on any site of the tenant (admin view). */
  findMembershipsOfUser(userId: string): Promise<(MembershipRecord & { ownedContentCount: number })[]>;
  setCloudAdmin(userId: string, flag: boolean): Promise<void>;
  countCloudAdmins(): Promise<number>;

  // ---- Server mode (R-LIC-04): the tenant pool, one seat per user ----------------------
  /** The user's tenant seat and the effective roles of their licensed memberships on the tenant's other sites. */
  findServerSeat(userId: string): Promise<{ seat: LicenseTier | null; otherRoles: SiteRole[] }>;
  /** Sets the user's tenant seat (null releases it) and adds `delta` to the tenant pool's counters. */
  setServerSeat(userId: string, seat: LicenseTier | null, delta: TierCounts): Promise<void>;
  /**
   * Sets the tenant pool. A change of scope re-derives the seats: to `tenant`, every user gets
   * one seat at the highest tier their licensed memberships hold; to `site`, the tenant seats go.
   */
  updateTenantPool(pool: { scope: LicenseScope; capacity: TierCapacity; allowBorrow: boolean }): Promise<void>;
  /**
   * A writer bound to another site of the same tenant, inside this same unit of work: a TCM
   * change spanning sites (one user's memberships, a TCM CSV batch) commits or rolls back as
   * one. Returns this writer for its own site.
   * @throws AppError site.not_found when the site is not in the tenant.
   */
  forSite(siteId: string): Promise<SiteWriter>;
}

/** Filters of {@link TenantReader.findUsers} (SPEC §6 `GET /users`). */
export interface TenantUserQuery {
  /** Only users with a membership on this site. */
  siteId?: string;
  /** Only users whose effective role is this one (on `siteId`, or on any site when it is absent). */
  siteRole?: SiteRole;
  cloudAdmin?: boolean;
  /** Keyset: the page starts after this user id (pages are ordered by user id). */
  afterId?: string;
  limit: number;
}

/** A tenant user with every membership (on any site of the tenant) and what it owns there. */
export interface TenantUser {
  user: UserRecord;
  memberships: (MembershipRecord & { ownedContentCount: number })[];
}

/** Tenant-wide reads (TCM, R-TCM-01/02/06), bound to one tenant at construction. */
export interface TenantReader {
  /** One page of tenant users, ids ascending; `nextAfterId` when more follow. Users without any membership (cloud administrators only) are included unless a site or role filter applies. */
  findUsers(q: TenantUserQuery): Promise<{ items: TenantUser[]; nextAfterId?: string }>;
  /** Memberships per site and effective role (R-TCM-06 user counts by role per site). */
  countUsersByRole(): Promise<{ siteId: string; siteRole: SiteRole; count: number }[]>;
  /** The tenant pool, `used` counted from the users' seats (R-LIC-04); scope `site` when never set. */
  findTenantPool(): Promise<TenantPool>;
}

export interface AuditQuery {
  siteId?: string;
  targetId?: string;
  event?: string;
  reason?: string;
  actor?: string;
  /** Okta | Entra | other: the client recorded on request entries. */
  client?: string;
  kind?: 'event' | 'request';
  since?: number;
  until?: number;
  before?: number;
  limit: number;
}

/** Tenants, sites and credentials: not bound to a site (used by auth and bootstrap). */
export interface DirectoryStore {
  countTenants(): Promise<number>;
  findTenantIds(): Promise<string[]>;
  insertTenant(t: Tenant): Promise<void>;
  insertSite(s: Site): Promise<void>;
  findSiteById(tenantId: string, siteId: string): Promise<Site | undefined>;
  findSites(tenantId: string): Promise<Site[]>;
  insertCredential(c: Credential & { label?: string | null; createdAt: number }): Promise<void>;
  findCredentialByHash(hash: string): Promise<Credential | undefined>;
  findCredentialById(id: string): Promise<Credential | undefined>;
  /** Credentials of a site (or tenant-level ones when siteId is null), newest first; never the secrets. */
  findCredentials(tenantId: string, siteId: string | null): Promise<Credential[]>;
  /** Revokes a site's live credentials of a kind at `at` (a future `at` leaves a grace window). */
  revokeCredentials(tenantId: string, siteId: string, kind: Credential['kind'], at?: number): Promise<void>;
  revokeCredential(tenantId: string, id: string, at: number): Promise<boolean>;
  touchCredential(id: string, at: number): Promise<void>;
  /** Audit entries of a tenant, newest first, keyset-paged by `before` (an entry sequence). */
  findAuditEntries(tenantId: string, q: AuditQuery): Promise<{ entries: StoredAuditEntry[]; nextBefore?: number }>;
  /** Appends entries (request entries, denials) in one transaction, extending each tenant's chain. */
  appendAuditEntries(entries: AuditEntry[]): Promise<void>;
  /** Oldest first, after `afterSeq`: chain verification and export. */
  scanAudit(tenantId: string, afterSeq: number, limit: number): Promise<StoredAuditEntry[]>;
  /** Where the chain starts after a retention purge (the hash of the last purged entry). */
  findAuditAnchor(tenantId: string): Promise<{ seq: number; hash: string } | undefined>;
  /** Deletes entries older than `before`, keeping the chain verifiable through an anchor. */
  purgeAudit(tenantId: string, before: number): Promise<{ purged: number; anchorSeq?: number }>;
  /** Request entries per client and UTC day since `since` (IdP activity report). */
  countRequestsByClientDay(tenantId: string, since: number): Promise<{ day: string; client: string; requests: number; errors: number }[]>;
  /** HS256 keys for admin JWTs; the newest first. */
  findSigningKeys(): Promise<{ id: string; secret: string }[]>;
  insertSigningKey(k: { id: string; secret: string; createdAt: number }): Promise<void>;
}

export interface Store {
  readonly directory: DirectoryStore;
  /** The Customer Portal plane (accounts, portal users, product keys), tenant-bound. */
  readonly portal: PortalStore;
  reader(scope: Scope): SiteReader;
  /** Tenant-wide reads of committed data (TCM user lists and counts). */
  tenantReader(tenantId: string): TenantReader;
  /** Runs `fn` in one transaction; everything it wrote commits together or not at all. */
  transaction<T>(scope: Scope, fn: (w: SiteWriter) => Promise<T>): Promise<T>;
  /**
   * Runs `fn`, whose units of work (transactions) may share one commit: each unit still
   * commits or rolls back whole. SQLite commits them together when `fn` resolves (none if it
   * throws); a store without a cheaper shared commit runs `fn` as it is (MongoDB: every unit
   * its own transaction). Either way, acknowledge a unit only after `batch` resolves.
   */
  batch<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether the store answers (for /readyz). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export type { GroupRecord, MembershipRecord, UserRecord };
