import express, { type NextFunction, type Request, type Response } from 'express';
import type { OAuthService } from '../services/oauth.js';
import { OAuthError } from '../services/oauth.js';
import type { RateLimiter } from './rate-limit.js';

/** Client authentication: HTTP Basic (RFC 6749 §2.3.1) or client_id/client_secret in the body. */
function clientOf(req: Request): { id?: unknown; secret?: unknown } {
  const basic = /^\s*basic\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  if (basic) {
    const [id, ...rest] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(rest.join(':')) };
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  return { id: body.client_id, secret: body.client_secret };
}

/** `POST /oauth/token` (RFC 6749 §4.4) for SCIM clients. Errors follow RFC 6749 §5.2. */
export function oauthRouter(oauth: OAuthService, limiter: RateLimiter): express.Router {
  const router = express.Router();
  router.post('/token', express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' }), async (req: Request, res: Response) => {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    try {
      limiter.take(`oauth:${req.ip}`);
      const client = clientOf(req);
      const body = (req.body ?? {}) as Record<string, unknown>;
      res.json(await oauth.token(body.grant_type, client.id, client.secret));
    } catch (e) {
      if (e instanceof OAuthError) {
        if (e.status === 401) res.set('WWW-Authenticate', 'Basic realm="rolegate"');
        res.status(e.status).json({ error: e.error, error_description: e.message });
      } else if ((e as { code?: string }).code === 'request.rate_limited') {
        res.status(429).set('Retry-After', String((e as { details?: { retryAfter?: number } }).details?.retryAfter ?? 1)).json({ error: 'slow_down', error_description: 'Too many requests' });
      } else {
        res.status(500).json({ error: 'server_error', error_description: 'An unexpected error occurred' });
      }
    }
  });
  router.use((_req, res) => void res.status(404).json({ error: 'invalid_request', error_description: 'Unknown OAuth endpoint' }));
  // A body the parsers refuse (malformed, too large, bad charset) is answered in RFC 6749 §5.2 form too, not as a SCIM error.
  router.use((err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    const status = err?.status === 413 ? 413 : err?.status === 415 ? 415 : 400;
    res.status(status).json({ error: 'invalid_request', error_description: status === 413 ? 'The request body is too large' : 'The request body could not be read' });
  });
  return router;
}
