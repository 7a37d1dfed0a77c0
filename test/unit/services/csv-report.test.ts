import { describe, expect, it } from '@jest/globals';
import { dedupeKey, DuplicateIndex, RowReport } from '../../../src/services/csv-report.js';

describe('RowReport (compact per-row report)', () => {
  it('stores rows column-wise and reads them back, with paging and an outcome filter', () => {
    const r = new RowReport();
    for (let i = 0; i < 3000; i++) {
      r.push(i + 2, i % 7 === 0 ? null : `user${i}@ünicode.test`, i % 3 === 0
        ? { outcome: 'rejected', siteRole: null, requested: null, reason: 'CSV_INVALID_VALUE', detail: `bad ${i}` }
        : { outcome: 'created', siteRole: 'Viewer', requested: 'Creator', reason: i % 3 === 1 ? 'LICENSE_EXHAUSTED' : null }, i % 2 ? 'siteA' : undefined);
    }
    expect(r.length).toBe(3000);
    expect(r.counts).toEqual({ created: 2000, updated: 0, unchanged: 0, rejected: 1000 });
    expect(r.reasons).toEqual({ CSV_INVALID_VALUE: 1000, LICENSE_EXHAUSTED: 1000 });
    expect(r.at(1)).toEqual({ row: 3, userName: 'user1@ünicode.test', outcome: 'created', siteRole: 'Viewer', requestedSiteRole: 'Creator', reason: 'LICENSE_EXHAUSTED', site: 'siteA' });
    expect(r.at(0)).toEqual({ row: 2, userName: null, outcome: 'rejected', siteRole: null, requestedSiteRole: null, reason: 'CSV_INVALID_VALUE', detail: 'bad 0' });
    expect(r.page(2998, 10)).toEqual({ rows: [r.at(2998), r.at(2999)] });
    const rejected = r.page(2, 2, new Set(['rejected']));
    expect(rejected.rows.map((x) => x.row)).toEqual([8, 11]);
    expect(rejected.nextOffset).toBe(4);
    expect(r.keyAt(1)).toBe(dedupeKey('SITEA', 'USER1@ünicode.test'));
  });
});

describe('DuplicateIndex', () => {
  it('agrees with a Set on 50,000 keys (hash collisions are resolved by comparing keys)', () => {
    const idx = new DuplicateIndex();
    const keys: string[] = [];
    const set = new Set<string>();
    let disagreements = 0;
    let duplicates = 0;
    for (let i = 0; i < 50_000; i++) {
      const key = dedupeKey(i % 3 ? 'site' : '', `user${Math.floor(Math.random() * 40_000)}@x.test`);
      const dup = idx.seen(key, keys.length, (o) => keys[o]!);
      keys.push(key);
      if (dup !== set.has(key)) disagreements++;
      if (dup) duplicates++;
      set.add(key);
    }
    expect(disagreements).toBe(0);
    expect(duplicates).toBeGreaterThan(1000);
  });
});
