/**
 * Hand-checked expectations (read off RFC 7644 §3.4.2.2 / RFC 7643, not computed) and the two
 * users they are about. Shared by the SQL (golden.test.ts) and Mongo (mongo-golden.test.ts) checks.
 */
import { ENT, SITE_A, fixtureFrom, type UserModel } from './fixtures.js';

export const created = Date.parse('2021-09-23T19:35:41.842Z');
export const barbara: UserModel = {
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
export const minimal: UserModel = {
  id: 'u-min', userName: 'zed@x.org', externalId: null, displayName: null, data: {},
  memberships: [{ siteId: SITE_A, active: true, role: 'Creator', created: Date.parse('2030-01-01T00:00:00Z'), updated: Date.parse('2030-01-01T00:00:00Z'), version: 1 }],
};
export const fx = fixtureFrom([barbara, minimal], [
  { id: 'g-1', siteId: SITE_A, displayName: 'Admins', externalId: null, created, updated: created, members: [{ value: 'u-Bj', type: 'User', display: 'Babs' }] },
]);
export const resources = fx.userResources(SITE_A);

// [filter, matches barbara, matches minimal]
export const CASES: [string, boolean, boolean][] = [
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

