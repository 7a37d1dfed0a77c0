import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
const site = async (name: string) => (await s.addSite(`${name}${++n}`)).siteId;
async function addUser(siteId: string, userName: string, siteRole = 'Creator') {
  const r = await s.admin('POST', `/sites/${siteId}/users`, { userName, siteRole });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const view = async (userId: string) => (await s.admin('GET', '/users?limit=1000')).body.users.find((u: any) => u.id === userId);
const sitesOf = (u: any) => Object.fromEntries((u?.memberships ?? []).map((m: any) => [m.siteId, m.siteRole]));
const audit = async (q: string) => (await s.admin('GET', `/audit?kind=event&limit=1000&${q}`)).body.entries as any[];
const token = async (scope: string, siteId?: string) => (await s.admin('POST', '/tokens', { scope, ...(siteId ? { siteId } : {}) })).body.token as string;
async function importTcm(siteId: string, csv: string) {
  const r = await s.admin('POST', `/sites/${siteId}/imports?format=tcm`, csv, { 'content-type': 'text/csv' });
  expect(r.status).toBe(202);
  for (;;) {
    const st = await s.admin('GET', `/imports/${r.body.jobId}?limit=10000`);
    if (st.body.state !== 'running') return st.body;
    await sleep(25);
  }
}

describe('tenant users (R-TCM-01..06)', () => {
  it.each([
    ['one more site', [{ siteRole: 'Creator', authSetting: 'TableauIDWithMFA' }]],
    ['two more sites in one request, role and authentication per site (R-TCM-02)', [{ siteRole: 'Creator', authSetting: 'TableauIDWithMFA' }, { siteRole: 'explorer' }]],
  ])('R-TCM-01 a tenant user can be added to any site of the tenant: %s', async (_n, entries) => {
    const a = await site('tcm1a');
    const others: string[] = [];
    for (const _ of entries) others.push(await site('tcm1x'));
    const id = await addUser(a, `one${n}@tcm1.test`, 'Viewer');
    const r = await s.admin('PUT', `/users/${id}/site-memberships`, { memberships: entries.map((e, i) => ({ siteId: others[i], ...e })) });
    expect(r.status).toBe(200);
    expect(r.body.outcomes.map((o: any) => [o.siteId, o.outcome])).toEqual(others.map((x) => [x, 'created']));
    const expected = [[a, 'Viewer', 'SAML', 'admin'], [others[0], 'Creator', 'TableauIDWithMFA', 'admin'], ...(others[1] ? [[others[1], 'Explorer', 'SAML', 'admin']] : [])];
    expect(r.body.user.memberships.map((m: any) => [m.siteId, m.siteRole, m.authSetting, m.source])).toEqual(expected);
    expect((await audit(`siteId=${others[0]}&userId=${id}&event=UserProvisioned`))[0].data).toMatchObject({ channel: 'admin', siteRole: 'Creator' });
  });

  it.each([
    ['an unknown site in the list', (b: string) => [{ siteId: b, siteRole: 'Viewer' }, { siteId: 'no-such-site', siteRole: 'Viewer' }], 400, 'request.invalid_value'],
    ['a legacy role on one site (R-REST-04)', (b: string) => [{ siteId: b, siteRole: 'Viewer' }, { siteId: 'default', siteRole: 'Publisher' }], 400, 'request.invalid_value'],
    ['the same site twice', (b: string) => [{ siteId: b, siteRole: 'Viewer' }, { siteId: b, siteRole: 'Creator' }], 400, 'request.invalid_value'],
    ['a malformed entry', (b: string) => [{ siteId: b, siteRole: 'Viewer', remove: true }], 400, 'admin.invalid_body'],
  ])('R-TCM-02 all or nothing: %s changes no site', async (_n, list, status, code) => {
    const [a, b] = [await site('tcm2a'), await site('tcm2b')];
    const id = await addUser(a, `atomic${n}@tcm2.test`, 'Creator');
    await s.admin('PUT', `/users/${id}/site-memberships`, { memberships: [{ siteId: b, siteRole: 'Explorer' }] });
    const before = await view(id);
    const r = await s.admin('PUT', `/users/${id}/site-memberships`, { memberships: list(b) });
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
    expect(await view(id)).toEqual(before);
  });

  it('R-TCM-02 unlisted sites are untouched; remove follows the removal rule (an owner is retained); a non-member remove is a no-op', async () => {
    const [a, b, c] = [await site('tcm2r'), await site('tcm2s'), await site('tcm2t')];
    const id = await addUser(a, 'rm@tcm2.test', 'Creator');
    await s.admin('PUT', `/users/${id}/site-memberships`, { memberships: [{ siteId: b, siteRole: 'Creator' }] });
    await s.admin('POST', `/sites/${b}/content`, { type: 'datasource', name: 'DS', ownerUserId: id });
    const r = await s.admin('PUT', `/users/${id}/site-memberships`, { memberships: [{ siteId: b, remove: true }, { siteId: c, remove: true }] });
    expect(r.body.outcomes).toEqual([
      { siteId: b, outcome: 'retained', blocking: [expect.objectContaining({ type: 'datasource', name: 'DS' })], transferred: 0 },
      { siteId: c, outcome: 'notMember' }]);
    expect(sitesOf(r.body.user)).toEqual({ [a]: 'Creator', [b]: 'Unlicensed' });
    expect(r.body.user.memberships[1]).toMatchObject({ state: 'retainedOwner', ownedContentCount: 1 });
  });

  describe('R-TCM-03 at most 100 cloud administrators', () => {
    let t: TestServer;
    beforeAll(async () => { t = await startTestServer(); });
    afterAll(async () => { await t.close(); });
    it('R-TCM-03 a TCM file grants up to the cap and rejects the 101st row; PUT then answers 409 and rolls the whole request back', async () => {
      const csv = Array.from({ length: 101 }, (_, i) => `,boss${i}@cap.test,,,,Cloud,,,TableauIDWithMFA`).join('\n');
      const r = await t.admin('POST', '/sites/default/imports?format=tcm', csv, { 'content-type': 'text/csv' });
      let job: any;
      for (;;) {
        job = (await t.admin('GET', `/imports/${r.body.jobId}?outcome=rejected`)).body;
        if (job.state !== 'running') break;
        await sleep(25);
      }
      expect(job.counts).toMatchObject({ created: 100, rejected: 1 });
      expect(job.rows).toEqual([expect.objectContaining({ row: 101, reason: 'CLOUD_ADMIN_LIMIT' })]);
      expect((await t.admin('GET', '/users?cloudAdmin=true&limit=1000')).body.users).toHaveLength(100);
      const u = (await t.admin('POST', '/sites/default/users', { userName: 'next@cap.test', siteRole: 'Viewer' })).body.id;
      expect((await t.admin('PUT', `/users/${u}/cloud-admin`, { cloudAdmin: true })).status).toBe(409);
      const put = await t.admin('PUT', `/users/${u}/site-memberships`, { memberships: [{ siteId: 'default', siteRole: 'Creator' }], cloudAdmin: true });
      expect(put.status).toBe(409);
      expect(put.body).toMatchObject({ code: 'tenant.cloud_admin_limit', details: { reason: 'CLOUD_ADMIN_LIMIT' } });
      const after = (await t.admin('GET', `/sites/default/users/${u}`)).body;
      expect(after.memberships[0].siteRole).toBe('Viewer'); // the role change in the same request was rolled back
      const boss = (await t.admin('GET', '/users?cloudAdmin=true&limit=1')).body.users[0];
      expect((await t.admin('DELETE', `/users/${boss.id}`)).body).toMatchObject({ userDeleted: true, outcomes: [] }); // an identity without sites
      expect((await t.admin('PUT', `/users/${u}/site-memberships`, { memberships: [{ siteId: 'default', siteRole: 'Creator' }], cloudAdmin: true })).body.user)
        .toMatchObject({ cloudAdmin: true, memberships: [expect.objectContaining({ siteRole: 'Creator' })] });
    });
  });

  it.each([
    ['GET', '/users', undefined, 'siteAdmin', 403], ['GET', '/users/counts', undefined, 'siteAdmin', 403],
    ['PUT', '/users/x/site-memberships', { memberships: [{ siteId: 'default', siteRole: 'Viewer' }] }, 'siteAdmin', 403],
    ['DELETE', '/users/x', undefined, 'siteAdmin', 403], ['POST', '/users/delete', { userIds: ['x'] }, 'siteAdmin', 403],
    ['GET', '/users', undefined, 'auditor', 200], ['PUT', '/users/x/site-memberships', { memberships: [{ siteId: 'default', siteRole: 'Viewer' }] }, 'auditor', 403],
    ['DELETE', '/users/x', undefined, 'auditor', 403],
  ])('R-TCM-04 %s %s with a %s token → %s (the Cloud Users page is for cloud administrators)', async (method, path, body, scope, status) => {
    const tok = await token(scope, scope === 'siteAdmin' ? 'default' : undefined);
    const r = await s.admin(method, path, body, { authorization: `Bearer ${tok}` });
    expect(r.status).toBe(status);
    if (status === 403) expect(r.body.code).toBe('auth.forbidden_scope');
  });

  it('R-TCM-04 without a token: 401 with the admin error shape', async () => {
    const r = await s.admin('GET', '/users', undefined, { authorization: '' });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('auth.missing_credentials');
  });

  it.each([['the same case', 'known5@tcm5.test'], ['another case', 'KNOWN5@TCM5.TEST']])('R-TCM-05 an email already known in the tenant, in %s, is the same identity on another site (TCM CSV)', async (_n, asWritten) => {
    const [a, b] = [await site('tcm5a'), await site('tcm5b')];
    const name = `u${n}.${asWritten}`;
    const id = await addUser(a, name.toLowerCase(), 'Viewer');
    const bUri = (await s.admin('GET', `/sites/${b}`)).body.contentUrl;
    const job = await importTcm(a, `${bUri},${name},,,Creator,None,yes,,\n`);
    expect(job.rows[0]).toMatchObject({ outcome: 'created', siteRole: 'Creator' });
    const users = (await s.admin('GET', `/users?siteId=${b}`)).body.users;
    expect(users.map((u: any) => [u.id, u.userName])).toEqual([[id, name.toLowerCase()]]);
    expect(sitesOf(users[0])).toEqual({ [a]: 'Viewer', [b]: 'Creator' });
  });

  describe('R-TCM-06 users per role, filters and paging', () => {
    let a: string;
    let b: string;
    let ids: string[];
    beforeAll(async () => {
      [a, b] = [await site('tcm6a'), await site('tcm6b')];
      ids = [await addUser(a, 'p1@tcm6.test', 'Creator'), await addUser(a, 'p2@tcm6.test', 'Viewer'), await addUser(a, 'p3@tcm6.test', 'Viewer')];
      await s.admin('PUT', `/users/${ids[1]}/site-memberships`, { memberships: [{ siteId: b, siteRole: 'Creator' }], cloudAdmin: true });
    });
    it.each([
      ['site and role', () => `siteId=${a}&role=Creator`, () => [ids[0]]],
      ['site only', () => `siteId=${a}`, () => ids],
      ['role on another site', () => `siteId=${b}&role=creator`, () => [ids[1]]],
      ['site and cloud-admin flag', () => `siteId=${a}&cloudAdmin=true`, () => [ids[1]]],
      ['site and not cloud admin', () => `siteId=${a}&cloudAdmin=false`, () => [ids[0], ids[2]]],
    ])('R-TCM-06 GET /users filtered by %s, walked with cursors of 2', async (_n, query, expected) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = (await s.admin('GET', `/users?${query()}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
        expect(page.users.length).toBeLessThanOrEqual(2);
        seen.push(...page.users.map((u: any) => u.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual([...expected()].sort());
    });
    it.each([
      ['site a', () => a, { total: 3, roles: { Creator: 1, Viewer: 2 } }],
      ['site b', () => b, { total: 1, roles: { Creator: 1 } }],
    ])('R-TCM-06 GET /users/counts: users per role on %s and for the tenant', async (_n, siteId, expected) => {
      const counts = (await s.admin('GET', '/users/counts')).body;
      expect(counts.sites.find((x: any) => x.siteId === siteId())).toMatchObject(expected);
      expect(counts.tenant.Creator).toBeGreaterThanOrEqual(2);
    });
    it.each([
      ['a foreign cursor', '/users?cursor=bogus', 400, 'request.invalid_cursor'],
      ['a legacy role', '/users?role=Interactor', 400, 'request.invalid_value'],
      ['an unknown site', '/users?siteId=nowhere', 404, 'site.not_found'],
      ['a bad limit', '/users?limit=ten', 400, 'request.invalid_value'],
    ])('R-TCM-06 GET /users with %s is a clear 4xx', async (_n, path, status, code) => {
      const r = await s.admin('GET', path);
      expect(r.status).toBe(status);
      expect(r.body.code).toBe(code);
    });
  });
});

describe('tenant-wide removal (R-REST-26/27/28, seed 002)', () => {
  it('R-REST-28 a user on 3 sites owning content on 1 ends as an Unlicensed retained owner there and is gone from the other two', async () => {
    const [a, b, c] = [await site('rm3a'), await site('rm3b'), await site('rm3c')];
    const id = await addUser(a, 'three@rm.test', 'Creator');
    await s.admin('PUT', `/users/${id}/site-memberships`, { memberships: [{ siteId: b, siteRole: 'Explorer' }, { siteId: c, siteRole: 'Viewer' }] });
    await s.admin('POST', `/sites/${b}/content`, { type: 'workbook', name: 'Quarterly', ownerUserId: id });
    const r = await s.admin('DELETE', `/users/${id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userId: id, userDeleted: false });
    expect(r.body.outcomes.map((o: any) => [o.siteId, o.outcome])).toEqual([[a, 'removed'], [b, 'retained'], [c, 'removed']]);
    const u = await view(id);
    expect(u.memberships).toEqual([expect.objectContaining({ siteId: b, siteRole: 'Unlicensed', licensed: false, state: 'retainedOwner', ownedContentCount: 1 })]);
    expect((await audit(`siteId=${b}&userId=${id}&reason=CONTENT_OWNER_RETAINED`))[0].data.content).toEqual([expect.objectContaining({ name: 'Quarterly' })]);
    expect((await audit(`siteId=${a}&userId=${id}&event=MembershipRemoved`))).toHaveLength(1);
    // R-REST-26: once the content has a new owner, removing again deletes the identity.
    const heir = await addUser(b, 'heir@rm.test', 'Creator');
    await s.admin('POST', `/sites/${b}/content/transfer`, { fromUserId: id, toUserId: heir });
    expect((await s.admin('DELETE', `/users/${id}`)).body).toMatchObject({ userDeleted: true, outcomes: [{ siteId: b, outcome: 'removed' }] });
    expect(await view(id)).toBeUndefined();
    expect((await s.admin('DELETE', `/users/${id}`)).status).toBe(404);
  });

  it('R-REST-27 mapAssetsTo transfers content first, then the user leaves every site; an heir who is not a member changes nothing', async () => {
    const [a, b] = [await site('rmMa'), await site('rmMb')];
    const id = await addUser(a, 'leaver@rm.test', 'Creator');
    await s.admin('PUT', `/users/${id}/site-memberships`, { memberships: [{ siteId: b, siteRole: 'Creator' }] });
    await s.admin('POST', `/sites/${a}/content`, { type: 'project', name: 'P', ownerUserId: id });
    await s.admin('POST', `/sites/${b}/content`, { type: 'flow', name: 'F', ownerUserId: id });
    const heir = await addUser(a, 'heir@rmM.test', 'Creator');
    const refused = await s.admin('DELETE', `/users/${id}?mapAssetsTo=${heir}`);
    expect(refused.status).toBe(400); // the heir is not a member of site b: nothing changed
    expect(Object.keys(sitesOf(await view(id)))).toEqual([a, b]);
    await s.admin('PUT', `/users/${heir}/site-memberships`, { memberships: [{ siteId: b, siteRole: 'Viewer' }] });
    const r = await s.admin('DELETE', `/users/${id}?mapAssetsTo=${heir}`);
    expect(r.body).toMatchObject({ userDeleted: true, outcomes: [{ siteId: a, outcome: 'removed', transferred: 1 }, { siteId: b, outcome: 'removed', transferred: 1 }] });
    expect(sitesOf(await view(heir))).toEqual({ [a]: 'Creator', [b]: 'Viewer' });
    expect((await view(heir)).memberships.map((m: any) => m.ownedContentCount)).toEqual([1, 1]);
  });

  it('R-CSV-18 bulk removal takes any number of users (60, beyond the UI limit of 50), by id or userName', async () => {
    const a = await site('bulk');
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push(await addUser(a, `bulk${i}@rm.test`, 'Viewer'));
    const owner = await addUser(a, 'bulkowner@rm.test', 'Creator');
    await s.admin('POST', `/sites/${a}/content`, { type: 'view', name: 'V', ownerUserId: owner });
    const r = await s.admin('POST', '/users/delete', { userIds: [...ids.slice(0, 59), 'missing-id', owner], userNames: ['BULK59@rm.test'] });
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ removed: 60, retained: 1, notFound: 1, failed: 0 });
    expect(r.body.results.find((x: any) => x.userId === owner)).toMatchObject({ status: 'retained' });
    expect((await s.admin('GET', `/users?siteId=${a}`)).body.users.map((u: any) => u.id)).toEqual([owner]);
    expect((await s.admin('POST', '/users/delete', {})).status).toBe(400);
  });
});
