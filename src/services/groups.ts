import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../domain/errors.js';
import type { GroupInput, GroupMember, GroupRecord } from '../domain/types.js';
import type { SiteWriter, Store } from '../ports/storage.js';
import { auditEvent, type RequestContext } from './context.js';
import { checkIfMatch, withRetry } from './concurrency.js';

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
        id: randomUUID(), siteId: ctx.scope.siteId, displayName: input.displayName, externalId: input.externalId,
        minimumSiteRole: null, grantLicenseMode: null, memberCount: 0, createdAt: now, updatedAt: now, version: 1,
      };
      await w.insertGroup(group);
      await w.appendAudit(auditEvent(ctx, 'GroupCreated', { type: 'Group', id: group.id }, { displayName: group.displayName, externalId: group.externalId }));
      if (input.members?.length) group.memberCount = (await this.addMembers(ctx, w, group, input.members)).length;
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
      for (const c of changes) {
        if (c.kind === 'set') {
          const displayName = c.displayName ?? next.displayName;
          const externalId = c.externalId === undefined ? next.externalId : c.externalId;
          if (displayName !== next.displayName || externalId !== next.externalId) {
            next = { ...next, displayName, externalId };
            touched = true;
          }
        } else if (c.kind === 'addMembers') {
          touched = (await this.addMembers(ctx, w, next, c.members)).length > 0 || touched;
        } else if (c.kind === 'removeMembers') {
          touched = (await this.removeMembers(ctx, w, next, c.ids)).length > 0 || touched;
        } else {
          touched = (await this.setMembers(ctx, w, next, c.members)) || touched;
        }
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
      await w.deleteGroup(id);
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

  private async setMembers(ctx: RequestContext, w: SiteWriter, group: GroupRecord, members: GroupMember[]): Promise<boolean> {
    const current = (await w.findGroupById(group.id, { members: true }))?.members ?? [];
    const wanted = new Set(members.map((m) => m.value));
    const stale = current.filter((m) => !wanted.has(m.value)).map((m) => m.value);
    const removed = stale.length ? await this.removeMembers(ctx, w, group, stale) : [];
    const have = new Set(current.map((m) => m.value));
    const added = await this.addMembers(ctx, w, group, members.filter((m) => !have.has(m.value)));
    return removed.length + added.length > 0;
  }
}
