import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patch, startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

describe('concurrency', () => {
  it('two parallel creates of the same userName give one 201 and one 409', async () => {
    const body = userBody();
    const replies = await Promise.all([s.req('POST', '/Users', body), s.req('POST', '/Users', body)]);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    const list = await s.req('GET', `/Users?filter=${encodeURIComponent(`userName eq "${body.userName}"`)}`);
    expect(list.body.totalResults).toBe(1);
  });

  it('parallel PATCHes of different attributes on one user lose no update', async () => {
    const u = (await s.req('POST', '/Users', userBody())).body;
    const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const fields = ['department', 'costCenter', 'organization', 'division', 'employeeNumber'];
    const replies = await Promise.all(fields.map((f) => s.req('PATCH', `/Users/${u.id}`, patch({ op: 'add', path: `${ENT}:${f}`, value: `v-${f}` }))));
    expect(replies.map((r) => r.status)).toEqual(fields.map(() => 204));
    const got = (await s.req('GET', `/Users/${u.id}`)).body;
    for (const f of fields) expect(got[ENT][f]).toBe(`v-${f}`);
    expect(got.meta.version).toBe(`W/"${1 + fields.length}"`);
  });
});
