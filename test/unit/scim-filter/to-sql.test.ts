/**
 * filterToSql against the reference evaluator: for every filter, the ids returned by the real
 * SQLite query (product DDL, site-scoped join) must equal the ids of the rendered resources the
 * evaluator accepts — on both sites, so a filter on one site never returns the other's members.
 */
import { parseFilter } from '../../../src/scim-filter/parse.js';
import { filterToSql } from '../../../src/scim-filter/to-sql.js';
import { matches } from './evaluate.js';
import { ENT, SITE_A, SITE_B, TAB, TENANT, buildFixture, type Json } from './fixtures.js';

const fx = buildFixture();
const someUser = fx.users.find((u) => /[A-F]/.test(u.id) && u.memberships.some((m) => m.siteId === SITE_A))!;
const manager = fx.users.find((u) => (u.data[ENT] as Json | undefined)?.manager)!;
const managerId = ((manager.data[ENT] as Json).manager as Json).value as string;
const withExt = fx.users.find((u) => u.externalId?.startsWith('EMP-') && u.memberships.some((m) => m.siteId === SITE_A))!;
const jyoung = fx.users.find((u) => u.externalId?.startsWith('jyoung') && u.memberships.some((m) => m.siteId === SITE_A))!;
const groupA = fx.groups[0]!; // Sales on site A, with a nested group member
const memberOfA = groupA.members.find((m) => m.type === 'User')!.value;

function sqlIds(filter: string, resource: 'User' | 'Group', siteId: string): string[] {
  const { sql, params } = filterToSql(parseFilter(filter), resource, { tenantId: TENANT, siteId });
  const query = resource === 'User'
    ? `SELECT u.id AS id FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? AND (${sql})`
    : `SELECT g.id AS id FROM groups g WHERE g.site_id = ? AND (${sql})`;
  return (fx.db.prepare(query).all(siteId, ...params) as { id: string }[]).map((r) => r.id).sort();
}

function evalIds(filter: string, resource: 'User' | 'Group', siteId: string): string[] {
  const node = parseFilter(filter);
  const list = resource === 'User' ? fx.userResources(siteId) : fx.groupResources(siteId);
  return list.filter((r) => matches(node, r)).map((r) => r.id as string).sort();
}

export const USER_FILTERS: string[] = [
  // identity lookups (IdP matching attributes)
  `userName eq "${someUser.userName.toUpperCase()}"`,
  `userName eq "${someUser.userName.toLowerCase()}"`,
  `id eq "${someUser.id}"`,
  `id eq "${someUser.id.toLowerCase()}"`,
  `externalId eq "${withExt.externalId}"`,
  `externalId eq "${withExt.externalId!.toLowerCase()}"`,
  'externalId sw "EMP-00"',
  'externalId sw "emp"',
  'externalId co "%1"',
  'externalId ew "7"',
  // caseExact attributes: co/sw/ew must not fold case (LIKE would)
  'externalId co "emp"',
  'id co "aB"',
  'id ew "A"',
  'id sw "U1"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value sw "U"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value ew "f"',
  'siteRoles.value co "creator"',
  'siteRoles.value ew "Creator"',
  `externalId eq ${jyoung.externalId}`,
  `displayName eq "${someUser.displayName ?? 'x'}"`,
  // string operators, case folding, unicode
  'userName sw "ærø"',
  'userName co "ÆRØ"',
  'userName ew ".COM"',
  'userName co "%"',
  'userName co "_"',
  'userName co "a_b"',
  'userName co "pct%corp"',
  'userName sw "İlker"',
  'userName gt "m"',
  'userName le "b"',
  'displayName co "jerry"',
  'displayName eq "Tom and Jerry"',
  'not(displayName eq "Tom and Jerry")',
  'displayName eq "He said \\"hi\\""',
  'displayName co "\\""',
  'displayName eq ""',
  'displayName pr',
  'not (displayName pr)',
  'displayName eq null',
  'displayName ne null',
  'displayName ne "Tom and Jerry"',
  'displayName sw "Zo\\u00eb"',
  // name, title and other JSON attributes
  'name.familyName eq "smith"',
  'name.FamilyName eq Smith',
  'name.familyName co "50%_"',
  'name.familyName co "%"',
  'name.familyName sw "under_"',
  'name.familyName eq "Доброва"',
  'name.familyName ew "ØBING"',
  'name.givenName pr',
  'not (name.givenName pr)',
  'name pr',
  'name eq null',
  'name[givenName eq "tom" or familyName eq "jensen"]',
  'title eq "Tom and Jerry"',
  'title pr',
  'title eq ""',
  'title ne "Engineer"',
  'title co "100%"',
  'title co "_"',
  'title ew "engineer"',
  'title gt "M"',
  'title lt "S"',
  'nickName sw "k"',
  'userType eq "Intern"',
  // emails (indexed mirror rows and JSON fallback)
  'emails[type eq "work"].value eq "' + firstEmail('work') + '"',
  'emails.value eq "' + firstEmail(undefined).toUpperCase() + '"',
  'emails eq "' + firstEmail(undefined) + '"',
  'emails co "example.com"',
  'emails.Value co example.com',
  'emails.value ew "@b.com"',
  'emails.value co "pct%corp"',
  'emails.value co "a_b"',
  'emails[type eq "work" and value co "@example"]',
  'emails[type eq "WORK" and (value ew "@b.com" or value ew ".org")]',
  'emails[type eq "home" or type eq "other"]',
  'emails[not (type eq "work")]',
  'emails[type ne "work"]',
  'emails.type eq "work" and emails.value ew ".test"',
  'emails[primary eq true]',
  'emails[primary eq "True"]',
  'emails[primary eq false]',
  'emails[primary pr]',
  'emails.primary eq true',
  'emails[type eq "work" and primary eq true]',
  'emails[type pr and not (primary eq true)]',
  'emails pr',
  'not (emails pr)',
  'emails eq null',
  'emails.type eq null',
  'emails.value ne "' + firstEmail(undefined) + '"',
  'emails[value sw "t"]',
  // phone numbers, addresses, roles (JSON arrays)
  'phoneNumbers[type eq "work" and value co "555-010"]',
  'phoneNumbers.type eq "home"',
  'phoneNumbers co "555-0142"',
  'phoneNumbers[primary eq true]',
  'phoneNumbers pr',
  'addresses[locality eq "zürich"]',
  'addresses.country eq "DK" or addresses.country eq "FR"',
  'roles.value eq "ADMIN"',
  'roles pr',
  // active, Entra strings
  'active eq true',
  'active eq "False"',
  'active eq "TRUE"',
  'ActiVe eq True',
  'active ne false',
  'not (active eq true)',
  'active pr',
  // dates
  'meta.created gt "2020-01-01T00:00:00Z"',
  'meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
  'meta.lastModified ge "2021-09-23T19:35:41.8420572Z"',
  '(ActiVe eq true) and meta.lastmodified ge "2021-09-23T19:35:41.8420572Z"',
  'active eq true and (meta.lastModified ge "0001-01-03T00:00:00.0000000Z" and meta.lastModified le "2022-06-30T23:59:59.9999999+02:00")',
  'meta.created lt "2016-06-01" or meta.created ge "2024-06-01T12:00:00.123-05:30"',
  'meta.created eq "' + new Date(someMembership().created).toISOString() + '"',
  'meta.lastModified ne "' + new Date(someMembership().updated).toISOString() + '"',
  'meta.created pr',
  'meta.resourceType eq "User"',
  'meta.resourceType eq "user"',
  'meta.resourceType ne "Group" and userName sw "z"',
  // enterprise and tableau, full URNs
  'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "ø"',
  'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "jensen"',
  'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:department eq "sales"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "%"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"',
  'department eq "eng_ops"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "' + managerId + '"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "' + managerId.toUpperCase() + '"',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.costCenter pr',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber ge "1300"',
  'manager eq "' + managerId + '"',
  'urn:ietf:params:scim:schemas:extension:tableau:3.0:User:siteRoles.value eq "Creator"',
  'urn:ietf:params:scim:schemas:extension:tableau:3.0:User:siteRoles.value eq "creator"',
  'urn:ietf:params:scim:schemas:extension:tableau:3.0:siteRoles.value sw "Explorer"',
  'siteRoles[value eq "Viewer" or value eq "Unlicensed"]',
  'siteRoles eq "Explorer" and active eq false',
  `${TAB}:siteRoles pr`,
  // groups (readOnly User.groups, site-local)
  `groups.value eq "${groupA.id}"`,
  `groups[value eq "${groupA.id}"]`,
  `groups eq "${fx.groups[5]!.id}"`,
  'groups.display eq "ærø team"',
  'groups pr',
  'not (groups pr)',
  `groups.value ne "${groupA.id}"`,
  // logic: precedence, nesting, negation
  'userName sw "a" or userName sw "b" and active eq true',
  '(userName sw "a" or userName sw "b") and active eq true',
  'not (title eq "Engineer" or title eq "Manager")',
  'not (not (active eq true))',
  '((((title pr))))',
  'not ((emails[type eq "work"] and active eq true) or (name.familyName eq "smith" and not (title pr)))',
  'title eq "Engineer" and not (emails[type eq "work" and value ew ".com"])',
  'userName ew ".test" and (name.givenName eq "mia" or (displayName co "ø" and not (active eq false)))',
  // injection attempts are plain strings
  `userName eq "x' OR 1=1 --"`,
  'displayName eq "\\"); DROP TABLE users; --"',
  "name.familyName co \"'\"",
  "name.familyName eq \"O'Brien\" or userName eq \"' OR ''='\"",
];

export const GROUP_FILTERS: string[] = [
  'displayName eq "sales"',
  'displayName eq "SALES"',
  'displayName eq "Tom and Jerry"',
  'not(displayName eq "Tom and Jerry")',
  'displayName co "%"',
  'displayName co "_"',
  'displayName sw "ærø"',
  'externalId eq "grp-sales"',
  'externalId eq "GRP-SALES"',
  'externalId pr',
  `id eq "${groupA.id}"`,
  `members[value eq "${memberOfA}"]`,
  `members.value eq "${memberOfA}"`,
  `members eq "${memberOfA}"`,
  `members[value eq "${memberOfA.toUpperCase()}"]`,
  'members[type eq "group"]',
  'members.type eq "User" and members.display co "a"',
  'members pr',
  'not (members pr)',
  'meta.created gt "2018-01-01T00:00:00Z"',
  'meta.lastModified le "2030-01-01T00:00:00+14:00"',
  'meta.resourceType eq "Group"',
  `urn:ietf:params:scim:schemas:core:2.0:Group:displayName sw "e"`,
];

function firstEmail(type: string | undefined): string {
  for (const u of fx.users) {
    for (const e of (u.data.emails ?? []) as Json[]) if (type === undefined || e.type === type) return e.value as string;
  }
  throw new Error('fixture has no email');
}

function someMembership() {
  return someUser.memberships.find((m) => m.siteId === SITE_A)!;
}

describe('filterToSql matches the reference evaluator', () => {
  const totalA = fx.userResources(SITE_A).length;
  const counts: number[] = [];

  it('uses at least 60 user filters and a few hundred users on two sites', () => {
    expect(USER_FILTERS.length).toBeGreaterThanOrEqual(60);
    expect(fx.users.length).toBeGreaterThanOrEqual(300);
    expect(totalA).toBeGreaterThan(200);
    expect(fx.userResources(SITE_B).length).toBeGreaterThan(100);
  });

  it.each(USER_FILTERS)('User: %s', (filter) => {
    for (const site of [SITE_A, SITE_B]) {
      const expected = evalIds(filter, 'User', site);
      expect(sqlIds(filter, 'User', site)).toEqual(expected);
      if (site === SITE_A) counts.push(expected.length);
    }
  });

  it.each(GROUP_FILTERS)('Group: %s', (filter) => {
    for (const site of [SITE_A, SITE_B]) expect(sqlIds(filter, 'Group', site)).toEqual(evalIds(filter, 'Group', site));
  });

  it('exercises non-trivial result sets (a filter matching nobody proves little)', () => {
    const partial = counts.filter((n) => n >= 5 && n < totalA);
    expect(counts.length).toBe(USER_FILTERS.length);
    expect(partial.length).toBeGreaterThanOrEqual(60);
    expect(counts.filter((n) => n === 0).length).toBeLessThan(USER_FILTERS.length / 5);
  });

  it('never returns the other site\'s members', () => {
    const onlyB = new Set(fx.userResources(SITE_B).map((r) => r.id));
    for (const r of fx.userResources(SITE_A)) onlyB.delete(r.id);
    expect(onlyB.size).toBeGreaterThan(10);
    const ids = sqlIds('userName pr', 'User', SITE_A);
    expect(ids.some((id) => onlyB.has(id))).toBe(false);
    expect(ids.length).toBe(totalA);
  });
});
