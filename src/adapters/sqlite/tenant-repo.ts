import type { SiteRole } from '../../domain/site-roles.js';
import type { TenantPool } from '../../domain/types.js';
import type { TenantReader, TenantUser, TenantUserQuery } from '../../ports/storage.js';
import type { Db } from './db.js';
import { limitSql, placeholders, stmt, type Row } from './repo-base.js';
import { toMembershipRow, toUser } from './rows.js';
import { countServerSeats, tenantPoolOf } from './site-config-repo.js';

/**
 * Tenant-wide user reads on SQLite (TCM, SPEC §6 `GET /users`). Bound to one tenant: every
 * statement carries it. Pages are keyset on the user id, so a page costs the same at any depth:
 * with a site filter the (site_id, user_id) membership index drives the scan, otherwise the
 * users primary key does.
 */
export class SqliteTenantRepository implements TenantReader {
  constructor(private readonly db: Db, readonly tenantId: string) {}

  async findUsers(q: TenantUserQuery): Promise<{ items: TenantUser[]; nextAfterId?: string }> {
    const params: unknown[] = [];
    let sql: string;
    if (q.siteId !== undefined) {
      sql = 'SELECT u.* FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? AND u.tenant_id = ?';
      params.push(q.siteId, this.tenantId);
      if (q.siteRole) { sql += ' AND m.site_role = ?'; params.push(q.siteRole); }
      if (q.afterId !== undefined) { sql += ' AND m.user_id > ?'; params.push(q.afterId); }
      if (q.cloudAdmin !== undefined) { sql += ' AND u.cloud_admin = ?'; params.push(q.cloudAdmin ? 1 : 0); }
      sql += ` ORDER BY m.user_id ${limitSql(q.limit + 1)}`;
    } else {
      // `+u.tenant_id`: walk the primary key in id order (no sort per page) and filter the tenant,
      // rather than sort the whole tenant from its userName index. Deployments hold few tenants,
      // and an extra (tenant_id, id) index would cost every user insert (bulk imports) a page write.
      sql = 'SELECT u.* FROM users u WHERE +u.tenant_id = ?';
      params.push(this.tenantId);
      if (q.afterId !== undefined) { sql += ' AND u.id > ?'; params.push(q.afterId); }
      if (q.cloudAdmin !== undefined) { sql += ' AND u.cloud_admin = ?'; params.push(q.cloudAdmin ? 1 : 0); }
      if (q.siteRole) {
        sql += ` AND EXISTS (SELECT 1 FROM site_memberships m JOIN sites s ON s.id = m.site_id
          WHERE m.user_id = u.id AND s.tenant_id = ? AND m.site_role = ?)`;
        params.push(this.tenantId, q.siteRole);
      }
      sql += ` ORDER BY u.id ${limitSql(q.limit + 1)}`;
    }
    const rows = stmt(this.db, sql).all(...params) as Row[];
    const more = rows.length > q.limit;
    if (more) rows.pop();
    const users = rows.map((r) => toUser(r, ''));
    const memberships = this.membershipsOf(users.map((u) => u.id));
    return {
      items: users.map((user) => ({ user, memberships: memberships.get(user.id) ?? [] })),
      nextAfterId: more ? users.at(-1)?.id : undefined,
    };
  }

  /** Every membership of the given users on the tenant's sites, with owned-content counts (bulk: one query per 500 users). */
  private membershipsOf(userIds: string[]): Map<string, TenantUser['memberships']> {
    const out = new Map<string, TenantUser['memberships']>();
    for (let i = 0; i < userIds.length; i += 500) {
      const ids = userIds.slice(i, i + 500);
      const rows = stmt(this.db, `SELECT m.*, m.user_id AS u_id,
          (SELECT count(*) FROM content_items c WHERE c.site_id = m.site_id AND c.owner_user_id = m.user_id) AS owned
        FROM site_memberships m JOIN sites s ON s.id = m.site_id
        WHERE s.tenant_id = ? AND m.user_id IN (${placeholders(ids.length)}) ORDER BY m.created_at, m.seq`).all(this.tenantId, ...ids) as Row[];
      for (const r of rows) {
        const m = { ...toMembershipRow(r), ownedContentCount: r.owned as number };
        const list = out.get(m.userId) ?? [];
        list.push(m);
        out.set(m.userId, list);
      }
    }
    return out;
  }

  async countUsersByRole(): Promise<{ siteId: string; siteRole: SiteRole; count: number }[]> {
    return (stmt(this.db, `SELECT m.site_id, m.site_role, count(*) AS n FROM site_memberships m JOIN sites s ON s.id = m.site_id
      WHERE s.tenant_id = ? GROUP BY m.site_id, m.site_role ORDER BY m.site_id, m.site_role`).all(this.tenantId) as Row[])
      .map((r) => ({ siteId: r.site_id as string, siteRole: r.site_role as SiteRole, count: r.n as number }));
  }

  async findTenantPool(): Promise<TenantPool> {
    const used = countServerSeats(stmt(this.db, 'SELECT tier, count(*) AS n FROM server_seats WHERE tenant_id = ? GROUP BY tier').all(this.tenantId) as Row[]);
    return tenantPoolOf(stmt(this.db, 'SELECT * FROM tenant_licenses WHERE tenant_id = ?').get(this.tenantId) as Row | undefined, used)
      ?? { scope: 'site', capacity: { creator: null, explorer: null, viewer: null }, used, allowBorrow: true };
  }
}
