import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type Reply, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

/** An admin-token request under /api/v1/portal. */
const P = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => s.admin(method, `/portal${path}`, body, headers);
/** A request under /api/v1/portal with another bearer token (a portal token, usually). */
const as = (token: string) => (method: string, path: string, body?: unknown): Promise<Reply> =>
  s.admin(method, `/portal${path}`, body, { authorization: `Bearer ${token}` });
const audit = async (q: string) => (await s.admin('GET', `/audit?${q}`)).body.entries as any[];

let n = 0;
const person = (role: string, extra: Record<string, unknown> = {}) => {
  n++;
  return { email: `p${n}.${Math.random().toString(36).slice(2, 7)}@example.test`, firstName: `First${n}`, lastName: `Last${n}`, role, ...extra };
};
async function account(name: string): Promise<string> {
  const r = await P('POST', '/accounts', { name });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
async function addUser(accountId: string, body: Record<string, unknown>) {
  const r = await P('POST', `/accounts/${accountId}/users`, body);
  expect(r.status).toBe(201);
  return r.body;
}
async function tokenFor(accountId: string, userId: string): Promise<string> {
  const r = await P('POST', `/accounts/${accountId}/users/${userId}/tokens`);
  expect(r.status).toBe(201);
  return r.body.token as string;
}

describe('accounts and portal users (SPEC §6 stable paths)', () => {
  it('R-CP-09: creates an account and a portal user with role, flags and a derived persona', async () => {
    const acc = await P('POST', '/accounts', { name: 'Acme' });
    expect(acc.status).toBe(201);
    expect(acc.body).toMatchObject({ id: expect.any(String), name: 'Acme' });
    expect((await P('GET', `/accounts/${acc.body.id}`)).body).toMatchObject({ id: acc.body.id, name: 'Acme' });
    const body = person('Administrator', { caseAdministrator: true, securityPointOfContact: true, technicalPointOfContact: false });
    const u = await P('POST', `/accounts/${acc.body.id}/users`, body);
    expect(u.status).toBe(201);
    expect(u.body).toMatchObject({ ...body, id: expect.any(String), accountId: acc.body.id, persona: 'PortalAdministrator' });
    const list = await P('GET', `/accounts/${acc.body.id}/users`);
    expect(list.body.users.map((x: any) => x.id)).toEqual([u.body.id]);
    expect((await P('GET', `/accounts/${acc.body.id}/users/${u.body.id}`)).body).toEqual(u.body);
    const flags = await P('PATCH', `/accounts/${acc.body.id}/users/${u.body.id}`, { securityPointOfContact: false, technicalPointOfContact: true });
    expect(flags.body).toMatchObject({ securityPointOfContact: false, technicalPointOfContact: true, caseAdministrator: true, role: 'Administrator' });
  });

  it('R-CP-09: bad bodies are 400 admin.invalid_body, never 500; unknown ids are 404 with stable codes', async () => {
    const acc = await account('Bodies');
    const bad: [string, string, unknown][] = [
      ['POST', '/accounts', {}],
      ['POST', '/accounts', { name: 'x', tenantId: 'other' }],
      ['POST', `/accounts/${acc}/users`, { email: 'a@b.test', firstName: 'A', lastName: 'B', role: 'Creator' }],
      ['POST', `/accounts/${acc}/users`, { email: 'not-an-email', firstName: 'A', lastName: 'B', role: 'DownloadOnly' }],
      ['POST', `/accounts/${acc}/users`, [1, 2]],
      ['POST', `/accounts/${acc}/keys`, { product: '' }],
      ['POST', `/accounts/${acc}/keys`, { product: 'Desktop', assignedToEmail: 42 }],
    ];
    for (const [method, path, body] of bad) {
      const r = await P(method, path, body);
      expect([path, r.status, r.body.code]).toEqual([path, 400, 'admin.invalid_body']);
      expect(r.body.details.problems.length).toBeGreaterThan(0);
    }
    const notJson = await P('POST', '/accounts', '{"name":', { 'content-type': 'application/json' });
    expect([notJson.status, notJson.body.code]).toEqual([400, 'request.invalid_json']);
    expect((await P('GET', '/accounts/nope')).body.code).toBe('portal.account_not_found');
    expect((await P('GET', `/accounts/${acc}/users/nope`)).body.code).toBe('portal.user_not_found');
    expect((await P('GET', `/accounts/${acc}/keys/nope`)).body.code).toBe('portal.key_not_found');
    const owner = await P('POST', `/accounts/${acc}/keys`, { product: 'Desktop', ownerPortalUserId: 'stranger' });
    expect([owner.status, owner.body.code]).toEqual([400, 'portal.owner_not_member']);
    const unknown = await P('GET', '/nothing-here');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'request.not_found']);
  });

  it('R-CP-03: one identity per email joins several accounts with a different role in each', async () => {
    const a = await account('Multi A');
    const b = await account('Multi B');
    const body = person('Administrator');
    const inA = await addUser(a, body);
    const inB = await addUser(b, { ...body, email: body.email.toUpperCase(), role: 'DownloadOnly' });
    expect(inB.id).toBe(inA.id);
    expect([inA.role, inB.role]).toEqual(['Administrator', 'DownloadOnly']);
    const again = await P('POST', `/accounts/${a}/users`, body);
    expect([again.status, again.body.code]).toEqual([409, 'portal.already_member']);
    const token = await tokenFor(a, inA.id);
    const mine = await as(token)('GET', '/accounts');
    expect(mine.body.accounts.map((x: any) => [x.id, x.role, x.persona])).toEqual([[a, 'Administrator', 'PortalAdministrator'], [b, 'DownloadOnly', 'SupportOnly']]);
    // The same token manages users in A and is refused in B.
    expect((await as(token)('POST', `/accounts/${a}/users`, person('DownloadOnly'))).status).toBe(201);
    const refused = await as(token)('POST', `/accounts/${b}/users`, person('DownloadOnly'));
    expect([refused.status, refused.body.code]).toEqual([403, 'portal.forbidden']);
  });
});

describe('portal tokens', () => {
  it('act as the portal user on /api/v1/portal only; admin tokens act as tenant admin there', async () => {
    const acc = await account('Tokens');
    const u = await addUser(acc, person('Administrator'));
    const t = await P('POST', `/accounts/${acc}/users/${u.id}/tokens`, { ttlSeconds: 600 });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ token: expect.any(String), expiresAt: expect.any(String) });
    const portal = as(t.body.token);
    expect((await portal('GET', `/accounts/${acc}`)).status).toBe(200);
    // Not accepted on the rest of the admin API, nor on SCIM.
    expect((await s.admin('GET', '/sites', undefined, { authorization: `Bearer ${t.body.token}` })).status).toBe(401);
    expect((await s.admin('GET', '/audit', undefined, { authorization: `Bearer ${t.body.token}` })).status).toBe(401);
    expect((await s.req('GET', '/Users', undefined, { authorization: `Bearer ${t.body.token}` })).status).toBe(401);
    // A portal user never mints tokens nor creates accounts: that is tenant administration.
    expect((await portal('POST', `/accounts/${acc}/users/${u.id}/tokens`)).body.code).toBe('portal.forbidden');
    expect((await portal('POST', '/accounts', { name: 'Mine' })).body.code).toBe('portal.forbidden');
    // Unknown portal path with a portal token: a portal 404, not the admin router's 401.
    expect((await portal('GET', '/whatever')).status).toBe(404);
    const forged = `${t.body.token.slice(0, -4)}AAAA`;
    expect((await as(forged)('GET', `/accounts/${acc}`)).body.code).toBe('auth.invalid_credentials');
    expect((await s.admin('GET', `/portal/accounts/${acc}`, undefined, { authorization: '' })).status).toBe(401);
  });

  it('scopes: siteAdmin tokens are refused, auditor tokens only read', async () => {
    const acc = await account('Scopes');
    const siteId = (await s.admin('GET', '/sites')).body.sites[0].id;
    const siteAdmin = (await s.admin('POST', '/tokens', { scope: 'siteAdmin', siteId })).body.token;
    const auditor = (await s.admin('POST', '/tokens', { scope: 'auditor' })).body.token;
    const sa = await as(siteAdmin)('GET', `/accounts/${acc}`);
    expect([sa.status, sa.body.code]).toEqual([403, 'auth.forbidden_scope']);
    expect((await as(auditor)('GET', `/accounts/${acc}/users`)).status).toBe(200);
    const w = await as(auditor)('POST', `/accounts/${acc}/users`, person('DownloadOnly'));
    expect([w.status, w.body.code]).toEqual([403, 'auth.forbidden_scope']);
  });
});

describe('permissions end to end (R-CP-01, R-CP-02, R-CP-04, R-CP-05)', () => {
  let acc: string;
  let other: string;
  const u: Record<string, any> = {};
  const t: Record<string, string> = {};
  const k: Record<string, any> = {};
  beforeAll(async () => {
    acc = await account('Perms');
    other = await account('Elsewhere');
    for (const [name, role] of [['admin', 'Administrator'], ['lic', 'LicenseAdministrator'], ['gm', 'DownloadOnly'], ['ind', 'DownloadOnly'], ['sup', 'DownloadOnly']]) {
      u[name] = await addUser(acc, person(role!));
      t[name] = await tokenFor(acc, u[name].id);
    }
    await addUser(other, person('Administrator'));
    k.gm = (await P('POST', `/accounts/${acc}/keys`, { product: 'Tableau Desktop', ownerPortalUserId: u.gm.id })).body;
    k.ind = (await P('POST', `/accounts/${acc}/keys`, { product: 'Tableau Prep', assignedToEmail: u.ind.email.toUpperCase() })).body;
    k.pool = (await P('POST', `/accounts/${acc}/keys`, { product: 'Tableau Server' })).body;
  });

  it('R-CP-05: personas follow role and keys: Portal Administrator, License Administrator, Group Manager, Individual, Support Only', async () => {
    const users = (await P('GET', `/accounts/${acc}/users`)).body.users as any[];
    const persona = Object.fromEntries(users.map((x) => [x.id, x.persona]));
    expect([u.admin, u.lic, u.gm, u.ind, u.sup].map((x) => persona[x.id])).toEqual(['PortalAdministrator', 'LicenseAdministrator', 'GroupManager', 'Individual', 'SupportOnly']);
    expect(users.find((x) => x.id === u.gm.id)).toMatchObject({ ownedKeyCount: 1, assignedKeyCount: 0 });
  });

  it('R-CP-02: a License Administrator cannot grant Case Administrator (403), an Administrator can', async () => {
    const r = await as(t.lic!)('PATCH', `/accounts/${acc}/users/${u.sup.id}`, { caseAdministrator: true });
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'portal.forbidden', details: { reason: 'PORTAL_CASE_ADMIN_GRANT_ADMINISTRATOR_ONLY' } });
    expect((await P('GET', `/accounts/${acc}/users/${u.sup.id}`)).body.caseAdministrator).toBe(false);
    const denied = await audit(`event=PolicyDenied&reason=PORTAL_CASE_ADMIN_GRANT_ADMINISTRATOR_ONLY`);
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]).toMatchObject({ actor: `portal:${u.lic.id}`, targetType: 'PortalAccount' });
    const ok = await as(t.admin!)('PATCH', `/accounts/${acc}/users/${u.sup.id}`, { caseAdministrator: true });
    expect([ok.status, ok.body.caseAdministrator, ok.body.persona]).toEqual([200, true, 'SupportOnly']);
  });

  it('R-CP-04: only an Administrator manages portal users; a License Administrator sees them', async () => {
    const add = await as(t.lic!)('POST', `/accounts/${acc}/users`, person('DownloadOnly'));
    expect([add.status, add.body.details.reason]).toEqual([403, 'PORTAL_USER_MANAGEMENT_ADMINISTRATOR_ONLY']);
    expect((await as(t.lic!)('PATCH', `/accounts/${acc}/users/${u.sup.id}`, { role: 'Administrator' })).status).toBe(403);
    expect((await as(t.lic!)('DELETE', `/accounts/${acc}/users/${u.sup.id}`)).status).toBe(403);
    expect((await as(t.lic!)('GET', `/accounts/${acc}/users`)).body.users.length).toBe(5);
    const added = await as(t.admin!)('POST', `/accounts/${acc}/users`, person('Administrator'));
    expect([added.status, added.body.persona]).toEqual([201, 'PortalAdministrator']);
    expect((await as(t.gm!)('GET', `/accounts/${acc}/users`)).status).toBe(403);
    expect((await as(t.gm!)('GET', `/accounts/${acc}/users/${u.gm.id}`)).body.persona).toBe('GroupManager');
    expect((await as(t.gm!)('GET', `/accounts/${acc}/users/${u.ind.id}`)).status).toBe(403);
  });

  it("R-CP-01: a Download Only user sees only its own keys and cannot list another user's keys (403)", async () => {
    const ids = async (token: string) => ((await as(token)('GET', `/accounts/${acc}/keys`)).body.keys as any[]).map((x) => x.id).sort();
    expect(await ids(t.gm!)).toEqual([k.gm.id]);
    expect(await ids(t.ind!)).toEqual([k.ind.id]);
    expect(await ids(t.sup!)).toEqual([]);
    expect(await ids(t.lic!)).toEqual([k.gm.id, k.ind.id, k.pool.id].sort());
    expect(await ids(t.admin!)).toEqual([k.gm.id, k.ind.id, k.pool.id].sort());
    const q = await as(t.gm!)('GET', `/accounts/${acc}/keys?portalUserId=${u.ind.id}`);
    expect(q.status).toBe(403);
    expect(q.body).toMatchObject({ code: 'portal.forbidden', details: { reason: 'PORTAL_OTHER_USERS_KEYS' } });
    expect((await as(t.gm!)('GET', `/accounts/${acc}/users/${u.ind.id}/keys`)).status).toBe(403);
    expect((await as(t.gm!)('GET', `/accounts/${acc}/keys/${k.ind.id}`)).status).toBe(403);
    expect((await as(t.ind!)('GET', `/accounts/${acc}/keys/${k.ind.id}`)).status).toBe(200);
    expect((await as(t.ind!)('GET', `/accounts/${acc}/users/${u.ind.id}/keys`)).body.keys.map((x: any) => x.id)).toEqual([k.ind.id]);
    expect((await as(t.lic!)('GET', `/accounts/${acc}/keys?portalUserId=${u.gm.id}`)).body.keys.map((x: any) => x.id)).toEqual([k.gm.id]);
  });

  it('R-CP-01: a License Administrator manages keys; Download Only users create and delete none', async () => {
    const made = await as(t.lic!)('POST', `/accounts/${acc}/keys`, { product: 'Tableau Prep', assignedToEmail: u.sup.email });
    expect(made.status).toBe(201);
    expect((await P('GET', `/accounts/${acc}/users/${u.sup.id}`)).body.persona).toBe('Individual');
    expect((await as(t.lic!)('DELETE', `/accounts/${acc}/keys/${made.body.id}`)).status).toBe(204);
    expect((await P('GET', `/accounts/${acc}/users/${u.sup.id}`)).body.persona).toBe('SupportOnly');
    expect((await as(t.gm!)('POST', `/accounts/${acc}/keys`, { product: 'x' })).body.details.reason).toBe('PORTAL_KEY_MANAGEMENT_NOT_ALLOWED');
    expect((await as(t.gm!)('DELETE', `/accounts/${acc}/keys/${k.gm.id}`)).status).toBe(403);
  });

  it('R-CP-05: a Group Manager assigns the keys it owns, and nothing more', async () => {
    const assign = await as(t.gm!)('PATCH', `/accounts/${acc}/keys/${k.gm.id}`, { assignedToEmail: u.sup.email });
    expect([assign.status, assign.body.assignedToEmail, assign.body.ownerPortalUserId]).toEqual([200, u.sup.email, u.gm.id]);
    expect((await as(t.sup!)('GET', `/accounts/${acc}/keys`)).body.keys.map((x: any) => x.id)).toEqual([k.gm.id]);
    const give = await as(t.gm!)('PATCH', `/accounts/${acc}/keys/${k.gm.id}`, { ownerPortalUserId: u.sup.id });
    expect([give.status, give.body.details.reason]).toEqual([403, 'PORTAL_GROUP_MANAGER_ASSIGNS_ONLY']);
    expect((await as(t.ind!)('PATCH', `/accounts/${acc}/keys/${k.ind.id}`, { assignedToEmail: null })).status).toBe(403);
    expect((await as(t.gm!)('PATCH', `/accounts/${acc}/keys/${k.gm.id}`, { assignedToEmail: null })).status).toBe(200);
  });

  it('R-CP-03: a portal user of one account gets 404 for another account', async () => {
    for (const path of [`/accounts/${other}`, `/accounts/${other}/users`, `/accounts/${other}/keys`]) {
      const r = await as(t.admin!)('GET', path);
      expect([path, r.status, r.body.code]).toEqual([path, 404, 'portal.account_not_found']);
    }
    expect((await as(t.admin!)('POST', `/accounts/${other}/keys`, { product: 'x' })).status).toBe(404);
    expect((await as(t.admin!)('GET', '/accounts')).body.accounts.map((x: any) => x.id)).toEqual([acc]);
  });
});

describe('email changes and audit (R-CP-07)', () => {
  it('R-CP-07: an email change is allowed and audited; ownership stays and assignments follow the new address', async () => {
    const acc = await account('Emails');
    const second = await account('Emails 2');
    const user = await addUser(acc, person('DownloadOnly'));
    await addUser(second, { email: user.email, firstName: user.firstName, lastName: user.lastName, role: 'DownloadOnly' });
    const owned = (await P('POST', `/accounts/${acc}/keys`, { product: 'Desktop', ownerPortalUserId: user.id })).body;
    const assigned = (await P('POST', `/accounts/${second}/keys`, { product: 'Prep', assignedToEmail: user.email })).body;
    const bystander = (await P('POST', `/accounts/${acc}/keys`, { product: 'Server', assignedToEmail: 'someone@else.test' })).body;
    const token = await tokenFor(acc, user.id);
    const newEmail = `renamed.${user.email}`;
    const r = await P('PATCH', `/accounts/${acc}/users/${user.id}`, { email: newEmail });
    expect([r.status, r.body.email, r.body.id, r.body.persona]).toEqual([200, newEmail, user.id, 'GroupManager']);
    expect((await P('GET', `/accounts/${acc}/keys/${owned.id}`)).body.ownerPortalUserId).toBe(user.id);
    expect((await P('GET', `/accounts/${second}/keys/${assigned.id}`)).body.assignedToEmail).toBe(newEmail);
    expect((await P('GET', `/accounts/${acc}/keys/${bystander.id}`)).body.assignedToEmail).toBe('someone@else.test');
    expect((await P('GET', `/accounts/${second}/users/${user.id}`)).body).toMatchObject({ email: newEmail, persona: 'Individual' });
    // The existing token still acts as the same user and still sees its keys.
    expect((await as(token)('GET', `/accounts/${second}/keys`)).body.keys.map((x: any) => x.id)).toEqual([assigned.id]);
    const [entry] = await audit(`event=PortalChanged&targetId=${user.id}&reason=EMAIL_CHANGED`);
    expect(entry).toMatchObject({ targetType: 'PortalUser', data: { action: 'user.update', accountId: acc, before: { email: user.email }, after: { email: newEmail }, reassignedKeyIds: [assigned.id] } });
    const taken = await addUser(acc, person('DownloadOnly'));
    const clash = await P('PATCH', `/accounts/${acc}/users/${taken.id}`, { email: newEmail.toUpperCase() });
    expect([clash.status, clash.body.code]).toEqual([409, 'portal.email_taken']);
  });

  it('every portal change is a PortalChanged entry in the tenant chain, which still verifies', async () => {
    const acc = await account('Audited');
    const user = await addUser(acc, person('LicenseAdministrator'));
    const key = (await P('POST', `/accounts/${acc}/keys`, { product: 'Desktop', ownerPortalUserId: user.id })).body;
    await P('PATCH', `/accounts/${acc}/users/${user.id}`, { role: 'Administrator' });
    await P('PATCH', `/accounts/${acc}/keys/${key.id}`, { product: 'Desktop 2' });
    const removed = await P('DELETE', `/accounts/${acc}/users/${user.id}`);
    expect(removed.body).toMatchObject({ removed: true, releasedKeyIds: [key.id], identityDeleted: true });
    expect((await P('GET', `/accounts/${acc}/keys/${key.id}`)).body.ownerPortalUserId).toBeNull();
    const actions = async (targetId: string) => (await audit(`event=PortalChanged&targetId=${targetId}`)).map((e) => e.data.action).reverse();
    expect(await actions(acc)).toEqual(['account.create']);
    expect(await actions(user.id)).toEqual(['user.add', 'user.update', 'user.remove']);
    expect(await actions(key.id)).toEqual(['key.create', 'key.update']);
    const [roleChange] = await audit(`event=PortalChanged&targetId=${user.id}&limit=3`).then((e) => e.filter((x) => x.data.action === 'user.update'));
    expect(roleChange.data).toMatchObject({ before: { role: 'LicenseAdministrator' }, after: { role: 'Administrator' } });
    expect(roleChange.actor).toMatch(/^admin:/);
    // A no-op edit writes nothing.
    const other = await addUser(acc, person('DownloadOnly'));
    await P('PATCH', `/accounts/${acc}/users/${other.id}`, { role: 'DownloadOnly' });
    expect(await actions(other.id)).toEqual(['user.add']);
    const verify = await s.admin('GET', '/audit/verify');
    expect(verify.body).toMatchObject({ ok: true });
  });
});
