import { Ajv, type ValidateFunction } from 'ajv';
import { ajvProblems } from './validate.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError, type ErrorCode } from '../../domain/errors.js';
import type { Site } from '../../domain/types.js';
import type { AdminAuthService, AdminPrincipal, AdminScope } from '../../services/admin-auth.js';
import type { RequestContext } from '../../services/context.js';
import { toAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RateLimiter } from '../rate-limit.js';
import { sendAdminError } from './router.js';
import schema from '../../../schemas/import-api.schema.json' with { type: 'json' };

/** What a router built with {@link scopedRouter} needs. */
export interface ScopedRouterDeps {
  auth: AdminAuthService;
  siteOf: (tenantId: string, siteId: string) => Promise<Site | undefined>;
  logger: Logger;
  now: () => number;
  /** The admin API's per-credential rate limit, shared with the main admin router. */
  limiter?: RateLimiter;
}

type Handler = (req: Request, res: Response, p: AdminPrincipal) => Promise<unknown>;
type Method = 'get' | 'post' | 'put' | 'delete';

/** Scope sets of the routes: any admin token; writers; tenant administrators; tenant-level readers. */
export const ALL: AdminScope[] = ['tenantAdmin', 'siteAdmin', 'auditor'];
export const WRITE: AdminScope[] = ['tenantAdmin', 'siteAdmin'];
export const TENANT: AdminScope[] = ['tenantAdmin'];
export const TENANT_READ: AdminScope[] = ['tenantAdmin', 'auditor'];

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(schema);
const compiled = new Map<string, ValidateFunction>();

/**
 * Validates a body or query against `schemas/import-api.schema.json`.
 * @throws AppError `code` (admin.invalid_body for bodies, request.invalid_value for queries) listing every problem.
 */
export function validateApi<T>(kind: keyof typeof schema.$defs, value: unknown, code: ErrorCode = 'admin.invalid_body'): T {
  let v = compiled.get(kind);
  if (!v) compiled.set(kind, (v = ajv.getSchema(`${schema.$id}#/$defs/${kind}`)!));
  if (v(value)) return value as T;
  const problems = ajvProblems(v.errors);
  const what = code === 'admin.invalid_body' ? `request body (${kind})` : 'query';
  throw new AppError(code, `The ${what} is not valid: ${problems.map((p) => `${p.path}${p.property ? ` '${p.property}'` : ''} ${p.message}`).join('; ')}`, { problems });
}

/**
 * A small Express router for admin routes mounted beside the main admin router: per-route
 * bearer authentication (so requests it does not route pass through untouched), minimum
 * scopes, the site check for siteAdmin tokens, optional JSON bodies, and the admin error
 * shape `{code, message, details}` for everything it answers.
 */
export function scopedRouter(deps: ScopedRouterDeps) {
  const router = express.Router();

  const authenticate = async (req: Request, res: Response): Promise<AdminPrincipal> => {
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!m) throw new AppError('auth.missing_credentials', 'Authentication required: send Authorization: Bearer <admin token>');
    const p = await deps.auth.verify(m[1]!);
    res.locals.principal = p; // the request's audit entry names the actor (SPEC §7)
    deps.limiter?.take(p.actor);
    return p;
  };

  /** Registers a route; `json` parses a JSON body up to that many bytes. A handler returning null has streamed its own answer. */
  const route = (method: Method, path: string, scopes: AdminScope[], fn: Handler, opts: { status?: number; json?: number } = {}) => {
    const parser = opts.json ? express.json({ limit: opts.json, strict: false }) : undefined;
    router[method](path, (req: Request, res: Response, next: NextFunction) => {
      Promise.resolve().then(async () => {
        const p = await authenticate(req, res);
        if (!scopes.includes(p.scope)) throw new AppError('auth.forbidden_scope', `This operation needs one of the scopes: ${scopes.join(', ')}`);
        const siteId = req.params.siteId as string | undefined;
        if (siteId && p.scope === 'siteAdmin' && p.siteId !== siteId) throw new AppError('site.not_found', `Site ${siteId} not found`);
        if (parser) await new Promise<void>((resolve, reject) => parser(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
        const out = await fn(req, res, p);
        if (out === null) return;
        if (out === undefined) res.status(204).end();
        else res.status(opts.status ?? 200).json(out);
      }).catch(next);
    });
  };

  /** The context of a request acting on the `:siteId` of the path. */
  const ctxOf = async (req: Request, p: AdminPrincipal): Promise<RequestContext> => {
    const siteId = req.params.siteId as string;
    const site = await deps.siteOf(p.tenantId, siteId);
    if (!site) throw new AppError('site.not_found', `Site ${siteId} not found`);
    req.res!.locals.siteId = siteId;
    return { scope: { tenantId: p.tenantId, siteId }, site, actor: p.actor, requestId: String(req.res?.locals.requestId), now: deps.now };
  };

  /** Adds the error handler; call after the last route. */
  const done = () => {
    router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      const appErr = toAppError(err);
      if (appErr.status >= 500) deps.logger.error({ err, path: req.path }, 'admin request failed');
      if (res.headersSent) return void res.end();
      const retryAfter = appErr.details?.retryAfter;
      if (appErr.status === 429 && typeof retryAfter === 'number') res.set('Retry-After', String(retryAfter));
      sendAdminError(res, appErr);
    });
    return router;
  };

  return { router, route, ctxOf, done };
}
