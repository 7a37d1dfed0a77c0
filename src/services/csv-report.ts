import { SITE_ROLES, type SiteRole } from '../domain/site-roles.js';
import type { RowOutcome, RowResult } from './csv-apply.js';

/** One row of an import report as the API shows it (SPEC §6 `GET /imports/{jobId}`). */
export interface ReportRow {
  /** Line number in the file (1-based; blank lines count, so it matches an editor). */
  row: number;
  userName: string | null;
  outcome: RowOutcome;
  siteRole: SiteRole | null;
  requestedSiteRole: SiteRole | null;
  reason: string | null;
  /** TCM files: the site URI of the row ('' for cloud-administrator rows). */
  site?: string;
  detail?: string;
}

/** Outcome codes in storage order (a row's outcome is stored as its index). */
export const OUTCOMES: readonly RowOutcome[] = ['created', 'updated', 'unchanged', 'rejected'];
const ROLES: readonly (SiteRole | null)[] = [null, ...SITE_ROLES];

/**
 * The per-row report of one import, stored column-wise: typed arrays with small code tables
 * (outcome, roles, reasons and sites are one or two bytes a row), user names as UTF-8 bytes in
 * one buffer, details only for rejected rows. 100,000 rows cost about 4 MB, and no row object
 * is kept.
 */
export class RowReport {
  #n = 0;
  #line = new Int32Array(1024);
  #outcome = new Uint8Array(1024);
  #role = new Uint8Array(1024);
  #requested = new Uint8Array(1024);
  #reason = new Uint16Array(1024);
  #site = new Uint16Array(1024);
  readonly #names = new NameStore();
  readonly #details = new Map<number, string>();
  readonly #codes = new Table();
  readonly #sites = new Table();
  readonly counts: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  readonly reasons: Record<string, number> = {};

  get length(): number {
    return this.#n;
  }

  push(line: number, userName: string | null, r: RowResult, site?: string): void {
    if (this.#n === this.#line.length) this.#grow();
    const i = this.#n++;
    this.#line[i] = line;
    this.#outcome[i] = OUTCOMES.indexOf(r.outcome);
    this.#role[i] = ROLES.indexOf(r.siteRole);
    this.#requested[i] = ROLES.indexOf(r.requested);
    this.#reason[i] = this.#codes.code(r.reason ?? '');
    this.#site[i] = site === undefined ? 0 : this.#sites.code(site) + 1;
    this.#names.push(userName ?? '');
    if (r.detail) this.#details.set(i, r.detail);
    this.counts[r.outcome]++;
    if (r.reason) this.reasons[r.reason] = (this.reasons[r.reason] ?? 0) + 1;
  }

  at(i: number): ReportRow {
    const reason = this.#codes.value(this.#reason[i]!);
    const site = this.#site[i]! > 0 ? this.#sites.value(this.#site[i]! - 1) : undefined;
    const detail = this.#details.get(i);
    return {
      row: this.#line[i]!, userName: this.#names.at(i) || null, outcome: OUTCOMES[this.#outcome[i]!]!, siteRole: ROLES[this.#role[i]!] ?? null,
      requestedSiteRole: ROLES[this.#requested[i]!] ?? null, reason: reason || null,
      ...(site !== undefined ? { site } : {}), ...(detail ? { detail } : {}),
    };
  }

  /** The user name of row `i` ('' when the row had none) and its site URI (TCM; '' otherwise): the duplicate check's key. */
  keyAt(i: number): string {
    return dedupeKey(this.#site[i]! > 0 ? this.#sites.value(this.#site[i]! - 1) : '', this.#names.at(i));
  }

  /** Rows `offset …` (after filtering by outcome when given), at most `limit`; `nextOffset` when more match. */
  page(offset: number, limit: number, outcomes?: ReadonlySet<RowOutcome>): { rows: ReportRow[]; nextOffset?: number } {
    const rows: ReportRow[] = [];
    if (!outcomes) {
      for (let i = offset; i < this.#n && rows.length < limit; i++) rows.push(this.at(i));
      return { rows, ...(offset + rows.length < this.#n ? { nextOffset: offset + rows.length } : {}) };
    }
    // Filtered: offset counts matching rows, so paging with nextOffset walks the filtered list.
    const wanted = new Set([...outcomes].map((o) => OUTCOMES.indexOf(o)));
    let seen = 0;
    for (let i = 0; i < this.#n; i++) {
      if (!wanted.has(this.#outcome[i]!)) continue;
      if (seen++ < offset) continue;
      if (rows.length === limit) return { rows, nextOffset: offset + limit };
      rows.push(this.at(i));
    }
    return { rows };
  }

  #grow(): void {
    const size = this.#line.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.#line = grow(this.#line, (n) => new Int32Array(n));
    this.#outcome = grow(this.#outcome, (n) => new Uint8Array(n));
    this.#role = grow(this.#role, (n) => new Uint8Array(n));
    this.#requested = grow(this.#requested, (n) => new Uint8Array(n));
    this.#reason = grow(this.#reason, (n) => new Uint16Array(n));
    this.#site = grow(this.#site, (n) => new Uint16Array(n));
  }
}

/** The duplicate key of a row: one user on one site (TCM site URIs compare case-insensitively, as contentUrl does). */
export const dedupeKey = (siteUri: string, userName: string): string => `${siteUri.toLowerCase()}\u0000${userName.toLowerCase()}`;

/** 30-bit FNV-1a: a small-integer key for the duplicate index (collisions are resolved by comparing keys). */
function fnv30(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/**
 * "Has this user appeared earlier in the file for the same site?" without keeping a second copy
 * of every name: a map from a 30-bit hash to row ordinals, whose keys are read back from the
 * report (or the pending batch) to rule out hash collisions.
 */
export class DuplicateIndex {
  readonly #map = new Map<number, number | number[]>();

  /** True when an earlier row has `key`; otherwise records `ordinal` under it. */
  seen(key: string, ordinal: number, keyOf: (ordinal: number) => string): boolean {
    const h = fnv30(key);
    const at = this.#map.get(h);
    if (at === undefined) {
      this.#map.set(h, ordinal);
      return false;
    }
    const list = typeof at === 'number' ? [at] : at;
    if (list.some((o) => keyOf(o) === key)) return true;
    list.push(ordinal);
    this.#map.set(h, list);
    return false;
  }
}

/** User names as UTF-8 bytes in one growing buffer (a name costs its bytes, not a string object). */
class NameStore {
  #bytes = Buffer.allocUnsafe(64 * 1024);
  #ends = new Uint32Array(1024);
  #n = 0;
  push(name: string): void {
    const start = this.#n ? this.#ends[this.#n - 1]! : 0;
    const len = Buffer.byteLength(name);
    while (start + len > this.#bytes.length) {
      const b = Buffer.allocUnsafe(this.#bytes.length * 2);
      this.#bytes.copy(b, 0, 0, start);
      this.#bytes = b;
    }
    if (this.#n === this.#ends.length) {
      const e = new Uint32Array(this.#ends.length * 2);
      e.set(this.#ends);
      this.#ends = e;
    }
    this.#bytes.write(name, start, 'utf8');
    this.#ends[this.#n++] = start + len;
  }
  at(i: number): string {
    const start = i ? this.#ends[i - 1]! : 0;
    return this.#bytes.toString('utf8', start, this.#ends[i]);
  }
}

/** A growing string ↔ code table (reason codes, site URIs: a handful of distinct values). */
class Table {
  readonly #values: string[] = [];
  readonly #codes = new Map<string, number>();
  code(v: string): number {
    let c = this.#codes.get(v);
    if (c === undefined) {
      c = this.#values.length;
      // Beyond 65,535 distinct values the last code is reused: the table is for small vocabularies.
      if (c > 0xfffe) return 0xfffe;
      this.#values.push(v);
      this.#codes.set(v, c);
    }
    return c;
  }
  value(c: number): string {
    return this.#values[c] ?? '';
  }
}
