import type express from 'express';
import type { AdminPrincipal } from '../../services/admin-auth.js';
import type { TenantLicenseService, TenantPoolRequest } from '../../services/tenant-licenses.js';
import type { MembershipEntry, TenantActor, TenantUserService } from '../../services/tenant-users.js';
import { validateBody } from './validate.js';
import { scopedRouter, TENANT, TENANT_READ, validateApi, type ScopedRouterDeps } from './scoped-route.js';

export interface TenantUsersRouterDeps extends ScopedRouterDeps {
  tenantUsers: TenantUserService;
  tenantLicenses: TenantLicenseService;
}

/** Bulk lists of up to 100,000 ids (R-CSV-18: no 50-user limit) need more than the default JSON limit. */
const BULK_JSON_BYTES = 8 * 1024 * 1024;

/**
 * `/api/v1` tenant-wide user routes (TCM, SPEC §6; R-TCM-01..06, R-REST-26..29). Writes need a
 * tenantAdmin token (the Cloud Users page is for cloud administrators only, R-TCM-04);
 * an auditor may read.
 *   GET    /users?siteId&role&cloudAdmin&cursor&limit      {users, nextCursor}
 *   GET    /users/counts                                    users per role, per site and tenant
 *   PUT    /users/{userId}/site-memberships                 atomic over the listed sites
 *   DELETE /users/{userId}?mapAssetsTo=                     tenant-wide removal, outcome per site
 *   POST   /users/delete {userIds|userNames, mapAssetsTo?}  bulk removal, any number of users
 *   GET    /licenses                                        the tenant license pool (R-LIC-04/05)
 *   PUT    /licenses {scope, creator, explorer, viewer, allowBorrow?}
 */
export function tenantUsersRouter(deps: TenantUsersRouterDeps): express.Router {
  const { route, done } = scopedRouter(deps);
  const actor = (req: express.Request, p: AdminPrincipal): TenantActor => ({ tenantId: p.tenantId, actor: p.actor, requestId: String(req.res?.locals.requestId) });

  route('get', '/users', TENANT_READ, async (req, _res, p) => {
    const q = validateApi<{ siteId?: string; role?: string; cloudAdmin?: string; cursor?: string; limit?: string }>('userListQuery', req.query, 'request.invalid_value');
    return deps.tenantUsers.list(p.tenantId, {
      siteId: q.siteId, role: q.role, cursor: q.cursor,
      cloudAdmin: q.cloudAdmin === undefined ? undefined : q.cloudAdmin === 'true' || q.cloudAdmin === '1',
      limit: Math.min(Math.max(Number(q.limit ?? 100), 1), 1000),
    });
  });

  route('get', '/users/counts', TENANT_READ, async (_req, _res, p) => deps.tenantUsers.counts(p.tenantId));

  route('put', '/users/:userId/site-memberships', TENANT, async (req, _res, p) => {
    const body = validateApi<{ memberships: MembershipEntry[]; cloudAdmin?: boolean }>('siteMemberships', req.body);
    return deps.tenantUsers.setSiteMemberships(actor(req, p), req.params.userId as string, body);
  }, { json: 1024 * 1024 });

  route('delete', '/users/:userId', TENANT, async (req, _res, p) => {
    const mapAssetsTo = typeof req.query.mapAssetsTo === 'string' && req.query.mapAssetsTo ? req.query.mapAssetsTo : undefined;
    return deps.tenantUsers.remove(actor(req, p), req.params.userId as string, mapAssetsTo);
  });

  route('post', '/users/delete', TENANT, async (req, _res, p) => {
    const body = validateApi<{ userIds?: string[]; userNames?: string[]; mapAssetsTo?: string }>('bulkDelete', req.body);
    return deps.tenantUsers.removeMany(actor(req, p), body, body.mapAssetsTo);
  }, { json: BULK_JSON_BYTES });

  route('get', '/licenses', TENANT_READ, async (_req, _res, p) => deps.tenantLicenses.get(p.tenantId));

  route('put', '/licenses', TENANT, async (req, _res, p) =>
    deps.tenantLicenses.set(actor(req, p), validateBody<TenantPoolRequest>('tenantLicenses', req.body)), { json: 16 * 1024 });

  return done();
}
