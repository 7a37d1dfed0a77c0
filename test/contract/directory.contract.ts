/** Contract: tenants, sites, credentials, signing keys, the audit chain, tenant reads, the portal plane. */
import { auditHash, GENESIS_HASH } from '../../src/domain/audit.js';
import type { Store } from '../../src/ports/storage.js';
import { A, B, C, NOW, T1, T2, addUser, codeOf, entry } from './fixtures.js';

export function directoryContract(get: () => Store): void {
  describe('directory', () => {
    it('tenants and sites; contentUrl unique per tenant case-insensitively', async () => {
      const store = get();
      expect(await store.directory.countTenants()).toBe(2);
      expect(await store.directory.findTenantIds()).toEqual([T1, T2]);
      expect((await store.directory.findSites(T1)).map((s) => s.id)).toEqual([A.siteId, B.siteId]);
      expect(await store.directory.findSiteById(T2, A.siteId)).toBeUndefined();
      expect(await store.directory.findSiteById(T1, A.siteId)).toEqual({ id: A.siteId, tenantId: T1, name: 'alpha', contentUrl: 'alpha', settings: {}, createdAt: NOW });
      expect(await codeOf(store.directory.insertSite({ id: 'x', tenantId: T1, name: 'x', contentUrl: 'ALPHA', settings: {}, createdAt: NOW }))).toBe('resource.uniqueness');
      expect(await store.healthy()).toBe(true);
    });

    it('credentials: lookup by hash and id, listing, revocation with grace, last use', async () => {
      const d = get().directory;
      const cred = (id: string, createdAt: number, siteId: string | null = A.siteId) => ({
        id, tenantId: T1, siteId, kind: 'scim' as const, scope: null, secretHash: `hash-${id}`, revokedAt: null, label: id, createdAt,
      });
      await d.insertCredential(cred('k1', NOW));
      await d.insertCredential(cred('k2', NOW + 1));
      await d.insertCredential({ ...cred('k3', NOW, null), kind: 'admin', scope: 'tenantAdmin' });
      expect(await d.findCredentialByHash('hash-k1')).toEqual({ ...cred('k1', NOW), lastUsedAt: null });
      expect((await d.findCredentials(T1, A.siteId)).map((c) => c.id)).toEqual(['k2', 'k1']);
      expect((await d.findCredentials(T1, null)).map((c) => c.id)).toEqual(['k3']);
      await d.revokeCredentials(T1, A.siteId, 'scim', NOW + 60_000);
      expect((await d.findCredentialById('k1'))?.revokedAt).toBe(NOW + 60_000);
      expect(await d.revokeCredential(T1, 'k2', NOW + 10)).toBe(true);
      expect(await d.revokeCredential(T1, 'k2', NOW + 20)).toBe(false);
      expect(await d.revokeCredential(T2, 'k1', NOW)).toBe(false);
      await d.touchCredential('k3', NOW + 5);
      expect((await d.findCredentialById('k3'))?.lastUsedAt).toBe(NOW + 5);
      await d.insertSigningKey({ id: 's1', secret: 'one', createdAt: NOW });
      await d.insertSigningKey({ id: 's2', secret: 'two', createdAt: NOW + 1 });
      expect(await d.findSigningKeys()).toEqual([{ id: 's2', secret: 'two' }, { id: 's1', secret: 'one' }]);
    });
  });

  describe('audit chain', () => {
    it('entries chain per tenant, from the genesis hash, in commit order; a rolled-back unit leaves no trace', async () => {
      const store = get();
      await store.transaction(A, (w) => w.appendAudit(entry(A, { at: NOW })));
      await expect(store.transaction(A, async (w) => { await w.appendAudit(entry(A)); throw new Error('no'); })).rejects.toThrow('no');
      await store.directory.appendAuditEntries([entry(A, { kind: 'request', event: 'RequestHandled', data: { client: 'Okta', status: 201 }, at: NOW + 1 }), entry(C)]);
      await store.transaction(B, (w) => w.appendAudit(entry(B, { event: 'GroupCreated', targetId: 'g1', at: NOW + 2 })));
      const chain = await store.directory.scanAudit(T1, 0, 100);
      expect(chain.map((e) => e.siteId)).toEqual([A.siteId, A.siteId, B.siteId]);
      let prev = GENESIS_HASH;
      for (const e of chain) {
        expect(e.prevHash).toBe(prev);
        const { seq: _s, prevHash: _p, hash, ...plain } = e;
        expect(hash).toBe(auditHash(prev, plain));
        prev = hash;
      }
      expect(chain[0]!.seq).toBeLessThan(chain[1]!.seq);
      expect((await store.directory.scanAudit(T2, 0, 100)).length).toBe(1);
      expect((await store.directory.scanAudit(T1, chain[1]!.seq, 100)).map((e) => e.id)).toEqual([chain[2]!.id]);
    });

    it('queries filter and page newest first; purging keeps the chain verifiable through an anchor', async () => {
      const store = get();
      for (let i = 0; i < 5; i++) await store.transaction(A, (w) => w.appendAudit(entry(A, { at: NOW + i * 1000, targetId: `u${i % 2}` })));
      await store.directory.appendAuditEntries([entry(A, { kind: 'request', event: 'RequestHandled', data: { client: 'Entra', status: 500 }, at: NOW + 9000, targetId: null })]);
      const page1 = await store.directory.findAuditEntries(T1, { limit: 4 });
      expect(page1.entries.length).toBe(4);
      const page2 = await store.directory.findAuditEntries(T1, { limit: 4, before: page1.nextBefore });
      expect([page2.entries.length, page2.nextBefore]).toEqual([2, undefined]);
      expect((await store.directory.findAuditEntries(T1, { limit: 10, targetId: 'u1' })).entries.length).toBe(2);
      expect((await store.directory.findAuditEntries(T1, { limit: 10, client: 'Entra' })).entries.length).toBe(1);
      expect((await store.directory.findAuditEntries(T1, { limit: 10, kind: 'event', since: NOW + 1000, until: NOW + 3000 })).entries.length).toBe(2);
      expect(await store.directory.countRequestsByClientDay(T1, NOW - 1)).toEqual([{ day: '2024-01-15', client: 'Entra', requests: 1, errors: 1 }]);
      const all = await store.directory.scanAudit(T1, 0, 100);
      expect(await store.directory.findAuditAnchor(T1)).toBeUndefined();
      expect(await store.directory.purgeAudit(T1, NOW + 2500)).toEqual({ purged: 3, anchorSeq: all[2]!.seq });
      expect(await store.directory.findAuditAnchor(T1)).toEqual({ seq: all[2]!.seq, hash: all[2]!.hash });
      const rest = await store.directory.scanAudit(T1, 0, 100);
      expect(rest[0]!.prevHash).toBe(all[2]!.hash);
      await store.transaction(A, (w) => w.appendAudit(entry(A)));
      expect((await store.directory.scanAudit(T1, 0, 100)).at(-1)!.prevHash).toBe(all.at(-1)!.hash);
    });
  });

  describe('tenant reads', () => {
    it('pages tenant users by id with site and role filters; counts by role', async () => {
      const store = get();
      await addUser(store, A, 'u3', 'u3@x.org', {}, { siteRole: 'Creator' });
      await addUser(store, A, 'u1', 'u1@x.org');
      await addUser(store, B, 'u1', 'u1@x.org', {}, { siteRole: 'Explorer', createdAt: NOW + 1 });
      await addUser(store, B, 'u2', 'u2@x.org');
      const t = store.tenantReader(T1);
      const p1 = await t.findUsers({ limit: 2 });
      expect([p1.items.map((x) => x.user.id), p1.nextAfterId]).toEqual([['u1', 'u2'], 'u2']);
      expect(p1.items[0]!.memberships.map((x) => [x.siteId, x.siteRole])).toEqual([[A.siteId, 'Viewer'], [B.siteId, 'Explorer']]);
      expect((await t.findUsers({ limit: 2, afterId: 'u2' })).items.map((x) => x.user.id)).toEqual(['u3']);
      expect((await t.findUsers({ limit: 10, siteId: B.siteId })).items.map((x) => x.user.id)).toEqual(['u1', 'u2']);
      expect((await t.findUsers({ limit: 10, siteRole: 'Creator' })).items.map((x) => x.user.id)).toEqual(['u3']);
      expect((await store.tenantReader(T2).findUsers({ limit: 10 })).items).toEqual([]);
      expect(await t.countUsersByRole()).toEqual([
        { siteId: A.siteId, siteRole: 'Creator', count: 1 }, { siteId: A.siteId, siteRole: 'Viewer', count: 1 },
        { siteId: B.siteId, siteRole: 'Explorer', count: 1 }, { siteId: B.siteId, siteRole: 'Viewer', count: 1 },
      ]);
    });
  });

  describe('tenant license pool (Server mode, R-LIC-04)', () => {
    it('pool per site by default; to tenant derives one seat per user at the highest held tier; seats and counters move in the unit of work; back to site drops them', async () => {
      const store = get();
      const site = { creator: null, explorer: null, viewer: null };
      expect(await store.tenantReader(T1).findTenantPool()).toEqual({ scope: 'site', capacity: site, used: { creator: 0, explorer: 0, viewer: 0 }, allowBorrow: true });
      await store.transaction(A, async (w) => expect((await w.findSitePolicyState()).tenantPool).toBeNull());
      await addUser(store, A, 'u1', 'one@example.com', {}, { siteRole: 'Creator', seatTier: 'creator' });
      await addUser(store, B, 'u1', 'one@example.com', {}, { siteRole: 'Viewer', seatTier: 'viewer' });
      await addUser(store, B, 'u2', 'two@example.com', {}, { siteRole: 'Explorer', seatTier: 'explorer' });
      await addUser(store, A, 'u3', 'three@example.com', {}, { siteRole: 'Viewer', seatTier: null, licensed: false });
      await addUser(store, C, 'u9', 'nine@example.com', {}, { siteRole: 'Creator', seatTier: 'creator' });
      const cap = { creator: 1, explorer: 2, viewer: null };
      await store.transaction(A, (w) => w.updateTenantPool({ scope: 'tenant', capacity: cap, allowBorrow: false }));
      expect(await store.tenantReader(T1).findTenantPool()).toEqual({ scope: 'tenant', capacity: cap, used: { creator: 1, explorer: 1, viewer: 0 }, allowBorrow: false });
      expect((await store.tenantReader(T2).findTenantPool()).scope).toBe('site');
      await store.transaction(A, async (w) => {
        expect((await w.findSitePolicyState()).tenantPool).toEqual({ scope: 'tenant', capacity: cap, used: { creator: 1, explorer: 1, viewer: 0 }, allowBorrow: false });
        expect(await w.findServerSeat('u1')).toEqual({ seat: 'creator', otherRoles: ['Viewer'] });
        expect(await w.findServerSeat('u3')).toEqual({ seat: null, otherRoles: [] });
        await w.setServerSeat('u3', 'viewer', { creator: 0, explorer: 0, viewer: 1 });
        await w.setServerSeat('u1', 'viewer', { creator: -1, explorer: 0, viewer: 1 });
      });
      await store.transaction(B, async (w) => {
        expect(await w.findServerSeat('u1')).toEqual({ seat: 'viewer', otherRoles: ['Creator'] });
        expect((await w.findSitePolicyState()).tenantPool?.used).toEqual({ creator: 0, explorer: 1, viewer: 2 });
      });
      await expect(store.transaction(A, async (w) => { await w.setServerSeat('u3', null, { creator: 0, explorer: 0, viewer: -1 }); throw new Error('no'); })).rejects.toThrow('no');
      expect((await store.tenantReader(T1).findTenantPool()).used).toEqual({ creator: 0, explorer: 1, viewer: 2 });
      await store.transaction(C, async (w) => expect(await w.findServerSeat('u1')).toEqual({ seat: null, otherRoles: [] }));
      // Same scope again: capacities change, seats stay.
      await store.transaction(B, (w) => w.updateTenantPool({ scope: 'tenant', capacity: site, allowBorrow: true }));
      expect(await store.tenantReader(T1).findTenantPool()).toEqual({ scope: 'tenant', capacity: site, used: { creator: 0, explorer: 1, viewer: 2 }, allowBorrow: true });
      await store.transaction(A, (w) => w.updateTenantPool({ scope: 'site', capacity: site, allowBorrow: true }));
      expect((await store.tenantReader(T1).findTenantPool()).used).toEqual({ creator: 0, explorer: 0, viewer: 0 });
      await store.transaction(A, async (w) => {
        expect((await w.findSitePolicyState()).tenantPool).toBeNull();
        expect((await w.findServerSeat('u1')).seat).toBeNull();
      });
    });
  });

  describe('customer portal plane', () => {
    it('accounts, users (email unique per tenant), memberships, keys and cascades', async () => {
      const p = get().portal;
      const pu = (id: string, email: string) => ({ id, tenantId: T1, email, firstName: 'F', lastName: 'L', createdAt: NOW, updatedAt: NOW });
      await p.transaction(T1, async (w) => {
        await w.insertAccount({ id: 'acc', tenantId: T1, name: 'Acme', createdAt: NOW, updatedAt: NOW });
        await w.insertUser(pu('p1', 'Ann@x.org'));
        await w.insertUser(pu('p2', 'bob@x.org'));
        await w.insertMembership({ accountId: 'acc', portalUserId: 'p1', role: 'Administrator', caseAdministrator: true, securityPointOfContact: false, technicalPointOfContact: false, createdAt: NOW, updatedAt: NOW });
        await w.insertKey({ id: 'k1', accountId: 'acc', product: 'Creator', ownerPortalUserId: 'p1', assignedToEmail: 'ANN@x.org', createdAt: NOW, updatedAt: NOW });
      });
      expect(await codeOf(p.transaction(T1, (w) => w.insertUser(pu('p3', 'ann@X.org'))))).toBe('portal.email_taken');
      const r = p.reader(T1);
      expect((await r.findUserByEmail('ANN@X.ORG'))?.id).toBe('p1');
      expect(await r.findMember('acc', 'p1')).toMatchObject({ role: 'Administrator', caseAdministrator: true, ownedKeyCount: 1, assignedKeyCount: 1 });
      expect((await r.findAccountsOfUser('p1')).map((a) => a.id)).toEqual(['acc']);
      expect(await p.reader(T2).findAccountById('acc')).toBeUndefined();
      await p.transaction(T1, async (w) => {
        expect(await w.reassignKeysByEmail(['acc'], 'ann@x.org', 'bob@x.org', NOW + 1)).toEqual(['k1']);
        await w.deleteUser('p1');
      });
      expect(await r.findKeys('acc')).toEqual([{ id: 'k1', accountId: 'acc', product: 'Creator', ownerPortalUserId: null, assignedToEmail: 'bob@x.org', createdAt: NOW, updatedAt: NOW + 1 }]);
      expect(await r.findMembers('acc')).toEqual([]);
    });
  });
}
