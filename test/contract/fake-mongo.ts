/**
 * An in-memory stand-in for the subset of the MongoDB driver the Mongo adapter calls, built on
 * mingo (queries, aggregation, $lookup, sorting, projection). It exists because no MongoDB
 * server can run on the build machine: with it, the storage contract exercises the adapter's
 * own logic (documents, counters, sequences, CAS, cascades, the audit chain, paging). It does
 * NOT prove server behaviour: transaction isolation, write conflicts, index use and network
 * failures need the real run (MONGODB_URI, see mongo.test.ts).
 *
 * Transactions: a session snapshots every collection at start; abort restores the snapshot.
 * Unique indexes (models.ts DEFS) and `_id` are enforced with E11000 errors like the server's.
 */
import { Aggregator, find } from 'mingo';
import { DEFS, type CollectionName, type Collections } from '../../src/adapters/mongo/models.js';

type Doc = Record<string, any>;
type Opts = { session?: FakeSession; projection?: Doc; sort?: Doc; skip?: number; limit?: number; upsert?: boolean; returnDocument?: string };

const clone = <T>(v: T): T => structuredClone(v);

function getPath(doc: Doc, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Doc)[k] : undefined), doc);
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = doc;
  for (const k of keys.slice(0, -1)) at = at[k] && typeof at[k] === 'object' ? at[k] : (at[k] = {});
  at[keys.at(-1)!] = value;
}

class DuplicateKey extends Error {
  readonly code = 11000;
  override readonly name = 'MongoServerError';
  constructor(index: string) {
    super(`E11000 duplicate key error collection index: ${index}`);
  }
}

class FakeSession {
  #snapshot: Map<string, Doc[]> | undefined;
  constructor(private readonly db: FakeDb) {}
  startTransaction() { this.#snapshot = this.db.snapshot(); }
  inTransaction() { return this.#snapshot !== undefined; }
  async commitTransaction() { this.#snapshot = undefined; }
  async abortTransaction() {
    if (this.#snapshot) this.db.restore(this.#snapshot);
    this.#snapshot = undefined;
  }
  async endSession() { await this.abortTransaction(); }
}

class FakeCollection {
  docs: Doc[] = [];
  constructor(readonly name: string, private readonly unique: string[][], private readonly db: FakeDb) {}

  private check(doc: Doc, except?: Doc): void {
    for (const fields of [['_id'], ...this.unique]) {
      const key = JSON.stringify(fields.map((f) => getPath(doc, f) ?? null));
      if (this.docs.some((d) => d !== except && JSON.stringify(fields.map((f) => getPath(d, f) ?? null)) === key)) throw new DuplicateKey(fields.join('_'));
    }
  }
  private cursor(filter: Doc, o: Opts = {}) {
    let c = find(this.docs, filter, o.projection);
    if (o.sort) c = c.sort(o.sort);
    const { skip: from = 0 } = o;
    return c.all().slice(from, o.limit ? from + o.limit : undefined).map(clone);
  }
  async findOne(filter: Doc, o: Opts = {}) { return this.cursor(filter, { ...o, limit: 1 })[0] ?? null; }
  find(filter: Doc, o: Opts = {}) { return { toArray: async () => this.cursor(filter, o) }; }
  async countDocuments(filter: Doc) { return find(this.docs, filter).all().length; }
  aggregate(pipeline: Doc[]) {
    const collectionResolver = (name: string) => this.db.byName(name).docs;
    return { toArray: async () => new Aggregator(pipeline, { collectionResolver }).run(this.docs).map(clone) };
  }
  async insertOne(doc: Doc) {
    const copy = clone(doc);
    this.check(copy);
    this.docs.push(copy);
    return { insertedId: copy._id };
  }
  private apply(target: Doc, update: Doc, inserting: boolean): Doc {
    const next = clone(target);
    for (const [k, v] of Object.entries(update.$set ?? {})) setPath(next, k, clone(v));
    for (const [k, v] of Object.entries(update.$inc ?? {})) setPath(next, k, ((getPath(next, k) as number | undefined) ?? 0) + (v as number));
    if (inserting) for (const [k, v] of Object.entries(update.$setOnInsert ?? {})) setPath(next, k, clone(v));
    return next;
  }
  private replace(old: Doc, next: Doc) {
    this.check(next, old);
    this.docs[this.docs.indexOf(old)] = next;
  }
  private matching(filter: Doc): Doc[] {
    const hits = new Set(find(this.docs, filter).all());
    return this.docs.filter((d) => hits.has(d));
  }
  private upsert(filter: Doc, update: Doc): Doc {
    const seed: Doc = {};
    for (const [k, v] of Object.entries(filter)) if (!k.startsWith('$') && (typeof v !== 'object' || v === null)) setPath(seed, k, v);
    const doc = this.apply(seed, update, true);
    this.check(doc);
    this.docs.push(doc);
    return doc;
  }
  async updateOne(filter: Doc, update: Doc, o: Opts = {}) {
    const [hit] = this.matching(filter);
    if (!hit) {
      if (!o.upsert) return { matchedCount: 0, modifiedCount: 0, upsertedId: null };
      return { matchedCount: 0, modifiedCount: 0, upsertedId: this.upsert(filter, update)._id };
    }
    this.replace(hit, this.apply(hit, update, false));
    return { matchedCount: 1, modifiedCount: 1, upsertedId: null };
  }
  async updateMany(filter: Doc, update: Doc) {
    const hits = this.matching(filter);
    for (const hit of hits) this.replace(hit, this.apply(hit, update, false));
    return { matchedCount: hits.length, modifiedCount: hits.length };
  }
  async findOneAndUpdate(filter: Doc, update: Doc, o: Opts = {}) {
    const [hit] = this.matching(filter);
    if (!hit) return o.upsert ? clone(this.upsert(filter, update)) : null;
    const next = this.apply(hit, update, false);
    this.replace(hit, next);
    return clone(o.returnDocument === 'after' ? next : hit);
  }
  async deleteOne(filter: Doc) {
    const [hit] = this.matching(filter);
    if (hit) this.docs.splice(this.docs.indexOf(hit), 1);
    return { deletedCount: hit ? 1 : 0 };
  }
  async deleteMany(filter: Doc) {
    const hits = new Set(this.matching(filter));
    this.docs = this.docs.filter((d) => !hits.has(d));
    return { deletedCount: hits.size };
  }
  async bulkWrite(ops: { updateOne: { filter: Doc; update: Doc; upsert?: boolean } }[], o: Opts = {}) {
    const upsertedIds: Record<number, unknown> = {};
    for (const [i, op] of ops.entries()) {
      const r = await this.updateOne(op.updateOne.filter, op.updateOne.update, { ...o, upsert: op.updateOne.upsert });
      if (r.upsertedId !== null) upsertedIds[i] = r.upsertedId;
    }
    return { upsertedIds };
  }
}

/** A database of fake collections named as in models.ts, plus a client that starts sessions. */
export class FakeDb {
  readonly #byName = new Map<string, FakeCollection>();
  readonly collections = {} as Collections;
  readonly client = { startSession: () => new FakeSession(this) };

  constructor() {
    for (const [key, def] of Object.entries(DEFS) as [CollectionName, (typeof DEFS)[CollectionName]][]) {
      const unique = (def.indexes as [Doc, { unique?: boolean }?][]).filter(([, o]) => o?.unique).map(([fields]) => Object.keys(fields));
      const c = new FakeCollection(def.collection, unique, this);
      this.#byName.set(def.collection, c);
      (this.collections as Record<string, unknown>)[key] = c;
    }
  }
  byName(name: string): FakeCollection {
    const c = this.#byName.get(name);
    if (!c) throw new Error(`fake: no collection ${name}`);
    return c;
  }
  snapshot(): Map<string, Doc[]> {
    return new Map([...this.#byName].map(([n, c]) => [n, clone(c.docs)]));
  }
  restore(s: Map<string, Doc[]>): void {
    for (const [n, docs] of s) this.#byName.get(n)!.docs = docs;
  }
}
