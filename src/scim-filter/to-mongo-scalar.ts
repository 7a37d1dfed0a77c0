/**
 * MongoDB query for one comparison or presence test on one scalar (RFC 7644 §3.4.2.2 attribute
 * operators), with exactly the semantics of sql-scalar.ts: same type rules, same errors, same
 * case folding (the stored field already holds `toLowerCase()` of non-caseExact strings).
 * Operands only ever travel as BSON values; regex operands are fully escaped.
 */
import type { CompareOp, FilterValue } from './ast.js';
import type { AttrType } from './attributes.js';
import { parseDateTime } from './datetime.js';
import { FilterError } from './errors.js';
import { asBoolean, compareStrings } from './sql-scalar.js';

/** A MongoDB query document. */
export type MongoQuery = Record<string, unknown>;

/** Constant results, folded by the combinators below before anything reaches the server. */
export const MATCH_ALL: MongoQuery = Object.freeze({}) as MongoQuery;
export const MATCH_NONE: MongoQuery = Object.freeze({ _id: { $exists: false } }) as MongoQuery;

/** A scalar a filter can test: a document field, or a constant known at translation. */
export type MongoTarget =
  | {
      kind: 'field';
      /** Attribute path, for messages. */
      name: string;
      /** Dot-notation path, relative to the document or array element being matched. */
      field: string;
      type: AttrType;
      caseExact: boolean;
      /** The field holds the lower-cased string. */
      lowered: boolean;
    }
  | { kind: 'constant'; name: string; value: string; caseExact: boolean };

export function and(items: MongoQuery[]): MongoQuery {
  if (items.includes(MATCH_NONE)) return MATCH_NONE;
  const rest = items.filter((q) => q !== MATCH_ALL);
  if (rest.length === 0) return MATCH_ALL;
  return rest.length === 1 ? rest[0]! : { $and: rest };
}

export function or(items: MongoQuery[]): MongoQuery {
  if (items.includes(MATCH_ALL)) return MATCH_ALL;
  const rest = items.filter((q) => q !== MATCH_NONE);
  if (rest.length === 0) return MATCH_NONE;
  return rest.length === 1 ? rest[0]! : { $or: rest };
}

/** MongoDB evaluates a predicate to true or false (a missing field is false), so `$nor` is exact negation. */
export function not(q: MongoQuery): MongoQuery {
  if (q === MATCH_ALL) return MATCH_NONE;
  if (q === MATCH_NONE) return MATCH_ALL;
  return { $nor: [q] };
}

const isStringType = (type: AttrType) => type === 'string' || type === 'reference' || type === 'binary';

/** `pr`: a non-null value, and for strings a non-empty one (a missing field equals null). */
export function presence(t: MongoTarget): MongoQuery {
  if (t.kind === 'constant') return t.value === '' ? MATCH_NONE : MATCH_ALL;
  return { [t.field]: isStringType(t.type) ? { $nin: [null, ''] } : { $ne: null } };
}

/**
 * `t op value` other than `ne` and null comparisons (the caller rewrites those).
 * @throws FilterError when the operator or value does not fit the attribute's type.
 */
export function comparison(t: MongoTarget, op: CompareOp, value: FilterValue, raw: string | undefined): MongoQuery {
  if (t.kind === 'constant') return compareStrings(op, t.value, asString(value, raw), t.caseExact) ? MATCH_ALL : MATCH_NONE;
  switch (t.type) {
    case 'boolean': {
      if (op !== 'eq') throw new FilterError(`Operator '${op}' is not supported on boolean attribute '${t.name}'`);
      return { [t.field]: asBoolean(t.name, value) };
    }
    case 'dateTime': return ordered(t, op, () => asDateTime(t.name, value));
    case 'integer':
    case 'decimal': return ordered(t, op, () => asNumber(t.name, value));
    case 'complex': throw new FilterError(`Attribute '${t.name}' is complex; compare one of its sub-attributes`);
    default: return stringTest(t, op, asString(value, raw));
  }
}

function asString(value: FilterValue, raw: string | undefined): string {
  if (typeof value === 'string') return value;
  return raw ?? String(value);
}

function asDateTime(name: string, value: FilterValue): number {
  const ms = typeof value === 'string' ? parseDateTime(value) : undefined;
  if (ms === undefined) throw new FilterError(`Attribute '${name}' is a dateTime; ${JSON.stringify(value)} is not an xsd:dateTime`);
  return ms;
}

function asNumber(name: string, value: FilterValue): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new FilterError(`Attribute '${name}' is numeric; ${JSON.stringify(value)} is not a number`);
  return n;
}

const ORDER: Partial<Record<CompareOp, string>> = { gt: '$gt', ge: '$gte', lt: '$lt', le: '$lte' };

function ordered(t: Extract<MongoTarget, { kind: 'field' }>, op: CompareOp, operand: () => number): MongoQuery {
  if (op === 'eq') return { [t.field]: operand() };
  const mongoOp = ORDER[op];
  if (!mongoOp) throw new FilterError(`Operator '${op}' is not supported on ${t.type} attribute '${t.name}'`);
  return { [t.field]: { [mongoOp]: operand() } };
}

/**
 * Escapes every regex metacharacter, and control characters as `\xHH` (a NUL byte is not even
 * allowed in a MongoDB regex): the operand can only ever match itself, in PCRE and in JS.
 */
export function regexEscape(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}\/-]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, hex);
}

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

// `$` in PCRE also matches before a final newline; "nothing follows" is the same in PCRE and JS.
const END = '(?![\\s\\S])';

function stringTest(t: Extract<MongoTarget, { kind: 'field' }>, op: CompareOp, raw: string): MongoQuery {
  if (!t.caseExact && !t.lowered) throw new Error(`internal: ${t.name} has no lower-cased field to compare`);
  const v = t.caseExact ? raw : raw.toLowerCase();
  // Binary string comparison in MongoDB is UTF-8 byte order, i.e. code-point order (as SQLite's BINARY).
  if (op === 'eq') return { [t.field]: v };
  const mongoOp = ORDER[op];
  if (mongoOp) return { [t.field]: { [mongoOp]: v } };
  // An anchored prefix regex without options is an index range in MongoDB.
  const pattern = op === 'sw' ? `^${regexEscape(v)}` : op === 'ew' ? `${regexEscape(v)}${END}` : regexEscape(v);
  return { [t.field]: { $regex: pattern } };
}
