import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ scim: { maxBodyBytes: 65536 } }); });
afterAll(async () => { await s.close(); });

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const isScimError = (r: { headers: Headers; body: any }, status: number) => {
  expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(r.body).toMatchObject({ schemas: [ERROR], status: String(status), detail: expect.any(String) });
};

describe('errors are SCIM Error JSON', () => {
  it('401 without or with a wrong token, and for Authorization: non-token', async () => {
    for (const auth of ['', 'Bearer wrong-token-wrong-token', 'non-token']) {
      const r = await s.req('GET', '/Users', undefined, { authorization: auth });
      expect(r.status).toBe(401);
      isScimError(r, 401);
    }
  });

  it('404 on unknown routes, inside and outside /scim/v2', async () => {
    isScimError(await s.req('GET', '/Nope'), 404);
    const out = await s.req('GET', `${s.url}/nope`);
    expect(out.status).toBe(404);
    isScimError(out, 404);
  });

  it('501 for /Me', async () => {
    const r = await s.req('GET', '/Me');
    expect(r.status).toBe(501);
    isScimError(r, 501);
  });

  it('400 invalidSyntax for malformed JSON, and nothing is written', async () => {
    const r = await s.req('POST', '/Users', '{"userName": "junk@x", "active": tre,', { 'content-type': 'application/scim+json' });
    expect(r.status).toBe(400);
    isScimError(r, 400);
    expect(r.body.scimType).toBe('invalidSyntax');
    expect((await s.req('GET', '/Users?filter=userName eq "junk@x"')).body.totalResults).toBe(0);
  });

  it('400 invalidValue for wrong types', async () => {
    for (const bad of [{ userName: 42 }, { name: 'not-an-object' }, { emails: 'x' }, { active: 'maybe' }]) {
      const r = await s.req('POST', '/Users', userBody(bad));
      expect(r.status).toBe(400);
      isScimError(r, 400);
    }
    const arr = await s.req('POST', '/Users', [1, 2, 3]);
    expect(arr.status).toBe(400);
  });

  it('413 for an oversized body, server stays up', async () => {
    const r = await s.req('POST', '/Users', userBody({ displayName: 'x'.repeat(70_000) }));
    expect(r.status).toBe(413);
    isScimError(r, 413);
    expect((await s.req('GET', '/Users')).status).toBe(200);
  });

  it('never leaks stack traces', async () => {
    const r = await s.req('POST', '/Users', '{', { 'content-type': 'application/json' });
    expect(r.text).not.toMatch(/at .*\.(js|ts):\d+/);
  });
});
