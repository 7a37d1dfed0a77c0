/**
 * Deterministic test data for the filter translator: users and groups generated from a seeded
 * PRNG, written to a real in-memory SQLite database with the product's DDL, and rendered as the
 * SCIM JSON the server returns for each site (what the reference evaluator reads).
 */
import Database from 'better-sqlite3';
import { writePlannerStats } from '../../../src/adapters/sqlite/planner-stats.js';
import { DDL } from '../../../src/adapters/sqlite/schema.js';

export type Json = Record<string, unknown>;

export const TENANT = 'tenant-1';
export const SITE_A = 'site-a';
export const SITE_B = 'site-b';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const TAB = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const GIVEN = ['Barbara', 'Ærø', 'Zoë', 'José', 'Tom', 'Jerry', 'Ana', 'Øyvind', 'Élodie', 'Łukasz', 'İlker', 'mia', 'KIM', 'Ünal'];
export const FAMILY = ['Jensen', 'Ærøskøbing', 'Müller', 'Smith', 'García', 'Nguyễn', 'Доброва', '50%_Off', 'under_score', "O'Brien", 'smith'];
export const DOMAINS = ['Example.com', 'EXAMPLE.org', 'acme.test', 'a_b.test', 'pct%corp.test', 'b.com'];
export const TITLES = ['Engineer', 'Senior Engineer', 'VP, Sales', 'Manager', '100% Remote', 'snake_case_title', 'Tom and Jerry', ''];
export const DEPARTMENTS = ['Sales', 'R&D', 'Engineering', 'eng_ops', 'Support%', 'sales'];
export const ROLES = ['Creator', 'Explorer', 'Viewer', 'Unlicensed', 'SiteAdministratorCreator', 'ExplorerCanPublish'];
export const EMAIL_TYPES = ['work', 'Work', 'home', 'other', undefined];

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const START = Date.UTC(2015, 0, 1);

export interface Membership { siteId: string; active: boolean; role: string; created: number; updated: number; version: number }
export interface UserModel {
  id: string; userName: string; externalId: string | null; displayName: string | null;
  data: Json; memberships: Membership[];
}
export interface GroupModel {
  id: string; siteId: string; displayName: string; externalId: string | null; created: number; updated: number;
  members: { value: string; type: 'User' | 'Group'; display: string | null }[];
}
export interface Fixture {
  db: Database.Database;
  users: UserModel[];
  groups: GroupModel[];
  /** SCIM JSON of the users/groups of a site, as the server renders them. */
  userResources(siteId: string): Json[];
  groupResources(siteId: string): Json[];
}

function makeUser(i: number, rnd: () => number, ids: string[]): UserModel {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const chance = (p: number) => rnd() < p;
  const mixCase = (s: string) => (chance(0.3) ? s.toUpperCase() : chance(0.3) ? s.toLowerCase() : s);
  const given = pick(GIVEN);
  const family = pick(FAMILY);
  const data: Json = {};
  if (chance(0.85)) {
    const name: Json = { familyName: family };
    if (chance(0.8)) name.givenName = given;
    if (chance(0.5)) name.formatted = `${given} ${family}`;
    if (chance(0.1)) name.honorificPrefix = 'Dr.';
    data.name = name;
  }
  if (chance(0.7)) data.title = pick(TITLES);
  if (chance(0.4)) data.nickName = mixCase(given);
  if (chance(0.5)) data.userType = pick(['Employee', 'Contractor', 'intern']);
  if (chance(0.3)) data.locale = pick(['en-US', 'fr-FR', 'da-DK']);
  const local = `${given}.${family}`.replace(/[^\p{L}\p{N}._%-]/gu, '');
  const emailCount = Math.floor(rnd() * 4); // 0-3
  if (emailCount > 0) {
    data.emails = Array.from({ length: emailCount }, (_, k) => {
      const e: Json = { value: mixCase(`${local}${k === 0 ? '' : k}.${i}@${pick(DOMAINS)}`) };
      const type = pick(EMAIL_TYPES);
      if (type !== undefined) e.type = type;
      // primary: true on some first entries, explicit false sometimes, absent otherwise.
      if (k === 0 && chance(0.6)) e.primary = true;
      else if (chance(0.3)) e.primary = false;
      return e;
    });
  }
  if (chance(0.5)) {
    data.phoneNumbers = Array.from({ length: 1 + Math.floor(rnd() * 2) }, (_, k) => ({
      value: `+1-555-01${String(i % 100).padStart(2, '0')}${k}`,
      type: pick(['work', 'mobile', 'Home']),
      ...(k === 0 && chance(0.5) ? { primary: true } : {}),
    }));
  }
  if (chance(0.3)) data.addresses = [{ type: pick(['work', 'home']), locality: pick(['Aarhus', 'Paris', 'Zürich']), country: pick(['DK', 'FR', 'CH']) }];
  if (chance(0.15)) data.roles = [{ value: pick(['admin', 'Auditor']), primary: true }];
  if (chance(0.6)) {
    const ent: Json = { department: pick(DEPARTMENTS), employeeNumber: String(1000 + i) };
    if (chance(0.3)) ent.costCenter = `CC-${i % 7}`;
    if (ids.length > 0 && chance(0.4)) {
      const m = pick(ids);
      ent.manager = { value: m, displayName: `Manager of ${i}` };
    }
    data[ENT] = ent;
  }
  const memberships: Membership[] = [];
  const onA = chance(0.7);
  const onB = !onA || chance(0.4);
  for (const [siteId, on] of [[SITE_A, onA], [SITE_B, onB]] as const) {
    if (!on) continue;
    const created = Math.floor(START + rnd() * 10 * YEAR_MS);
    memberships.push({
      siteId, active: chance(0.7), role: pick(ROLES), created,
      updated: created + Math.floor(rnd() * 2 * YEAR_MS), version: 1 + Math.floor(rnd() * 5),
    });
  }
  const hex = Array.from({ length: 10 }, () => pick([...'0123456789abcdefABCDEF'])).join('');
  const displayName = chance(0.05) ? 'Tom and Jerry' : chance(0.03) ? 'He said "hi"' : chance(0.02) ? '' : chance(0.8) ? `${given} ${family}` : null;
  const externalId = chance(0.75) ? pick([`EMP-${String(i).padStart(4, '0')}`, `emp_${i}`, `Ext%${i}`, `jyoung${i}`]) : null;
  return { id: `u${i}-${hex}`, userName: mixCase(`${local}.${i}@${pick(DOMAINS)}`), externalId, displayName, data, memberships };
}

const GROUP_SPECS: [string, string, string | null][] = [
  [SITE_A, 'Sales', 'grp-sales'], [SITE_A, 'Tom and Jerry', null], [SITE_A, 'R&D_%', 'GRP-RD'],
  [SITE_A, 'Ærø Team', 'grp-aero'], [SITE_A, 'engineers', 'grp-eng'],
  [SITE_B, 'Sales', 'grp-sales'], [SITE_B, 'B-only', 'grp-b'], [SITE_B, 'Ops', null],
];

export function buildFixture(seed = 7, count = 400): Fixture {
  const rnd = prng(seed);
  const users: UserModel[] = [];
  for (let i = 0; i < count; i++) users.push(makeUser(i, rnd, users.map((u) => u.id)));
  const groups: GroupModel[] = GROUP_SPECS.map(([siteId, displayName, externalId], k) => {
    const created = Math.floor(START + rnd() * 10 * YEAR_MS);
    const siteUsers = users.filter((u) => u.memberships.some((m) => m.siteId === siteId));
    const members = siteUsers.filter(() => rnd() < 0.3)
      .map((u) => ({ value: u.id, type: 'User' as const, display: rnd() < 0.8 ? u.displayName : null }));
    return { id: `g${k}-${siteId}`, siteId, displayName, externalId, created, updated: created + 1000, members };
  });
  // A nested group member, for members.type tests.
  groups[0]!.members.push({ value: groups[4]!.id, type: 'Group', display: 'engineers' });
  return fixtureFrom(users, groups);
}

/** A database holding exactly these users and groups (tenant TENANT, sites SITE_A and SITE_B). */
export function fixtureFrom(users: UserModel[], groups: GroupModel[]): Fixture {
  const db = new Database(':memory:');
  db.function('scim_lower', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : s));
  db.exec(DDL);
  writePlannerStats(db); // the product's planner statistics (openDatabase writes them too)
  insertAll(db, users, groups);
  return {
    db, users, groups,
    userResources: (siteId) => users.flatMap((u) => {
      const m = u.memberships.find((x) => x.siteId === siteId);
      return m ? [renderUser(u, m, groups.filter((g) => g.siteId === siteId))] : [];
    }),
    groupResources: (siteId) => groups.filter((g) => g.siteId === siteId).map(renderGroup),
  };
}

function insertAll(db: Database.Database, users: UserModel[], groups: GroupModel[]): void {
  db.prepare('INSERT INTO tenants (id, name, created_at) VALUES (?, ?, 0)').run(TENANT, 'Tenant');
  for (const s of [SITE_A, SITE_B]) {
    db.prepare('INSERT INTO sites (id, tenant_id, name, content_url, created_at) VALUES (?, ?, ?, ?, 0)').run(s, TENANT, s, s);
  }
  const insUser = db.prepare(`INSERT INTO users (id, tenant_id, user_name, user_name_lower, external_id, display_name,
    display_name_lower, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`);
  const insEmail = db.prepare(`INSERT INTO user_emails (user_id, tenant_id, position, value, value_lower, type, is_primary)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const insMember = db.prepare(`INSERT INTO site_memberships (site_id, user_id, requested_role, site_role, active, source,
    created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 'scim', ?, ?, ?)`);
  const insGroup = db.prepare(`INSERT INTO groups (id, site_id, display_name, display_name_lower, external_id, created_at,
    updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const insGm = db.prepare('INSERT INTO group_members (group_id, member_id, member_type, display, added_at) VALUES (?, ?, ?, ?, 0)');
  db.transaction(() => {
    for (const u of users) {
      insUser.run(u.id, TENANT, u.userName, u.userName.toLowerCase(), u.externalId, u.displayName,
        u.displayName?.toLowerCase() ?? null, JSON.stringify(u.data));
      ((u.data.emails ?? []) as Json[]).forEach((e, pos) => {
        const value = typeof e.value === 'string' ? e.value : null;
        insEmail.run(u.id, TENANT, pos, value, value?.toLowerCase() ?? null, typeof e.type === 'string' ? e.type : null, e.primary === true ? 1 : 0);
      });
      for (const m of u.memberships) insMember.run(m.siteId, u.id, m.role, m.role, m.active ? 1 : 0, m.created, m.updated, m.version);
    }
    for (const g of groups) {
      insGroup.run(g.id, g.siteId, g.displayName, g.displayName.toLowerCase(), g.externalId, g.created, g.updated);
      for (const m of g.members) insGm.run(g.id, m.value, m.type, m.display);
    }
  })();
}

const iso = (ms: number) => new Date(ms).toISOString();

function renderUser(u: UserModel, m: Membership, siteGroups: GroupModel[]): Json {
  const groups = siteGroups.filter((g) => g.members.some((x) => x.value === u.id))
    .map((g) => ({ value: g.id, $ref: `https://h/scim/v2/Groups/${g.id}`, display: g.displayName }));
  const out: Json = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: u.id, userName: u.userName, ...u.data, active: m.active };
  if (u.externalId !== null) out.externalId = u.externalId;
  if (u.displayName !== null) out.displayName = u.displayName;
  if (groups.length) out.groups = groups;
  out.meta = { resourceType: 'User', created: iso(m.created), lastModified: iso(m.updated), location: `https://h/scim/v2/Users/${u.id}`, version: `W/"${m.version}"` };
  out[TAB] = { siteRoles: [{ value: m.role }] };
  return out;
}

function renderGroup(g: GroupModel): Json {
  const out: Json = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: g.id, displayName: g.displayName };
  if (g.externalId !== null) out.externalId = g.externalId;
  if (g.members.length) {
    out.members = g.members.map((m) => ({ value: m.value, ...(m.display !== null ? { display: m.display } : {}), type: m.type }));
  }
  out.meta = { resourceType: 'Group', created: iso(g.created), lastModified: iso(g.updated) };
  return out;
}
