/**
 * Server mode license pool (R-LIC-04) end to end over HTTP: the tenant pools its seats and a
 * user holds one seat at the tier of their highest role across sites. Its own server: the pool
 * is tenant-wide, so it must not share a tenant with the per-site seat tests.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patch, startTestServer, userBody, type TestServer } from '../helpers/server.js';

const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
const withRole = (role: string, extra: Record<string, unknown> = {}) => userBody({ [TABLEAU]: { siteRoles: [{ value: role }] }, ...extra });
const roleOf = (body: any) => body[TABLEAU].siteRoles[0].value;
const setRole = (role: string) => patch({ op: 'replace', path: `${TABLEAU}:siteRoles`, value: [{ value: role }] });

let s: TestServer;
let A: { siteId: string; scim: (m: string, p: string, b?: unknown) => ReturnType<TestServer['req']> };
let B: typeof A;

async function site(name: string): Promise<typeof A> {
  const { siteId, secret } = await s.addSite(name);
  return { siteId, scim: (m, p, b) => s.req(m, p, b, { authorization: `Bearer ${secret}` }) };
}
/** SCIM PATCH (204 on the fast path), then the resource as the site shows it. */
async function patched(on: typeof A, id: string, body: unknown) {
  expect((await on.scim('PATCH', `/Users/${id}`, body)).status).toBeLessThan(300);
  return (await on.scim('GET', `/Users/${id}`)).body;
}
const pool = async () => (await s.admin('GET', '/licenses')).body;
const setPool = (body: Record<string, unknown>) => s.admin('PUT', '/licenses', body);

beforeAll(async () => {
  s = await startTestServer();
  A = await site('server-a');
  B = await site('server-b');
});
afterAll(async () => { await s.close(); });

describe('Server mode license pool (R-LIC-04)', () => {
  it('R-LIC-05: a tenant pools seats per site until told otherwise', async () => {
    expect(await pool()).toEqual({ scope: 'site', capacity: { creator: null, explorer: null, viewer: null }, used: { creator: 0, explorer: 0, viewer: 0 }, allowBorrow: true });
    expect((await s.admin('GET', `/sites/${A.siteId}/licenses`)).body.pool).toBe('site');
  });

  it('R-LIC-04: one seat per user at the highest role across sites; a higher role waits when its tier is full', async () => {
    const put = await setPool({ scope: 'tenant', creator: 1, explorer: 0, viewer: 1, allowBorrow: false });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ scope: 'tenant', capacity: { creator: 1, explorer: 0, viewer: 1 }, used: { creator: 0, explorer: 0, viewer: 0 }, allowBorrow: false });
    expect((await s.admin('GET', `/sites/${A.siteId}/licenses`)).body.pool).toBe('tenant');

    // Alice: Creator on A and Viewer on B = one creator seat.
    const aliceA = await A.scim('POST', '/Users', withRole('Creator'));
    expect(roleOf(aliceA.body)).toBe('Creator');
    const aliceB = await B.scim('POST', '/Users', withRole('Viewer', { userName: aliceA.body.userName }));
    expect(aliceB.status).toBe(201);
    expect(aliceB.body.id).toBe(aliceA.body.id);
    expect([roleOf(aliceB.body), aliceB.body.active]).toEqual(['Viewer', true]);
    expect((await pool()).used).toEqual({ creator: 1, explorer: 0, viewer: 0 });

    // Bob takes the only viewer seat; Carol finds the pool full (no borrowing).
    const bob = await A.scim('POST', '/Users', withRole('Viewer'));
    expect(roleOf(bob.body)).toBe('Viewer');
    const carol = await B.scim('POST', '/Users', withRole('Viewer'));
    expect(roleOf(carol.body)).toBe('Unlicensed');
    const exhausted = (await s.admin('GET', `/audit?siteId=${B.siteId}&userId=${carol.body.id}&reason=LICENSE_EXHAUSTED`)).body.entries;
    expect(exhausted.map((e: any) => [e.event, e.data.pool])).toContainEqual(['LicenseExhausted', 'tenant']);
    expect((await pool()).used).toEqual({ creator: 1, explorer: 0, viewer: 1 });

    // Bob leaves: his viewer seat frees. Alice's Creator membership is revoked: her seat moves down to viewer.
    expect((await A.scim('DELETE', `/Users/${bob.body.id}`)).status).toBe(204);
    expect((await pool()).used).toEqual({ creator: 1, explorer: 0, viewer: 0 });
    const revoked = await patched(A, aliceA.body.id, patch({ op: 'replace', path: 'active', value: false }));
    expect(revoked.active).toBe(false);
    expect((await pool()).used).toEqual({ creator: 0, explorer: 0, viewer: 1 });
    const onB = await B.scim('GET', `/Users/${aliceA.body.id}`);
    expect([roleOf(onB.body), onB.body.active]).toEqual(['Viewer', true]);

    // The creator seat is free again: Carol asks for Creator and gets it.
    expect(roleOf(await patched(B, carol.body.id, setRole('Creator')))).toBe('Creator');
    expect((await pool()).used).toEqual({ creator: 1, explorer: 0, viewer: 1 });

    // Alice re-activated on A needs a creator seat: none left, so A waits and B keeps her viewer seat.
    expect(roleOf(await patched(A, aliceA.body.id, patch({ op: 'replace', path: 'active', value: true })))).toBe('Unlicensed');
    expect((await pool()).used).toEqual({ creator: 1, explorer: 0, viewer: 1 });
    const view = (await s.admin('GET', `/sites/${A.siteId}/users/${aliceA.body.id}`)).body;
    expect(view.memberships.find((m: any) => m.siteId === A.siteId)).toMatchObject({ requestedSiteRole: 'Creator', siteRole: 'Unlicensed', licensed: false });
    expect(view.memberships.find((m: any) => m.siteId === B.siteId)).toMatchObject({ siteRole: 'Viewer', licensed: true });
  });

  it('R-LIC-04/05: switching scope re-derives the seats from the memberships, and back', async () => {
    const perSite = await setPool({ scope: 'site', creator: null, explorer: null, viewer: null });
    expect(perSite.body).toMatchObject({ scope: 'site', used: { creator: 0, explorer: 0, viewer: 0 } });
    // Per site, Dave needs a seat on each site.
    const dave = await A.scim('POST', '/Users', withRole('Explorer'));
    await B.scim('POST', '/Users', withRole('Viewer', { userName: dave.body.userName }));
    expect((await s.admin('GET', `/sites/${B.siteId}/licenses`)).body.used.viewer).toBeGreaterThanOrEqual(1);
    // To the tenant pool: Alice (viewer on B), Carol (creator on B), Dave (explorer on A + viewer on B).
    const tenant = await setPool({ scope: 'tenant', creator: 1, explorer: 1, viewer: 1 });
    expect(tenant.body.used).toEqual({ creator: 1, explorer: 1, viewer: 1 });
    expect(tenant.body.allowBorrow).toBe(false); // kept when not given
    const audit = (await s.admin('GET', '/audit?event=LicenseCapacityChanged')).body.entries;
    expect(audit[0].data).toMatchObject({ pool: 'tenant', after: { scope: 'tenant', capacity: { creator: 1, explorer: 1, viewer: 1 } } });
  });

  it('R-LIC-04: bad pool bodies are refused with a stable code and change nothing', async () => {
    const before = await pool();
    for (const body of [{ scope: 'galaxy', creator: 1, explorer: 1, viewer: 1 }, { scope: 'tenant', creator: -1, explorer: 1, viewer: 1 }, { scope: 'tenant' }, { scope: 'tenant', creator: 1, explorer: 1, viewer: 1, extra: true }]) {
      const r = await setPool(body);
      expect([r.status, r.body.code]).toEqual([400, 'admin.invalid_body']);
    }
    expect(await pool()).toEqual(before);
  });

  it('R-LIC-04: 20 parallel creates on two sites competing for 5 tenant seats end with exactly 5 licensed', async () => {
    const fresh = await startTestServer();
    try {
      const sites = [await fresh.addSite('race-a'), await fresh.addSite('race-b')];
      expect((await fresh.admin('PUT', '/licenses', { scope: 'tenant', creator: 0, explorer: 0, viewer: 5 })).status).toBe(200);
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        fresh.req('POST', '/Users', withRole('Viewer'), { authorization: `Bearer ${sites[i % 2]!.secret}` })));
      expect(replies.every((r) => r.status === 201)).toBe(true);
      expect(replies.filter((r) => roleOf(r.body) === 'Viewer')).toHaveLength(5);
      expect((await fresh.admin('GET', '/licenses')).body.used).toEqual({ creator: 0, explorer: 0, viewer: 5 });
    } finally {
      await fresh.close();
    }
  });
});
