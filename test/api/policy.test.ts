import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patch, startTestServer, userBody, type TestServer } from '../helpers/server.js';

const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
const withRole = (role: string, extra: Record<string, unknown> = {}) => userBody({ [TABLEAU]: { siteRoles: [{ value: role }] }, ...extra });
const roleOf = (body: any) => body[TABLEAU].siteRoles[0].value;
const group = (displayName: string, members: string[] = []) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: members.map((value) => ({ value })) });

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

/** A fresh site with SAML + SCIM; returns a SCIM request function bound to its secret, and its id. */
async function site(name: string, settings: Record<string, unknown> = {}) {
  const { siteId, secret } = await s.addSite(name);
  if (Object.keys(settings).length) expect((await s.admin('PATCH', `/sites/${siteId}`, { settings })).status).toBe(200);
  const scim = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    s.req(method, path, body, { authorization: `Bearer ${secret}`, ...headers });
  return { siteId, secret, scim };
}
const audit = async (q: string) => (await s.admin('GET', `/audit?${q}`)).body.entries as any[];

describe('seats (R-LIC-02, R-REST-15, R-REST-18)', () => {
  it('R-REST-15: with 2 Creator seats, the third Creator request is Unlicensed and audited LICENSE_EXHAUSTED', async () => {
    const { siteId, scim } = await site('seats1', { allowSeatBorrowing: false });
    await s.admin('PUT', `/sites/${siteId}/licenses`, { creator: 2, explorer: null, viewer: null });
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await scim('POST', '/Users', withRole('Creator')));
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(replies.map((r) => roleOf(r.body))).toEqual(['Creator', 'Creator', 'Unlicensed']);
    expect(replies[2].body.active).toBe(true); // the IdP's intent stays visible
    const view = await s.admin('GET', `/sites/${siteId}/users/${replies[2].body.id}`);
    expect(view.body.memberships[0]).toMatchObject({ requestedSiteRole: 'Creator', siteRole: 'Unlicensed', licensed: false });
    const entries = await audit(`siteId=${siteId}&userId=${replies[2].body.id}&reason=LICENSE_EXHAUSTED`);
    expect(entries.map((e) => e.event)).toContain('LicenseExhausted');
    expect((await s.admin('GET', `/sites/${siteId}/licenses`)).body).toMatchObject({ capacity: { creator: 2 }, used: { creator: 2, explorer: 0, viewer: 0 } });
  });

  it('R-REST-18: an Explorer borrows a free Creator seat when Explorer is full; borrowed is reported', async () => {
    const { siteId, scim } = await site('seats2');
    await s.admin('PUT', `/sites/${siteId}/licenses`, { creator: 1, explorer: 0, viewer: 0 });
    const r = await scim('POST', '/Users', withRole('Explorer'));
    expect(roleOf(r.body)).toBe('Explorer');
    expect((await s.admin('GET', `/sites/${siteId}/licenses`)).body).toMatchObject({ used: { creator: 1 }, borrowed: { creator: 1 } });
    expect((await audit(`siteId=${siteId}&event=SeatBorrowed`)).length).toBe(1);
    const v = await scim('POST', '/Users', withRole('Viewer'));
    expect(roleOf(v.body)).toBe('Unlicensed');
  });

  it('R-SCIM-35: active=false frees the seat and keeps the role; active=true takes it again or is exhausted', async () => {
    const { siteId, scim } = await site('seats3');
    await s.admin('PUT', `/sites/${siteId}/licenses`, { creator: 1, explorer: 0, viewer: 0 });
    const a = (await scim('POST', '/Users', withRole('Creator'))).body;
    await scim('PATCH', `/Users/${a.id}`, patch({ op: 'replace', path: 'active', value: false }));
    const off = (await scim('GET', `/Users/${a.id}`)).body;
    expect(off.active).toBe(false);
    expect(roleOf(off)).toBe('Creator');
    expect((await s.admin('GET', `/sites/${siteId}/licenses`)).body.used.creator).toBe(0);
    const b = (await scim('POST', '/Users', withRole('Creator'))).body;
    expect(roleOf(b)).toBe('Creator');
    await scim('PATCH', `/Users/${a.id}`, patch({ op: 'replace', path: 'active', value: true }));
    const back = (await scim('GET', `/Users/${a.id}`)).body;
    expect(back.active).toBe(true);
    expect(roleOf(back)).toBe('Unlicensed');
  });

  it('SPEC §5.8: Okta echoing the GET body (effective Unlicensed) does not overwrite the requested role', async () => {
    const { siteId, scim } = await site('echo', { allowSeatBorrowing: false });
    await s.admin('PUT', `/sites/${siteId}/licenses`, { creator: 0, explorer: null, viewer: null });
    const u = (await scim('POST', '/Users', withRole('Creator'))).body;
    expect(roleOf(u)).toBe('Unlicensed');
    expect((await scim('PUT', `/Users/${u.id}`, { ...u, displayName: 'echo' })).status).toBe(200);
    const view = await s.admin('GET', `/sites/${siteId}/users/${u.id}`);
    expect(view.body.memberships[0].requestedSiteRole).toBe('Creator');
  });

  it('exact under concurrency: 20 parallel creates competing for 5 seats end with exactly 5 licensed', async () => {
    const { siteId, scim } = await site('race', { allowSeatBorrowing: false });
    await s.admin('PUT', `/sites/${siteId}/licenses`, { creator: 5, explorer: 0, viewer: 0 });
    const replies = await Promise.all(Array.from({ length: 20 }, () => scim('POST', '/Users', withRole('Creator'))));
    expect(replies.every((r) => r.status === 201)).toBe(true);
    expect(replies.filter((r) => roleOf(r.body) === 'Creator')).toHaveLength(5);
    expect((await s.admin('GET', `/sites/${siteId}/licenses`)).body.used.creator).toBe(5);
  });

  it('re-license on free seat (site setting): the oldest waiting request takes the freed seat', async () => {
    const { siteId, scim } = await site('relicense', { allowSeatBorrowing: false, relicenseOnFreeSeat: true });
    await s.admin('PUT', `/sites/${siteId}/licenses`, { creator: 1, explorer: 0, viewer: 0 });
    const a = (await scim('POST', '/Users', withRole('Creator'))).body;
    const b = (await scim('POST', '/Users', withRole('Creator'))).body;
    expect(roleOf(b)).toBe('Unlicensed');
    await scim('PATCH', `/Users/${a.id}`, patch({ op: 'replace', path: 'active', value: false }));
    expect(roleOf((await scim('GET', `/Users/${b.id}`)).body)).toBe('Creator');
  });
});

describe('deprovisioning (R-REST-21, R-REST-27/28)', () => {
  it('R-REST-21: a workbook owner DELETEd over SCIM stays as Unlicensed retainedOwner; a user without content is gone', async () => {
    const { siteId, scim } = await site('deprov');
    const owner = (await scim('POST', '/Users', withRole('Creator'))).body;
    const plain = (await scim('POST', '/Users', withRole('Creator'))).body;
    expect((await s.admin('POST', `/sites/${siteId}/content`, [{ type: 'workbook', name: 'Sales', ownerUserId: owner.id }, { type: 'subscription', name: 'Daily', ownerUserId: plain.id }])).status).toBe(201);
    expect((await scim('DELETE', `/Users/${owner.id}`)).status).toBe(204);
    expect((await scim('DELETE', `/Users/${plain.id}`)).status).toBe(204);
    const kept = await s.admin('GET', `/sites/${siteId}/users/${owner.id}`);
    expect(kept.body.memberships[0]).toMatchObject({ siteRole: 'Unlicensed', state: 'retainedOwner', licensed: false, ownedContentCount: 1 });
    expect((await scim('GET', `/Users/${plain.id}`)).status).toBe(404);
    const e = await audit(`siteId=${siteId}&userId=${owner.id}&reason=CONTENT_OWNER_RETAINED`);
    expect(e[0].data.content).toEqual([expect.objectContaining({ type: 'workbook', name: 'Sales' })]);
  });

  it('R-REST-21: the site can choose Tableau REST behaviour: 409 with the reason in the detail', async () => {
    const { siteId, scim } = await site('deprov409', { deleteOwnerResponse: '409' });
    const owner = (await scim('POST', '/Users', withRole('Viewer'))).body;
    await s.admin('POST', `/sites/${siteId}/content`, { type: 'datasource', name: 'DS', ownerUserId: owner.id });
    const r = await scim('DELETE', `/Users/${owner.id}`);
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('CONTENT_OWNER_RETAINED');
    expect(roleOf((await scim('GET', `/Users/${owner.id}`)).body)).toBe('Unlicensed');
  });

  it('R-REST-20: admin removal with mapAssetsTo transfers ownership first, then removes', async () => {
    const { siteId, scim } = await site('mapassets');
    const a = (await scim('POST', '/Users', withRole('Creator'))).body;
    const b = (await scim('POST', '/Users', withRole('Creator'))).body;
    await s.admin('POST', `/sites/${siteId}/content`, { type: 'project', name: 'P', ownerUserId: a.id });
    const r = await s.admin('DELETE', `/sites/${siteId}/users/${a.id}?mapAssetsTo=${b.id}`);
    expect(r.body.outcomes[0]).toMatchObject({ action: 'removed', transferred: 1, userDeleted: true });
    expect((await s.admin('GET', `/sites/${siteId}/users/${b.id}`)).body.memberships[0].ownedContentCount).toBe(1);
  });
});

describe('authentication gate (R-SCIM-02/47, SPEC §5.6)', () => {
  it('R-SCIM-47: a site whose SCIM config is not an enabled SAML/OIDC one answers every SCIM call 403 with Okta\'s detail, then works once enabled', async () => {
    const siteRes = await s.admin('POST', '/sites', { name: 'gate', contentUrl: 'gate' });
    const siteId = siteRes.body.id;
    const saml = (await s.admin('POST', `/sites/${siteId}/auth-configs`, { type: 'SAML', enabled: false })).body;
    const on = await s.admin('POST', `/sites/${siteId}/scim`, { authConfigId: saml.id });
    expect(on.body.ready).toBe(false);
    const token = { authorization: `Bearer ${on.body.secret}` };
    for (const [m, p] of [['GET', '/Users'], ['POST', '/Users'], ['GET', '/Groups'], ['GET', '/ServiceProviderConfig'], ['DELETE', '/Users/x']]) {
      const r = await s.req(m, p, m === 'POST' ? userBody() : undefined, token);
      expect(r.status).toBe(403);
      expect(r.body.detail).toBe('The authentication configuration is not SCIM enabled');
    }
    await s.admin('PATCH', `/sites/${siteId}/auth-configs/${saml.id}`, { enabled: true });
    const ok = await s.req('POST', '/Users', userBody(), token);
    expect(ok.status).toBe(201);
    const view = await s.admin('GET', `/sites/${siteId}/users/${ok.body.id}`);
    expect(view.body.memberships[0]).toMatchObject({ authSetting: 'SAML', idpConfigurationId: saml.id });
  });

  it('PROTECTED_LOCAL_ACCOUNT: SCIM cannot deprovision or re-role a TableauIDWithMFA account; the refusal is audited', async () => {
    const { siteId, scim } = await site('breakglass');
    const local = await s.admin('POST', `/sites/${siteId}/users`, { userName: 'admin@breakglass.test', siteRole: 'SiteAdministratorCreator', authSetting: 'TableauIDWithMFA' });
    expect(local.status).toBe(201);
    const id = local.body.id;
    for (const r of [await scim('DELETE', `/Users/${id}`), await scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'active', value: false }))]) {
      expect(r.status).toBe(403);
      expect(r.body.detail).toContain('PROTECTED_LOCAL_ACCOUNT');
    }
    expect((await scim('GET', `/Users/${id}`)).body.active).toBe(true);
    expect((await audit(`siteId=${siteId}&userId=${id}&reason=PROTECTED_LOCAL_ACCOUNT`)).length).toBe(2);
    await s.admin('PATCH', `/sites/${siteId}`, { settings: { allowScimOnLocalAccounts: true } });
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
  });

  it('seed 004: with SAML enforced, userName must be the primary email', async () => {
    const { scim } = await site('samlenf', { samlEnforced: true });
    const bad = await scim('POST', '/Users', userBody({ userName: 'not-an-email' }));
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/USERNAME_NOT_(EMAIL|PRIMARY_EMAIL)/);
    const mismatch = await scim('POST', '/Users', userBody({ userName: 'a@x.test', emails: [{ value: 'b@x.test', primary: true }] }));
    expect(mismatch.status).toBe(400);
    expect((await scim('POST', '/Users', userBody({ userName: 'c@x.test', emails: [{ value: 'C@x.test', primary: true }] }))).status).toBe(201);
  });
});

describe('group floors and role mapping (R-GRP-06/07/08, SPEC §5.1)', () => {
  it('R-GRP-06: an onSync floor promotes at provisioning and membership change; leaving flags ROLE_ABOVE_ENTITLEMENT', async () => {
    const { siteId, scim } = await site('floors');
    const u = (await scim('POST', '/Users', withRole('Viewer'))).body;
    const g = (await scim('POST', '/Groups', group('Analysts'))).body;
    expect((await s.admin('PATCH', `/sites/${siteId}/groups/${g.id}`, { minimumSiteRole: 'Explorer', grantLicenseMode: 'onSync' })).status).toBe(200);
    await scim('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    expect(roleOf((await scim('GET', `/Users/${u.id}`)).body)).toBe('Explorer');
    await scim('PATCH', `/Groups/${g.id}`, patch({ op: 'remove', path: `members[value eq "${u.id}"]` }));
    expect(roleOf((await scim('GET', `/Users/${u.id}`)).body)).toBe('Explorer');
    expect((await audit(`siteId=${siteId}&userId=${u.id}&reason=ROLE_ABOVE_ENTITLEMENT`)).length).toBeGreaterThan(0);
  });

  it('R-GRP-01: an onLogin floor applies only at the sign-in event', async () => {
    const { siteId, scim } = await site('onlogin');
    const u = (await scim('POST', '/Users', withRole('Unlicensed'))).body;
    const g = (await scim('POST', '/Groups', group('Login grant'))).body;
    await s.admin('PATCH', `/sites/${siteId}/groups/${g.id}`, { minimumSiteRole: 'Viewer', grantLicenseMode: 'onLogin' });
    await scim('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    expect(roleOf((await scim('GET', `/Users/${u.id}`)).body)).toBe('Unlicensed');
    const signIn = await s.admin('POST', `/sites/${siteId}/sign-ins`, { userId: u.id });
    expect(signIn.body.memberships[0]).toMatchObject({ siteRole: 'Viewer', licensed: true });
  });

  it('SPEC §5.1: role-mapping rules by attribute and by group, highest wins; validated with ajv', async () => {
    const { siteId, scim } = await site('mapping');
    const bad = await s.admin('PUT', `/sites/${siteId}/role-mapping`, { rules: [{ when: { attribute: 'title' }, siteRole: 'Publisher' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('admin.invalid_body');
    const rules = {
      rules: [
        { when: { attribute: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', equals: 'Finance' }, siteRole: 'Viewer' },
        { when: { attribute: 'title', in: ['Analyst', 'Data Scientist'] }, siteRole: 'Explorer' },
        { when: { group: 'Tableau Creators' }, siteRole: 'Creator' },
      ],
      default: 'Unlicensed',
    };
    expect((await s.admin('PUT', `/sites/${siteId}/role-mapping`, rules)).status).toBe(200);
    const fin = (await scim('POST', '/Users', userBody({ 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'finance' } }))).body;
    expect(roleOf(fin)).toBe('Viewer');
    const both = (await scim('POST', '/Users', userBody({ title: 'analyst', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Finance' } }))).body;
    expect(roleOf(both)).toBe('Explorer');
    const g = (await scim('POST', '/Groups', group('Tableau Creators'))).body;
    await scim('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: fin.id }] }));
    expect(roleOf((await scim('GET', `/Users/${fin.id}`)).body)).toBe('Creator');
    expect(roleOf((await scim('POST', '/Users', userBody())).body)).toBe('Unlicensed');
  });

  it('SPEC §5.7: an IdP overwriting an administrator\'s manual role is audited OVERWROTE_MANUAL_CHANGE', async () => {
    const { siteId, scim } = await site('drift');
    const u = (await scim('POST', '/Users', withRole('Viewer'))).body;
    await s.admin('PATCH', `/sites/${siteId}/users/${u.id}`, { siteRole: 'Creator' });
    await scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: `${TABLEAU}:siteRoles`, value: [{ value: 'Explorer' }] }));
    const e = await audit(`siteId=${siteId}&userId=${u.id}&reason=OVERWROTE_MANUAL_CHANGE`);
    expect(e[0].data).toMatchObject({ before: 'Creator', after: 'Explorer' });
  });
});

describe('tenant limits (R-TCM-03)', () => {
  it('R-TCM-03: the 101st cloud administrator is refused with 409 tenant.cloud_admin_limit', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) ids.push((await s.req('POST', '/Users', userBody())).body.id);
    for (const id of ids.slice(0, 100)) expect((await s.admin('PUT', `/users/${id}/cloud-admin`, { cloudAdmin: true })).status).toBe(200);
    const r = await s.admin('PUT', `/users/${ids[100]}/cloud-admin`, { cloudAdmin: true });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('tenant.cloud_admin_limit');
  });
});
