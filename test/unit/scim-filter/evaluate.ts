/**
 * Reference evaluator for SCIM filters (RFC 7644 §3.4.2.2) over a resource as the server
 * returns it. Written from the RFC, independently of the SQL translator, so the two can be
 * compared: names resolve against the resource's own keys (case-insensitively), types come from
 * the JSON values, and only caseExact / dateTime knowledge is declared here (RFC 7643).
 *
 * Semantics shared with the product: multi-valued attributes match when any value matches; a
 * bare comparison on a complex attribute uses its `value`; `ne` is `not (eq)` (a missing
 * attribute matches `ne`); `eq null` is `not pr`; `pr` needs a non-null, non-empty value;
 * strings compare case-insensitively via `toLowerCase()` unless caseExact, ordering by code point.
 */
import type { AttrPath, CompareOp, FilterNode, FilterValue } from '../../../src/scim-filter/ast.js';

type Json = Record<string, unknown>;

const CORE_URNS = ['urn:ietf:params:scim:schemas:core:2.0:user', 'urn:ietf:params:scim:schemas:core:2.0:group'];
const EXTENSION_KEYS: Record<string, string> = {
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user': 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  'urn:ietf:params:scim:schemas:extension:tableau:3.0:user': 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User',
  'urn:ietf:params:scim:schemas:extension:tableau:3.0': 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User',
};

/** RFC 7643 §3.1, §4.1, §4.2, §4.3 + references holding ids: case-sensitive strings. */
const CASE_EXACT = new Set([
  'id', 'externalid', 'meta.resourcetype', 'meta.version', 'meta.location',
  'groups.value', 'groups.$ref', 'members.value', 'members.$ref', 'manager.value', 'manager.$ref',
  'x509certificates.value', 'siteroles.value',
]);
const DATE_TIMES = new Set(['meta.created', 'meta.lastmodified']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function getKey(obj: Json, name: string): unknown {
  const lower = name.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** RFC 7644 `pr`: "a non-empty value, or … a non-empty node for complex attributes". */
function nonEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(nonEmpty);
  if (isObject(v)) return Object.values(v).some(nonEmpty);
  return true;
}

/** The object holding `path.attr`: the resource or one of its extension objects. */
function containerOf(resource: Json, path: AttrPath): Json | undefined {
  if (path.schema !== undefined) {
    const urn = path.schema.toLowerCase();
    if (CORE_URNS.includes(urn)) return resource;
    const key = EXTENSION_KEYS[urn];
    const ext = key === undefined ? undefined : getKey(resource, key);
    return isObject(ext) ? ext : undefined;
  }
  if (getKey(resource, path.attr) !== undefined) return resource;
  for (const key of new Set(Object.values(EXTENSION_KEYS))) {
    const ext = getKey(resource, key);
    if (isObject(ext) && getKey(ext, path.attr) !== undefined) return ext;
  }
  return resource;
}

// --- date-times: own arithmetic via Date's UTC setters -------------------------------------
// Zone only after a time; ' ' stands for a URL-decoded '+'.
const DT = /^(\d{4})-(\d\d)-(\d\d)(?:[Tt](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?(?:[Zz]|([-+ ])(\d\d):?(\d\d))?)?$/;

export function parseDate(text: string): number | undefined {
  const m = DT.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, Number((m[7] ?? '').slice(0, 3).padEnd(3, '0')));
  if (y < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const oh = Number(m[9] ?? 0), om = Number(m[10] ?? 0);
  if (oh > 14 || om > 59) return undefined;
  return date.getTime() - (m[8] === '-' ? -1 : 1) * (oh * 60 + om) * 60000;
}

function codePoints(s: string): number[] {
  return Array.from(s, (c) => c.codePointAt(0)!);
}

function order(a: string, b: string): number {
  const x = codePoints(a), y = codePoints(b);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function byOrder(op: CompareOp, c: number): boolean {
  switch (op) {
    case 'eq': return c === 0;
    case 'gt': return c > 0;
    case 'ge': return c >= 0;
    case 'lt': return c < 0;
    case 'le': return c <= 0;
    default: throw new Error(`evaluator: '${op}' is not an ordering operator`);
  }
}

/** One stored value against one filter value (op is never `ne`, value never null). */
function compareOne(stored: unknown, op: CompareOp, value: FilterValue, raw: string | undefined, name: string): boolean {
  if (stored === undefined || stored === null) return false;
  if (DATE_TIMES.has(name)) {
    const a = typeof stored === 'string' ? parseDate(stored) : undefined;
    const b = typeof value === 'string' ? parseDate(value) : undefined;
    if (b === undefined) throw new Error(`evaluator: bad dateTime ${String(value)}`);
    if (['co', 'sw', 'ew'].includes(op)) throw new Error(`evaluator: ${op} on dateTime`);
    return a !== undefined && byOrder(op, a - b);
  }
  if (typeof stored === 'boolean') {
    let b: boolean;
    if (typeof value === 'boolean') b = value;
    else if (typeof value === 'string' && /^(true|false)$/i.test(value)) b = value.toLowerCase() === 'true';
    else throw new Error(`evaluator: ${String(value)} is not a boolean`);
    if (op !== 'eq') throw new Error(`evaluator: ${op} on boolean`);
    return stored === b;
  }
  if (typeof stored === 'number') {
    return typeof value === 'number' && !['co', 'sw', 'ew'].includes(op) && byOrder(op, stored - value);
  }
  if (typeof stored !== 'string') return false;
  const text = typeof value === 'string' ? value : raw ?? String(value);
  const exact = CASE_EXACT.has(name);
  const a = exact ? stored : stored.toLowerCase();
  const b = exact ? text : text.toLowerCase();
  if (op === 'co') return a.includes(b);
  if (op === 'sw') return a.startsWith(b);
  if (op === 'ew') return a.endsWith(b);
  return byOrder(op, order(a, b));
}

type Leaf = Extract<FilterNode, { kind: 'compare' | 'present' }>;

/** Applies a leaf to the candidate values of one attribute ("any value matches"). */
function leafOn(node: Leaf, values: unknown[], present: boolean, name: string): boolean {
  if (node.kind === 'present') return present;
  if (node.value === null) {
    if (node.op === 'eq') return !present;
    if (node.op === 'ne') return present;
    throw new Error('evaluator: null with an ordering operator');
  }
  if (node.op === 'ne') return !values.some((v) => compareOne(v, 'eq', node.value, node.raw, name));
  return values.some((v) => compareOne(v, node.op, node.value, node.raw, name));
}

function rootLeaf(node: Leaf, resource: Json): boolean {
  const { attr, sub } = node.path;
  const container = containerOf(resource, node.path);
  const v = container === undefined ? undefined : getKey(container, attr);
  const lowerAttr = attr.toLowerCase();
  if (sub !== undefined) {
    const elements = Array.isArray(v) ? v.filter(isObject) : isObject(v) ? [v] : [];
    const values = elements.map((el) => getKey(el, sub));
    return leafOn(node, values, values.some(nonEmpty), `${lowerAttr}.${sub.toLowerCase()}`);
  }
  const isNullTest = node.kind === 'present' || node.value === null;
  if (Array.isArray(v) || isObject(v)) {
    if (isNullTest) return leafOn(node, [], nonEmpty(v), lowerAttr);
    // RFC 7644 §3.4.2.2: a comparison on a complex attribute applies to its `value`.
    const elements = Array.isArray(v) ? v : [v];
    const values = elements.map((el) => (isObject(el) ? getKey(el, 'value') : el));
    return leafOn(node, values, values.some(nonEmpty), `${lowerAttr}.value`);
  }
  return leafOn(node, [v], nonEmpty(v), lowerAttr);
}

function elementMatches(node: FilterNode, element: Json, parent: string): boolean {
  switch (node.kind) {
    case 'and': return node.items.every((n) => elementMatches(n, element, parent));
    case 'or': return node.items.some((n) => elementMatches(n, element, parent));
    case 'not': return !elementMatches(node.item, element, parent);
    case 'valuePath': throw new Error('evaluator: nested value path');
    default: {
      const v = getKey(element, node.path.attr);
      return leafOn(node, [v], nonEmpty(v), `${parent}.${node.path.attr.toLowerCase()}`);
    }
  }
}

/** Whether `resource` (SCIM JSON as returned by the server) matches the filter. */
export function matches(node: FilterNode, resource: Json): boolean {
  switch (node.kind) {
    case 'and': return node.items.every((n) => matches(n, resource));
    case 'or': return node.items.some((n) => matches(n, resource));
    case 'not': return !matches(node.item, resource);
    case 'valuePath': {
      const container = containerOf(resource, node.attr);
      const v = container === undefined ? undefined : getKey(container, node.attr.attr);
      const elements = Array.isArray(v) ? v : isObject(v) ? [v] : [];
      return elements.some((el) => isObject(el) && elementMatches(node.filter, el, node.attr.attr.toLowerCase()));
    }
    default: return rootLeaf(node, resource);
  }
}
