/** Values only ever travel as parameters; attribute names only ever come from the catalogue. */
import { FilterError } from '../../../src/scim-filter/errors.js';
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToSql } from '../../../src/scim-filter/to-sql.js';
import { matches } from './evaluate.js';
import { SITE_A, TENANT, buildFixture } from './fixtures.js';

const fx = buildFixture(3, 40);
const ctx = { tenantId: TENANT, siteId: SITE_A };

function run(filter: string, resource: 'User' | 'Group' = 'User') {
  const { sql, params } = filterToSql(parseFilter(filter), resource, ctx);
  const query = resource === 'User'
    ? `SELECT u.id FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? AND (${sql})`
    : `SELECT g.id FROM groups g WHERE g.site_id = ? AND (${sql})`;
  return { sql, params, rows: fx.db.prepare(query).all(SITE_A, ...params) };
}

const PAYLOADS = [
  "x' OR 1=1 --",
  '"); DROP TABLE users; --',
  "'; DELETE FROM users; SELECT '",
  "%' OR '1'='1",
  "x') OR ('1'='1",
  '\\',
  "' UNION SELECT id FROM users --",
];

describe('injection', () => {
  const jsonString = (s: string) => JSON.stringify(s);

  it.each(PAYLOADS.flatMap((p) => [
    `userName eq ${jsonString(p)}`,
    `displayName co ${jsonString(p)}`,
    `title sw ${jsonString(p)}`,
    `externalId ew ${jsonString(p)}`,
    `emails[type eq ${jsonString(p)}].value eq ${jsonString(p)}`,
    `name.familyName gt ${jsonString(p)}`,
    `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department ne ${jsonString(p)}`,
  ].map((f) => [f, p])))('%s is a plain string parameter', (filter, payload) => {
    const { sql, params, rows } = run(filter);
    expect(sql).not.toMatch(/DROP|DELETE|UNION|OR 1=1|'1'='1/i);
    // The payload travels whole as a parameter (lower-cased, or as a LIKE pattern with escapes).
    const unlike = (v: string) => v.replace(/^%|%$/g, '').replace(/\\(.)/g, '$1');
    const lowered = payload.toLowerCase();
    expect(params.some((v) => typeof v === 'string' && (v === payload || v === lowered || unlike(v) === lowered))).toBe(true);
    const node = parseFilter(filter);
    const expected = fx.userResources(SITE_A).filter((r) => matches(node, r)).map((r) => r.id).sort();
    expect((rows as { id: string }[]).map((r) => r.id).sort()).toEqual(expected);
    // Only `ne` / `gt` can match anyone here: a payload value is never anyone's actual value.
    if (!/ (ne|gt) /.test(filter)) expect(rows).toEqual([]);
  });

  it('leaves the database intact', () => {
    const n = (fx.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
    expect(n).toBe(40);
  });

  it('unquoted payloads are rejected by the grammar or stay strings', () => {
    expect(() => parseFilter("userName eq x' OR 1=1 --")).toThrow(FilterError);
    expect(() => parseFilter('userName eq "x") OR 1=1 --')).toThrow(FilterError);
    expect(run("userName eq x';DROP").params).toContain("x';drop");
  });

  it.each([
    'u.id eq "x"',
    'user_name_lower eq "x"',
    'data eq "x"',
    'tenant_id eq "t"',
    'site_role eq "Creator"',
    'password eq "secret"',
    'emails[user_id eq "x"]',
    'emails.value_lower eq "x"',
    'meta.location eq "x"',
    'groups.$ref eq "x"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:data eq "x"',
    'urn:evil:1=1:userName eq "x"',
  ])('rejects attribute %s not in the catalogue', (filter) => {
    expect(() => run(filter)).toThrow(FilterError);
  });

  it('rejects User attributes on Groups and vice versa', () => {
    expect(() => run('userName eq "x"', 'Group')).toThrow(/Unknown attribute 'userName' for Group/);
    expect(() => run('members pr', 'User')).toThrow(/Unknown attribute 'members' for User/);
  });

  it('rejects values that do not fit the attribute type', () => {
    expect(() => run('active eq "yes"')).toThrow(/is boolean/);
    expect(() => run('active eq 1')).toThrow(/is boolean/);
    expect(() => run('active gt true')).toThrow(/not supported on boolean/);
    expect(() => run('active co "t"')).toThrow(/not supported on boolean/);
    expect(() => run('meta.created gt "yesterday"')).toThrow(/not an xsd:dateTime/);
    expect(() => run('meta.created gt "2021-02-30T00:00:00Z"')).toThrow(/not an xsd:dateTime/);
    expect(() => run('meta.created gt "2021-01-01T25:00:00Z"')).toThrow(/not an xsd:dateTime/);
    expect(() => run('meta.created gt "2021-01-01 05:00"')).toThrow(/not an xsd:dateTime/);
    expect(() => run('meta.created gt "2021-01-01T00:00:00+15:00"')).toThrow(/not an xsd:dateTime/);
    expect(() => run('meta.created gt "0000-01-01T00:00:00Z"')).toThrow(/not an xsd:dateTime/);
    expect(() => run('meta.created gt 20210101')).toThrow(/not an xsd:dateTime/);
    expect(() => run('meta.created co "2021"')).toThrow(/not supported on dateTime/);
    expect(() => run('userName gt null')).toThrow(/cannot compare with null/);
    expect(() => run('emails co null')).toThrow(/cannot compare with null/);
    expect(() => run('name eq "x"')).toThrow(/has no 'value'/);
    expect(() => run('addresses eq "x"')).toThrow(/has no 'value'/);
    expect(() => run('userName[value eq "x"]')).toThrow(/not complex/);
    expect(() => run('meta.version eq "W/\\"1\\""')).toThrow(/cannot be filtered/);
    expect(() => run('siteRoles.primary eq true')).toThrow(/cannot be filtered/);
    expect(() => run('emails[display eq "x" and foo eq "y"]')).toThrow(/Unknown sub-attribute 'foo' of 'emails'/);
  });

  it('FilterError carries the SCIM error type', () => {
    try {
      run('nope eq "x"');
      throw new Error('expected a FilterError');
    } catch (e) {
      expect(e).toBeInstanceOf(FilterError);
      expect((e as FilterError).scimType).toBe('invalidFilter');
    }
  });
});
