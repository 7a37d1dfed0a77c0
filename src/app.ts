import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from './domain/errors.js';
import { scimErrorBody, toAppError } from './http/errors.js';
import type { Logger } from './http/logger.js';
import type { Metrics } from './http/metrics.js';
import { observe } from './http/observe.js';
import { oauthRouter } from './http/oauth-router.js';
import type { RateLimiter } from './http/rate-limit.js';
import type { AuditLogService } from './services/audit-log.js';
import type { OAuthService } from './services/oauth.js';
import { adminRouter, type AdminRouterDeps } from './http/admin/router.js';
import { consoleRouter } from './http/console/router.js';
import { portalRouter, type PortalRouterDeps } from './http/admin/portal-router.js';
import { importsRouter } from './http/admin/imports-router.js';
import { tenantUsersRouter } from './http/admin/tenant-users-router.js';
import type { ImportService } from './services/import-csv.js';
import type { TenantLicenseService } from './services/tenant-licenses.js';
import type { TenantUserService } from './services/tenant-users.js';

export interface AppDeps {
  auditLog: AuditLogService;
  admin: Omit<AdminRouterDeps, 'logger' | 'now'>;
  /** The Customer Portal plane, `/api/v1/portal` (admin or portal bearer tokens). */
  portal: Omit<PortalRouterDeps, 'logger' | 'now'>;
  /** Tableau CSV import/export and tenant-wide (TCM) users, on `/api/v1` beside the admin router. */
  tableau: { imports: ImportService; tenantUsers: TenantUserService; tenantLicenses: TenantLicenseService; maxCsvBytes: number };
  logger: Logger;
  now: () => number;
  /** False while the store is unavailable or the process is draining. */
  ready: () => Promise<boolean>;
  metrics: Metrics;
  oauth: OAuthService;
  tokenLimiter: RateLimiter;
}

/**
 * The Express application — admin API, portal, OAuth, console, probes — without listen:
 * `Container.createServer()` puts the load-shedding front door (`http/shed.ts`) and the SCIM
 * router in front of it, for the process and for the tests alike.
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags are SCIM versions (meta.version), never Express's body hashes.
  app.set('etag', false);
  app.set('query parser', 'extended');

  app.use(observe({ logger: deps.logger, auditLog: deps.auditLog, metrics: deps.metrics }));

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res, next) => {
    deps.ready().then((ready) => void res.status(ready ? 200 : 503).json({ ready })).catch(next);
  });
  app.get('/metrics', (_req, res, next) => {
    deps.metrics.registry.metrics().then((text) => void res.set('Content-Type', deps.metrics.registry.contentType).send(text)).catch(next);
  });
  app.use('/oauth', oauthRouter(deps.oauth, deps.tokenLimiter));

  // /scim/v2 is not here: the SCIM router (http/scim/router.ts) answers it before Express.
  // Before the admin router: it ends every /portal request, so portal tokens never reach the rest of /api/v1.
  app.use('/api/v1/portal', portalRouter({ ...deps.portal, logger: deps.logger, now: deps.now }));
  // Before the admin router, whose catch-all would answer them (and which reads /users/export as a user id).
  const scoped = { auth: deps.admin.auth, siteOf: deps.admin.siteOf, limiter: deps.admin.limiter, logger: deps.logger, now: deps.now };
  app.use('/api/v1', importsRouter({ ...scoped, imports: deps.tableau.imports, maxCsvBytes: deps.tableau.maxCsvBytes }));
  app.use('/api/v1', tenantUsersRouter({ ...scoped, tenantUsers: deps.tableau.tenantUsers, tenantLicenses: deps.tableau.tenantLicenses }));
  app.use('/api/v1', adminRouter({ ...deps.admin, logger: deps.logger, now: deps.now }));
  // The administrators' web console (static files; its data comes from /api/v1 with the admin token).
  app.use('/console', consoleRouter());
  app.get('/', (_req, res) => void res.redirect(302, '/console/'));

  app.use((req, _res, next) => next(new AppError('request.not_found', `No endpoint at ${req.method} ${req.path}`)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) deps.logger.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return void res.end();
    // Outside /scim/v2 the same error shape is used: no HTML pages anywhere.
    res.status(appErr.status).set('Content-Type', 'application/scim+json; charset=utf-8').send(JSON.stringify(scimErrorBody(appErr)));
  });
  return app;
}
