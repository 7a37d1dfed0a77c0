/**
 * The audit log on MongoDB, hash-chained per tenant (SPEC §7). The chain head (`audit_chain`,
 * one document per tenant) is incremented and rewritten inside the same transaction as the
 * entry: two concurrent appends conflict on it and one retries, so the chain never forks and
 * `seq` is the tenant's commit order.
 */
import { auditHash, GENESIS_HASH, type AuditEntry, type StoredAuditEntry } from '../../domain/audit.js';
import type { AuditQuery } from '../../ports/storage.js';
import type { Doc, MongoContext } from './repo-base.js';

interface ChainDoc { _id: string; headSeq: number; headHash: string; anchorSeq?: number | null; anchorHash?: string | null }

const opts = (ctx: MongoContext) => (ctx.session ? { session: ctx.session } : {});
const id = (s: string) => s as never;

/** Appends entries to their tenants' chains (must run inside a transaction: `ctx.session`). */
export async function appendAuditDocs(ctx: MongoContext, entries: AuditEntry[]): Promise<void> {
  const { auditChain, audit } = ctx.collections;
  for (const e of entries) {
    const head = (await auditChain.findOneAndUpdate({ _id: id(e.tenantId) }, { $inc: { headSeq: 1 }, $setOnInsert: { headHash: GENESIS_HASH } },
      { upsert: true, returnDocument: 'after', ...opts(ctx) })) as unknown as ChainDoc;
    const prevHash = head.headHash;
    const hash = auditHash(prevHash, e);
    await audit.insertOne({
      _id: id(e.id), seq: head.headSeq, tenantId: e.tenantId, siteId: e.siteId, at: e.at, kind: e.kind, event: e.event, actor: e.actor,
      targetType: e.targetType, targetId: e.targetId, reason: e.reason, requestId: e.requestId,
      // Queried fields of request entries (client filter, activity report); the data itself stays JSON text.
      client: typeof e.data.client === 'string' ? e.data.client : null, status: typeof e.data.status === 'number' ? e.data.status : null,
      dataJson: JSON.stringify(e.data), prevHash, hash,
    }, opts(ctx));
    await auditChain.updateOne({ _id: id(e.tenantId) }, { $set: { headHash: hash } }, opts(ctx));
  }
}

export function toStoredAudit(d: Doc): StoredAuditEntry {
  return {
    seq: d.seq as number, id: d._id as string, tenantId: d.tenantId as string, siteId: (d.siteId as string | null) ?? null,
    at: d.at as number, kind: d.kind as AuditEntry['kind'], event: d.event as AuditEntry['event'], actor: (d.actor as string | null) ?? null,
    targetType: (d.targetType as AuditEntry['targetType']) ?? null, targetId: (d.targetId as string | null) ?? null,
    reason: (d.reason as string | null) ?? null, requestId: (d.requestId as string | null) ?? null,
    data: JSON.parse(d.dataJson as string) as Record<string, unknown>, prevHash: d.prevHash as string, hash: d.hash as string,
  };
}

/** Filtered, newest-first keyset page (SPEC §6 `GET /audit`); every filter has an index. */
export async function findAuditEntries(ctx: MongoContext, tenantId: string, q: AuditQuery) {
  const filter: Doc = { tenantId };
  const eq = (field: string, v: unknown) => { if (v !== undefined) filter[field] = v; };
  eq('siteId', q.siteId); eq('targetId', q.targetId); eq('event', q.event); eq('reason', q.reason); eq('actor', q.actor);
  eq('kind', q.kind || undefined); eq('client', q.client);
  if (q.since !== undefined || q.until !== undefined) {
    filter.at = { ...(q.since !== undefined ? { $gte: q.since } : {}), ...(q.until !== undefined ? { $lt: q.until } : {}) };
  }
  if (q.before !== undefined) filter.seq = { $lt: q.before };
  const docs = await ctx.collections.audit.find(filter, { sort: { seq: -1 }, limit: q.limit + 1, ...opts(ctx) }).toArray();
  const more = docs.length > q.limit;
  if (more) docs.pop();
  const entries = docs.map(toStoredAudit);
  return { entries, nextBefore: more ? entries.at(-1)?.seq : undefined };
}

/** Oldest-first scan for chain verification and export. */
export async function scanAudit(ctx: MongoContext, tenantId: string, afterSeq: number, limit: number): Promise<StoredAuditEntry[]> {
  const docs = await ctx.collections.audit.find({ tenantId, seq: { $gt: afterSeq } }, { sort: { seq: 1 }, limit, ...opts(ctx) }).toArray();
  return docs.map(toStoredAudit);
}

export async function findAuditAnchor(ctx: MongoContext, tenantId: string): Promise<{ seq: number; hash: string } | undefined> {
  const d = (await ctx.collections.auditChain.findOne({ _id: id(tenantId) }, opts(ctx))) as unknown as ChainDoc | null;
  return d && d.anchorSeq !== null && d.anchorSeq !== undefined ? { seq: d.anchorSeq, hash: d.anchorHash! } : undefined;
}

/**
 * Retention (inside a transaction): deletes entries older than `before` and records, as the
 * chain's anchor, the hash of the last one deleted — the next entry's prevHash.
 */
export async function purgeAudit(ctx: MongoContext, tenantId: string, before: number): Promise<{ purged: number; anchorSeq?: number }> {
  const [last] = await ctx.collections.audit.find({ tenantId, at: { $lt: before } }, { sort: { seq: -1 }, limit: 1, projection: { seq: 1, hash: 1 }, ...opts(ctx) }).toArray();
  if (!last) return { purged: 0 };
  const r = await ctx.collections.audit.deleteMany({ tenantId, seq: { $lte: last.seq } }, opts(ctx));
  await ctx.collections.auditChain.updateOne({ _id: id(tenantId) }, { $set: { anchorSeq: last.seq, anchorHash: last.hash } }, opts(ctx));
  return { purged: r.deletedCount, anchorSeq: last.seq as number };
}

/** Request entries per client and UTC day since `since` (IdP activity report). */
export async function countRequestsByClientDay(ctx: MongoContext, tenantId: string, since: number) {
  const rows = await ctx.collections.audit.aggregate<{ _id: { day: string; client: string }; requests: number; errors: number }>([
    { $match: { tenantId, event: 'RequestHandled', at: { $gte: since } } },
    {
      $group: {
        _id: { day: { $dateToString: { format: '%Y-%m-%d', date: { $toDate: '$at' } } }, client: '$client' },
        requests: { $sum: 1 }, errors: { $sum: { $cond: [{ $gte: ['$status', 400] }, 1, 0] } },
      },
    },
    { $sort: { '_id.day': 1, '_id.client': 1 } },
  ], opts(ctx)).toArray();
  return rows.map((r) => ({ day: r._id.day, client: r._id.client ?? null, requests: r.requests, errors: r.errors })) as { day: string; client: string; requests: number; errors: number }[];
}
