/** Contract: groups, member operations, seats, content, site configuration, cloud administrators. */
import type { Store } from '../../src/ports/storage.js';
import { parseFilter } from '../../src/scim-filter/parse.js';
import { A, B, NOW, addUser, codeOf, group, membership } from './fixtures.js';

const m = (value: string) => ({ value, type: 'User' as const, display: value.toUpperCase() });

export function groupsContract(get: () => Store): void {
  describe('groups and members', () => {
    beforeEach(async () => {
      for (const id of ['u1', 'u2', 'u3']) await addUser(get(), A, id, `${id}@x.org`);
    });

    it('displayName is unique per site case-insensitively; the counter follows', async () => {
      const store = get();
      await store.transaction(A, (w) => w.insertGroup(group('g1', 'Sales', A.siteId)));
      expect(await codeOf(store.transaction(A, (w) => w.insertGroup(group('g2', 'SALES', A.siteId))))).toBe('resource.uniqueness');
      await store.transaction(B, (w) => w.insertGroup(group('g3', 'Sales', B.siteId)));
      await store.transaction(A, (w) => w.insertGroup(group('g4', 'Ops', A.siteId)));
      expect(await codeOf(store.transaction(A, (w) => w.updateGroup({ ...group('g4', 'sales', A.siteId), version: 2 }, 1)))).toBe('resource.uniqueness');
      expect((await store.reader(A).findGroups({ startIndex: 1, count: 0 }, { members: false })).totalResults).toBe(2);
      expect(await store.reader(B).findGroupById('g1', { members: false })).toBeUndefined();
      await store.transaction(A, (w) => w.deleteGroup('g4'));
      await store.transaction(A, (w) => w.deleteGroup('g4'));
      const after = await store.reader(A).findGroups({ startIndex: 1, count: 10 }, { members: false });
      expect([after.totalResults, after.items.map((g) => g.group.id)]).toEqual([1, ['g1']]);
    });

    it('member operations are idempotent and maintain memberCount', async () => {
      const store = get();
      await store.transaction(A, async (w) => {
        await w.insertGroup(group('g1', 'Sales', A.siteId));
        expect(await w.addGroupMembers('g1', [m('u1'), m('u2')])).toEqual(['u1', 'u2']);
        expect(await w.addGroupMembers('g1', [m('u2'), m('u3'), m('u3')])).toEqual(['u3']);
        expect(await w.removeGroupMembers('g1', ['u2', 'nope', 'u2'])).toEqual(['u2']);
      });
      const g = await store.reader(A).findGroupById('g1', { members: true });
      expect(g?.group.memberCount).toBe(2);
      expect(g?.members).toEqual([m('u1'), m('u3')]);
      expect((await store.reader(A).findGroupsOfUsers(['u1', 'u2'])).get('u1')).toEqual([{ value: 'g1', display: 'Sales' }]);
      await store.transaction(A, async (w) => {
        expect(await w.findMemberIdsOfGroup('g1')).toEqual(['u1', 'u3']);
        expect((await w.findGroupsOfUser('u3')).map((x) => x.id)).toEqual(['g1']);
        expect(await w.removeUserFromGroups('u3')).toEqual(['g1']);
        expect(await w.removeGroupMembers('g1', 'all')).toEqual(['u1']);
      });
      expect((await store.reader(A).findGroupById('g1', { members: true }))?.members).toEqual([]);
      expect((await store.reader(A).findGroupById('g1', { members: false }))?.group.memberCount).toBe(0);
    });

    it('updateGroup is compare-and-swap; group filters see members', async () => {
      const store = get();
      await store.transaction(A, async (w) => {
        await w.insertGroup(group('g1', 'Sales', A.siteId, { externalId: 'ext-1' }));
        await w.insertGroup(group('g2', 'Ops', A.siteId));
        await w.addGroupMembers('g1', [m('u1')]);
        expect(await w.updateGroup({ ...group('g1', 'Sales EMEA', A.siteId, { externalId: 'ext-1' }), version: 2, updatedAt: NOW + 1 }, 1)).toBe(true);
        expect(await w.updateGroup({ ...group('g1', 'X', A.siteId), version: 3 }, 1)).toBe(false);
      });
      const find = async (f: string) => (await store.reader(A).findGroups({ filter: parseFilter(f), startIndex: 1, count: 10 }, { members: false })).items.map((g) => g.group.id);
      expect(await find('displayName eq "sales emea"')).toEqual(['g1']);
      expect(await find('members[value eq "u1"]')).toEqual(['g1']);
      expect(await find('not (members pr)')).toEqual(['g2']);
      expect(await find('externalId eq "ext-1"')).toEqual(['g1']);
      const users = await store.reader(A).findUsers({ filter: parseFilter('groups.value eq "g1"'), startIndex: 1, count: 10 });
      expect(users.items.map((s) => s.user.id)).toEqual(['u1']);
      expect((await store.reader(A).findGroupById('g1', { members: false }))?.group).toMatchObject({ displayName: 'Sales EMEA', version: 2, updatedAt: NOW + 1 });
    });
  });

  describe('seats, site configuration and content', () => {
    it('seat counters, capacity, SCIM, auth configs, mapping and settings persist', async () => {
      const store = get();
      await store.transaction(A, async (w) => {
        await w.adjustSeats({ creator: 2, explorer: 1, viewer: 0 });
        await w.adjustSeats({ creator: -1, explorer: 0, viewer: 3 });
        await w.updateCapacity({ creator: 5, explorer: null, viewer: 10 });
        await w.insertAuthConfig({ id: 'ac1', siteId: A.siteId, type: 'SAML', enabled: true, settings: { entityId: 'e' }, createdAt: NOW });
        await w.setAuthConfigEnabled('ac1', false);
        await w.updateSiteScim(true, 'ac1');
        await w.updateRoleMapping({ rules: [{ group: 'x', role: 'Creator' }], default: 'Viewer' });
        await w.updateSiteSettings({ allowRename: false, defaultSiteRole: 'Explorer' });
      });
      const s = await store.reader(A).findSitePolicyState();
      expect(s.used).toEqual({ creator: 1, explorer: 1, viewer: 3 });
      expect(s.capacity).toEqual({ creator: 5, explorer: null, viewer: 10 });
      expect(s.scim).toEqual({ enabled: true, authConfigId: 'ac1' });
      expect(s.authConfigs).toEqual([{ id: 'ac1', siteId: A.siteId, type: 'SAML', enabled: false, settings: { entityId: 'e' }, createdAt: NOW }]);
      expect(s.roleMapping).toEqual({ rules: [{ group: 'x', role: 'Creator' }], default: 'Viewer' });
      expect(s.site.settings).toEqual({ allowRename: false, defaultSiteRole: 'Explorer' });
      expect((await store.reader(B).findSitePolicyState()).used).toEqual({ creator: 0, explorer: 0, viewer: 0 });
    });

    it('countSeats counts held seats and borrowed ones from memberships; reports and waiting lists', async () => {
      const store = get();
      await addUser(store, A, 'c1', 'c1@x.org', {}, { siteRole: 'Creator', seatTier: 'creator' });
      await addUser(store, A, 'e1', 'e1@x.org', {}, { siteRole: 'Explorer', seatTier: 'creator' });
      await addUser(store, A, 'w1', 'w1@x.org', {}, { requestedRole: 'Explorer', siteRole: 'Unlicensed', licensed: false, seatTier: null, updatedAt: NOW + 2 });
      await addUser(store, A, 'w0', 'w0@x.org', {}, { requestedRole: 'Viewer', siteRole: 'Unlicensed', licensed: false, seatTier: null, updatedAt: NOW + 1 });
      await addUser(store, A, 'r1', 'r1@x.org', {}, { state: 'retainedOwner', siteRole: 'Unlicensed', licensed: false, seatTier: null });
      expect(await store.reader(A).countSeats()).toEqual({ used: { creator: 2, explorer: 0, viewer: 0 }, borrowed: { creator: 1, explorer: 0, viewer: 0 } });
      await store.transaction(A, async (w) => {
        expect((await w.findWaitingMemberships(10)).map((x) => x.userId)).toEqual(['w0', 'w1']);
        expect((await w.findWaitingMemberships(1)).map((x) => x.userId)).toEqual(['w0']);
      });
      const r = store.reader(A);
      expect((await r.findReportMemberships('borrowed', { limit: 10 })).map((x) => [x.userId, x.userName])).toEqual([['e1', 'e1@x.org']]);
      expect((await r.findReportMemberships('retainedOwner', { limit: 10 })).map((x) => x.userId)).toEqual(['r1']);
      expect((await r.findReportMemberships('waiting', { limit: 10 })).map((x) => x.userId)).toEqual(['w0', 'w1']);
      expect((await r.findReportMemberships('idle', { limit: 10, idleBefore: NOW })).map((x) => x.userId).sort()).toEqual(['c1', 'e1']);
    });

    it('content is owned per site, transferred, deleted by type and counted per membership', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'u1@x.org');
      await addUser(store, A, 'u2', 'u2@x.org');
      const item = (id: string, type: 'workbook' | 'subscription', owner = 'u1') => ({ id, siteId: A.siteId, type, name: id, ownerUserId: owner, createdAt: NOW });
      await store.transaction(A, async (w) => {
        await w.insertContent([item('c1', 'workbook'), item('c2', 'subscription'), item('c3', 'workbook')]);
        expect((await w.findOwnedContent('u1')).map((c) => c.id)).toEqual(['c1', 'c2', 'c3']);
        expect((await w.findMembershipsOfUser('u1')).map((x) => [x.siteId, x.ownedContentCount])).toEqual([[A.siteId, 3]]);
        expect(await w.deleteContentOf('u1', ['subscription'])).toBe(1);
        expect(await w.transferContent('u1', 'u2')).toBe(2);
        expect(await w.findOwnedContent('u1')).toEqual([]);
      });
      expect(await codeOf(store.transaction(A, (w) => w.insertContent([item('c1', 'workbook', 'u2')])))).toBe('resource.uniqueness');
      await store.transaction(B, async (w) => expect(await w.findOwnedContent('u2')).toEqual([]));
    });

    it('cloud administrators are counted per tenant', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'u1@x.org');
      await store.transaction(A, async (w) => {
        await w.setCloudAdmin('u1', true);
        expect(await w.countCloudAdmins()).toBe(1);
      });
      expect((await store.reader(A).findUserById('u1'))?.user.cloudAdmin).toBe(true);
      await store.transaction(B, (w) => w.insertMembership(membership('u1', B.siteId)));
      expect((await store.tenantReader(A.tenantId).findUsers({ cloudAdmin: true, limit: 10 })).items.map((t) => t.user.id)).toEqual(['u1']);
    });
  });
}
