/**
 * The hand-checked cases of golden.test.ts (copied: that file does not export them) and the
 * injection payloads of injection.test.ts, through filterToMongo + mingo: the Mongo path must
 * give the expected answers, the SQL path's ids, and treat every payload as a plain value.
 */
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToMongo } from '../../../src/scim-filter/to-mongo.js';
import { ENT, SITE_A, TENANT, buildFixture, fixtureFrom, type UserModel } from './fixtures.js';
import { mongoFixture, mongoIds, sqlIds } from './mongo-docs.js';

const created = Date.parse('2021-09-23T19:35:41.842Z');
const barbara: UserModel = {
  id: 'u-Bj', userName: 'BJensen@Example.com', externalId: 'Ext-1', displayName: 'Babs Jensen',
  data: {
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    title: '',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'Babs@Jensen.org', type: 'home' },
    ],
    phoneNumbers: [{ value: '555-0100', type: 'mobile' }],
    [ENT]: { department: 'R&D', manager: { value: 'u-Mgr' } },
  },
  memberships: [{ siteId: SITE_A, active: false, role: 'Viewer', created, updated: created + 86_400_000, version: 3 }],
};
const minimal: UserModel = {
  id: 'u-min', userName: 'zed@x.org', externalId: null, displayName: null, data: {},
  memberships: [{ siteId: SITE_A, active: true, role: 'Creator', created: Date.parse('2030-01-01T00:00:00Z'), updated: Date.parse('2030-01-01T00:00:00Z'), version: 1 }],
};
const fx = fixtureFrom([barbara, minimal], [
  { id: 'g-1', siteId: SITE_A, displayName: 'Admins', externalId: null, created, updated: created, members: [{ value: 'u-Bj', type: 'User', display: 'Babs' }] },
]);
const resources = fx.userResources(SITE_A);

// [filter, matches barbara, matches minimal]
const CASES: [string, boolean, boolean][] = [
  ['userName eq "bjensen@example.com"', true, false],
  ['userName eq BJENSEN@EXAMPLE.COM', true, false],
  ['userName sw "bj" and userName ew ".COM"', true, false],
  ['externalId eq "ext-1"', false, false], // caseExact
  ['externalId eq "Ext-1"', true, false],
  ['externalId co "xt"', true, false],
  ['externalId co "XT"', false, false],
  // same-element semantics of value filters vs. independent sub-attribute tests
  ['emails[type eq "work" and value co "@example.com"]', true, false],
  ['emails[type eq "home" and value co "@example.com"]', false, false],
  ['emails.type eq "home" and emails.value co "@example.com"', true, false],
  ['emails[type eq "home"].value eq "babs@jensen.org"', true, false],
  ['emails[type eq "work"].value eq "babs@jensen.org"', false, false],
  ['emails co "JENSEN.ORG"', true, false],
  // primary: absent is not false
  ['emails[primary eq true]', true, false],
  ['emails.primary eq false', false, false],
  ['emails[not (primary eq true)]', true, false],
  ['emails[primary pr]', true, false],
  ['emails[not (primary pr)]', true, false],
  // pr, empty strings, null
  ['title pr', false, false],
  ['title eq ""', true, false],
  ['title eq null', true, true],
  ['title ne null', false, false],
  ['name pr', true, false],
  ['name eq null', false, true],
  ['emails pr', true, false],
  ['emails eq null', false, true],
  ['displayName pr', true, false],
  // ne and not on absent values
  ['nickName ne "x"', true, true],
  ['nickName eq "x"', false, false],
  ['not (nickName eq "x")', true, true],
  ['nickName gt "a"', false, false],
  ['not (nickName gt "a")', true, true],
  ['displayName ne "babs jensen"', false, true],
  ['emails.value ne "bjensen@example.com"', false, true],
  ['emails[value ne "bjensen@example.com"]', true, false],
  // booleans (Entra strings) and date-times (7-digit fractions, offsets, truncation to ms)
  ['active eq "False"', true, false],
  ['active eq true', false, true],
  ['meta.created eq "2021-09-23T19:35:41.8420572Z"', true, false],
  ['meta.created eq "2021-09-23T21:35:41.842+02:00"', true, false],
  ['meta.created gt "2021-09-23T21:35:41.841+02:00"', true, true],
  ['meta.created lt 2021-09-23T19:35:41.843Z', true, false],
  ['meta.lastModified ge "2021-09-24"', true, true],
  ['meta.created eq "2021-09-23T21:35:41.842 02:00"', true, false], // '+' decoded to ' ' in a query string
  ['meta.created eq "2021-09-23T19:35:41.842Z "', true, false],
  // ordering on strings is case-insensitive unless caseExact
  ['displayName gt "BABS"', true, false],
  ['displayName ge "babs jensen"', true, false],
  ['userName lt "c"', true, false],
  // extensions and readOnly / virtual attributes
  ['department eq "r&d"', true, false],
  [`${ENT}:manager.value eq "u-Mgr"`, true, false],
  [`${ENT}:manager.value eq "U-MGR"`, false, false],
  ['manager eq "u-Mgr"', true, false],
  ['manager pr', true, false],
  ['siteRoles eq "Viewer"', true, false],
  ['siteRoles.value eq "viewer"', false, false],
  ['groups.display eq "ADMINS"', true, false],
  ['groups eq "g-1"', true, false],
  ['groups pr', true, false],
  ['meta.resourceType eq "User"', true, true],
  ['phoneNumbers[type eq "mobile" and value sw "555"]', true, false],
  ['name[givenName eq "barbara" and familyName eq "JENSEN"]', true, false],
  ['not (name[givenName pr])', false, true],
];

const mx = mongoFixture(fx);

describe.each(CASES)('%s', (filter, expectBarbara, expectMinimal) => {
  it('Mongo translation (mingo) gives the hand-checked answer and the SQL ids', () => {
    const ids = mongoIds(mx, filter, 'User', SITE_A);
    expect([ids.includes('u-Bj'), ids.includes('u-min')]).toEqual([expectBarbara, expectMinimal]);
    expect(ids).toEqual(sqlIds(fx, filter, 'User', SITE_A));
  });
});

const small = buildFixture(3, 40);
const smallMx = mongoFixture(small);
const PAYLOADS = [
  "x' OR 1=1 --", '"); DROP TABLE users; --', "'; DELETE FROM users; SELECT '", "%' OR '1'='1", "x') OR ('1'='1", '\\',
  "' UNION SELECT id FROM users --", '.*', '^', '$where', '{"$gt": ""}', 'a|b', '(?=x)', 'x\u0001y\ny', '[a-z]+', '\\x00',
];
// Operators a translated filter may contain; anything else would mean a value became structure.
const OPERATORS = new Set(['$and', '$or', '$nor', '$elemMatch', '$regex', '$nin', '$ne', '$gt', '$gte', '$lt', '$lte', '$exists', '$type']);

function keysOf(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push(k); keysOf(x, out); }
  return out;
}

describe('injection through the Mongo translation', () => {
  const json = (s: string) => JSON.stringify(s);
  it.each(PAYLOADS.flatMap((p) => [
    `userName eq ${json(p)}`, `displayName co ${json(p)}`, `title sw ${json(p)}`, `externalId ew ${json(p)}`,
    `emails[type eq ${json(p)}].value eq ${json(p)}`, `name.familyName gt ${json(p)}`,
    `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department ne ${json(p)}`,
  ].map((f) => [f, p])))('%s is a plain value', (filter, payload) => {
    const { lookups, query } = filterToMongo(parseFilter(filter), 'User', { tenantId: TENANT, siteId: SITE_A });
    expect(lookups).toEqual([]);
    for (const k of keysOf(query)) {
      if (k.startsWith('$')) expect(OPERATORS.has(k)).toBe(true);
      else expect(k).toMatch(/^(u\.|s\.|userId$|active$|siteRole$|createdAt$|updatedAt$|type$|value$)/);
    }
    const ids = mongoIds(smallMx, filter, 'User', SITE_A);
    expect(ids).toEqual(sqlIds(small, filter, 'User', SITE_A));
    if (!/ (ne|gt) /.test(filter)) expect(ids).toEqual([]);
    expect(payload.length).toBeGreaterThan(0);
  });

  it('a regex operand matches itself only', () => {
    const users = fixtureFrom([{ id: 'u-1', userName: 'a.b@x', externalId: null, displayName: 'a+b (c)', data: { title: 'x.*y' },
      memberships: [{ siteId: SITE_A, active: true, role: 'Viewer', created: 0, updated: 0, version: 1 }] }], []);
    const m = mongoFixture(users);
    expect(mongoIds(m, 'displayName co "+b (c"', 'User', SITE_A)).toEqual(['u-1']);
    expect(mongoIds(m, 'title co "x.*y"', 'User', SITE_A)).toEqual(['u-1']);
    expect(mongoIds(m, 'title sw ".*"', 'User', SITE_A)).toEqual([]);
    expect(mongoIds(m, 'userName ew "."', 'User', SITE_A)).toEqual([]);
    expect(mongoIds(m, 'userName sw "a.b"', 'User', SITE_A)).toEqual(['u-1']);
  });
});
