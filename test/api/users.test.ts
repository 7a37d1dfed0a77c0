import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patch, startTestServer, userBody, type TestServer } from '../helpers/server.js';

const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

describe('POST /Users', () => {
  it('creates a user: 201, Location, ETag, scim+json, meta', async () => {
    const body = userBody({ externalId: 'ext-1' });
    const r = await s.req('POST', '/Users', body);
    expect(r.status).toBe(201);
    expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(r.headers.get('location')).toBe(`${s.scim}/Users/${r.body.id}`);
    expect(r.headers.get('etag')).toBe(r.body.meta.version);
    expect(r.body).toMatchObject({ userName: body.userName, externalId: 'ext-1', active: true, name: body.name });
    expect(r.body.meta).toMatchObject({ resourceType: 'User', location: `${s.scim}/Users/${r.body.id}` });
    expect(r.body.schemas).toContain('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(r.body.password).toBeUndefined();
  });

  it('accepts application/json and charset variants', async () => {
    const r = await s.req('POST', '/Users', userBody(), { 'content-type': 'application/json; charset=utf-8' });
    expect(r.status).toBe(201);
  });

  it('rejects a duplicate userName case-insensitively with 409 uniqueness', async () => {
    const body = userBody();
    expect((await s.req('POST', '/Users', body)).status).toBe(201);
    const dup = await s.req('POST', '/Users', { ...body, userName: body.userName.toUpperCase() });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect(dup.body.detail).toEqual(expect.any(String));
  });

  it('ignores readOnly and never-returned attributes clients echo (id, meta, groups, password)', async () => {
    const r = await s.req('POST', '/Users', userBody({ id: 'client-chosen', meta: { resourceType: 'User' }, groups: [], password: 'p@ss', roles: [], addresses: null }));
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe('client-chosen');
    expect(r.text).not.toContain('p@ss');
  });

  it('coerces Entra "True"/"False" strings for booleans', async () => {
    const r = await s.req('POST', '/Users', userBody({ active: 'False' }));
    expect(r.status).toBe(201);
    expect(r.body.active).toBe(false);
  });

  it('stores and returns the Tableau extension under both documented keys', async () => {
    const a = await s.req('POST', '/Users', userBody({ [TABLEAU]: { siteRoles: [{ value: 'Creator' }] } }));
    expect(a.body[TABLEAU]).toEqual({ siteRoles: [{ value: 'Creator' }] });
    const b = await s.req('POST', '/Users', userBody({ 'urn:ietf:params:scim:schemas:extension:tableau:3.0': { siteRoles: [{ value: 'Explorer' }] } }));
    expect(b.body[TABLEAU]).toEqual({ siteRoles: [{ value: 'Explorer' }] });
    expect(b.body.schemas).toContain(TABLEAU);
  });

  it.each(['Publisher', 'Interactor', 'ServerAdministrator', 'Nonsense'])('rejects site role %s with 400 invalidValue naming the valid values', async (role) => {
    const r = await s.req('POST', '/Users', userBody({ [TABLEAU]: { siteRoles: [{ value: role }] } }));
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe('invalidValue');
    expect(r.body.detail).toContain('SiteAdministratorCreator');
  });

  it('accepts the enterprise manager as a bare string (Entra)', async () => {
    const r = await s.req('POST', '/Users', userBody({ [ENTERPRISE]: { department: 'R&D', manager: 'boss-id' } }));
    expect(r.status).toBe(201);
    expect(r.body[ENTERPRISE]).toEqual({ department: 'R&D', manager: { value: 'boss-id' } });
  });

  it('rejects a missing or empty userName with 400', async () => {
    for (const body of [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true }, userBody({ userName: '   ' })]) {
      const r = await s.req('POST', '/Users', body);
      expect(r.status).toBe(400);
      expect(r.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    }
  });
});

describe('GET, PUT, PATCH, DELETE /Users/{id}', () => {
  it('round-trips a GET body through PUT (Okta echo) without change of role', async () => {
    const created = await s.req('POST', '/Users', userBody({ [TABLEAU]: { siteRoles: [{ value: 'Viewer' }] } }));
    const got = await s.req('GET', `/Users/${created.body.id}`);
    expect(got.status).toBe(200);
    const put = await s.req('PUT', `/Users/${created.body.id}`, { ...got.body, displayName: 'Echo' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: created.body.id, displayName: 'Echo', userName: created.body.userName });
    expect(put.body[TABLEAU].siteRoles[0].value).toBe('Viewer');
  });

  it('answers 304 to If-None-Match with the current version and 412 to a stale If-Match', async () => {
    const c = await s.req('POST', '/Users', userBody());
    const v = c.body.meta.version;
    expect((await s.req('GET', `/Users/${c.body.id}`, undefined, { 'if-none-match': v })).status).toBe(304);
    const p1 = await s.req('PATCH', `/Users/${c.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'x' }), { 'if-match': v });
    expect(p1.status).toBe(204);
    const p2 = await s.req('PATCH', `/Users/${c.body.id}`, patch({ op: 'replace', path: 'displayName', value: 'y' }), { 'if-match': v });
    expect(p2.status).toBe(412);
    expect((await s.req('GET', `/Users/${c.body.id}`)).body.displayName).toBe('x');
    expect((await s.req('DELETE', `/Users/${c.body.id}`, undefined, { 'if-match': v })).status).toBe(412);
  });

  it('applies Entra PATCH quirks: capitalised ops, "False", no-path dotted and URN keys, work email upsert', async () => {
    const c = await s.req('POST', '/Users', userBody({ emails: [{ value: 'home@x.test', type: 'home' }] }));
    const id = c.body.id;
    const r = await s.req('PATCH', `/Users/${id}?attributes=active,name,emails,${ENTERPRISE}`, patch(
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'replace', value: { 'name.givenName': 'Ann', [`${ENTERPRISE}:department`]: 'Finance' } },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'ann@work.test' },
      { op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' },
    ));
    expect(r.status).toBe(200);
    expect(r.body.active).toBe(false);
    expect(r.body.name.givenName).toBe('Ann');
    expect(r.body.name.familyName).toBe(c.body.name.familyName);
    expect(r.body[ENTERPRISE].department).toBe('Finance');
    expect(r.body.emails).toEqual(expect.arrayContaining([
      expect.objectContaining({ value: 'home@x.test', type: 'home' }),
      { value: 'ann@work.test', type: 'work', primary: true },
    ]));
    expect(r.body.emails).toHaveLength(2);
  });

  it('answers 204 to PATCH without attributes, and an empty Operations list is a no-op', async () => {
    const c = await s.req('POST', '/Users', userBody());
    expect((await s.req('PATCH', `/Users/${c.body.id}`, patch({ op: 'replace', value: { active: false } }))).status).toBe(204);
    expect((await s.req('GET', `/Users/${c.body.id}`)).body.active).toBe(false);
    expect((await s.req('PATCH', `/Users/${c.body.id}`, patch())).status).toBe(204);
    expect((await s.req('PATCH', '/Users/does-not-exist', patch())).status).toBe(404);
  });

  it('renames a user (PATCH userName), keeps id, and keeps userNames unique', async () => {
    const a = await s.req('POST', '/Users', userBody());
    const b = await s.req('POST', '/Users', userBody());
    const renamed = `renamed-${a.body.userName}`;
    expect((await s.req('PATCH', `/Users/${a.body.id}`, patch({ op: 'replace', path: 'userName', value: renamed }))).status).toBe(204);
    const got = await s.req('GET', `/Users/${a.body.id}`);
    expect(got.body.userName).toBe(renamed);
    const clash = await s.req('PATCH', `/Users/${b.body.id}`, patch({ op: 'replace', path: 'userName', value: renamed.toUpperCase() }));
    expect(clash.status).toBe(409);
    expect((await s.req('GET', `/Users/${b.body.id}`)).body.userName).toBe(b.body.userName);
  });

  it('rejects bad PATCH bodies with the right scimType and changes nothing', async () => {
    const c = await s.req('POST', '/Users', userBody());
    const cases: [unknown, string][] = [
      [{ Operations: [] }, 'invalidSyntax'],
      [patch({ op: 'move', path: 'x' }), 'invalidSyntax'],
      [patch({ op: 'remove' }), 'noTarget'],
      [patch({ op: 'replace', path: 'nosuchattr', value: 1 }), 'invalidPath'],
      [patch({ op: 'replace', path: 'active', value: 'maybe' }), 'invalidValue'],
    ];
    for (const [body, scimType] of cases) {
      const r = await s.req('PATCH', `/Users/${c.body.id}`, body);
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe(scimType);
    }
    const after = await s.req('GET', `/Users/${c.body.id}`);
    expect(after.body.meta.version).toBe(c.body.meta.version);
  });

  it('DELETE removes the user: 204, then 404 everywhere and gone from lists', async () => {
    const c = await s.req('POST', '/Users', userBody());
    expect((await s.req('DELETE', `/Users/${c.body.id}`)).status).toBe(204);
    expect((await s.req('GET', `/Users/${c.body.id}`)).status).toBe(404);
    expect((await s.req('DELETE', `/Users/${c.body.id}`)).status).toBe(404);
    expect((await s.req('PUT', `/Users/${c.body.id}`, userBody())).status).toBe(404);
    const list = await s.req('GET', `/Users?filter=${encodeURIComponent(`userName eq "${c.body.userName}"`)}`);
    expect(list.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('answers 404 for unknown ids of any shape', async () => {
    for (const id of ['010101001010101011001010101011', '00919288221112222', 'a%22b']) {
      const r = await s.req('GET', `/Users/${id}`);
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ status: '404', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
    }
  });
});
