import { auditHash, GENESIS_HASH, type AuditEntry, type StoredAuditEntry } from '../../domain/audit.js';
import type { AuditQuery } from '../../ports/storage.js';
import type { Db } from './db.js';
import { limitSql, stmt, type Row } from './repo-base.js';

/**
 * The audit log on SQLite: appends extend the tenant's hash chain (head kept in audit_chain,
 * updated in the same transaction as the entry, so the chain can never fork).
 */
export function appendAuditRows(db: Db, entries: AuditEntry[]): void {
  // Per tenant of the batch: the chain head is read once, each entry links to the one before,
  // and the new head is written once — inside the caller's transaction, so nothing in between.
  const heads = new Map<string, { hash: string; seq: number | bigint | undefined }>();
  for (const e of entries) {
    let head = heads.get(e.tenantId);
    if (!head) {
      const row = stmt(db, 'SELECT head_hash FROM audit_chain WHERE tenant_id = ?').get(e.tenantId) as Row | undefined;
      head = { hash: (row?.head_hash as string | undefined) ?? GENESIS_HASH, seq: undefined };
      heads.set(e.tenantId, head);
    }
    const prevHash = head.hash;
    const hash = auditHash(prevHash, e);
    const info = stmt(db, `INSERT INTO audit_entries (id, tenant_id, site_id, at, kind, event, actor, target_type, target_id, reason, request_id, data, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(e.id, e.tenantId, e.siteId, e.at, e.kind, e.event, e.actor, e.targetType, e.targetId,
      e.reason, e.requestId, JSON.stringify(e.data), prevHash, hash);
    head.hash = hash;
    head.seq = info.lastInsertRowid;
  }
  for (const [tenantId, head] of heads) {
    stmt(db, `INSERT INTO audit_chain (tenant_id, head_seq, head_hash) VALUES (?, ?, ?)
      ON CONFLICT(tenant_id) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash`).run(tenantId, head.seq, head.hash);
  }
}

export function toStoredAudit(r: Row): StoredAuditEntry {
  return {
    seq: r.seq as number, id: r.id as string, tenantId: r.tenant_id as string, siteId: (r.site_id as string | null) ?? null,
    at: r.at as number, kind: r.kind as AuditEntry['kind'], event: r.event as AuditEntry['event'], actor: (r.actor as string | null) ?? null,
    targetType: (r.target_type as AuditEntry['targetType']) ?? null, targetId: (r.target_id as string | null) ?? null,
    reason: (r.reason as string | null) ?? null, requestId: (r.request_id as string | null) ?? null,
    data: JSON.parse(r.data as string) as Record<string, unknown>, prevHash: r.prev_hash as string, hash: r.hash as string,
  };
}

/** Filtered, newest-first keyset page (SPEC §6 `GET /audit`). Only indexed columns are filtered on. */
export function findAuditEntries(db: Db, tenantId: string, q: AuditQuery) {
  const where = ['tenant_id = ?'];
  const params: unknown[] = [tenantId];
  const eq = (col: string, v: unknown) => { if (v !== undefined) { where.push(`${col} = ?`); params.push(v); } };
  eq('site_id', q.siteId); eq('target_id', q.targetId); eq('event', q.event); eq('reason', q.reason); eq('actor', q.actor);
  if (q.kind) eq('kind', q.kind);
  if (q.client !== undefined) { where.push("json_extract(data, '$.client') = ?"); params.push(q.client); }
  if (q.since !== undefined) { where.push('at >= ?'); params.push(q.since); }
  if (q.until !== undefined) { where.push('at < ?'); params.push(q.until); }
  if (q.before !== undefined) { where.push('seq < ?'); params.push(q.before); }
  const rows = stmt(db, `SELECT * FROM audit_entries WHERE ${where.join(' AND ')} ORDER BY seq DESC ${limitSql(q.limit + 1)}`).all(...params) as Row[];
  const more = rows.length > q.limit;
  if (more) rows.pop();
  const entries = rows.map(toStoredAudit);
  return { entries, nextBefore: more ? entries.at(-1)?.seq : undefined };
}

/** Oldest-first scan for chain verification and export. */
export function scanAudit(db: Db, tenantId: string, afterSeq: number, limit: number): StoredAuditEntry[] {
  return (stmt(db, 'SELECT * FROM audit_entries WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(tenantId, afterSeq, limit) as Row[]).map(toStoredAudit);
}

export function findAuditAnchor(db: Db, tenantId: string): { seq: number; hash: string } | undefined {
  const r = stmt(db, 'SELECT anchor_seq, anchor_hash FROM audit_chain WHERE tenant_id = ?').get(tenantId) as Row | undefined;
  return r && r.anchor_seq !== null ? { seq: r.anchor_seq as number, hash: r.anchor_hash as string } : undefined;
}

/**
 * Retention: deletes entries older than `before` and records, as the chain's anchor, the hash
 * of the last one deleted — the next entry's prev_hash — so verification still starts from a
 * known point. Returns how many were purged.
 */
export function purgeAudit(db: Db, tenantId: string, before: number): { purged: number; anchorSeq?: number } {
  const last = stmt(db, 'SELECT seq, hash FROM audit_entries WHERE tenant_id = ? AND at < ? ORDER BY seq DESC LIMIT 1').get(tenantId, before) as Row | undefined;
  if (!last) return { purged: 0 };
  const info = stmt(db, 'DELETE FROM audit_entries WHERE tenant_id = ? AND seq <= ?').run(tenantId, last.seq);
  stmt(db, 'UPDATE audit_chain SET anchor_seq = ?, anchor_hash = ? WHERE tenant_id = ?').run(last.seq, last.hash, tenantId);
  return { purged: info.changes, anchorSeq: last.seq as number };
}
