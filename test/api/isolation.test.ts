import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patch, startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
let tokenB: string;
const asB = () => ({ authorization: `Bearer ${tokenB}` });
beforeAll(async () => {
  s = await startTestServer();
  tokenB = (await s.addSite('site-b')).secret;
});
afterAll(async () => { await s.close(); });

describe('site isolation', () => {
  it('a token never reads or writes another site\'s users or groups (foreign id → 404)', async () => {
    const u = (await s.req('POST', '/Users', userBody())).body;
    const g = (await s.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'A-only', members: [{ value: u.id }] })).body;
    expect((await s.req('GET', `/Users/${u.id}`, undefined, asB())).status).toBe(404);
    expect((await s.req('PUT', `/Users/${u.id}`, userBody({ userName: u.userName }), asB())).status).toBe(404);
    expect((await s.req('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'active', value: false }), asB())).status).toBe(404);
    expect((await s.req('DELETE', `/Users/${u.id}`, undefined, asB())).status).toBe(404);
    expect((await s.req('GET', `/Groups/${g.id}`, undefined, asB())).status).toBe(404);
    expect((await s.req('PATCH', `/Groups/${g.id}`, patch({ op: 'remove', path: 'members' }), asB())).status).toBe(404);
    expect((await s.req('DELETE', `/Groups/${g.id}`, undefined, asB())).status).toBe(404);
    const listB = await s.req('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`, undefined, asB());
    expect(listB.body.totalResults).toBe(0);
    expect((await s.req('GET', '/Groups', undefined, asB())).body.totalResults).toBe(0);
    // Site A is untouched.
    const a = await s.req('GET', `/Users/${u.id}`);
    expect(a.body).toMatchObject({ active: true, meta: { version: u.meta.version } });
    expect((await s.req('GET', `/Groups/${g.id}`)).body.members).toHaveLength(1);
  });

  it('site B cannot add site A\'s user to its groups', async () => {
    const u = (await s.req('POST', '/Users', userBody())).body;
    const gb = (await s.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'B group' }, asB())).body;
    await s.req('PATCH', `/Groups/${gb.id}`, patch({ op: 'add', path: 'members', value: [{ value: u.id }] }), asB());
    expect((await s.req('GET', `/Groups/${gb.id}`, undefined, asB())).body.members).toBeUndefined();
  });

  it('the same userName on site B joins the one tenant identity (same id), without exposing A\'s groups', async () => {
    const body = userBody();
    const a = (await s.req('POST', '/Users', body)).body;
    const b = await s.req('POST', '/Users', body, asB());
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.id);
    expect((await s.req('GET', '/Users', undefined, asB())).body.Resources.map((x: any) => x.id)).toContain(a.id);
    // Deleting on B keeps A's membership.
    expect((await s.req('DELETE', `/Users/${a.id}`, undefined, asB())).status).toBe(204);
    expect((await s.req('GET', `/Users/${a.id}`)).status).toBe(200);
  });
});
