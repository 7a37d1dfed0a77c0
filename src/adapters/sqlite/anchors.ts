import type { Db } from './db.js';
import { stmt, type Row } from './repo-base.js';

/** Every STEP-th position of a site's list remembers its sequence number. */
export const ANCHOR_STEP = 1000;

interface Anchors {
  epoch: number;
  /** seqs[k] = sequence number at 0-based position k × STEP. */
  seqs: number[];
  /** Whether seqs reach the end of the list known when it was last extended. */
}

const cache = new WeakMap<Db, Map<string, Anchors>>();

/**
 * Position anchors for deep index pages (SPEC §4: OFFSET 500,000 is too slow, and an Okta
 * import walks every page from 1 to the end). Sequence numbers only grow, so inserts never move
 * an anchor; a deletion bumps the site's `list_epoch` and drops them. Building or extending
 * anchors walks the index once, STEP rows per query, so a whole import walk stays O(n).
 * Returns the sequence number at or before `offset` and how many rows remain to skip from it.
 */
export function anchorFor(db: Db, table: 'site_memberships' | 'groups', siteId: string, epoch: number, offset: number): { seq: number; skip: number } | undefined {
  if (offset < ANCHOR_STEP) return undefined;
  let perDb = cache.get(db);
  if (!perDb) cache.set(db, (perDb = new Map()));
  const key = `${table}:${siteId}`;
  let a = perDb.get(key);
  if (!a || a.epoch !== epoch) perDb.set(key, (a = { epoch, seqs: [] }));
  const want = Math.floor(offset / ANCHOR_STEP);
  const first = stmt(db, `SELECT seq FROM ${table} WHERE site_id = ? ORDER BY seq LIMIT 1`);
  const next = stmt(db, `SELECT seq FROM ${table} WHERE site_id = ? AND seq >= ? ORDER BY seq LIMIT 1 OFFSET ${ANCHOR_STEP}`);
  if (!a.seqs.length) {
    const r = first.get(siteId) as Row | undefined;
    if (!r) return undefined;
    a.seqs.push(r.seq as number);
  }
  while (a.seqs.length <= want) {
    const r = next.get(siteId, a.seqs[a.seqs.length - 1]) as Row | undefined;
    if (!r) break; // the list ends before this anchor
    a.seqs.push(r.seq as number);
  }
  const k = Math.min(want, a.seqs.length - 1);
  return { seq: a.seqs[k], skip: offset - k * ANCHOR_STEP };
}
