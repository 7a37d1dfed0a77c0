import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIT_EVENTS } from '../../domain/audit.js';
import { CSV_REASONS } from '../../policy/csv.js';
import { REASONS } from '../../policy/reasons.js';

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only; no inline
 * script or style, no framing, no `<base>`.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Headers set on every `/console` response (pages, modules, JSON and errors alike). */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/**
 * Codes the audit log writes that are not policy decisions (so not in `REASONS`); the console
 * explains them too. `HTTP_nnn` stands for `HTTP_<status>` on request entries.
 */
export const AUDIT_ONLY_REASONS: Readonly<Record<string, string>> = {
  OVERWROTE_MANUAL_CHANGE: 'An identity provider changed a role an administrator had set by hand; the IdP value now applies (SPEC §5.7).',
  UNKNOWN_MEMBER_IGNORED: 'Group members that are not users of the site were not stored; the rest of the change applied.',
  RETENTION: 'Entries older than the retention period were purged; the hash chain continues from an anchor.',
  HTTP_nnn: 'rolegate refused or failed the request and answered with this HTTP error status.',
};

/** The document served as `/console/reasons.json`: every reason code in words, and the event names. */
export function reasonCatalogue(): { reasons: Record<string, string>; events: readonly string[] } {
  return { reasons: { ...CSV_REASONS, ...AUDIT_ONLY_REASONS, ...REASONS }, events: AUDIT_EVENTS };
}

/**
 * Where `npm run build` puts the console (`dist/console`): found from this module's location,
 * which is `src/http/console` under jest and `dist/src/http/console` when built.
 */
export function defaultConsoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
    dir = dirname(dir);
  }
  return join(process.cwd(), 'dist', 'console');
}

/** Options of {@link consoleRouter}. */
export interface ConsoleRouterOptions {
  /** The built console (default: {@link defaultConsoleDir}). */
  dir?: string;
}

/**
 * `/console`: the administrators' web console (SPEC §7), static files built by
 * `console/build.mjs`, plus `reasons.json` generated from the reason catalogues. The files hold
 * no data and need no credentials; every call the console makes goes to `/api/v1` with the
 * admin token the user signs in with.
 */
export function consoleRouter(opts: ConsoleRouterOptions = {}): express.Router {
  const dir = opts.dir ?? defaultConsoleDir();
  const router = express.Router();
  const catalogue = JSON.stringify(reasonCatalogue());

  router.use((_req: Request, res: Response, next: NextFunction) => {
    res.set(CONSOLE_HEADERS);
    next();
  });
  // `/console` → `/console/`, so the page's relative module and style URLs resolve under it.
  router.get('/', (req: Request, res: Response, next: NextFunction) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    if (path.endsWith('/')) return next();
    res.redirect(301, `${req.baseUrl}/`);
  });
  router.get('/reasons.json', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').type('application/json').send(catalogue);
  });
  if (!existsSync(join(dir, 'index.html'))) {
    router.use((_req: Request, res: Response) => {
      res.status(503).type('text/plain').send('The web console is not built: run `npm run build`.\n');
    });
    return router;
  }
  router.use(express.static(dir, {
    index: 'index.html', redirect: false, dotfiles: 'ignore', fallthrough: true,
    setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
  }));
  return router;
}
