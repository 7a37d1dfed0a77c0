/**
 * Secrets never leak (issue 8 §5, SPEC §7/§9): a real server process logging at `trace` takes a
 * representative run — bootstrap tokens, an issued admin JWT, SCIM secrets enabled and rotated
 * with a grace window, a revoked one, an OAuth client secret and its access tokens (body and
 * HTTP Basic), a portal token, wrong tokens, and passwords sent in SCIM bodies (POST, PUT,
 * PATCH, Bulk, a filter). Then every log line, every audit entry (NDJSON, CSV and JSON),
 * every error body, every other answer but the one that issued a secret, and /metrics are
 * searched for each secret, password and token, and for their SHA-256 hex. The store file is
 * searched for the plaintext too (secrets are kept as hashes; passwords not at all).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, Client, PATCH_OP, SCIM_TOKEN, spawnServer, type Reply } from '../reliability/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'rolegate-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const rnd = () => randomBytes(9).toString('base64url');

describe('no secret, password or token in logs, audit entries, error bodies or metrics', () => {
  it('after a full run of representative requests', async () => {
    const dbPath = join(dir, 'rolegate.db');
    const server = await spawnServer({ dbPath, logLevel: 'trace' });
    const c = new Client(server.url, 4);
    const secrets = new Map<string, string>([['bootstrap SCIM token', SCIM_TOKEN], ['bootstrap admin token', ADMIN_TOKEN]]);
    const answers: { what: string; r: Reply; issued?: string[] }[] = [];
    const call = async (what: string, method: string, path: string, opts: Parameters<Client['req']>[2] = {}, issued?: (r: Reply) => Record<string, string>) => {
      const r = await c.req(method, path, opts);
      const fresh = issued && r.status < 300 ? issued(r) : {};
      for (const [k, v] of Object.entries(fresh)) secrets.set(k, v);
      answers.push({ what, r, issued: Object.values(fresh) });
      return r;
    };
    try {
      const admin = { token: ADMIN_TOKEN };
      // Admin JWT.
      const jwt = await call('issue JWT', 'POST', '/api/v1/tokens', { ...admin, body: { scope: 'tenantAdmin', ttlSeconds: 600 } }, (r) => ({ 'admin JWT': r.body.token }));
      const asJwt = { token: jwt.body.token as string };
      await call('JWT use', 'GET', '/api/v1/sites', asJwt);
      // A site with SCIM: a secret, rotated with a grace window, the old one then revoked.
      const site = await call('site', 'POST', '/api/v1/sites', { ...asJwt, body: { name: 'Secrets', contentUrl: `secrets-${Date.now()}` } });
      const sid = site.body.id as string;
      const cfg = await call('auth config', 'POST', `/api/v1/sites/${sid}/auth-configs`, { ...asJwt, body: { type: 'SAML', entityId: 'urn:secrets', certificate: 'MIIC-not-a-secret' } });
      const s1 = await call('enable SCIM', 'POST', `/api/v1/sites/${sid}/scim`, { ...asJwt, body: { authConfigId: cfg.body.id } }, (r) => ({ 'SCIM secret 1': r.body.secret }));
      const s2 = await call('rotate SCIM', 'POST', `/api/v1/sites/${sid}/scim`, { ...asJwt, body: { authConfigId: cfg.body.id, graceSeconds: 300 } }, (r) => ({ 'SCIM secret 2': r.body.secret }));
      const scim1 = { token: s1.body.secret as string };
      const scim2 = { token: s2.body.secret as string };
      await call('old secret in grace', 'GET', '/scim/v2/Users', scim1);
      await call('new secret', 'GET', '/scim/v2/Users', scim2);
      const creds = await call('credentials', 'GET', `/api/v1/sites/${sid}/credentials`, asJwt);
      for (const cr of creds.body.credentials as { id: string; live: boolean }[]) {
        if (cr.live) await call('revoke', 'DELETE', `/api/v1/sites/${sid}/credentials/${cr.id}`, asJwt).then(() => undefined);
        break;
      }
      await call('revoked secret', 'GET', '/scim/v2/Users', scim1);
      const s3 = await call('re-enable SCIM', 'POST', `/api/v1/sites/${sid}/scim`, { ...asJwt, body: { authConfigId: cfg.body.id } }, (r) => ({ 'SCIM secret 3': r.body.secret }));
      const scim3 = { token: s3.body.secret as string };
      // OAuth client credentials: body and Basic; a wrong secret; the access token on SCIM.
      const client = await call('oauth client', 'POST', `/api/v1/sites/${sid}/oauth-clients`, { ...asJwt, body: { label: 'Entra' } }, (r) => ({ 'OAuth client secret': r.body.clientSecret }));
      const { clientId, clientSecret } = client.body as { clientId: string; clientSecret: string };
      const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
      const t1 = await call('token (body)', 'POST', '/oauth/token', { token: null, raw: form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        (r) => ({ 'OAuth access token 1': r.body.access_token }));
      const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
      secrets.set('Basic credentials', basic);
      await call('token (Basic)', 'POST', '/oauth/token', { token: null, raw: form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` } },
        (r) => ({ 'OAuth access token 2': r.body.access_token }));
      const wrongClient = `rgc_${rnd()}${rnd()}`;
      secrets.set('wrong client secret', wrongClient);
      await call('token (wrong secret)', 'POST', '/oauth/token', { token: null, body: { grant_type: 'client_credentials', client_id: clientId, client_secret: wrongClient } });
      await call('token (json)', 'POST', '/oauth/token', { token: null, body: { grant_type: 'password', client_id: clientId, client_secret: clientSecret, password: 'oauth-password' } });
      const access = { token: t1.body.access_token as string };
      await call('SCIM with access token', 'GET', '/scim/v2/Users', access);
      // Passwords in SCIM bodies.
      const pw = (n: number) => { const p = `Pw${n}-${rnd()}!`; secrets.set(`password ${n}`, p); return p; };
      const userName = `secret.person.${Date.now()}@example.test`;
      const u = await call('POST user with password', 'POST', '/scim/v2/Users', { ...scim3, body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, password: pw(1), active: true, emails: [{ value: userName, type: 'work', primary: true }] } });
      await call('PUT with password', 'PUT', `/scim/v2/Users/${u.body.id}`, { ...scim3, body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, password: pw(2), active: true } });
      await call('PATCH password', 'PATCH', `/scim/v2/Users/${u.body.id}`, { ...scim3, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: pw(3) }] } });
      await call('PATCH password (no path)', 'PATCH', `/scim/v2/Users/${u.body.id}`, { ...access, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { password: pw(4), active: false } }] } });
      await call('Bulk with password', 'POST', '/scim/v2/Bulk', { ...scim3, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `bulk.${userName}`, password: pw(5) } },
        { method: 'PATCH', path: '/Users/bulkId:a', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: pw(6) }] } },
        { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], password: pw(7) } }] } });
      await call('invalid user with password', 'POST', '/scim/v2/Users', { ...scim3, body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], password: pw(8), active: 'maybe' } });
      await call('filter on password', 'GET', `/scim/v2/Users?filter=${encodeURIComponent(`password eq "${pw(9)}"`)}`, scim3);
      await call('malformed JSON with password', 'POST', '/scim/v2/Users', { ...scim3, raw: `{"userName":"x","password":"${pw(10)}",` });
      // Wrong and foreign tokens in every place a token goes.
      const wrong = `rgs_${rnd()}${rnd()}${rnd()}`;
      secrets.set('wrong SCIM secret', wrong);
      await call('wrong SCIM secret', 'GET', '/scim/v2/Users', { token: wrong });
      await call('wrong admin token', 'GET', '/api/v1/sites', { token: wrong });
      await call('SCIM secret on admin API', 'GET', '/api/v1/sites', scim3);
      await call('admin token on SCIM', 'GET', '/scim/v2/Users', admin);
      await call('token in the query string', 'GET', `/scim/v2/Users?access_token=${encodeURIComponent(wrong)}&count=1`, scim3);
      const tampered = `${(jwt.body.token as string).slice(0, -4)}AAAA`;
      await call('tampered JWT', 'GET', '/api/v1/sites', { token: tampered });
      // Portal token.
      const acc = await call('portal account', 'POST', '/api/v1/portal/accounts', { ...admin, body: { name: 'Secret Co' } });
      const pu = await call('portal user', 'POST', `/api/v1/portal/accounts/${acc.body.id}/users`, { ...admin, body: { email: `portal.${Date.now()}@example.test`, firstName: 'P', lastName: 'U', role: 'Administrator' } });
      const pt = await call('portal token', 'POST', `/api/v1/portal/accounts/${acc.body.id}/users/${pu.body.id}/tokens`, { ...admin, body: {} }, (r) => ({ 'portal token': r.body.token }));
      if (pt.status === 201) await call('portal token use', 'GET', `/api/v1/portal/accounts/${acc.body.id}`, { token: pt.body.token });
      await call('audit query', 'GET', '/api/v1/audit?limit=500', admin);

      // What is scanned: audit (3 formats), metrics, then the logs after a clean shutdown.
      const ndjson = await c.req('GET', '/api/v1/audit/export?format=ndjson', admin);
      const csv = await c.req('GET', '/api/v1/audit/export?format=csv', admin);
      const metrics = await c.req('GET', '/metrics', { token: null });
      c.close();
      await server.kill('SIGTERM');
      const logs = server.output();

      const needles: [string, string][] = [];
      for (const [name, v] of secrets) {
        if (!v) continue;
        needles.push([name, v], [`sha256(${name})`, sha(v)]);
        if (v.split('.').length === 3) needles.push([`${name} signature`, v.split('.')[2]!]); // a JWT's signature alone is the secret part
      }
      const found: string[] = [];
      const scan = (where: string, text: string, except: string[] = []) => {
        for (const [name, v] of needles) if (!except.some((e) => e.includes(v)) && text.includes(v)) found.push(`${name} in ${where}`);
      };
      scan('logs', logs);
      scan('audit NDJSON', ndjson.text);
      scan('audit CSV', csv.text);
      scan('/metrics', metrics.text);
      let errorBodies = 0;
      for (const a of answers) {
        if (a.r.status >= 400) errorBodies++;
        // The answer that issues a secret shows it once; no other answer may.
        scan(`${a.r.status >= 400 ? 'error body' : 'answer'} of ${a.what} (${a.r.status})`, a.r.text + JSON.stringify(a.r.headers), a.issued);
      }
      const store = [dbPath, `${dbPath}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
      for (const [name, v] of secrets) if (store.includes(v)) found.push(`${name} in plaintext in the store`);
      const auditEntries = ndjson.text.split('\n').filter(Boolean).length;
      const logLines = logs.split('\n').filter(Boolean).length;
      process.stdout.write(
        `secret scan: ${answers.length} requests; ${secrets.size} secrets/passwords/tokens (${needles.length} needles with SHA-256 hex and JWT signatures); ` +
        `scanned ${logLines} log lines (level trace), ${auditEntries} audit entries (NDJSON, CSV, JSON), ${errorBodies} error bodies, ` +
        `${answers.length - errorBodies} other answers, /metrics (${metrics.text.length} bytes), the store file; found ${found.length}\n`,
      );
      if (found.length) process.stdout.write(`secret leaks:\n  ${found.join('\n  ')}\n`);
      expect(found).toEqual([]);
      expect(auditEntries).toBeGreaterThan(20);
      expect(logLines).toBeGreaterThan(answers.length); // trace logging really was on
      expect(errorBodies).toBeGreaterThan(8);
      expect(u.status).toBe(201);
    } finally {
      c.close();
      await server.kill('SIGKILL');
    }
  }, 60_000);
});
