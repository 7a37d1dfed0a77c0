import type { SiteRole } from '../../domain/site-roles.js';
import type { TenantPool } from '../../domain/types.js';
import type { TenantReader, TenantUser, TenantUserQuery } from '../../ports/storage.js';
import { toMembership, toSiteUser, toUser, type MembershipDoc, type UserDoc } from './documents.js';
import { chunks, type Doc, type MongoContext } from './repo-base.js';
import { ownedCounts, tenantPoolOf, type TenantLicenseDoc } from './site-config-repo.js';

/**
 * Tenant-wide user reads (TCM, SPEC §6 `GET /users`), bound to one tenant. Keyset pages on the
 * user id: with a site filter the (siteId, userId) membership index drives, otherwise the
 * (tenantId, _id) user index does.
 */
export class MongoTenantRepository implements TenantReader {
  constructor(private readonly ctx: MongoContext, readonly tenantId: string) {}

  async findUsers(q: TenantUserQuery): Promise<{ items: TenantUser[]; nextAfterId?: string }> {
    const { memberships, users } = this.ctx.collections;
    let found: TenantUser['user'][];
    if (q.siteId !== undefined) {
      const filter: Doc = { siteId: q.siteId, tenantId: this.tenantId };
      if (q.siteRole) filter.siteRole = q.siteRole;
      if (q.afterId !== undefined) filter.userId = { $gt: q.afterId };
      if (q.cloudAdmin !== undefined) filter['u.cloudAdmin'] = q.cloudAdmin;
      const docs = await memberships.find(filter, { sort: { userId: 1 }, limit: q.limit + 1, projection: { s: 0 } }).toArray();
      found = (docs as unknown as MembershipDoc[]).map((d) => toSiteUser(d).user);
    } else {
      const filter: Doc = { tenantId: this.tenantId };
      if (q.afterId !== undefined) filter._id = { $gt: q.afterId };
      if (q.cloudAdmin !== undefined) filter.cloudAdmin = q.cloudAdmin;
      const pipeline: Doc[] = [{ $match: filter }, { $sort: { _id: 1 } }];
      if (q.siteRole) {
        // EXISTS (a membership of the user in this tenant with that role): index (userId, tenantId).
        pipeline.push(
          { $lookup: { from: 'memberships', let: { uid: '$_id' }, pipeline: [{ $match: { $expr: { $eq: ['$userId', '$$uid'] }, tenantId: this.tenantId, siteRole: q.siteRole } }, { $limit: 1 }, { $project: { _id: 1 } }], as: '_r' } },
          { $match: { '_r.0': { $exists: true } } },
        );
      }
      pipeline.push({ $limit: q.limit + 1 });
      found = ((await users.aggregate(pipeline).toArray()) as unknown as UserDoc[]).map(toUser);
    }
    const more = found.length > q.limit;
    if (more) found.pop();
    const byUser = await this.membershipsOf(found.map((u) => u.id));
    return { items: found.map((user) => ({ user, memberships: byUser.get(user.id) ?? [] })), nextAfterId: more ? found.at(-1)?.id : undefined };
  }

  /** Every membership of the given users on the tenant's sites, with owned-content counts. */
  private async membershipsOf(userIds: string[]): Promise<Map<string, TenantUser['memberships']>> {
    const out = new Map<string, TenantUser['memberships']>();
    const owned = await ownedCounts(this.ctx.collections.content, userIds);
    for (const ids of chunks(userIds)) {
      const docs = await this.ctx.collections.memberships.find({ tenantId: this.tenantId, userId: { $in: ids } },
        { sort: { createdAt: 1, seq: 1 }, projection: { s: 0, u: 0 } }).toArray();
      for (const d of docs as unknown as MembershipDoc[]) {
        const list = out.get(d.userId) ?? [];
        list.push({ ...toMembership(d), ownedContentCount: owned.get(`${d.siteId}\u0000${d.userId}`) ?? 0 });
        out.set(d.userId, list);
      }
    }
    return out;
  }

  async countUsersByRole(): Promise<{ siteId: string; siteRole: SiteRole; count: number }[]> {
    const rows = await this.ctx.collections.memberships.aggregate<{ _id: { siteId: string; siteRole: SiteRole }; n: number }>([
      { $match: { tenantId: this.tenantId } },
      { $group: { _id: { siteId: '$siteId', siteRole: '$siteRole' }, n: { $sum: 1 } } },
      { $sort: { '_id.siteId': 1, '_id.siteRole': 1 } },
    ]).toArray();
    return rows.map((r) => ({ siteId: r._id.siteId, siteRole: r._id.siteRole, count: r.n }));
  }

  async findTenantPool(): Promise<TenantPool> {
    const { serverSeats, tenantLicenses } = this.ctx.collections;
    const used = { creator: 0, explorer: 0, viewer: 0 };
    const rows = await serverSeats.aggregate([{ $match: { tenantId: this.tenantId } }, { $group: { _id: '$tier', n: { $sum: 1 } } }]).toArray();
    for (const r of rows as unknown as { _id: keyof typeof used; n: number }[]) used[r._id] += r.n;
    const doc = (await tenantLicenses.findOne({ _id: this.tenantId } as Doc)) as unknown as TenantLicenseDoc | null;
    return tenantPoolOf(doc ?? undefined, used) ?? { scope: 'site', capacity: { creator: null, explorer: null, viewer: null }, used, allowBorrow: true };
  }
}
