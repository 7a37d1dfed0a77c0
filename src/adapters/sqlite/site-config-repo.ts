import type { LicenseTier, SiteRole } from '../../domain/site-roles.js';
import type {
  AuthConfigRecord, ContentItem, ContentType, GroupOfUser, LicenseScope, MembershipRecord, SitePolicyState, SiteSettings,
  TenantPool, TierCapacity, TierCounts,
} from '../../domain/types.js';
import type { ReportKind, ReportMembership } from '../../ports/storage.js';
import { placeholders, RepoBase, unique, type Row } from './repo-base.js';
import { toMembershipRow, toSite } from './rows.js';

const TIERS = ['creator', 'explorer', 'viewer'] as const;
const zero = (): TierCounts => ({ creator: 0, explorer: 0, viewer: 0 });

/** The tenant pool of a `tenant_licenses` row (null when absent or pooled per site). */
export function tenantPoolOf(r: Row | undefined, used?: TierCounts): TenantPool | null {
  if (!r) return null;
  return {
    scope: r.scope as LicenseScope,
    capacity: { creator: r.cap_creator as number | null, explorer: r.cap_explorer as number | null, viewer: r.cap_viewer as number | null },
    used: used ?? { creator: r.used_creator as number, explorer: r.used_explorer as number, viewer: r.used_viewer as number },
    allowBorrow: r.allow_borrow !== 0,
  };
}

/** Seat counts per tier from `tier, n` rows. */
export function countServerSeats(rows: Row[]): TierCounts {
  const used = zero();
  for (const r of rows) used[r.tier as keyof TierCounts] += r.n as number;
  return used;
}

/** Site configuration, license pool, content and tenant-wide membership reads of one bound site. */
export abstract class SqliteSiteConfigRepository extends RepoBase {
  async findSitePolicyState(): Promise<SitePolicyState> {
    const r = this.get('SELECT * FROM sites WHERE id = ? AND tenant_id = ?', this.scope.siteId, this.scope.tenantId);
    if (!r) throw new Error(`site ${this.scope.siteId} not found`);
    const authConfigs = this.all('SELECT * FROM auth_configs WHERE site_id = ? ORDER BY created_at, id', this.scope.siteId).map(toAuthConfig);
    return {
      site: toSite(r), authConfigs,
      scim: { enabled: r.scim_enabled === 1, authConfigId: (r.scim_auth_config_id as string | null) ?? null },
      capacity: { creator: r.cap_creator as number | null, explorer: r.cap_explorer as number | null, viewer: r.cap_viewer as number | null },
      used: { creator: r.used_creator as number, explorer: r.used_explorer as number, viewer: r.used_viewer as number },
      roleMapping: r.role_mapping ? (JSON.parse(r.role_mapping as string) as Record<string, unknown>) : null,
      tenantPool: tenantPoolOf(this.get("SELECT * FROM tenant_licenses WHERE tenant_id = ? AND scope = 'tenant'", this.scope.tenantId)),
    };
  }

  async findServerSeat(userId: string): Promise<{ seat: LicenseTier | null; otherRoles: SiteRole[] }> {
    const seat = this.get('SELECT tier FROM server_seats WHERE user_id = ? AND tenant_id = ?', userId, this.scope.tenantId);
    const otherRoles = this.all(`SELECT m.site_role FROM site_memberships m JOIN sites s ON s.id = m.site_id
      WHERE m.user_id = ? AND m.site_id <> ? AND m.licensed = 1 AND s.tenant_id = ?`, userId, this.scope.siteId, this.scope.tenantId)
      .map((r) => r.site_role as SiteRole);
    return { seat: (seat?.tier as LicenseTier | undefined) ?? null, otherRoles };
  }

  async setServerSeat(userId: string, seat: LicenseTier | null, d: TierCounts): Promise<void> {
    if (seat === null) this.run('DELETE FROM server_seats WHERE user_id = ? AND tenant_id = ?', userId, this.scope.tenantId);
    else {
      this.run(`INSERT INTO server_seats (user_id, tenant_id, tier) VALUES (?, ?, ?)
        ON CONFLICT(user_id) DO UPDATE SET tier = excluded.tier WHERE server_seats.tenant_id = excluded.tenant_id`, userId, this.scope.tenantId, seat);
    }
    if (!d.creator && !d.explorer && !d.viewer) return;
    this.run('UPDATE tenant_licenses SET used_creator = used_creator + ?, used_explorer = used_explorer + ?, used_viewer = used_viewer + ? WHERE tenant_id = ?',
      d.creator, d.explorer, d.viewer, this.scope.tenantId);
  }

  async updateTenantPool(pool: { scope: LicenseScope; capacity: TierCapacity; allowBorrow: boolean }): Promise<void> {
    const t = this.scope.tenantId;
    const before = this.get('SELECT scope FROM tenant_licenses WHERE tenant_id = ?', t);
    this.run(`INSERT INTO tenant_licenses (tenant_id, scope, allow_borrow, cap_creator, cap_explorer, cap_viewer) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(tenant_id) DO UPDATE SET scope = excluded.scope, allow_borrow = excluded.allow_borrow,
        cap_creator = excluded.cap_creator, cap_explorer = excluded.cap_explorer, cap_viewer = excluded.cap_viewer`,
    t, pool.scope, pool.allowBorrow ? 1 : 0, pool.capacity.creator, pool.capacity.explorer, pool.capacity.viewer);
    if (((before?.scope as LicenseScope | undefined) ?? 'site') === pool.scope) return;
    this.run('DELETE FROM server_seats WHERE tenant_id = ?', t);
    if (pool.scope === 'tenant') {
      // One seat per user: the highest tier among the seats their licensed memberships hold.
      this.run(`INSERT INTO server_seats (user_id, tenant_id, tier)
        SELECT m.user_id, ?, CASE MAX(CASE m.seat_tier WHEN 'creator' THEN 3 WHEN 'explorer' THEN 2 ELSE 1 END)
          WHEN 3 THEN 'creator' WHEN 2 THEN 'explorer' ELSE 'viewer' END
        FROM site_memberships m JOIN sites s ON s.id = m.site_id
        WHERE s.tenant_id = ? AND m.licensed = 1 AND m.seat_tier IS NOT NULL GROUP BY m.user_id`, t, t);
    }
    const used = countServerSeats(this.all('SELECT tier, count(*) AS n FROM server_seats WHERE tenant_id = ? GROUP BY tier', t));
    this.run('UPDATE tenant_licenses SET used_creator = ?, used_explorer = ?, used_viewer = ? WHERE tenant_id = ?', used.creator, used.explorer, used.viewer, t);
  }

  async adjustSeats(d: TierCounts): Promise<void> {
    if (!d.creator && !d.explorer && !d.viewer) return;
    this.run('UPDATE sites SET used_creator = used_creator + ?, used_explorer = used_explorer + ?, used_viewer = used_viewer + ? WHERE id = ?',
      d.creator, d.explorer, d.viewer, this.scope.siteId);
  }

  async countSeats(): Promise<{ used: TierCounts; borrowed: TierCounts }> {
    const used = zero();
    const borrowed = zero();
    const own: Record<string, string> = {
      SiteAdministratorCreator: 'creator', Creator: 'creator', SiteAdministratorExplorer: 'explorer',
      ExplorerCanPublish: 'explorer', Explorer: 'explorer', Viewer: 'viewer',
    };
    for (const r of this.all(`SELECT seat_tier, site_role, count(*) AS n FROM site_memberships
      WHERE site_id = ? AND licensed = 1 AND seat_tier IS NOT NULL GROUP BY seat_tier, site_role`, this.scope.siteId)) {
      const tier = r.seat_tier as keyof TierCounts;
      used[tier] += r.n as number;
      if (own[r.site_role as string] !== tier) borrowed[tier] += r.n as number;
    }
    return { used, borrowed };
  }

  async findWaitingMemberships(limit: number): Promise<MembershipRecord[]> {
    return this.all(`SELECT m.*, m.user_id AS u_id FROM site_memberships m WHERE m.site_id = ? AND m.active = 1 AND m.licensed = 0
      AND m.requested_role <> 'Unlicensed' AND m.state = 'active' ORDER BY m.updated_at, m.seq LIMIT ?`, this.scope.siteId, limit)
      .map(toMembershipRow);
  }

  async findGroupsOfUser(userId: string): Promise<GroupOfUser[]> {
    return this.all(`SELECT g.id, g.display_name, g.minimum_site_role, g.grant_license_mode FROM group_members gm
      JOIN groups g ON g.id = gm.group_id WHERE +g.site_id = ? AND gm.member_id = ?`, this.scope.siteId, userId)
      .map((r) => ({
        id: r.id as string, displayName: r.display_name as string,
        minimumSiteRole: (r.minimum_site_role as GroupOfUser['minimumSiteRole']) ?? null,
        grantLicenseMode: (r.grant_license_mode as GroupOfUser['grantLicenseMode']) ?? null,
      }));
  }

  async findMemberIdsOfGroup(groupId: string): Promise<string[]> {
    return this.all(`SELECT gm.member_id FROM group_members gm JOIN groups g ON g.id = gm.group_id
      WHERE +g.site_id = ? AND gm.group_id = ?`, this.scope.siteId, groupId).map((r) => r.member_id as string);
  }

  async findOwnedContent(userId: string): Promise<ContentItem[]> {
    return this.all('SELECT * FROM content_items WHERE site_id = ? AND owner_user_id = ? ORDER BY created_at, id', this.scope.siteId, userId).map(toContent);
  }

  async insertContent(items: ContentItem[]): Promise<void> {
    for (const c of items) {
      unique(`content id '${c.id}'`, () => this.run('INSERT INTO content_items (id, site_id, type, name, owner_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        c.id, this.scope.siteId, c.type, c.name, c.ownerUserId, c.createdAt));
    }
  }

  async deleteContentOf(userId: string, types: ContentType[]): Promise<number> {
    if (!types.length) return 0;
    return this.run(`DELETE FROM content_items WHERE site_id = ? AND owner_user_id = ? AND type IN (${placeholders(types.length)})`,
      this.scope.siteId, userId, ...types).changes;
  }

  async transferContent(fromUserId: string, toUserId: string): Promise<number> {
    return this.run('UPDATE content_items SET owner_user_id = ? WHERE site_id = ? AND owner_user_id = ?', toUserId, this.scope.siteId, fromUserId).changes;
  }

  async updateSiteSettings(settings: SiteSettings): Promise<void> {
    this.run('UPDATE sites SET settings = ? WHERE id = ?', JSON.stringify(settings), this.scope.siteId);
  }

  async updateSiteScim(enabled: boolean, authConfigId: string | null): Promise<void> {
    this.run('UPDATE sites SET scim_enabled = ?, scim_auth_config_id = ? WHERE id = ?', enabled ? 1 : 0, authConfigId, this.scope.siteId);
  }

  async updateCapacity(c: TierCapacity): Promise<void> {
    this.run('UPDATE sites SET cap_creator = ?, cap_explorer = ?, cap_viewer = ? WHERE id = ?', c.creator, c.explorer, c.viewer, this.scope.siteId);
  }

  async updateRoleMapping(rules: Record<string, unknown> | null): Promise<void> {
    this.run('UPDATE sites SET role_mapping = ? WHERE id = ?', rules ? JSON.stringify(rules) : null, this.scope.siteId);
  }

  async insertAuthConfig(c: AuthConfigRecord): Promise<void> {
    this.run('INSERT INTO auth_configs (id, site_id, type, enabled, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      c.id, this.scope.siteId, c.type, c.enabled ? 1 : 0, JSON.stringify(c.settings), c.createdAt);
  }

  async setAuthConfigEnabled(id: string, enabled: boolean): Promise<void> {
    this.run('UPDATE auth_configs SET enabled = ? WHERE site_id = ? AND id = ?', enabled ? 1 : 0, this.scope.siteId, id);
  }

  async findMembershipsOfUser(userId: string) {
    return this.all(`SELECT m.*, m.user_id AS u_id,
        (SELECT count(*) FROM content_items c WHERE c.site_id = m.site_id AND c.owner_user_id = m.user_id) AS owned
      FROM site_memberships m JOIN sites s ON s.id = m.site_id
      WHERE s.tenant_id = ? AND m.user_id = ? ORDER BY m.created_at, m.seq`, this.scope.tenantId, userId)
      .map((r) => ({ ...toMembershipRow(r), ownedContentCount: r.owned as number }));
  }

  async findReportMemberships(kind: ReportKind, opts: { limit: number; idleBefore?: number }): Promise<ReportMembership[]> {
    const conditions: Record<ReportKind, string> = {
      retainedOwner: "m.state = 'retainedOwner'",
      waiting: "m.active = 1 AND m.licensed = 0 AND m.requested_role <> 'Unlicensed' AND m.state = 'active'",
      borrowed: `m.licensed = 1 AND ((m.seat_tier = 'creator' AND m.site_role NOT IN ('SiteAdministratorCreator', 'Creator'))
        OR (m.seat_tier = 'explorer' AND m.site_role = 'Viewer'))`,
      idle: 'm.licensed = 1 AND (m.last_login_at IS NULL OR m.last_login_at < ?)',
    };
    const params: unknown[] = [this.scope.siteId];
    if (kind === 'idle') params.push(opts.idleBefore ?? Date.now());
    return this.all(`SELECT m.*, u.user_name AS user_name,
        (SELECT count(*) FROM content_items c WHERE c.site_id = m.site_id AND c.owner_user_id = m.user_id) AS owned
      FROM site_memberships m JOIN users u ON u.id = m.user_id
      WHERE m.site_id = ? AND ${conditions[kind]} ORDER BY m.updated_at, m.seq LIMIT ?`, ...params, opts.limit)
      .map((r) => ({ ...toMembershipRow(r), userName: r.user_name as string, ownedContentCount: r.owned as number }));
  }

  async setCloudAdmin(userId: string, flag: boolean): Promise<void> {
    this.run('UPDATE users SET cloud_admin = ? WHERE tenant_id = ? AND id = ?', flag ? 1 : 0, this.scope.tenantId, userId);
  }

  async countCloudAdmins(): Promise<number> {
    return this.get('SELECT count(*) AS n FROM users WHERE tenant_id = ? AND cloud_admin = 1', this.scope.tenantId)!.n as number;
  }
}

function toAuthConfig(r: Row): AuthConfigRecord {
  return {
    id: r.id as string, siteId: r.site_id as string, type: r.type as AuthConfigRecord['type'], enabled: r.enabled === 1,
    settings: JSON.parse(r.settings as string) as Record<string, unknown>, createdAt: r.created_at as number,
  };
}

function toContent(r: Row): ContentItem {
  return {
    id: r.id as string, siteId: r.site_id as string, type: r.type as ContentType, name: r.name as string,
    ownerUserId: r.owner_user_id as string, createdAt: r.created_at as number,
  };
}

export { TIERS };
