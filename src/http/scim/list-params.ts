import { AppError } from '../../domain/errors.js';
import type { ListQuery } from '../../services/queries.js';
import { parseFilter } from '../../scim-filter/parse.js';

/** Limits from configuration, advertised in ServiceProviderConfig. */
export interface ListLimits {
  defaultPageSize: number;
  maxPageSize: number;
  maxFilterLength: number;
  maxFilterDepth: number;
}

export interface ListRequest {
  query: ListQuery;
  /** True when the client asked for RFC 9865 cursor pagination. */
  cursor: boolean;
  attributes?: string[];
  excludedAttributes?: string[];
}

type Params = Record<string, unknown>;

/** Query parameter names are matched case-insensitively (Entra sends `startindex`). */
export function lowerKeys(q: Params): Params {
  // No prototype: a `__proto__` parameter (query string or .search body) stays a plain key.
  const out: Params = Object.create(null) as Params;
  for (const [k, v] of Object.entries(q)) out[k.toLowerCase()] = Array.isArray(v) ? v[v.length - 1] : v;
  return out;
}

function intParam(v: unknown, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  // JSON numbers (.search): finite, and within the range the query-string form allows (15 digits).
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new AppError('request.invalid_value', `${name} must be an integer`);
    return Math.max(-999_999_999_999_999, Math.min(999_999_999_999_999, Math.trunc(v)));
  }
  // Nested query parameters (`count[x]=1`) and JSON objects are not integers (and String() on them may throw).
  if (typeof v !== 'string') throw new AppError('request.invalid_value', `${name} must be an integer`);
  const s = v.trim();
  if (!/^[-+]?\d{1,15}$/.test(s)) throw new AppError('request.invalid_value', `${name} must be an integer`);
  return Number(s);
}

/** Splits `a,b[type eq "x,y"],c` on the commas outside brackets and quotes. */
export function splitAttributes(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const strings = Array.isArray(v) ? v : [v];
  // Objects (`attributes[toString]=x`, a JSON object in .search) are a client mistake, not a 500.
  if (!strings.every((x) => typeof x === 'string')) throw new AppError('request.invalid_value', 'attributes and excludedAttributes must be strings or arrays of strings');
  const list = strings as string[];
  const out: string[] = [];
  for (const text of list) {
    let depth = 0, quoted = false, cur = '';
    for (const ch of text) {
      if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === '[') depth++;
      else if (!quoted && ch === ']') depth = Math.max(0, depth - 1);
      if (ch === ',' && depth === 0 && !quoted) { if (cur.trim()) out.push(cur.trim()); cur = ''; } else cur += ch;
    }
    if (cur.trim()) out.push(cur.trim());
  }
  return out.length ? out : undefined;
}

export const encodeCursor = (after: number) => Buffer.from(`p${after}`).toString('base64url');

function decodeCursor(v: string): number | undefined {
  if (v === '') return undefined;
  const text = /^[A-Za-z0-9_-]+$/.test(v) ? Buffer.from(v, 'base64url').toString() : '';
  const m = /^p(\d{1,15})$/.exec(text);
  if (!m) throw new AppError('request.invalid_cursor', 'The cursor is not one this server issued');
  return Number(m[1]);
}

/**
 * RFC 7644 §3.4.2 list parameters (query string or .search body) → a storage ListQuery.
 * startIndex < 1 → 1; count < 0 → 0; count above the maximum is clamped (§3.4.2.4).
 */
export function parseListRequest(raw: Params, limits: ListLimits): ListRequest {
  const p = lowerKeys(raw);
  if (p.filter !== undefined && typeof p.filter !== 'string') throw new AppError('request.invalid_filter', 'The filter must be a string');
  const filterText = p.filter as string | undefined;
  let filter;
  if (filterText !== undefined && filterText.trim() !== '') {
    if (filterText.length > limits.maxFilterLength) {
      throw new AppError('request.invalid_filter', `The filter is longer than ${limits.maxFilterLength} characters`);
    }
    try {
      filter = parseFilter(filterText, { maxLength: limits.maxFilterLength, maxDepth: limits.maxFilterDepth });
    } catch (e) {
      throw new AppError('request.invalid_filter', (e as Error).message);
    }
  }
  const startIndex = Math.max(1, intParam(p.startindex, 'startIndex') ?? 1);
  const count = Math.min(limits.maxPageSize, Math.max(0, intParam(p.count, 'count') ?? limits.defaultPageSize));
  const sortBy = typeof p.sortby === 'string' && p.sortby.trim() ? p.sortby.trim() : undefined;
  const order = typeof p.sortorder === 'string' ? p.sortorder.toLowerCase() : undefined;
  if (order !== undefined && order !== 'ascending' && order !== 'descending') {
    throw new AppError('request.invalid_value', "sortOrder must be 'ascending' or 'descending'");
  }
  const cursor = p.cursor !== undefined;
  if (cursor && sortBy) throw new AppError('request.invalid_value', 'Cursor pagination uses the server order; sortBy is not supported with cursor');
  const after = cursor ? decodeCursor(typeof p.cursor === 'string' ? p.cursor : '\u0000') ?? 0 : undefined;
  return {
    query: { filter, sortBy, sortOrder: order as ListQuery['sortOrder'], startIndex, count, after },
    cursor,
    attributes: splitAttributes(p.attributes),
    excludedAttributes: splitAttributes(p.excludedattributes),
  };
}
