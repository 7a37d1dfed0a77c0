import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, userBody, type TestServer } from '../helpers/server.js';

let clock = Date.now();
let s: TestServer;
beforeAll(async () => { s = await startTestServer({}, { now: () => clock }); });
afterAll(async () => { await s.close(); });

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
async function token(url: string, body: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  return { status: r.status, body: await r.json() as any, headers: r.headers };
}

describe('OAuth 2.0 client credentials (INTEROP §B4)', () => {
  it('issues a JWT access token that works on SCIM, expires, and dies with its revoked client', async () => {
    const { siteId } = await s.addSite('oauth');
    const client = await s.admin('POST', `/sites/${siteId}/oauth-clients`, { label: 'Entra gallery' });
    expect(client.status).toBe(201);
    const { clientId, clientSecret } = client.body;
    const bad = await token(s.url, form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' }));
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_client');
    expect((await token(s.url, form({ grant_type: 'password', client_id: clientId, client_secret: clientSecret }))).body.error).toBe('unsupported_grant_type');
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    const t = await token(s.url, form({ grant_type: 'client_credentials' }), { authorization: basic });
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(t.headers.get('cache-control')).toBe('no-store');
    const auth = { authorization: `Bearer ${t.body.access_token}` };
    expect((await s.req('POST', '/Users', userBody(), auth)).status).toBe(201);
    expect((await s.req('GET', '/Users', undefined, auth)).body.totalResults).toBe(1); // the OAuth client's site, not default
    clock += 3601_000;
    expect((await s.req('GET', '/Users', undefined, auth)).status).toBe(401);
    const fresh = await token(s.url, form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }));
    const auth2 = { authorization: `Bearer ${fresh.body.access_token}` };
    expect((await s.req('GET', '/Users', undefined, auth2)).status).toBe(200);
    expect((await s.admin('DELETE', `/sites/${siteId}/oauth-clients/${clientId}`)).status).toBe(204);
    expect((await s.req('GET', '/Users', undefined, auth2)).status).toBe(401);
    expect((await token(s.url, form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }))).status).toBe(401);
  });
});

describe('credentials', () => {
  it('rotation with a grace window keeps the old secret working until it ends; revocation is immediate', async () => {
    const { siteId, secret } = await s.addSite('rotate');
    const site = await s.admin('GET', `/sites/${siteId}`);
    const configId = site.body.scim.authConfigId;
    const rotated = await s.admin('POST', `/sites/${siteId}/scim`, { authConfigId: configId, graceSeconds: 600 });
    const old = { authorization: `Bearer ${secret}` };
    const neu = { authorization: `Bearer ${rotated.body.secret}` };
    expect((await s.req('GET', '/Users', undefined, old)).status).toBe(200);
    expect((await s.req('GET', '/Users', undefined, neu)).status).toBe(200);
    clock += 601_000;
    expect((await s.req('GET', '/Users', undefined, old)).status).toBe(401);
    const list = await s.admin('GET', `/sites/${siteId}/credentials`);
    const live = list.body.credentials.filter((c: any) => c.live);
    expect(live).toHaveLength(1);
    expect(live[0].lastUsedAt).toEqual(expect.any(String));
    expect(JSON.stringify(list.body)).not.toContain(rotated.body.secret);
    expect((await s.admin('DELETE', `/sites/${siteId}/credentials/${live[0].id}`)).status).toBe(204);
    expect((await s.req('GET', '/Users', undefined, neu)).status).toBe(401);
  });
});

describe('credentials: rotation without grace', () => {
  it('the old secret is refused as soon as the rotation answers, even just after it was used (and cached)', async () => {
    const { siteId, secret } = await s.addSite('rotate-now');
    const configId = (await s.admin('GET', `/sites/${siteId}`)).body.scim.authConfigId;
    const old = { authorization: `Bearer ${secret}` };
    expect((await s.req('GET', '/Users', undefined, old)).status).toBe(200);
    const rotated = await s.admin('POST', `/sites/${siteId}/scim`, { authConfigId: configId });
    expect(rotated.status).toBe(200);
    expect((await s.req('GET', '/Users', undefined, old)).status).toBe(401);
    expect((await s.req('GET', '/Users', undefined, { authorization: `Bearer ${rotated.body.secret}` })).status).toBe(200);
    const audit = (await s.admin('GET', `/audit?siteId=${siteId}&event=ScimSecretRotated`)).body.entries;
    expect(audit.length).toBe(2); // the first enablement and this rotation, each with its secret
  });
});

describe('overload answers', () => {
  it('over the per-token rate: 429, integer Retry-After, SCIM Error body; other tokens unaffected', async () => {
    let t = Date.now();
    const limited = await startTestServer({ limits: { ratePerSecond: 5, burst: 5 } }, { now: () => t });
    try {
      const replies = [];
      for (let i = 0; i < 8; i++) replies.push(await limited.req('GET', '/Users'));
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect(replies[5].headers.get('retry-after')).toMatch(/^\d+$/);
      expect(replies[5].body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429' });
      expect((await limited.admin('GET', '/sites')).status).toBe(200); // another credential, another bucket
      t += 2000;
      expect((await limited.req('GET', '/Users')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('operations endpoints', () => {
  it('/healthz, /readyz and Prometheus /metrics', async () => {
    expect((await s.req('GET', `${s.url}/healthz`)).status).toBe(200);
    expect((await s.req('GET', `${s.url}/readyz`)).body).toEqual({ ready: true });
    const m = await fetch(`${s.url}/metrics`);
    const text = await m.text();
    expect(text).toMatch(/rolegate_requests_total\{route="\/scim\/v2\/Users",method="GET",status="200",client="other"\} \d+/);
    expect(text).toContain('rolegate_request_duration_seconds_bucket');
    expect(text).toMatch(/rolegate_seats_used\{site="default",tier="creator"\} \d+/);
    expect(text).toContain('rolegate_audit_lag_entries');
  });
});
