import type { mongo } from 'mongoose';
import type { LicenseTier, SiteRole } from '../../domain/site-roles.js';
import type {
  AuthConfigRecord, ContentItem, ContentType, GroupOfUser, LicenseScope, MembershipRecord, Site, SitePolicyState, SiteSettings,
  TenantPool, TierCapacity, TierCounts,
} from '../../domain/types.js';
import type { ReportKind, ReportMembership } from '../../ports/storage.js';
import { toMembership, type GroupDoc, type MemberDoc, type MembershipDoc } from './documents.js';
import { unique } from './errors.js';
import { MongoRepoBase, chunks, type Doc } from './repo-base.js';

/** A site document (see models.ts `sites`). */
export interface SiteDoc {
  _id: string;
  tenantId: string;
  name: string;
  contentUrl: string;
  settingsJson: string;
  createdAt: number;
  userCount: number;
  groupCount: number;
  scimEnabled: boolean;
  scimAuthConfigId: string | null;
  roleMappingJson: string | null;
  cap: TierCapacity;
  used: TierCounts;
}

export const toSite = (d: SiteDoc): Site => ({
  id: d._id, tenantId: d.tenantId, name: d.name, contentUrl: d.contentUrl, settings: JSON.parse(d.settingsJson) as SiteSettings, createdAt: d.createdAt,
});

/** A tenant pool document (see models.ts `tenantLicenses`). */
export interface TenantLicenseDoc { _id: string; scope: LicenseScope; allowBorrow?: boolean; cap?: TierCapacity; used?: TierCounts }

/** The tenant pool of a document (null when absent); `used` from the counters unless given. */
export function tenantPoolOf(d: TenantLicenseDoc | undefined, used?: TierCounts): TenantPool | null {
  if (!d) return null;
  return {
    scope: d.scope,
    capacity: { creator: d.cap?.creator ?? null, explorer: d.cap?.explorer ?? null, viewer: d.cap?.viewer ?? null },
    used: used ?? { creator: d.used?.creator ?? 0, explorer: d.used?.explorer ?? 0, viewer: d.used?.viewer ?? 0 },
    allowBorrow: d.allowBorrow !== false,
  };
}

const zero = (): TierCounts => ({ creator: 0, explorer: 0, viewer: 0 });
const OWN_TIER: Record<string, string> = {
  SiteAdministratorCreator: 'creator', Creator: 'creator', SiteAdministratorExplorer: 'explorer',
  ExplorerCanPublish: 'explorer', Explorer: 'explorer', Viewer: 'viewer',
};

/** Site configuration, license pool, content and tenant-wide membership reads of one bound site. */
export abstract class MongoSiteConfigRepository extends MongoRepoBase {
  async findSitePolicyState(): Promise<SitePolicyState> {
    const d = await this.one<SiteDoc>('sites', { _id: this.scope.siteId, tenantId: this.scope.tenantId });
    if (!d) throw new Error(`site ${this.scope.siteId} not found`);
    const authConfigs = (await this.many<Doc>('authConfigs', { siteId: this.scope.siteId }, { sort: { createdAt: 1, _id: 1 } })).map(toAuthConfig);
    return {
      site: toSite(d), authConfigs,
      scim: { enabled: d.scimEnabled === true, authConfigId: d.scimAuthConfigId ?? null },
      capacity: { creator: d.cap?.creator ?? null, explorer: d.cap?.explorer ?? null, viewer: d.cap?.viewer ?? null },
      used: { creator: d.used?.creator ?? 0, explorer: d.used?.explorer ?? 0, viewer: d.used?.viewer ?? 0 },
      roleMapping: d.roleMappingJson ? (JSON.parse(d.roleMappingJson) as Record<string, unknown>) : null,
      tenantPool: tenantPoolOf(await this.one<TenantLicenseDoc>('tenantLicenses', { _id: this.scope.tenantId, scope: 'tenant' })),
    };
  }

  async findServerSeat(userId: string): Promise<{ seat: LicenseTier | null; otherRoles: SiteRole[] }> {
    const seat = await this.one<{ tier: LicenseTier }>('serverSeats', { _id: userId, tenantId: this.scope.tenantId });
    const others = await this.many<{ siteRole: SiteRole }>('memberships',
      { userId, tenantId: this.scope.tenantId, siteId: { $ne: this.scope.siteId }, licensed: true }, { projection: { siteRole: 1 } });
    return { seat: seat?.tier ?? null, otherRoles: others.map((m) => m.siteRole) };
  }

  async setServerSeat(userId: string, seat: LicenseTier | null, d: TierCounts): Promise<void> {
    if (seat === null) await this.remove('serverSeats', { _id: userId, tenantId: this.scope.tenantId });
    else await this.upsert('serverSeats', { _id: userId, tenantId: this.scope.tenantId }, { $set: { tier: seat } });
    if (!d.creator && !d.explorer && !d.viewer) return;
    await this.update('tenantLicenses', { _id: this.scope.tenantId }, { $inc: { 'used.creator': d.creator, 'used.explorer': d.explorer, 'used.viewer': d.viewer } });
  }

  async updateTenantPool(pool: { scope: LicenseScope; capacity: TierCapacity; allowBorrow: boolean }): Promise<void> {
    const t = this.scope.tenantId;
    const before = await this.one<TenantLicenseDoc>('tenantLicenses', { _id: t });
    await this.upsert('tenantLicenses', { _id: t }, { $set: { scope: pool.scope, allowBorrow: pool.allowBorrow, cap: pool.capacity } });
    if ((before?.scope ?? 'site') === pool.scope) return;
    await this.removeAll('serverSeats', { tenantId: t });
    const used = zero();
    if (pool.scope === 'tenant') {
      // One seat per user: the highest tier among the seats their licensed memberships hold.
      const held = await this.aggregate<{ _id: string; tiers: LicenseTier[] }>('memberships', [
        { $match: { tenantId: t, licensed: true, seatTier: { $ne: null } } },
        { $group: { _id: '$userId', tiers: { $addToSet: '$seatTier' } } },
      ]);
      const seats = held.map((h) => ({ userId: h._id, tier: (['creator', 'explorer', 'viewer'] as const).find((x) => h.tiers.includes(x))! }));
      for (const part of chunks(seats, 1000)) {
        await this.c('serverSeats').bulkWrite(part.map((s) => ({ updateOne: { filter: { _id: s.userId }, update: { $set: { tenantId: t, tier: s.tier } }, upsert: true } })) as never, this.opts);
      }
      for (const s of seats) used[s.tier] += 1;
    }
    await this.update('tenantLicenses', { _id: t }, { $set: { used } });
  }

  async adjustSeats(d: TierCounts): Promise<void> {
    if (!d.creator && !d.explorer && !d.viewer) return;
    await this.update('sites', { _id: this.scope.siteId }, { $inc: { 'used.creator': d.creator, 'used.explorer': d.explorer, 'used.viewer': d.viewer } });
  }

  async countSeats(): Promise<{ used: TierCounts; borrowed: TierCounts }> {
    const used = zero();
    const borrowed = zero();
    const rows = await this.aggregate<{ _id: { tier: keyof TierCounts; role: string }; n: number }>('memberships', [
      { $match: { siteId: this.scope.siteId, licensed: true, seatTier: { $ne: null } } },
      { $group: { _id: { tier: '$seatTier', role: '$siteRole' }, n: { $sum: 1 } } },
    ]);
    for (const r of rows) {
      used[r._id.tier] += r.n;
      if (OWN_TIER[r._id.role] !== r._id.tier) borrowed[r._id.tier] += r.n;
    }
    return { used, borrowed };
  }

  async findWaitingMemberships(limit: number): Promise<MembershipRecord[]> {
    return (await this.many<MembershipDoc>('memberships', {
      siteId: this.scope.siteId, active: true, licensed: false, requestedRole: { $ne: 'Unlicensed' }, state: 'active',
    }, { sort: { updatedAt: 1, seq: 1 }, limit, projection: { s: 0 } })).map(toMembership);
  }

  /** The site's groups among `groupIds`, in creation order. */
  protected async siteGroups(groupIds: string[]): Promise<GroupDoc[]> {
    const out: GroupDoc[] = [];
    for (const ids of chunks([...new Set(groupIds)])) out.push(...await this.many<GroupDoc>('groups', { _id: { $in: ids }, siteId: this.scope.siteId }));
    return out.sort((a, b) => a.seq - b.seq);
  }

  async findGroupsOfUser(userId: string): Promise<GroupOfUser[]> {
    const rows = await this.many<MemberDoc>('members', { memberId: userId });
    return (await this.siteGroups(rows.map((r) => r.groupId))).map((g) => ({
      id: g._id, displayName: g.displayName, minimumSiteRole: (g.minimumSiteRole as GroupOfUser['minimumSiteRole']) ?? null,
      grantLicenseMode: (g.grantLicenseMode as GroupOfUser['grantLicenseMode']) ?? null,
    }));
  }

  async findMemberIdsOfGroup(groupId: string): Promise<string[]> {
    if (!(await this.one('groups', { _id: groupId, siteId: this.scope.siteId }, { projection: { _id: 1 } }))) return [];
    return (await this.many<MemberDoc>('members', { groupId }, { sort: { memberId: 1 }, projection: { memberId: 1 } })).map((r) => r.memberId);
  }

  async findOwnedContent(userId: string): Promise<ContentItem[]> {
    return (await this.many<Doc>('content', { siteId: this.scope.siteId, ownerUserId: userId }, { sort: { createdAt: 1, _id: 1 } })).map(toContent);
  }

  async insertContent(items: ContentItem[]): Promise<void> {
    for (const c of items) {
      await unique(`content id '${c.id}'`, () => this.insert('content', {
        _id: c.id, siteId: this.scope.siteId, type: c.type, name: c.name, ownerUserId: c.ownerUserId, createdAt: c.createdAt,
      }));
    }
  }

  async deleteContentOf(userId: string, types: ContentType[]): Promise<number> {
    if (!types.length) return 0;
    return this.removeAll('content', { siteId: this.scope.siteId, ownerUserId: userId, type: { $in: types } });
  }

  async transferContent(fromUserId: string, toUserId: string): Promise<number> {
    return this.updateAll('content', { siteId: this.scope.siteId, ownerUserId: fromUserId }, { $set: { ownerUserId: toUserId } });
  }

  async updateSiteSettings(settings: SiteSettings): Promise<void> {
    await this.update('sites', { _id: this.scope.siteId }, { $set: { settingsJson: JSON.stringify(settings) } });
  }

  async updateSiteScim(enabled: boolean, authConfigId: string | null): Promise<void> {
    await this.update('sites', { _id: this.scope.siteId }, { $set: { scimEnabled: enabled, scimAuthConfigId: authConfigId } });
  }

  async updateCapacity(c: TierCapacity): Promise<void> {
    await this.update('sites', { _id: this.scope.siteId }, { $set: { cap: { creator: c.creator, explorer: c.explorer, viewer: c.viewer } } });
  }

  async updateRoleMapping(rules: Record<string, unknown> | null): Promise<void> {
    await this.update('sites', { _id: this.scope.siteId }, { $set: { roleMappingJson: rules ? JSON.stringify(rules) : null } });
  }

  async insertAuthConfig(c: AuthConfigRecord): Promise<void> {
    await this.insert('authConfigs', { _id: c.id, siteId: this.scope.siteId, type: c.type, enabled: c.enabled, settingsJson: JSON.stringify(c.settings), createdAt: c.createdAt });
  }

  async setAuthConfigEnabled(id: string, enabled: boolean): Promise<void> {
    await this.update('authConfigs', { _id: id, siteId: this.scope.siteId }, { $set: { enabled } });
  }

  async findMembershipsOfUser(userId: string) {
    const docs = await this.many<MembershipDoc>('memberships', { tenantId: this.scope.tenantId, userId }, { sort: { createdAt: 1, seq: 1 }, projection: { s: 0, u: 0 } });
    const owned = await ownedCounts(this.c('content'), [userId], this.ctx.session);
    return docs.map((d) => ({ ...toMembership(d), ownedContentCount: owned.get(`${d.siteId}\u0000${d.userId}`) ?? 0 }));
  }

  async findReportMemberships(kind: ReportKind, opts: { limit: number; idleBefore?: number }): Promise<ReportMembership[]> {
    const conditions: Record<ReportKind, Doc> = {
      retainedOwner: { state: 'retainedOwner' },
      waiting: { active: true, licensed: false, requestedRole: { $ne: 'Unlicensed' }, state: 'active' },
      borrowed: {
        licensed: true,
        $or: [{ seatTier: 'creator', siteRole: { $nin: ['SiteAdministratorCreator', 'Creator'] } }, { seatTier: 'explorer', siteRole: 'Viewer' }],
      },
      idle: { licensed: true, $or: [{ lastLoginAt: null }, { lastLoginAt: { $lt: opts.idleBefore ?? Date.now() } }] },
    };
    const docs = await this.many<MembershipDoc>('memberships', { siteId: this.scope.siteId, ...conditions[kind] },
      { sort: { updatedAt: 1, seq: 1 }, limit: opts.limit, projection: { s: 0 } });
    const owned = await ownedCounts(this.c('content'), docs.map((d) => d.userId), this.ctx.session);
    return docs.map((d) => ({ ...toMembership(d), userName: d.u.userName, ownedContentCount: owned.get(`${d.siteId}\u0000${d.userId}`) ?? 0 }));
  }

  async setCloudAdmin(userId: string, flag: boolean): Promise<void> {
    await this.update('users', { _id: userId, tenantId: this.scope.tenantId }, { $set: { cloudAdmin: flag } });
    await this.updateAll('memberships', { userId, tenantId: this.scope.tenantId }, { $set: { 'u.cloudAdmin': flag } });
  }

  async countCloudAdmins(): Promise<number> {
    return this.count('users', { tenantId: this.scope.tenantId, cloudAdmin: true });
  }
}

/** Owned content per (site, user) for the given users, keyed `site\0user` (bulk, like the SQL subquery). */
export async function ownedCounts(content: mongo.Collection, userIds: string[], session?: mongo.ClientSession): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const ids of chunks(userIds)) {
    const rows = await content.aggregate<{ _id: { s: string; u: string }; n: number }>(
      [{ $match: { ownerUserId: { $in: ids } } }, { $group: { _id: { s: '$siteId', u: '$ownerUserId' }, n: { $sum: 1 } } }],
      session ? { session } : {}).toArray();
    for (const r of rows) out.set(`${r._id.s}\u0000${r._id.u}`, r.n);
  }
  return out;
}

function toAuthConfig(d: Doc): AuthConfigRecord {
  return {
    id: d._id as string, siteId: d.siteId as string, type: d.type as AuthConfigRecord['type'], enabled: d.enabled === true,
    settings: JSON.parse(d.settingsJson as string) as Record<string, unknown>, createdAt: d.createdAt as number,
  };
}

function toContent(d: Doc): ContentItem {
  return {
    id: d._id as string, siteId: d.siteId as string, type: d.type as ContentType, name: d.name as string,
    ownerUserId: d.ownerUserId as string, createdAt: d.createdAt as number,
  };
}
