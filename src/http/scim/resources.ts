import { AppError } from '../../domain/errors.js';
import type { GroupWithMembers, SiteUser } from '../../domain/types.js';
import type { RequestContext } from '../../services/context.js';
import type { DeprovisionService } from '../../services/deprovision.js';
import type { GroupService } from '../../services/groups.js';
import type { QueryService } from '../../services/queries.js';
import type { UserService } from '../../services/users.js';
import { toGroupChanges } from './group-patch.js';
import { encodeCursor, lowerKeys, parseListRequest, splitAttributes, type ListLimits } from './list-params.js';
import { applyUserPatch, parsePatchRequest } from './patch.js';
import { URN } from './schemas.js';
import { etagOf, groupToScim, project, userToScim, wantsMembers } from './serialize.js';
import { toGroupInput, toUserInput } from './user-input.js';

type Json = Record<string, unknown>;
type Params = Record<string, unknown>;

/** One SCIM operation on /Users or /Groups, whether it came over HTTP or inside /Bulk. */
export interface ScimCall {
  method: string;
  type: 'Users' | 'Groups';
  id?: string;
  /** POST /{type}/.search */
  search?: boolean;
  body?: unknown;
  query: Params;
  ifMatch?: string;
  ifNoneMatch?: string;
}

export interface ScimReply {
  status: number;
  body?: Json;
  location?: string;
  etag?: string;
}

export interface ScimDeps {
  users: UserService;
  groups: GroupService;
  deprovision: DeprovisionService;
  queries: QueryService;
  limits: ListLimits;
  /** The store's shared commit for a run of units of work (/Bulk chunks). */
  batch<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * The SCIM resource endpoints as plain functions of (context, call): the Express router and
 * the /Bulk processor both call `handle`, so a Bulk operation behaves exactly like the
 * request it stands for.
 */
export class ScimResources {
  constructor(private readonly deps: ScimDeps) {}

  batch<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.batch(fn);
  }

  async handle(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const m = call.method.toUpperCase();
    const users = call.type === 'Users';
    if (call.search) {
      if (m !== 'POST' || call.id) throw new AppError('request.not_implemented', `${m} is not supported on /${call.type}/.search`);
      const body = (call.body && typeof call.body === 'object' ? call.body : {}) as Params;
      return users ? this.listUsers(ctx, base, body) : this.listGroups(ctx, base, body);
    }
    if (!call.id) {
      if (m === 'GET') return users ? this.listUsers(ctx, base, call.query) : this.listGroups(ctx, base, call.query);
      if (m === 'POST') return users ? this.createUser(ctx, base, call) : this.createGroup(ctx, base, call);
      throw new AppError('request.not_implemented', `${m} is not supported on /${call.type}`);
    }
    switch (m) {
      case 'GET': return users ? this.getUser(ctx, base, call) : this.getGroup(ctx, base, call);
      case 'PUT': return users ? this.putUser(ctx, base, call) : this.putGroup(ctx, base, call);
      case 'PATCH': return users ? this.patchUser(ctx, base, call) : this.patchGroup(ctx, base, call);
      case 'DELETE':
        if (users) await this.deps.deprovision.scimDelete(ctx, call.id, call.ifMatch);
        else await this.deps.groups.remove(ctx, call.id, call.ifMatch);
        return { status: 204 };
      default: throw new AppError('request.not_implemented', `${m} is not supported on /${call.type}/{id}`);
    }
  }

  // ---- users ---------------------------------------------------------------------------
  private async userReply(ctx: RequestContext, base: string, su: SiteUser, status: number, q: Params = {}): Promise<ScimReply> {
    const groups = (await this.deps.queries.groupsOfUsers(ctx, [su.user.id])).get(su.user.id);
    const p = lowerKeys(q);
    const body = project(userToScim(su, groups, base), splitAttributes(p.attributes), splitAttributes(p.excludedattributes));
    return { status, body, etag: etagOf(su.membership.version), location: `${base}/Users/${su.user.id}` };
  }

  private async listUsers(ctx: RequestContext, base: string, params: Params): Promise<ScimReply> {
    const req = parseListRequest(params, this.deps.limits);
    const page = await this.deps.queries.listUsers(ctx, req.query);
    const groups = page.items.length ? await this.deps.queries.groupsOfUsers(ctx, page.items.map((su) => su.user.id)) : new Map();
    const resources = page.items.map((su) => project(userToScim(su, groups.get(su.user.id), base), req.attributes, req.excludedAttributes));
    return { status: 200, body: listResponse(resources, page.totalResults, req.query.startIndex, req.cursor, page.nextAfter) };
  }

  private async getUser(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const su = await this.deps.queries.getUser(ctx, call.id!);
    notModified(su.membership.version, call.ifNoneMatch);
    return this.userReply(ctx, base, su, 200, call.query);
  }

  private async createUser(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const su = await this.deps.users.provision(ctx, toUserInput(call.body));
    return this.userReply(ctx, base, su, 201, call.query);
  }

  private async putUser(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const input = toUserInput(call.body);
    const su = await this.deps.users.update(ctx, call.id!, () => input, call.ifMatch);
    return this.userReply(ctx, base, su, 200, call.query);
  }

  /** 204 No Content unless the client asked for attributes (RFC 7644 §3.5.2; INTEROP §E). */
  private async patchUser(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const ops = parsePatchRequest('User', call.body);
    const su = ops.length === 0
      ? await this.deps.queries.getUser(ctx, call.id!)
      : await this.deps.users.update(ctx, call.id!, (cur) => applyUserPatch(userToScim(cur, undefined, base), ops), call.ifMatch);
    if (wantsBody(call.query)) return this.userReply(ctx, base, su, 200, call.query);
    return { status: 204, etag: etagOf(su.membership.version) };
  }

  // ---- groups --------------------------------------------------------------------------
  private groupReply(base: string, g: GroupWithMembers, status: number, q: Params = {}): ScimReply {
    const p = lowerKeys(q);
    const body = project(groupToScim(g, base), splitAttributes(p.attributes), splitAttributes(p.excludedattributes));
    return { status, body, etag: etagOf(g.group.version), location: `${base}/Groups/${g.group.id}` };
  }

  private async listGroups(ctx: RequestContext, base: string, params: Params): Promise<ScimReply> {
    const req = parseListRequest(params, this.deps.limits);
    const page = await this.deps.queries.listGroups(ctx, req.query, wantsMembers(req.attributes, req.excludedAttributes));
    const resources = page.items.map((g) => project(groupToScim(g, base), req.attributes, req.excludedAttributes));
    return { status: 200, body: listResponse(resources, page.totalResults, req.query.startIndex, req.cursor, page.nextAfter) };
  }

  private async getGroup(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const p = lowerKeys(call.query);
    const g = await this.deps.queries.getGroup(ctx, call.id!, wantsMembers(splitAttributes(p.attributes), splitAttributes(p.excludedattributes)));
    notModified(g.group.version, call.ifNoneMatch);
    return this.groupReply(base, g, 200, call.query);
  }

  private async withMembers(ctx: RequestContext, id: string, q: Params) {
    const p = lowerKeys(q);
    return this.deps.queries.getGroup(ctx, id, wantsMembers(splitAttributes(p.attributes), splitAttributes(p.excludedattributes)));
  }

  private async createGroup(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const group = await this.deps.groups.create(ctx, toGroupInput(call.body));
    return this.groupReply(base, await this.withMembers(ctx, group.id, call.query), 201, call.query);
  }

  private async putGroup(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const group = await this.deps.groups.replace(ctx, call.id!, toGroupInput(call.body), call.ifMatch);
    return this.groupReply(base, await this.withMembers(ctx, group.id, call.query), 200, call.query);
  }

  private async patchGroup(ctx: RequestContext, base: string, call: ScimCall): Promise<ScimReply> {
    const changes = toGroupChanges(parsePatchRequest('Group', call.body));
    const group = changes.length === 0
      ? (await this.deps.queries.getGroup(ctx, call.id!, false)).group
      : await this.deps.groups.change(ctx, call.id!, changes, call.ifMatch);
    if (wantsBody(call.query)) return this.groupReply(base, await this.withMembers(ctx, group.id, call.query), 200, call.query);
    return { status: 204, etag: etagOf(group.version) };
  }
}

const wantsBody = (q: Params) => {
  const p = lowerKeys(q);
  return p.attributes !== undefined || p.excludedattributes !== undefined;
};

/** RFC 7644 §3.14: If-None-Match on GET → 304 when the version still matches. */
function notModified(version: number, ifNoneMatch?: string) {
  if (!ifNoneMatch) return;
  const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(`"${version}"`)) throw new AppError('resource.not_modified', 'Not modified');
}

function listResponse(resources: Json[], totalResults: number, startIndex: number, cursor: boolean, nextAfter?: number): Json {
  const body: Json = { schemas: [URN.listResponse], totalResults, itemsPerPage: resources.length };
  if (!cursor) body.startIndex = startIndex;
  if (cursor && nextAfter !== undefined) body.nextCursor = encodeCursor(nextAfter);
  body.Resources = resources;
  return body;
}
