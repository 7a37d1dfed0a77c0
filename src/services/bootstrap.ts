import { randomUUID } from 'node:crypto';
import { hashSecret } from './credentials.js';
import type { Store } from '../ports/storage.js';

export interface BootstrapResult {
  created: boolean;
  tenantId?: string;
  siteId?: string;
}

const TENANT = 'default';
const SITE = 'default';
/** The audit entry written last: its presence means the first start completed. */
const MARKER_ACTOR = 'system:bootstrap';

async function completed(store: Store): Promise<boolean> {
  const { entries } = await store.directory.findAuditEntries(TENANT, { actor: MARKER_ACTOR, limit: 1 });
  return entries.length > 0;
}

/**
 * First start on an empty store (SPEC §2): tenant `default`, site `default`, and the bootstrap
 * credentials when their variables are set. Later starts change nothing. The steps are
 * idempotent and a marker entry is written last, so a crash during the first start is
 * finished by the next start instead of leaving a tenant without its credentials.
 */
export async function bootstrapStore(store: Store, opts: { scimToken: string | null; adminToken: string | null; now: number }): Promise<BootstrapResult> {
  const tenants = await store.directory.findTenantIds();
  const interrupted = tenants.length === 1 && tenants[0] === TENANT && !(await completed(store));
  if (tenants.length && !interrupted) return { created: false };
  if (!tenants.includes(TENANT)) await store.directory.insertTenant({ id: TENANT, name: 'default', createdAt: opts.now });
  if (!(await store.directory.findSiteById(TENANT, SITE))) {
    await store.directory.insertSite({ id: SITE, tenantId: TENANT, name: 'default', contentUrl: 'default', settings: {}, createdAt: opts.now });
  }
  if (opts.scimToken && !(await store.directory.findCredentialByHash(hashSecret(opts.scimToken)))) {
    // SCIM needs an enabled SAML configuration associated with it (SPEC §2, §5.6).
    await store.transaction({ tenantId: TENANT, siteId: SITE }, async (w) => {
      const state = await w.findSitePolicyState();
      let authConfigId = state.authConfigs.find((c) => c.settings.bootstrap === true)?.id;
      if (!authConfigId) {
        authConfigId = randomUUID();
        await w.insertAuthConfig({ id: authConfigId, siteId: SITE, type: 'SAML', enabled: true, settings: { bootstrap: true, name: 'bootstrap' }, createdAt: opts.now });
      }
      await w.updateSiteScim(true, authConfigId);
    });
    await store.directory.insertCredential({
      id: randomUUID(), tenantId: TENANT, siteId: SITE, kind: 'scim', scope: null, secretHash: hashSecret(opts.scimToken), revokedAt: null,
      label: 'bootstrap', createdAt: opts.now,
    });
  }
  if (opts.adminToken && !(await store.directory.findCredentialByHash(hashSecret(opts.adminToken)))) {
    await store.directory.insertCredential({
      id: randomUUID(), tenantId: TENANT, siteId: null, kind: 'admin', scope: 'tenantAdmin', secretHash: hashSecret(opts.adminToken),
      revokedAt: null, label: 'bootstrap', createdAt: opts.now,
    });
  }
  await store.directory.appendAuditEntries([{
    id: randomUUID(), tenantId: TENANT, siteId: SITE, at: opts.now, kind: 'event', event: 'SiteCreated', actor: MARKER_ACTOR,
    targetType: 'Site', targetId: SITE, reason: null, requestId: null,
    data: { bootstrap: true, scimToken: opts.scimToken !== null, adminToken: opts.adminToken !== null },
  }]);
  return { created: true, tenantId: TENANT, siteId: SITE };
}
