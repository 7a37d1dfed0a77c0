import type { mongo } from 'mongoose';
import type { AuditEntry } from '../../domain/audit.js';
import { AppError } from '../../domain/errors.js';
import type { Credential, Scope, Site, Tenant } from '../../domain/types.js';
import type { PortalStore } from '../../ports/portal.js';
import type { AuditQuery, DirectoryStore, SiteReader, SiteWriter, Store, TenantReader } from '../../ports/storage.js';
import { appendAuditDocs, countRequestsByClientDay, findAuditAnchor, findAuditEntries, purgeAudit, scanAudit } from './audit-repo.js';
import { connectMongo, type MongoHandle } from './connect.js';
import { translateMongoError, translating } from './errors.js';
import { MongoPortalStore } from './portal-repo.js';
import type { Doc, MongoContext } from './repo-base.js';
import { toSite, type SiteDoc } from './site-config-repo.js';
import { MongoSiteRepository } from './site-repo.js';
import { MongoTenantRepository } from './tenant-repo.js';
import { runTransaction } from './transaction.js';

const id = (s: string) => s as never;

const toCredential = (d: Doc): Credential => ({
  id: d._id as string, tenantId: d.tenantId as string, siteId: (d.siteId as string | null) ?? null,
  kind: d.kind as Credential['kind'], scope: (d.scope as string | null) ?? null, secretHash: d.secretHash as string,
  revokedAt: (d.revokedAt as number | null) ?? null, label: (d.label as string | null) ?? null,
  createdAt: d.createdAt as number, lastUsedAt: (d.lastUsedAt as number | null) ?? null,
});

class MongoDirectory implements DirectoryStore {
  constructor(private readonly ctx: MongoContext, private readonly client: mongo.MongoClient) {}
  private get col() {
    return this.ctx.collections;
  }
  async countTenants() {
    return this.col.tenants.countDocuments({});
  }
  async findTenantIds() {
    return (await this.col.tenants.find({}, { sort: { _id: 1 }, projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown as string);
  }
  async insertTenant(t: Tenant) {
    await this.col.tenants.insertOne({ _id: id(t.id), name: t.name, settingsJson: '{}', createdAt: t.createdAt });
  }
  async insertSite(s: Site) {
    try {
      await this.col.sites.insertOne({
        _id: id(s.id), tenantId: s.tenantId, name: s.name, contentUrl: s.contentUrl, contentUrlLower: s.contentUrl.toLowerCase(),
        settingsJson: JSON.stringify(s.settings), createdAt: s.createdAt, userCount: 0, groupCount: 0, scimEnabled: false,
        scimAuthConfigId: null, roleMappingJson: null, cap: { creator: null, explorer: null, viewer: null }, used: { creator: 0, explorer: 0, viewer: 0 },
      });
    } catch (e) {
      throw translateMongoError(e, () => new AppError('resource.uniqueness', `A site with contentUrl '${s.contentUrl}' already exists`));
    }
  }
  async findSiteById(tenantId: string, siteId: string) {
    const d = await this.col.sites.findOne({ _id: id(siteId), tenantId });
    return d ? toSite(d as unknown as SiteDoc) : undefined;
  }
  async findSites(tenantId: string) {
    return (await this.col.sites.find({ tenantId }, { sort: { createdAt: 1, _id: 1 } }).toArray()).map((d) => toSite(d as unknown as SiteDoc));
  }
  async insertCredential(c: Credential & { label?: string | null; createdAt: number }) {
    await this.col.credentials.insertOne({
      _id: id(c.id), tenantId: c.tenantId, siteId: c.siteId, kind: c.kind, scope: c.scope, secretHash: c.secretHash,
      label: c.label ?? null, createdAt: c.createdAt, revokedAt: c.revokedAt, lastUsedAt: null,
    });
  }
  async findCredentialByHash(hash: string) {
    const d = await this.col.credentials.findOne({ secretHash: hash });
    return d ? toCredential(d) : undefined;
  }
  async findCredentialById(credentialId: string) {
    const d = await this.col.credentials.findOne({ _id: id(credentialId) });
    return d ? toCredential(d) : undefined;
  }
  async findCredentials(tenantId: string, siteId: string | null) {
    return (await this.col.credentials.find({ tenantId, siteId }, { sort: { createdAt: -1, _id: 1 } }).toArray()).map(toCredential);
  }
  async revokeCredentials(tenantId: string, siteId: string, kind: Credential['kind'], at = Date.now()) {
    await this.col.credentials.updateMany({ tenantId, siteId, kind, $or: [{ revokedAt: null }, { revokedAt: { $gt: at } }] }, { $set: { revokedAt: at } });
  }
  async revokeCredential(tenantId: string, credentialId: string, at: number) {
    const r = await this.col.credentials.updateOne({ _id: id(credentialId), tenantId, $or: [{ revokedAt: null }, { revokedAt: { $gt: at } }] }, { $set: { revokedAt: at } });
    return r.matchedCount === 1;
  }
  async touchCredential(credentialId: string, at: number) {
    await this.col.credentials.updateOne({ _id: id(credentialId) }, { $set: { lastUsedAt: at } });
  }
  async findAuditEntries(tenantId: string, q: AuditQuery) {
    return findAuditEntries(this.ctx, tenantId, q);
  }
  async appendAuditEntries(entries: AuditEntry[]) {
    if (entries.length) await runTransaction(this.client, (session) => appendAuditDocs({ ...this.ctx, session }, entries));
  }
  async scanAudit(tenantId: string, afterSeq: number, limit: number) {
    return scanAudit(this.ctx, tenantId, afterSeq, limit);
  }
  async findAuditAnchor(tenantId: string) {
    return findAuditAnchor(this.ctx, tenantId);
  }
  async purgeAudit(tenantId: string, before: number) {
    return runTransaction(this.client, (session) => purgeAudit({ ...this.ctx, session }, tenantId, before));
  }
  async countRequestsByClientDay(tenantId: string, since: number) {
    return countRequestsByClientDay(this.ctx, tenantId, since);
  }
  async findSigningKeys() {
    return (await this.col.signingKeys.find({}, { sort: { createdAt: -1, _id: 1 } }).toArray()).map((d) => ({ id: d._id as unknown as string, secret: d.secret as string }));
  }
  async insertSigningKey(k: { id: string; secret: string; createdAt: number }) {
    await this.col.signingKeys.insertOne({ _id: id(k.id), secret: k.secret, createdAt: k.createdAt });
  }
}

/**
 * The production store: MongoDB through mongoose (a replica set: every unit of work is a
 * multi-document transaction). Stateless: any number of rolegate instances can share it.
 */
export class MongoStore implements Store {
  readonly directory: DirectoryStore;
  readonly portal: PortalStore;
  readonly #ctx: MongoContext;

  /** `handle.close` is called by `close()`; tests pass a fake handle. */
  constructor(private readonly handle: Pick<MongoHandle, 'client' | 'collections'> & { close(): Promise<void> }) {
    this.#ctx = { collections: handle.collections };
    this.directory = translating(new MongoDirectory(this.#ctx, handle.client));
    this.portal = new MongoPortalStore(this.#ctx, handle.client);
  }

  /** Connects, checks the replica set, creates indexes. @throws Error with a clear message. */
  static async connect(uri: string, opts: { dbName?: string } = {}): Promise<MongoStore> {
    const h = await connectMongo(uri, opts);
    return new MongoStore({ client: h.client, collections: h.collections, close: () => h.conn.close() });
  }

  reader(scope: Scope): SiteReader {
    return translating(new MongoSiteRepository(this.#ctx, scope));
  }

  tenantReader(tenantId: string): TenantReader {
    return translating(new MongoTenantRepository(this.#ctx, tenantId));
  }

  transaction<T>(scope: Scope, fn: (w: SiteWriter) => Promise<T>): Promise<T> {
    return runTransaction(this.handle.client, (session) => fn(new MongoSiteRepository({ ...this.#ctx, session }, scope)));
  }

  /** Every unit keeps its own transaction on MongoDB (a shared one would only lengthen write conflicts). */
  batch<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async healthy(): Promise<boolean> {
    try {
      await this.#ctx.collections.tenants.findOne({}, { projection: { _id: 1 }, maxTimeMS: 2000 });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
