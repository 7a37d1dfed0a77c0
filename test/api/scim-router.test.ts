import { gzipSync } from 'node:zlib';
import { request } from 'node:http';
import { startTestServer, userBody, type TestServer } from '../helpers/server.js';

/**
 * The SCIM router serves /scim/v2 on node:http, before Express. These pin down the parts of
 * Express's behaviour it keeps: paths case-insensitive with an optional trailing slash, the
 * same JSON body parser (compressed bodies included), the same query parser, the mount's own
 * 401/404 answers, and the shared per-request bookkeeping (request id, metrics by route
 * pattern, audit request entry).
 */
let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

const isScimError = (body: any, status: number) => {
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(body.status).toBe(String(status));
};

test('paths are case-insensitive and take one trailing slash', async () => {
  const created = await s.req('POST', `${s.url}/SCIM/V2/users/`, userBody());
  expect(created.status).toBe(201);
  // The location keeps the mount as the client wrote it, like Express's req.baseUrl.
  expect(created.body.meta.location).toBe(`${s.url}/SCIM/V2/Users/${created.body.id}`);
  const got = await s.req('GET', `/USERS/${created.body.id}/`);
  expect(got.status).toBe(200);
  expect(got.body.id).toBe(created.body.id);
  expect((await s.req('GET', '/serviceproviderconfig')).status).toBe(200);
});

test('the mount answers 401 before routing, 404 as SCIM errors after', async () => {
  const anon = await s.req('GET', '/Nothing/here', undefined, { authorization: '' });
  expect(anon.status).toBe(401);
  expect(anon.headers.get('www-authenticate')).toMatch(/^Bearer/);
  isScimError(anon.body, 401);
  for (const path of ['/Nothing', '/Users/a/b', '/Bulk']) {
    const r = await s.req('GET', path);
    expect(r.status).toBe(404);
    isScimError(r.body, 404);
    expect(r.body.detail).toBe(`No SCIM endpoint at GET /scim/v2${path}`);
  }
  // Not the SCIM mount: Express answers (SCIM-shaped error JSON there too).
  const beside = await s.req('GET', `${s.url}/scim/v2Users`);
  expect(beside.status).toBe(404);
  isScimError(beside.body, 404);
});

test('an id that is not valid percent-encoding is a 404, not a crash (Express answered 500)', async () => {
  const r = await s.req('GET', '/Users/%E0%A4%A');
  expect(r.status).toBe(404);
  isScimError(r.body, 404);
});

test('an id is URI-decoded, an unknown one is 404 resource not found', async () => {
  const r = await s.req('GET', `/Users/${encodeURIComponent('no such/user')}`);
  expect(r.status).toBe(404);
  expect(r.body.detail).toMatch(/no such\/user/);
});

test('a gzip-compressed JSON body is read like Express read it', async () => {
  const body = gzipSync(Buffer.from(JSON.stringify(userBody())));
  const status = await new Promise<number>((resolve, reject) => {
    const u = new URL(`${s.scim}/Users`);
    const r = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: {
      authorization: `Bearer ${s.token}`, 'content-type': 'application/scim+json', 'content-encoding': 'gzip', 'content-length': body.length,
    } }, (res) => { res.resume(); resolve(res.statusCode!); });
    r.on('error', reject);
    r.end(body);
  });
  expect(status).toBe(201);
  const unsupported = await s.req('POST', '/Users', JSON.stringify(userBody()), { 'content-type': 'application/scim+json; charset=latin1' });
  expect(unsupported.status).toBe(400);
  isScimError(unsupported.body, 400);
  expect(unsupported.body.detail).toMatch(/unsupported charset/);
});

test('query parameters are parsed as Express parsed them (a repeated key counts with its last value)', async () => {
  for (let i = 0; i < 3; i++) expect((await s.req('POST', '/Users', userBody())).status).toBe(201);
  const r = await s.req('GET', '/Users?count=1&count=2');
  expect(r.status).toBe(200);
  expect(r.body.itemsPerPage).toBe(2);
  const nested = await s.req('GET', '/Users?count[x]=1');
  expect(nested.status).toBe(400);
  isScimError(nested.body, 400);
  const ok = await s.req('GET', '/Users?count=1&attributes=userName');
  expect(ok.status).toBe(200);
  expect(ok.body.Resources).toHaveLength(1);
  expect(Object.keys(ok.body.Resources[0]).sort()).toEqual(['id', 'schemas', 'userName']);
});

test('request id, metrics by route pattern and the audit request entry come from the shared bookkeeping', async () => {
  const created = await s.req('POST', '/Users', userBody(), { 'x-request-id': 'router-test-1' });
  expect(created.headers.get('x-request-id')).toBe('router-test-1');
  expect(created.headers.get('x-content-type-options')).toBe('nosniff');
  await s.req('GET', `/Users/${created.body.id}`);
  const metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
  expect(metrics).toMatch(/rolegate_requests_total\{route="\/scim\/v2\/Users\/:id",method="GET",status="200"/);
  expect(metrics).toMatch(/rolegate_requests_total\{route="\/scim\/v2\/Users",method="POST",status="201"/);
  await s.container.auditLog.flush();
  const entries = await s.admin('GET', '/audit?requestId=router-test-1');
  const kinds = entries.body.entries.map((e: any) => e.event);
  expect(kinds).toContain('RequestHandled');
  expect(kinds).toContain('UserProvisioned');
});
