import { randomUUID } from 'node:crypto';
import { hashSecret } from './credentials.js';
import type { Store } from '../ports/storage.js';

export interface BootstrapResult {
  created: boolean;
  tenantId?: string;
  siteId?: string;
}

/**
 * First start on an empty store (SPEC §2): tenant `default`, site `default`, and the bootstrap
 * credentials when their variables are set. Later starts change nothing.
 */
export async function bootstrapStore(store: Store, opts: { scimToken: string | null; adminToken: string | null; now: number }): Promise<BootstrapResult> {
  if ((await store.directory.countTenants()) > 0) return { created: false };
  const tenantId = 'default';
  const siteId = 'default';
  await store.directory.insertTenant({ id: tenantId, name: 'default', createdAt: opts.now });
  await store.directory.insertSite({ id: siteId, tenantId, name: 'default', contentUrl: 'default', settings: {}, createdAt: opts.now });
  if (opts.scimToken) {
    // SCIM needs an enabled SAML configuration associated with it (SPEC §2, §5.6).
    await store.transaction({ tenantId, siteId }, async (w) => {
      const authConfigId = randomUUID();
      await w.insertAuthConfig({ id: authConfigId, siteId, type: 'SAML', enabled: true, settings: { bootstrap: true, name: 'bootstrap' }, createdAt: opts.now });
      await w.updateSiteScim(true, authConfigId);
    });
    await store.directory.insertCredential({
      id: randomUUID(), tenantId, siteId, kind: 'scim', scope: null, secretHash: hashSecret(opts.scimToken), revokedAt: null,
      label: 'bootstrap', createdAt: opts.now,
    });
  }
  if (opts.adminToken) {
    await store.directory.insertCredential({
      id: randomUUID(), tenantId, siteId: null, kind: 'admin', scope: 'tenantAdmin', secretHash: hashSecret(opts.adminToken),
      revokedAt: null, label: 'bootstrap', createdAt: opts.now,
    });
  }
  return { created: true, tenantId, siteId };
}
