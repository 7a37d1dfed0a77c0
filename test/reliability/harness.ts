/**
 * Shared by the reliability suites (crash, overload, shutdown) and their long-run benches:
 * a real rolegate process (`dist/src/main.js`) on a SQLite file the caller chooses, so it can
 * be SIGKILLed and restarted on the same store, and a small keep-alive HTTP client that
 * tags every request with its own `X-Request-Id` (audit events carry it, so a test can tell
 * exactly which request wrote which event).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { freePort } from '../helpers/process.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder with package.json), from test/ under jest or dist/test/ when compiled for a bench. */
export const ROOT = (() => {
  let d = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
})();
export { freePort };
export const SCIM_TOKEN = 'reliability-scim-secret-0123456789';
export const ADMIN_TOKEN = 'reliability-admin-secret-0123456789';
export const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';


/**
 * A private copy of the built server for long runs: other work rebuilding `dist/` meanwhile
 * must not change the program under test halfway. Kept under node_modules/.cache so that
 * package imports still resolve. Returns the path of its main.js and a cleanup function.
 */
export function snapshotDist(): { mainJs: string; remove(): void } {
  const to = join(ROOT, 'node_modules', '.cache', `rolegate-reliability-${process.pid}-${Date.now()}`);
  cpSync(join(ROOT, 'dist'), join(to, 'dist'), { recursive: true });
  return { mainJs: join(to, 'dist', 'src', 'main.js'), remove: () => rmSync(to, { recursive: true, force: true }) };
}

export interface ServerProc {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code / signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the built server on `dbPath` (created on first start; bootstrap tokens only act on an
 * empty store). `config` is written as `default.json` of a private config folder.
 */
export async function spawnServer(opts: {
  dbPath: string; port?: number; config?: Record<string, unknown>; env?: Record<string, string>; logLevel?: string; startTimeoutMs?: number;
  /** Defaults to dist/src/main.js (see {@link snapshotDist}). */
  mainJs?: string;
}): Promise<ServerProc> {
  const port = opts.port ?? (await freePort());
  const configDir = join(opts.dbPath + '.config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'default.json'), JSON.stringify(opts.config ?? {}));
  const child = spawn(process.execPath, [opts.mainJs ?? join(ROOT, 'dist', 'src', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env, NODE_ENV: 'reliability', PORT: String(port), HOST: '127.0.0.1', ROLEGATE_DB: `sqlite:${opts.dbPath}`,
      ROLEGATE_CONFIG_DIR: configDir, ROLEGATE_LOG_LEVEL: opts.logLevel ?? 'warn',
      ROLEGATE_BOOTSTRAP_SCIM_TOKEN: SCIM_TOKEN, ROLEGATE_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), opts.startTimeoutMs ?? 30_000);
    const poll = setInterval(() => {
      if (out.includes('rolegate listening')) { clearInterval(poll); clearTimeout(timer); resolve(); }
    }, 5);
    void exited.then(({ code, signal }) => { clearInterval(poll); clearTimeout(timer); reject(new Error(`server exited (${code ?? signal}) while starting:\n${out}`)); });
  });
  return {
    child, port, url: `http://127.0.0.1:${port}`, output: () => out, exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Copies a SQLite database as a crash left it (main file + WAL, not the shared-memory index) for inspection. */
export function snapshotDbFiles(dbPath: string, to: string): string {
  copyFileSync(dbPath, to);
  if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${to}-wal`);
  return to;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
  ms: number;
}

/** A network failure: the outcome of the request is unknown (it may or may not have been applied). */
export class NetworkError extends Error {
  constructor(override readonly cause: unknown, readonly timedOut = false) {
    super(`network error: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

let seq = 0;
/** Unique, `X-Request-Id`-safe ids (`[\w.:-]`). */
export const requestId = (prefix = 'r') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** A keep-alive HTTP/1.1 client bound to one server generation. */
export class Client {
  readonly agent: http.Agent;
  constructor(readonly base: string, maxSockets = 32) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  req(method: string, path: string, opts: { body?: unknown; token?: string | null; headers?: Record<string, string>; timeoutMs?: number; requestId?: string; raw?: string | Buffer } = {}): Promise<Reply> {
    const url = new URL(path.startsWith('http') ? path : `${this.base}${path}`);
    const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== null) headers.authorization ??= `Bearer ${opts.token ?? SCIM_TOKEN}`;
    if (payload !== undefined) {
      headers['content-type'] ??= path.includes('/scim/') ? 'application/scim+json' : 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (opts.requestId) headers['x-request-id'] = opts.requestId;
    const started = performance.now();
    return new Promise<Reply>((resolve, reject) => {
      const r = http.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new NetworkError(e)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body, ms: performance.now() - started });
        });
      });
      r.on('error', (e) => reject(e instanceof NetworkError ? e : new NetworkError(e)));
      if (opts.timeoutMs) r.setTimeout(opts.timeoutMs, () => r.destroy(new NetworkError(new Error(`timeout after ${opts.timeoutMs} ms`), true)));
      if (payload !== undefined) r.write(payload);
      r.end();
    });
  }

  scim(method: string, path: string, body?: unknown, requestId?: string, timeoutMs?: number) {
    return this.req(method, `/scim/v2${path}`, { body, requestId, timeoutMs });
  }

  admin(method: string, path: string, body?: unknown, requestId?: string) {
    return this.req(method, `/api/v1${path}`, { body, token: ADMIN_TOKEN, requestId });
  }

  close() {
    this.agent.destroy();
  }
}

/** A SCIM Error body as RFC 7644 §3.12 defines it, with `status` equal to the HTTP status. */
export function isScimError(r: Reply): boolean {
  const b = r.body as Record<string, unknown> | undefined;
  return !!b && Array.isArray(b.schemas) && b.schemas.includes(SCIM_ERROR) && b.status === String(r.status)
    && (b.detail === undefined || typeof b.detail === 'string');
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A deterministic PRNG (mulberry32) so a failing run can be replayed from its printed seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
