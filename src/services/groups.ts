import { newId } from '../domain/ids.js';
import { AppError, notFound } from '../domain/errors.js';
import type { GroupInput, GroupMember, GroupRecord, SitePolicyState } from '../domain/types.js';
import type { SiteWriter, Store } from '../ports/storage.js';
import { auditEvent, type RequestContext } from './context.js';
import { checkIfMatch, withRetry } from './concurrency.js';
import { applyMembershipPolicy, carriedRole, freedSeat, relicenseWaiting, requestedFromRules, type PolicyEvent } from './membership-policy.js';

/** Whether membership of this group can change anyone's role: a grant floor, or mapping rules on groups. */
function groupAffectsRoles(group: GroupRecord, state: SitePolicyState): boolean {
  if (group.minimumSiteRole && group.grantLicenseMode) return true;
  return state.roleMapping !== null && JSON.stringify(state.roleMapping).includes('"group"');
}

/**
 * Re-evaluates the memberships of users whose groups changed (SPEC §5.1–5.2: floors apply on
 * every membership change, mapping rules are re-evaluated). Returns how many changed.
 */
export async function recomputeMembers(ctx: RequestContext, w: SiteWriter, state: SitePolicyState, userIds: string[], event: PolicyEvent): Promise<number> {
  let changed = 0;
  let freed = false;
  for (const id of userIds) {
    const su = await w.findUserById(id);
    if (!su) continue;
    const requested = carriedRole(su.membership, su.user) ?? (state.roleMapping ? (await requestedFromRules(w, state, su.user, su.membership.requestedRole)).role : undefined);
    const next = await applyMembershipPolicy(ctx, w, state, su.membership, { event, requested, channel: 'system' });
    if (next.siteRole === su.membership.siteRole && next.requestedRole === su.membership.requestedRole && next.licensed === su.membership.licensed && next.floorRole === su.membership.floorRole) continue;
    if (!(await w.updateMembership(next, su.membership.version))) throw new AppError('resource.conflict', 'Concurrent modification');
    freed ||= freedSeat(su.membership, next);
    changed++;
  }
  if (freed) await relicenseWaiting(ctx, w, state);
  return changed;
}

/** One group change of a PATCH, already parsed by the SCIM layer. */
export type GroupChange =
  | { kind: 'addMembers'; members: GroupMember[] }
  | { kind: 'removeMembers'; ids: string[] | 'all' }
  | { kind: 'replaceMembers'; members: GroupMember[] }
  | { kind: 'set'; displayName?: string; externalId?: string | null };

/**
 * Groups of one site. Membership changes are statements on the membership table (INSERT OR
 * IGNORE / DELETE): adding one member costs the same on a 100,000-member group as on an empty
 * one, and the group document is never loaded, patched and written back (SPEC §4).
 */
export class GroupService {
  constructor(private readonly store: Store) {}

  async create(ctx: RequestContext, input: GroupInput): Promise<GroupRecord> {
    return this.store.transaction(ctx.scope, async (w) => {
      const now = ctx.now();
      const group: GroupRecord = {
        id: newId(), siteId: ctx.scope.siteId, displayName: input.displayName, externalId: input.externalId,
        minimumSiteRole: null, grantLicenseMode: null, memberCount: 0, createdAt: now, updatedAt: now, version: 1,
      };
      await w.insertGroup(group);
      await w.appendAudit(auditEvent(ctx, 'GroupCreated', { type: 'Group', id: group.id }, { displayName: group.displayName, externalId: group.externalId }));
      if (input.members?.length) {
        const added = await this.addMembers(ctx, w, group, input.members);
        group.memberCount = added.length;
        const state = await w.findSitePolicyState();
        if (groupAffectsRoles(group, state)) await recomputeMembers(ctx, w, state, added, 'groupJoin');
      }
      return group;
    });
  }

  /** PUT: displayName/externalId replaced, members set to exactly the given list (as a diff). */
  async replace(ctx: RequestContext, id: string, input: GroupInput, ifMatch?: string): Promise<GroupRecord> {
    const changes: GroupChange[] = [{ kind: 'set', displayName: input.displayName, externalId: input.externalId }];
    changes.push({ kind: 'replaceMembers', members: input.members ?? [] });
    return this.change(ctx, id, changes, ifMatch);
  }

  /** PATCH: the changes apply in order, all or nothing (RFC 7644 §3.5.2). */
  async change(ctx: RequestContext, id: string, changes: GroupChange[], ifMatch?: string): Promise<GroupRecord> {
    return withRetry(() => this.store.transaction(ctx.scope, async (w) => {
      const found = await w.findGroupById(id, { members: false });
      if (!found) throw notFound('Group', id);
      const cur = found.group;
      checkIfMatch(cur.version, ifMatch);
      let next: GroupRecord = { ...cur };
      let touched = false;
      const state = await w.findSitePolicyState();
      const affects = groupAffectsRoles(cur, state);
      const joined: string[] = [];
      const left: string[] = [];
      for (const c of changes) {
        if (c.kind === 'set') {
          const displayName = c.displayName ?? next.displayName;
          const externalId = c.externalId === undefined ? next.externalId : c.externalId;
          if (displayName !== next.displayName || externalId !== next.externalId) {
            next = { ...next, displayName, externalId };
            touched = true;
          }
        } else if (c.kind === 'addMembers') {
          const added = await this.addMembers(ctx, w, next, c.members);
          joined.push(...added);
          touched = added.length > 0 || touched;
        } else if (c.kind === 'removeMembers') {
          const removed = await this.removeMembers(ctx, w, next, c.ids);
          left.push(...removed);
          touched = removed.length > 0 || touched;
        } else {
          const { added, removed } = await this.setMembers(ctx, w, next, c.members);
          joined.push(...added);
          left.push(...removed);
          touched = added.length + removed.length > 0 || touched;
        }
      }
      if (affects) {
        await recomputeMembers(ctx, w, state, left, 'groupExit');
        await recomputeMembers(ctx, w, state, joined, 'groupJoin');
      }
      if (!touched) return cur;
      next = { ...next, updatedAt: ctx.now(), version: cur.version + 1 };
      if (!(await w.updateGroup(next, cur.version))) throw new AppError('resource.conflict', 'Concurrent modification');
      if (next.displayName !== cur.displayName || next.externalId !== cur.externalId) {
        await w.appendAudit(auditEvent(ctx, 'GroupUpdated', { type: 'Group', id }, {
          before: { displayName: cur.displayName, externalId: cur.externalId },
          after: { displayName: next.displayName, externalId: next.externalId },
        }));
      }
      const after = await w.findGroupById(id, { members: false });
      return after!.group;
    }));
  }

  async remove(ctx: RequestContext, id: string, ifMatch?: string): Promise<void> {
    await this.store.transaction(ctx.scope, async (w) => {
      const found = await w.findGroupById(id, { members: false });
      if (!found) throw notFound('Group', id);
      checkIfMatch(found.group.version, ifMatch);
      const state = await w.findSitePolicyState();
      const members = groupAffectsRoles(found.group, state) ? await w.findMemberIdsOfGroup(id) : [];
      await w.deleteGroup(id);
      await recomputeMembers(ctx, w, state, members, 'groupExit');
      await w.appendAudit(auditEvent(ctx, 'GroupDeleted', { type: 'Group', id },
        { displayName: found.group.displayName, memberCount: found.group.memberCount }));
    });
  }

  /**
   * Members must be users of this site. Unknown ids are not stored (no dangling references);
   * they are skipped with the reason UNKNOWN_MEMBER_IGNORED in the audit log, because IdPs
   * (and Microsoft's suite) expect the rest of the PATCH to succeed.
   */
  private async addMembers(ctx: RequestContext, w: SiteWriter, group: GroupRecord, members: GroupMember[]): Promise<string[]> {
    const unique = [...new Map(members.map((m) => [m.value, m])).values()];
    const known = await w.findExistingUserIds(unique.map((m) => m.value));
    const valid = unique.filter((m) => known.has(m.value)).map((m) => ({ ...m, type: 'User' as const }));
    const ignored = unique.filter((m) => !known.has(m.value)).map((m) => m.value);
    const added = await w.addGroupMembers(group.id, valid);
    if (added.length) await w.appendAudit(auditEvent(ctx, 'GroupMembersAdded', { type: 'Group', id: group.id }, { members: added, count: added.length }));
    if (ignored.length) {
      await w.appendAudit(auditEvent(ctx, 'PolicyDenied', { type: 'Group', id: group.id }, { ignoredMembers: ignored.slice(0, 100), count: ignored.length }, 'UNKNOWN_MEMBER_IGNORED'));
    }
    return added;
  }

  private async removeMembers(ctx: RequestContext, w: SiteWriter, group: GroupRecord, ids: string[] | 'all'): Promise<string[]> {
    const removed = await w.removeGroupMembers(group.id, ids);
    if (removed.length) await w.appendAudit(auditEvent(ctx, 'GroupMembersRemoved', { type: 'Group', id: group.id }, { members: removed, count: removed.length }));
    return removed;
  }

  private async setMembers(ctx: RequestContext, w: SiteWriter, group: GroupRecord, members: GroupMember[]) {
    const current = (await w.findGroupById(group.id, { members: true }))?.members ?? [];
    const wanted = new Set(members.map((m) => m.value));
    const stale = current.filter((m) => !wanted.has(m.value)).map((m) => m.value);
    const removed = stale.length ? await this.removeMembers(ctx, w, group, stale) : [];
    const have = new Set(current.map((m) => m.value));
    const added = await this.addMembers(ctx, w, group, members.filter((m) => !have.has(m.value)));
    return { added, removed };
  }

  /** Admin: set the group's floor (R-GRP-04); current members are re-evaluated at once (onSync). */
  async setFloor(ctx: RequestContext, id: string, floor: Pick<GroupRecord, 'minimumSiteRole' | 'grantLicenseMode'>): Promise<GroupRecord> {
    return this.store.transaction(ctx.scope, async (w) => {
      const found = await w.findGroupById(id, { members: false });
      if (!found) throw notFound('Group', id);
      const cur = found.group;
      const next = { ...cur, ...floor, updatedAt: ctx.now(), version: cur.version + 1 };
      if (!(await w.updateGroup(next, cur.version))) throw new AppError('resource.conflict', 'Concurrent modification');
      await w.appendAudit(auditEvent(ctx, 'GroupFloorChanged', { type: 'Group', id }, {
        before: { minimumSiteRole: cur.minimumSiteRole, grantLicenseMode: cur.grantLicenseMode }, after: floor,
      }));
      const state = await w.findSitePolicyState();
      const lowered = !next.minimumSiteRole || !next.grantLicenseMode;
      await recomputeMembers(ctx, w, state, await w.findMemberIdsOfGroup(id), lowered ? 'groupExit' : 'groupJoin');
      return next;
    });
  }
}
