import type { AuditEntry } from '../../domain/audit.js';
import { AppError } from '../../domain/errors.js';
import type { PortalAccount, PortalMember, PortalMembership, PortalRole, PortalUser, ProductKey } from '../../domain/portal.js';
import type { PortalReader, PortalStore, PortalWriter } from '../../ports/portal.js';
import { appendAuditRows } from './audit-repo.js';
import type { Db, WriteLock } from './db.js';
import { placeholders, stmt, type Row } from './repo-base.js';

const lower = (s: string | null) => (s === null ? null : s.toLowerCase());

const toAccount = (r: Row): PortalAccount => ({
  id: r.id as string, tenantId: r.tenant_id as string, name: r.name as string, createdAt: r.created_at as number, updatedAt: r.updated_at as number,
});
const toUser = (r: Row): PortalUser => ({
  id: r.id as string, tenantId: r.tenant_id as string, email: r.email as string, firstName: r.first_name as string,
  lastName: r.last_name as string, createdAt: r.created_at as number, updatedAt: r.updated_at as number,
});
const toMember = (r: Row): PortalMember => ({
  ...toUser(r), accountId: r.account_id as string, role: r.role as PortalRole, caseAdministrator: r.case_admin === 1,
  securityPointOfContact: r.security_poc === 1, technicalPointOfContact: r.technical_poc === 1, memberSince: r.m_created_at as number,
  ownedKeyCount: r.owned_keys as number, assignedKeyCount: r.assigned_keys as number,
  // the later of the identity's and the membership's last change
  updatedAt: Math.max(r.updated_at as number, r.m_updated_at as number),
});
const toKey = (r: Row): ProductKey => ({
  id: r.id as string, accountId: r.account_id as string, product: r.product as string,
  ownerPortalUserId: (r.owner_portal_user_id as string | null) ?? null, assignedToEmail: (r.assigned_email as string | null) ?? null,
  createdAt: r.created_at as number, updatedAt: r.updated_at as number,
});

/** Members with the key counts their persona is derived from (R-CP-05); tenant-bound through the user row. */
const MEMBER_SQL = `SELECT u.*, m.account_id, m.role, m.case_admin, m.security_poc, m.technical_poc, m.created_at AS m_created_at, m.updated_at AS m_updated_at,
  (SELECT count(*) FROM portal_keys k WHERE k.account_id = m.account_id AND k.owner_portal_user_id = u.id) AS owned_keys,
  (SELECT count(*) FROM portal_keys k WHERE k.account_id = m.account_id AND k.assigned_email_lower = u.email_lower) AS assigned_keys
  FROM portal_memberships m JOIN portal_users u ON u.id = m.portal_user_id`;

/** Translates the email uniqueness constraint into the product's error (the one DB-error translator of this plane). */
function emailUnique(email: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new AppError('portal.email_taken', `A portal user with email '${email}' already exists in this tenant`, { email });
    }
    throw e;
  }
}

/** Reads and writes of one tenant's portal plane on one connection. */
class SqlitePortalRepository implements PortalWriter {
  constructor(private readonly db: Db, readonly tenantId: string) {}

  private all(sql: string, ...params: unknown[]): Row[] {
    return stmt(this.db, sql).all(...params) as Row[];
  }
  private one(sql: string, ...params: unknown[]): Row | undefined {
    return stmt(this.db, sql).get(...params) as Row | undefined;
  }
  private run(sql: string, ...params: unknown[]) {
    return stmt(this.db, sql).run(...params);
  }

  async findAccounts() {
    return this.all('SELECT * FROM portal_accounts WHERE tenant_id = ? ORDER BY created_at, id', this.tenantId).map(toAccount);
  }
  async findAccountById(accountId: string) {
    const r = this.one('SELECT * FROM portal_accounts WHERE tenant_id = ? AND id = ?', this.tenantId, accountId);
    return r && toAccount(r);
  }
  async findAccountsOfUser(portalUserId: string) {
    const members = this.all(`${MEMBER_SQL} WHERE u.tenant_id = ? AND u.id = ?`, this.tenantId, portalUserId).map(toMember);
    const accounts = members.length
      ? this.all(`SELECT * FROM portal_accounts WHERE tenant_id = ? AND id IN (${placeholders(members.length)}) ORDER BY created_at, id`,
        this.tenantId, ...members.map((m) => m.accountId)).map(toAccount)
      : [];
    return accounts.map((a) => ({ ...a, member: members.find((m) => m.accountId === a.id)! }));
  }
  async findUserById(portalUserId: string) {
    const r = this.one('SELECT * FROM portal_users WHERE tenant_id = ? AND id = ?', this.tenantId, portalUserId);
    return r && toUser(r);
  }
  async findUserByEmail(email: string) {
    const r = this.one('SELECT * FROM portal_users WHERE tenant_id = ? AND email_lower = ?', this.tenantId, email.toLowerCase());
    return r && toUser(r);
  }
  async findMember(accountId: string, portalUserId: string) {
    const r = this.one(`${MEMBER_SQL} WHERE u.tenant_id = ? AND m.account_id = ? AND m.portal_user_id = ?`, this.tenantId, accountId, portalUserId);
    return r && toMember(r);
  }
  async findMembers(accountId: string) {
    return this.all(`${MEMBER_SQL} WHERE u.tenant_id = ? AND m.account_id = ? ORDER BY m.created_at, u.id`, this.tenantId, accountId).map(toMember);
  }
  async findKeys(accountId: string) {
    return this.all(`SELECT k.* FROM portal_keys k JOIN portal_accounts a ON a.id = k.account_id
      WHERE a.tenant_id = ? AND k.account_id = ? ORDER BY k.created_at, k.id`, this.tenantId, accountId).map(toKey);
  }
  async findKeyById(accountId: string, keyId: string) {
    const r = this.one(`SELECT k.* FROM portal_keys k JOIN portal_accounts a ON a.id = k.account_id
      WHERE a.tenant_id = ? AND k.account_id = ? AND k.id = ?`, this.tenantId, accountId, keyId);
    return r && toKey(r);
  }

  async insertAccount(a: PortalAccount) {
    this.run('INSERT INTO portal_accounts (id, tenant_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      a.id, this.tenantId, a.name, a.createdAt, a.updatedAt);
  }
  async insertUser(u: PortalUser) {
    emailUnique(u.email, () => this.run(`INSERT INTO portal_users (id, tenant_id, email, email_lower, first_name, last_name, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.id, this.tenantId, u.email, u.email.toLowerCase(), u.firstName, u.lastName, u.createdAt, u.updatedAt));
  }
  async updateUser(u: PortalUser) {
    emailUnique(u.email, () => this.run(`UPDATE portal_users SET email = ?, email_lower = ?, first_name = ?, last_name = ?, updated_at = ?
      WHERE tenant_id = ? AND id = ?`, u.email, u.email.toLowerCase(), u.firstName, u.lastName, u.updatedAt, this.tenantId, u.id));
  }
  async deleteUser(portalUserId: string) {
    this.run('DELETE FROM portal_users WHERE tenant_id = ? AND id = ?', this.tenantId, portalUserId);
  }
  async insertMembership(m: PortalMembership) {
    this.run(`INSERT INTO portal_memberships (account_id, portal_user_id, role, case_admin, security_poc, technical_poc, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.accountId, m.portalUserId, m.role, Number(m.caseAdministrator), Number(m.securityPointOfContact),
    Number(m.technicalPointOfContact), m.createdAt, m.updatedAt);
  }
  async updateMembership(m: PortalMembership) {
    this.run(`UPDATE portal_memberships SET role = ?, case_admin = ?, security_poc = ?, technical_poc = ?, updated_at = ?
      WHERE account_id = ? AND portal_user_id = ? AND account_id IN (SELECT id FROM portal_accounts WHERE tenant_id = ?)`, m.role, Number(m.caseAdministrator), Number(m.securityPointOfContact),
    Number(m.technicalPointOfContact), m.updatedAt, m.accountId, m.portalUserId, this.tenantId);
  }
  async deleteMembership(accountId: string, portalUserId: string) {
    this.run(`DELETE FROM portal_memberships WHERE account_id = ? AND portal_user_id = ? AND account_id IN (SELECT id FROM portal_accounts WHERE tenant_id = ?)`, accountId, portalUserId, this.tenantId);
  }
  async countMembershipsOfUser(portalUserId: string) {
    return this.one(`SELECT count(*) AS n FROM portal_memberships m JOIN portal_users u ON u.id = m.portal_user_id
      WHERE u.tenant_id = ? AND u.id = ?`, this.tenantId, portalUserId)!.n as number;
  }
  async insertKey(k: ProductKey) {
    this.run(`INSERT INTO portal_keys (id, account_id, product, owner_portal_user_id, assigned_email, assigned_email_lower, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.id, k.accountId, k.product, k.ownerPortalUserId, k.assignedToEmail, lower(k.assignedToEmail), k.createdAt, k.updatedAt);
  }
  async updateKey(k: ProductKey) {
    this.run(`UPDATE portal_keys SET product = ?, owner_portal_user_id = ?, assigned_email = ?, assigned_email_lower = ?, updated_at = ?
      WHERE account_id = ? AND id = ? AND account_id IN (SELECT id FROM portal_accounts WHERE tenant_id = ?)`, k.product, k.ownerPortalUserId, k.assignedToEmail, lower(k.assignedToEmail), k.updatedAt, k.accountId, k.id, this.tenantId);
  }
  async deleteKey(accountId: string, keyId: string) {
    this.run(`DELETE FROM portal_keys WHERE account_id = ? AND id = ? AND account_id IN (SELECT id FROM portal_accounts WHERE tenant_id = ?)`, accountId, keyId, this.tenantId);
  }
  async reassignKeysByEmail(accountIds: string[], from: string, to: string, at: number) {
    if (!accountIds.length) return [];
    const where = `account_id IN (${placeholders(accountIds.length)}) AND assigned_email_lower = ? AND account_id IN (SELECT id FROM portal_accounts WHERE tenant_id = ?)`;
    const params = [...accountIds, from.toLowerCase(), this.tenantId];
    const ids = this.all(`SELECT id FROM portal_keys WHERE ${where} ORDER BY id`, ...params).map((r) => r.id as string);
    if (ids.length) this.run(`UPDATE portal_keys SET assigned_email = ?, assigned_email_lower = ?, updated_at = ? WHERE ${where}`, to, to.toLowerCase(), at, ...params);
    return ids;
  }
  async releaseOwnedKeys(accountId: string, portalUserId: string, at: number) {
    const where = `account_id = ? AND owner_portal_user_id = ? AND account_id IN (SELECT id FROM portal_accounts WHERE tenant_id = ?)`;
    const ids = this.all(`SELECT id FROM portal_keys WHERE ${where} ORDER BY id`, accountId, portalUserId, this.tenantId).map((r) => r.id as string);
    if (ids.length) this.run(`UPDATE portal_keys SET owner_portal_user_id = NULL, updated_at = ? WHERE ${where}`, at, accountId, portalUserId, this.tenantId);
    return ids;
  }
  async appendAudit(entries: AuditEntry[]) {
    appendAuditRows(this.db, entries.map((e) => ({ ...e, tenantId: this.tenantId })));
  }
}

/**
 * The portal store on the embedded database: reads on the read-only connection, writes as one
 * unit of work on the writer connection, serialised (and group-committed) with the site
 * store's units through the same lock.
 */
export class SqlitePortalStore implements PortalStore {
  constructor(private readonly writer: Db, private readonly readerDb: Db, private readonly lock: WriteLock) {}

  reader(tenantId: string): PortalReader {
    return new SqlitePortalRepository(this.lock.readFrom(this.writer, this.readerDb), tenantId);
  }

  transaction<T>(tenantId: string, fn: (w: PortalWriter) => Promise<T>): Promise<T> {
    return this.lock.unit(() => fn(new SqlitePortalRepository(this.writer, tenantId)));
  }
}
