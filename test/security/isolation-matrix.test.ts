/**
 * Isolation matrix (issue 8 §4, SPEC §4/§9): every route of the app's route table × every verb
 * × a token of every kind (SCIM secrets and an OAuth access token of three sites in two
 * tenants; tenantAdmin, siteAdmin and auditor tokens of both tenants; a portal user's token;
 * no token; a garbage token), with path parameters filled with ids from the other side of each
 * boundary. Nothing here lists routes: a new route is in the matrix the day it is mounted.
 *
 * - A token of the wrong kind for a route (a SCIM secret on the admin API, an admin token on
 *   SCIM, a portal token outside /portal, nothing at all) gets 401 (403 for a siteAdmin on
 *   the portal plane), on every route but the public ones.
 * - An auditor's writes, and a siteAdmin's writes outside its site, are refused (403, or 404
 *   where the verb does not exist).
 * - An id from another tenant, another site (site-bound tokens) or another portal account
 *   (portal tokens) is refused — 401/403/404 — with exactly the answer an id that does not
 *   exist gets, so a foreign id cannot even be told to exist.
 * - No answer contains another boundary's names or emails; nothing changes: every table is
 *   identical afterwards, both tenants look the same through their own tokens, both audit
 *   chains verify, and the only new audit events are denials.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Reply } from '../helpers/server.js';
import { buildWorld, dumpStore, type Owner, type Tok, type World } from './fixture.js';
import { fill, routeTable, VERBS, type RouteEntry } from './route-table.js';

let w: World;
beforeAll(async () => {
  w = await buildWorld();
  // Let the dry-run import jobs finish, so nothing moves while the matrix runs.
  for (const j of Object.values(w.jobs)) {
    const tok = w.tokens.find((t) => t.scope === 'tenantAdmin' && t.tenant === j.owner.tenant)!;
    for (let i = 0; i < 200; i++) {
      const r = await w.as(tok, 'GET', `/api/v1/imports/${j.jobId}`);
      if (r.body?.state !== 'running' && r.body?.state !== 'queued') break;
      await new Promise((res) => setTimeout(res, 20));
    }
  }
}, 60_000);
afterAll(async () => { await w.s.close(); });

/** Routes anyone may call (no bearer token). Anything else answering 2xx without a token fails. */
const PUBLIC = [/^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/oauth\//, /^\/api\/v1\/openapi\.json$/, /^\/console(\/|$)/, /^\/$/];
const isPublic = (path: string) => PUBLIC.some((re) => re.test(path));
type RouteClass = 'scim' | 'portal' | 'admin' | 'public';
const classOf = (path: string): RouteClass =>
  isPublic(path) ? 'public' : path.startsWith('/scim/') ? 'scim' : path.startsWith('/api/v1/portal') ? 'portal' : path.startsWith('/api/v1') ? 'admin' : 'public';

/** Does this token's kind (and scope) get past authentication on this class of route? */
function admitted(tok: Tok, cls: RouteClass): boolean {
  if (cls === 'scim') return tok.kind === 'scim';
  if (cls === 'portal') return tok.kind === 'portal' || (tok.kind === 'admin' && tok.scope !== 'siteAdmin');
  if (cls === 'admin') return tok.kind === 'admin';
  return true;
}

function isForeign(tok: Tok, o: Owner): boolean {
  if (!tok.tenant) return false;
  if (o.tenant !== tok.tenant) return true;
  if (tok.site && o.site && o.site !== tok.site) return true;
  if (tok.account && o.account && o.account !== tok.account) return true;
  return false;
}

/** Candidate ids for a parameter of a route. */
function pool(route: string, param: string): string[] {
  const F = Object.values(w.families);
  const Acc = Object.values(w.accounts);
  switch (param) {
    case 'siteId': return F.map((f) => f.siteId);
    case 'userId': return F.map((f) => f.userId);
    case 'groupId': return F.map((f) => f.groupId);
    case 'credentialId': return F.map((f) => f.credentialId);
    case 'clientId': return F.map((f) => f.clientId);
    case 'configId': return F.map((f) => f.configId);
    case 'accountId': return Acc.map((a) => a.accountId);
    case 'portalUserId': return Acc.map((a) => a.portalUserId);
    case 'keyId': return Acc.map((a) => a.keyId);
    case 'jobId': return Object.values(w.jobs).map((j) => j.jobId);
    case 'id':
      if (/\/Users\/:id/.test(route)) return F.map((f) => f.userId);
      if (/\/Groups\/:id/.test(route)) return F.map((f) => f.groupId);
      if (/\/ResourceTypes\/:id/.test(route)) return ['User'];
      if (/\/Schemas\/:id/.test(route)) return ['urn:ietf:params:scim:schemas:core:2.0:User'];
      return [];
    default: return [];
  }
}

/** The token's own id for a parameter: from the token's own site / account family, consistent across parameters. */
function ownId(tok: Tok, route: string, param: string): string {
  const candidates = pool(route, param);
  const own = candidates.filter((id) => { const o = w.owners.get(id); return !o || !isForeign(tok, o); });
  const family = tok.site ? Object.values(w.families).find((f) => f.site === tok.site)?.name : tok.tenant === w.tenants.B ? 'B1' : 'A1';
  const accFamily = tok.account ? Object.values(w.accounts).find((a) => a.accountId === tok.account)?.name : tok.tenant === w.tenants.B ? 'accB' : 'accA';
  return own.find((id) => { const o = w.owners.get(id); return !o || o.family === family || o.family === accFamily; }) ?? own[0] ?? randomUUID();
}

/** A valid body for the write routes we know, so a refusal is about the boundary, not the body. */
function bodyFor(verb: string, route: string, tok: Tok): { body?: unknown; headers?: Record<string, string> } {
  const own = (p: string) => ownId(tok, route, p);
  const fam = Object.values(w.families).find((f) => f.userId === own('userId'))!;
  const user = () => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `matrix-${randomUUID()}@example.test`, active: true });
  const patchOp = (ops: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops });
  const r = route.replace(/^\/api\/v1/, '');
  const key = `${verb} ${r}`;
  const bodies: Record<string, unknown> = {
    'POST /scim/v2/Users': user(), 'PUT /scim/v2/Users/:id': user(), 'PATCH /scim/v2/Users/:id': patchOp([{ op: 'replace', path: 'active', value: false }]),
    'POST /scim/v2/Groups': { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `matrix-${randomUUID()}` },
    'PUT /scim/v2/Groups/:id': { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `matrix-${randomUUID()}`, members: [] },
    'PATCH /scim/v2/Groups/:id': patchOp([{ op: 'add', path: 'members', value: [{ value: fam.user2Id }] }]),
    'POST /sites': { name: 'matrix', contentUrl: `matrix-${Date.now()}` },
    'PATCH /sites/:siteId': { settings: { allowRename: false } },
    'POST /sites/:siteId/auth-configs': { type: 'SAML', entityId: 'urn:matrix' },
    'POST /sites/:siteId/scim': { authConfigId: fam.configId },
    'PATCH /sites/:siteId/auth-configs/:configId': { enabled: false },
    'PUT /sites/:siteId/licenses': { creator: 0, explorer: 0, viewer: 0 },
    'PUT /sites/:siteId/role-mapping': { rules: [], default: 'Creator' },
    'PATCH /sites/:siteId/groups/:groupId': { minimumSiteRole: 'Creator', grantLicenseMode: 'onSync' },
    'POST /sites/:siteId/users': { userName: `matrix-${randomUUID()}@example.test`, siteRole: 'Creator' },
    'PATCH /sites/:siteId/users/:userId': { siteRole: 'Creator' },
    'POST /sites/:siteId/content': { type: 'workbook', name: 'matrix', ownerUserId: fam.userId },
    'POST /sites/:siteId/content/transfer': { fromUserId: fam.userId, toUserId: fam.user2Id },
    'POST /sites/:siteId/sign-ins': { userId: fam.userId },
    'PUT /users/:userId/cloud-admin': { cloudAdmin: true },
    'PUT /users/:userId/site-memberships': { memberships: [{ siteId: fam.siteId, siteRole: 'Creator' }] },
    'POST /users/delete': { userIds: [fam.user2Id] },
    'POST /tokens': { scope: 'tenantAdmin' },
    'POST /audit/purge': { retentionDays: 1 },
    'POST /portal/accounts': { name: 'matrix account' },
    'POST /portal/accounts/:accountId/users': { email: `matrix-${Date.now()}@example.test`, firstName: 'M', lastName: 'X', role: 'Administrator' },
    'PATCH /portal/accounts/:accountId/users/:portalUserId': { role: 'DownloadOnly' },
    'POST /portal/accounts/:accountId/users/:portalUserId/tokens': {},
    'POST /portal/accounts/:accountId/keys': { product: 'matrix product' },
    'PATCH /portal/accounts/:accountId/keys/:keyId': { product: 'matrix renamed' },
  };
  if (key === 'POST /sites/:siteId/imports') return { body: 'matrix@example.test,,Matrix,Creator,None,yes,matrix@example.test\n', headers: { 'content-type': 'text/csv' } };
  if (key in bodies) return { body: bodies[key] };
  return verb === 'GET' || verb === 'DELETE' ? {} : { body: {} };
}

interface Attempt { route: RouteEntry; verb: string; tok: Tok; path: string; kind: 'wrongKind' | 'scope' | 'foreign'; param?: string; foreignId?: string; ref?: string; body?: unknown; headers?: Record<string, string> }

function plan(routes: RouteEntry[]): Attempt[] {
  const out: Attempt[] = [];
  for (const route of routes) {
    const cls = classOf(route.path);
    if (cls === 'public') continue;
    for (const verb of VERBS) {
      for (const tok of w.tokens) {
        const own: Record<string, string> = Object.fromEntries(route.params.map((p) => [p, ownId(tok, route.path, p)]));
        const withBody = bodyFor(verb, route.path, tok);
        if (!admitted(tok, cls)) {
          out.push({ route, verb, tok, path: fill(route.path, own), kind: 'wrongKind', ...withBody });
          continue;
        }
        const write = verb !== 'GET';
        const siteRoute = route.params.includes('siteId');
        if (tok.scope === 'auditor' && write) out.push({ route, verb, tok, path: fill(route.path, own), kind: 'scope', ...withBody });
        if (tok.scope === 'siteAdmin' && write && cls === 'admin' && !siteRoute) out.push({ route, verb, tok, path: fill(route.path, own), kind: 'scope', ...withBody });
        // Foreign ids, one parameter at a time, each next to an id that does not exist at all.
        for (const p of route.params) {
          const foreign = pool(route.path, p).filter((id) => { const o = w.owners.get(id); return o && isForeign(tok, o); });
          if (!foreign.length) continue;
          const ref = fill(route.path, { ...own, [p]: randomUUID() });
          for (const id of foreign) out.push({ route, verb, tok, path: fill(route.path, { ...own, [p]: id }), kind: 'foreign', param: p, foreignId: id, ref, ...withBody });
        }
      }
    }
  }
  return out;
}

async function pooled<T>(items: T[], n: number, fn: (t: T) => Promise<void>) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]!); }));
}

/** Another boundary's names and emails in an answer (those the request itself carried do not count). */
function leaksIn(tok: Tok, r: Reply, request: string): string[] {
  return w.secretsOf({ tenant: tok.tenant!, site: tok.site, account: tok.account }).filter((x) => r.text.includes(x) && !request.includes(x));
}

const answer = (r: Reply) => `${r.status} ${r.body?.code ?? r.body?.scimType ?? r.body?.error ?? ''}`;

/** Through each tenant's own tokens: what an administrator and an IdP can see. */
async function viewOf(tenant: string): Promise<unknown> {
  const admin = w.tokens.find((t) => t.tenant === tenant && t.scope === 'tenantAdmin')!;
  const scimOf = (site: string) => w.tokens.find((t) => t.kind === 'scim' && t.site === site && t.name.startsWith('scim'))!;
  const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'lastUsedAt' ? undefined : x)));
  const out: Record<string, unknown> = { sites: (await w.as(admin, 'GET', '/api/v1/sites')).body };
  for (const f of Object.values(w.families).filter((x) => x.tenant === tenant)) {
    out[f.name] = strip({
      site: (await w.as(admin, 'GET', `/api/v1/sites/${f.siteId}`)).body,
      licenses: (await w.as(admin, 'GET', `/api/v1/sites/${f.siteId}/licenses`)).body,
      mapping: (await w.as(admin, 'GET', `/api/v1/sites/${f.siteId}/role-mapping`)).body,
      credentials: (await w.as(admin, 'GET', `/api/v1/sites/${f.siteId}/credentials`)).body,
      user: (await w.as(admin, 'GET', `/api/v1/sites/${f.siteId}/users/${f.userId}`)).body,
      scimUsers: (await w.as(scimOf(f.siteId), 'GET', '/scim/v2/Users?count=1000')).body,
      scimGroups: (await w.as(scimOf(f.siteId), 'GET', '/scim/v2/Groups?count=1000')).body,
    });
  }
  const accounts = (await w.as(admin, 'GET', '/api/v1/portal/accounts')).body;
  out.portal = accounts;
  for (const a of Object.values(w.accounts).filter((x) => x.tenant === tenant)) {
    out[a.name] = { users: (await w.as(admin, 'GET', `/api/v1/portal/accounts/${a.accountId}/users`)).body, keys: (await w.as(admin, 'GET', `/api/v1/portal/accounts/${a.accountId}/keys`)).body };
  }
  return out;
}

async function auditState(tenant: string) {
  const admin = w.tokens.find((t) => t.tenant === tenant && t.scope === 'tenantAdmin')!;
  const verify = (await w.as(admin, 'GET', '/api/v1/audit/verify')).body;
  const text = (await w.as(admin, 'GET', '/api/v1/audit/export?format=ndjson')).text;
  const events = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; event: string; id: string });
  return { verify, events: events.filter((e) => e.kind === 'event') };
}

describe('isolation matrix (generated from the route table)', () => {
  it('refuses every cross-boundary attempt on every route, verb and token, and changes nothing', async () => {
    const routes = routeTable(w.s.container);
    const attempts = plan(routes);
    const beforeDb = dumpStore(w.s);
    const beforeView = { A: await viewOf(w.tenants.A), B: await viewOf(w.tenants.B) };
    const beforeAudit = { A: await auditState(w.tenants.A), B: await auditState(w.tenants.B) };
    const failures: string[] = [];
    const statuses: Record<string, number> = {};
    const refCache = new Map<string, Promise<Reply>>();
    let sent = 0;
    const fail = (a: Attempt, r: Reply, why: string) => {
      if (failures.length < 40) failures.push(`${a.tok.name} ${a.verb} ${a.path}${a.param ? ` (${a.param} of ${w.owners.get(a.foreignId!)?.family})` : ''} → ${answer(r)}: ${why} ${r.text.slice(0, 160)}`);
    };
    await pooled(attempts, 6, async (a) => {
      const r = await w.as(a.tok, a.verb, a.path, a.body, a.headers);
      sent++;
      statuses[`${a.kind} ${r.status}`] = (statuses[`${a.kind} ${r.status}`] ?? 0) + 1;
      if (r.status >= 500 && r.status !== 501) return fail(a, r, '5xx'); // 501: the verb is not implemented on the route
      if (a.kind === 'wrongKind') {
        const want = a.tok.scope === 'siteAdmin' && classOf(a.route.path) === 'portal' ? [403] : [401];
        if (!want.includes(r.status)) fail(a, r, `expected ${want.join('/')}`);
      } else if (a.kind === 'scope') {
        if (![403, 404, 405, 501].includes(r.status)) fail(a, r, 'expected 403 (or 404/405/501 for a verb the route lacks)');
      } else {
        if (![401, 403, 404, 405, 501].includes(r.status)) fail(a, r, 'foreign id not refused with 401/403/404 (405/501 for a verb the route lacks)');
        const key = `${a.tok.name} ${a.verb} ${a.ref}`;
        if (!refCache.has(key)) { refCache.set(key, w.as(a.tok, a.verb, a.ref!, a.body, a.headers)); sent++; }
        const ref = await refCache.get(key)!;
        if (answer(ref) !== answer(r)) fail(a, r, `a foreign id is told apart from an unknown id (${answer(ref)})`);
      }
      const leaks = a.tok.tenant ? leaksIn(a.tok, r, `${a.path} ${JSON.stringify(a.body ?? '')}`) : [];
      if (leaks.length) fail(a, r, `answer contains another boundary's data: ${leaks.join(', ')}`);
    });

    // Ids carried in bodies and query strings (not path parameters): hand-listed additions.
    const A1 = w.families.A1, A2 = w.families.A2, B1 = w.families.B1;
    const tok = (name: string) => w.tokens.find((t) => t.name === name)!;
    const extra: [string, string, string, unknown, (r: Reply) => boolean][] = [
      ['scim A1', 'POST', '/scim/v2/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [
        { method: 'DELETE', path: `/Users/${B1.userId}` }, { method: 'DELETE', path: `/Users/${A2.userId}` },
        { method: 'PATCH', path: `/Groups/${B1.groupId}`, data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'remove', path: 'members' }] } },
        { method: 'PUT', path: `/Users/${A2.userId}`, data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: A2.userName } }] },
      (r) => r.status === 200 && r.body.Operations.every((o: { status: string }) => o.status === '404')],
      ['scim A1', 'PATCH', `/scim/v2/Groups/${A1.groupId}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: B1.userId }, { value: A2.userId }] }] },
        (r) => r.status < 300],
      ['scim A1', 'POST', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `id eq "${B1.userId}" or id eq "${A2.userId}" or userName eq "${B1.userName}"` },
        (r) => r.status === 200 && r.body.totalResults === 0],
      ['scim A1', 'GET', `/scim/v2/Groups?filter=${encodeURIComponent(`members.value eq "${A2.userId}" or id eq "${B1.groupId}"`)}`, undefined, (r) => r.status === 200 && r.body.totalResults === 0],
      ['tenantAdmin A', 'POST', '/api/v1/sites/default/content/transfer', { fromUserId: A1.userId, toUserId: B1.userId }, (r) => r.status >= 400 && r.status < 500],
      ['tenantAdmin A', 'POST', '/api/v1/sites/default/content/transfer', { fromUserId: B1.userId, toUserId: A1.userId }, (r) => r.status >= 400 && r.status < 500],
      ['tenantAdmin A', 'POST', '/api/v1/sites/default/sign-ins', { userId: B1.userId }, (r) => r.status === 404],
      ['tenantAdmin A', 'POST', '/api/v1/sites/default/content', { type: 'workbook', name: 'x', ownerUserId: B1.userId }, (r) => r.status >= 400 && r.status < 500],
      ['tenantAdmin A', 'PUT', `/api/v1/users/${A1.userId}/site-memberships`, { memberships: [{ siteId: B1.siteId, siteRole: 'Viewer' }] }, (r) => r.status >= 400 && r.status < 500],
      ['tenantAdmin A', 'POST', '/api/v1/users/delete', { userIds: [B1.userId], userNames: [B1.userName] }, (r) => r.status < 500],
      ['tenantAdmin A', 'DELETE', `/api/v1/sites/default/users/${A1.user2Id}?mapAssetsTo=${B1.userId}`, undefined, (r) => r.status >= 400 && r.status < 500],
      ['siteAdmin A1', 'PATCH', `/api/v1/sites/default/users/${A2.userId}`, { siteRole: 'Creator' }, (r) => r.status === 404],
      ['siteAdmin A1', 'GET', `/api/v1/audit?siteId=${A2.siteId}`, undefined, (r) => r.status === 200 && r.body.entries.every((e: { siteId: string | null }) => e.siteId !== A2.siteId)],
      ['siteAdmin A1', 'GET', `/api/v1/reports/licenses?siteId=${A2.siteId}`, undefined, (r) => r.status === 200 && !r.text.includes(A2.siteId)],
      ['tenantAdmin A', 'GET', `/api/v1/audit?siteId=${B1.siteId}`, undefined, (r) => r.status === 200 && r.body.entries.length === 0],
      ['tenantAdmin A', 'GET', `/api/v1/audit?userId=${B1.userId}`, undefined, (r) => r.status === 200 && r.body.entries.length === 0],
      ['tenantAdmin A', 'GET', `/api/v1/users?siteId=${B1.siteId}`, undefined, (r) => r.status >= 400 || (r.body.users ?? []).length === 0],
      ['tenantAdmin A', 'POST', '/api/v1/tokens', { scope: 'siteAdmin', siteId: B1.siteId }, (r) => r.status === 404],
      ['portal user accA', 'GET', `/api/v1/portal/accounts/${w.accounts.accA.accountId}/keys?portalUserId=${w.accounts.accA2.portalUserId}`, undefined, (r) => r.status >= 400 || (r.body.keys ?? []).length === 0],
      ['portal user accA', 'POST', `/api/v1/portal/accounts/${w.accounts.accA.accountId}/keys`, { product: 'x', ownerPortalUserId: w.accounts.accB.portalUserId }, (r) => r.status >= 400 && r.status < 500],
      ['portal user accA', 'GET', '/api/v1/portal/accounts', undefined, (r) => r.status >= 400 || !r.text.includes(w.accounts.accA2.accountId)],
    ];
    let extraSent = 0;
    for (const [name, verb, path, body, ok] of extra) {
      const t = tok(name);
      const r = await w.as(t, verb, path, body);
      extraSent++;
      const leaks = leaksIn(t, r, `${path} ${JSON.stringify(body ?? '')}`);
      if (!ok(r) || r.status >= 500 || leaks.length) failures.push(`${name} ${verb} ${path} ${JSON.stringify(body)?.slice(0, 120)} → ${answer(r)} ${r.text.slice(0, 200)}${leaks.length ? ` leaks ${leaks}` : ''}`);
    }

    const afterDb = dumpStore(w.s);
    const afterView = { A: await viewOf(w.tenants.A), B: await viewOf(w.tenants.B) };
    const afterAudit = { A: await auditState(w.tenants.A), B: await auditState(w.tenants.B) };
    const changedTables = Object.keys(beforeDb).filter((t) => JSON.stringify(beforeDb[t]) !== JSON.stringify(afterDb[t]));
    const newEvents = (t: 'A' | 'B') => {
      const seen = new Set(beforeAudit[t].events.map((e) => e.id));
      return afterAudit[t].events.filter((e) => !seen.has(e.id));
    };
    const newA = newEvents('A');
    const newB = newEvents('B');
    const nonDenials = [...newA, ...newB].filter((e) => e.event !== 'PolicyDenied');

    const verbs = VERBS.length;
    const apiRoutes = routes.filter((r) => classOf(r.path) !== 'public');
    const byKind = (k: Attempt['kind']) => attempts.filter((a) => a.kind === k).length;
    process.stdout.write(
      `isolation matrix: ${apiRoutes.length} routes (of ${routes.length} in the route table; ${routes.length - apiRoutes.length} public) × ${w.tokens.length} tokens × ${verbs} verbs ` +
      `= ${apiRoutes.length * w.tokens.length * verbs} cells; ${attempts.length} attempts (${byKind('wrongKind')} wrong-kind token, ${byKind('scope')} out of scope, ` +
      `${byKind('foreign')} with a foreign id) + ${refCache.size} unknown-id references + ${extraSent} body/query cases = ${sent + extraSent} requests; ` +
      `answers ${JSON.stringify(Object.fromEntries(Object.entries(statuses).sort()))}; refused ${attempts.length - failures.length}/${attempts.length}; ` +
      `tables changed ${changedTables.length}; new audit events A ${newA.length} B ${newB.length} (non-denials ${nonDenials.length}); ` +
      `chains A ${JSON.stringify(afterAudit.A.verify)} B ${JSON.stringify(afterAudit.B.verify)}\n`,
    );
    if (failures.length) process.stdout.write(`isolation failures:\n  ${failures.join('\n  ')}\n`);
    expect(failures).toEqual([]);
    expect(changedTables).toEqual([]);
    expect(afterView).toEqual(beforeView);
    expect(nonDenials.map((e) => e.event)).toEqual([]);
    expect(afterAudit.A.verify).toMatchObject({ ok: true });
    expect(afterAudit.B.verify).toMatchObject({ ok: true });
    // The matrix really is generated: the SCIM, admin and portal planes are all in it.
    expect(apiRoutes.some((r) => r.path.startsWith('/scim/v2/Users/:id'))).toBe(true);
    expect(apiRoutes.some((r) => r.path.startsWith('/api/v1/sites/:siteId'))).toBe(true);
    expect(apiRoutes.some((r) => r.path.startsWith('/api/v1/portal/accounts/:accountId'))).toBe(true);
    expect(byKind('foreign')).toBeGreaterThan(500);
  }, 120_000);

  it('no route answers 2xx without a token unless it is on the public list', async () => {
    const routes = routeTable(w.s.container);
    const open: string[] = [];
    let n = 0;
    for (const r of routes) {
      if (isPublic(r.path)) continue;
      for (const verb of VERBS) {
        const res = await w.as({ name: 'none', header: null, kind: 'none' }, verb, fill(r.path, {}));
        n++;
        if (res.status < 400 || res.status >= 500) open.push(`${verb} ${r.path} → ${res.status}`);
      }
    }
    process.stdout.write(`unauthenticated: ${n} requests on ${routes.length - routes.filter((r) => isPublic(r.path)).length} non-public routes, ${open.length} not refused\n`);
    expect(open).toEqual([]);
  });
});
