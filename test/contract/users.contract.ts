/** Contract: tenant users, site memberships, counters, CAS, isolation, filters and paging. */
import type { Store } from '../../src/ports/storage.js';
import { parseFilter } from '../../src/scim-filter/parse.js';
import { A, B, C, NOW, addUser, codeOf, entry, membership, user } from './fixtures.js';

const total = async (store: Store, scope = A) => (await store.reader(scope).findUsers({ startIndex: 1, count: 0 })).totalResults;
const ids = async (store: Store, filter: string, scope = A) =>
  (await store.reader(scope).findUsers({ filter: parseFilter(filter), startIndex: 1, count: 1000 })).items.map((s) => s.user.id).sort();

/** A unit of work on site A that writes a user, a membership and a seat, then throws 'boom'. */
const failingUnit = (store: Store, id: string, userName: string) => store.transaction(A, async (w) => {
  await w.insertUser(user(id, userName));
  await w.insertMembership(membership(id, A.siteId));
  await w.adjustSeats({ creator: 0, explorer: 0, viewer: 1 });
  throw new Error('boom');
});

export function usersContract(get: () => Store): void {
  describe('users and memberships', () => {
    it('a user is one identity per tenant, visible on the sites it is a member of', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'Babs@Example.com', { emails: [{ value: 'babs@example.com', type: 'work' }] });
      const su = await store.reader(A).findUserById('u1');
      expect(su?.user).toMatchObject({ id: 'u1', userName: 'Babs@Example.com', tenantId: A.tenantId });
      expect(su?.user.data).toEqual({ emails: [{ value: 'babs@example.com', type: 'work' }] });
      expect(su?.membership).toEqual(membership('u1', A.siteId));
      expect(await store.reader(B).findUserById('u1')).toBeUndefined();
      expect(await store.reader(C).findUserById('u1')).toBeUndefined();
      await store.transaction(A, async (w) => {
        expect((await w.findTenantUserByUserName('BABS@example.COM'))?.id).toBe('u1');
        expect((await w.findTenantUserById('u1'))?.userName).toBe('Babs@Example.com');
      });
      await store.transaction(C, async (w) => expect(await w.findTenantUserByUserName('babs@example.com')).toBeUndefined());
      expect(await total(store)).toBe(1);
      expect(await total(store, B)).toBe(0);
    });

    it('userName is unique per tenant, case-insensitively; other tenants may reuse it', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'same@x.org');
      expect(await codeOf(store.transaction(A, (w) => w.insertUser(user('u2', 'SAME@x.org'))))).toBe('resource.uniqueness');
      await addUser(store, C, 'u3', 'same@x.org');
      expect((await store.reader(C).findUserById('u3'))?.user.userName).toBe('same@x.org');
    });

    it('a rename shows on every site and onto a taken userName fails with uniqueness', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'one@x.org', { title: 'Engineer' });
      await store.transaction(B, (w) => w.insertMembership(membership('u1', B.siteId)));
      await addUser(store, A, 'u2', 'two@x.org');
      await store.transaction(A, (w) => w.updateUser({ ...user('u1', 'uno@x.org', { title: 'Manager' }), updatedAt: NOW + 1 }));
      for (const s of [A, B]) {
        expect((await store.reader(s).findUserById('u1'))?.user).toMatchObject({ userName: 'uno@x.org', data: { title: 'Manager' }, updatedAt: NOW + 1 });
        expect(await ids(store, 'userName eq "UNO@x.org" and title eq "manager"', s)).toEqual(['u1']);
        expect(await ids(store, 'userName eq "one@x.org"', s)).toEqual([]);
      }
      expect(await codeOf(store.transaction(A, (w) => w.updateUser(user('u1', 'TWO@x.org'))))).toBe('resource.uniqueness');
    });

    it('memberships update by compare-and-swap on version', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'a@x.org');
      const next = membership('u1', A.siteId, { siteRole: 'Creator', requestedRole: 'Creator', seatTier: 'creator', version: 2, updatedAt: NOW + 5 });
      expect(await store.transaction(A, (w) => w.updateMembership(next, 1))).toBe(true);
      expect(await store.transaction(A, (w) => w.updateMembership({ ...next, version: 3 }, 1))).toBe(false);
      expect((await store.reader(A).findUserById('u1'))?.membership).toEqual(next);
    });

    it('counters follow inserts and deletes; touch bumps the other sites only', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'a@x.org');
      await addUser(store, A, 'u2', 'b@x.org');
      await store.transaction(B, (w) => w.insertMembership(membership('u1', B.siteId)));
      expect([await total(store), await total(store, B)]).toEqual([2, 1]);
      await store.transaction(A, async (w) => {
        expect(await w.countMembershipsOfUser('u1')).toBe(2);
        expect([...await w.findExistingUserIds(['u1', 'u2', 'nope'])].sort()).toEqual(['u1', 'u2']);
        await w.touchMembershipsOfUser('u1', NOW + 9, A.siteId);
        await w.deleteMembership('u2');
        await w.deleteMembership('u2');
      });
      expect(await total(store)).toBe(1);
      expect((await store.reader(B).findUserById('u1'))?.membership).toMatchObject({ version: 2, updatedAt: NOW + 9 });
      expect((await store.reader(A).findUserById('u1'))?.membership).toMatchObject({ version: 1, updatedAt: NOW });
      await store.transaction(A, (w) => w.deleteMembership('u1'));
      await store.transaction(B, (w) => w.deleteMembership('u1'));
      await store.transaction(A, (w) => w.deleteUser('u1'));
      await store.transaction(A, async (w) => expect(await w.findTenantUserById('u1')).toBeUndefined());
    });

    it('a unit of work that throws leaves nothing behind', async () => {
      const store = get();
      await expect(failingUnit(store, 'u1', 'a@x.org')).rejects.toThrow('boom');
      expect(await total(store)).toBe(0);
      expect((await store.reader(A).findSitePolicyState()).used.viewer).toBe(0);
      await store.transaction(A, async (w) => expect(await w.findTenantUserById('u1')).toBeUndefined());
      await addUser(store, A, 'u1', 'a@x.org');
      expect(await total(store)).toBe(1);
    });

    it('a batch: units inside keep their own atomicity, a failed one rolls back alone, the rest commits; directory writes inside do not deadlock', async () => {
      const store = get();
      const out = await store.batch(async () => {
        await addUser(store, A, 'u1', 'a@x.org');
        await expect(failingUnit(store, 'u2', 'b@x.org')).rejects.toThrow('boom');
        // A duplicate inside the batch fails alone, as a store error.
        await expect(addUser(store, A, 'u3', 'A@X.org')).rejects.toThrow();
        await store.directory.appendAuditEntries([entry(A)]);
        await addUser(store, B, 'u4', 'd@x.org');
        return 'done';
      });
      expect(out).toBe('done');
      expect((await store.reader(A).findUsers({ startIndex: 1, count: 10 })).items.map((x) => x.user.id)).toEqual(['u1']);
      expect(await total(store, B)).toBe(1);
      expect((await store.reader(A).findSitePolicyState()).used.viewer).toBe(0);
      expect((await store.directory.scanAudit(A.tenantId, 0, 10)).length).toBe(1);
    });

    it('forSite hands out writers of the same tenant only, in the same unit of work', async () => {
      const store = get();
      await addUser(store, A, 'u1', 'a@x.org');
      await expect(store.transaction(A, async (w) => {
        const wb = await w.forSite(B.siteId);
        expect(wb.scope).toEqual(B);
        await wb.insertMembership(membership('u1', B.siteId));
        expect(await codeOf(w.forSite(C.siteId))).toBe('site.not_found');
        throw new Error('roll back both');
      })).rejects.toThrow('roll back both');
      expect(await store.reader(B).findUserById('u1')).toBeUndefined();
    });
  });

  describe('filters, sorting and paging', () => {
    beforeEach(async () => {
      const store = get();
      for (let i = 0; i < 25; i++) {
        const data = { title: i % 3 === 0 ? 'Engineer' : 'Manager', emails: [{ value: `User${i}@Example.com`, type: i % 2 ? 'work' : 'home', primary: true }] };
        await addUser(store, A, `id-${String(i).padStart(2, '0')}`, `user${i}@example.com`, data, { active: i % 4 !== 0, createdAt: NOW + i, updatedAt: NOW + 100 - i });
      }
      await addUser(store, B, 'other', 'user99@example.com');
    });

    it('filters select the same users as the SCIM semantics say, on the bound site only', async () => {
      const store = get();
      expect(await ids(store, 'userName eq "USER7@example.com"')).toEqual(['id-07']);
      expect(await ids(store, 'emails[type eq "work"].value eq "user3@example.com"')).toEqual(['id-03']);
      expect(await ids(store, 'id eq "id-05"')).toEqual(['id-05']);
      expect((await ids(store, 'title eq "engineer" and active eq true')).length).toBe(6);
      expect((await ids(store, 'not (active eq true)')).length).toBe(7);
      expect(await ids(store, 'userName eq "user99@example.com"')).toEqual([]);
      expect(await ids(store, 'userName eq "user99@example.com"', B)).toEqual(['other']);
      expect((await store.reader(A).findUsers({ filter: parseFilter('title eq "Manager"'), startIndex: 1, count: 2 })).totalResults).toBe(16);
      expect((await ids(store, 'meta.created ge "' + new Date(NOW + 20).toISOString() + '"')).length).toBe(5);
    });

    it('index pages are stable and cursor pages visit every user once', async () => {
      const store = get();
      const r = store.reader(A);
      const p1 = await r.findUsers({ startIndex: 1, count: 10 });
      const p3 = await r.findUsers({ startIndex: 21, count: 10 });
      expect([p1.totalResults, p1.items.length, p3.items.length]).toEqual([25, 10, 5]);
      const seen: string[] = [];
      let after: number | undefined = 0;
      while (after !== undefined) {
        const page = await r.findUsers({ startIndex: 1, count: 7, after });
        seen.push(...page.items.map((s) => s.user.id));
        after = page.nextAfter;
      }
      expect(seen).toEqual([...p1.items, ...(await r.findUsers({ startIndex: 11, count: 15 })).items].map((s) => s.user.id));
      expect(new Set(seen).size).toBe(25);
    });

    it('sortBy orders by the attribute (case-insensitively), then insertion', async () => {
      const r = get().reader(A);
      const byName = (await r.findUsers({ sortBy: 'userName', sortOrder: 'descending', startIndex: 1, count: 3 })).items.map((s) => s.user.userName);
      expect(byName).toEqual(['user9@example.com', 'user8@example.com', 'user7@example.com']);
      const byModified = (await r.findUsers({ sortBy: 'meta.lastModified', startIndex: 1, count: 2 })).items.map((s) => s.user.id);
      expect(byModified).toEqual(['id-24', 'id-23']);
      const byEmail = (await r.findUsers({ sortBy: 'emails.value', startIndex: 1, count: 2 })).items.map((s) => s.user.id);
      expect(byEmail).toEqual(['id-00', 'id-10']); // 'user10@' < 'user1@' in code-point order
    });
  });
}
