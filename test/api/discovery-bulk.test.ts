import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ scim: { bulkMaxOperations: 5 } }); });
afterAll(async () => { await s.close(); });
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

describe('discovery', () => {
  it('ServiceProviderConfig advertises what rolegate implements', async () => {
    const r = await s.req('GET', '/ServiceProviderConfig');
    expect(r.body).toMatchObject({
      patch: { supported: true }, bulk: { supported: true, maxOperations: 5 }, filter: { supported: true },
      sort: { supported: true }, etag: { supported: true }, pagination: { cursor: true, index: true },
    });
    expect(r.body.meta.location).toBe(`${s.scim}/ServiceProviderConfig`);
  });

  it('ResourceTypes lists Users first; Schemas carries User Account and the Tableau extension', async () => {
    const rt = await s.req('GET', '/ResourceTypes');
    expect(rt.body.Resources[0].endpoint).toBe('/Users');
    expect(rt.body.Resources[0].schemaExtensions.map((e: any) => e.schema)).toContain('urn:ietf:params:scim:schemas:extension:tableau:3.0:User');
    const sc = await s.req('GET', '/Schemas');
    expect(sc.text).toContain('User Account');
    expect((await s.req('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group')).body.id).toBe('urn:ietf:params:scim:schemas:core:2.0:Group');
    expect((await s.req('GET', '/ResourceTypes?filter=name eq "User"')).status).toBe(403);
  });
});

describe('/Bulk', () => {
  it('runs operations in order, resolves bulkId references, and reports per-operation status', async () => {
    const u = userBody();
    const r = await s.req('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: u },
        { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Bulk group', members: [{ value: 'bulkId:u1' }] } },
        { method: 'POST', path: '/Users', bulkId: 'dup', data: u },
        { method: 'PATCH', path: '/Users/bulkId:u1', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.Operations.map((o: any) => o.status)).toEqual(['201', '201', '409', '204']);
    expect(r.body.Operations[2].response.scimType).toBe('uniqueness');
    const userId = r.body.Operations[0].location.split('/').pop();
    const group = await s.req('GET', r.body.Operations[1].location);
    expect(group.body.members.map((m: any) => m.value)).toEqual([userId]);
    expect((await s.req('GET', `/Users/${userId}`)).body.active).toBe(false);
  });

  it('stops after failOnErrors errors and refuses more than maxOperations', async () => {
    const bad = { method: 'POST', path: '/Users', bulkId: 'x', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] } };
    const r = await s.req('POST', '/Bulk', { schemas: [BULK], failOnErrors: 1, Operations: [bad, { ...bad, bulkId: 'y', data: userBody() }] });
    expect(r.body.Operations).toHaveLength(1);
    expect(r.body.Operations[0].status).toBe('400');
    const tooMany = await s.req('POST', '/Bulk', { schemas: [BULK], Operations: Array.from({ length: 6 }, (_, i) => ({ ...bad, bulkId: `b${i}` })) });
    expect(tooMany.status).toBe(413);
  });
});

describe('/Bulk across shared commits', () => {
  it('a Bulk longer than one commit chunk resolves references across chunks, fails operations alone and persists the rest', async () => {
    const big = await startTestServer();
    try {
      const users = Array.from({ length: 130 }, () => userBody());
      const ops = [
        ...users.map((u, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: u })),
        { method: 'POST', path: '/Users', bulkId: 'dup', data: users[3] },
        { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Across chunks', members: [{ value: 'bulkId:u0' }, { value: 'bulkId:u129' }] } },
        { method: 'PATCH', path: '/Users/bulkId:u1', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] } },
        { method: 'DELETE', path: '/Users/bulkId:u2' },
      ];
      const r = await big.req('POST', '/Bulk', { schemas: [BULK], Operations: ops });
      expect(r.status).toBe(200);
      const statuses = r.body.Operations.map((o: any) => o.status);
      expect(statuses.slice(0, 130).every((x: string) => x === '201')).toBe(true);
      expect(statuses.slice(130)).toEqual(['409', '201', '204', '204']);
      const id = (i: number) => r.body.Operations[i].location.split('/').pop();
      const group = await big.req('GET', r.body.Operations[131].location.replace(big.scim, ''));
      expect(group.body.members.map((m: any) => m.value).sort()).toEqual([id(0), id(129)].sort());
      expect((await big.req('GET', `/Users/${id(1)}`)).body.active).toBe(false);
      expect((await big.req('GET', `/Users/${id(2)}`)).status).toBe(404);
      expect((await big.req('GET', '/Users?count=0')).body.totalResults).toBe(129);
      const created = await big.admin('GET', `/audit?event=UserProvisioned&limit=500`);
      expect(created.body.entries.length).toBe(130);
    } finally {
      await big.close();
    }
  });
});
