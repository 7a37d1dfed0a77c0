import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { patch, startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

const BOM = '\uFEFF';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POSTs a CSV file and waits for the job; returns the final status with every row. */
async function importCsv(siteId: string, csv: string | Uint8Array, query = 'format=cloud', headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/api/v1/sites/${siteId}/imports?${query}`, {
    method: 'POST', headers: { authorization: `Bearer ${(s as any).adminToken ?? 'test-admin-secret-0123456789'}`, 'content-type': 'text/csv', ...headers }, body: csv,
  });
  const accepted = await res.json() as any;
  if (res.status !== 202) throw new Error(`${res.status} ${JSON.stringify(accepted)}`);
  expect(res.headers.get('location')).toBe(`/api/v1/imports/${accepted.jobId}`);
  for (let i = 0; i < 400; i++) {
    const st = await s.admin('GET', `/imports/${accepted.jobId}?limit=10000`);
    if (st.body.state !== 'running') return st.body;
    await sleep(25);
  }
  throw new Error('import did not finish');
}
const rowsBy = (job: any) => Object.fromEntries(job.rows.map((r: any) => [r.userName, r]));
const audit = async (q: string) => (await s.admin('GET', `/audit?kind=event&limit=1000&${q}`)).body.entries as any[];
async function site(name: string, capacity?: Record<string, number | null>, settings?: Record<string, unknown>) {
  const { siteId, secret } = await s.addSite(name);
  if (capacity) expect((await s.admin('PUT', `/sites/${siteId}/licenses`, capacity)).status).toBe(200);
  if (settings) expect((await s.admin('PATCH', `/sites/${siteId}`, { settings })).status).toBe(200);
  return { siteId, secret, contentUrl: name };
}
const addUser = async (siteId: string, userName: string, siteRole: string) => {
  const r = await s.admin('POST', `/sites/${siteId}/users`, { userName, siteRole });
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const membership = async (siteId: string, userId: string) => (await s.admin('GET', `/sites/${siteId}/users/${userId}`)).body.memberships.find((m: any) => m.siteId === siteId);

describe('CSV import API (SPEC §8)', () => {
  it('R-CSV-01 UTF-8 with BOM, \\0x40 escapes, no header: header rows and non-UTF-8 lines are rejected, the rest imported', async () => {
    const { siteId } = await site('csv01');
    const latin1 = Buffer.concat([Buffer.from(`${BOM}user\\0x40fremont@csv01.test,,,Viewer,None,no,\n`), Buffer.from([0x6a, 0xe9, 0x40, 0x78, 0x2c]), Buffer.from(',,Viewer,None,no,\nok@csv01.test,,,Viewer,None,no,\n')]);
    const job = await importCsv(siteId, latin1);
    expect(job.rows.map((r: any) => [r.row, r.userName, r.outcome, r.reason])).toEqual([
      [1, 'user@fremont@csv01.test', 'created', null], [2, null, 'rejected', 'CSV_NOT_UTF8'], [3, 'ok@csv01.test', 'created', null],
    ]);
    const header = await importCsv(siteId, 'username,password,display name,license level,admin level,publishing,email\nh@csv01.test,,,Viewer,None,no,\n');
    expect(header.rows.map((r: any) => r.reason)).toEqual(['CSV_HEADER_ROW', null]);
  });

  it('R-CSV-02 R-CSV-03 columns are positional: display name and email seed a new identity; a short row is rejected', async () => {
    const { siteId } = await site('csv03');
    const job = await importCsv(siteId, `${BOM}jane@csv03.test,secret,"Doe, Jane",Explorer,None,yes,jane.doe@csv03.test\nshort@csv03.test,,Viewer\n`);
    expect(rowsBy(job)['jane@csv03.test']).toMatchObject({ outcome: 'created', siteRole: 'ExplorerCanPublish' });
    expect(rowsBy(job)['short@csv03.test']).toMatchObject({ outcome: 'rejected', reason: 'CSV_COLUMN_COUNT' });
    const list = await s.admin('GET', `/users?siteId=${siteId}`);
    expect(list.body.users).toEqual([expect.objectContaining({ userName: 'jane@csv03.test', displayName: 'Doe, Jane' })]);
    expect(JSON.stringify(await audit(`siteId=${siteId}`))).not.toContain('secret'); // passwords are never kept
  });

  it.each([
    ['UserA', 'Unlicensed,None,false', 'Unlicensed'], ['UserB', 'Viewer,None,false', 'Viewer'],
    ['UserC', 'Explorer,None,false', 'Explorer'], ['UserD', 'Explorer,None,true', 'ExplorerCanPublish'],
  ])('R-CSV-11 the official example %s,,,%s, imports as %s', async (user, cols, role) => {
    const { siteId } = await site(`csv11${user}`);
    const job = await importCsv(siteId, `${user},,,${cols},\n`);
    expect(job.rows[0]).toMatchObject({ userName: user, outcome: 'created', siteRole: role, requestedSiteRole: role });
  });

  it.each([
    ['cloud', 'boss@x.test,,,Creator,System,yes,', 'LEGACY_SITE_ROLE'],
    ['server', 'boss,,,Creator,System,yes,', 'SERVER_ADMIN_NOT_ASSIGNABLE'],
    ['cloud', 'old@x.test,,,Publisher,None,yes,', 'CSV_INVALID_VALUE'],
  ])('R-CSV-09 a %s row %s is rejected with %s and never aborts the good rows', async (format, line, reason) => {
    const { siteId } = await site(`csv09${format}${reason.length}`);
    const job = await importCsv(siteId, `good1@x.test,,,Viewer,None,no,\n${line}\n"unclosed,,,Viewer,None,no,\ngood2@x.test,,,Creator,None,yes,\n`, `format=${format}`);
    expect(job.rows.map((r: any) => [r.outcome, r.reason])).toEqual([['created', null], ['rejected', reason], ['rejected', 'CSV_MALFORMED_LINE'], ['created', null]]);
    expect(job).toMatchObject({ state: 'completed', total: 4, succeeded: 2, failed: 2 });
  });

  it('R-CSV-12 overwrite: the file role replaces the current one, downwards too, site administrators included', async () => {
    const { siteId } = await site('csv12');
    const admin = await addUser(siteId, 'sa@csv12.test', 'SiteAdministratorCreator');
    const creator = await addUser(siteId, 'cr@csv12.test', 'Creator');
    const job = await importCsv(siteId, 'sa@csv12.test,,,Viewer,None,no,\ncr@csv12.test,,,Explorer,None,no,\n');
    expect(job.rows.map((r: any) => [r.outcome, r.siteRole])).toEqual([['updated', 'Viewer'], ['updated', 'Explorer']]);
    expect(await membership(siteId, admin)).toMatchObject({ siteRole: 'Viewer', seatTier: 'viewer' });
    expect(await membership(siteId, creator)).toMatchObject({ siteRole: 'Explorer' });
    expect((await audit(`siteId=${siteId}&userId=${admin}&event=SiteRoleChanged`))[0].data.after).toMatchObject({ siteRole: 'Viewer' });
  });

  it('R-CSV-13 promoteOnly (the Server default, C-03) raises roles and never lowers them', async () => {
    const { siteId } = await site('csv13');
    await addUser(siteId, 'hi@csv13.test', 'Creator');
    await addUser(siteId, 'lo@csv13.test', 'Viewer');
    const job = await importCsv(siteId, 'hi@csv13.test,,,Viewer,None,no,\nlo@csv13.test,,,Creator,None,yes,\n', 'format=server');
    expect(job.mode).toBe('promoteOnly');
    expect(rowsBy(job)['hi@csv13.test']).toMatchObject({ outcome: 'unchanged', siteRole: 'Creator', reason: 'PROMOTE_ONLY_KEPT' });
    expect(rowsBy(job)['lo@csv13.test']).toMatchObject({ outcome: 'updated', siteRole: 'Creator' });
    const forced = await importCsv(siteId, 'hi@csv13.test,,,Viewer,None,no,\n', 'format=server&mode=overwrite');
    expect(forced.rows[0]).toMatchObject({ outcome: 'updated', siteRole: 'Viewer' });
  });

  it('R-CSV-14 R-CSV-15 a row without a role: Unlicensed for a new user, no change for an existing one', async () => {
    const { siteId } = await site('csv15');
    await addUser(siteId, 'old@csv15.test', 'Creator');
    const job = await importCsv(siteId, 'new@csv15.test,,,,,,\nold@csv15.test,,,,,,\n');
    expect(rowsBy(job)['new@csv15.test']).toMatchObject({ outcome: 'created', siteRole: 'Unlicensed' });
    expect(rowsBy(job)['old@csv15.test']).toMatchObject({ outcome: 'unchanged', siteRole: 'Creator' });
  });

  it.each([
    ['without borrowing, the third Creator', { creator: 2, explorer: 0, viewer: 0 }, false, 'Creator,None,yes', [null, null, 'LICENSE_EXHAUSTED'], ['Creator', 'Creator', 'Unlicensed']],
    ['with borrowing, Explorers take free Creator seats (R-REST-18), then none is left', { creator: 2, explorer: 0, viewer: 0 }, true, 'Explorer,None,no',
      ['SEAT_BORROWED', 'SEAT_BORROWED', 'LICENSE_EXHAUSTED'], ['Explorer', 'Explorer', 'Unlicensed']],
  ])('R-CSV-16 each row passes the seat policy: %s ends Unlicensed with LICENSE_EXHAUSTED, the request kept', async (_n, capacity, borrow, cols, reasons, roles) => {
    const { siteId } = await site(`csv16${borrow}`, capacity, { allowSeatBorrowing: borrow });
    const job = await importCsv(siteId, [1, 2, 3].map((i) => `c${i}@csv16.test,,,${cols},`).join('\n'));
    expect(job.rows.map((r: any) => r.reason)).toEqual(reasons);
    expect(job.rows.map((r: any) => r.siteRole)).toEqual(roles);
    expect(job.rows[2].requestedSiteRole).toBe(roles[0]);
    expect((await audit(`siteId=${siteId}&event=LicenseExhausted`)).length).toBe(1);
  });

  it('the whole import is one audited job: ImportCompleted with the counts, per-user events under the same request', async () => {
    const { siteId } = await site('csvaudit');
    const job = await importCsv(siteId, 'a@csvaudit.test,,,Viewer,None,no,\nb@csvaudit.test,,,Bogus,None,no,\n');
    const [done] = await audit(`siteId=${siteId}&event=ImportCompleted`);
    expect(done.data).toMatchObject({ jobId: job.jobId, state: 'completed', total: 2, succeeded: 1, failed: 1, format: 'cloud', mode: 'overwrite' });
    const provisioned = await audit(`siteId=${siteId}&event=UserProvisioned`);
    expect(provisioned.map((e) => [e.requestId, e.data.channel, e.data.jobId])).toEqual([[done.requestId, 'csv', job.jobId]]);
  });

  it('dryRun: the same per-row report as the import (seats carried across batches), and nothing changes', async () => {
    const { siteId } = await site('csvdry', { creator: 1000, explorer: 0, viewer: 0 }, { allowSeatBorrowing: false });
    const csv = Array.from({ length: 1200 }, (_, i) => `u${i}@csvdry.test,,,Creator,None,yes,`).join('\n');
    const dry = await importCsv(siteId, csv, 'format=cloud&dryRun=true');
    expect(dry).toMatchObject({ dryRun: true, total: 1200, counts: { created: 1200 }, reasons: { LICENSE_EXHAUSTED: 200 } });
    expect((await s.admin('GET', `/users?siteId=${siteId}`)).body.users).toEqual([]);
    expect((await s.admin('GET', `/sites/${siteId}/licenses`)).body.used).toEqual({ creator: 0, explorer: 0, viewer: 0 });
    expect(await audit(`siteId=${siteId}&event=UserProvisioned`)).toEqual([]);
    expect(await audit(`siteId=${siteId}&event=ImportCompleted`)).toEqual([]); // a dry run is no domain change
    const real = await importCsv(siteId, csv);
    const strip = (rows: any[]) => rows.map(({ row, userName, outcome, siteRole, requestedSiteRole, reason }) => ({ row, userName, outcome, siteRole, requestedSiteRole, reason }));
    expect(strip(real.rows)).toEqual(strip(dry.rows));
    expect((await s.admin('GET', `/sites/${siteId}/licenses`)).body.used.creator).toBe(1000);
  });

  it.each([[51], [300]])('R-CSV-18 a file of any size: %i users in one import, no 50-user limit; duplicates reported, first row wins', async (count) => {
    const { siteId } = await site(`csv18n${count}`);
    const lines = Array.from({ length: count }, (_, i) => `bulk${i}@csv18.test,,,Viewer,None,no,`);
    const job = await importCsv(siteId, [...lines, 'BULK7@csv18.test,,,Creator,None,yes,'].join('\r\n'));
    expect(job.counts).toEqual({ created: count, updated: 0, unchanged: 0, rejected: 1 });
    expect(job.rows.at(-1)).toMatchObject({ row: count + 1, reason: 'CSV_DUPLICATE_ROW' });
    const page = await s.admin('GET', `/imports/${job.jobId}?offset=40&limit=5`);
    expect(page.body.rows.map((r: any) => r.row)).toEqual([41, 42, 43, 44, 45]);
    expect(page.body.nextOffset).toBe(45);
    const rejected = await s.admin('GET', `/imports/${job.jobId}?outcome=rejected`);
    expect(rejected.body.rows.map((r: any) => r.row)).toEqual([count + 1]);
  });
});

describe('TCM files (R-CSV-04, R-CSV-07)', () => {
  it('R-CSV-04 rows name their site; R-CSV-07 a blank site URI with admin level Cloud makes a cloud administrator', async () => {
    const a = await site('tcmA');
    const b = await site('tcmB');
    const csv = [
      'tcmA,multi@tcm.test,,Multi,Creator,None,yes,multi@tcm.test,SAML',
      'TCMB,multi@tcm.test,,,Viewer,None,no,,TableauIDWithMFA',
      ',multi@tcm.test,,,,Cloud,,,TableauIDWithMFA',
      'nowhere,x@tcm.test,,,Viewer,None,no,,',
    ].join('\n');
    const job = await importCsv(a.siteId, csv, 'format=tcm');
    expect(job.rows.map((r: any) => [r.site, r.outcome, r.siteRole, r.reason])).toEqual([
      ['tcmA', 'created', 'Creator', null], ['TCMB', 'created', 'Viewer', null], ['', 'updated', null, null], ['nowhere', 'rejected', null, 'CSV_UNKNOWN_SITE']]);
    const users = (await s.admin('GET', `/users?siteId=${b.siteId}`)).body.users;
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ userName: 'multi@tcm.test', cloudAdmin: true });
    expect(users[0].memberships.map((m: any) => [m.siteId, m.siteRole, m.authSetting])).toEqual([[a.siteId, 'Creator', 'SAML'], [b.siteId, 'Viewer', 'TableauIDWithMFA']]);
  });

  it('R-CSV-04 a TCM file spans the tenant: a siteAdmin token may not import one (403)', async () => {
    const a = await site('tcmScope');
    const token = (await s.admin('POST', '/tokens', { scope: 'siteAdmin', siteId: a.siteId })).body.token;
    const r = await s.admin('POST', `/sites/${a.siteId}/imports?format=tcm`, 'tcmScope,x@y.test,,,Viewer,None,no,,', { authorization: `Bearer ${token}`, 'content-type': 'text/csv' });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('auth.forbidden_scope');
  });
});

describe('export → import round trip (R-CSV-10)', () => {
  it.each(['cloud', 'tcm'])('R-CSV-10 a %s export re-imports with no change: no role change, no role audit event', async (format) => {
    const { siteId, secret } = await site(`trip${format}`, { creator: 1, explorer: null, viewer: null }, { allowSeatBorrowing: false });
    const scim = (m: string, p: string, b?: unknown) => s.req(m, p, b, { authorization: `Bearer ${secret}` });
    const ext = (role: string) => ({ 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User': { siteRoles: [{ value: role }] } });
    const sac = await addUser(siteId, `sac@trip${format}.test`, 'SiteAdministratorCreator');
    expect((await s.admin('PUT', `/users/${sac}/cloud-admin`, { cloudAdmin: true })).status).toBe(200); // TCM adds its Cloud row
    await addUser(siteId, `a\\0x40b@trip${format}.test`.replace('\\0x40', '@'), 'ExplorerCanPublish');
    await s.admin('POST', `/sites/${siteId}/users`, { userName: `named@trip${format}.test`, siteRole: 'SiteAdministratorExplorer', displayName: 'Doe, "J"' });
    await addUser(siteId, `viewer@trip${format}.test`, 'Viewer');
    await addUser(siteId, `none@trip${format}.test`, 'Unlicensed');
    const waiting = (await scim('POST', '/Users', userBody(ext('Creator')))).body; // no creator seat left: exhausted
    const off = (await scim('POST', '/Users', userBody(ext('Explorer')))).body;
    await scim('PATCH', `/Users/${off.id}`, patch({ op: 'replace', path: 'active', value: false }));
    const owner = await addUser(siteId, `owner@trip${format}.test`, 'Explorer');
    await s.admin('POST', `/sites/${siteId}/content`, { type: 'workbook', name: 'Sales', ownerUserId: owner });
    await s.admin('DELETE', `/sites/${siteId}/users/${owner}`); // retained owner
    expect((await membership(siteId, waiting.id)).siteRole).toBe('Unlicensed');

    const res = await fetch(`${s.url}/api/v1/sites/${siteId}/users/export?format=${format}`, { headers: { authorization: 'Bearer test-admin-secret-0123456789' } });
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain(`a\\0x40b@trip${format}.test`);
    const before = (await s.admin('GET', `/users?siteId=${siteId}`)).body.users;
    const lastSeq = (await audit(`siteId=${siteId}`))[0].id;

    const job = await importCsv(siteId, bytes, `format=${format}`);
    expect(job.counts).toEqual({ created: 0, updated: 0, unchanged: format === 'tcm' ? 9 : 8, rejected: 0 });
    expect((await s.admin('GET', `/users?siteId=${siteId}`)).body.users).toEqual(before);
    const after = await audit(`siteId=${siteId}`);
    expect(after.slice(0, after.findIndex((e) => e.id === lastSeq)).map((e) => e.event)).toEqual(['ImportCompleted']);
  });

  it('export needs a known format and site; an auditor may export', async () => {
    expect((await s.admin('GET', '/sites/default/users/export?format=xlsx')).body).toMatchObject({ code: 'request.invalid_value', details: { problems: expect.any(Array) } });
    expect((await s.admin('GET', '/sites/nope/users/export')).status).toBe(404);
    const token = (await s.admin('POST', '/tokens', { scope: 'auditor' })).body.token;
    expect((await s.admin('GET', '/sites/default/users/export', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});

describe('job and request errors are 4xx {code, message, details}', () => {
  it.each([
    ['an unknown format', '/sites/default/imports?format=xls', 'text/csv', 400, 'request.invalid_value'],
    ['a misspelt parameter', '/sites/default/imports?dryrun=true', 'text/csv', 400, 'request.invalid_value'],
    ['a JSON body', '/sites/default/imports', 'application/json', 400, 'request.unsupported_media_type'],
    ['an unknown site', '/sites/nope/imports', 'text/csv', 404, 'site.not_found'],
  ])('POST imports with %s', async (_n, path, type, status, code) => {
    const r = await s.admin('POST', path, 'a@b.test,,,Viewer,None,no,', { 'content-type': type });
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ code, message: expect.any(String), details: expect.any(Object) });
  });

  it('an unknown job is 404; another site\'s admin cannot read a job', async () => {
    expect((await s.admin('GET', '/imports/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    const a = await site('jobsA');
    const b = await site('jobsB');
    const job = await importCsv(a.siteId, 'x@jobs.test,,,Viewer,None,no,');
    const token = (await s.admin('POST', '/tokens', { scope: 'siteAdmin', siteId: b.siteId })).body.token;
    expect((await s.admin('GET', `/imports/${job.jobId}`, undefined, { authorization: `Bearer ${token}` })).status).toBe(404);
    expect((await s.admin('GET', `/imports/${job.jobId}?limit=abc`)).status).toBe(400);
    expect((await s.admin('GET', `/imports/${job.jobId}?outcome=lost`)).status).toBe(400);
  });
});
