import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { AdminPrincipal } from '../services/admin-auth.js';
import { clientOf, type AuditLogService } from '../services/audit-log.js';
import type { RequestContext } from '../services/context.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** The client's `X-Request-Id` when it is a sane token, else a new UUID. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
}

/**
 * Per-request bookkeeping in one place: request id, structured log line, Prometheus
 * observation and the audit request entry (SPEC §7, §9). The global concurrency bound is not
 * here: the load-shedding front door (`shed.ts`) applies it before Express.
 */
export function observe(deps: { logger: Logger; auditLog: AuditLogService; metrics: Metrics }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = requestIdOf(req.get('x-request-id'));
    res.locals.requestId = id;
    res.set({ 'X-Request-Id': id, 'X-Content-Type-Options': 'nosniff' });
    const probe = req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics';
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const ms = Math.round(seconds * 100_000) / 100;
      const client = clientOf(req.get('user-agent'));
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : probe ? req.path : 'unmatched';
      deps.metrics.observe(route, req.method, res.statusCode, client, seconds);
      deps.logger.info({ requestId: id, method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
      // One request entry per SCIM / admin request of a known tenant (SPEC §7).
      const scim = res.locals.ctx as RequestContext | undefined;
      const admin = res.locals.principal as AdminPrincipal | undefined;
      const tenantId = scim?.scope.tenantId ?? admin?.tenantId;
      if (!tenantId) return;
      deps.auditLog.recordRequest({
        tenantId, siteId: scim?.scope.siteId ?? (res.locals.siteId as string | undefined) ?? admin?.siteId ?? null,
        actor: scim?.actor ?? admin?.actor ?? null, requestId: id, client,
        method: req.method, path: req.baseUrl + req.path, status: res.statusCode, durationMs: ms,
        operations: (res.locals.operations as number | undefined) ?? 1,
      });
    });
    next();
  };
}
