import { describe, expect, it } from '@jest/globals';
import { evaluateCloudAdminGrant, MAX_CLOUD_ADMINS } from '../../../src/policy/limits.js';

describe('evaluateCloudAdminGrant', () => {
  const table: [string, number, boolean, boolean, string[]][] = [
    ['the first cloud admin', 0, false, true, []],
    ['the 100th cloud admin is granted', 99, false, true, []],
    ['the 101st cloud admin is refused', 100, false, false, ['CLOUD_ADMIN_LIMIT']],
    ['over the limit (data from before the rule) is refused', 130, false, false, ['CLOUD_ADMIN_LIMIT']],
    ['re-granting an existing admin at the limit is a no-op', 100, true, true, []],
  ];
  it.each(table)('R-TCM-03 %s', (_n, count, already, allowed, reasons) => {
    expect(MAX_CLOUD_ADMINS).toBe(100);
    const d = evaluateCloudAdminGrant(count, already);
    expect(d.value.allowed).toBe(allowed);
    expect(d.reasons).toEqual(reasons);
  });
});
