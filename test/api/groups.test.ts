import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patch, startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
const users: string[] = [];
beforeAll(async () => {
  s = await startTestServer();
  for (let i = 0; i < 6; i++) users.push((await s.req('POST', '/Users', userBody())).body.id);
});
afterAll(async () => { await s.close(); });

const group = (displayName: string, extra: Record<string, unknown> = {}) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, ...extra });
const memberIds = (body: any) => (body.members ?? []).map((m: any) => m.value).sort();

describe('/Groups', () => {
  it('creates a group with members, answers 409 on a duplicate displayName (case-insensitive)', async () => {
    const r = await s.req('POST', '/Groups', group('Sales', { members: [{ value: users[0], display: 'VP' }], externalId: 'g-ext' }));
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe(`${s.scim}/Groups/${r.body.id}`);
    expect(r.body.members).toEqual([{ value: users[0], display: 'VP', $ref: `${s.scim}/Users/${users[0]}`, type: 'User' }]);
    const dup = await s.req('POST', '/Groups', group('SALES'));
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
  });

  it('PATCH adds (Entra and Okta forms), removes by filter and by value array, replaces, and answers 204', async () => {
    const g = (await s.req('POST', '/Groups', group('Eng'))).body.id;
    expect((await s.req('PATCH', `/Groups/${g}`, patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: users[1] }, { value: users[2], displayName: 'new User' }] }))).status).toBe(204);
    let got = await s.req('GET', `/Groups/${g}`);
    expect(memberIds(got.body)).toEqual([users[1], users[2]].sort());
    expect(got.text).toContain('new User');
    // Okta: remove by filter + add, in one PATCH
    await s.req('PATCH', `/Groups/${g}`, patch({ op: 'remove', path: `members[value eq "${users[1]}"]` }, { op: 'add', path: 'members', value: [{ value: users[3], display: 'x' }] }));
    got = await s.req('GET', `/Groups/${g}`);
    expect(memberIds(got.body)).toEqual([users[2], users[3]].sort());
    // Entra: remove with a value array
    await s.req('PATCH', `/Groups/${g}`, patch({ op: 'Remove', path: 'members', value: [{ value: users[2] }] }));
    expect(memberIds((await s.req('GET', `/Groups/${g}`)).body)).toEqual([users[3]]);
    await s.req('PATCH', `/Groups/${g}`, patch({ op: 'replace', path: 'members', value: [{ value: users[4] }, { value: users[5] }] }));
    expect(memberIds((await s.req('GET', `/Groups/${g}`)).body)).toEqual([users[4], users[5]].sort());
    await s.req('PATCH', `/Groups/${g}`, patch({ op: 'remove', path: 'members' }));
    expect((await s.req('GET', `/Groups/${g}`)).body.members).toBeUndefined();
  });

  it('renames with Okta\'s no-path value carrying the readOnly id', async () => {
    const g = (await s.req('POST', '/Groups', group('Old name'))).body.id;
    expect((await s.req('PATCH', `/Groups/${g}`, patch({ op: 'replace', value: { id: g, displayName: 'New name' } }))).status).toBe(204);
    expect((await s.req('GET', `/Groups/${g}`)).body.displayName).toBe('New name');
  });

  it('excludedAttributes=members omits members; adding an unknown id does not store it', async () => {
    const g = (await s.req('POST', '/Groups', group('Ops', { members: [{ value: users[0] }] }))).body.id;
    const r = await s.req('GET', `/Groups/${g}?excludedAttributes=members`);
    expect(r.body.members).toBeUndefined();
    expect(r.body.displayName).toBe('Ops');
    expect((await s.req('PATCH', `/Groups/${g}`, patch({ op: 'add', path: 'members', value: 'string id 1' }))).status).toBe(204);
    expect(memberIds((await s.req('GET', `/Groups/${g}`)).body)).toEqual([users[0]]);
  });

  it('PUT replaces displayName and members; DELETE removes the group', async () => {
    const g = (await s.req('POST', '/Groups', group('PutMe', { members: [{ value: users[0] }] }))).body.id;
    const put = await s.req('PUT', `/Groups/${g}`, group('Put done', { id: g, members: [{ value: users[1] }, { value: users[2] }] }));
    expect(put.status).toBe(200);
    expect(put.body.displayName).toBe('Put done');
    expect(memberIds(put.body)).toEqual([users[1], users[2]].sort());
    expect((await s.req('DELETE', `/Groups/${g}`)).status).toBe(204);
    expect((await s.req('GET', `/Groups/${g}`)).status).toBe(404);
  });

  it('shows group memberships on the user (readOnly groups) and drops them when the user is deleted', async () => {
    const u = (await s.req('POST', '/Users', userBody())).body.id;
    const g = (await s.req('POST', '/Groups', group('Readers', { members: [{ value: u }] }))).body.id;
    expect((await s.req('GET', `/Users/${u}`)).body.groups).toEqual([{ value: g, $ref: `${s.scim}/Groups/${g}`, display: 'Readers' }]);
    await s.req('DELETE', `/Users/${u}`);
    expect((await s.req('GET', `/Groups/${g}`)).body.members).toBeUndefined();
  });

  it('50 parallel PATCHes adding distinct members to one group lose none', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await s.req('POST', '/Users', userBody())).body.id);
    const g = (await s.req('POST', '/Groups', group('Parallel'))).body.id;
    const replies = await Promise.all(ids.map((id) => s.req('PATCH', `/Groups/${g}`, patch({ op: 'add', path: 'members', value: [{ value: id }] }))));
    expect(replies.map((r) => r.status)).toEqual(ids.map(() => 204));
    const got = await s.req('GET', `/Groups/${g}`);
    expect(memberIds(got.body)).toEqual([...ids].sort());
  });
});
