import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { AppError } from './domain/errors.js';
import { scimErrorBody, toAppError } from './http/errors.js';
import type { Logger } from './http/logger.js';
import { clientOf, type AuditLogService } from './services/audit-log.js';
import type { RequestContext } from './services/context.js';
import type { AdminPrincipal } from './services/admin-auth.js';
import { adminRouter, type AdminRouterDeps } from './http/admin/router.js';
import { scimRouter, type ScimRouterDeps } from './http/scim/router.js';

export interface AppDeps {
  auditLog: AuditLogService;
  scim: Omit<ScimRouterDeps, 'logger' | 'now'>;
  admin: Omit<AdminRouterDeps, 'logger' | 'now'>;
  logger: Logger;
  now: () => number;
  ready: () => boolean;
}

/** The Express application, without listen (tests drive it through a real socket). */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // ETags are SCIM versions (meta.version), never Express's body hashes.
  app.set('etag', false);
  app.set('query parser', 'extended');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const id = incoming && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Math.round((Number(process.hrtime.bigint() - started) / 1e6) * 100) / 100;
      deps.logger.info({ requestId: id, method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
      // One request entry per SCIM / admin request of a known tenant (SPEC §7).
      const scim = res.locals.ctx as RequestContext | undefined;
      const admin = res.locals.principal as AdminPrincipal | undefined;
      const tenantId = scim?.scope.tenantId ?? admin?.tenantId;
      if (!tenantId) return;
      deps.auditLog.recordRequest({
        tenantId, siteId: scim?.scope.siteId ?? (res.locals.siteId as string | undefined) ?? admin?.siteId ?? null,
        actor: scim?.actor ?? admin?.actor ?? null, requestId: id, client: clientOf(req.get('user-agent')),
        method: req.method, path: req.baseUrl + req.path, status: res.statusCode, durationMs: ms,
        operations: (res.locals.operations as number | undefined) ?? 1,
      });
    });
    next();
  });

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => void res.status(deps.ready() ? 200 : 503).json({ ready: deps.ready() }));

  app.use('/scim/v2', scimRouter({ ...deps.scim, logger: deps.logger, now: deps.now }));
  app.use('/api/v1', adminRouter({ ...deps.admin, logger: deps.logger, now: deps.now }));

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
