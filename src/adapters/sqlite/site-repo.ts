import type { AuditEntry } from '../../domain/audit.js';
import { AppError } from '../../domain/errors.js';
import type {
  GroupMember, GroupRecord, GroupWithMembers, MembershipRecord, SiteUser, UserRecord,
} from '../../domain/types.js';
import type { ListQuery, Page, SiteWriter } from '../../ports/storage.js';
import { filterToSql, sortKeySql } from '../../scim-filter/to-sql.js';
import { anchorFor } from './anchors.js';
import { appendAuditRows } from './audit-repo.js';
import { limitSql, placeholders, unique, type Row } from './repo-base.js';
import { SITE_USER_COLUMNS, SITE_USER_SEQ, emailRows, toGroup, toSiteUser, toSiteUserRaw, toUser } from './rows.js';
import { SqliteSiteConfigRepository } from './site-config-repo.js';

const USERS_FROM = 'FROM site_memberships m JOIN users u ON u.id = m.user_id';

/**
 * One site's users and groups on SQLite. Every statement carries the bound site (or tenant,
 * for the tenant-wide identity): the scope is fixed at construction, never taken per call.
 */
export class SqliteSiteRepository extends SqliteSiteConfigRepository implements SiteWriter {
  // ---- reads ---------------------------------------------------------------------------
  async findUserById(id: string): Promise<SiteUser | undefined> {
    const r = this.get(`SELECT ${SITE_USER_COLUMNS} ${USERS_FROM} WHERE m.site_id = ? AND m.user_id = ?`, this.scope.siteId, id);
    return r && toSiteUser(r);
  }

  async findUsers(q: ListQuery): Promise<Page<SiteUser>> {
    const page = this.page(q, 'User', `SELECT ${SITE_USER_COLUMNS} ${USERS_FROM}`, 'm', 'user_count', {
      all: (sql, ...params) => this.allRaw(sql, ...params), seq: (r) => r[SITE_USER_SEQ] as number,
    });
    return { ...page, items: page.rows.map(toSiteUserRaw) };
  }

  async findGroupsOfUsers(userIds: string[]) {
    const out = new Map<string, { value: string; display: string }[]>();
    for (let i = 0; i < userIds.length; i += 500) {
      const ids = userIds.slice(i, i + 500);
      const rows = this.all(
        // `+g.site_id`: start from the members' index, not from every group of the site.
        `SELECT gm.member_id, g.id, g.display_name FROM group_members gm JOIN groups g ON g.id = gm.group_id
         WHERE gm.member_id IN (${placeholders(ids.length)}) AND +g.site_id = ? ORDER BY g.seq`,
        ...ids, this.scope.siteId);
      for (const r of rows) {
        const list = out.get(r.member_id as string) ?? [];
        list.push({ value: r.id as string, display: r.display_name as string });
        out.set(r.member_id as string, list);
      }
    }
    return out;
  }

  async findGroupById(id: string, opts: { members: boolean }): Promise<GroupWithMembers | undefined> {
    const r = this.get('SELECT * FROM groups g WHERE g.site_id = ? AND g.id = ?', this.scope.siteId, id);
    if (!r) return undefined;
    const group = toGroup(r);
    return opts.members ? { group, members: this.membersOf([group.id]).get(group.id) ?? [] } : { group };
  }

  async findGroups(q: ListQuery, opts: { members: boolean }): Promise<Page<GroupWithMembers>> {
    const page = this.page(q, 'Group', 'SELECT * FROM groups g', 'g', 'group_count', {
      all: (sql, ...params) => this.all(sql, ...params), seq: (r) => r.seq as number,
    });
    const groups = page.rows.map(toGroup);
    const members = opts.members ? this.membersOf(groups.map((g) => g.id)) : undefined;
    return { ...page, items: groups.map((group) => ({ group, members: members && (members.get(group.id) ?? []) })) };
  }

  private membersOf(groupIds: string[]): Map<string, GroupMember[]> {
    const out = new Map<string, GroupMember[]>();
    for (let i = 0; i < groupIds.length; i += 500) {
      const ids = groupIds.slice(i, i + 500);
      for (const r of this.all(`SELECT group_id, member_id, member_type, display FROM group_members WHERE group_id IN (${placeholders(ids.length)})`, ...ids)) {
        const list = out.get(r.group_id as string) ?? [];
        list.push({ value: r.member_id as string, type: r.member_type as GroupMember['type'], display: (r.display as string | null) ?? null });
        out.set(r.group_id as string, list);
      }
    }
    return out;
  }

  /**
   * Index or keyset page of a site-scoped query. totalResults: the maintained counter when
   * unfiltered; for a filter, from the page itself when the page is its last one (the IdP's
   * `eq` lookup: one statement), else a count.
   */
  private page<R>(q: ListQuery, resource: 'User' | 'Group', select: string, alias: 'm' | 'g', counter: string,
    rows: { all(sql: string, ...params: unknown[]): R[]; seq(r: R): number }) {
    const where = [`${alias}.site_id = ?`];
    const params: unknown[] = [this.scope.siteId];
    if (q.filter) {
      const f = filterToSql(q.filter, resource, this.scope);
      where.push(`(${f.sql})`);
      params.push(...f.params);
    }
    const from = select.slice(select.indexOf(' FROM '));
    const site = q.filter ? undefined : this.get(`SELECT ${counter} AS n, list_epoch FROM sites WHERE id = ?`, this.scope.siteId);
    const total = () => (q.filter
      ? (this.get(`SELECT count(*) AS n ${from} WHERE ${where.join(' AND ')}`, ...params)!.n as number)
      : (site?.n as number ?? 0));
    if (q.count <= 0) return { rows: [] as R[], totalResults: total() };
    const dir = q.sortOrder === 'descending' ? 'DESC' : 'ASC';
    const order = q.sortBy ? `${sortKeySql(q.sortBy, resource)} ${dir}, ${alias}.seq ${dir}` : `${alias}.seq`;
    if (q.after !== undefined) {
      const found = rows.all(`${select} WHERE ${where.join(' AND ')} AND ${alias}.seq > ? ORDER BY ${order} ${limitSql(q.count + 1)}`,
        ...params, q.after);
      const more = found.length > q.count;
      if (more) found.pop();
      const last = found.at(-1);
      return { rows: found, totalResults: total(), nextAfter: more && last !== undefined ? rows.seq(last) : undefined };
    }
    // Deep pages of the plain list start from a position anchor instead of OFFSET-walking the index.
    const anchor = !q.filter && !q.sortBy && site
      ? anchorFor(this.db, alias === 'm' ? 'site_memberships' : 'groups', this.scope.siteId, site.list_epoch as number, q.startIndex - 1)
      : undefined;
    if (!q.filter && !q.sortBy) {
      // Skip on the covering (site_id, seq) index alone, then join only the rows of the page:
      // an OFFSET over the join would build every skipped row.
      const table = alias === 'm' ? 'site_memberships' : 'groups';
      const keys = `SELECT seq FROM ${table} WHERE site_id = ?${anchor ? ' AND seq >= ?' : ''} ORDER BY seq ${limitSql(q.count)} OFFSET ?`;
      const keyParams = anchor ? [this.scope.siteId, anchor.seq, anchor.skip] : [this.scope.siteId, q.startIndex - 1];
      return { rows: rows.all(`${select} WHERE ${alias}.seq IN (${keys}) ORDER BY ${alias}.seq`, ...keyParams), totalResults: total() };
    }
    const found = rows.all(`${select} WHERE ${where.join(' AND ')} ORDER BY ${order} ${limitSql(q.count)} OFFSET ?`, ...params, q.startIndex - 1);
    // A short page that is not past the end is the last one: the total is known without a count.
    const last = found.length < q.count && (found.length > 0 || q.startIndex === 1);
    return { rows: found, totalResults: last ? q.startIndex - 1 + found.length : total() };
  }

  // ---- tenant identity -----------------------------------------------------------------
  async findTenantUserByUserName(userName: string): Promise<UserRecord | undefined> {
    const r = this.get('SELECT * FROM users WHERE tenant_id = ? AND user_name_lower = ?', this.scope.tenantId, userName.toLowerCase());
    return r && toUser(r, '');
  }

  async findTenantUserById(id: string): Promise<UserRecord | undefined> {
    const r = this.get('SELECT * FROM users WHERE tenant_id = ? AND id = ?', this.scope.tenantId, id);
    return r && toUser(r, '');
  }

  async insertUser(u: UserRecord): Promise<void> {
    unique(`userName '${u.userName}'`, () => this.run(
      `INSERT INTO users (id, tenant_id, user_name, user_name_lower, external_id, display_name, display_name_lower, data, cloud_admin, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      u.id, this.scope.tenantId, u.userName, u.userName.toLowerCase(), u.externalId, u.displayName,
      u.displayName?.toLowerCase() ?? null, JSON.stringify(u.data), u.cloudAdmin ? 1 : 0, u.createdAt, u.updatedAt));
    this.writeEmails(u);
  }

  async updateUser(u: UserRecord): Promise<void> {
    unique(`userName '${u.userName}'`, () => this.run(
      `UPDATE users SET user_name = ?, user_name_lower = ?, external_id = ?, display_name = ?, display_name_lower = ?,
       data = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
      u.userName, u.userName.toLowerCase(), u.externalId, u.displayName, u.displayName?.toLowerCase() ?? null,
      JSON.stringify(u.data), u.updatedAt, this.scope.tenantId, u.id));
    this.run('DELETE FROM user_emails WHERE user_id = ?', u.id);
    this.writeEmails(u);
  }

  private writeEmails(u: UserRecord) {
    for (const e of emailRows(u)) {
      this.run('INSERT INTO user_emails (user_id, tenant_id, position, value, value_lower, type, is_primary) VALUES (?, ?, ?, ?, ?, ?, ?)',
        u.id, this.scope.tenantId, e.position, e.value, e.value?.toLowerCase() ?? null, e.type, e.primary);
    }
  }

  async deleteUser(userId: string): Promise<void> {
    this.run('DELETE FROM users WHERE tenant_id = ? AND id = ?', this.scope.tenantId, userId);
  }

  // ---- memberships ---------------------------------------------------------------------
  async insertMembership(m: MembershipRecord): Promise<void> {
    unique('membership', () => this.run(
      `INSERT INTO site_memberships (site_id, user_id, requested_role, site_role, active, licensed, seat_tier, auth_setting,
       idp_config_id, source, state, ext, floor_role, manual_role, manual_at, last_login_at, created_at, updated_at, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      this.scope.siteId, m.userId, m.requestedRole, m.siteRole, m.active ? 1 : 0, m.licensed ? 1 : 0, m.seatTier,
      m.authSetting, m.idpConfigId, m.source, m.state, m.ext ? JSON.stringify(m.ext) : null, m.floorRole, m.manualRole,
      m.manualRole ? m.updatedAt : null, m.lastLoginAt, m.createdAt, m.updatedAt, m.version));
    this.run('UPDATE sites SET user_count = user_count + 1 WHERE id = ?', this.scope.siteId);
  }

  async updateMembership(m: MembershipRecord, expectedVersion: number): Promise<boolean> {
    const info = this.run(
      `UPDATE site_memberships SET requested_role = ?, site_role = ?, active = ?, licensed = ?, seat_tier = ?, auth_setting = ?,
       idp_config_id = ?, source = ?, state = ?, ext = ?, floor_role = ?, manual_role = ?, last_login_at = ?, updated_at = ?, version = ?
       WHERE site_id = ? AND user_id = ? AND version = ?`,
      m.requestedRole, m.siteRole, m.active ? 1 : 0, m.licensed ? 1 : 0, m.seatTier, m.authSetting, m.idpConfigId,
      m.source, m.state, m.ext ? JSON.stringify(m.ext) : null, m.floorRole, m.manualRole, m.lastLoginAt, m.updatedAt, m.version,
      this.scope.siteId, m.userId, expectedVersion);
    return info.changes === 1;
  }

  async deleteMembership(userId: string): Promise<void> {
    const info = this.run('DELETE FROM site_memberships WHERE site_id = ? AND user_id = ?', this.scope.siteId, userId);
    // A deletion shifts list positions: the epoch invalidates position anchors (anchors.ts).
    if (info.changes) this.run('UPDATE sites SET user_count = user_count - ?, list_epoch = list_epoch + 1 WHERE id = ?', info.changes, this.scope.siteId);
  }

  async countMembershipsOfUser(userId: string): Promise<number> {
    return this.get('SELECT count(*) AS n FROM site_memberships WHERE user_id = ?', userId)!.n as number;
  }

  async touchMembershipsOfUser(userId: string, at: number, exceptSiteId?: string): Promise<void> {
    this.run(`UPDATE site_memberships SET version = version + 1, updated_at = ?
      WHERE user_id = ? AND site_id <> ? AND site_id IN (SELECT id FROM sites WHERE tenant_id = ?)`,
    at, userId, exceptSiteId ?? '', this.scope.tenantId);
  }

  async findExistingUserIds(ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const r of this.all(`SELECT user_id FROM site_memberships WHERE site_id = ? AND user_id IN (${placeholders(chunk.length)})`,
        this.scope.siteId, ...chunk)) found.add(r.user_id as string);
    }
    return found;
  }

  // ---- groups --------------------------------------------------------------------------
  async insertGroup(g: GroupRecord): Promise<void> {
    unique(`displayName '${g.displayName}'`, () => this.run(
      `INSERT INTO groups (id, site_id, display_name, display_name_lower, external_id, minimum_site_role, grant_license_mode,
       member_count, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      g.id, this.scope.siteId, g.displayName, g.displayName.toLowerCase(), g.externalId, g.minimumSiteRole,
      g.grantLicenseMode, g.createdAt, g.updatedAt, g.version));
    this.run('UPDATE sites SET group_count = group_count + 1 WHERE id = ?', this.scope.siteId);
  }

  async updateGroup(g: GroupRecord, expectedVersion: number): Promise<boolean> {
    const info = unique(`displayName '${g.displayName}'`, () => this.run(
      `UPDATE groups SET display_name = ?, display_name_lower = ?, external_id = ?, minimum_site_role = ?, grant_license_mode = ?,
       updated_at = ?, version = ? WHERE site_id = ? AND id = ? AND version = ?`,
      g.displayName, g.displayName.toLowerCase(), g.externalId, g.minimumSiteRole, g.grantLicenseMode, g.updatedAt,
      g.version, this.scope.siteId, g.id, expectedVersion));
    return info.changes === 1;
  }

  async deleteGroup(id: string): Promise<void> {
    const info = this.run('DELETE FROM groups WHERE site_id = ? AND id = ?', this.scope.siteId, id);
    if (info.changes) this.run('UPDATE sites SET group_count = group_count - 1, list_epoch = list_epoch + 1 WHERE id = ?', this.scope.siteId);
  }

  async addGroupMembers(groupId: string, members: GroupMember[]): Promise<string[]> {
    const added: string[] = [];
    const now = Date.now();
    for (const m of members) {
      const info = this.run('INSERT OR IGNORE INTO group_members (group_id, member_id, member_type, display, added_at) VALUES (?, ?, ?, ?, ?)',
        groupId, m.value, m.type, m.display, now);
      if (info.changes) added.push(m.value);
    }
    if (added.length) this.run('UPDATE groups SET member_count = member_count + ? WHERE site_id = ? AND id = ?', added.length, this.scope.siteId, groupId);
    return added;
  }

  async removeGroupMembers(groupId: string, ids: string[] | 'all'): Promise<string[]> {
    const removed: string[] = [];
    if (ids === 'all') {
      for (const r of this.all('SELECT member_id FROM group_members WHERE group_id = ?', groupId)) removed.push(r.member_id as string);
      this.run('DELETE FROM group_members WHERE group_id = ?', groupId);
    } else {
      for (const id of ids) {
        if (this.run('DELETE FROM group_members WHERE group_id = ? AND member_id = ?', groupId, id).changes) removed.push(id);
      }
    }
    if (removed.length) this.run('UPDATE groups SET member_count = member_count - ? WHERE site_id = ? AND id = ?', removed.length, this.scope.siteId, groupId);
    return removed;
  }

  async removeUserFromGroups(userId: string): Promise<string[]> {
    const groups = this.all(`SELECT gm.group_id FROM group_members gm JOIN groups g ON g.id = gm.group_id
      WHERE +g.site_id = ? AND gm.member_id = ?`, this.scope.siteId, userId).map((r) => r.group_id as string);
    for (const gid of groups) await this.removeGroupMembers(gid, [userId]);
    return groups;
  }

  async forSite(siteId: string): Promise<SiteWriter> {
    if (siteId === this.scope.siteId) return this;
    // Tenant isolation: a writer is only ever handed out for a site of the bound tenant.
    if (!this.get('SELECT 1 AS one FROM sites WHERE id = ? AND tenant_id = ?', siteId, this.scope.tenantId)) {
      throw new AppError('site.not_found', `Site ${siteId} not found`);
    }
    return new SqliteSiteRepository(this.db, { tenantId: this.scope.tenantId, siteId });
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    appendAuditRows(this.db, [{ ...e, tenantId: this.scope.tenantId }]);
  }
}
