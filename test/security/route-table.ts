/**
 * The server's route table: the SCIM router's own table (it serves /scim/v2 before Express)
 * and the Express app's routes, read from the router stack (Express 5: `app.router.stack`,
 * mounted routers through `layer.handle.stack` and their `layer.rawPath`), so tests that must
 * cover "every route" cover the routes added after they were written without anyone
 * remembering to list them.
 */
import type express from 'express';

export interface RouteEntry {
  /** e.g. `/api/v1/sites/:siteId/users/:userId` */
  path: string;
  /** Declared verbs in upper case; `['ALL']` for `router.all`. */
  methods: string[];
  /** `:name` / `*name` parameters, in order. */
  params: string[];
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

export function routeTable(server: { app: express.Express; scimRoutes: { path: string; methods: string[] }[] }): RouteEntry[] {
  const out = new Map<string, RouteEntry>();
  for (const r of server.scimRoutes) out.set(r.path, { path: r.path, methods: r.methods, params: paramsOf(r.path) });
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        const methods = Object.keys(layer.route.methods).map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
        for (const p of paths) {
          const path = `${prefix}${p}`.replace(/\/{2,}/g, '/');
          const prev = out.get(path);
          out.set(path, { path, methods: [...new Set([...(prev?.methods ?? []), ...methods])], params: paramsOf(path) });
        }
      } else if (layer.handle?.stack) {
        const mount = Array.isArray(layer.rawPath) ? layer.rawPath[0] : layer.rawPath;
        walk(layer.handle.stack, mount && mount !== '/' ? `${prefix}${mount}` : prefix);
      }
    }
  };
  walk((server.app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...out.values()];
}

export const paramsOf = (path: string) => [...path.matchAll(/[:*]([A-Za-z0-9_]+)/g)].map((m) => m[1]!);

/** Fills `:name` / `*name` with the values given (URI-encoded). */
export function fill(path: string, values: Record<string, string>): string {
  return path.replace(/[:*]([A-Za-z0-9_]+)/g, (_m, name: string) => encodeURIComponent(values[name] ?? 'x'));
}

export const VERBS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
