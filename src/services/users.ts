import { randomUUID } from 'node:crypto';
import { AppError, notFound } from '../domain/errors.js';
import { tierOf, type SiteRole } from '../domain/site-roles.js';
import type { MembershipRecord, SiteUser, UserInput, UserRecord } from '../domain/types.js';
import type { SiteWriter, Store } from '../ports/storage.js';
import { evaluateRequestedRole, type RoleValues } from '../policy/requested-role.js';
import { auditEvent, type RequestContext } from './context.js';
import { checkIfMatch, withRetry } from './concurrency.js';

const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';

function roleSources(input: UserInput) {
  return {
    siteRoles: input.ext?.siteRoles as RoleValues,
    entitlements: input.ext?.entitlements as RoleValues,
    roles: input.data.roles as RoleValues,
  };
}

/** True when the write carries any role at all (else the current request stands). */
const carriesRole = (input: UserInput) => {
  const s = roleSources(input);
  return [s.siteRoles, s.entitlements, s.roles].some((v) => Array.isArray(v) && v.length > 0);
};

function identityOf(input: UserInput): Pick<UserRecord, 'userName' | 'externalId' | 'displayName' | 'data'> {
  const data = { ...input.data };
  delete data[TABLEAU];
  return { userName: input.userName, externalId: input.externalId, displayName: input.displayName, data };
}

/** Seat bookkeeping placeholder until the license policy lands: every licensed role holds its tier. */
function membershipRole(requested: SiteRole, active: boolean) {
  return { requestedRole: requested, siteRole: requested, licensed: active && requested !== 'Unlicensed', seatTier: active ? tierOf(requested) ?? null : null };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * SCIM user lifecycle on one site: provision, replace/patch, remove. Each call is one unit of
 * work with its audit events; concurrent writers are serialised by the store and checked by
 * the membership version (compare-and-swap), so no update is lost.
 */
export class UserService {
  constructor(private readonly store: Store) {}

  /** POST /Users. A userName known in the tenant (on another site) joins this site (SPEC §4). */
  async provision(ctx: RequestContext, input: UserInput): Promise<SiteUser> {
    const requested = evaluateRequestedRole(roleSources(input)).value.role;
    return this.store.transaction(ctx.scope, async (w) => {
      const now = ctx.now();
      let user = await w.findTenantUserByUserName(input.userName);
      if (user) {
        if (await w.findUserById(user.id)) throw new AppError('resource.uniqueness', `userName '${input.userName}' already exists`);
        user = { ...user, ...identityOf(input), updatedAt: now };
        await w.updateUser(user);
        await w.touchMembershipsOfUser(user.id, now);
      } else {
        user = { id: randomUUID(), tenantId: ctx.scope.tenantId, ...identityOf(input), createdAt: now, updatedAt: now };
        await w.insertUser(user);
      }
      const membership: MembershipRecord = {
        siteId: ctx.scope.siteId, userId: user.id, ...membershipRole(requested, input.active), active: input.active,
        authSetting: null, idpConfigId: null, source: 'scim', state: 'active', ext: input.ext,
        createdAt: now, updatedAt: now, version: 1,
      };
      await w.insertMembership(membership);
      await w.appendAudit(auditEvent(ctx, 'UserProvisioned', { type: 'User', id: user.id },
        { userName: user.userName, requestedRole: requested, siteRole: membership.siteRole, active: input.active }));
      return { user, membership };
    });
  }

  /** PUT (mutate returns the new body) and PATCH (mutate applies operations to the current resource). */
  async update(ctx: RequestContext, id: string, mutate: (current: SiteUser) => Promise<UserInput> | UserInput, ifMatch?: string): Promise<SiteUser> {
    return withRetry(() => this.store.transaction(ctx.scope, async (w) => {
      const cur = await w.findUserById(id);
      if (!cur) throw notFound('User', id);
      checkIfMatch(cur.membership.version, ifMatch);
      const input = await mutate(cur);
      return this.apply(ctx, w, cur, input);
    }));
  }

  private async apply(ctx: RequestContext, w: SiteWriter, cur: SiteUser, input: UserInput): Promise<SiteUser> {
    const now = ctx.now();
    const identity = identityOf(input);
    const renamed = identity.userName !== cur.user.userName;
    if (renamed && ctx.site.settings.allowRename === false) {
      throw new AppError('request.mutability', 'This site does not allow userName changes', { reason: 'RENAME_FORBIDDEN' });
    }
    // Echo-safe role (SPEC §5.8): sending back the role the output showed is not a new request.
    let requested = cur.membership.requestedRole;
    if (carriesRole(input)) {
      const asked = evaluateRequestedRole(roleSources(input)).value.role;
      if (asked !== cur.membership.siteRole) requested = asked;
    }
    const m: MembershipRecord = {
      ...cur.membership, ...membershipRole(requested, input.active), active: input.active, ext: input.ext,
      updatedAt: now, version: cur.membership.version + 1,
    };
    const user: UserRecord = { ...cur.user, ...identity, updatedAt: now };
    const identityChanged = renamed || !sameJson(
      [cur.user.externalId, cur.user.displayName, cur.user.data], [user.externalId, user.displayName, user.data]);
    if (!(await w.updateMembership(m, cur.membership.version))) throw new AppError('resource.conflict', 'Concurrent modification');
    if (identityChanged) {
      await w.updateUser(user);
      await w.touchMembershipsOfUser(user.id, now, ctx.scope.siteId);
    }
    const target = { type: 'User' as const, id: user.id };
    if (renamed) await w.appendAudit(auditEvent(ctx, 'UserRenamed', target, { before: cur.user.userName, after: user.userName }));
    if (m.siteRole !== cur.membership.siteRole || m.requestedRole !== cur.membership.requestedRole) {
      await w.appendAudit(auditEvent(ctx, 'SiteRoleChanged', target, {
        before: { requestedRole: cur.membership.requestedRole, siteRole: cur.membership.siteRole },
        after: { requestedRole: m.requestedRole, siteRole: m.siteRole },
      }));
    }
    if (m.active !== cur.membership.active) {
      await w.appendAudit(auditEvent(ctx, m.active ? 'LicenseGranted' : 'LicenseRevoked', target, { siteRole: m.siteRole, seatTier: cur.membership.seatTier ?? m.seatTier }));
    }
    if (identityChanged && !renamed) await w.appendAudit(auditEvent(ctx, 'UserUpdated', target, diff(cur.user, user)));
    return { user: identityChanged ? user : cur.user, membership: m };
  }

  /** DELETE /Users/{id}: removes this site's membership (and its group memberships); the identity goes with its last membership. */
  async remove(ctx: RequestContext, id: string, ifMatch?: string): Promise<void> {
    await this.store.transaction(ctx.scope, async (w) => {
      const cur = await w.findUserById(id);
      if (!cur) throw notFound('User', id);
      checkIfMatch(cur.membership.version, ifMatch);
      const groups = await w.removeUserFromGroups(id);
      await w.deleteMembership(id);
      const target = { type: 'User' as const, id };
      await w.appendAudit(auditEvent(ctx, 'MembershipRemoved', target, { userName: cur.user.userName, groups }));
      if ((await w.countMembershipsOfUser(id)) === 0) {
        await w.deleteUser(id);
        await w.appendAudit(auditEvent(ctx, 'UserDeleted', target, { userName: cur.user.userName }));
      }
    });
  }
}

/** Before/after of the identity attributes that changed (never secrets: passwords are not stored). */
function diff(before: UserRecord, after: UserRecord) {
  const b: Record<string, unknown> = { externalId: before.externalId, displayName: before.displayName, ...before.data };
  const a: Record<string, unknown> = { externalId: after.externalId, displayName: after.displayName, ...after.data };
  const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !sameJson(a[k], b[k]));
  return { before: Object.fromEntries(changed.map((k) => [k, b[k] ?? null])), after: Object.fromEntries(changed.map((k) => [k, a[k] ?? null])) };
}
