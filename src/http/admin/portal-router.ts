import { Ajv, type ValidateFunction } from 'ajv';
import { ajvProblems } from './validate.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import schema from '../../../schemas/portal-api.schema.json' with { type: 'json' };
import { AppError } from '../../domain/errors.js';
import type { AdminAuthService } from '../../services/admin-auth.js';
import type { PortalCall, PortalPrincipal, PortalService, PortalUserInput, ProductKeyInput } from '../../services/portal.js';
import type { PortalTokenService } from '../../services/portal-tokens.js';
import { toAppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { sendAdminError } from './router.js';

export interface PortalRouterDeps {
  portal: PortalService;
  tokens: PortalTokenService;
  adminAuth: AdminAuthService;
  maxBodyBytes: number;
  logger: Logger;
  now: () => number;
}

type BodyKind = Exclude<keyof typeof schema.$defs, 'id' | 'name' | 'email' | 'role'>;

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(schema);
const compiled = new Map<BodyKind, ValidateFunction>();

/** ajv over `schemas/portal-api.schema.json`. @throws AppError admin.invalid_body listing every problem. */
export function validatePortalBody<T>(kind: BodyKind, body: unknown): T {
  let v = compiled.get(kind);
  if (!v) compiled.set(kind, (v = ajv.getSchema(`${schema.$id}#/$defs/${kind}`)!));
  if (v(body)) return body as T;
  const problems = ajvProblems(v.errors);
  throw new AppError('admin.invalid_body', `The request body is not a valid ${kind}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { problems });
}

/** An optional single-valued query parameter; repeated or nested values are a client mistake. */
function queryParam(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new AppError('request.invalid_value', `Query parameter ${name} must be given once, as a string`);
  return v;
}

/**
 * `/api/v1/portal` (SPEC §6, R-CP-01..09). Accepts two kinds of bearer token: admin tokens
 * (tenantAdmin acts as a tenant administrator, auditor reads; siteAdmin has no business here)
 * and portal tokens acting as one portal user, which no other `/api/v1` route accepts.
 * Permissions are decided by the portal service and policy, not here.
 */
export function portalRouter(deps: PortalRouterDeps): express.Router {
  const router = express.Router();

  router.use(async (req, res, next) => {
    try {
      const m = /^\s*bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
      if (!m) throw new AppError('auth.missing_credentials', 'Authentication required: send Authorization: Bearer <admin or portal token>');
      const claims = await deps.tokens.verify(m[1]!);
      let principal: PortalPrincipal;
      if (claims) principal = { kind: 'portalUser', tenantId: claims.tenantId, portalUserId: claims.portalUserId, actor: `portal:${claims.portalUserId}` };
      else {
        const p = await deps.adminAuth.verify(m[1]!);
        if (p.scope === 'siteAdmin') throw new AppError('auth.forbidden_scope', 'The Customer Portal plane needs a tenantAdmin or auditor token (or a portal token)');
        principal = { kind: 'admin', tenantId: p.tenantId, scope: p.scope, actor: p.actor };
      }
      res.locals.portalPrincipal = principal;
      // Read by the app's request-audit hook (tenant, actor): portal requests get their request entry too.
      res.locals.principal = { tenantId: principal.tenantId, siteId: null, actor: principal.actor };
      next();
    } catch (e) {
      next(e);
    }
  });
  router.use(express.json({ limit: deps.maxBodyBytes, strict: false }));

  type Handler = (req: Request, call: PortalCall) => Promise<unknown>;
  const route = (method: 'get' | 'post' | 'patch' | 'delete', path: string, fn: Handler, status = 200) => {
    router[method](path, (req: Request, res: Response, next: NextFunction) => {
      const call: PortalCall = { principal: res.locals.portalPrincipal as PortalPrincipal, requestId: String(res.locals.requestId), now: deps.now };
      fn(req, call).then((out) => {
        if (out === undefined) res.status(204).end();
        else res.status(status).json(out);
      }).catch(next);
    });
  };
  const P = deps.portal;
  const a = (req: Request) => req.params.accountId as string;
  const u = (req: Request) => req.params.portalUserId as string;
  const k = (req: Request) => req.params.keyId as string;

  route('get', '/accounts', (_req, call) => P.listAccounts(call));
  route('post', '/accounts', (req, call) => P.createAccount(call, validatePortalBody('createAccount', req.body)), 201);
  route('get', '/accounts/:accountId', (req, call) => P.getAccount(call, a(req)));

  route('get', '/accounts/:accountId/users', (req, call) => P.listUsers(call, a(req)));
  route('post', '/accounts/:accountId/users', (req, call) => P.addUser(call, a(req), validatePortalBody<PortalUserInput>('createUser', req.body)), 201);
  route('get', '/accounts/:accountId/users/:portalUserId', (req, call) => P.getUser(call, a(req), u(req)));
  route('patch', '/accounts/:accountId/users/:portalUserId', (req, call) =>
    P.updateUser(call, a(req), u(req), validatePortalBody<Partial<PortalUserInput>>('patchUser', req.body)));
  route('delete', '/accounts/:accountId/users/:portalUserId', (req, call) => P.removeUser(call, a(req), u(req)));
  route('get', '/accounts/:accountId/users/:portalUserId/keys', (req, call) => P.listKeys(call, a(req), u(req)));
  route('post', '/accounts/:accountId/users/:portalUserId/tokens', (req, call) => {
    const body = validatePortalBody<{ ttlSeconds?: number }>('issueToken', req.body ?? {});
    return P.issueToken(call, a(req), u(req), body.ttlSeconds ?? 3600);
  }, 201);

  route('get', '/accounts/:accountId/keys', (req, call) => P.listKeys(call, a(req), queryParam(req, 'portalUserId')));
  route('post', '/accounts/:accountId/keys', (req, call) => P.createKey(call, a(req), validatePortalBody<ProductKeyInput>('createKey', req.body)), 201);
  route('get', '/accounts/:accountId/keys/:keyId', (req, call) => P.getKey(call, a(req), k(req)));
  route('patch', '/accounts/:accountId/keys/:keyId', (req, call) =>
    P.updateKey(call, a(req), k(req), validatePortalBody<Partial<ProductKeyInput>>('patchKey', req.body)));
  route('delete', '/accounts/:accountId/keys/:keyId', (req, call) => P.deleteKey(call, a(req), k(req)));

  // Everything under /portal ends here: portal tokens never fall through to the admin router.
  router.use((req, _res, next) => next(new AppError('request.not_found', `No portal endpoint at ${req.method} ${req.originalUrl.split('?')[0]}`)));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const appErr = toAppError(err);
    if (appErr.status >= 500) deps.logger.error({ err, path: req.path }, 'portal request failed');
    if (res.headersSent) return void res.end();
    sendAdminError(res, appErr);
  });
  return router;
}
