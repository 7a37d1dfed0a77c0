/**
 * Two tenants, three sites, data on each, and a bearer token of every kind: the world the
 * isolation matrix (and the body fuzzer) runs in. Tenant A is the bootstrap tenant `default`
 * with sites A1 (`default`) and A2; tenant B is created directly in the store with site B1,
 * then given a SAML configuration and SCIM through the admin API with its own token.
 */
import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, SCIM_TOKEN, startTestServer, type Reply, type TestServer } from '../helpers/server.js';

export type TokenKind = 'scim' | 'admin' | 'portal' | 'none';
export interface Tok {
  name: string;
  /** The Authorization header, or null for none. */
  header: string | null;
  kind: TokenKind;
  tenant?: string;
  site?: string;
  account?: string;
  scope?: 'tenantAdmin' | 'siteAdmin' | 'auditor';
}

/** What an id belongs to. */
export interface Owner { tenant: string; site?: string; account?: string; family: string }

export interface Family {
  name: string; tenant: string; site: string;
  siteId: string; userId: string; user2Id: string; groupId: string; credentialId: string; clientId: string; configId: string;
  userName: string; groupName: string; siteName: string;
}
export interface AccountFamily { name: string; tenant: string; accountId: string; portalUserId: string; keyId: string; accountName: string; email: string; product: string }

export interface World {
  s: TestServer;
  tenants: { A: string; B: string };
  families: Record<'A1' | 'A2' | 'B1', Family>;
  accounts: Record<'accA' | 'accA2' | 'accB', AccountFamily>;
  jobs: Record<string, { jobId: string; owner: Owner }>;
  tokens: Tok[];
  owners: Map<string, Owner>;
  /** Strings that identify data (names, emails): a response to a token must never contain another boundary's. */
  secretsOf: (owner: Pick<Owner, 'tenant' | 'site' | 'account'>) => string[];
  as(tok: Tok, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

const rand = () => randomBytes(4).toString('hex');

export async function buildWorld(): Promise<World> {
  const s = await startTestServer({ limits: { ratePerSecond: 0, maxConcurrent: 0 } });
  const A = 'default';
  const B = `tenant-b-${rand()}`;
  const now = Date.now();
  await s.container.store.directory.insertTenant({ id: B, name: 'Tenant B', createdAt: now });
  const B1 = `site-b1-${rand()}`;
  await s.container.store.directory.insertSite({ id: B1, tenantId: B, name: `B one ${rand()}`, contentUrl: `b-one-${rand()}`, settings: {}, createdAt: now });
  const issue = async (tenantId: string, scope: Tok['scope'] & string, siteId: string | null) =>
    (await s.container.adminAuth.issue({ tenantId, scope, siteId, subject: `matrix-${scope}`, ttlSeconds: 3600 })).token;
  const adminB = await issue(B, 'tenantAdmin', null);
  const as = async (tok: Pick<Tok, 'header'>, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const h: Record<string, string> = { ...headers };
    if (tok.header) h.authorization = tok.header;
    else h.authorization = '';
    const full = path.startsWith('http') ? path : `${s.url}${path}`;
    if (body !== undefined && !h['content-type']) h['content-type'] = path.startsWith('/scim/') ? 'application/scim+json' : 'application/json';
    if (!h.authorization) delete h.authorization;
    const res = await fetch(full, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: res.status, headers: res.headers, body: parsed, text } as Reply;
  };
  const must = async (what: string, p: Promise<Reply>, status: number[] = [200, 201, 202, 204]) => {
    const r = await p;
    if (!status.includes(r.status)) throw new Error(`${what}: ${r.status} ${r.text}`);
    return r;
  };
  const adminTokA = { header: `Bearer ${ADMIN_TOKEN}` };
  const adminTokB = { header: `Bearer ${adminB}` };

  // Site A2 (tenant A) through the admin API; B1's SAML + SCIM with B's own token.
  const a2 = await s.addSite(`a-two-${rand()}`);
  const cfgB = await must('B auth config', as(adminTokB, 'POST', `/api/v1/sites/${B1}/auth-configs`, { type: 'SAML', entityId: 'urn:test:b1' }));
  const scimB = await must('B scim', as(adminTokB, 'POST', `/api/v1/sites/${B1}/scim`, { authConfigId: cfgB.body.id }));
  const scimSecrets: Record<string, string> = { A1: SCIM_TOKEN, A2: a2.secret, B1: scimB.body.secret };

  const families = {} as World['families'];
  const owners = new Map<string, Owner>();
  const siteIds: Record<string, string> = { A1: 'default', A2: a2.siteId, B1 };
  for (const name of ['A1', 'A2', 'B1'] as const) {
    const tenant = name === 'B1' ? B : A;
    const siteId = siteIds[name]!;
    const scim = { header: `Bearer ${scimSecrets[name]}` };
    const admin = tenant === A ? adminTokA : adminTokB;
    const userName = `person-${name.toLowerCase()}-${rand()}@example.test`;
    const u = await must(`${name} user`, as(scim, 'POST', '/scim/v2/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true,
      name: { givenName: `Given${name}`, familyName: `Family${name}` }, emails: [{ value: userName, type: 'work', primary: true }],
    }));
    const user2Name = `second-${name.toLowerCase()}-${rand()}@example.test`;
    const u2 = await must(`${name} user 2`, as(scim, 'POST', '/scim/v2/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: user2Name, active: true }));
    const groupName = `group-${name}-${rand()}`;
    const g = await must(`${name} group`, as(scim, 'POST', '/scim/v2/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: groupName, members: [{ value: u.body.id }] }));
    const site = await must(`${name} site`, as(admin, 'GET', `/api/v1/sites/${siteId}`));
    const creds = await must(`${name} credentials`, as(admin, 'GET', `/api/v1/sites/${siteId}/credentials`));
    const client = await must(`${name} oauth client`, as(admin, 'POST', `/api/v1/sites/${siteId}/oauth-clients`, { label: `matrix ${name}` }));
    await must(`${name} content`, as(admin, 'POST', `/api/v1/sites/${siteId}/content`, { type: 'workbook', name: `wb-${name}-${rand()}`, ownerUserId: u.body.id }));
    const fam: Family = {
      name, tenant, site: siteId, siteId, userId: u.body.id, user2Id: u2.body.id, groupId: g.body.id, credentialId: creds.body.credentials[0].id,
      clientId: client.body.clientId, configId: site.body.authConfigs[0].id, userName, groupName, siteName: site.body.name as string,
    };
    families[name] = fam;
    for (const id of [fam.siteId, fam.userId, fam.user2Id, fam.groupId, fam.credentialId, fam.clientId, fam.configId]) owners.set(id, { tenant, site: siteId, family: name });
  }

  // Portal: two accounts in A (a portal token of one must not reach the other), one in B.
  const accounts = {} as World['accounts'];
  for (const [name, tenant, admin] of [['accA', A, adminTokA], ['accA2', A, adminTokA], ['accB', B, adminTokB]] as const) {
    const accountName = `account-${name}-${rand()}`;
    const acc = await must(`${name}`, as(admin, 'POST', '/api/v1/portal/accounts', { name: accountName }));
    const email = `portal-${name.toLowerCase()}-${rand()}@example.test`;
    const pu = await must(`${name} user`, as(admin, 'POST', `/api/v1/portal/accounts/${acc.body.id}/users`, { email, firstName: 'Port', lastName: name, role: 'Administrator' }));
    const product = `product-${name}-${rand()}`;
    const key = await must(`${name} key`, as(admin, 'POST', `/api/v1/portal/accounts/${acc.body.id}/keys`, { product }));
    accounts[name] = { name, tenant, accountId: acc.body.id, portalUserId: pu.body.id, keyId: key.body.id, accountName, email, product };
    for (const id of [acc.body.id, pu.body.id, key.body.id]) owners.set(id, { tenant, account: acc.body.id, family: name });
  }

  // CSV import jobs (when the import API exists): one per tenant.
  const jobs: World['jobs'] = {};
  for (const [name, tok, siteId, tenant] of [['A1', adminTokA, 'default', A], ['B1', adminTokB, B1, B]] as const) {
    const r = await as(tok, 'POST', `/api/v1/sites/${siteId}/imports?dryRun=true`, `csv-${name.toLowerCase()}@example.test,,CSV ${name},Viewer,None,no,csv-${name.toLowerCase()}@example.test\n`, { 'content-type': 'text/csv' });
    if (r.status === 202 && r.body?.jobId) {
      jobs[name] = { jobId: r.body.jobId, owner: { tenant, site: siteId, family: name } };
      owners.set(r.body.jobId, jobs[name]!.owner);
    }
  }

  // OAuth access token of A1's client.
  const clientSecretA1 = await must('A1 second client', as(adminTokA, 'POST', '/api/v1/sites/default/oauth-clients', { label: 'matrix token' }));
  const tokenA1 = await fetch(`${s.url}/oauth/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientSecretA1.body.clientId, client_secret: clientSecretA1.body.clientSecret }).toString(),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  owners.set(clientSecretA1.body.clientId, { tenant: A, site: 'default', family: 'A1' });
  const portalA = await must('portal token', as(adminTokA, 'POST', `/api/v1/portal/accounts/${accounts.accA.accountId}/users/${accounts.accA.portalUserId}/tokens`, {}));

  const tokens: Tok[] = [
    { name: 'scim A1', header: `Bearer ${SCIM_TOKEN}`, kind: 'scim', tenant: A, site: 'default' },
    { name: 'scim A2', header: `Bearer ${a2.secret}`, kind: 'scim', tenant: A, site: a2.siteId },
    { name: 'scim B1', header: `Bearer ${scimB.body.secret}`, kind: 'scim', tenant: B, site: B1 },
    { name: 'oauth A1', header: `Bearer ${tokenA1.access_token}`, kind: 'scim', tenant: A, site: 'default' },
    { name: 'tenantAdmin A', header: `Bearer ${ADMIN_TOKEN}`, kind: 'admin', tenant: A, scope: 'tenantAdmin' },
    { name: 'siteAdmin A1', header: `Bearer ${await issue(A, 'siteAdmin', 'default')}`, kind: 'admin', tenant: A, site: 'default', scope: 'siteAdmin' },
    { name: 'auditor A', header: `Bearer ${await issue(A, 'auditor', null)}`, kind: 'admin', tenant: A, scope: 'auditor' },
    { name: 'tenantAdmin B', header: `Bearer ${adminB}`, kind: 'admin', tenant: B, scope: 'tenantAdmin' },
    { name: 'siteAdmin B1', header: `Bearer ${await issue(B, 'siteAdmin', B1)}`, kind: 'admin', tenant: B, site: B1, scope: 'siteAdmin' },
    { name: 'auditor B', header: `Bearer ${await issue(B, 'auditor', null)}`, kind: 'admin', tenant: B, scope: 'auditor' },
    { name: 'portal user accA', header: `Bearer ${portalA.body.token}`, kind: 'portal', tenant: A, account: accounts.accA.accountId },
    { name: 'no token', header: null, kind: 'none' },
    { name: 'garbage token', header: 'Bearer not-a-real-token-0123456789', kind: 'none' },
  ];

  const secretsOf = (o: Pick<Owner, 'tenant' | 'site' | 'account'>) => {
    const out: string[] = [];
    for (const f of Object.values(families)) {
      if (f.tenant === o.tenant && (!o.site || f.site === o.site)) continue;
      out.push(f.userName, f.groupName, f.siteName);
    }
    for (const a of Object.values(accounts)) {
      if (a.tenant === o.tenant && (!o.account || a.accountId === o.account)) continue;
      out.push(a.accountName, a.email, a.product);
    }
    return out;
  };
  return { s, tenants: { A, B }, families, accounts, jobs, tokens, owners, secretsOf, as };
}

/**
 * Every row of every table except the audit log itself (denied requests are audited by design)
 * and volatile bookkeeping (credentials' last-used stamps), as sorted JSON lines.
 */
export function dumpStore(s: TestServer): Record<string, string[]> {
  const db = (s.container.store as unknown as { rawDatabase: import('better-sqlite3').Database }).rawDatabase;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[])
    .map((t) => t.name).filter((t) => !['audit_entries', 'audit_chain', 'sqlite_sequence'].includes(t));
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    out[t] = (db.prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[])
      .map((r) => { const { last_used_at: _l, ...rest } = r; return JSON.stringify(rest); }).sort();
  }
  return out;
}
