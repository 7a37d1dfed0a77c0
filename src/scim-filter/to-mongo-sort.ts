/**
 * `sortBy` (RFC 7644 §3.4.2.3) → a MongoDB sort key over the same documents as the filter
 * translator, with the rules of sort-sql.ts: non-caseExact strings sort on their lower-cased
 * value (the stored shadows and search copy already hold it); a multi-valued attribute sorts by
 * its primary value, else its first. Missing values are null and sort first ascending, as in
 * SQLite. (One deliberate difference: a non-caseExact `reference`, i.e. `profileUrl`, sorts
 * case-insensitively here; sort-sql.ts sorts it on the raw text.)
 */
import { findSubAttribute, resolveAttribute, type AttributeDescriptor, type ResourceName } from './attributes.js';
import { FilterError, SortError } from './errors.js';
import { parsePath } from './parse.js';
import { mongoPath } from './to-mongo-doc.js';
import { MONGO_LAYOUT, type MongoLayout } from './to-mongo-layout.js';
import { rootScope, targetOf } from './to-mongo-scope.js';

/** A plain field to sort on, or an aggregation expression to compute (`$addFields`) and sort on. */
export type MongoSortKey = { field: string } | { expr: Record<string, unknown> };

/**
 * @throws SortError (invalidValue) when the attribute is unknown or cannot be sorted on — for
 *   the same inputs, with the same messages, as sortKeySql.
 */
export function sortKeyMongo(path: string, resource: ResourceName, layout: MongoLayout = MONGO_LAYOUT): MongoSortKey {
  try {
    const parsed = parsePath(path);
    if (parsed.filter) throw new SortError(`sortBy '${path}' cannot contain a value filter`);
    const { attribute: a, sub } = resolveAttribute(resource, parsed.attr);
    const scope = rootScope(resource, layout);
    if (a.multiValued) return multiValuedKey(a, sub ?? findSubAttribute(a, 'value'), path, layout);
    let d = sub ?? a;
    if (d.type === 'complex') {
      const value = findSubAttribute(d, 'value');
      if (!value) throw new SortError(`sortBy '${path}' names a complex attribute; name one of its sub-attributes`);
      d = value;
    }
    const inner = sub || d !== a ? (a.location.kind === 'json' ? { ...scope, base: a.location.keys } : scope) : scope;
    const t = targetOf(d, inner);
    if (t.kind !== 'field') throw new SortError(`sortBy '${path}' is constant for ${resource} resources`);
    return { field: t.field };
  } catch (e) {
    if (e instanceof FilterError) throw new SortError(`Cannot sort by '${path}': ${e.message}`);
    throw e;
  }
}

/** Primary element's `sub`, else the first element's (an element with `primary: true` first, in array order). */
function multiValuedKey(a: AttributeDescriptor, sub: AttributeDescriptor | undefined, path: string, layout: MongoLayout): MongoSortKey {
  if (!sub || a.location.kind !== 'json' || sub.location.kind !== 'json') throw new SortError(`Cannot sort by '${path}'`);
  const list = `$${layout.userSearch}.${mongoPath(...a.location.keys)}`;
  const arr = { $cond: [{ $isArray: list }, list, []] };
  const first = { $arrayElemAt: [{ $concatArrays: [{ $filter: { input: arr, cond: { $eq: ['$$this.primary', true] } } }, arr] }, 0] };
  return { expr: { $let: { vars: { el: first }, in: `$$el.${mongoPath(...sub.location.keys)}` } } };
}
