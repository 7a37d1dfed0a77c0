import { newId } from '../domain/ids.js';
import { AppError } from '../domain/errors.js';
import { rankOf, type SiteRole } from '../domain/site-roles.js';
import type { MembershipRecord, SitePolicyState, UserRecord } from '../domain/types.js';
import type { SiteWriter } from '../ports/storage.js';
import { evaluateSamlUserName, scimAuthSetting } from '../policy/auth-gate.js';
import { shownRole, type CloudAdminRow, type ImportMode, type SiteRow } from '../policy/csv.js';
import { evaluateCloudAdminGrant } from '../policy/limits.js';
import { RC } from '../policy/reasons.js';
import { borrowedOf } from '../policy/seats.js';
import { auditEvent, type RequestContext } from './context.js';
import { evaluateMembershipChange, freedSeat, relicenseWaiting, requestedFromRules } from './membership-policy.js';

/** What a CSV row (or one site of a TCM membership change) did to its membership. */
export type RowOutcome = 'created' | 'updated' | 'unchanged' | 'rejected';

/** The per-row report entry before it is stored compactly. */
export interface RowResult {
  outcome: RowOutcome;
  /** Effective role after the row (null for rejected and cloud-administrator rows). */
  siteRole: SiteRole | null;
  /** The role the membership now asks for (requested role, SPEC §3). */
  requested: SiteRole | null;
  /** One reason code: why the row was rejected, or what the policy did (LICENSE_EXHAUSTED, SEAT_BORROWED, PROMOTE_ONLY_KEPT). */
  reason: string | null;
  detail?: string;
}

/** An explicit role and/or authentication for one membership, from the admin (TCM dialog) or CSV channel. */
export interface MembershipRequest {
  /** Undefined: no role asked (new memberships get the rules/default role, existing ones keep theirs). */
  role?: SiteRole;
  authSetting?: string;
  mode: ImportMode;
  channel: 'csv' | 'admin';
  /** False in dry runs: waiting requests are not re-licensed on freed seats (rolled back anyway). */
  relicense: boolean;
  /** Extra audit data (e.g. the import job id). */
  tag?: Record<string, unknown>;
}

export interface MembershipResult {
  outcome: Exclude<RowOutcome, 'rejected'>;
  membership: MembershipRecord;
  reason: string | null;
}

/** The auth a site's SCIM IdP configuration gives its memberships (as `UserService.addByAdmin`). */
function scimAuthOf(state: SitePolicyState): { auth: string; configId: string | null } {
  const config = state.authConfigs.find((c) => c.id === state.scim.authConfigId);
  if (!config) return { auth: 'SAML', configId: null };
  try {
    return { auth: scimAuthSetting(config as never), configId: config.id };
  } catch {
    return { auth: 'SAML', configId: null };
  }
}

/** The seat-related reason a membership carries after a change (SPEC §5.3, §5.9). */
function seatReason(m: MembershipRecord): string | null {
  if (m.active && !m.licensed && m.requestedRole !== 'Unlicensed' && m.state === 'active') return RC.LICENSE_EXHAUSTED;
  return borrowedOf(m.siteRole, m.licensed ? m.seatTier : null) ? RC.SEAT_BORROWED : null;
}

/** A tenant-tier event (cloud administration, identities without a site). */
const tenantEvent = (...a: Parameters<typeof auditEvent>) => ({ ...auditEvent(...a), siteId: null });

/**
 * Sets one membership as an administrator asked (TCM "Site Membership" dialog, CSV row), in the
 * caller's unit of work, through the policy layer (floors, seats, audit). Existing memberships:
 * a role equal to the requested one, or to the role the membership shows (its export), is no
 * new request (echo-safe, SPEC §5.8); `promoteOnly` keeps a higher requested role (R-CSV-13);
 * otherwise the role replaces the request, downwards too (R-CSV-12), re-licensing a revoked
 * membership and re-opening a retained owner. An explicit authSetting replaces the current one.
 */
export async function applyMembershipRequest(
  ctx: RequestContext, w: SiteWriter, state: SitePolicyState, user: UserRecord, cur: MembershipRecord | undefined, req: MembershipRequest,
): Promise<MembershipResult> {
  const scim = scimAuthOf(state);
  const target = { type: 'User' as const, id: user.id };
  if (!cur) {
    const now = ctx.now();
    const requested = req.role ?? (await requestedFromRules(w, state, user, undefined)).role;
    const auth = req.authSetting ?? scim.auth;
    const blank: MembershipRecord = {
      siteId: ctx.scope.siteId, userId: user.id, requestedRole: requested, siteRole: requested, active: false, licensed: false,
      seatTier: null, authSetting: auth, idpConfigId: auth === scim.auth ? scim.configId : null, source: req.channel, state: 'active',
      ext: null, floorRole: null, manualRole: null, lastLoginAt: null, createdAt: now, updatedAt: now, version: 0,
    };
    const active = requested !== 'Unlicensed';
    const { next, events } = await evaluateMembershipChange(ctx, w, state, blank, { event: 'write', requested, active, channel: req.channel });
    await w.insertMembership(next);
    const reason = seatReason(next);
    await w.appendAudit(auditEvent(ctx, 'UserProvisioned', target, {
      userName: user.userName, requestedRole: requested, siteRole: next.siteRole, active, licensed: next.licensed, seatTier: next.seatTier,
      authSetting: auth, channel: req.channel, ...req.tag,
    }, reason === RC.LICENSE_EXHAUSTED ? reason : null));
    for (const e of events) await w.appendAudit(e);
    return { outcome: 'created', membership: next, reason };
  }

  let role = req.role;
  let kept: string | null = null;
  if (role !== undefined && (role === cur.requestedRole || role === shownRole(cur))) role = undefined;
  if (role !== undefined && req.mode === 'promoteOnly' && rankOf(role) <= rankOf(cur.requestedRole)) {
    role = undefined;
    kept = 'PROMOTE_ONLY_KEPT';
  }
  const authChanged = req.authSetting !== undefined && req.authSetting !== cur.authSetting;
  if (role === undefined && !authChanged) return { outcome: 'unchanged', membership: cur, reason: kept ?? seatReason(cur) };

  let next: MembershipRecord = { ...cur, updatedAt: ctx.now(), version: cur.version + 1 };
  let events: Awaited<ReturnType<typeof evaluateMembershipChange>>['events'] = [];
  if (role !== undefined) {
    // Asking a licensed role again for a retained owner re-admits them (they were kept only for their content).
    const base: MembershipRecord = cur.state === 'retainedOwner' && role !== 'Unlicensed' ? { ...cur, state: 'active' } : cur;
    ({ next, events } = await evaluateMembershipChange(ctx, w, state, base, {
      event: 'write', requested: role, active: role !== 'Unlicensed' ? true : undefined, channel: req.channel,
    }));
  }
  if (authChanged) next = { ...next, authSetting: req.authSetting!, idpConfigId: req.authSetting === scim.auth ? scim.configId : null };
  if (!(await w.updateMembership(next, cur.version))) throw new AppError('resource.conflict', 'Concurrent modification');
  if (authChanged) {
    await w.appendAudit(auditEvent(ctx, 'UserUpdated', target, {
      before: { authSetting: cur.authSetting }, after: { authSetting: next.authSetting }, channel: req.channel, ...req.tag,
    }));
  }
  for (const e of events) await w.appendAudit(e);
  if (req.relicense && freedSeat(cur, next)) await relicenseWaiting(ctx, w, state);
  return { outcome: 'updated', membership: next, reason: seatReason(next) };
}

/** A new tenant identity from a CSV row (R-TCM-05: an existing userName is the same identity, never a second one). */
export function newIdentity(ctx: RequestContext, row: { userName: string; displayName: string | null; email: string | null }): UserRecord {
  const now = ctx.now();
  // On Cloud the username is the sign-in email (R-REST-11); a separate email column wins.
  const primary = row.email ?? (row.userName.includes('@') ? row.userName : null);
  return {
    id: newId(), tenantId: ctx.scope.tenantId, userName: row.userName, externalId: null, displayName: row.displayName,
    data: primary ? { emails: [{ value: primary, type: 'work', primary: true }] } : {}, cloudAdmin: false, createdAt: now, updatedAt: now,
  };
}

const rejected = (reason: string, detail: string): RowResult => ({ outcome: 'rejected', siteRole: null, requested: null, reason, detail });

/**
 * One site row of a CSV file (R-CSV-09..16) in the caller's unit of work: finds or creates the
 * tenant identity, then sets the membership through {@link applyMembershipRequest}. Display
 * name and email only seed new identities (Tableau Cloud ignores them for existing users,
 * R-CSV-06; the IdP owns identity attributes).
 */
export async function applyCsvSiteRow(
  ctx: RequestContext, w: SiteWriter, state: SitePolicyState, row: SiteRow, opts: Omit<MembershipRequest, 'role' | 'authSetting'> & { authSetting?: string },
): Promise<RowResult> {
  let user = await w.findTenantUserByUserName(row.userName);
  const cur = user ? (await w.findUserById(user.id))?.membership : undefined;
  if (!user) {
    const candidate = newIdentity(ctx, row);
    const saml = evaluateSamlUserName({ samlEnforced: state.site.settings.samlEnforced === true, userName: candidate.userName, emails: candidate.data.emails as never });
    if (!saml.value.ok) return rejected(saml.reasons[0]!, 'With SAML enforced on this site, the username must be an email equal to the email column');
    await w.insertUser(candidate);
    user = candidate;
  }
  const r = await applyMembershipRequest(ctx, w, state, user, cur, { ...opts, role: row.role, authSetting: row.authSetting ?? opts.authSetting });
  return { outcome: r.outcome, siteRole: r.membership.siteRole, requested: r.membership.requestedRole, reason: r.reason };
}

/**
 * A TCM cloud-administrator row (R-CSV-07, R-TCM-03): grants the flag, creating the tenant
 * identity (without any site membership) when the user is new; the 101st is rejected with
 * CLOUD_ADMIN_LIMIT before anything is written. Import never revokes the flag.
 */
export async function applyCloudAdminRow(ctx: RequestContext, w: SiteWriter, row: CloudAdminRow, tag: Record<string, unknown>): Promise<RowResult> {
  let user = await w.findTenantUserByUserName(row.userName);
  if (user?.cloudAdmin) return { outcome: 'unchanged', siteRole: null, requested: null, reason: null };
  const d = evaluateCloudAdminGrant(await w.countCloudAdmins(), false);
  if (!d.value.allowed) return rejected(d.reasons[0]!, 'The tenant already has 100 cloud administrators (R-TCM-03)');
  const created = !user;
  if (!user) {
    user = newIdentity(ctx, row);
    await w.insertUser(user);
    await w.appendAudit(tenantEvent(ctx, 'UserProvisioned', { type: 'User', id: user.id }, { userName: user.userName, cloudAdmin: true, channel: 'csv', ...tag }));
  }
  await w.setCloudAdmin(user.id, true);
  await w.appendAudit(tenantEvent(ctx, 'CloudAdminChanged', { type: 'User', id: user.id }, { before: false, after: true, channel: 'csv', ...tag }));
  return { outcome: created ? 'created' : 'updated', siteRole: null, requested: null, reason: null };
}

export { tenantEvent };
