/**
 * The IdP lookups (SPEC §4, INTEROP B2.14) must be index hits: EXPLAIN QUERY PLAN of the full
 * Users / Groups list query shows a SEARCH on the expected index and never a scan of users.
 */
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToSql } from '../../../src/scim-filter/to-sql.js';
import { SITE_A, TENANT, buildFixture } from './fixtures.js';

const fx = buildFixture(11, 50);

function plan(resource: 'User' | 'Group', filter: string, paged: boolean): string[] {
  const { sql, params } = filterToSql(parseFilter(filter), resource, { tenantId: TENANT, siteId: SITE_A });
  const base = resource === 'User'
    ? `SELECT u.id FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? AND (${sql})`
    : `SELECT g.id FROM groups g WHERE g.site_id = ? AND (${sql})`;
  // The list query as the repository runs it: stable order, LIMIT/OFFSET paging.
  const query = paged ? `${base} ORDER BY ${resource === 'User' ? 'm' : 'g'}.seq LIMIT ? OFFSET ?` : base;
  const args = paged ? [SITE_A, ...params, 100, 0] : [SITE_A, ...params];
  return (fx.db.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...args) as { detail: string }[]).map((r) => r.detail);
}

const CASES: ['User' | 'Group', string, RegExp][] = [
  ['User', 'userName eq "bjensen@example.com"', /^SEARCH u USING (COVERING )?INDEX users_tenant_username \(tenant_id=\? AND user_name_lower=\?\)$/],
  ['User', 'USERNAME EQ "BJensen@Example.com"', /^SEARCH u USING (COVERING )?INDEX users_tenant_username \(tenant_id=\? AND user_name_lower=\?\)$/],
  ['User', 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', /^SEARCH u USING (COVERING )?INDEX users_tenant_username \(tenant_id=\? AND user_name_lower=\?\)$/],
  ['User', 'externalId eq "jyoung"', /^SEARCH u USING (COVERING )?INDEX users_tenant_external \(tenant_id=\? AND external_id=\?\)$/],
  ['User', 'externalId eq jyoung', /^SEARCH u USING (COVERING )?INDEX users_tenant_external \(tenant_id=\? AND external_id=\?\)$/],
  ['User', 'displayName eq "Babs Jensen"', /^SEARCH u USING (COVERING )?INDEX users_tenant_display \(tenant_id=\? AND display_name_lower=\?\)$/],
  ['User', 'id eq "2819c223-7f76-453a-919d-413861904646"', /^SEARCH u USING (COVERING )?INDEX sqlite_autoindex_users_1 \(id=\?\)$/],
  ['User', 'emails[type eq "work"].value eq "bjensen@example.com"', /^SEARCH e USING (COVERING )?INDEX user_emails_value \(tenant_id=\? AND value_lower=\?\)$/],
  ['User', 'emails[type eq "work" and value eq "bjensen@example.com"]', /^SEARCH e USING (COVERING )?INDEX user_emails_value \(tenant_id=\? AND value_lower=\?\)$/],
  ['User', 'emails.value eq "bjensen@example.com"', /^SEARCH e USING (COVERING )?INDEX user_emails_value \(tenant_id=\? AND value_lower=\?\)$/],
  ['User', 'emails eq "bjensen@example.com"', /^SEARCH e USING (COVERING )?INDEX user_emails_value \(tenant_id=\? AND value_lower=\?\)$/],
  ['User', 'userName sw "bjen"', /^SEARCH u USING (COVERING )?INDEX users_tenant_username \(tenant_id=\? AND user_name_lower>\? AND user_name_lower<\?\)$/],
  ['User', 'userName eq "a" and active eq true', /^SEARCH u USING (COVERING )?INDEX users_tenant_username \(tenant_id=\? AND user_name_lower=\?\)$/],
  ['Group', 'displayName eq "Sales"', /^SEARCH g USING (COVERING )?INDEX groups_site_display \(site_id=\? AND display_name_lower=\?\)$/],
  ['Group', 'members[value eq "2819c223"]', /^SEARCH gm USING (COVERING )?INDEX group_members_member \(member_id=\?\)$/],
  ['Group', 'members.value eq "2819c223"', /^SEARCH gm USING (COVERING )?INDEX group_members_member \(member_id=\?\)$/],
  ['Group', 'externalId eq "x"', /^SEARCH g USING (COVERING )?INDEX groups_site_external \(site_id=\? AND external_id=\?\)$/],
];

describe.each([false, true])('query plans (paged: %s)', (paged) => {
  it.each(CASES)('%s: %s', (resource, filter, expected) => {
    const details = plan(resource, filter, paged);
    expect(details).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    for (const d of details) expect(d).not.toMatch(/^SCAN (u|users|e|gm)\b/);
    if (resource === 'User') {
      // Neither the site's memberships nor the tenant's users are walked: the lookup drives.
      for (const d of details) expect(d).not.toMatch(/^(SCAN m|SEARCH m USING (COVERING )?INDEX \w+ \(site_id=\?\)$)/);
    }
  });
});

it('the plan check itself fails on a non-indexed filter', () => {
  const details = plan('User', 'title eq "Engineer"', false);
  expect(details.some((d) => /^SCAN|\(site_id=\?\)$/.test(d))).toBe(true);
});
