/**
 * SCIM attribute paths over a User resource, as role-mapping rules use them (SPEC §5.1).
 * Paths follow RFC 7644 §3.10: an optional schema URN prefix, then `attr(.subAttr)*`; names
 * and the URN are case-insensitive (RFC 7643 §2.1).
 */

const CORE_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:user';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own property by case-insensitive name: IdPs send `Department` as readily as `department`. */
function getCI(o: Obj, key: string): unknown {
  if (Object.hasOwn(o, key)) return o[key];
  const lower = key.toLowerCase();
  const hit = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return hit === undefined ? undefined : o[hit];
}

/**
 * Splits `urn:…:User:department` into the object the URN names and the remaining path.
 * The longest matching resource key wins, because the Tableau extension has both
 * `urn:…:tableau:3.0` and `urn:…:tableau:3.0:User` keys and one is a prefix of the other.
 */
function splitUrn(resource: Obj, path: string): { base: unknown; rest: string } {
  const lower = path.toLowerCase();
  if (!lower.startsWith('urn:')) return { base: resource, rest: path };
  const key = Object.keys(resource)
    .filter((k) => k.toLowerCase().startsWith('urn:') && lower.startsWith(`${k.toLowerCase()}:`))
    .sort((a, b) => b.length - a.length)[0];
  if (key !== undefined) return { base: resource[key], rest: path.slice(key.length + 1) };
  // The core schema is the top level of the resource, never a key of its own.
  if (lower.startsWith(`${CORE_USER_URN}:`)) return { base: resource, rest: path.slice(CORE_USER_URN.length + 1) };
  return { base: undefined, rest: '' };
}

const flatten = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flatten) : [v]);

/**
 * Every value the path reaches. Multi-valued attributes fan out, so `emails.value` yields one
 * value per email (SCIM filter semantics: a condition on a multi-valued attribute holds when
 * any element satisfies it). Missing steps yield nothing.
 */
export function resolveAttribute(resource: Record<string, unknown>, path: string): unknown[] {
  const { base, rest } = splitUrn(resource, path.trim());
  const steps = rest.split('.').map((s) => s.trim());
  if (base === undefined || steps.some((s) => s === '')) return [];
  let values = flatten(base);
  for (const step of steps) values = values.flatMap((v) => (isObj(v) ? flatten(getCI(v, step)) : []));
  return values.filter((v) => v !== undefined && v !== null);
}

/**
 * Comparable strings of resolved values: scalars as trimmed strings; a complex value stands
 * for its `value` sub-attribute (RFC 7644 §3.4.2.2), so `emails equals "a@x"` works too.
 */
export function scalarStrings(values: unknown[]): string[] {
  return values.flatMap((v): string[] => {
    if (typeof v === 'string') return [v.trim()];
    if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
    if (isObj(v)) return scalarStrings(flatten(getCI(v, 'value')).filter((x) => x !== undefined && x !== null));
    return [];
  });
}

/** "Present and not empty": blank strings, empty arrays and objects of nothing do not count. */
export function isPresent(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.some(isPresent);
  if (isObj(v)) return Object.values(v).some(isPresent);
  return true;
}
