import type { mongo } from 'mongoose';
import type { AuditEntry } from '../../domain/audit.js';
import { AppError } from '../../domain/errors.js';
import type { PortalAccount, PortalMember, PortalMembership, PortalRole, PortalUser, ProductKey } from '../../domain/portal.js';
import type { PortalReader, PortalStore, PortalWriter } from '../../ports/portal.js';
import { appendAuditDocs } from './audit-repo.js';
import { translateMongoError, translating } from './errors.js';
import { chunks, type Doc, type MongoContext } from './repo-base.js';
import { runTransaction } from './transaction.js';

const lower = (s: string | null) => (s === null ? null : s.toLowerCase());
const key = (accountId: string, userId: string) => JSON.stringify([accountId, userId]);

const toAccount = (d: Doc): PortalAccount => ({
  id: d._id as string, tenantId: d.tenantId as string, name: d.name as string, createdAt: d.createdAt as number, updatedAt: d.updatedAt as number,
});
const toUser = (d: Doc): PortalUser => ({
  id: d._id as string, tenantId: d.tenantId as string, email: d.email as string, firstName: d.firstName as string,
  lastName: d.lastName as string, createdAt: d.createdAt as number, updatedAt: d.updatedAt as number,
});
const toKey = (d: Doc): ProductKey => ({
  id: d._id as string, accountId: d.accountId as string, product: d.product as string,
  ownerPortalUserId: (d.ownerPortalUserId as string | null) ?? null, assignedToEmail: (d.assignedEmail as string | null) ?? null,
  createdAt: d.createdAt as number, updatedAt: d.updatedAt as number,
});

/** Reads and writes of one tenant's portal plane (mirrors the SQLite adapter, cascades included). */
class MongoPortalRepository implements PortalWriter {
  constructor(private readonly ctx: MongoContext, readonly tenantId: string) {}

  private get o() {
    return this.ctx.session ? { session: this.ctx.session } : {};
  }
  private get col() {
    return this.ctx.collections;
  }
  /** The tenant's accounts among `ids` (every account-scoped statement is tenant-checked). */
  private async ownAccounts(ids: string[]): Promise<string[]> {
    const docs = await this.col.portalAccounts.find({ _id: { $in: ids as never[] }, tenantId: this.tenantId }, { ...this.o, projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id as unknown as string);
  }

  private async member(m: Doc): Promise<PortalMember | undefined> {
    const u = await this.col.portalUsers.findOne({ _id: m.portalUserId as never, tenantId: this.tenantId }, this.o);
    if (!u) return undefined;
    const owned = await this.col.portalKeys.countDocuments({ accountId: m.accountId, ownerPortalUserId: u._id }, this.o);
    const assigned = await this.col.portalKeys.countDocuments({ accountId: m.accountId, assignedEmailLower: u.emailLower }, this.o);
    return {
      ...toUser(u), accountId: m.accountId as string, role: m.role as PortalRole, caseAdministrator: m.caseAdmin === true,
      securityPointOfContact: m.securityPoc === true, technicalPointOfContact: m.technicalPoc === true, memberSince: m.createdAt as number,
      ownedKeyCount: owned, assignedKeyCount: assigned, updatedAt: Math.max(u.updatedAt as number, m.updatedAt as number),
    };
  }

  async findAccounts() {
    return (await this.col.portalAccounts.find({ tenantId: this.tenantId }, { ...this.o, sort: { createdAt: 1, _id: 1 } }).toArray()).map(toAccount);
  }
  async findAccountById(accountId: string) {
    const d = await this.col.portalAccounts.findOne({ _id: accountId as never, tenantId: this.tenantId }, this.o);
    return d ? toAccount(d) : undefined;
  }
  async findAccountsOfUser(portalUserId: string) {
    const ms = await this.col.portalMemberships.find({ portalUserId }, this.o).toArray();
    const members: PortalMember[] = [];
    for (const m of ms) { const x = await this.member(m); if (x) members.push(x); }
    if (!members.length) return [];
    const accounts = (await this.col.portalAccounts.find({ _id: { $in: members.map((m) => m.accountId) as never[] }, tenantId: this.tenantId },
      { ...this.o, sort: { createdAt: 1, _id: 1 } }).toArray()).map(toAccount);
    return accounts.map((a) => ({ ...a, member: members.find((m) => m.accountId === a.id)! }));
  }
  async findUserById(portalUserId: string) {
    const d = await this.col.portalUsers.findOne({ _id: portalUserId as never, tenantId: this.tenantId }, this.o);
    return d ? toUser(d) : undefined;
  }
  async findUserByEmail(email: string) {
    const d = await this.col.portalUsers.findOne({ tenantId: this.tenantId, emailLower: email.toLowerCase() }, this.o);
    return d ? toUser(d) : undefined;
  }
  async findMember(accountId: string, portalUserId: string) {
    const m = await this.col.portalMemberships.findOne({ _id: key(accountId, portalUserId) as never }, this.o);
    return m ? this.member(m) : undefined;
  }
  async findMembers(accountId: string) {
    const ms = await this.col.portalMemberships.find({ accountId }, { ...this.o, sort: { createdAt: 1, portalUserId: 1 } }).toArray();
    const out: PortalMember[] = [];
    for (const m of ms) { const x = await this.member(m); if (x) out.push(x); }
    return out;
  }
  async findKeys(accountId: string) {
    if (!(await this.ownAccounts([accountId])).length) return [];
    return (await this.col.portalKeys.find({ accountId }, { ...this.o, sort: { createdAt: 1, _id: 1 } }).toArray()).map(toKey);
  }
  async findKeyById(accountId: string, keyId: string) {
    if (!(await this.ownAccounts([accountId])).length) return undefined;
    const d = await this.col.portalKeys.findOne({ _id: keyId as never, accountId }, this.o);
    return d ? toKey(d) : undefined;
  }

  async insertAccount(a: PortalAccount) {
    await this.col.portalAccounts.insertOne({ _id: a.id as never, tenantId: this.tenantId, name: a.name, createdAt: a.createdAt, updatedAt: a.updatedAt }, this.o);
  }
  private async emailUnique(email: string, fn: () => Promise<unknown>) {
    try {
      await fn();
    } catch (e) {
      throw translateMongoError(e, () => new AppError('portal.email_taken', `A portal user with email '${email}' already exists in this tenant`, { email }));
    }
  }
  async insertUser(u: PortalUser) {
    await this.emailUnique(u.email, () => this.col.portalUsers.insertOne({
      _id: u.id as never, tenantId: this.tenantId, email: u.email, emailLower: u.email.toLowerCase(), firstName: u.firstName,
      lastName: u.lastName, createdAt: u.createdAt, updatedAt: u.updatedAt,
    }, this.o));
  }
  async updateUser(u: PortalUser) {
    await this.emailUnique(u.email, () => this.col.portalUsers.updateOne({ _id: u.id as never, tenantId: this.tenantId }, {
      $set: { email: u.email, emailLower: u.email.toLowerCase(), firstName: u.firstName, lastName: u.lastName, updatedAt: u.updatedAt },
    }, this.o));
  }
  async deleteUser(portalUserId: string) {
    const r = await this.col.portalUsers.deleteOne({ _id: portalUserId as never, tenantId: this.tenantId }, this.o);
    if (!r.deletedCount) return;
    // The SQLite foreign keys: memberships cascade, owned keys lose their owner.
    await this.col.portalMemberships.deleteMany({ portalUserId }, this.o);
    await this.col.portalKeys.updateMany({ ownerPortalUserId: portalUserId }, { $set: { ownerPortalUserId: null } }, this.o);
  }
  async insertMembership(m: PortalMembership) {
    await this.col.portalMemberships.insertOne({
      _id: key(m.accountId, m.portalUserId) as never, accountId: m.accountId, portalUserId: m.portalUserId, role: m.role,
      caseAdmin: m.caseAdministrator, securityPoc: m.securityPointOfContact, technicalPoc: m.technicalPointOfContact,
      createdAt: m.createdAt, updatedAt: m.updatedAt,
    }, this.o);
  }
  async updateMembership(m: PortalMembership) {
    if (!(await this.ownAccounts([m.accountId])).length) return;
    await this.col.portalMemberships.updateOne({ _id: key(m.accountId, m.portalUserId) as never }, {
      $set: { role: m.role, caseAdmin: m.caseAdministrator, securityPoc: m.securityPointOfContact, technicalPoc: m.technicalPointOfContact, updatedAt: m.updatedAt },
    }, this.o);
  }
  async deleteMembership(accountId: string, portalUserId: string) {
    if (!(await this.ownAccounts([accountId])).length) return;
    await this.col.portalMemberships.deleteOne({ _id: key(accountId, portalUserId) as never }, this.o);
  }
  async countMembershipsOfUser(portalUserId: string) {
    if (!(await this.findUserById(portalUserId))) return 0;
    return this.col.portalMemberships.countDocuments({ portalUserId }, this.o);
  }
  async insertKey(k: ProductKey) {
    await this.col.portalKeys.insertOne({
      _id: k.id as never, accountId: k.accountId, product: k.product, ownerPortalUserId: k.ownerPortalUserId, assignedEmail: k.assignedToEmail,
      assignedEmailLower: lower(k.assignedToEmail), createdAt: k.createdAt, updatedAt: k.updatedAt,
    }, this.o);
  }
  async updateKey(k: ProductKey) {
    if (!(await this.ownAccounts([k.accountId])).length) return;
    await this.col.portalKeys.updateOne({ _id: k.id as never, accountId: k.accountId }, {
      $set: { product: k.product, ownerPortalUserId: k.ownerPortalUserId, assignedEmail: k.assignedToEmail, assignedEmailLower: lower(k.assignedToEmail), updatedAt: k.updatedAt },
    }, this.o);
  }
  async deleteKey(accountId: string, keyId: string) {
    if (!(await this.ownAccounts([accountId])).length) return;
    await this.col.portalKeys.deleteOne({ _id: keyId as never, accountId }, this.o);
  }
  async reassignKeysByEmail(accountIds: string[], from: string, to: string, at: number) {
    if (!accountIds.length) return [];
    const ids: string[] = [];
    for (const chunk of chunks(accountIds)) {
      const own = await this.ownAccounts(chunk);
      const filter = { accountId: { $in: own }, assignedEmailLower: from.toLowerCase() };
      const found = (await this.col.portalKeys.find(filter, { ...this.o, projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown as string);
      if (found.length) await this.col.portalKeys.updateMany(filter, { $set: { assignedEmail: to, assignedEmailLower: to.toLowerCase(), updatedAt: at } }, this.o);
      ids.push(...found);
    }
    return ids.sort();
  }
  async releaseOwnedKeys(accountId: string, portalUserId: string, at: number) {
    if (!(await this.ownAccounts([accountId])).length) return [];
    const filter = { accountId, ownerPortalUserId: portalUserId };
    const ids = (await this.col.portalKeys.find(filter, { ...this.o, sort: { _id: 1 }, projection: { _id: 1 } }).toArray()).map((d) => d._id as unknown as string);
    if (ids.length) await this.col.portalKeys.updateMany(filter, { $set: { ownerPortalUserId: null, updatedAt: at } }, this.o);
    return ids;
  }
  async appendAudit(entries: AuditEntry[]) {
    await appendAuditDocs(this.ctx, entries.map((e) => ({ ...e, tenantId: this.tenantId })));
  }
}

/** The portal store on MongoDB: reads without a session, writes as one transaction. */
export class MongoPortalStore implements PortalStore {
  constructor(private readonly ctx: MongoContext, private readonly client: mongo.MongoClient) {}

  reader(tenantId: string): PortalReader {
    return translating(new MongoPortalRepository(this.ctx, tenantId));
  }

  transaction<T>(tenantId: string, fn: (w: PortalWriter) => Promise<T>): Promise<T> {
    return runTransaction(this.client, (session) => fn(new MongoPortalRepository({ ...this.ctx, session }, tenantId)));
  }
}
