import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../domain/errors.js';
import type { RequestContext } from '../../services/context.js';
import type { CredentialService, Principal } from '../../services/credentials.js';
import type { OverLimitMemo, RateLimiter } from '../rate-limit.js';
import { scimErrorBody, toAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { runBulk } from './bulk.js';
import type { Discovery } from './discovery.js';
import type { ScimCall, ScimReply, ScimResources } from './resources.js';

export interface ScimRouterDeps {
  resources: ScimResources;
  discovery: Discovery;
  credentials: CredentialService;
  /** OAuth 2.0 client-credentials access tokens (JWTs) are accepted next to site secrets. */
  verifyAccessToken: (token: string) => Promise<Principal | undefined>;
  limiter: RateLimiter;
  /** Where a credential found over its rate is remembered, for the front door to refuse it cheaply. */
  overLimit?: OverLimitMemo;
  /** SPEC §5.6: 403 "The authentication configuration is not SCIM enabled" unless the site's gate is open. */
  checkScimGate: (ctx: RequestContext) => Promise<void>;
  maxBodyBytes: number;
  bulkMaxOperations: number;
  publicBaseUrl: string | null;
  logger: Logger;
  now: () => number;
}

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const JSON_TYPES = ['application/json', 'application/scim+json', 'application/*+json'];

function send(res: Response, reply: ScimReply) {
  if (reply.etag) res.set('ETag', reply.etag);
  if (reply.status === 201 && reply.location) res.set('Location', reply.location);
  if (reply.body === undefined) return void res.status(reply.status).end();
  res.status(reply.status).set('Content-Type', SCIM_JSON).send(JSON.stringify(reply.body));
}

export function sendScimError(res: Response, err: AppError) {
  if (err.status === 304) return void res.status(304).end();
  if (err.status === 401) res.set('WWW-Authenticate', 'Bearer realm="rolegate SCIM"');
  if (err.status === 429 || err.status === 503) res.set('Retry-After', String(err.details?.retryAfter ?? 1));
  res.status(err.status).set('Content-Type', SCIM_JSON).send(JSON.stringify(scimErrorBody(err)));
}

/** `Authorization: Bearer <secret>`, scheme case-insensitive (INTEROP A13). */
const bearerOf = (req: Request) => /^\s*bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];

/**
 * The SCIM 2.0 surface under one fixed mount path. Own routes (not scimmy-routers): tenant
 * and site come from the bearer token per request, base URLs are computed per request, and
 * every failure — auth, unknown route, body too large, 500 — is a SCIM Error JSON.
 */
export function scimRouter(deps: ScimRouterDeps): express.Router {
  const router = express.Router();
  const base = (req: Request) => deps.publicBaseUrl
    ? `${deps.publicBaseUrl.replace(/\/$/, '')}${req.baseUrl}`
    : `${req.protocol}://${req.get('host')}${req.baseUrl}`;

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const secret = bearerOf(req);
      if (!secret) throw new AppError('auth.missing_credentials', 'Authentication required: send Authorization: Bearer <SCIM secret>');
      const principal = secret.split('.').length === 3 ? await deps.verifyAccessToken(secret) : await deps.credentials.verifyScimSecret(secret);
      if (!principal) throw new AppError('auth.invalid_credentials', 'The bearer token is not valid');
      try {
        deps.limiter.take(principal.credential.id);
      } catch (e) {
        deps.overLimit?.remember(req.get('authorization')!, deps.limiter.waitMs(principal.credential.id));
        throw e;
      }
      const ctx: RequestContext = {
        scope: { tenantId: principal.site.tenantId, siteId: principal.site.id }, site: principal.site,
        actor: `scim:${principal.credential.id}`, requestId: String(res.locals.requestId), now: deps.now,
      };
      res.locals.ctx = ctx;
      await deps.checkScimGate(ctx);
      next();
    } catch (e) {
      next(e);
    }
  });
  router.use(express.json({ type: JSON_TYPES, limit: deps.maxBodyBytes, strict: false }));

  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch(next);
  };
  const ctxOf = (res: Response) => res.locals.ctx as RequestContext;
  const call = (req: Request, type: ScimCall['type'], extra: Partial<ScimCall> = {}): ScimCall => {
    const ops = (req.body as { Operations?: unknown } | undefined)?.Operations;
    if (req.method === 'PATCH' && Array.isArray(ops)) req.res!.locals.operations = ops.length;
    return callOf(req, type, extra);
  };
  const callOf = (req: Request, type: ScimCall['type'], extra: Partial<ScimCall> = {}): ScimCall => ({
    method: req.method, type, id: req.params.id as string | undefined, body: req.body, query: req.query as Record<string, unknown>,
    ifMatch: req.get('if-match') ?? undefined, ifNoneMatch: req.get('if-none-match') ?? undefined, ...extra,
  });

  for (const type of ['Users', 'Groups'] as const) {
    router.post(`/${type}/.search`, wrap(async (req, res) => send(res, await deps.resources.handle(ctxOf(res), base(req), call(req, type, { search: true })))));
    router.all(`/${type}`, wrap(async (req, res) => send(res, await deps.resources.handle(ctxOf(res), base(req), call(req, type)))));
    router.all(`/${type}/:id`, wrap(async (req, res) => send(res, await deps.resources.handle(ctxOf(res), base(req), call(req, type)))));
  }

  router.post('/Bulk', wrap(async (req, res) => {
    res.locals.operations = Array.isArray((req.body as { Operations?: unknown })?.Operations) ? (req.body as { Operations: unknown[] }).Operations.length : 0;
    send(res, { status: 200, body: await runBulk(deps.resources, ctxOf(res), base(req), req.body, deps.bulkMaxOperations) });
  }));

  // Discovery (RFC 7644 §4): a filter there is answered with 403.
  const discovery = (fn: (req: Request) => Promise<Record<string, unknown>>) => wrap(async (req, res) => {
    if (req.method !== 'GET') throw new AppError('request.not_implemented', `${req.method} is not supported on discovery endpoints`);
    if (req.query.filter !== undefined) throw new AppError('auth.forbidden_scope', 'Filtering is not supported on discovery endpoints');
    send(res, { status: 200, body: await fn(req) });
  });
  router.all('/ServiceProviderConfig', discovery((req) => deps.discovery.serviceProviderConfig(base(req))));
  router.all('/ResourceTypes', discovery((req) => deps.discovery.resourceTypes(base(req))));
  router.all('/ResourceTypes/:id', discovery((req) => deps.discovery.resourceTypes(base(req), req.params.id as string)));
  router.all('/Schemas', discovery((req) => deps.discovery.schemas(base(req))));
  router.all('/Schemas/:id', discovery((req) => deps.discovery.schemas(base(req), req.params.id as string)));

  // RFC 7644 §3.11: /Me is not supported for machine clients.
  router.all(['/Me', '/Me/*rest'], (_req, _res, next) => next(new AppError('request.not_implemented', '/Me is not supported by this service provider')));

  router.use((req, _res, next) => next(new AppError('request.not_found', `No SCIM endpoint at ${req.method} ${req.originalUrl.split('?')[0]}`)));

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) deps.logger.error({ err, requestId: res.locals.requestId, path: req.path }, 'SCIM request failed');
    if (res.headersSent) return void res.end();
    sendScimError(res, appErr);
  });
  return router;
}
