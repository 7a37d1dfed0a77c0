import { notFound } from '../domain/errors.js';
import type { GroupWithMembers, SiteUser } from '../domain/types.js';
import type { ListQuery, Page, Store } from '../ports/storage.js';
import type { RequestContext } from './context.js';

export type { ListQuery, Page };

/** Read side of the SCIM surface: site-scoped lookups and pages, straight from the reader. */
export class QueryService {
  constructor(private readonly store: Store) {}

  async getUser(ctx: RequestContext, id: string): Promise<SiteUser> {
    const su = await this.store.reader(ctx.scope).findUserById(id);
    if (!su) throw notFound('User', id);
    return su;
  }

  listUsers(ctx: RequestContext, q: ListQuery): Promise<Page<SiteUser>> {
    return this.store.reader(ctx.scope).findUsers(q);
  }

  groupsOfUsers(ctx: RequestContext, ids: string[]) {
    return this.store.reader(ctx.scope).findGroupsOfUsers(ids);
  }

  async getGroup(ctx: RequestContext, id: string, members: boolean): Promise<GroupWithMembers> {
    const g = await this.store.reader(ctx.scope).findGroupById(id, { members });
    if (!g) throw notFound('Group', id);
    return g;
  }

  listGroups(ctx: RequestContext, q: ListQuery, members: boolean): Promise<Page<GroupWithMembers>> {
    return this.store.reader(ctx.scope).findGroups(q, { members });
  }
}
