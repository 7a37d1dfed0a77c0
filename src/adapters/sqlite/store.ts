import { AppError } from '../../domain/errors.js';
import type { Credential, Scope, Site, Tenant } from '../../domain/types.js';
import type { AuditEntry } from '../../domain/audit.js';
import type { AuditQuery, DirectoryStore, SiteReader, SiteWriter, Store, TenantReader } from '../../ports/storage.js';
import type { PortalStore } from '../../ports/portal.js';
import { startCheckpointer, WRITER_CHECKPOINT_PAGES, type Checkpointer } from './checkpointer.js';
import { openDatabase, WriteLock, type Db } from './db.js';
import { appendAuditRows, findAuditAnchor, findAuditEntries, purgeAudit, scanAudit } from './audit-repo.js';
import { stmt, type Row } from './repo-base.js';
import { toSite } from './rows.js';
import { SqliteSiteRepository } from './site-repo.js';
import { SqliteTenantRepository } from './tenant-repo.js';
import { SqlitePortalStore } from './portal-repo.js';

const toCredential = (r: Row): Credential => ({
  id: r.id as string, tenantId: r.tenant_id as string, siteId: (r.site_id as string | null) ?? null,
  kind: r.kind as Credential['kind'], scope: (r.scope as string | null) ?? null, secretHash: r.secret_hash as string,
  revokedAt: (r.revoked_at as number | null) ?? null, label: (r.label as string | null) ?? null,
  createdAt: r.created_at as number, lastUsedAt: (r.last_used_at as number | null) ?? null,
});

class SqliteDirectory implements DirectoryStore {
  /** Reads use the reader connection (committed data only) — the writer inside a batch, to see its
   *  own units; writes take the store's write lock, so they never run inside, or interleave with,
   *  another flow's open transaction. */
  constructor(private readonly db: Db, private readonly reader: Db, private readonly lock: WriteLock) {}
  private get rd(): Db {
    return this.lock.readFrom(this.db, this.reader);
  }
  private write<T>(fn: () => T): Promise<T> {
    return this.lock.run(async () => fn());
  }
  async countTenants() {
    return (stmt(this.rd, 'SELECT count(*) AS n FROM tenants').get() as Row).n as number;
  }
  async findTenantIds() {
    return (stmt(this.rd, 'SELECT id FROM tenants ORDER BY id').all() as Row[]).map((r) => r.id as string);
  }
  async insertTenant(t: Tenant) {
    await this.write(() => stmt(this.db, 'INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)').run(t.id, t.name, t.createdAt));
  }
  async insertSite(s: Site) {
    try {
      await this.write(() => stmt(this.db, 'INSERT INTO sites (id, tenant_id, name, content_url, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(s.id, s.tenantId, s.name, s.contentUrl, JSON.stringify(s.settings), s.createdAt));
    } catch (e) {
      if (String((e as { code?: string }).code).startsWith('SQLITE_CONSTRAINT')) {
        throw new AppError('resource.uniqueness', `A site with contentUrl '${s.contentUrl}' already exists`);
      }
      throw e;
    }
  }
  async findSiteById(tenantId: string, siteId: string) {
    const r = stmt(this.rd, 'SELECT * FROM sites WHERE tenant_id = ? AND id = ?').get(tenantId, siteId) as Row | undefined;
    return r && toSite(r);
  }
  async findSites(tenantId: string) {
    return (stmt(this.rd, 'SELECT * FROM sites WHERE tenant_id = ? ORDER BY created_at, id').all(tenantId) as Row[]).map(toSite);
  }
  async insertCredential(c: Credential & { label?: string | null; createdAt: number }) {
    await this.write(() => stmt(this.db, `INSERT INTO credentials (id, tenant_id, site_id, kind, scope, secret_hash, label, created_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(c.id, c.tenantId, c.siteId, c.kind, c.scope, c.secretHash, c.label ?? null, c.createdAt, c.revokedAt));
  }
  async findCredentialByHash(hash: string) {
    const r = stmt(this.rd, 'SELECT * FROM credentials WHERE secret_hash = ?').get(hash) as Row | undefined;
    return r && toCredential(r);
  }
  async findCredentialById(id: string) {
    const r = stmt(this.rd, 'SELECT * FROM credentials WHERE id = ?').get(id) as Row | undefined;
    return r && toCredential(r);
  }
  async findCredentials(tenantId: string, siteId: string | null) {
    return (stmt(this.rd, 'SELECT * FROM credentials WHERE tenant_id = ? AND site_id IS ? ORDER BY created_at DESC, id').all(tenantId, siteId) as Row[]).map(toCredential);
  }
  async revokeCredentials(tenantId: string, siteId: string, kind: Credential['kind'], at = Date.now()) {
    await this.write(() => stmt(this.db, 'UPDATE credentials SET revoked_at = ? WHERE tenant_id = ? AND site_id = ? AND kind = ? AND (revoked_at IS NULL OR revoked_at > ?)')
      .run(at, tenantId, siteId, kind, at));
  }
  async revokeCredential(tenantId: string, id: string, at: number) {
    return this.write(() => stmt(this.db, 'UPDATE credentials SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND (revoked_at IS NULL OR revoked_at > ?)').run(at, tenantId, id, at).changes === 1);
  }
  async touchCredential(id: string, at: number) {
    await this.write(() => stmt(this.db, 'UPDATE credentials SET last_used_at = ? WHERE id = ?').run(at, id));
  }
  async findAuditEntries(tenantId: string, q: AuditQuery) {
    return findAuditEntries(this.rd, tenantId, q);
  }
  async appendAuditEntries(entries: AuditEntry[]) {
    if (entries.length) await this.write(() => this.db.transaction(() => appendAuditRows(this.db, entries))());
  }
  async scanAudit(tenantId: string, afterSeq: number, limit: number) {
    return scanAudit(this.rd, tenantId, afterSeq, limit);
  }
  async findAuditAnchor(tenantId: string) {
    return findAuditAnchor(this.rd, tenantId);
  }
  async purgeAudit(tenantId: string, before: number) {
    return this.write(() => this.db.transaction(() => purgeAudit(this.db, tenantId, before))());
  }
  async countRequestsByClientDay(tenantId: string, since: number) {
    return stmt(this.rd, `SELECT strftime('%Y-%m-%d', at / 1000, 'unixepoch') AS day, json_extract(data, '$.client') AS client,
        count(*) AS requests, sum(CASE WHEN json_extract(data, '$.status') >= 400 THEN 1 ELSE 0 END) AS errors
      FROM audit_entries WHERE tenant_id = ? AND event = 'RequestHandled' AND at >= ? GROUP BY day, client ORDER BY day, client`)
      .all(tenantId, since) as { day: string; client: string; requests: number; errors: number }[];
  }
  async findSigningKeys() {
    return stmt(this.rd, 'SELECT id, secret FROM signing_keys ORDER BY created_at DESC, id').all() as { id: string; secret: string }[];
  }
  async insertSigningKey(k: { id: string; secret: string; createdAt: number }) {
    await this.write(() => stmt(this.db, 'INSERT INTO signing_keys (id, secret, created_at) VALUES (?, ?, ?)').run(k.id, k.secret, k.createdAt));
  }
}

/** The embedded default store: better-sqlite3 in WAL mode, one writer, one reader connection. */
export class SqliteStore implements Store {
  readonly directory: DirectoryStore;
  readonly portal: PortalStore;
  readonly #writer: Db;
  readonly #reader: Db;
  readonly #lock: WriteLock;

  readonly #checkpointer: Checkpointer | undefined;

  /**
   * `onCheckpointError`: where the WAL checkpointer thread reports a failure (default: stderr).
   * `sharedFile`: other processes write to the same file (cluster workers; see WriteLock).
   */
  constructor(location: string, opts: { onCheckpointError?: (message: string) => void; sharedFile?: boolean } = {}) {
    const { writer, reader } = openDatabase(location);
    if (location !== ':memory:') {
      writer.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
      this.#checkpointer = startCheckpointer(location, opts.onCheckpointError ?? ((m) => console.error(`rolegate: WAL checkpoint failed: ${m}`)));
    }
    this.#writer = writer;
    this.#reader = reader;
    this.#lock = new WriteLock(writer, opts.sharedFile === true);
    this.directory = new SqliteDirectory(writer, reader, this.#lock);
    this.portal = new SqlitePortalStore(writer, reader, this.#lock);
  }

  /** Committed data — or, inside a batch, the batch's own uncommitted units too (read your writes). */
  reader(scope: Scope): SiteReader {
    return new SqliteSiteRepository(this.#readDb, scope);
  }

  tenantReader(tenantId: string): TenantReader {
    return new SqliteTenantRepository(this.#readDb, tenantId);
  }

  get #readDb(): Db {
    return this.#lock.readFrom(this.#writer, this.#reader);
  }

  transaction<T>(scope: Scope, fn: (w: SiteWriter) => Promise<T>): Promise<T> {
    return this.#lock.unit(() => fn(new SqliteSiteRepository(this.#writer, scope)));
  }

  /** Units inside `fn` become savepoints of one transaction (a /Bulk chunk commits once). */
  batch<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock.unit(fn);
  }

  /** For tests and the bench: the raw writer connection (query plans, tampering checks). */
  get rawDatabase(): Db {
    return this.#writer;
  }

  async healthy(): Promise<boolean> {
    try {
      return this.#reader.open && (this.#reader.prepare('SELECT 1 AS ok').get() as Row).ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#lock.drain();
    await this.#checkpointer?.stop();
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer.close();
  }
}
