import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../domain/errors.js';
import type { SiteRole } from '../../domain/site-roles.js';
import type { AuthConfigType, ContentType, SiteSettings, TierCapacity } from '../../domain/types.js';
import type { AdminAuthService, AdminPrincipal, AdminScope } from '../../services/admin-auth.js';
import type { AuditLogService } from '../../services/audit-log.js';
import type { AuditQueryService } from '../../services/audit-query.js';
import type { ReportsService } from '../../services/reports.js';
import { auditRoutes } from './audit-routes.js';
import type { RequestContext } from '../../services/context.js';
import type { DeprovisionService } from '../../services/deprovision.js';
import type { GroupService } from '../../services/groups.js';
import { publicAuthConfig, type SiteAdminService } from '../../services/site-admin.js';
import type { UserService } from '../../services/users.js';
import type { CredentialService } from '../../services/credentials.js';
import type { OAuthService } from '../../services/oauth.js';
import { toAppError } from '../errors.js';
import type { RateLimiter } from '../rate-limit.js';
import type { Logger } from '../logger.js';
import { openApiDocument } from './openapi.js';
import { validateBody } from './validate.js';

export interface AdminRouterDeps {
  auth: AdminAuthService;
  sites: SiteAdminService;
  users: UserService;
  groups: GroupService;
  deprovision: DeprovisionService;
  audit: AuditQueryService;
  auditLog: AuditLogService;
  reports: ReportsService;
  siteOf: (tenantId: string, siteId: string) => Promise<RequestContext['site'] | undefined>;
  listSites: (tenantId: string) => Promise<RequestContext['site'][]>;
  credentials: CredentialService;
  oauth: OAuthService;
  limiter: RateLimiter;
  maxBodyBytes: number;
  logger: Logger;
  now: () => number;
}

type Handler = (req: Request, res: Response, p: AdminPrincipal) => Promise<unknown>;

/** Admin error body: a stable `code` (`area.snake_case`), a message and details. */
export function sendAdminError(res: Response, err: AppError) {
  if (err.status === 401) res.set('WWW-Authenticate', 'Bearer realm="rolegate admin"');
  res.status(err.status).json({ code: err.code, message: err.message, details: err.details ?? {} });
}

/**
 * `/api/v1`: JSON in and out, bearer tokens (jose JWTs or the hashed bootstrap token) with
 * scopes: tenantAdmin (everything in the tenant), siteAdmin (its own site), auditor (reads).
 */
export function adminRouter(deps: AdminRouterDeps): express.Router {
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => void res.json(openApiDocument()));

  router.use(async (req, res, next) => {
    try {
      const m = /^\s*bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
      if (!m) throw new AppError('auth.missing_credentials', 'Authentication required: send Authorization: Bearer <admin token>');
      const principal = await deps.auth.verify(m[1]);
      res.locals.principal = principal;
      deps.limiter.take(principal.actor);
      next();
    } catch (e) {
      next(e);
    }
  });
  router.use(express.json({ limit: deps.maxBodyBytes, strict: false }));

  /** Route with a minimum scope; `site` routes also check the site belongs to the token. */
  const route = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, scopes: AdminScope[], fn: Handler, status = 200) => {
    router[method](path, (req: Request, res: Response, next: NextFunction) => {
      const p = res.locals.principal as AdminPrincipal;
      Promise.resolve().then(async () => {
        if (!scopes.includes(p.scope)) throw new AppError('auth.forbidden_scope', `This operation needs one of the scopes: ${scopes.join(', ')}`);
        const siteId = req.params.siteId as string | undefined;
        if (siteId && p.scope === 'siteAdmin' && p.siteId !== siteId) throw new AppError('site.not_found', `Site ${siteId} not found`);
        const out = await fn(req, res, p);
        if (out === null) return; // the handler streamed its own answer
        if (out === undefined) res.status(204).end();
        else res.status(status).json(out);
      }).catch(next);
    });
  };

  const ctxOf = async (req: Request, p: AdminPrincipal): Promise<RequestContext> => {
    const siteId = req.params.siteId as string;
    const site = await deps.siteOf(p.tenantId, siteId);
    if (!site) throw new AppError('site.not_found', `Site ${siteId} not found`);
    req.res!.locals.siteId = siteId;
    return { scope: { tenantId: p.tenantId, siteId }, site, actor: p.actor, requestId: String(req.res?.locals.requestId), now: deps.now };
  };
  const ALL: AdminScope[] = ['tenantAdmin', 'siteAdmin', 'auditor'];
  const WRITE: AdminScope[] = ['tenantAdmin', 'siteAdmin'];
  const TENANT: AdminScope[] = ['tenantAdmin'];

  // ---- sites and their configuration ----------------------------------------------------
  route('get', '/sites', ALL, async (_req, _res, p) => {
    const sites = await deps.listSites(p.tenantId);
    return { sites: p.scope === 'siteAdmin' ? sites.filter((s) => s.id === p.siteId) : sites };
  });
  route('post', '/sites', TENANT, async (req, res, p) =>
    deps.sites.createSite(p.tenantId, p.actor, String(res.locals.requestId), validateBody('createSite', req.body)), 201);
  route('get', '/sites/:siteId', ALL, async (req, _res, p) => deps.sites.describeSite(await ctxOf(req, p)));
  route('patch', '/sites/:siteId', WRITE, async (req, _res, p) =>
    deps.sites.updateSettings(await ctxOf(req, p), validateBody<{ settings: SiteSettings }>('patchSite', req.body).settings));
  route('get', '/sites/:siteId/auth-configs', ALL, async (req, _res, p) => ({ authConfigs: (await deps.sites.describeSite(await ctxOf(req, p))).authConfigs }));
  route('post', '/sites/:siteId/auth-configs', WRITE, async (req, _res, p) =>
    publicAuthConfig(await deps.sites.addAuthConfig(await ctxOf(req, p), validateBody<{ type: AuthConfigType }>('authConfig', req.body))), 201);
  route('post', '/sites/:siteId/scim', WRITE, async (req, _res, p) => {
    const body = validateBody<{ authConfigId: string; graceSeconds?: number }>('enableScim', req.body);
    return deps.sites.enableScim(await ctxOf(req, p), body.authConfigId, body.graceSeconds ?? 0);
  });
  // Credentials of a site: list (never secrets), revoke; OAuth client-credentials clients (INTEROP §B4).
  route('get', '/sites/:siteId/credentials', ALL, async (req, _res, p) => ({ credentials: await deps.credentials.list(p.tenantId, (await ctxOf(req, p)).scope.siteId) }));
  route('delete', '/sites/:siteId/credentials/:credentialId', WRITE, async (req, _res, p) => {
    const ctx = await ctxOf(req, p);
    const own = (await deps.credentials.list(p.tenantId, ctx.scope.siteId)).some((c) => c.id === req.params.credentialId);
    if (!own || !(await deps.credentials.revoke(p.tenantId, req.params.credentialId as string))) throw new AppError('resource.not_found', 'No live credential with this id on this site');
    return undefined;
  });
  route('post', '/sites/:siteId/oauth-clients', WRITE, async (req, _res, p) => {
    const ctx = await ctxOf(req, p);
    const label = typeof (req.body as { label?: unknown })?.label === 'string' ? (req.body as { label: string }).label.slice(0, 200) : null;
    return { ...(await deps.oauth.createClient(p.tenantId, ctx.scope.siteId, label)), tokenEndpoint: '/oauth/token', grantType: 'client_credentials' };
  }, 201);
  route('delete', '/sites/:siteId/oauth-clients/:clientId', WRITE, async (req, _res, p) =>
    deps.oauth.revokeClient(p.tenantId, (await ctxOf(req, p)).scope.siteId, req.params.clientId as string));
  route('delete', '/sites/:siteId/scim', WRITE, async (req, _res, p) => deps.sites.disableScim(await ctxOf(req, p)));
  route('patch', '/sites/:siteId/auth-configs/:configId', WRITE, async (req, _res, p) => {
    const { enabled } = validateBody<{ enabled: boolean }>('authConfigPatch', req.body);
    return publicAuthConfig(await deps.sites.setAuthConfigEnabled(await ctxOf(req, p), req.params.configId as string, enabled));
  });
  route('get', '/sites/:siteId/licenses', ALL, async (req, _res, p) => deps.sites.licenses(await ctxOf(req, p)));
  route('put', '/sites/:siteId/licenses', WRITE, async (req, _res, p) =>
    deps.sites.setCapacity(await ctxOf(req, p), validateBody<TierCapacity>('licenses', req.body)));
  route('get', '/sites/:siteId/role-mapping', ALL, async (req, _res, p) => deps.sites.roleMapping(await ctxOf(req, p)));
  route('put', '/sites/:siteId/role-mapping', WRITE, async (req, _res, p) =>
    deps.sites.setRoleMapping(await ctxOf(req, p), validateBody<Record<string, unknown>>('roleMapping', req.body)));
  route('patch', '/sites/:siteId/groups/:groupId', WRITE, async (req, _res, p) => {
    const body = validateBody<{ minimumSiteRole: SiteRole | null; grantLicenseMode: 'onSync' | 'onLogin' | null }>('groupFloor', req.body);
    return deps.groups.setFloor(await ctxOf(req, p), req.params.groupId as string, body);
  });

  // ---- users of a site ------------------------------------------------------------------
  route('post', '/sites/:siteId/users', WRITE, async (req, _res, p) => {
    const ctx = await ctxOf(req, p);
    const su = await deps.users.addByAdmin(ctx, validateBody('addUser', req.body));
    return deps.sites.userView(ctx, su.user.id);
  }, 201);
  route('get', '/sites/:siteId/users/:userId', ALL, async (req, _res, p) => deps.sites.userView(await ctxOf(req, p), req.params.userId as string));
  route('patch', '/sites/:siteId/users/:userId', WRITE, async (req, _res, p) => {
    const ctx = await ctxOf(req, p);
    await deps.sites.changeMembership(ctx, req.params.userId as string, validateBody('changeMembership', req.body));
    return deps.sites.userView(ctx, req.params.userId as string);
  });
  route('delete', '/sites/:siteId/users/:userId', WRITE, async (req, _res, p) => {
    const mapAssetsTo = typeof req.query.mapAssetsTo === 'string' && req.query.mapAssetsTo ? req.query.mapAssetsTo : undefined;
    const outcome = await deps.deprovision.adminRemove(await ctxOf(req, p), req.params.userId as string, mapAssetsTo);
    return { userId: req.params.userId, outcomes: [outcome] };
  });

  // ---- content and sign-ins ---------------------------------------------------------------
  route('post', '/sites/:siteId/content', WRITE, async (req, _res, p) => {
    const body = validateBody<{ type: ContentType; name: string; ownerUserId: string } | { type: ContentType; name: string; ownerUserId: string }[]>('content', req.body);
    const items = await deps.sites.registerContent(await ctxOf(req, p), Array.isArray(body) ? body : [body]);
    return Array.isArray(body) ? { items } : items[0];
  }, 201);
  route('post', '/sites/:siteId/content/transfer', WRITE, async (req, _res, p) => {
    const body = validateBody<{ fromUserId: string; toUserId: string }>('transfer', req.body);
    return { moved: await deps.sites.transferContent(await ctxOf(req, p), body.fromUserId, body.toUserId) };
  });
  route('post', '/sites/:siteId/sign-ins', WRITE, async (req, _res, p) => {
    const ctx = await ctxOf(req, p);
    const { userId } = validateBody<{ userId: string }>('signIn', req.body);
    await deps.sites.signIn(ctx, userId);
    return deps.sites.userView(ctx, userId);
  });

  // ---- tenant level -----------------------------------------------------------------------
  route('put', '/users/:userId/cloud-admin', TENANT, async (req, _res, p) => {
    const { cloudAdmin } = validateBody<{ cloudAdmin: boolean }>('cloudAdmin', req.body);
    const sites = await deps.listSites(p.tenantId);
    const ctx: RequestContext = { scope: { tenantId: p.tenantId, siteId: sites[0]?.id ?? '' }, site: sites[0]!, actor: p.actor, requestId: String(req.res?.locals.requestId), now: deps.now };
    const user = await deps.sites.setCloudAdmin(ctx, req.params.userId as string, cloudAdmin);
    return { id: user.id, userName: user.userName, cloudAdmin: user.cloudAdmin };
  });
  route('post', '/tokens', TENANT, async (req, _res, p) => {
    const body = validateBody<{ scope: AdminScope; siteId?: string; ttlSeconds?: number }>('issueToken', req.body);
    if (body.scope === 'siteAdmin' && !body.siteId) throw new AppError('admin.invalid_body', 'A siteAdmin token needs a siteId');
    if (body.siteId && !(await deps.siteOf(p.tenantId, body.siteId))) throw new AppError('site.not_found', `Site ${body.siteId} not found`);
    return deps.auth.issue({ tenantId: p.tenantId, scope: body.scope, siteId: body.siteId ?? null, subject: p.actor, ttlSeconds: body.ttlSeconds ?? 3600 });
  }, 201);
  auditRoutes(route, { audit: deps.audit, auditLog: deps.auditLog, reports: deps.reports, listSites: deps.listSites });

  router.use((req, _res, next) => next(new AppError('request.not_found', `No admin endpoint at ${req.method} ${req.originalUrl.split('?')[0]}`)));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) deps.logger.error({ err, path: req.path }, 'admin request failed');
    if (res.headersSent) return void res.end();
    sendAdminError(res, appErr);
  });
  return router;
}
