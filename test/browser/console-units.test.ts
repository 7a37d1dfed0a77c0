/** The console's pure parts (diff rows, chart wording) and the router's reason catalogue, without a browser. */
import { describe, expect, it } from '@jest/globals';
import { diffRows } from '../../console/src/diff.js';
import { tierText } from '../../console/src/chart.js';
import { AUDIT_EVENTS } from '../../src/domain/audit.js';
import { REASONS } from '../../src/policy/reasons.js';
import { reasonCatalogue } from '../../src/http/console/router.js';

describe('diffRows', () => {
  it('lists only the changed fields of two objects, flattening nested ones', () => {
    const { rows, unchanged } = diffRows(
      { requestedRole: 'Viewer', siteRole: 'Viewer', used: { creator: 1, viewer: 0 }, gone: 1 },
      { requestedRole: 'Viewer', siteRole: 'Explorer', used: { creator: 2, viewer: 0 }, added: null });
    expect(rows).toEqual([
      { field: 'siteRole', before: 'Viewer', after: 'Explorer', change: 'changed' },
      { field: 'used.creator', before: 1, after: 2, change: 'changed' },
      { field: 'gone', before: 1, after: undefined, change: 'removed' },
      { field: 'added', before: undefined, after: null, change: 'added' },
    ]);
    expect(unchanged).toBe(2);
  });

  it('treats two scalars as one value, and arrays as leaves', () => {
    expect(diffRows('Creator', 'Explorer').rows).toEqual([{ field: 'value', before: 'Creator', after: 'Explorer', change: 'changed' }]);
    expect(diffRows('Viewer', 'Viewer')).toEqual({ rows: [], unchanged: 1 });
    expect(diffRows({ members: ['a'] }, { members: ['a', 'b'] }).rows).toEqual([{ field: 'members', before: ['a'], after: ['a', 'b'], change: 'changed' }]);
    expect(diffRows(null, { a: 1 }).rows).toEqual([{ field: 'a', before: undefined, after: 1, change: 'added' }]);
  });
});

describe('tierText', () => {
  it('says used, capacity, unlimited, borrowed and over capacity in words', () => {
    expect(tierText(2, 5, 0)).toBe('2 of 5 used');
    expect(tierText(2, 2, 1)).toBe('2 of 2 used, 1 borrowed');
    expect(tierText(3, null, 0)).toBe('3 used, unlimited capacity');
    expect(tierText(4, 2, 0)).toBe('4 of 2 used, over capacity by 2');
  });
});

describe('reasons.json', () => {
  it('explains every policy reason code with the catalogue text and lists every event', () => {
    const c = reasonCatalogue();
    for (const [code, text] of Object.entries(REASONS)) expect(c.reasons[code]).toBe(text);
    expect(c.reasons.OVERWROTE_MANUAL_CHANGE).toEqual(expect.any(String));
    expect(c.reasons.HTTP_nnn).toEqual(expect.any(String));
    expect(c.events).toEqual(AUDIT_EVENTS);
  });
});
