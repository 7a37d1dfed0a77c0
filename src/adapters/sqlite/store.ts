import type { Credential, Scope, Site, Tenant } from '../../domain/types.js';
import type { DirectoryStore, SiteReader, SiteWriter, Store } from '../../ports/storage.js';
import { openDatabase, WriteLock, type Db } from './db.js';
import { SqliteSiteRepository } from './site-repo.js';

type Row = Record<string, unknown>;

const toSite = (r: Row): Site => ({
  id: r.id as string, tenantId: r.tenant_id as string, name: r.name as string,
  contentUrl: r.content_url as string, settings: JSON.parse(r.settings as string), createdAt: r.created_at as number,
});

class SqliteDirectory implements DirectoryStore {
  constructor(private readonly db: Db) {}
  async countTenants() {
    return (this.db.prepare('SELECT count(*) AS n FROM tenants').get() as Row).n as number;
  }
  async insertTenant(t: Tenant) {
    this.db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)').run(t.id, t.name, t.createdAt);
  }
  async insertSite(s: Site) {
    this.db.prepare('INSERT INTO sites (id, tenant_id, name, content_url, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.id, s.tenantId, s.name, s.contentUrl, JSON.stringify(s.settings), s.createdAt);
  }
  async findSiteById(tenantId: string, siteId: string) {
    const r = this.db.prepare('SELECT * FROM sites WHERE tenant_id = ? AND id = ?').get(tenantId, siteId) as Row | undefined;
    return r && toSite(r);
  }
  async findSites(tenantId: string) {
    return (this.db.prepare('SELECT * FROM sites WHERE tenant_id = ? ORDER BY created_at, id').all(tenantId) as Row[]).map(toSite);
  }
  async insertCredential(c: Credential & { label?: string | null; createdAt: number }) {
    this.db.prepare(`INSERT INTO credentials (id, tenant_id, site_id, kind, scope, secret_hash, label, created_at, revoked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(c.id, c.tenantId, c.siteId, c.kind, c.scope, c.secretHash, c.label ?? null, c.createdAt, c.revokedAt);
  }
  async findCredentialByHash(hash: string) {
    const r = this.db.prepare('SELECT * FROM credentials WHERE secret_hash = ?').get(hash) as Row | undefined;
    if (!r) return undefined;
    return {
      id: r.id as string, tenantId: r.tenant_id as string, siteId: (r.site_id as string | null) ?? null,
      kind: r.kind as Credential['kind'], scope: (r.scope as string | null) ?? null, secretHash: r.secret_hash as string,
      revokedAt: (r.revoked_at as number | null) ?? null,
    };
  }
  async revokeCredentials(tenantId: string, siteId: string, kind: Credential['kind']) {
    this.db.prepare('UPDATE credentials SET revoked_at = ? WHERE tenant_id = ? AND site_id = ? AND kind = ? AND revoked_at IS NULL')
      .run(Date.now(), tenantId, siteId, kind);
  }
}

/** The embedded default store: better-sqlite3 in WAL mode, one writer, one reader connection. */
export class SqliteStore implements Store {
  readonly directory: DirectoryStore;
  readonly #writer: Db;
  readonly #reader: Db;
  readonly #lock = new WriteLock();

  constructor(location: string) {
    const { writer, reader } = openDatabase(location);
    this.#writer = writer;
    this.#reader = reader;
    this.directory = new SqliteDirectory(writer);
  }

  reader(scope: Scope): SiteReader {
    return new SqliteSiteRepository(this.#reader, scope);
  }

  transaction<T>(scope: Scope, fn: (w: SiteWriter) => Promise<T>): Promise<T> {
    return this.#lock.run(async () => {
      const db = this.#writer;
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(new SqliteSiteRepository(db, scope));
        db.exec('COMMIT');
        return result;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  /** For tests and the bench: the raw writer connection (query plans, tampering checks). */
  get rawDatabase(): Db {
    return this.#writer;
  }

  async close(): Promise<void> {
    if (this.#reader !== this.#writer) this.#reader.close();
    this.#writer.close();
  }
}
