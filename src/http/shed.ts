import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { AppError } from '../domain/errors.js';
import { clientOf } from '../services/audit-log.js';
import { scimErrorBody } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { requestIdOf } from './observe.js';
import type { ConcurrencyLimiter, OverLimitMemo } from './rate-limit.js';

/** How often the lag watch's timer runs; the loop is late when it has not run for longer. */
const TICK_MS = 10;
/** Bodies announced larger than this are drained but the connection is not kept (a refusal need not read megabytes twice). */
const KEEP_ALIVE_BODY_BYTES = 64 * 1024;

/** CPU time of the process in ms (user + system). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Whether the event loop is late *because of this process's own work*, cheaply: a 10 ms interval
 * timer stamps the wall clock and the process's CPU time whenever the loop reaches its timers.
 * The loop is late by more than `max` when the current turn has run `max` past the period and
 * spent at least half of it on the CPU (requests parsed after a long stretch of work in the
 * same turn), or when the last interval was (the turn before was long: keep refusing until the
 * timer runs on time again, so a congested loop alternates a bounded turn of admitted work with
 * a cheap turn of refusals). The CPU condition keeps a process that the machine merely did not
 * schedule for a while (other work on the same cores) from refusing the load it can carry.
 */
class LoopLag {
  #stamp = performance.now();
  #cpu = cpuMs();
  #late = 0;
  readonly #timer = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    const late = now - this.#stamp - TICK_MS;
    this.#late = cpu - this.#cpu > late / 2 ? late : 0;
    this.#stamp = now;
    this.#cpu = cpu;
  }, TICK_MS).unref();

  isLate(max: number): boolean {
    if (this.#late > max) return true;
    const late = performance.now() - this.#stamp - TICK_MS;
    return late > max && cpuMs() - this.#cpu > late / 2;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

const refusalBody = (detail: string) => Buffer.from(JSON.stringify(scimErrorBody(new AppError('request.rate_limited', detail))));
const AT_LIMIT = refusalBody('The server is at its concurrency limit; retry after 1 s');
const LAGGING = refusalBody('The server is overloaded; retry after 1 s');
const HEALTHY = Buffer.from(JSON.stringify({ status: 'ok' }));
/** The token bucket's own answer (`RateLimiter.take`), kept per Retry-After value. */
const overRateBodies = new Map<number, Buffer>();
const overRateBody = (seconds: number) => {
  let body = overRateBodies.get(seconds);
  if (!body) {
    body = refusalBody(`Too many requests for this credential; retry after ${seconds} s`);
    if (overRateBodies.size < 64) overRateBodies.set(seconds, body);
  }
  return body;
};

export interface SheddingDeps {
  concurrency: ConcurrencyLimiter;
  /** SCIM credentials the token bucket refused moments ago (by Authorization header). */
  overLimit: OverLimitMemo;
  /** Refuse non-probe requests while the event loop is this many ms late (0 = never). */
  maxLagMs: number;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The load-shedding front door (SPEC §9, issue 8 §3): a plain `http` request listener in front
 * of Express. No routing, authentication or body parsing happens before its decision, so a
 * refusal costs a small fraction of an admitted request and the process stays responsive at
 * several times its capacity.
 *
 * - `GET`/`HEAD /healthz` is answered here; `/readyz` and `/metrics` go to Express. Probes never
 *   count against, nor are refused by, the bounds below.
 * - A SCIM request whose `Authorization` header the token bucket refused moments ago, and that
 *   would still be refused (the bucket is empty), is refused again here (`OverLimitMemo`).
 * - With `maxConcurrent` requests in flight (admitted, response not yet closed), or while the
 *   event loop is more than `maxLagMs` late, a request is answered at once.
 * - Every refusal is a 429 with an integer `Retry-After` and a pre-serialised SCIM Error body
 *   (`request.rate_limited`, the shape every path uses for it). The request body is drained,
 *   so a keep-alive connection stays usable.
 * - Everything else goes to Express, and its slot is released when the response closes.
 */
export function shedding(app: RequestListener, deps: SheddingDeps): { listener: RequestListener; stop(): void } {
  const lag = deps.maxLagMs > 0 ? new LoopLag() : undefined;
  const shedAtLimit = deps.metrics.shed.labels({ reason: 'concurrency' });
  const shedLagging = deps.metrics.shed.labels({ reason: 'lag' });
  const shedOverRate = deps.metrics.shed.labels({ reason: 'rate' });

  const refuse = (req: IncomingMessage, res: ServerResponse, body: Buffer, retryAfter = 1) => {
    const announced = Number(req.headers['content-length'] ?? 0);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/scim+json; charset=utf-8', 'Content-Length': body.length, 'Retry-After': String(retryAfter),
      'X-Request-Id': requestIdOf(req.headers['x-request-id']), 'X-Content-Type-Options': 'nosniff',
    };
    if (announced > KEEP_ALIVE_BODY_BYTES || req.headers['transfer-encoding'] !== undefined) headers.Connection = 'close';
    req.resume();
    res.writeHead(429, headers).end(body);
  };

  const healthz = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const id = requestIdOf(req.headers['x-request-id']);
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8', 'Content-Length': HEALTHY.length, 'X-Request-Id': id, 'X-Content-Type-Options': 'nosniff',
    }).end(req.method === 'HEAD' ? undefined : HEALTHY);
    req.resume();
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.observe('/healthz', req.method!, 200, clientOf(req.headers['user-agent']), seconds);
    deps.logger.info({ requestId: id, method: req.method, path: '/healthz', status: 200, ms: Math.round(seconds * 100_000) / 100 }, 'request');
  };

  const listener: RequestListener = (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) return healthz(req, res);
    if (path === '/healthz' || path === '/readyz' || path === '/metrics') return app(req, res);
    const auth = req.headers.authorization;
    if (auth !== undefined && path.startsWith('/scim/v2/')) {
      const wait = deps.overLimit.retryAfter(auth);
      if (wait > 0) {
        shedOverRate.inc();
        return refuse(req, res, overRateBody(wait), wait);
      }
    }
    if (lag?.isLate(deps.maxLagMs)) {
      shedLagging.inc();
      return refuse(req, res, LAGGING);
    }
    if (!deps.concurrency.tryEnter()) {
      shedAtLimit.inc();
      return refuse(req, res, AT_LIMIT);
    }
    res.once('close', () => deps.concurrency.leave());
    app(req, res);
  };
  return { listener, stop: () => lag?.stop() };
}
