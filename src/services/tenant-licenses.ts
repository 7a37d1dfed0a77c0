import { AppError } from '../domain/errors.js';
import type { LicenseScope, TenantPool, TierCapacity } from '../domain/types.js';
import type { Store } from '../ports/storage.js';
import { tenantEvent } from './csv-apply.js';
import type { TenantActor } from './tenant-users.js';

/** `PUT /api/v1/licenses`: where seats are pooled and, for a tenant pool, its capacities. */
export interface TenantPoolRequest extends TierCapacity {
  scope: LicenseScope;
  allowBorrow?: boolean;
}

const view = (p: TenantPool) => ({ scope: p.scope, capacity: p.capacity, used: p.used, allowBorrow: p.allowBorrow });

/**
 * The tenant's license pool (SPEC §3, R-LIC-04/05). `site` (the default, Tableau Cloud): every
 * site has its own pool and a user needs a seat on each site. `tenant` (Tableau Server): one
 * pool for the tenant, and a user holds one seat at the tier of their highest role across
 * sites; the policy layer allocates from it on every membership change (membership-policy.ts
 * `takeSeat`). Switching scope re-derives the users' seats from the memberships in the same
 * unit of work; nobody is unlicensed by the switch, so `used` may exceed a smaller capacity
 * until seats free up (new requests get LICENSE_EXHAUSTED meanwhile).
 */
export class TenantLicenseService {
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  async get(tenantId: string) {
    return view(await this.store.tenantReader(tenantId).findTenantPool());
  }

  async set(a: TenantActor, body: TenantPoolRequest) {
    const [site] = await this.store.directory.findSites(a.tenantId);
    if (!site) throw new AppError('request.invalid_value', 'The tenant has no site yet: create a site before setting its license pool');
    const before = await this.store.tenantReader(a.tenantId).findTenantPool();
    const after = { scope: body.scope, capacity: { creator: body.creator, explorer: body.explorer, viewer: body.viewer }, allowBorrow: body.allowBorrow ?? before.allowBorrow };
    const ctx = { scope: { tenantId: a.tenantId, siteId: site.id }, site, actor: a.actor, requestId: a.requestId, now: this.now };
    await this.store.transaction(ctx.scope, async (w) => {
      await w.updateTenantPool(after);
      await w.appendAudit(tenantEvent(ctx, 'LicenseCapacityChanged', { type: null, id: null }, {
        pool: 'tenant', before: { scope: before.scope, capacity: before.capacity, allowBorrow: before.allowBorrow }, after,
      }));
    });
    return this.get(a.tenantId);
  }
}
