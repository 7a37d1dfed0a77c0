import { expect, it } from '@jest/globals';
import { SqliteStore } from '../../../src/adapters/sqlite/store.js';
import { bootstrapStore } from '../../../src/services/bootstrap.js';
import { hashSecret } from '../../../src/services/credentials.js';

const opts = { scimToken: 'boot-scim-secret-0123456789', adminToken: 'boot-admin-secret-0123456789', now: 1 };

it('SPEC §2: a first start interrupted after the tenant was written is finished by the next start, once', async () => {
  const store = new SqliteStore(':memory:');
  await store.directory.insertTenant({ id: 'default', name: 'default', createdAt: 1 }); // the crash left only this
  expect((await bootstrapStore(store, opts)).created).toBe(true);
  expect(await store.directory.findSiteById('default', 'default')).toBeDefined();
  expect((await store.directory.findCredentialByHash(hashSecret(opts.scimToken)))?.kind).toBe('scim');
  expect((await store.directory.findCredentialByHash(hashSecret(opts.adminToken)))?.scope).toBe('tenantAdmin');
  const gate = await store.reader({ tenantId: 'default', siteId: 'default' }).findSitePolicyState();
  expect(gate.scim.enabled).toBe(true);
  expect(gate.authConfigs).toHaveLength(1);
  // Completed: later starts (even with other values) change nothing.
  expect((await bootstrapStore(store, { ...opts, scimToken: 'another-secret-0123456789' })).created).toBe(false);
  expect(await store.directory.findCredentialByHash(hashSecret('another-secret-0123456789'))).toBeUndefined();
  await store.close();
});
