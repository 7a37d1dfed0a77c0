import { AppError, notFound } from '../domain/errors.js';
import type { SiteRole } from '../domain/site-roles.js';
import type { MembershipRecord, Site, UserRecord } from '../domain/types.js';
import type { SiteWriter, Store } from '../ports/storage.js';
import { evaluateCloudAdminGrant } from '../policy/limits.js';
import { evaluateRequestedRole } from '../policy/requested-role.js';
import { applyMembershipRequest, tenantEvent } from './csv-apply.js';
import type { RequestContext } from './context.js';
import { removeFromSite, type RemovalOutcome } from './deprovision.js';

/** Who acts at tenant level (a tenantAdmin token) and under which request. */
export interface TenantActor { tenantId: string; actor: string; requestId: string }

/** One entry of `PUT /users/{id}/site-memberships` (the TCM "Site Membership" dialog). */
export type MembershipEntry = { siteId: string; siteRole: string; authSetting?: string } | { siteId: string; remove: true };

/** The membership shape of `GET /sites/{siteId}/users/{userId}` (SPEC §6), reused tenant-wide. */
export function membershipView(m: MembershipRecord & { ownedContentCount: number }) {
  return {
    siteId: m.siteId, requestedSiteRole: m.requestedRole, siteRole: m.siteRole, licensed: m.licensed, active: m.active,
    seatTier: m.seatTier, authSetting: m.authSetting, idpConfigurationId: m.idpConfigId, source: m.source, state: m.state,
    floorRole: m.floorRole, manualRole: m.manualRole, lastLogin: m.lastLoginAt ? new Date(m.lastLoginAt).toISOString() : null,
    ownedContentCount: m.ownedContentCount,
  };
}

const userView = (u: UserRecord, ms: (MembershipRecord & { ownedContentCount: number })[]) => ({
  id: u.id, userName: u.userName, displayName: u.displayName, cloudAdmin: u.cloudAdmin, memberships: ms.map(membershipView),
});

const removalView = (o: RemovalOutcome) => ({ siteId: o.siteId, outcome: o.action, blocking: o.blocking, transferred: o.transferred });

/** A role from the API: a site role, case-insensitive; legacy names rejected with the reason (R-REST-04). */
function role(value: string): SiteRole {
  return evaluateRequestedRole({ siteRoles: [{ value }] }).value.role;
}

const CURSOR = 'u:';
const encodeCursor = (id: string) => Buffer.from(CURSOR + id).toString('base64url');
function decodeCursor(c: string): string {
  const s = Buffer.from(c, 'base64url').toString('utf8');
  if (!s.startsWith(CURSOR) || s.length < 3) throw new AppError('request.invalid_cursor', 'The cursor is not one this API issued');
  return s.slice(CURSOR.length);
}

/**
 * Tenant-wide user management (TCM, R-TCM-01..06, R-REST-26..29): users are tenant identities
 * with a membership per site. Multi-site changes run in one unit of work spanning the sites
 * (`SiteWriter.forSite`), so they commit or roll back as one; every site's change goes
 * through the same policy code (floors, seats, removal rule) and audit as a single-site one.
 */
export class TenantUserService {
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  /** `GET /users`: keyset pages ordered by user id, with every membership of each user. */
  async list(tenantId: string, q: { siteId?: string; role?: string; cloudAdmin?: boolean; cursor?: string; limit: number }) {
    if (q.siteId && !(await this.store.directory.findSiteById(tenantId, q.siteId))) throw new AppError('site.not_found', `Site ${q.siteId} not found`);
    const page = await this.store.tenantReader(tenantId).findUsers({
      siteId: q.siteId || undefined, siteRole: q.role ? role(q.role) : undefined, cloudAdmin: q.cloudAdmin,
      afterId: q.cursor ? decodeCursor(q.cursor) : undefined, limit: q.limit,
    });
    return { users: page.items.map((t) => userView(t.user, t.memberships)), nextCursor: page.nextAfterId ? encodeCursor(page.nextAfterId) : null };
  }

  /** R-TCM-06 / R-LIC-09: users per effective role, per site and for the tenant. */
  async counts(tenantId: string) {
    const [rows, sites] = [await this.store.tenantReader(tenantId).countUsersByRole(), await this.store.directory.findSites(tenantId)];
    const tenant: Record<string, number> = {};
    const perSite = new Map(sites.map((s) => [s.id, { siteId: s.id, contentUrl: s.contentUrl, total: 0, roles: {} as Record<string, number> }]));
    for (const r of rows) {
      const s = perSite.get(r.siteId);
      if (!s) continue;
      s.roles[r.siteRole] = r.count;
      s.total += r.count;
      tenant[r.siteRole] = (tenant[r.siteRole] ?? 0) + r.count;
    }
    return { tenant, sites: [...perSite.values()] };
  }

  /**
   * `PUT /users/{id}/site-memberships`: sets the listed sites in one unit of work — all or
   * nothing — and leaves the others alone (R-TCM-02). Role entries go through the policy layer
   * (channel admin); `remove` entries follow the removal rule (retained owners, R-REST-21/28);
   * `cloudAdmin` grants or revokes within the 100 cap (R-TCM-03).
   * @throws AppError (nothing changed) on an unknown site, a legacy role, the cloud-admin cap.
   */
  async setSiteMemberships(a: TenantActor, userId: string, body: { memberships: MembershipEntry[]; cloudAdmin?: boolean }) {
    const sites = await this.#sites(a.tenantId);
    const seen = new Set<string>();
    const entries = body.memberships.map((e, index) => {
      if (!sites.has(e.siteId)) throw new AppError('request.invalid_value', `memberships[${index}]: site ${e.siteId} is not a site of this tenant`, { index, siteId: e.siteId });
      if (seen.has(e.siteId)) throw new AppError('request.invalid_value', `memberships[${index}]: site ${e.siteId} is listed twice`, { index, siteId: e.siteId });
      seen.add(e.siteId);
      return 'remove' in e ? { siteId: e.siteId, remove: true as const } : { siteId: e.siteId, role: role(e.siteRole), authSetting: e.authSetting };
    });
    const first = entries[0]?.siteId ?? [...sites.keys()][0]!;
    return this.store.transaction({ tenantId: a.tenantId, siteId: first }, async (w0) => {
      let user = await w0.findTenantUserById(userId);
      if (!user) throw notFound('User', userId);
      const outcomes: Record<string, unknown>[] = [];
      // Sets first, removals last: removing the last membership deletes the identity (R-REST-26).
      for (const e of entries) {
        if ('remove' in e) continue;
        const { w, ctx } = await this.#on(w0, a, sites.get(e.siteId)!);
        const state = await w.findSitePolicyState();
        const cur = (await w.findUserById(userId))?.membership;
        const r = await applyMembershipRequest(ctx, w, state, user, cur, { role: e.role, authSetting: e.authSetting, mode: 'overwrite', channel: 'admin', relicense: true });
        outcomes.push({ siteId: e.siteId, outcome: r.outcome, siteRole: r.membership.siteRole, requestedSiteRole: r.membership.requestedRole, reason: r.reason });
      }
      if (body.cloudAdmin !== undefined && body.cloudAdmin !== user.cloudAdmin) {
        if (body.cloudAdmin && !evaluateCloudAdminGrant(await w0.countCloudAdmins(), false).value.allowed) {
          throw new AppError('tenant.cloud_admin_limit', 'A tenant has at most 100 cloud administrators (CLOUD_ADMIN_LIMIT)', { reason: 'CLOUD_ADMIN_LIMIT' });
        }
        await w0.setCloudAdmin(userId, body.cloudAdmin);
        await w0.appendAudit(tenantEvent(this.#ctx(a, sites.get(first)!), 'CloudAdminChanged', { type: 'User', id: userId }, { before: user.cloudAdmin, after: body.cloudAdmin, channel: 'admin' }));
        user = { ...user, cloudAdmin: body.cloudAdmin };
      }
      for (const e of entries) {
        if (!('remove' in e)) continue;
        const { w, ctx } = await this.#on(w0, a, sites.get(e.siteId)!);
        if (!(await w.findUserById(userId))) outcomes.push({ siteId: e.siteId, outcome: 'notMember' });
        else outcomes.push(removalView(await removeFromSite(ctx, w, userId, { channel: 'admin' })));
      }
      const remaining = await w0.findTenantUserById(userId);
      return { user: remaining ? userView(user, await w0.findMembershipsOfUser(userId)) : null, userDeleted: !remaining, outcomes };
    });
  }

  /**
   * `DELETE /users/{id}`: removal from the tenant under the multi-site rule (R-REST-27/28,
   * seed 002): gone from sites where the user owns nothing, kept as an Unlicensed retained
   * owner where they own content (cloud administration revoked); the identity goes when
   * nothing is left. `mapAssetsTo` transfers content first on every site where there is some
   * (the heir must be a member there, or nothing changes).
   */
  async remove(a: TenantActor, userId: string, mapAssetsTo?: string) {
    const sites = await this.#sites(a.tenantId);
    const home = [...sites.values()][0]!;
    return this.store.transaction({ tenantId: a.tenantId, siteId: home.id }, (w0) => this.#removeIn(w0, a, sites, home, userId, mapAssetsTo));
  }

  /**
   * Bulk removal (R-CSV-18, R-REST-29): any number of users — no 50-user limit — each in its
   * own unit of work, so one failure costs only that user. Users are named by id or userName.
   */
  async removeMany(a: TenantActor, refs: { userIds?: string[]; userNames?: string[] }, mapAssetsTo?: string) {
    const sites = await this.#sites(a.tenantId);
    const home = [...sites.values()][0]!;
    const results: Record<string, unknown>[] = [];
    const summary = { removed: 0, retained: 0, notFound: 0, failed: 0 };
    const list = [...(refs.userIds ?? []).map((id) => ({ userId: id })), ...(refs.userNames ?? []).map((n) => ({ userName: n }))];
    for (const [i, ref] of list.entries()) {
      try {
        const r = await this.store.transaction({ tenantId: a.tenantId, siteId: home.id }, async (w0) => {
          const user = 'userId' in ref ? await w0.findTenantUserById(ref.userId) : await w0.findTenantUserByUserName(ref.userName);
          if (!user) return undefined;
          return this.#removeIn(w0, a, sites, home, user.id, mapAssetsTo);
        });
        if (!r) {
          summary.notFound++;
          results.push({ ...ref, status: 'notFound' });
        } else {
          const status = r.userDeleted ? 'removed' : 'retained';
          summary[status]++;
          results.push({ ...ref, userId: r.userId, status, outcomes: r.outcomes });
        }
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        summary.failed++;
        results.push({ ...ref, status: 'failed', error: { code: e.code, message: e.message } });
      }
      if (i % 100 === 99) await new Promise((r) => setImmediate(r)); // stay responsive on long lists
    }
    return { summary, results };
  }

  async #removeIn(w0: SiteWriter, a: TenantActor, sites: Map<string, Site>, home: Site, userId: string, mapAssetsTo?: string) {
    const user = await w0.findTenantUserById(userId);
    if (!user) throw notFound('User', userId);
    if (mapAssetsTo !== undefined && (mapAssetsTo === userId || !(await w0.findTenantUserById(mapAssetsTo)))) {
      throw new AppError('request.invalid_value', 'mapAssetsTo must be another user of this tenant');
    }
    const memberships = await w0.findMembershipsOfUser(userId);
    const outcomes: RemovalOutcome[] = [];
    for (const m of memberships) {
      const { w, ctx } = await this.#on(w0, a, sites.get(m.siteId)!);
      outcomes.push(await removeFromSite(ctx, w, userId, { channel: 'admin', mapAssetsTo: m.ownedContentCount > 0 ? mapAssetsTo : undefined }));
    }
    const retained = outcomes.some((o) => o.action === 'retained');
    const tctx = this.#ctx(a, home);
    if (!memberships.length) {
      // An identity without sites (a cloud administrator only): nothing holds it.
      await w0.deleteUser(userId);
      await w0.appendAudit(tenantEvent(tctx, 'UserDeleted', { type: 'User', id: userId }, { userName: user.userName, channel: 'admin' }));
    } else if (retained && user.cloudAdmin) {
      // Removed from Tableau Cloud: a retained owner keeps its content, not cloud administration.
      await w0.setCloudAdmin(userId, false);
      await w0.appendAudit(tenantEvent(tctx, 'CloudAdminChanged', { type: 'User', id: userId }, { before: true, after: false, channel: 'admin' }));
    }
    return { userId, userName: user.userName, userDeleted: !retained, outcomes: outcomes.map(removalView) };
  }

  async #sites(tenantId: string): Promise<Map<string, Site>> {
    return new Map((await this.store.directory.findSites(tenantId)).map((s) => [s.id, s]));
  }

  #ctx(a: TenantActor, site: Site): RequestContext {
    return { scope: { tenantId: a.tenantId, siteId: site.id }, site, actor: a.actor, requestId: a.requestId, now: this.now };
  }

  async #on(w0: SiteWriter, a: TenantActor, site: Site) {
    return { w: await w0.forSite(site.id), ctx: this.#ctx(a, site) };
  }
}
