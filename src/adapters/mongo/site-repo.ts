import type { AuditEntry } from '../../domain/audit.js';
import { AppError } from '../../domain/errors.js';
import type { GroupMember, GroupRecord, GroupWithMembers, MembershipRecord, SiteUser, UserRecord } from '../../domain/types.js';
import type { ListQuery, Page, SiteWriter } from '../../ports/storage.js';
import { searchDocument } from '../../scim-filter/to-mongo-doc.js';
import { appendAuditDocs } from './audit-repo.js';
import {
  memberKey, membershipFields, membershipKey, toGroup, toGroupDoc, toMember, toMemberDoc, toMembershipDoc, toSiteUser, toUser,
  toUserDoc, userCopy, type GroupDoc, type MemberDoc, type MembershipDoc, type UserDoc,
} from './documents.js';
import { unique } from './errors.js';
import { listPage } from './list.js';
import { chunks } from './repo-base.js';
import { MongoSiteConfigRepository } from './site-config-repo.js';

/**
 * One site's users and groups on MongoDB. Every query carries the bound site (or tenant, for
 * the tenant-wide identity): the scope is fixed at construction, never taken per call.
 */
export class MongoSiteRepository extends MongoSiteConfigRepository implements SiteWriter {
  // ---- reads ---------------------------------------------------------------------------
  async findUserById(id: string): Promise<SiteUser | undefined> {
    const d = await this.one<MembershipDoc>('memberships', { _id: membershipKey(this.scope.siteId, id) }, { projection: { s: 0 } });
    return d && toSiteUser(d);
  }

  async findUsers(q: ListQuery): Promise<Page<SiteUser>> {
    const page = await listPage({ coll: this.c('memberships'), sites: this.c('sites'), session: this.ctx.session }, this.scope, q, 'User');
    return { ...page, items: (page.docs as unknown as MembershipDoc[]).map(toSiteUser) };
  }

  async findGroupsOfUsers(userIds: string[]) {
    const out = new Map<string, { value: string; display: string }[]>();
    const rows: MemberDoc[] = [];
    for (const ids of chunks(userIds)) rows.push(...await this.many<MemberDoc>('members', { memberId: { $in: ids } }));
    const groups = await this.siteGroups(rows.map((r) => r.groupId));
    for (const g of groups) {
      for (const r of rows) {
        if (r.groupId !== g._id) continue;
        const list = out.get(r.memberId) ?? [];
        list.push({ value: g._id, display: g.displayName });
        out.set(r.memberId, list);
      }
    }
    return out;
  }

  async findGroupById(id: string, opts: { members: boolean }): Promise<GroupWithMembers | undefined> {
    const d = await this.one<GroupDoc>('groups', { _id: id, siteId: this.scope.siteId });
    if (!d) return undefined;
    const group = toGroup(d);
    return opts.members ? { group, members: (await this.membersOf([group.id])).get(group.id) ?? [] } : { group };
  }

  async findGroups(q: ListQuery, opts: { members: boolean }): Promise<Page<GroupWithMembers>> {
    const page = await listPage({ coll: this.c('groups'), sites: this.c('sites'), session: this.ctx.session }, this.scope, q, 'Group');
    const groups = (page.docs as unknown as GroupDoc[]).map(toGroup);
    const members = opts.members ? await this.membersOf(groups.map((g) => g.id)) : undefined;
    return { ...page, items: groups.map((group) => ({ group, members: members && (members.get(group.id) ?? []) })) };
  }

  /** Members per group, ordered by member id (the SQLite primary-key order). */
  private async membersOf(groupIds: string[]): Promise<Map<string, GroupMember[]>> {
    const out = new Map<string, GroupMember[]>();
    for (const ids of chunks(groupIds)) {
      for (const d of await this.many<MemberDoc>('members', { groupId: { $in: ids } }, { sort: { groupId: 1, memberId: 1 } })) {
        const list = out.get(d.groupId) ?? [];
        list.push(toMember(d));
        out.set(d.groupId, list);
      }
    }
    return out;
  }

  // ---- tenant identity -----------------------------------------------------------------
  async findTenantUserByUserName(userName: string): Promise<UserRecord | undefined> {
    const d = await this.one<UserDoc>('users', { tenantId: this.scope.tenantId, userNameLower: userName.toLowerCase() });
    return d && toUser(d);
  }

  async findTenantUserById(id: string): Promise<UserRecord | undefined> {
    const d = await this.one<UserDoc>('users', { _id: id, tenantId: this.scope.tenantId });
    return d && toUser(d);
  }

  async insertUser(u: UserRecord): Promise<void> {
    await unique(`userName '${u.userName}'`, () => this.insert('users', { ...toUserDoc(u, this.scope.tenantId) }));
  }

  /** Updates the identity and its copy on every membership (the denormalised Users list). */
  async updateUser(u: UserRecord): Promise<void> {
    const c = userCopy(u);
    const fields = {
      userName: c.userName, userNameLower: c.userNameLower, externalId: c.externalId, displayName: c.displayName,
      displayNameLower: c.displayNameLower, dataJson: c.dataJson, updatedAt: c.updatedAt,
    };
    await unique(`userName '${u.userName}'`, () => this.update('users', { _id: u.id, tenantId: this.scope.tenantId }, { $set: fields }));
    const copy = Object.fromEntries(Object.entries(fields).map(([k, v]) => [`u.${k}`, v]));
    await this.updateAll('memberships', { userId: u.id, tenantId: this.scope.tenantId }, { $set: { ...copy, s: searchDocument(u.data) } });
  }

  async deleteUser(userId: string): Promise<void> {
    if (await this.remove('users', { _id: userId, tenantId: this.scope.tenantId })) {
      // As the SQLite foreign key's ON DELETE CASCADE (counters are the caller's business there too).
      await this.removeAll('memberships', { userId, tenantId: this.scope.tenantId });
    }
  }

  // ---- memberships ---------------------------------------------------------------------
  async insertMembership(m: MembershipRecord): Promise<void> {
    const user = await this.findTenantUserById(m.userId);
    if (!user) throw new Error(`membership of unknown user ${m.userId}`);
    const seq = await this.nextSeq('memberships');
    await unique('membership', () => this.insert('memberships', { ...toMembershipDoc(m, user, this.scope.siteId, seq) }));
    await this.update('sites', { _id: this.scope.siteId }, { $inc: { userCount: 1 } });
  }

  async updateMembership(m: MembershipRecord, expectedVersion: number): Promise<boolean> {
    const n = await this.update('memberships', { _id: membershipKey(this.scope.siteId, m.userId), version: expectedVersion }, { $set: membershipFields(m) });
    return n === 1;
  }

  async deleteMembership(userId: string): Promise<void> {
    if (await this.remove('memberships', { _id: membershipKey(this.scope.siteId, userId) })) {
      await this.update('sites', { _id: this.scope.siteId }, { $inc: { userCount: -1 } });
    }
  }

  async countMembershipsOfUser(userId: string): Promise<number> {
    return this.count('memberships', { userId });
  }

  async touchMembershipsOfUser(userId: string, at: number, exceptSiteId?: string): Promise<void> {
    await this.updateAll('memberships', { userId, tenantId: this.scope.tenantId, siteId: { $ne: exceptSiteId ?? '' } },
      { $inc: { version: 1 }, $set: { updatedAt: at } });
  }

  async findExistingUserIds(ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks(ids)) {
      for (const d of await this.many<MembershipDoc>('memberships', { siteId: this.scope.siteId, userId: { $in: chunk } }, { projection: { userId: 1 } })) found.add(d.userId);
    }
    return found;
  }

  // ---- groups --------------------------------------------------------------------------
  async insertGroup(g: GroupRecord): Promise<void> {
    const seq = await this.nextSeq('groups');
    await unique(`displayName '${g.displayName}'`, () => this.insert('groups', { ...toGroupDoc(g, this.scope.siteId, seq) }));
    await this.update('sites', { _id: this.scope.siteId }, { $inc: { groupCount: 1 } });
  }

  async updateGroup(g: GroupRecord, expectedVersion: number): Promise<boolean> {
    const n = await unique(`displayName '${g.displayName}'`, () => this.update('groups', { _id: g.id, siteId: this.scope.siteId, version: expectedVersion }, {
      $set: {
        displayName: g.displayName, displayNameLower: g.displayName.toLowerCase(), externalId: g.externalId, minimumSiteRole: g.minimumSiteRole,
        grantLicenseMode: g.grantLicenseMode, updatedAt: g.updatedAt, version: g.version,
      },
    }));
    return n === 1;
  }

  async deleteGroup(id: string): Promise<void> {
    if (await this.remove('groups', { _id: id, siteId: this.scope.siteId })) {
      await this.removeAll('members', { groupId: id });
      await this.update('sites', { _id: this.scope.siteId }, { $inc: { groupCount: -1 } });
    }
  }

  /** Upserts (insert-if-absent) in one ordered bulk write: idempotent, and O(added) on any group size. */
  async addGroupMembers(groupId: string, members: GroupMember[]): Promise<string[]> {
    if (!members.length) return [];
    const now = Date.now();
    const ops = members.map((m) => {
      const { _id, ...doc } = toMemberDoc(groupId, m, now);
      return { updateOne: { filter: { _id }, update: { $setOnInsert: doc }, upsert: true } };
    });
    const added: string[] = [];
    for (let i = 0; i < ops.length; i += 1000) {
      const r = await this.c('members').bulkWrite(ops.slice(i, i + 1000) as never, { ordered: true, ...this.opts });
      for (const index of Object.keys(r.upsertedIds).map(Number).sort((a, b) => a - b)) added.push(members[i + index]!.value);
    }
    if (added.length) await this.update('groups', { _id: groupId, siteId: this.scope.siteId }, { $inc: { memberCount: added.length } });
    return added;
  }

  async removeGroupMembers(groupId: string, ids: string[] | 'all'): Promise<string[]> {
    let removed: string[];
    if (ids === 'all') {
      removed = (await this.many<MemberDoc>('members', { groupId }, { sort: { memberId: 1 }, projection: { memberId: 1 } })).map((d) => d.memberId);
      await this.removeAll('members', { groupId });
    } else {
      const present = new Set<string>();
      for (const chunk of chunks([...new Set(ids)])) {
        for (const d of await this.many<MemberDoc>('members', { _id: { $in: chunk.map((id) => memberKey(groupId, id)) } }, { projection: { memberId: 1 } })) present.add(d.memberId);
      }
      removed = [...new Set(ids)].filter((id) => present.has(id));
      for (const chunk of chunks(removed)) await this.removeAll('members', { _id: { $in: chunk.map((id) => memberKey(groupId, id)) } });
    }
    if (removed.length) await this.update('groups', { _id: groupId, siteId: this.scope.siteId }, { $inc: { memberCount: -removed.length } });
    return removed;
  }

  async removeUserFromGroups(userId: string): Promise<string[]> {
    const rows = await this.many<MemberDoc>('members', { memberId: userId });
    const groups = (await this.siteGroups(rows.map((r) => r.groupId))).map((g) => g._id).sort();
    for (const gid of groups) await this.removeGroupMembers(gid, [userId]);
    return groups;
  }

  async forSite(siteId: string): Promise<SiteWriter> {
    if (siteId === this.scope.siteId) return this;
    // Tenant isolation: a writer is only ever handed out for a site of the bound tenant.
    if (!(await this.one('sites', { _id: siteId, tenantId: this.scope.tenantId }, { projection: { _id: 1 } }))) {
      throw new AppError('site.not_found', `Site ${siteId} not found`);
    }
    return new MongoSiteRepository(this.ctx, { tenantId: this.scope.tenantId, siteId });
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    await appendAuditDocs(this.ctx, [{ ...e, tenantId: this.scope.tenantId }]);
  }
}
