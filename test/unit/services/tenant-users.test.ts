import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqliteStore } from '../../../src/adapters/sqlite/store.js';
import { AppError } from '../../../src/domain/errors.js';
import { bootstrapStore } from '../../../src/services/bootstrap.js';
import { TenantUserService } from '../../../src/services/tenant-users.js';

let store: SqliteStore;
const now = Date.now();
beforeAll(async () => {
  store = new SqliteStore(':memory:');
  await bootstrapStore(store, { scimToken: null, adminToken: null, now });
  await store.directory.insertTenant({ id: 'other', name: 'other', createdAt: now });
  await store.directory.insertSite({ id: 'other-site', tenantId: 'other', name: 'o', contentUrl: 'o', settings: {}, createdAt: now });
  await store.transaction({ tenantId: 'other', siteId: 'other-site' }, (w) => w.insertUser({
    id: 'u-other', tenantId: 'other', userName: 'x@other.test', externalId: null, displayName: null, data: {}, cloudAdmin: true, createdAt: now, updatedAt: now,
  }));
});
afterAll(async () => { await store.close(); });

describe('tenant isolation of the tenant-wide ports (SPEC §9)', () => {
  it('R-TCM-01 forSite hands out writers for sites of the bound tenant only', async () => {
    const err = await store.transaction({ tenantId: 'default', siteId: 'default' }, (w) => w.forSite('other-site')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('site.not_found');
    const same = await store.transaction({ tenantId: 'default', siteId: 'default' }, async (w) => (await w.forSite('default')) === w);
    expect(same).toBe(true);
  });

  it.each([
    ['no filter', {}], ['the cloud-admin filter', { cloudAdmin: true }], ['a site of another tenant', { siteId: 'other-site' }], ['a role', { role: 'Unlicensed' }],
  ])('R-TCM-04 GET /users with %s never lists another tenant\'s users', async (_n, q) => {
    const svc = new TenantUserService(store);
    const { users } = await svc.list('default', { limit: 100, ...q }).catch((e: AppError) => ({ users: e.code }));
    expect(JSON.stringify(users)).not.toContain('u-other');
  });

  it('R-TCM-02 an unknown user is 404 and nothing is written', async () => {
    const svc = new TenantUserService(store);
    const err = await svc.setSiteMemberships({ tenantId: 'default', actor: 't', requestId: 'r' }, 'u-other', { memberships: [{ siteId: 'default', siteRole: 'Viewer' }] }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('resource.not_found');
    expect((await svc.counts('default')).tenant).toEqual({});
  });
});
