import { newId } from '../domain/ids.js';
import { auditHash, GENESIS_HASH, type AuditEntry, type StoredAuditEntry } from '../domain/audit.js';
import type { AuditQuery, Store } from '../ports/storage.js';

/** The IdP behind a request, from its User-Agent (SPEC §7 "client — Okta / Entra / other"). */
export function clientOf(userAgent: string | undefined): 'Okta' | 'Entra' | 'other' {
  const ua = userAgent ?? '';
  if (/okta/i.test(ua)) return 'Okta';
  if (/(azure|entra|microsoft|aad)/i.test(ua)) return 'Entra';
  return 'other';
}

export interface RequestRecord {
  tenantId: string;
  siteId: string | null;
  actor: string | null;
  requestId: string;
  client: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  operations: number;
}

/**
 * The audit log's service side: request entries (buffered and appended in small batches —
 * one per request would double the write load; a crash may lose the last few request entries,
 * never a domain event, which is always written with its change), chain verification, export
 * and retention.
 */
export class AuditLogService {
  #buffer: AuditEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly flushMs = 50) {}

  /** Request entries waiting to be written (the audit lag metric). */
  get pending(): number {
    return this.#buffer.length;
  }

  recordRequest(r: RequestRecord): void {
    this.#buffer.push({
      id: newId(), tenantId: r.tenantId, siteId: r.siteId, at: Date.now(), kind: 'request', event: 'RequestHandled',
      actor: r.actor, targetType: null, targetId: null, reason: r.status >= 400 ? `HTTP_${r.status}` : null, requestId: r.requestId,
      data: { client: r.client, method: r.method, path: r.path, status: r.status, durationMs: r.durationMs, operations: r.operations },
    });
    if (this.#buffer.length >= 500) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Appends what is buffered (also called on shutdown). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#buffer;
    this.#buffer = [];
    this.#flushing = this.#flushing.then(() => (batch.length ? this.store.directory.appendAuditEntries(batch) : undefined)).catch(() => undefined);
    return this.#flushing;
  }

  /** Recomputes the tenant's chain from its anchor (or genesis); names the first broken entry. */
  async verify(tenantId: string): Promise<{ ok: boolean; checked: number; firstBrokenId?: string; firstBrokenSeq?: number }> {
    await this.flush();
    const anchor = await this.store.directory.findAuditAnchor(tenantId);
    let prev = anchor?.hash ?? GENESIS_HASH;
    let after = anchor?.seq ?? 0;
    let checked = 0;
    for (;;) {
      const batch = await this.store.directory.scanAudit(tenantId, after, 2000);
      if (!batch.length) return { ok: true, checked };
      for (const e of batch) {
        checked++;
        if (e.prevHash !== prev || auditHash(prev, e) !== e.hash) return { ok: false, checked, firstBrokenId: e.id, firstBrokenSeq: e.seq };
        prev = e.hash;
        after = e.seq;
      }
    }
  }

  /**
   * Streams entries matching the query, newest first (the order of the log browser), as NDJSON
   * or CSV: chunks of whole lines, each about EXPORT_CHUNK_CHARS long (one socket write per
   * chunk instead of one per line). Keyset pages on `seq` (every page is an index seek); the
   * first page fixes the newest entry, so entries appended while the export runs are not
   * included and none is repeated or skipped at a page boundary (a retention purge running
   * at the same time can still remove old entries not yet written). Between pages it yields to
   * the event loop, so a long export never holds up other requests, even when the client reads
   * as fast as it is written.
   */
  async *export(tenantId: string, q: Omit<AuditQuery, 'limit' | 'before'>, format: 'ndjson' | 'csv'): AsyncGenerator<string> {
    await this.flush();
    let chunk = format === 'csv' ? `\uFEFF${CSV_COLUMNS.join(',')}\n` : '';
    let before: number | undefined;
    for (;;) {
      const { entries, nextBefore } = await this.store.directory.findAuditEntries(tenantId, { ...q, before, limit: EXPORT_PAGE });
      for (const e of entries) {
        chunk += format === 'csv' ? csvLine(e) : `${JSON.stringify(publicEntry(e))}\n`;
        if (chunk.length >= EXPORT_CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      if (nextBefore === undefined) break;
      before = nextBefore;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (chunk) yield chunk;
  }

  /** The retention job: every tenant, when a retention is configured. */
  async purgeAll(days: number | null): Promise<number> {
    if (!days) return 0;
    let total = 0;
    for (const t of await this.store.directory.findTenantIds()) total += (await this.purge(t, days)).purged;
    return total;
  }

  /** Retention: purges entries older than `days`, keeping the chain verifiable through an anchor. */
  async purge(tenantId: string, days: number, now = Date.now()): Promise<{ purged: number }> {
    await this.flush();
    const { purged, anchorSeq } = await this.store.directory.purgeAudit(tenantId, now - days * 86_400_000);
    if (purged) {
      await this.store.directory.appendAuditEntries([{
        id: newId(), tenantId, siteId: null, at: now, kind: 'event', event: 'AuditPurged', actor: 'system:retention',
        targetType: null, targetId: null, reason: 'RETENTION', requestId: null, data: { purged, throughSeq: anchorSeq, retentionDays: days },
      }]);
    }
    return { purged };
  }
}

const CSV_COLUMNS = ['seq', 'id', 'at', 'siteId', 'kind', 'event', 'actor', 'targetType', 'targetId', 'reason', 'requestId', 'data', 'hash'];

/** Entries per page of an export, and the size of the chunks it writes (below V8's large-object size). */
const EXPORT_PAGE = 1000;
const EXPORT_CHUNK_CHARS = 64 * 1024;

/**
 * An entry as the API and the exports show it: `at` as ISO time, listed last. Built as one
 * object literal on purpose: with the former rest/spread copy (`{ at, ...rest }`, `{ ...rest, at }`)
 * short-lived garbage ended up in V8's old space (`--trace-gc`: ~1.4 MB promoted per scavenge,
 * none with the literal), so an export of 1,000,000 entries grew the heap by tens of MB between
 * full GCs (issue 5). The literal also gives every store the same key order.
 */
export function publicEntry(e: StoredAuditEntry) {
  return {
    seq: e.seq, id: e.id, tenantId: e.tenantId, siteId: e.siteId, kind: e.kind, event: e.event, actor: e.actor, targetType: e.targetType,
    targetId: e.targetId, reason: e.reason, requestId: e.requestId, data: e.data, prevHash: e.prevHash, hash: e.hash, at: new Date(e.at).toISOString(),
  };
}

/** RFC 4180 quoting; a leading =,+,-,@ is prefixed so spreadsheets never run it as a formula. */
function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(e: StoredAuditEntry): string {
  const p = publicEntry(e) as Record<string, unknown>;
  return `${CSV_COLUMNS.map((c) => cell(p[c])).join(',')}\n`;
}
