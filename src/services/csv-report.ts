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

export const OUTCOMES: readonly RowOutcome[] = ['created', 'updated', 'unchanged', 'rejected'];
const ROLES: readonly (SiteRole | null)[] = [null, ...SITE_ROLES];

/**
 * The per-row report of one import, stored column-wise in typed arrays with small code tables
 * (outcome, roles, reasons and sites are one or two bytes a row; details only for rejected
 * rows), so 100,000 rows cost a few MB and no row object is kept twice.
 */
export class RowReport {
  #n = 0;
  #line = new Int32Array(1024);
  #outcome = new Uint8Array(1024);
  #role = new Uint8Array(1024);
  #requested = new Uint8Array(1024);
  #reason = new Uint16Array(1024);
  #site = new Uint16Array(1024);
  readonly #names: (string | null)[] = [];
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
    this.#names.push(userName);
    if (r.detail) this.#details.set(i, r.detail);
    this.counts[r.outcome]++;
    if (r.reason) this.reasons[r.reason] = (this.reasons[r.reason] ?? 0) + 1;
  }

  at(i: number): ReportRow {
    const reason = this.#codes.value(this.#reason[i]!);
    const site = this.#site[i]! > 0 ? this.#sites.value(this.#site[i]! - 1) : undefined;
    const detail = this.#details.get(i);
    return {
      row: this.#line[i]!, userName: this.#names[i] ?? null, outcome: OUTCOMES[this.#outcome[i]!]!, siteRole: ROLES[this.#role[i]!] ?? null,
      requestedSiteRole: ROLES[this.#requested[i]!] ?? null, reason: reason || null,
      ...(site !== undefined ? { site } : {}), ...(detail ? { detail } : {}),
    };
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
