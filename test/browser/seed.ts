import { patch, userBody, type TestServer } from '../helpers/server.js';

const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
const OKTA = { 'user-agent': 'Okta SCIM Client 1.0.0' };

/** The users and sites the browser tests look for. */
export interface Seeded {
  salesSiteId: string;
  /** Creator request refused for want of a seat (LICENSE_EXHAUSTED, waiting for a seat). */
  bob: { id: string; userName: string };
  /** Unlicensed, promoted to Viewer by a group floor (GROUP_FLOOR_PROMOTION). */
  fay: { id: string; userName: string };
  /** On site sales: an administrator's manual role overwritten by the IdP (drift). */
  gus: { id: string; userName: string };
}

function ok<T extends { status: number; text: string }>(r: T, what: string): T {
  if (r.status >= 300) throw new Error(`seed: ${what} answered ${r.status}: ${r.text}`);
  return r;
}

/**
 * Seeds over SCIM (as Okta) and the admin API: site `default` with capacity creator 2,
 * explorer 1, viewer unlimited, an Explorer borrowing a Creator seat, an exhausted Creator
 * request, a group floor promotion; site `sales` with a manual role the IdP overwrote.
 */
export async function seed(s: TestServer): Promise<Seeded> {
  const withRole = (role: string, name: string) => userBody({ userName: `${name}@example.test`, displayName: name[0]!.toUpperCase() + name.slice(1),
    emails: [{ value: `${name}@example.test`, type: 'work', primary: true }], [TABLEAU]: { siteRoles: [{ value: role }] } });
  ok(await s.admin('PUT', '/sites/default/licenses', { creator: 2, explorer: 1, viewer: null }), 'capacity');
  const add = async (role: string, name: string, scim = s.req) => {
    const r = ok(await scim('POST', '/Users', withRole(role, name), OKTA), `user ${name}`);
    return { id: r.body.id as string, userName: r.body.userName as string };
  };
  await add('Creator', 'ada');
  await add('Explorer', 'cy');
  await add('Explorer', 'eve'); // Explorer tier full: borrows a Creator seat
  const bob = await add('Creator', 'bob'); // no Creator seat left: LICENSE_EXHAUSTED
  await add('Viewer', 'di');
  const fay = await add('Unlicensed', 'fay');
  const group = ok(await s.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Report viewers' }, OKTA), 'group');
  ok(await s.admin('PATCH', `/sites/default/groups/${group.body.id}`, { minimumSiteRole: 'Viewer', grantLicenseMode: 'onSync' }), 'floor');
  ok(await s.req('PATCH', `/Groups/${group.body.id}`, patch({ op: 'add', path: 'members', value: [{ value: fay.id }] }), OKTA), 'join');

  const sales = await s.addSite('sales');
  const salesScim = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    s.req(method, path, body, { authorization: `Bearer ${sales.secret}`, ...headers });
  ok(await s.admin('PUT', `/sites/${sales.siteId}/licenses`, { creator: 3, explorer: null, viewer: 10 }), 'sales capacity');
  await add('Creator', 'hal', salesScim);
  const gus = await add('Viewer', 'gus', salesScim);
  ok(await s.admin('PATCH', `/sites/${sales.siteId}/users/${gus.id}`, { siteRole: 'Explorer' }), 'manual role');
  ok(await salesScim('PATCH', `/Users/${gus.id}`, patch({ op: 'replace', path: `${TABLEAU}:siteRoles`, value: [{ value: 'Creator' }] }), OKTA), 'overwrite');
  // A refused request, so the log has a request entry with an HTTP_400 reason.
  await s.req('POST', '/Users', userBody({ [TABLEAU]: { siteRoles: [{ value: 'Publisher' }] } }), OKTA);
  await s.container.auditLog.flush();
  return { salesSiteId: sales.siteId, bob, fay, gus };
}
