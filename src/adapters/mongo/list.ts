/**
 * Index and keyset pages of a site's Users or Groups (RFC 7644 §3.4.2.4, RFC 9865), with the
 * SQLite adapter's semantics: default order is the insertion sequence; `sortBy` orders by the
 * key then the sequence; `after` keeps rows whose sequence is above the cursor; totalResults of
 * an unfiltered list comes from the site's maintained counter.
 */
import type { mongo } from 'mongoose';
import type { Scope } from '../../domain/types.js';
import type { ListQuery } from '../../ports/storage.js';
import { filterToMongo, sortKeyMongo } from '../../scim-filter/to-mongo.js';
import type { Doc } from './repo-base.js';

export interface ListSource {
  coll: mongo.Collection;
  sites: mongo.Collection;
  session?: mongo.ClientSession;
}

/** Fields a page never needs: the search copy and the translator's join/sort scratch fields. */
const DROP = { s: 0, _ug: 0, _ugm: 0, _sk: 0 };

export async function listPage(src: ListSource, scope: Scope, q: ListQuery, resource: 'User' | 'Group'): Promise<{ docs: Doc[]; totalResults: number; nextAfter?: number }> {
  const opts = src.session ? { session: src.session } : {};
  const base: Doc = { siteId: scope.siteId };
  const f = q.filter ? filterToMongo(q.filter, resource, scope) : undefined;
  const query = f && Object.keys(f.query).length ? f.query : undefined;
  const filterStages: Doc[] = f ? [...f.lookups, ...(query ? [{ $match: query }] : [])] : [];
  let totalResults: number;
  if (!f) {
    const site = await src.sites.findOne({ _id: scope.siteId as unknown as mongo.ObjectId }, { ...opts, projection: { userCount: 1, groupCount: 1 } });
    totalResults = ((resource === 'User' ? site?.userCount : site?.groupCount) as number | undefined) ?? 0;
  } else if (!f.lookups.length) {
    totalResults = await src.coll.countDocuments(query ? { $and: [base, query] } : base, opts);
  } else {
    const r = await src.coll.aggregate([{ $match: base }, ...filterStages, { $count: 'n' }], opts).toArray();
    totalResults = (r[0]?.n as number | undefined) ?? 0;
  }
  if (q.count <= 0) return { docs: [], totalResults };

  const dir = q.sortOrder === 'descending' ? -1 : 1;
  const key = q.sortBy ? sortKeyMongo(q.sortBy, resource) : undefined;
  const sortStages: Doc[] = [];
  let sort: Record<string, 1 | -1> = { seq: 1 };
  if (key && 'field' in key) sort = { [key.field]: dir, seq: dir };
  if (key && 'expr' in key) {
    sortStages.push({ $addFields: { _sk: key.expr } });
    sort = { _sk: dir, seq: dir };
  }
  const first: Doc = q.after !== undefined ? { ...base, seq: { $gt: q.after } } : base;
  const limit = q.after !== undefined ? q.count + 1 : q.count;
  const skip = q.after !== undefined ? 0 : q.startIndex - 1;
  let docs: Doc[];
  if (!f?.lookups.length && !sortStages.length) {
    docs = await src.coll.find(query ? { $and: [first, query] } : first, { ...opts, sort, skip, limit, projection: DROP, allowDiskUse: true }).toArray();
  } else {
    docs = await src.coll.aggregate([
      { $match: first }, ...filterStages, ...sortStages, { $sort: sort }, ...(skip ? [{ $skip: skip }] : []), { $limit: limit }, { $project: DROP },
    ], { ...opts, allowDiskUse: true }).toArray();
  }
  if (q.after === undefined) return { docs, totalResults };
  const more = docs.length > q.count;
  if (more) docs.pop();
  return { docs, totalResults, nextAfter: more ? (docs.at(-1)?.seq as number | undefined) : undefined };
}
