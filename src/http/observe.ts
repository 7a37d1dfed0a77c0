import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** What a request's handlers tell the bookkeeping (Express: `res.locals`). */
export interface RequestLocals {
  requestId: string;
  /** A SCIM request's context (authenticated). */
  ctx?: RequestContext;
  /** An admin API request's principal (authenticated). */
  principal?: AdminPrincipal;
  siteId?: string;
  /** Operations in a PATCH or /Bulk (default 1). */
  operations?: number;
  /** The matched route pattern (the SCIM router; Express routes are read from `req.route`). */
  route?: string;
}

interface ObserveDeps {
  logger: Logger;
  auditLog: AuditLogService;
  metrics: Metrics;
}

/**
 * Per-request bookkeeping in one place, for the SCIM router and the Express app alike: request
 * id (echoed in `X-Request-Id`), structured log line, Prometheus observation and the audit
 * request entry (SPEC §7, §9). `describe` is read when the response has finished: the matched
 * route pattern (metrics label, never a raw path) and the request path (log, audit).
 */
export function observeRequest(
  deps: ObserveDeps, req: IncomingMessage, res: ServerResponse, locals: Partial<RequestLocals>,
  describe: () => { route: string; path: string },
): RequestLocals {
  const id = requestIdOf(req.headers['x-request-id']);
  locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ms = Math.round(seconds * 100_000) / 100;
    const client = clientOf(req.headers['user-agent']);
    const { route, path } = describe();
    deps.metrics.observe(route, req.method!, res.statusCode, client, seconds);
    deps.logger.info({ requestId: id, method: req.method, path, status: res.statusCode, ms }, 'request');
    // One request entry per SCIM / admin request of a known tenant (SPEC §7).
    const scim = locals.ctx;
    const admin = locals.principal;
    const tenantId = scim?.scope.tenantId ?? admin?.tenantId;
    if (!tenantId) return;
    deps.auditLog.recordRequest({
      tenantId, siteId: scim?.scope.siteId ?? locals.siteId ?? admin?.siteId ?? null,
      actor: scim?.actor ?? admin?.actor ?? null, requestId: id, client,
      method: req.method!, path, status: res.statusCode, durationMs: ms, operations: locals.operations ?? 1,
    });
  });
  return locals as RequestLocals;
}

/** `observeRequest` as the Express app's first middleware. The global concurrency bound is not here: the load-shedding front door (`shed.ts`) applies it first. */
export function observe(deps: ObserveDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const probe = req.path === '/healthz' || req.path === '/readyz' || req.path === '/metrics';
    observeRequest(deps, req, res, res.locals as Partial<RequestLocals>, () => ({
      route: req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : probe ? req.path : 'unmatched',
      path: req.baseUrl + req.path,
    }));
    next();
  };
}
