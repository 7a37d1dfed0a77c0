/**
 * Hand-checked expectations (read off RFC 7644 §3.4.2.2 / RFC 7643, not computed): each case is
 * asserted against the reference evaluator AND the SQL translator, so neither can drift into a
 * shared misunderstanding unnoticed.
 */
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToSql } from '../../../src/scim-filter/to-sql.js';
import { matches } from './evaluate.js';
import { SITE_A, TENANT } from './fixtures.js';
import { CASES, fx, resources } from './golden-cases.js';

describe.each(CASES)('%s', (filter, expectBarbara, expectMinimal) => {
  const node = parseFilter(filter);
  it('reference evaluator', () => {
    expect(resources.map((r) => matches(node, r))).toEqual([expectBarbara, expectMinimal]);
  });
  it('SQL translation', () => {
    const { sql, params } = filterToSql(node, 'User', { tenantId: TENANT, siteId: SITE_A });
    const rows = fx.db.prepare(`SELECT u.id FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? AND (${sql})`)
      .all(SITE_A, ...params) as { id: string }[];
    const ids = new Set(rows.map((r) => r.id));
    expect([ids.has('u-Bj'), ids.has('u-min')]).toEqual([expectBarbara, expectMinimal]);
  });
});
