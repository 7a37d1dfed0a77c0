/**
 * Fuzz targets (issue 8 §2), shared by the seeded jest runs (test/fuzz/*.test.ts, a few
 * thousand inputs each) and `bench/fuzz.ts` (100,000+ per target). Every target checks the
 * same contract: an input gets a result or a well-formed refusal — never another exception,
 * never a 5xx, never more than 1 s — and it changes nothing it has no business changing.
 *
 *   filter  the filter parser and SQL translator, run by the real SQLite store (real schema)
 *   patch   PATCH paths and values over HTTP on users and groups
 *   bodies  random JSON bodies on every write route of the route table (SCIM, admin, portal)
 *   csv     Tableau CSV rows: the row parser, and whole files through the import API
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/load.js';
import { buildContainer, type Container } from '../../src/container.js';
import type { Scope } from '../../src/domain/types.js';
import { AppError } from '../../src/domain/errors.js';
import { FilterError, SortError } from '../../src/scim-filter/errors.js';
import { parseFilter } from '../../src/scim-filter/parse.js';
import { CSV_FORMATS, parseCsvRow } from '../../src/policy/csv.js';
import { ADMIN_TOKEN, Client, PATCH_OP, SCIM_TOKEN, TABLEAU, isScimError, type Reply } from '../reliability/harness.js';
import { fill, routeTable } from '../security/route-table.js';

export const HANG_MS = 1000;

export interface Stats {
  target: string;
  inputs: number;
  ok: number;
  refused4xx: number;
  server5xx: number;
  hangs: number;
  maxMs: number;
  /** Target-specific counters (filter errors, rows returned, statuses …). */
  extra: Record<string, number>;
  problems: string[];
}

export const newStats = (target: string): Stats => ({ target, inputs: 0, ok: 0, refused4xx: 0, server5xx: 0, hangs: 0, maxMs: 0, extra: {}, problems: [] });
const bump = (s: Stats, k: string, n = 1) => { s.extra[k] = (s.extra[k] ?? 0) + n; };

export function describeStats(s: Stats): string {
  return `${s.target}: ${s.inputs} inputs, ${s.ok} accepted, ${s.refused4xx} refused (well-formed 4xx / errors), ${s.server5xx} 5xx or unexpected exceptions, ` +
    `${s.hangs} hangs > ${HANG_MS} ms (max ${Math.round(s.maxMs)} ms); ${Object.entries(s.extra).sort().map(([k, v]) => `${k} ${v}`).join(', ')}`;
}

// ---- the server under test ---------------------------------------------------------------

export interface FuzzEnv {
  url: string;
  container: Container;
  client: Client;
  tenantB: string;
  close(): Promise<void>;
}

/** rolegate in process on an in-memory store (limits off), plus a second tenant whose data no input may touch. */
export async function startFuzzServer(): Promise<FuzzEnv> {
  const config = loadConfig({ ROLEGATE_BOOTSTRAP_SCIM_TOKEN: SCIM_TOKEN, ROLEGATE_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, ROLEGATE_CONFIG_DIR: '/nonexistent' },
    { db: 'sqlite::memory:', port: 0, host: '127.0.0.1', log: { level: 'silent' }, limits: { ratePerSecond: 0, maxConcurrent: 0 } });
  const container = await buildContainer(config);
  const server: Server = await new Promise((resolve) => { const s = container.createServer().listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new Client(url, 8);
  const tenantB = 'fuzz-tenant-b';
  const now = Date.now();
  await container.store.directory.insertTenant({ id: tenantB, name: 'B', createdAt: now });
  await container.store.directory.insertSite({ id: 'fuzz-site-b', tenantId: tenantB, name: 'B', contentUrl: 'fuzz-b', settings: {}, createdAt: now });
  const adminB = (await container.adminAuth.issue({ tenantId: tenantB, scope: 'tenantAdmin', siteId: null, subject: 'fuzz', ttlSeconds: 86_400 })).token;
  const cfg = await client.req('POST', '/api/v1/sites/fuzz-site-b/auth-configs', { token: adminB, body: { type: 'SAML', entityId: 'urn:b' } });
  const scimB = await client.req('POST', '/api/v1/sites/fuzz-site-b/scim', { token: adminB, body: { authConfigId: cfg.body.id } });
  for (let i = 0; i < 5; i++) {
    await client.req('POST', '/scim/v2/Users', { token: scimB.body.secret, body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `b${i}@b.test`, active: true } });
  }
  return {
    url, container, client, tenantB,
    async close() {
      client.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await container.close();
    },
  };
}

type Db = { prepare(sql: string): { all(...p: unknown[]): unknown[] } };
const dbOf = (env: FuzzEnv) => (env.container.store as unknown as { rawDatabase: Db }).rawDatabase;

/** A digest of the rows a query returns (sorted), to compare before / after. */
export function digest(env: FuzzEnv, sql: string, ...params: unknown[]): string {
  const rows = dbOf(env).prepare(sql).all(...params).map((r) => JSON.stringify(r)).sort();
  return createHash('sha256').update(rows.join('\n')).digest('hex');
}

/** Credentials without their last-used stamp (written at most once a minute per credential in use, by design). */
const CREDENTIALS = 'SELECT id, tenant_id, site_id, kind, scope, secret_hash, label, created_at, revoked_at FROM credentials';

/** Tenant B's rows: no input to tenant A may change them. */
export const tenantBDigest = (env: FuzzEnv) => [
  digest(env, 'SELECT * FROM users WHERE tenant_id = ?', env.tenantB),
  digest(env, 'SELECT m.* FROM site_memberships m JOIN sites s ON s.id = m.site_id WHERE s.tenant_id = ?', env.tenantB),
  digest(env, 'SELECT * FROM sites WHERE tenant_id = ?', env.tenantB),
  digest(env, `${CREDENTIALS} WHERE tenant_id = ?`, env.tenantB),
].join('|');

/** Prototype pollution shows up as new keys on Object.prototype (the server runs in this process). */
export const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',') + JSON.stringify(({} as Record<string, unknown>).polluted ?? null);

/** Runs an HTTP input with the hang bound and the status contract; returns the reply. */
async function timed(stats: Stats, label: string, fn: () => Promise<Reply>, wellFormed: (r: Reply) => boolean): Promise<Reply | undefined> {
  stats.inputs++;
  const t = performance.now();
  let r: Reply;
  try {
    r = await fn();
  } catch (e) {
    stats.hangs++;
    stats.problems.push(`${label}: ${(e as Error).message}`);
    return undefined;
  }
  const ms = performance.now() - t;
  stats.maxMs = Math.max(stats.maxMs, ms);
  if (ms > HANG_MS) { stats.hangs++; stats.problems.push(`${label}: ${Math.round(ms)} ms`); }
  bump(stats, `HTTP ${r.status}`);
  if (r.status >= 500 && r.status !== 501) { stats.server5xx++; stats.problems.push(`${label}: ${r.status} ${r.text.slice(0, 300)}`); }
  else if (r.status >= 400) {
    stats.refused4xx++;
    if (!wellFormed(r)) { stats.server5xx++; stats.problems.push(`${label}: malformed ${r.status} answer ${r.text.slice(0, 300)}`); }
  } else stats.ok++;
  return r;
}

// ---- arbitraries ----------------------------------------------------------------------------

const ATTRS = [
  'userName', 'displayName', 'externalId', 'id', 'active', 'title', 'nickName', 'userType', 'locale', 'timezone', 'profileUrl',
  'name.givenName', 'name.familyName', 'name.formatted', 'emails', 'emails.value', 'emails.type', 'emails.primary',
  'phoneNumbers.value', 'addresses.country', 'groups', 'groups.value', 'groups.display', 'members', 'members.value', 'members.display',
  'meta.created', 'meta.lastModified', 'meta.version', 'meta.location', 'roles.value', 'entitlements.value', 'siteRoles.value',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager',
  `${TABLEAU}:siteRoles.value`, 'password', 'x', 'u.id', 'tenant_id', 'data', '$ref', 'emails[type eq "work"]',
];
const INJECTION = [
  "x' OR 1=1 --", '"); DROP TABLE users; --', "'; DELETE FROM users; SELECT '", "%' OR '1'='1", '\\', '%', '_', '%_%', "') OR ('1'='1",
  "' UNION SELECT id, secret_hash FROM credentials --", '{"$ne": null}', '{"$where": "sleep(1000)"}', '.*', '^(a+)+$', '(a|aa)+$', '\u0000', '\'',
  'a'.repeat(5000), '"', '\\"', 'İ', 'ß', '🙂', '\u202e', 'null', 'true', '1e309', '2021-02-30T00:00:00Z',
];
const scimString = fc.oneof(
  fc.constantFrom(...INJECTION), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('work', 'home', 'Creator', 'x@example.test', '2021-01-01T00:00:00Z', 'W/"1"'),
);
const quoted = scimString.map((s) => JSON.stringify(s));
const filterValue = fc.oneof(quoted, quoted, quoted, quoted, fc.constantFrom('true', 'false', 'null', '1', '-0', '1e400', '2021-01-01T00:00:00Z', 'bareword', '"unterminated', '""'),
  fc.integer().map(String), fc.double().map(String));
const op = fc.oneof({ arbitrary: fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Co', 'sW'), weight: 6 }, { arbitrary: fc.constantFrom('eqq', 'like', '=', '==', 'in', ''), weight: 1 });
const attr = fc.oneof({ arbitrary: fc.constantFrom(...ATTRS), weight: 6 }, { arbitrary: fc.stringMatching(/^[A-Za-z$][\w.:-]{0,15}$/), weight: 1 });

/** SCIM filters: mostly grammatical, with hostile values and names, some mutated, some pure noise. */
export const filterArb: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(attr, op, filterValue).map(([a, o, v]) => `${a} ${o} ${v}`),
    attr.map((a) => `${a} pr`),
    fc.tuple(tie('f'), fc.constantFrom(' and ', ' or ', ' AND ', ' Or ', ' '), tie('f')).map(([a, k, b]) => `${a}${k}${b}`),
    tie('f').map((x) => `(${x})`),
    tie('f').map((x) => `not (${x})`),
    fc.tuple(fc.constantFrom('emails', 'members', 'groups', 'addresses', 'phoneNumbers', 'x', 'userName'), tie('f')).map(([a, x]) => `${a}[${x}]`),
    fc.tuple(fc.constantFrom('emails', 'members'), fc.constantFrom('type', 'value', 'display'), op, filterValue, fc.constantFrom('value', 'type', 'display'), op, filterValue)
      .map(([a, s1, o1, v1, s2, o2, v2]) => `${a}[${s1} ${o1} ${v1}].${s2} ${o2} ${v2}`),
  ),
})).f;
export const anyFilterArb = fc.oneof(
  { arbitrary: filterArb, weight: 6 },
  { arbitrary: fc.tuple(filterArb, fc.nat(), fc.string({ maxLength: 3 })).map(([f, at, ins]) => f.slice(0, at % (f.length + 1)) + ins + f.slice(at % (f.length + 1))), weight: 2 },
  { arbitrary: fc.string({ maxLength: 60 }), weight: 1 },
  { arbitrary: fc.nat({ max: 300 }).map((d) => `${'('.repeat(d)}userName pr${')'.repeat(d)}`), weight: 1 },
);

// ---- target: filter parser + SQL translator on the real store ---------------------------------

export async function seedUsers(env: FuzzEnv, n: number) {
  for (let i = 0; i < n; i++) {
    const userName = `fuzz.${i}.${INJECTION[i % INJECTION.length]!.slice(0, 20).replace(/[^\w.-]/g, '')}@example.test`;
    await env.client.scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', TABLEAU], userName, active: i % 3 !== 0, displayName: INJECTION[i % INJECTION.length]!.slice(0, 100),
      title: i % 2 ? 'Analyst' : "O'Brien", name: { givenName: `G${i}`, familyName: `F${i}` },
      emails: [{ value: userName, type: i % 2 ? 'work' : 'home', primary: true }], [TABLEAU]: { siteRoles: [{ value: i % 2 ? 'Viewer' : 'Explorer' }] },
    });
  }
  const users = (await env.client.scim('GET', '/Users?count=1000')).body.Resources as { id: string }[];
  for (let g = 0; g < 3; g++) {
    await env.client.scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `fuzz group ${g} ${INJECTION[g]}`, members: users.slice(g, g + 4).map((u) => ({ value: u.id })) });
  }
}

export function filterTarget(env: FuzzEnv) {
  const stats = newStats('filter parser + SQL translator');
  const scope: Scope = { tenantId: 'default', siteId: 'default' };
  const before = digest(env, 'SELECT * FROM users') + digest(env, 'SELECT * FROM site_memberships') + digest(env, 'SELECT * FROM groups') + digest(env, 'SELECT * FROM group_members');
  const run = async (text: string) => {
    stats.inputs++;
    const t = performance.now();
    try {
      const ast = parseFilter(text, { maxLength: 4096, maxDepth: 32 });
      bump(stats, 'parsed');
      for (const resource of ['User', 'Group'] as const) {
        try {
          const reader = env.container.store.reader(scope);
          const page = resource === 'User'
            ? await reader.findUsers({ filter: ast, startIndex: 1, count: 50 })
            : await reader.findGroups({ filter: ast, startIndex: 1, count: 50 }, { members: true });
          bump(stats, `${resource} queries run`);
          bump(stats, 'rows returned', page.items.length);
          if (resource === 'User' && page.items.some((u) => (u as { membership: { siteId: string } }).membership.siteId !== scope.siteId)) {
            stats.problems.push(`filter ${JSON.stringify(text)} returned another site's user`);
          }
          stats.ok++;
        } catch (e) {
          if (e instanceof FilterError || e instanceof SortError || e instanceof AppError) { stats.refused4xx++; bump(stats, `${resource} refused by the translator`); }
          else { stats.server5xx++; stats.problems.push(`filter ${JSON.stringify(text.slice(0, 300))} on ${resource}: ${(e as Error).stack?.slice(0, 400)}`); }
        }
      }
    } catch (e) {
      if (e instanceof FilterError) { stats.refused4xx++; bump(stats, 'FilterError from the parser'); }
      else { stats.server5xx++; stats.problems.push(`filter ${JSON.stringify(text.slice(0, 300))}: ${(e as Error).stack?.slice(0, 400)}`); }
    }
    const ms = performance.now() - t;
    stats.maxMs = Math.max(stats.maxMs, ms);
    if (ms > HANG_MS) { stats.hangs++; stats.problems.push(`filter ${JSON.stringify(text.slice(0, 200))}: ${Math.round(ms)} ms`); }
  };
  const finish = () => {
    const after = digest(env, 'SELECT * FROM users') + digest(env, 'SELECT * FROM site_memberships') + digest(env, 'SELECT * FROM groups') + digest(env, 'SELECT * FROM group_members');
    if (after !== before) stats.problems.push('the data changed while only filters ran');
  };
  return { stats, arb: anyFilterArb, run, finish };
}

/** Filters over HTTP too (query string and .search), so the whole request path is covered. */
export function filterHttpTarget(env: FuzzEnv) {
  const stats = newStats('filters over HTTP');
  const run = async (text: string) => {
    const viaSearch = text.length % 2 === 0;
    if (text.length % 5 === 0) {
      // Nested query parameters (the extended query parser makes objects of them).
      await timed(stats, `nested query ${JSON.stringify(text.slice(0, 200))}`, () => env.client.scim('GET',
        `/Users?filter[toString]=${encodeBytes(text)}&attributes[toString]=1&count[valueOf]=2&sortBy[a]=b&cursor[x]=1&startIndex[]=1`, undefined, undefined, 5000), isScimError);
      return;
    }
    await timed(stats, `filter ${JSON.stringify(text.slice(0, 200))}`, () => viaSearch
      ? env.client.scim('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: text, count: 5 }, undefined, 5000)
      : env.client.scim('GET', `/Groups?count=5&filter=${encodeBytes(text)}`, undefined, undefined, 5000), isScimError);
  };
  return { stats, arb: anyFilterArb, run, finish: () => undefined };
}

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD, as any HTTP client would send them). */
const encodeBytes = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

// ---- target: PATCH paths and values ----------------------------------------------------------

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: scimString, weight: 3 },
  { arbitrary: fc.constantFrom(true, false, null, 'True', 'False', 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [{}], [null]), weight: 2 },
  { arbitrary: fc.constantFrom('Creator', 'Viewer', 'Explorer', 'Unlicensed', 'ServerAdministrator', 'Publisher').map((v) => [{ value: v, primary: true }]), weight: 1 },
  { arbitrary: fc.dictionary(fc.constantFrom('value', 'type', 'primary', 'display', '$ref', '__proto__', 'constructor', 'givenName', 'active', 'userName', 'password'), fc.jsonValue({ maxDepth: 1 })), weight: 2 },
);
const pathArb = fc.oneof(
  fc.constantFrom(...ATTRS),
  fc.constantFrom('members', 'members[value eq "x"]', 'emails[type eq "work"].value', 'emails[type eq "work" and primary eq true]', 'name', 'active',
    `${TABLEAU}:siteRoles`, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'displayName', 'externalId', 'roles', 'entitlements', ''),
  filterArb.map((f) => `emails[${f}].value`),
  filterArb.map((f) => `members[${f}]`),
  fc.string({ maxLength: 30 }),
);
export const patchOpArb = fc.record({
  op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove', 'REPLACE'), fc.string({ maxLength: 8 }), fc.constant(undefined)),
  path: fc.option(pathArb, { nil: undefined }),
  value: fc.option(jsonish, { nil: undefined }),
}, { requiredKeys: [] });
export const patchArb = fc.record({
  onGroup: fc.boolean(),
  victim: fc.nat(),
  schemas: fc.oneof(fc.constant([PATCH_OP]), fc.constant([PATCH_OP]), fc.constant(['x']), fc.constant(undefined)),
  ops: fc.oneof(fc.array(patchOpArb, { minLength: 1, maxLength: 4 }), fc.array(patchOpArb, { maxLength: 0 }), jsonish),
  ifMatch: fc.option(fc.constantFrom('W/"1"', '*', 'garbage'), { nil: undefined, freq: 8 }),
});

export async function patchTarget(env: FuzzEnv) {
  const stats = newStats('PATCH paths and values (HTTP)');
  const users = ((await env.client.scim('GET', '/Users?count=1000')).body.Resources as { id: string }[]).map((u) => u.id);
  const groups = ((await env.client.scim('GET', '/Groups?count=1000&excludedAttributes=members')).body.Resources as { id: string }[]).map((g) => g.id);
  // Everything a PATCH of one user (or group) has no business changing.
  const others = (kind: 'user' | 'group', id: string) => kind === 'user'
    ? [digest(env, 'SELECT * FROM users WHERE id <> ?', id), digest(env, 'SELECT * FROM site_memberships WHERE user_id <> ?', id),
      digest(env, 'SELECT * FROM groups'), digest(env, 'SELECT * FROM group_members'), digest(env, CREDENTIALS),
      digest(env, 'SELECT id, tenant_id, name, content_url, settings, scim_enabled, role_mapping, cap_creator, cap_explorer, cap_viewer FROM sites')].join('|')
    : [digest(env, 'SELECT * FROM users'), digest(env, 'SELECT * FROM site_memberships'), digest(env, 'SELECT * FROM groups WHERE id <> ?', id),
      digest(env, 'SELECT * FROM group_members WHERE group_id <> ?', id), digest(env, CREDENTIALS)].join('|');
  const run = async (input: { onGroup: boolean; victim: number; schemas: unknown; ops: unknown; ifMatch?: string }) => {
    const kind = input.onGroup ? 'group' : 'user';
    const id = input.onGroup ? groups[input.victim % groups.length]! : users[input.victim % users.length]!;
    const before = others(kind, id);
    // Member values: real users of this site, of tenant B, or noise.
    const body = JSON.parse(JSON.stringify({ schemas: input.schemas, Operations: input.ops }).replaceAll('"x"', JSON.stringify(users[input.victim % users.length])));
    const r = await timed(stats, `PATCH ${kind} ${JSON.stringify(body).slice(0, 300)}`, () =>
      env.client.req('PATCH', `/scim/v2/${input.onGroup ? 'Groups' : 'Users'}/${id}`, { body, headers: input.ifMatch ? { 'if-match': input.ifMatch } : {}, timeoutMs: 5000 }), isScimError);
    if (r && before !== others(kind, id)) stats.problems.push(`PATCH ${kind} ${JSON.stringify(body).slice(0, 300)} → ${r.status} changed unrelated data`);
  };
  return { stats, arb: patchArb, run, finish: () => undefined };
}

// ---- target: JSON bodies of every write route --------------------------------------------------

const nasty = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 5 },
  { arbitrary: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'schemas', 'Operations', 'userName', 'name', 'type'), fc.jsonValue({ maxDepth: 2 })), weight: 2 },
  { arbitrary: fc.constantFrom(1e308, -1e308, 2 ** 64, Number.MIN_VALUE, 0, -0, '', '\u0000', '🙂'.repeat(100), null, true), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
);

interface Mutable { route: string; verb: string; base: Record<string, unknown> }
/** Valid bodies of the routes we know, to mutate one field at a time (gets past the validators). */
function knownBodies(ids: Record<string, string>): Mutable[] {
  const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'fuzz.body@example.test', active: true, name: { givenName: 'A' }, emails: [{ value: 'fuzz.body@example.test', type: 'work' }] };
  return [
    { route: '/scim/v2/Users', verb: 'POST', base: user },
    { route: '/scim/v2/Users/:id', verb: 'PUT', base: user },
    { route: '/scim/v2/Groups', verb: 'POST', base: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'fuzz body group', members: [{ value: ids.userId }] } },
    { route: '/scim/v2/Bulk', verb: 'POST', base: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], failOnErrors: 1, Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: user }] } },
    { route: '/scim/v2/Users/.search', verb: 'POST', base: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName pr', count: 2, startIndex: 1, attributes: ['userName'] } },
    { route: '/api/v1/sites/:siteId/users', verb: 'POST', base: { userName: 'fuzz.admin@example.test', siteRole: 'Viewer', displayName: 'x' } },
    { route: '/api/v1/sites/:siteId/licenses', verb: 'PUT', base: { creator: 5, explorer: null, viewer: 10 } },
    { route: '/api/v1/sites/:siteId/role-mapping', verb: 'PUT', base: { rules: [{ when: { attribute: 'title', equals: 'x' }, siteRole: 'Viewer' }], default: 'Unlicensed' } },
    { route: '/api/v1/sites/:siteId', verb: 'PATCH', base: { settings: { allowRename: true, allowSeatBorrowing: true } } },
    { route: '/api/v1/sites/:siteId/content', verb: 'POST', base: { type: 'workbook', name: 'wb', ownerUserId: ids.userId } },
    { route: '/api/v1/sites/:siteId/users/:userId', verb: 'PATCH', base: { siteRole: 'Viewer' } },
    { route: '/api/v1/sites/:siteId/groups/:groupId', verb: 'PATCH', base: { minimumSiteRole: 'Viewer', grantLicenseMode: 'onSync' } },
    { route: '/api/v1/users/:userId/site-memberships', verb: 'PUT', base: { memberships: [{ siteId: 'default', siteRole: 'Viewer' }] } },
    { route: '/api/v1/portal/accounts', verb: 'POST', base: { name: 'fuzz account' } },
    { route: '/api/v1/portal/accounts/:accountId/users', verb: 'POST', base: { email: 'fuzz@example.test', firstName: 'F', lastName: 'Z', role: 'DownloadOnly' } },
    { route: '/api/v1/portal/accounts/:accountId/keys', verb: 'POST', base: { product: 'p' } },
    { route: '/api/v1/sites', verb: 'POST', base: { name: 'fuzz', contentUrl: 'fuzz-site' } },
  ];
}
/** Routes whose success would cut the fuzzer off from the API (credentials, the SCIM gate): random bodies only. */
const GUARDED = /\/(scim|credentials|oauth-clients|auth-configs\/:configId|tokens)$|\/users\/delete$|\/purge$/;

export async function bodiesTarget(env: FuzzEnv) {
  const stats = newStats('JSON bodies of every SCIM, admin and portal write route');
  const routes = routeTable(env.container).filter((r) => /^\/(scim\/v2|api\/v1|oauth)\//.test(r.path));
  const users = (await env.client.scim('GET', '/Users?count=3')).body.Resources as { id: string }[];
  const group = ((await env.client.scim('GET', '/Groups?count=1&excludedAttributes=members')).body.Resources as { id: string }[])[0]!;
  const acc = await env.client.admin('POST', '/portal/accounts', { name: 'fuzz bodies' });
  const site = await env.client.admin('GET', '/sites/default');
  const ids: Record<string, string> = {
    siteId: 'default', userId: users[1]!.id, id: users[1]!.id, groupId: group.id, accountId: acc.body.id, portalUserId: 'nobody', keyId: 'nokey',
    configId: site.body.authConfigs?.[0]?.id ?? 'x', credentialId: 'none', clientId: 'none', jobId: 'none', rest: 'x',
  };
  const targets: { path: string; verb: string; route: string }[] = [];
  for (const r of routes) {
    const verbs = r.methods.includes('ALL') ? ['POST', 'PUT', 'PATCH'] : r.methods.filter((m) => m !== 'GET' && m !== 'HEAD' && m !== 'DELETE');
    for (const verb of verbs) targets.push({ path: fill(r.path, r.path.includes('/Groups/') ? { ...ids, id: group.id } : ids), verb, route: r.path });
  }
  const mutables = knownBodies(ids).filter((m) => targets.some((t) => t.route === m.route && t.verb === m.verb));
  const tenantB = tenantBDigest(env);
  const proto = prototypeKeys();
  bump(stats, 'write routes', targets.length);
  const wellFormed = (path: string) => (r: Reply) => path.startsWith('/scim/') ? isScimError(r)
    : path.startsWith('/oauth/') ? typeof r.body?.error === 'string'
      : typeof r.body?.code === 'string' && typeof r.body?.message === 'string';
  const arb = fc.record({
    target: fc.nat(), mutate: fc.nat(), field: fc.nat(), useKnown: fc.boolean(), body: nasty,
    raw: fc.option(fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.constantFrom('{', '{"a":', '[1,', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '\u0000', 'null', '1e999999', '-0', '"\ud800"'),
      // Deep nesting, as text (a value that deep would overflow the generator itself).
      fc.tuple(fc.nat({ max: 60_000 }), fc.boolean()).map(([d, arr]) => (arr ? `${'['.repeat(d)}${']'.repeat(d)}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`)),
    ), { freq: 5, nil: undefined }),
  });
  const run = async (input: { target: number; mutate: number; field: number; useKnown: boolean; body: unknown; raw?: string }) => {
    let path: string;
    let verb: string;
    let body: unknown = input.body;
    const m = mutables[input.mutate % mutables.length];
    if (input.useKnown && m && !GUARDED.test(m.route)) {
      path = fill(m.route, m.route.includes('/Groups/') ? { ...ids, id: group.id } : ids);
      verb = m.verb;
      const keys = Object.keys(m.base);
      const k = keys[input.field % keys.length]!;
      body = { ...m.base, [k]: input.body };
    } else {
      const t = targets[input.target % targets.length]!;
      path = t.path;
      verb = t.verb;
    }
    const token = path.startsWith('/scim/') ? SCIM_TOKEN : path.startsWith('/oauth/') ? null : ADMIN_TOKEN;
    const raw = input.raw ?? JSON.stringify(body) ?? 'null';
    const type = path.includes('/imports') ? 'text/csv' : path.startsWith('/scim/') ? 'application/scim+json' : 'application/json';
    await timed(stats, `${verb} ${path} ${raw.slice(0, 200)}`, () => env.client.req(verb, path, { raw, token, headers: { 'content-type': type }, timeoutMs: 5000 }), wellFormed(path));
    if (stats.inputs % 50 === 0 && prototypeKeys() !== proto) stats.problems.push(`Object.prototype changed after ${verb} ${path} ${raw.slice(0, 200)}`);
  };
  const finish = () => {
    if (tenantBDigest(env) !== tenantB) stats.problems.push("tenant B's data changed");
    if (prototypeKeys() !== proto) stats.problems.push('Object.prototype was polluted');
  };
  return { stats, arb, run, finish };
}

// ---- target: CSV rows ---------------------------------------------------------------------------

const csvCell = fc.oneof(
  fc.constantFrom('', 'Creator', 'Explorer', 'Viewer', 'Unlicensed', 'None', 'Site', 'System', 'Cloud', 'yes', 'no', 'true', 'false', 'SAML', 'TableauIDWithMFA', 'ServerDefault',
    'user@example.test', 'user\\0x40example.test', 'default', '"', '""', '"a,b"', '=cmd|/c calc', '\uFEFF', '\uFFFD'),
  scimString.map((s) => s.replace(/[\r\n]/g, ' ')),
);
export const csvLineArb = fc.oneof(
  { arbitrary: fc.array(csvCell, { minLength: 0, maxLength: 11 }).map((cells) => cells.join(',')), weight: 6 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replace(/[\r\n]/g, '')), weight: 2 },
  { arbitrary: fc.nat({ max: 9000 }).map((n) => `${'a'.repeat(n)}@example.test,,x,Viewer,None,no,`), weight: 1 },
);

export function csvRowTarget() {
  const stats = newStats('CSV rows (parser and role derivation)');
  const run = async (input: { line: string; format: number; first: boolean }) => {
    stats.inputs++;
    const t = performance.now();
    try {
      const row = parseCsvRow(input.line, CSV_FORMATS[input.format % CSV_FORMATS.length]!, input.first);
      if (!['site', 'cloudAdmin', 'rejected'].includes((row as { kind: string }).kind)) stats.problems.push(`row kind ${(row as { kind: string }).kind}`);
      bump(stats, `row ${(row as { kind: string }).kind}`);
      if (row.kind === 'rejected') stats.refused4xx++;
      else stats.ok++;
    } catch (e) {
      if (e instanceof AppError && e.status < 500) { stats.refused4xx++; bump(stats, 'AppError'); }
      else { stats.server5xx++; stats.problems.push(`CSV ${JSON.stringify(input.line.slice(0, 200))}: ${(e as Error).stack?.slice(0, 300)}`); }
    }
    const ms = performance.now() - t;
    stats.maxMs = Math.max(stats.maxMs, ms);
    if (ms > HANG_MS) stats.hangs++;
  };
  return { stats, arb: fc.record({ line: csvLineArb, format: fc.nat(), first: fc.boolean() }), run, finish: () => undefined };
}

/** Whole CSV files through the import API (dry runs and real imports), each job followed to its end. */
export async function csvImportTarget(env: FuzzEnv) {
  const stats = newStats('CSV files through POST /sites/{siteId}/imports');
  const tenantB = tenantBDigest(env);
  const arb = fc.record({
    lines: fc.array(csvLineArb, { minLength: 0, maxLength: 30 }),
    bom: fc.boolean(), crlf: fc.boolean(), dryRun: fc.boolean(), format: fc.constantFrom('cloud', 'server', 'tcm', 'bogus'), mode: fc.constantFrom('overwrite', 'promoteOnly', undefined),
    invalidUtf8: fc.boolean(),
  });
  const run = async (input: { lines: string[]; bom: boolean; crlf: boolean; dryRun: boolean; format: string; mode?: string; invalidUtf8: boolean }) => {
    let text = (input.bom ? '\uFEFF' : '') + input.lines.join(input.crlf ? '\r\n' : '\n');
    let raw: string | Buffer = text;
    if (input.invalidUtf8) raw = Buffer.concat([Buffer.from(text), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a])]);
    bump(stats, 'rows sent', input.lines.length);
    const q = new URLSearchParams({ format: input.format, dryRun: String(input.dryRun), ...(input.mode ? { mode: input.mode } : {}) });
    const r = await timed(stats, `import ${q} ${text.slice(0, 200)}`, () => env.client.req('POST', `/api/v1/sites/default/imports?${q}`, { raw, token: ADMIN_TOKEN, headers: { 'content-type': 'text/csv' }, timeoutMs: 5000 }),
      (x) => typeof x.body?.code === 'string' && typeof x.body?.message === 'string');
    if (r?.status !== 202) return;
    text = '';
    for (let i = 0; i < 500; i++) {
      const s = await env.client.req('GET', `/api/v1/imports/${r.body.jobId}`, { token: ADMIN_TOKEN, timeoutMs: 5000 });
      if (s.status >= 500) { stats.server5xx++; stats.problems.push(`job status ${s.status} ${s.text.slice(0, 200)}`); return; }
      if (s.body?.state !== 'running' && s.body?.state !== 'queued') {
        bump(stats, `job ${s.body?.state}`);
        bump(stats, 'rows reported', Array.isArray(s.body?.rows) ? s.body.rows.length : 0);
        return;
      }
      await new Promise((res) => setTimeout(res, 2));
    }
    stats.hangs++;
    stats.problems.push(`import job ${r.body.jobId} never finished`);
  };
  const finish = () => { if (tenantBDigest(env) !== tenantB) stats.problems.push("tenant B's data changed"); };
  return { stats, arb, run, finish };
}

/** Runs `numRuns` seeded inputs of a target through fast-check. */
export async function runTarget<T>(t: { stats: Stats; arb: fc.Arbitrary<T>; run: (x: T) => Promise<void>; finish: () => void }, numRuns: number, seed: number) {
  await fc.assert(fc.asyncProperty(t.arb, async (x) => { await t.run(x); }), { numRuns, seed, endOnFailure: true });
  t.finish();
  return t.stats;
}
