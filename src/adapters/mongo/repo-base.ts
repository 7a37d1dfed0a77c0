import type { mongo } from 'mongoose';
import type { Scope } from '../../domain/types.js';
import type { CollectionName, Collections } from './models.js';

export type Doc = Record<string, unknown>;

/** What every repository is built from: the collections and, inside a unit of work, its session. */
export interface MongoContext {
  collections: Collections;
  /** Set inside `Store.transaction`: every operation then belongs to that transaction. */
  session?: mongo.ClientSession;
}

/** Sequential chunks: `$in` lists stay bounded, as the SQLite adapter's 500-id batches. */
export function chunks<T>(list: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/**
 * Operation helpers shared by the repositories: each passes the unit of work's session, so a
 * repository built inside a transaction can never write outside it.
 */
export abstract class MongoRepoBase {
  constructor(protected readonly ctx: MongoContext, readonly scope: Scope) {}

  protected c(name: CollectionName): mongo.Collection {
    return this.ctx.collections[name];
  }
  protected get opts(): { session?: mongo.ClientSession } {
    return this.ctx.session ? { session: this.ctx.session } : {};
  }
  protected async one<T>(name: CollectionName, filter: Doc, options: mongo.FindOptions = {}): Promise<T | undefined> {
    return ((await this.c(name).findOne(filter, { ...options, ...this.opts })) ?? undefined) as T | undefined;
  }
  protected async many<T>(name: CollectionName, filter: Doc, options: mongo.FindOptions = {}): Promise<T[]> {
    return (await this.c(name).find(filter, { ...options, ...this.opts }).toArray()) as T[];
  }
  protected async count(name: CollectionName, filter: Doc): Promise<number> {
    return this.c(name).countDocuments(filter, this.opts);
  }
  protected async aggregate<T>(name: CollectionName, pipeline: Doc[]): Promise<T[]> {
    return (await this.c(name).aggregate(pipeline, { ...this.opts, allowDiskUse: true }).toArray()) as T[];
  }
  protected async insert(name: CollectionName, doc: Doc): Promise<void> {
    await this.c(name).insertOne(doc, this.opts);
  }
  protected async update(name: CollectionName, filter: Doc, update: Doc): Promise<number> {
    return (await this.c(name).updateOne(filter, update, this.opts)).matchedCount;
  }
  protected async upsert(name: CollectionName, filter: Doc, update: Doc): Promise<void> {
    await this.c(name).updateOne(filter, update, { ...this.opts, upsert: true });
  }
  protected async updateAll(name: CollectionName, filter: Doc, update: Doc): Promise<number> {
    return (await this.c(name).updateMany(filter, update, this.opts)).matchedCount;
  }
  protected async remove(name: CollectionName, filter: Doc): Promise<number> {
    return (await this.c(name).deleteOne(filter, this.opts)).deletedCount;
  }
  protected async removeAll(name: CollectionName, filter: Doc): Promise<number> {
    return (await this.c(name).deleteMany(filter, this.opts)).deletedCount;
  }
  /** Next value of a per-tenant sequence, incremented inside the unit of work (commit order = sequence order). */
  protected async nextSeq(kind: 'memberships' | 'groups'): Promise<number> {
    const r = await this.c('counters').findOneAndUpdate({ _id: `${kind}/${this.scope.tenantId}` as unknown as mongo.ObjectId },
      { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after', ...this.opts });
    return (r as { n: number } | null)!.n;
  }
}
