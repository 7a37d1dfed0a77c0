import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import type { AuditEntry } from '../../src/domain/audit.js';
import { startServerProcess } from '../helpers/process.js';
import { ADMIN_TOKEN, patch, SCIM_TOKEN, startTestServer, userBody, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

const entriesFor = async (q: string) => {
  await s.container.auditLog.flush();
  return (await s.admin('GET', `/audit?${q}`)).body.entries as any[];
};
const raw = () => (s.container.store as SqliteStore).rawDatabase;

describe('audit events and request entries', () => {
  it('every SCIM change writes its domain events, and each request its request entry with the client', async () => {
    const okta = { 'user-agent': 'Okta SCIM Client 1.0.0' };
    const u = (await s.req('POST', '/Users', userBody({ 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User': { siteRoles: [{ value: 'Viewer' }] } }), okta)).body;
    await s.req('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'displayName', value: 'X' }), okta);
    const g = (await s.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Audited' })).body;
    await s.req('PATCH', `/Groups/${g.id}`, patch({ op: 'add', path: 'members', value: [{ value: u.id }] }));
    await s.req('DELETE', `/Users/${u.id}`);
    const events = (await entriesFor(`userId=${u.id}&kind=event`)).map((e) => e.event).reverse();
    expect(events).toEqual(['UserProvisioned', 'LicenseGranted', 'LicenseRevoked', 'UserUpdated', 'MembershipRemoved', 'UserDeleted']);
    const groupEvents = (await entriesFor(`groupId=${g.id}`)).map((e) => e.event).reverse();
    expect(groupEvents).toEqual(['GroupCreated', 'GroupMembersAdded']);
    const requests = await entriesFor('kind=request&client=Okta');
    expect(requests.length).toBe(2);
    expect(requests[0].data).toMatchObject({ client: 'Okta', method: 'PATCH', status: 204, operations: 2 });
    expect(requests[0].data.durationMs).toEqual(expect.any(Number));
    expect(JSON.stringify(await entriesFor('limit=1000'))).not.toContain(SCIM_TOKEN);
  });

  it('denied requests get their own entry', async () => {
    await s.req('POST', '/Users', userBody({ 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User': { siteRoles: [{ value: 'Publisher' }] } }));
    const denied = await entriesFor('kind=request&reason=HTTP_400');
    expect(denied.length).toBeGreaterThan(0);
  });

  it('filters and pages newest first with a cursor', async () => {
    const first = await s.admin('GET', '/audit?limit=2');
    expect(first.body.entries).toHaveLength(2);
    const next = await s.admin('GET', `/audit?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.body.entries[0].seq).toBeLessThan(first.body.entries[1].seq);
    expect((await s.admin('GET', '/audit?event=NoSuchEvent')).status).toBe(400);
    expect((await s.admin('GET', '/audit?since=yesterday')).status).toBe(400);
  });
});

describe('tamper evidence', () => {
  it('verifies a clean chain and names the first tampered entry', async () => {
    const ok = await s.admin('GET', '/audit/verify');
    expect(ok.body).toMatchObject({ ok: true });
    expect(ok.body.checked).toBeGreaterThan(5);
    const victim = raw().prepare("SELECT id, seq FROM audit_entries WHERE event = 'UserProvisioned' ORDER BY seq LIMIT 1").get() as { id: string; seq: number };
    const before = raw().prepare('SELECT data FROM audit_entries WHERE id = ?').get(victim.id) as { data: string };
    raw().prepare('UPDATE audit_entries SET data = ? WHERE id = ?').run(before.data.replace('"active":true', '"active":false'), victim.id);
    const broken = await s.admin('GET', '/audit/verify');
    expect(broken.body).toMatchObject({ ok: false, firstBrokenId: victim.id });
    raw().prepare('UPDATE audit_entries SET data = ? WHERE id = ?').run(before.data, victim.id);
    expect((await s.admin('GET', '/audit/verify')).body.ok).toBe(true);
    // Deleting an entry breaks the chain too.
    raw().prepare('DELETE FROM audit_entries WHERE seq = ?').run(victim.seq + 1);
    expect((await s.admin('GET', '/audit/verify')).body.ok).toBe(false);
  });
});

describe('export and retention', () => {
  it('exports NDJSON and CSV', async () => {
    const t = await startTestServer();
    try {
      await t.req('POST', '/Users', userBody());
      await t.req('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: '=cmd|" ,x' });
      await t.container.auditLog.flush();
      const nd = await t.admin('GET', '/audit/export?format=ndjson');
      expect(nd.headers.get('content-type')).toMatch(/ndjson/);
      const lines = nd.text.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => l.event)).toContain('UserProvisioned');
      const csv = await t.admin('GET', '/audit/export?format=csv&kind=event');
      expect(csv.text.startsWith('seq,id,at')).toBe(true); // fetch's text() drops the BOM; the bytes keep it:
      const bytes = new Uint8Array(await (await fetch(`${t.url}/api/v1/audit/export?format=csv`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(csv.text).toContain('""displayName"":""=cmd|'); // RFC 4180 quoting of the JSON data cell
      expect(csv.text.split('\n').filter(Boolean).length).toBe(1 + lines.filter((l) => l.kind === 'event').length);
      expect((await t.admin('GET', '/audit/export?format=xml')).status).toBe(400);
    } finally {
      await t.close();
    }
  });

  it('exports across many pages newest first, as a snapshot of the log when the export started', async () => {
    const t = await startTestServer();
    try {
      const entry = (i: number): AuditEntry => ({
        id: randomUUID(), tenantId: 'default', siteId: i % 2 ? 'default' : null, at: Date.now(), kind: 'event', event: 'UserUpdated',
        actor: 'scim:test', targetType: 'User', targetId: `user-${i}`, reason: i % 3 ? null : 'SEAT_BORROWED', requestId: null, data: { i, note: 'a,"b"\nc' },
      });
      await t.container.store.directory.appendAuditEntries(Array.from({ length: 2_600 }, (_, i) => entry(i)));
      await t.container.auditLog.flush();
      const db = (t.container.store as SqliteStore).rawDatabase;
      const all = (db.prepare("SELECT seq FROM audit_entries WHERE tenant_id = 'default' ORDER BY seq DESC").all() as { seq: number }[]).map((r) => r.seq);
      expect(all.length).toBeGreaterThan(2_600); // three pages of 1,000

      // Entries appended after the export has started (here: after its first chunk) are not in it;
      // none is repeated or skipped at the page boundaries.
      const gen = t.container.auditLog.export('default', {}, 'ndjson');
      const first = await gen.next();
      await t.container.store.directory.appendAuditEntries(Array.from({ length: 1_200 }, (_, i) => entry(10_000 + i)));
      let text = first.value as string;
      for await (const chunk of gen) text += chunk;
      const lines = text.split('\n');
      expect(lines.pop()).toBe(''); // every chunk is whole lines
      expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(all);

      // Over HTTP, in both formats, with a filter.
      const borrowed = (db.prepare("SELECT seq FROM audit_entries WHERE tenant_id = 'default' AND reason = 'SEAT_BORROWED' ORDER BY seq DESC").all() as { seq: number }[])
        .map((r) => r.seq);
      expect(borrowed.length).toBeGreaterThan(1_000);
      const nd = await t.admin('GET', '/audit/export?format=ndjson&reason=SEAT_BORROWED');
      const parsed = nd.text.trim().split('\n').map((l) => JSON.parse(l) as { seq: number; at: string; data: { note: string } });
      expect(parsed.map((e) => e.seq)).toEqual(borrowed);
      expect(parsed[0]).toMatchObject({ at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), data: { note: 'a,"b"\nc' } });
      const csv = await t.admin('GET', '/audit/export?format=csv&reason=SEAT_BORROWED');
      const seqs = [...csv.text.matchAll(/^(\d+),/gm)].map((m) => Number(m[1]));
      expect(seqs).toEqual(borrowed);
    } finally {
      await t.close();
    }
  });

  it('purges by retention and keeps the chain verifiable through an anchor', async () => {
    const t = await startTestServer();
    try {
      for (let i = 0; i < 3; i++) await t.req('POST', '/Users', userBody());
      await t.container.auditLog.flush();
      const db = (t.container.store as SqliteStore).rawDatabase;
      // Back-date the first three entries (this breaks their own hashes; the purge removes exactly them, and the
      // anchor — the stored hash of the last one — is what the next entry's prev_hash points at).
      db.prepare('UPDATE audit_entries SET at = at - 400 * 86400000 WHERE seq <= 3').run();
      const r = await t.admin('POST', '/audit/purge', { retentionDays: 365 });
      expect(r.body.purged).toBe(3);
      const v = await t.admin('GET', '/audit/verify');
      expect(v.body).toMatchObject({ ok: true });
      expect((await t.admin('GET', '/audit?event=AuditPurged')).body.entries).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});

describe('reports', () => {
  it('license usage, waiting, retained owners, wasted seats, drift and IdP activity answer for the tenant', async () => {
    await s.req('POST', '/Users', userBody({ 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User': { siteRoles: [{ value: 'Viewer' }] } }));
    const lic = await s.admin('GET', '/reports/licenses');
    expect(lic.body.sites[0]).toMatchObject({ siteId: 'default', capacity: { creator: null }, used: expect.any(Object), borrowed: expect.any(Object) });
    for (const path of ['/reports/retained-owners', '/reports/waiting-for-seat', '/reports/drift', '/reports/idp-activity']) {
      const r = await s.admin('GET', path);
      expect(r.status).toBe(200);
      expect(Array.isArray(r.body.rows)).toBe(true);
    }
    const wasted = await s.admin('GET', '/reports/wasted-seats?idleDays=30');
    expect(wasted.body).toMatchObject({ idleDays: 30, borrowed: expect.any(Array), idle: expect.any(Array) });
    expect(wasted.body.idle.length).toBeGreaterThan(0); // licensed users who never signed in
    const activity = (await s.admin('GET', '/reports/idp-activity')).body.rows;
    expect(activity.some((r: any) => r.client === 'Okta' && r.requests >= 2)).toBe(true);
  });
});

describe('CLI', () => {
  it('npm run audit:verify exits 0 on a clean store and 1 naming the entry after tampering', async () => {
    const server = await startServerProcess({ ROLEGATE_BOOTSTRAP_SCIM_TOKEN: 'cli-audit-secret-0123456789' });
    const res = await fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST', headers: { authorization: 'Bearer cli-audit-secret-0123456789', 'content-type': 'application/scim+json' },
      body: JSON.stringify(userBody()),
    });
    expect(res.status).toBe(201);
    const db = server.dbPath;
    await server.stop({ keepFiles: true });
    const cli = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'audit-verify.js');
    const env = { ...process.env, ROLEGATE_DB: `sqlite:${db}`, ROLEGATE_CONFIG_DIR: '/nonexistent' };
    const clean = spawnSync(process.execPath, [cli], { env, encoding: 'utf8' });
    expect(clean.stdout).toMatch(/tenant default: ok/);
    expect(clean.status).toBe(0);
    const tamper = new Database(db);
    const victim = tamper.prepare("SELECT id FROM audit_entries WHERE event = 'UserProvisioned'").get() as { id: string };
    tamper.prepare("UPDATE audit_entries SET reason = 'EDITED' WHERE id = ?").run(victim.id);
    tamper.close();
    const broken = spawnSync(process.execPath, [cli], { env, encoding: 'utf8' });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain(victim.id);
    server.cleanup();
  });
});
