import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqliteStore } from '../../../src/adapters/sqlite/store.js';
import type { MembershipRecord } from '../../../src/domain/types.js';

const scope = { tenantId: 't1', siteId: 's1' };
let store: SqliteStore;
let ids: string[] = [];

const membership = (userId: string): MembershipRecord => ({
  siteId: 's1', userId, requestedRole: 'Viewer', siteRole: 'Viewer', active: true, licensed: false, seatTier: null, authSetting: 'SAML',
  idpConfigId: null, source: 'scim', state: 'active', ext: null, floorRole: null, manualRole: null, lastLoginAt: null,
  createdAt: 1, updatedAt: 1, version: 1,
});

beforeAll(async () => {
  store = new SqliteStore(':memory:');
  await store.directory.insertTenant({ id: 't1', name: 't1', createdAt: 1 });
  await store.directory.insertSite({ id: 's1', tenantId: 't1', name: 's1', contentUrl: 's1', settings: {}, createdAt: 1 });
  await store.transaction(scope, async (w) => {
    for (let i = 0; i < 5500; i++) {
      const id = `u${String(i).padStart(5, '0')}`;
      await w.insertUser({ id, tenantId: 't1', userName: `${id}@x.test`, externalId: null, displayName: null, data: {}, cloudAdmin: false, createdAt: 1, updatedAt: 1 });
      await w.insertMembership(membership(id));
      ids.push(id);
    }
  });
});
afterAll(async () => { await store.close(); });

const page = async (startIndex: number, count = 100) =>
  (await store.reader(scope).findUsers({ startIndex, count })).items.map((su) => su.user.id);

describe('position anchors for deep index pages', () => {
  it('every deep page equals the plain OFFSET answer, also across an anchor boundary and at the end', async () => {
    for (const start of [1, 999, 1000, 1001, 1950, 2001, 4999, 5401, 5500, 5501, 9000]) {
      expect(await page(start)).toEqual(ids.slice(start - 1, start - 1 + 100));
    }
  });

  it('stays exact after deletions (the epoch drops stale anchors) and after appends', async () => {
    await store.transaction(scope, async (w) => {
      for (const id of ['u00010', 'u01500', 'u03000']) await w.deleteMembership(id);
      await w.insertUser({ id: 'z1', tenantId: 't1', userName: 'z1@x.test', externalId: null, displayName: null, data: {}, cloudAdmin: false, createdAt: 1, updatedAt: 1 });
      await w.insertMembership(membership('z1'));
    });
    ids = ids.filter((id) => !['u00010', 'u01500', 'u03000'].includes(id)).concat('z1');
    for (const start of [1, 1000, 1499, 2500, 5401, 5498]) {
      expect(await page(start)).toEqual(ids.slice(start - 1, start - 1 + 100));
    }
  });
});
