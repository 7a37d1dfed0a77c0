import { newId } from '../domain/ids.js';
import { AppError, notFound } from '../domain/errors.js';
import type { SiteRole } from '../domain/site-roles.js';
import type { MembershipRecord, SitePolicyState, SiteUser, UserInput, UserRecord } from '../domain/types.js';
import type { SiteWriter, Store } from '../ports/storage.js';
import { evaluateProtectedAccount, evaluateSamlUserName, scimAuthSetting } from '../policy/auth-gate.js';
import { evaluateRequestedRole, type RoleValues } from '../policy/requested-role.js';
import { checkIfMatch, withRetry } from './concurrency.js';
import { auditEvent, type RequestContext } from './context.js';
import { policyDenial, withDenialAudit } from './denials.js';
import { applyMembershipPolicy, evaluateMembershipChange, freedSeat, relicenseWaiting, requestedFromRules } from './membership-policy.js';

const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';

function roleSources(input: UserInput) {
  return { siteRoles: input.ext?.siteRoles as RoleValues, entitlements: input.ext?.entitlements as RoleValues, roles: input.data.roles as RoleValues };
}

/** The role an explicit carrier asks for (SPEC §5.1), or undefined when the write carries none. */
function carried(input: UserInput): SiteRole | undefined {
  const d = evaluateRequestedRole(roleSources(input));
  return d.value.source === 'default' ? undefined : d.value.role;
}

function identityOf(input: UserInput): Pick<UserRecord, 'userName' | 'externalId' | 'displayName' | 'data'> {
  const data = { ...input.data };
  delete data[TABLEAU];
  return { userName: input.userName, externalId: input.externalId, displayName: input.displayName, data };
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** SAML-enforced sites: userName must be the primary email (seed 004). */
function checkSamlUserName(state: SitePolicyState, input: UserInput) {
  const d = evaluateSamlUserName({ samlEnforced: state.site.settings.samlEnforced === true, userName: input.userName, emails: input.data.emails as never });
  if (!d.value.ok) throw policyDenial('policy.saml_username', d.reasons[0] ?? 'USERNAME_NOT_PRIMARY_EMAIL', 'With SAML enforced, userName must be an email equal to the primary email');
}

/** Memberships authenticated outside the SCIM IdP configuration are protected (SPEC §5.6). */
function checkProtected(state: SitePolicyState, m: MembershipRecord, action: 'deprovision' | 'roleChange' | 'licenseChange') {
  const d = evaluateProtectedAccount({
    authSetting: m.authSetting, idpConfigId: m.idpConfigId, scimConfigId: state.scim.authConfigId ?? '', action,
    allowScimOnLocalAccounts: state.site.settings.allowScimOnLocalAccounts === true,
  });
  if (!d.value.allowed) {
    throw new AppError('policy.protected_local_account', `SCIM may not ${action === 'deprovision' ? 'deprovision' : 'change the role or license of'} a membership that does not authenticate through the SCIM identity provider (PROTECTED_LOCAL_ACCOUNT)`,
      { reason: 'PROTECTED_LOCAL_ACCOUNT', policyDenial: true, data: { action, authSetting: m.authSetting } });
  }
}

/**
 * SCIM user lifecycle on one site. Every write is one unit of work through the policy layer
 * (role, floors, seats) with its audit events; concurrent writers are serialised by the store
 * and checked by the membership version, so no update is lost and no seat is counted twice.
 */
export class UserService {
  constructor(private readonly store: Store) {}

  /** POST /Users. A userName known in the tenant (on another site) joins this site (SPEC §4). */
  provision(ctx: RequestContext, input: UserInput): Promise<SiteUser> {
    return this.add(ctx, input, { channel: 'scim', requested: carried(input) });
  }

  /**
   * Admin "add users by email" (SPEC §6): the role is a manual choice; `authSetting`
   * TableauIDWithMFA makes a local break-glass account that SCIM may not deprovision.
   */
  addByAdmin(ctx: RequestContext, body: { userName: string; siteRole: SiteRole; authSetting?: string; displayName?: string }): Promise<SiteUser> {
    const input: UserInput = {
      userName: body.userName, externalId: null, displayName: body.displayName ?? null, active: body.siteRole !== 'Unlicensed',
      data: { emails: [{ value: body.userName, type: 'work', primary: true }] }, ext: null,
    };
    return this.add(ctx, input, { channel: 'admin', requested: body.siteRole, authSetting: body.authSetting });
  }

  private async add(ctx: RequestContext, input: UserInput, opts: { channel: 'scim' | 'admin'; requested?: SiteRole; authSetting?: string }): Promise<SiteUser> {
    const asked = opts.requested;
    return withDenialAudit(this.store, ctx, { type: 'User', id: null }, () => this.store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      checkSamlUserName(state, input);
      const now = ctx.now();
      let user = await w.findTenantUserByUserName(input.userName);
      if (user) {
        if (await w.findUserById(user.id)) throw new AppError('resource.uniqueness', `userName '${input.userName}' already exists`);
        user = { ...user, ...identityOf(input), updatedAt: now };
        await w.updateUser(user);
        await w.touchMembershipsOfUser(user.id, now, ctx.scope.siteId);
      } else {
        user = { id: newId(), tenantId: ctx.scope.tenantId, ...identityOf(input), cloudAdmin: false, createdAt: now, updatedAt: now };
        await w.insertUser(user);
      }
      const requested = asked ?? (await requestedFromRules(w, state, user, undefined)).role;
      // SCIM memberships authenticate through the SCIM configuration (SPEC §5.6); admin ones as asked.
      const config = state.authConfigs.find((c) => c.id === state.scim.authConfigId);
      const viaScim = opts.channel === 'scim' || !opts.authSetting || opts.authSetting === (config ? scimAuthSetting(config as never) : 'SAML');
      const blank: MembershipRecord = {
        siteId: ctx.scope.siteId, userId: user.id, requestedRole: requested, siteRole: requested, active: false, licensed: false,
        seatTier: null, authSetting: viaScim ? (config ? scimAuthSetting(config as never) : 'SAML') : opts.authSetting!,
        idpConfigId: viaScim ? config?.id ?? null : null,
        source: opts.channel, state: 'active', ext: input.ext, floorRole: null, manualRole: null, lastLoginAt: null,
        createdAt: now, updatedAt: now, version: 0,
      };
      const { next: membership, events } = await evaluateMembershipChange(ctx, w, state, blank, { event: 'write', requested, active: input.active, channel: opts.channel });
      await w.insertMembership(membership);
      await w.appendAudit(auditEvent(ctx, 'UserProvisioned', { type: 'User', id: user.id }, {
        userName: user.userName, requestedRole: requested, siteRole: membership.siteRole, active: input.active,
        licensed: membership.licensed, seatTier: membership.seatTier, channel: opts.channel,
      }, membership.active && !membership.licensed && requested !== 'Unlicensed' ? 'LICENSE_EXHAUSTED' : null));
      for (const e of events) await w.appendAudit(e);
      return { user, membership };
    }));
  }

  /** PUT (mutate returns the new body) and PATCH (mutate applies operations to the current resource). */
  async update(ctx: RequestContext, id: string, mutate: (current: SiteUser) => Promise<UserInput> | UserInput, ifMatch?: string): Promise<SiteUser> {
    return withDenialAudit(this.store, ctx, { type: 'User', id }, () => withRetry(() => this.store.transaction(ctx.scope, async (w) => {
      const cur = await w.findUserById(id);
      if (!cur) throw notFound('User', id);
      checkIfMatch(cur.membership.version, ifMatch);
      const input = await mutate(cur);
      const state = await w.findSitePolicyState();
      return this.apply(ctx, w, state, cur, input);
    })));
  }

  private async apply(ctx: RequestContext, w: SiteWriter, state: SitePolicyState, cur: SiteUser, input: UserInput): Promise<SiteUser> {
    const now = ctx.now();
    const identity = identityOf(input);
    const renamed = identity.userName !== cur.user.userName;
    if (renamed && state.site.settings.allowRename === false) {
      throw policyDenial('request.mutability', 'RENAME_FORBIDDEN', 'This site does not allow userName changes');
    }
    checkSamlUserName(state, input);
    const user: UserRecord = { ...cur.user, ...identity, updatedAt: now };
    // Echo-safe (SPEC §5.8): sending back the role the output showed is not a new request.
    let requested = carried(input);
    if (requested !== undefined && requested === cur.membership.siteRole && requested !== cur.membership.requestedRole) requested = undefined;
    if (requested === undefined && state.roleMapping) requested = (await requestedFromRules(w, state, user, cur.membership.requestedRole)).role;
    if (requested !== undefined && requested !== cur.membership.requestedRole) checkProtected(state, cur.membership, 'roleChange');
    if (input.active !== cur.membership.active) checkProtected(state, cur.membership, 'licenseChange');
    const next = await applyMembershipPolicy(ctx, w, state, cur.membership, { event: 'write', requested, active: input.active, channel: 'scim' });
    next.ext = input.ext;
    const identityChanged = renamed || !sameJson(
      [cur.user.externalId, cur.user.displayName, cur.user.data], [user.externalId, user.displayName, user.data]);
    if (!(await w.updateMembership(next, cur.membership.version))) throw new AppError('resource.conflict', 'Concurrent modification');
    if (identityChanged) {
      await w.updateUser(user);
      await w.touchMembershipsOfUser(user.id, now, ctx.scope.siteId);
    }
    const target = { type: 'User' as const, id: user.id };
    if (renamed) await w.appendAudit(auditEvent(ctx, 'UserRenamed', target, { before: cur.user.userName, after: user.userName }));
    if (identityChanged && !renamed) await w.appendAudit(auditEvent(ctx, 'UserUpdated', target, diff(cur.user, user)));
    if (freedSeat(cur.membership, next)) await relicenseWaiting(ctx, w, state);
    return { user: identityChanged ? user : cur.user, membership: next };
  }
}

/** Before/after of the identity attributes that changed (never secrets: passwords are not stored). */
function diff(before: UserRecord, after: UserRecord) {
  const b: Record<string, unknown> = { externalId: before.externalId, displayName: before.displayName, ...before.data };
  const a: Record<string, unknown> = { externalId: after.externalId, displayName: after.displayName, ...after.data };
  const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !sameJson(a[k], b[k]));
  return { before: Object.fromEntries(changed.map((k) => [k, b[k] ?? null])), after: Object.fromEntries(changed.map((k) => [k, a[k] ?? null])) };
}

export { checkProtected, identityOf };
