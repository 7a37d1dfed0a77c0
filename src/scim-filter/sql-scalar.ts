/**
 * SQL for one comparison or presence test on one scalar value (RFC 7644 §3.4.2.2 attribute
 * operators), honouring the attribute's type and `caseExact` (RFC 7643 §2.2). Every operand is
 * a positional parameter; only catalogue-derived expressions are ever spliced into the text.
 */
import type { CompareOp, FilterValue } from './ast.js';
import type { AttrType } from './attributes.js';
import { parseDateTime } from './datetime.js';
import { FilterError } from './errors.js';

/** A boolean SQL expression and its parameters, in order. */
export interface Frag {
  sql: string;
  params: unknown[];
}

/** A scalar value the filter can test: a SQL expression, or a constant known at translation. */
export type Target =
  | {
      kind: 'sql';
      /** Attribute path, for messages. */
      name: string;
      expr: string;
      type: AttrType;
      caseExact: boolean;
      /** `expr` already holds the lower-cased value. */
      lowered: boolean;
      /** `expr` is a plain column: a `sw` prefix can become an index range. */
      column: boolean;
      /** Boolean column that is 1 exactly when the value is true (user_emails.is_primary). */
      trueOnly: boolean;
      /** Always-true condition AND-ed to comparisons so a composite index applies (u.tenant_id = ?). */
      guard?: Frag;
    }
  | { kind: 'constant'; name: string; value: string; caseExact: boolean };

/** Constant fragments; `not` and presence tests fold them instead of emitting `NOT IFNULL((1), 0)`. */
export const TRUE: Frag = { sql: '1', params: [] };
export const FALSE: Frag = { sql: '0', params: [] };

/** A fragment from SQL text and its positional parameters. */
export const frag = (sql: string, ...params: unknown[]): Frag => ({ sql, params });

/** Joins fragments with AND / OR, each parenthesised. */
export function join(items: Frag[], op: 'AND' | 'OR'): Frag {
  if (items.length === 1) return items[0]!;
  return { sql: items.map((f) => `(${f.sql})`).join(` ${op} `), params: items.flatMap((f) => f.params) };
}

/**
 * Negation that stays two-valued: a comparison on a missing value yields SQL NULL, and
 * `NOT NULL` is NULL (no match) — but the negated filter must match exactly those rows.
 */
export function not(f: Frag): Frag {
  if (f === TRUE) return FALSE;
  if (f === FALSE) return TRUE;
  return { sql: `NOT IFNULL((${f.sql}), 0)`, params: f.params };
}

/** `pr` (RFC 7644 §3.4.2.2): a non-null value, and for strings a non-empty one. */
export function presence(t: Target): Frag {
  if (t.kind === 'constant') return t.value === '' ? FALSE : TRUE;
  if (t.trueOnly) throw new Error(`internal: presence of ${t.name} needs the JSON value`);
  return isStringType(t.type) ? frag(`(${t.expr} IS NOT NULL AND ${t.expr} <> '')`) : frag(`${t.expr} IS NOT NULL`);
}

/**
 * A comparison `t op value` other than `ne` and null comparisons (the caller rewrites those).
 * @throws FilterError when the operator or value does not fit the attribute's type.
 */
export function comparison(t: Target, op: CompareOp, value: FilterValue, raw: string | undefined): Frag {
  if (t.kind === 'constant') return compareStrings(op, t.value, asString(value, raw), t.caseExact) ? TRUE : FALSE;
  let test: Frag;
  switch (t.type) {
    case 'boolean': test = booleanTest(t, op, value); break;
    case 'dateTime': test = orderedTest(t, op, () => asDateTime(t, value)); break;
    case 'integer':
    case 'decimal': test = orderedTest(t, op, () => asNumber(t, value)); break;
    case 'complex': throw new FilterError(`Attribute '${t.name}' is complex; compare one of its sub-attributes`);
    default: test = stringTest(t, op, asString(value, raw));
  }
  return t.guard ? { sql: `${t.guard.sql} AND ${test.sql}`, params: [...t.guard.params, ...test.params] } : test;
}

type SqlTarget = Extract<Target, { kind: 'sql' }>;

function isStringType(type: AttrType): boolean {
  return type === 'string' || type === 'reference' || type === 'binary';
}

/** String attributes compare against the token as written when it was unquoted (`eq 00123`). */
function asString(value: FilterValue, raw: string | undefined): string {
  if (typeof value === 'string') return value;
  return raw ?? String(value);
}

/** Booleans; Entra sends `"True"` / `"False"` strings (INTEROP B2.2). */
export function asBoolean(name: string, value: FilterValue): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new FilterError(`Attribute '${name}' is boolean; ${JSON.stringify(value)} is not true or false`);
}

function asDateTime(t: SqlTarget, value: FilterValue): number {
  const ms = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (ms === undefined) throw new FilterError(`Attribute '${t.name}' is a dateTime; ${JSON.stringify(value)} is not an xsd:dateTime`);
  return ms;
}

function asNumber(t: SqlTarget, value: FilterValue): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new FilterError(`Attribute '${t.name}' is numeric; ${JSON.stringify(value)} is not a number`);
  return n;
}

function booleanTest(t: SqlTarget, op: CompareOp, value: FilterValue): Frag {
  if (op !== 'eq') throw new FilterError(`Operator '${op}' is not supported on boolean attribute '${t.name}'`);
  const b = asBoolean(t.name, value);
  if (t.trueOnly) {
    if (!b) throw new Error(`internal: ${t.name} eq false needs the JSON value`);
    return frag(`${t.expr} = 1`);
  }
  // SQLite JSON functions return true/false as 1/0, like the 0/1 boolean columns.
  return frag(`${t.expr} = ?`, b ? 1 : 0);
}

const ORDER_SQL: Partial<Record<CompareOp, string>> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };

function orderedTest(t: SqlTarget, op: CompareOp, operand: () => number): Frag {
  const sqlOp = ORDER_SQL[op];
  if (!sqlOp) throw new FilterError(`Operator '${op}' is not supported on ${t.type} attribute '${t.name}'`);
  return frag(`${t.expr} ${sqlOp} ?`, operand());
}

/** Escapes LIKE wildcards; the pattern is used with ESCAPE '\'. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Smallest string above every string that starts with `prefix` (code-point order). */
export function prefixUpperBound(prefix: string): string | undefined {
  const cps = Array.from(prefix);
  const last = cps.pop();
  if (last === undefined) return undefined;
  let next = last.codePointAt(0)! + 1;
  if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // surrogates are not characters
  if (next > 0x10ffff) return undefined;
  return cps.join('') + String.fromCodePoint(next);
}

function stringTest(t: SqlTarget, op: CompareOp, raw: string): Frag {
  // Case-insensitive = compare JS toLowerCase() of both sides; the adapter registers
  // scim_lower() as exactly that (SQLite's lower() only folds ASCII).
  const v = t.caseExact ? raw : raw.toLowerCase();
  const e = t.caseExact || t.lowered ? t.expr : `scim_lower(${t.expr})`;
  const sqlOp = ORDER_SQL[op];
  if (sqlOp) return frag(`${e} ${sqlOp} ?`, v); // BINARY collation: code-point order
  if (op === 'sw' && t.column) {
    // A range on the bare column is exact (UTF-8 order = code-point order) and uses the index.
    const upper = prefixUpperBound(v);
    if (upper !== undefined) return frag(`${e} >= ? AND ${e} < ?`, v, upper);
  }
  if (!t.caseExact) {
    // Both sides are lower-cased, so LIKE's ASCII case folding changes nothing.
    const pattern = op === 'co' ? `%${likeEscape(v)}%` : op === 'sw' ? `${likeEscape(v)}%` : `%${likeEscape(v)}`;
    return frag(`${e} LIKE ? ESCAPE '\\'`, pattern);
  }
  // LIKE would fold ASCII case: case-sensitive matching goes through instr/substr.
  if (op === 'co') return frag(`instr(${e}, ?) > 0`, v);
  if (op === 'sw') return frag(`substr(${e}, 1, length(?)) = ?`, v, v);
  return frag(`substr(${e}, length(${e}) - length(?) + 1) = ?`, v, v);
}

/** The same string semantics in JS, for values known at translation time (meta.resourceType). */
export function compareStrings(op: CompareOp, stored: string, value: string, caseExact: boolean): boolean {
  const a = caseExact ? stored : stored.toLowerCase();
  const b = caseExact ? value : value.toLowerCase();
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'co': return a.includes(b);
    case 'sw': return a.startsWith(b);
    case 'ew': return a.endsWith(b);
    default: {
      const c = codePointCompare(a, b);
      return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

/** Code-point order (SQLite's BINARY order on UTF-8), unlike JS's UTF-16 `<`. */
function codePointCompare(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
