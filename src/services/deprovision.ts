import { AppError, notFound } from '../domain/errors.js';
import type { ContentItem, MembershipRecord } from '../domain/types.js';
import type { SiteWriter, Store } from '../ports/storage.js';
import { evaluateRemoval } from '../policy/deprovision.js';
import { checkIfMatch } from './concurrency.js';
import { auditEvent, type RequestContext } from './context.js';
import { withDenialAudit } from './denials.js';
import { relicenseWaiting, takeSeat } from './membership-policy.js';
import { checkProtected } from './users.js';

export interface RemovalOutcome {
  siteId: string;
  action: 'removed' | 'retained';
  /** Content that blocked removal (retained owners). */
  blocking: Pick<ContentItem, 'id' | 'type' | 'name'>[];
  /** True when the tenant identity went with its last membership. */
  userDeleted: boolean;
  transferred: number;
}

/**
 * Removal of a user from one site (SPEC §5.5, R-REST-20..28): content owners stay as
 * Unlicensed `retainedOwner` members (CONTENT_OWNER_RETAINED), others lose the membership,
 * their group memberships, subscriptions and alerts; the identity goes with its last
 * membership. `mapAssetsTo` transfers ownership first.
 */
export async function removeFromSite(
  ctx: RequestContext, w: SiteWriter, userId: string,
  opts: { channel: 'scim' | 'admin'; mapAssetsTo?: string; ifMatch?: string },
): Promise<RemovalOutcome> {
  const cur = await w.findUserById(userId);
  if (!cur) throw notFound('User', userId);
  checkIfMatch(cur.membership.version, opts.ifMatch);
  const state = await w.findSitePolicyState();
  if (opts.channel === 'scim') checkProtected(state, cur.membership, 'deprovision');
  const target = { type: 'User' as const, id: userId };
  let transferred = 0;
  if (opts.mapAssetsTo) {
    if (opts.mapAssetsTo === userId || !(await w.findUserById(opts.mapAssetsTo))) {
      throw new AppError('request.invalid_value', 'mapAssetsTo must be another member of this site');
    }
    transferred = await w.transferContent(userId, opts.mapAssetsTo);
    if (transferred) await w.appendAudit(auditEvent(ctx, 'ContentTransferred', target, { from: userId, to: opts.mapAssetsTo, count: transferred }));
  }
  const owned = await w.findOwnedContent(userId);
  const decision = evaluateRemoval({ owned: owned.map((c) => ({ id: c.id, type: c.type, name: c.name })) });
  const seatBefore = cur.membership.licensed ? cur.membership.seatTier : null;
  await takeSeat(w, state, cur.membership, 'Unlicensed', false);
  let outcome: RemovalOutcome;
  if (decision.value.action === 'retain') {
    const next: MembershipRecord = {
      ...cur.membership, siteRole: 'Unlicensed', licensed: false, seatTier: null, active: false, state: 'retainedOwner',
      updatedAt: ctx.now(), version: cur.membership.version + 1,
    };
    if (!(await w.updateMembership(next, cur.membership.version))) throw new AppError('resource.conflict', 'Concurrent modification');
    await w.appendAudit(auditEvent(ctx, 'MembershipRetainedAsOwner', target, {
      userName: cur.user.userName, before: { siteRole: cur.membership.siteRole, licensed: cur.membership.licensed },
      after: { siteRole: 'Unlicensed', state: 'retainedOwner' }, content: decision.value.blocking, channel: opts.channel,
    }, 'CONTENT_OWNER_RETAINED'));
    outcome = { siteId: ctx.scope.siteId, action: 'retained', blocking: decision.value.blocking, userDeleted: false, transferred };
  } else {
    const groups = await w.removeUserFromGroups(userId);
    const deleted = await w.deleteContentOf(userId, ['subscription', 'dataAlert']);
    await w.deleteMembership(userId);
    await w.appendAudit(auditEvent(ctx, 'MembershipRemoved', target, { userName: cur.user.userName, groups, deletedContent: deleted, channel: opts.channel }, 'MEMBERSHIP_REMOVED'));
    const last = (await w.countMembershipsOfUser(userId)) === 0;
    if (last) {
      await w.deleteUser(userId);
      await w.appendAudit(auditEvent(ctx, 'UserDeleted', target, { userName: cur.user.userName }));
    }
    outcome = { siteId: ctx.scope.siteId, action: 'removed', blocking: [], userDeleted: last, transferred };
  }
  if (seatBefore) await relicenseWaiting(ctx, w, state);
  return outcome;
}

/** SCIM DELETE /Users/{id}: 204, or 409 when the site chose Tableau's REST behaviour for owners. */
export class DeprovisionService {
  constructor(private readonly store: Store) {}

  async scimDelete(ctx: RequestContext, id: string, ifMatch?: string): Promise<RemovalOutcome> {
    const outcome = await withDenialAudit(this.store, ctx, { type: 'User', id }, () =>
      this.store.transaction(ctx.scope, (w) => removeFromSite(ctx, w, id, { channel: 'scim', ifMatch })));
    if (outcome.action === 'retained' && ctx.site.settings.deleteOwnerResponse === '409') {
      const names = outcome.blocking.slice(0, 5).map((c) => `${c.type} '${c.name}'`).join(', ');
      throw new AppError('policy.content_owner_retained',
        `The user owns content (${names}${outcome.blocking.length > 5 ? ', …' : ''}) and was demoted to Unlicensed instead of removed (CONTENT_OWNER_RETAINED)`,
        { reason: 'CONTENT_OWNER_RETAINED' });
    }
    return outcome;
  }

  /** Admin removal from one site, with optional mapAssetsTo (R-REST-20). */
  async adminRemove(ctx: RequestContext, id: string, mapAssetsTo?: string): Promise<RemovalOutcome> {
    return this.store.transaction(ctx.scope, (w) => removeFromSite(ctx, w, id, { channel: 'admin', mapAssetsTo }));
  }
}
