import type { GroupWithMembers, SiteUser } from '../../domain/types.js';
import { SCIMMY, URN } from './schemas.js';

/**
 * Hand-written serialisers for the hot paths (SCIMMY-NOTES §7: scimmy's coercion costs
 * ~250 µs per user). Stored data is already scimmy-canonical (coerced on the way in), so the
 * output only needs scimmy's key order, which is taken from its schema definitions once.
 */
type Json = Record<string, unknown>;

const USER_ORDER = (SCIMMY.Schemas.User.definition.attributes as { name?: string; id?: string }[])
  .map((a) => a.name ?? a.id)
  .filter((n): n is string => typeof n === 'string');

export const iso = (ms: number) => new Date(ms).toISOString();
export const etagOf = (version: number) => `W/"${version}"`;

/** Data attributes in scimmy's order, minus those the row holds in columns. */
const DATA_ORDER = USER_ORDER.filter((k) => !['schemas', 'id', 'externalId', 'meta'].includes(k));

export function userToScim(su: SiteUser, groups: { value: string; display: string }[] | undefined, base: string): Json {
  const { user, membership: m } = su;
  const data = user.data;
  const out: Json = { schemas: [URN.user], id: user.id };
  if (user.externalId !== null) out.externalId = user.externalId;
  out.meta = { resourceType: 'User', created: iso(m.createdAt), lastModified: iso(m.updatedAt), location: `${base}/Users/${user.id}`, version: etagOf(m.version) };
  for (const key of DATA_ORDER) {
    switch (key) {
      case 'userName': out.userName = user.userName; break;
      case 'displayName': if (user.displayName !== null) out.displayName = user.displayName; break;
      case 'active': out.active = m.active; break;
      case 'groups':
        if (groups?.length) out.groups = groups.map((g) => ({ value: g.value, $ref: `${base}/Groups/${g.value}`, display: g.display }));
        break;
      default: if (data[key] !== undefined) out[key] = data[key];
    }
  }
  const enterprise = data[URN.enterprise];
  if (enterprise && Object.keys(enterprise as Json).length) {
    (out.schemas as string[]).push(URN.enterprise);
    out[URN.enterprise] = enterprise;
  }
  (out.schemas as string[]).push(URN.tableau);
  // The effective role is what the output shows (SPEC §4); the requested one is in the admin view.
  out[URN.tableau] = { siteRoles: [{ value: m.siteRole }] };
  return out;
}

export function groupToScim(g: GroupWithMembers, base: string): Json {
  const { group } = g;
  const out: Json = { schemas: [URN.group], id: group.id };
  if (group.externalId !== null) out.externalId = group.externalId;
  out.meta = {
    resourceType: 'Group', created: iso(group.createdAt), lastModified: iso(group.updatedAt),
    location: `${base}/Groups/${group.id}`, version: etagOf(group.version),
  };
  out.displayName = group.displayName;
  if (g.members?.length) {
    out.members = g.members.map((mb) => {
      const item: Json = { value: mb.value };
      if (mb.display !== null) item.display = mb.display;
      item.$ref = `${base}/${mb.type === 'Group' ? 'Groups' : 'Users'}/${mb.value}`;
      item.type = mb.type;
      return item;
    });
  }
  return out;
}

/**
 * RFC 7644 §3.9 `attributes` / `excludedAttributes` on an already serialised resource.
 * `id` and `schemas` are always returned. Paths are case-insensitive; a value filter inside a
 * path (`emails[type eq "work"]`, sent by the Microsoft suite) selects the attribute.
 */
export function project(resource: Json, attributes?: string[], excluded?: string[]): Json {
  if (!attributes?.length && !excluded?.length) return resource;
  const paths = (list: string[]) => list.map(parseProjectionPath);
  if (attributes?.length) {
    const out: Json = { schemas: resource.schemas, id: resource.id };
    for (const p of paths(attributes)) copyPath(resource, out, p);
    // Keep the resource's key order.
    return Object.fromEntries(Object.keys(resource).filter((k) => k in out).map((k) => [k, out[k]]));
  }
  const out: Json = structuredClone(resource);
  for (const p of paths(excluded!)) removePath(out, p);
  return out;
}

interface ProjectionPath { ext?: string; attr: string; sub?: string }

function parseProjectionPath(raw: string): ProjectionPath {
  const text = raw.trim().replace(/\[[^\]]*\]/g, '');
  const lower = text.toLowerCase();
  for (const ext of [URN.enterprise, URN.tableau, URN.user, URN.group]) {
    const e = ext.toLowerCase();
    if (lower === e) return { ext, attr: '' };
    if (lower.startsWith(`${e}:`)) {
      const [attr, sub] = text.slice(ext.length + 1).split('.');
      return ext === URN.user || ext === URN.group ? { attr, sub } : { ext, attr, sub };
    }
  }
  const [attr, sub] = text.split('.');
  return { attr, sub };
}

const keyOf = (obj: Json, name: string) => Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());

function pickSub(value: unknown, sub: string): unknown {
  const one = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return undefined;
    const k = keyOf(v as Json, sub);
    return k === undefined ? undefined : { [k]: (v as Json)[k] };
  };
  if (Array.isArray(value)) {
    const items = value.map(one).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  return one(value);
}

function copyPath(src: Json, dst: Json, p: ProjectionPath) {
  let from = src;
  let to = dst;
  if (p.ext) {
    if (!(p.ext in src)) return;
    from = src[p.ext] as Json;
    if (!p.attr) { dst[p.ext] = from; return; }
    to = (dst[p.ext] as Json | undefined) ?? (dst[p.ext] = {}) as Json;
  }
  const k = keyOf(from, p.attr);
  if (k === undefined) return;
  if (!p.sub) { to[k] = from[k]; return; }
  const picked = pickSub(from[k], p.sub);
  if (picked === undefined) return;
  if (Array.isArray(picked)) to[k] = picked;
  else to[k] = { ...(to[k] as Json | undefined), ...(picked as Json) };
}

function removePath(obj: Json, p: ProjectionPath) {
  let target = obj;
  if (p.ext) {
    if (!p.attr) { delete obj[p.ext]; return; }
    target = obj[p.ext] as Json;
    if (!target) return;
  }
  const k = keyOf(target, p.attr);
  if (k === undefined || k === 'id' || k === 'schemas') return;
  if (!p.sub) { delete target[k]; return; }
  const strip = (v: unknown) => { if (v && typeof v === 'object') { const sk = keyOf(v as Json, p.sub!); if (sk) delete (v as Json)[sk]; } };
  if (Array.isArray(target[k])) (target[k] as unknown[]).forEach(strip); else strip(target[k]);
}

/** Whether the projection needs members at all (`excludedAttributes=members` never loads them). */
export function wantsMembers(attributes?: string[], excluded?: string[]): boolean {
  const named = (list: string[] | undefined) => (list ?? []).some((a) => /^(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\W|$)/i.test(a.trim()));
  if (attributes?.length) return named(attributes);
  return !named(excluded);
}
