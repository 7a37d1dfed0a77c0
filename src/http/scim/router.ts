import bodyParser from 'body-parser';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import qs from 'qs';
import { AppError } from '../../domain/errors.js';
import type { AuditLogService } from '../../services/audit-log.js';
import type { RequestContext } from '../../services/context.js';
import type { CredentialService, Principal } from '../../services/credentials.js';
import { scimErrorBody, toAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { observeRequest, type RequestLocals } from '../observe.js';
import type { OverLimitMemo, RateLimiter } from '../rate-limit.js';
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
  auditLog: AuditLogService;
  metrics: Metrics;
  now: () => number;
}

/** Where the SCIM surface is mounted. */
export const SCIM_MOUNT = '/scim/v2';

const SCIM_JSON = 'application/scim+json; charset=utf-8';

/** One parsed SCIM request, as a route handler sees it. */
interface ScimRequest {
  method: string;
  /** The matched `:name` segments (URI-decoded). */
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  headers: IncomingMessage['headers'];
  ctx: RequestContext;
  /** Absolute URL of the SCIM mount, for `meta.location` and `$ref`. */
  base: string;
  locals: RequestLocals;
}

type Handler = (r: ScimRequest) => Promise<ScimReply>;

/** A route of the SCIM surface: `ALL` or the listed verbs, segments matched case-insensitively, `:name` is one segment, `*name` the rest. */
interface ScimRoute {
  path: string;
  methods: string[];
  handle: Handler;
}

/** Is this request path under the SCIM mount (the mount itself included; case-insensitive, as Express mounts are)? */
function isScimPath(path: string): boolean {
  return path.length >= SCIM_MOUNT.length && path.slice(0, SCIM_MOUNT.length).toLowerCase() === SCIM_MOUNT
    && (path.length === SCIM_MOUNT.length || path[SCIM_MOUNT.length] === '/');
}

/** `Authorization: Bearer <secret>`, scheme case-insensitive (INTEROP A13). */
const bearerOf = (header: string | undefined) => /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];

function send(res: ServerResponse, reply: ScimReply) {
  const headers: Record<string, string | number> = {};
  if (reply.etag) headers.ETag = reply.etag;
  if (reply.status === 201 && reply.location) headers.Location = reply.location;
  if (reply.body === undefined) return void res.writeHead(reply.status, headers).end();
  const body = Buffer.from(JSON.stringify(reply.body));
  headers['Content-Type'] = SCIM_JSON;
  headers['Content-Length'] = body.length;
  res.writeHead(reply.status, headers).end(body);
}

function sendScimError(res: ServerResponse, err: AppError) {
  if (err.status === 304) return void res.writeHead(304).end();
  const headers: Record<string, string | number> = {};
  if (err.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="rolegate SCIM"';
  if (err.status === 429 || err.status === 503) headers['Retry-After'] = String(err.details?.retryAfter ?? 1);
  const body = Buffer.from(JSON.stringify(scimErrorBody(err)));
  headers['Content-Type'] = SCIM_JSON;
  headers['Content-Length'] = body.length;
  res.writeHead(err.status, headers).end(body);
}

/** A path segment as the route sees it; undefined when its %-escapes are not valid UTF-8. */
function decodeSegment(s: string): string | undefined {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function matchRoute(routes: ScimRoute[], method: string, rel: string): { route: ScimRoute; params: Record<string, string> } | undefined {
  // Express's non-strict routing: one trailing slash is ignored.
  const trimmed = rel.length > 1 && rel.endsWith('/') ? rel.slice(0, -1) : rel;
  const segs = trimmed.split('/').slice(1);
  next: for (const route of routes) {
    if (!route.methods.includes('ALL') && !route.methods.includes(method)) continue;
    const parts = route.path.split('/').slice(1);
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.startsWith('*')) {
        if (i >= segs.length) continue next;
        params[part.slice(1)] = segs.slice(i).join('/');
        return { route, params };
      }
      const seg = segs[i];
      if (seg === undefined || seg === '') continue next;
      if (part.startsWith(':')) {
        const value = decodeSegment(seg);
        if (value === undefined) continue next;
        params[part.slice(1)] = value;
      } else if (seg.toLowerCase() !== part.toLowerCase()) continue next;
    }
    if (segs.length === parts.length) return { route, params };
  }
  return undefined;
}

/**
 * The SCIM 2.0 surface, served straight from node:http (no Express): tenant and site come from
 * the bearer token per request, base URLs are computed per request, and every failure — auth,
 * unknown route, body too large, 500 — is a SCIM Error JSON. The SCIM paths are the hot paths
 * of an identity provider's sync, and Express's routing, query and response layers cost ~0.24 ms
 * a request here (a third of a userName lookup); this router keeps what mattered of them — the
 * same JSON body parser (body-parser), the same query parser (qs, Express's "extended" options),
 * case-insensitive paths with an optional trailing slash — and the shared per-request
 * bookkeeping (`observeRequest`).
 */
export function scimRouter(deps: ScimRouterDeps): {
  /** SCIM paths here, every other request to `rest` (the Express app): the request target is split once. */
  before(rest: RequestListener): RequestListener;
  routes: { path: string; methods: string[] }[];
} {
  const parseJson = bodyParser.json({ type: ['application/json', 'application/scim+json', 'application/*+json'], limit: deps.maxBodyBytes, strict: false });
  const readBody = (req: IncomingMessage, res: ServerResponse) => new Promise<unknown>((resolve, reject) => {
    parseJson(req, res, (err?: unknown) => (err ? reject(err) : resolve((req as { body?: unknown }).body)));
  });

  const resource = (type: ScimCall['type'], extra: Partial<ScimCall> = {}): Handler => async (r) => {
    const ops = (r.body as { Operations?: unknown } | undefined)?.Operations;
    if (r.method === 'PATCH' && Array.isArray(ops)) r.locals.operations = ops.length;
    return deps.resources.handle(r.ctx, r.base, {
      method: r.method, type, id: r.params.id, body: r.body, query: r.query,
      ifMatch: r.headers['if-match'], ifNoneMatch: r.headers['if-none-match'], ...extra,
    });
  };

  // Discovery (RFC 7644 §4): a filter there is answered with 403.
  const discovery = (fn: (r: ScimRequest) => Promise<Record<string, unknown>>): Handler => async (r) => {
    if (r.method !== 'GET') throw new AppError('request.not_implemented', `${r.method} is not supported on discovery endpoints`);
    if (r.query.filter !== undefined) throw new AppError('auth.forbidden_scope', 'Filtering is not supported on discovery endpoints');
    return { status: 200, body: await fn(r) };
  };
  // RFC 7644 §3.11: /Me is not supported for machine clients.
  const me: Handler = async () => {
    throw new AppError('request.not_implemented', '/Me is not supported by this service provider');
  };

  const routes: ScimRoute[] = [];
  for (const type of ['Users', 'Groups'] as const) {
    routes.push(
      { path: `/${type}/.search`, methods: ['POST'], handle: resource(type, { search: true }) },
      { path: `/${type}`, methods: ['ALL'], handle: resource(type) },
      { path: `/${type}/:id`, methods: ['ALL'], handle: resource(type) },
    );
  }
  routes.push(
    {
      path: '/Bulk', methods: ['POST'], handle: async (r) => {
        const ops = (r.body as { Operations?: unknown } | undefined)?.Operations;
        r.locals.operations = Array.isArray(ops) ? ops.length : 0;
        return { status: 200, body: await runBulk(deps.resources, r.ctx, r.base, r.body, deps.bulkMaxOperations) };
      },
    },
    { path: '/ServiceProviderConfig', methods: ['ALL'], handle: discovery((r) => deps.discovery.serviceProviderConfig(r.base)) },
    { path: '/ResourceTypes', methods: ['ALL'], handle: discovery((r) => deps.discovery.resourceTypes(r.base)) },
    { path: '/ResourceTypes/:id', methods: ['ALL'], handle: discovery((r) => deps.discovery.resourceTypes(r.base, r.params.id)) },
    { path: '/Schemas', methods: ['ALL'], handle: discovery((r) => deps.discovery.schemas(r.base)) },
    { path: '/Schemas/:id', methods: ['ALL'], handle: discovery((r) => deps.discovery.schemas(r.base, r.params.id)) },
    { path: '/Me', methods: ['ALL'], handle: me },
    { path: '/Me/*rest', methods: ['ALL'], handle: me },
  );

  const authenticate = async (req: IncomingMessage, locals: RequestLocals): Promise<RequestContext> => {
    const header = req.headers.authorization;
    const secret = bearerOf(header);
    if (!secret) throw new AppError('auth.missing_credentials', 'Authentication required: send Authorization: Bearer <SCIM secret>');
    const principal = secret.split('.').length === 3 ? await deps.verifyAccessToken(secret) : await deps.credentials.verifyScimSecret(secret);
    if (!principal) throw new AppError('auth.invalid_credentials', 'The bearer token is not valid');
    try {
      deps.limiter.take(principal.credential.id);
    } catch (e) {
      deps.overLimit?.remember(header!, deps.limiter.waitMs(principal.credential.id));
      throw e;
    }
    const ctx: RequestContext = {
      scope: { tenantId: principal.site.tenantId, siteId: principal.site.id }, site: principal.site,
      actor: `scim:${principal.credential.id}`, requestId: locals.requestId, now: deps.now,
    };
    locals.ctx = ctx;
    await deps.checkScimGate(ctx);
    return ctx;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, locals: RequestLocals, path: string, query: string | undefined) => {
    const method = req.method ?? 'GET';
    const ctx = await authenticate(req, locals);
    const body = await readBody(req, res);
    const rel = path.slice(SCIM_MOUNT.length) || '/';
    const match = matchRoute(routes, method, rel);
    if (!match) throw new AppError('request.not_found', `No SCIM endpoint at ${method} ${path}`);
    locals.route = `${SCIM_MOUNT}${match.route.path}`;
    const mount = path.slice(0, SCIM_MOUNT.length);
    const base = deps.publicBaseUrl
      ? `${deps.publicBaseUrl.replace(/\/$/, '')}${mount}`
      : `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${req.headers.host ?? ''}${mount}`;
    const parsed = query ? qs.parse(query, { allowPrototypes: true }) as Record<string, unknown> : {};
    send(res, await match.route.handle({ method, params: match.params, query: parsed, body, headers: req.headers, ctx, base, locals }));
  };

  const before = (rest: RequestListener): RequestListener => (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (!isScimPath(path)) return rest(req, res);
    const locals: RequestLocals = observeRequest(deps, req, res, {}, () => ({ route: locals.route ?? 'unmatched', path }));
    serve(req, res, locals, path, q < 0 ? undefined : url.slice(q + 1)).catch((err: unknown) => {
      const appErr = toAppError(err);
      if (appErr.status >= 500) deps.logger.error({ err, requestId: locals.requestId, path }, 'SCIM request failed');
      if (res.headersSent) return void res.end();
      sendScimError(res, appErr);
    });
  };
  return { before, routes: routes.map((r) => ({ path: `${SCIM_MOUNT}${r.path}`, methods: r.methods })) };
}
