/**
 * The peer of `npm run bench -- --peer`: a plain scimmy + scimmy-routers server on Express 5
 * with users and groups in in-memory Maps (a userName index for `eq` lookups, everything else
 * scanned), as a team would write one from the libraries' READMEs. No policy, no audit, no
 * durability: it shows what the stack costs without them. Started by the bench like rolegate
 * (PORT, HOST, ROLEGATE_BOOTSTRAP_SCIM_TOKEN), mounted at /scim/v2.
 */
import express from 'express';
import { randomUUID } from 'node:crypto';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

type Json = Record<string, any>;
const token = process.env.ROLEGATE_BOOTSTRAP_SCIM_TOKEN ?? '';
const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

const users = new Map<string, Json>();
const byUserName = new Map<string, string>();
const groups = new Map<string, Json>();
const stamp = () => new Date().toISOString();
const plain = (v: unknown): Json => JSON.parse(JSON.stringify(v)) as Json;
const notFound = (id: string) => new SCIMMY.Types.Error(404, null as never, `Resource ${id} not found`);

/** A page of `all`, with the list constraints rewritten so scimmy does not page it again. */
function page(resource: Json, all: Json[]): Json[] {
  const c = resource.constraints ?? {};
  const start = Number(c.startIndex ?? 1);
  const count = Number(c.count ?? 100);
  const out = all.slice(start - 1, start - 1 + count);
  resource.constraints = { ...c, startIndex: 1, count: out.length, totalResults: all.length };
  return out;
}

/** The stored record `id` of `map`, or scimmy's 404. */
function found(map: Map<string, Json>, id: string): Json {
  const rec = map.get(id);
  if (!rec) throw notFound(id);
  return rec;
}

/** Every record of `map` matching the request's filter, paged. */
const listOf = (resource: Json, map: Map<string, Json>) => {
  const all = [...map.values()];
  return page(resource, resource.filter ? resource.filter.match(all) : all);
};

/** What ingress stores: the coerced instance with its id and meta (created kept on replace). */
const record = (instance: Json, id: string, existing: Json | undefined) =>
  ({ ...plain(instance), id, meta: { created: existing?.meta.created ?? stamp(), lastModified: stamp() } });

/** `userName eq "x"` as scimmy parses it: [{ userName: ['eq', 'x'] }]. */
function userNameEq(filter: unknown): string | undefined {
  const f = filter as Json[] | undefined;
  const cond = f?.length === 1 ? f[0]?.userName : undefined;
  return Array.isArray(cond) && cond[0] === 'eq' && Object.keys(f![0]).length === 1 ? String(cond[1]).toLowerCase() : undefined;
}

SCIMMY.Config.set('bulk', { supported: true, maxOperations: 1000, maxPayloadSize: 8 * 1024 * 1024 });

// Handlers are typed loosely (plain JSON records): the peer mirrors a README-level server.
const handlers = (r: unknown) => r as { egress(f: unknown): any; ingress(f: unknown): any; degress(f: unknown): any };

handlers(SCIMMY.Resources.declare(SCIMMY.Resources.User))
  .egress(async (resource: Json) => {
    if (resource.id) return found(users, resource.id);
    const key = userNameEq(resource.filter);
    if (key === undefined) return listOf(resource, users);
    const id = byUserName.get(key);
    return page(resource, id ? [users.get(id)!] : []);
  })
  .ingress(async (resource: Json, instance: Json) => {
    const existing = resource.id ? found(users, resource.id) : undefined;
    const key = String(instance.userName).toLowerCase();
    const clash = byUserName.get(key);
    if (clash && clash !== resource.id) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName '${instance.userName}' already exists`);
    const id = resource.id ?? randomUUID();
    const rec = record(instance, id, existing);
    if (existing) byUserName.delete(String(existing.userName).toLowerCase());
    users.set(id, rec);
    byUserName.set(key, id);
    return rec;
  })
  .degress(async (resource: Json) => {
    const u = found(users, resource.id);
    users.delete(resource.id);
    byUserName.delete(String(u.userName).toLowerCase());
  });

handlers(SCIMMY.Resources.declare(SCIMMY.Resources.Group))
  .egress(async (resource: Json) => {
    return resource.id ? found(groups, resource.id) : listOf(resource, groups);
  })
  .ingress(async (resource: Json, instance: Json) => {
    const existing = resource.id ? found(groups, resource.id) : undefined;
    const id = resource.id ?? randomUUID();
    const rec = record(instance, id, existing);
    groups.set(id, rec);
    return rec;
  })
  .degress(async (resource: Json) => {
    if (!groups.delete(resource.id)) throw notFound(resource.id);
  });

const app = express();
app.set('query parser', 'simple');
app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
// Express 5 gives query values as strings; scimmy-routers passes them on, scimmy wants numbers.
app.use((req, _res, next) => {
  const q: Json = { ...req.query };
  for (const k of ['startIndex', 'count']) if (typeof q[k] === 'string' && /^\d+$/.test(q[k])) q[k] = Number(q[k]);
  Object.defineProperty(req, 'query', { value: q, writable: true, configurable: true, enumerable: true });
  next();
});
app.use('/scim/v2', new SCIMMYRouters({
  type: 'bearer',
  handler: (req: express.Request) => {
    if (req.get('authorization') !== `Bearer ${token}`) throw new Error('Unauthorized');
    return 'bench';
  },
  context: () => ({}),
}) as unknown as express.Router);

const server = app.listen(port, host, () => {
  const addr = server.address();
  process.stdout.write(`scimmy peer listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/scim/v2\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
