/**
 * `sortBy` (RFC 7644 §3.4.2.3) → a SQL expression for ORDER BY, over the same tables and
 * aliases as the filter translator (Users: `u`, `m`; Groups: `g`).
 */
import { findSubAttribute, resolveAttribute, type AttributeDescriptor, type ResourceName } from './attributes.js';
import { FilterError, SortError } from './errors.js';
import { parsePath } from './parse.js';
import { jsonPath, targetOf, type SqlScope } from './sql-scope.js';

const USER_SCOPE: SqlScope = { aliases: { users: 'u', site_memberships: 'm' }, doc: 'u.data', base: [], mirror: false };
const GROUP_SCOPE: SqlScope = { aliases: { groups: 'g' }, doc: "'{}'", base: [], mirror: false };

/**
 * SQL expression to order a Users or Groups query by `sortBy`. String attributes that are not
 * `caseExact` sort on their lower-cased value; a multi-valued attribute sorts by its primary
 * value, else its first (RFC 7644 §3.4.2.3). Missing values give NULL (SQLite sorts NULL first
 * ascending; callers wanting them last can order by `expr IS NULL` first).
 *
 * @throws SortError (invalidValue) when the attribute is unknown or cannot be sorted on.
 */
export function sortKeySql(path: string, resource: ResourceName): string {
  try {
    const parsed = parsePath(path);
    if (parsed.filter) throw new SortError(`sortBy '${path}' cannot contain a value filter`);
    const { attribute: a, sub } = resolveAttribute(resource, parsed.attr);
    const scope = resource === 'User' ? USER_SCOPE : GROUP_SCOPE;
    if (a.multiValued) return multiValuedKey(a, sub ?? findSubAttribute(a, 'value'), path);
    let d = sub ?? a;
    if (d.type === 'complex') {
      const value = findSubAttribute(d, 'value');
      if (!value) throw new SortError(`sortBy '${path}' names a complex attribute; name one of its sub-attributes`);
      d = value;
    }
    const inner = sub || d !== a ? (a.location.kind === 'json' ? { ...scope, base: a.location.keys } : scope) : scope;
    const t = targetOf(d, inner);
    if (t.kind !== 'sql') throw new SortError(`sortBy '${path}' is constant for ${resource} resources`);
    return t.caseExact || t.lowered || t.type !== 'string' ? t.expr : `scim_lower(${t.expr})`;
  } catch (e) {
    if (e instanceof FilterError) throw new SortError(`Cannot sort by '${path}': ${e.message}`);
    throw e;
  }
}

function multiValuedKey(a: AttributeDescriptor, sub: AttributeDescriptor | undefined, path: string): string {
  if (!sub || a.location.kind !== 'json' || sub.location.kind !== 'json') {
    throw new SortError(`Cannot sort by '${path}'`);
  }
  if (a.mirror && sub.mirror?.lowered) {
    // emails.value: the mirror rows carry the lower-cased value and the primary flag.
    const col = sub.mirror.column;
    return `(SELECT e.${col} FROM user_emails e WHERE e.user_id = u.id ORDER BY e.is_primary DESC, e.position LIMIT 1)`;
  }
  const value = `json_extract(j.value, '${jsonPath(sub.location.keys)}')`;
  const key = sub.caseExact || sub.type === 'boolean' ? value : `scim_lower(${value})`;
  return `(SELECT ${key} FROM json_each(u.data, '${jsonPath(a.location.keys)}') j `
    + `ORDER BY json_extract(j.value, '$.primary') IS 1 DESC, j.key LIMIT 1)`;
}
