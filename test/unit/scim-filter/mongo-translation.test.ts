/**
 * Translation proof without a server: every filter case of the SQL translator's tests
 * (to-sql.test.ts USER_FILTERS / GROUP_FILTERS, over the same 400 generated users on two sites)
 * is translated with filterToMongo and evaluated by mingo over the documents the Mongo adapter
 * stores. It must select exactly the ids of the SQL path and of the reference evaluator.
 *
 * Importing the case tables also registers to-sql.test.ts's own cases in this file (they are
 * not in a separate module); they are cheap, and they re-prove the SQL side of the comparison.
 */
import { FilterError, SortError } from '../../../src/scim-filter/errors.js';
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToMongo, sortKeyMongo } from '../../../src/scim-filter/to-mongo.js';
import { filterToSql, sortKeySql } from '../../../src/scim-filter/to-sql.js';
import { matches } from './evaluate.js';
import { SITE_A, SITE_B, TENANT, buildFixture } from './fixtures.js';
import { mongoFixture, mongoIds, sortedIds, sqlIds } from './mongo-docs.js';
import { GROUP_FILTERS, USER_FILTERS } from './to-sql.test.js';

const fx = buildFixture();
const mx = mongoFixture(fx);

function evalIds(filter: string, resource: 'User' | 'Group', siteId: string): string[] {
  const node = parseFilter(filter);
  const list = resource === 'User' ? fx.userResources(siteId) : fx.groupResources(siteId);
  return list.filter((r) => matches(node, r)).map((r) => r.id as string).sort();
}

describe('filterToMongo (mingo) selects the same ids as filterToSql and the evaluator', () => {
  let compared = 0;

  it('runs over hundreds of users on two sites, as the SQL cases do', () => {
    expect(USER_FILTERS.length).toBeGreaterThanOrEqual(150);
    expect(GROUP_FILTERS.length).toBeGreaterThanOrEqual(20);
    expect(mx.memberships.filter((m) => m.siteId === SITE_A).length).toBeGreaterThan(200);
    expect(mx.memberships.filter((m) => m.siteId === SITE_B).length).toBeGreaterThan(100);
  });

  it.each(USER_FILTERS)('User: %s', (filter) => {
    for (const site of [SITE_A, SITE_B]) {
      const mongo = mongoIds(mx, filter, 'User', site);
      expect(mongo).toEqual(sqlIds(fx, filter, 'User', site));
      expect(mongo).toEqual(evalIds(filter, 'User', site));
      compared++;
    }
  });

  it.each(GROUP_FILTERS)('Group: %s', (filter) => {
    for (const site of [SITE_A, SITE_B]) {
      const mongo = mongoIds(mx, filter, 'Group', site);
      expect(mongo).toEqual(sqlIds(fx, filter, 'Group', site));
      expect(mongo).toEqual(evalIds(filter, 'Group', site));
      compared++;
    }
  });

  it('compared every case on both sites', () => {
    expect(compared).toBe(2 * (USER_FILTERS.length + GROUP_FILTERS.length));
  });
});

describe('the IdP lookups are single-field equality matches on indexed fields (no $lookup)', () => {
  it.each([
    ['userName eq "BJensen@Example.com"', { 'u.userNameLower': 'bjensen@example.com' }],
    ['externalId eq "jyoung"', { 'u.externalId': 'jyoung' }],
    ['id eq "2819c223"', { userId: '2819c223' }],
    ['displayName eq "Babs Jensen"', { 'u.displayNameLower': 'babs jensen' }],
    ['emails[type eq "work"].value eq "BJ@x.com"', { 's.emails': { $elemMatch: { $and: [{ type: 'work' }, { value: 'bj@x.com' }] } } }],
  ] as const)('%s', (filter, expected) => {
    const f = filterToMongo(parseFilter(filter), 'User', { tenantId: TENANT, siteId: SITE_A });
    expect(f.lookups).toEqual([]);
    expect(f.query).toEqual(expected);
  });

  it('Group displayName and externalId', () => {
    expect(filterToMongo(parseFilter('displayName eq "Sales"'), 'Group', { tenantId: TENANT, siteId: SITE_A }).query).toEqual({ displayNameLower: 'sales' });
    expect(filterToMongo(parseFilter('externalId eq "x"'), 'Group', { tenantId: TENANT, siteId: SITE_A }).query).toEqual({ externalId: 'x' });
  });
});

describe('sortKeyMongo orders like sortKeySql', () => {
  it.each([
    'userName', 'displayName', 'externalId', 'id', 'name.familyName', 'NAME.GIVENNAME', 'title', 'meta.created',
    'meta.lastModified', 'emails.value', 'emails', 'phoneNumbers.type', 'emails.primary',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'active', 'nickName', 'userType',
  ])('Users by %s, on both sites', (sortBy) => {
    for (const site of [SITE_A, SITE_B]) {
      const { sql, mongo } = sortedIds(fx, mx, sortBy, site);
      expect(mongo).toEqual(sql);
    }
  });

  it.each([
    ['nope', 'User'], ['members', 'User'], ['userName', 'Group'], ['groups.value', 'User'], ['meta.location', 'User'],
    ['meta.resourceType', 'User'], ['name', 'User'], ['emails[type eq "work"].value', 'User'], ['', 'User'], ['a.b.c', 'User'],
    ['siteRoles.value', 'User'], ['members.value', 'Group'],
  ] as const)('rejects %s on %s exactly as sortKeySql does', (sortBy, resource) => {
    const error = (fn: () => unknown) => { try { fn(); } catch (e) { return e as Error; } throw new Error('no error'); };
    const sqlError = error(() => sortKeySql(sortBy, resource));
    const mongoError = error(() => sortKeyMongo(sortBy, resource));
    expect(mongoError).toBeInstanceOf(SortError);
    expect(mongoError.message).toBe(sqlError.message);
  });
});

describe('filters the SQL translator rejects are rejected the same way', () => {
  it.each([
    'u.id eq "x"', 'user_name_lower eq "x"', 'data eq "x"', 'password eq "secret"', 'emails[user_id eq "x"]',
    'emails.value_lower eq "x"', 'meta.location eq "x"', 'groups.$ref eq "x"', 'urn:evil:x:userName eq "x"',
    'active eq "yes"', 'active eq 1', 'active gt true', 'active co "t"', 'meta.created gt "yesterday"',
    'meta.created gt "2021-02-30T00:00:00Z"', 'meta.created co "2021"', 'userName gt null', 'emails co null',
    'name eq "x"', 'addresses eq "x"', 'userName[value eq "x"]', 'meta.version eq "W/\\"1\\""', 'siteRoles.primary eq true',
    'emails[display eq "x" and foo eq "y"]', 'members pr', 'groups[type eq "direct"]', 'phoneNumbers[display eq "x" and nope pr]',
  ])('%s', (filter) => {
    const node = parseFilter(filter);
    const ctx = { tenantId: TENANT, siteId: SITE_A };
    let sqlMessage = '';
    try { filterToSql(node, 'User', ctx); } catch (e) { sqlMessage = (e as Error).message; }
    expect(sqlMessage).not.toBe('');
    expect(() => filterToMongo(node, 'User', ctx)).toThrow(FilterError);
    expect(() => filterToMongo(node, 'User', ctx)).toThrow(sqlMessage);
  });
});
