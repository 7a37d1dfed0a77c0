import type { AuditEntry } from '../domain/audit.js';
import { rankOf, type SiteRole } from '../domain/site-roles.js';
import type { MembershipRecord, SitePolicyState, TierCounts, UserRecord } from '../domain/types.js';
import type { SiteWriter } from '../ports/storage.js';
import { evaluateEffectiveTarget, evaluateFloor } from '../policy/group-floor.js';
import { evaluateRequestedRole, type RoleValues } from '../policy/requested-role.js';
import { evaluateRoleMapping, type RoleMappingRules } from '../policy/role-mapping.js';
import { codeOf } from '../policy/reasons.js';
import type { Decision } from '../policy/decision.js';
import { allocateSeat, allocateServerSeat, seatDelta, type SeatOutcome } from '../policy/seats.js';
import { auditEvent, type RequestContext } from './context.js';

const TABLEAU = 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User';

/** What caused a re-evaluation of a membership (SPEC §5.1–5.3). */
export type PolicyEvent = 'write' | 'groupJoin' | 'groupExit' | 'signIn';

export interface MembershipChange {
  event: PolicyEvent;
  /** A role asked for explicitly by this write (IdP carrier, admin, CSV); undefined = none. */
  requested?: SiteRole;
  /** New license intent (SCIM `active`); undefined = unchanged. */
  active?: boolean;
  channel: 'scim' | 'admin' | 'csv' | 'system';
}

const maxRole = (a: SiteRole, b: SiteRole | null | undefined): SiteRole => (b && rankOf(b) > rankOf(a) ? b : a);

/** The SCIM-ish view of a user that role-mapping conditions read. */
export function resourceOf(user: UserRecord): Record<string, unknown> {
  return { ...user.data, userName: user.userName, externalId: user.externalId ?? undefined, displayName: user.displayName ?? undefined };
}

/**
 * The requested role when a write carries no explicit role: the site's role-mapping rules
 * (re-evaluated on every write and group change), else the current request (or the site
 * default for a new membership). Explicit carriers are evaluated by the caller first.
 */
export async function requestedFromRules(w: SiteWriter, state: SitePolicyState, user: UserRecord, current: SiteRole | undefined): Promise<{ role: SiteRole; reasons: readonly string[] }> {
  const fallback = current ?? state.site.settings.defaultSiteRole ?? 'Unlicensed';
  const rules = state.roleMapping as RoleMappingRules | null;
  if (!rules || !Array.isArray(rules.rules)) return { role: fallback, reasons: current ? [] : ['SITE_DEFAULT_ROLE'] };
  const groups = await w.findGroupsOfUser(user.id);
  const d = evaluateRoleMapping(rules, { resource: resourceOf(user), groups: groups.map((g) => ({ id: g.id, displayName: g.displayName })) });
  return d.value ? { role: d.value, reasons: d.reasons } : { role: state.site.settings.defaultSiteRole ?? 'Unlicensed', reasons: ['SITE_DEFAULT_ROLE'] };
}

/** Role carried by the stored request (Tableau extension, core roles) — used when groups change. */
export function carriedRole(m: MembershipRecord, user: UserRecord): SiteRole | undefined {
  const ext = m.ext ?? (user.data[TABLEAU] as Record<string, unknown> | undefined);
  const src = { siteRoles: ext?.siteRoles as RoleValues, entitlements: ext?.entitlements as RoleValues, roles: user.data.roles as RoleValues };
  if (![src.siteRoles, src.entitlements, src.roles].some((v) => Array.isArray(v) && v.length)) return undefined;
  const d = evaluateRequestedRole(src);
  return d.value.source === 'default' ? undefined : d.value.role;
}

/**
 * The one mechanism every channel uses to (re)compute a membership: requested role → group
 * floors → seats, with the seat counters adjusted and an audit event for every outcome that
 * differs from what was asked. Mutates `state.used` so a loop over several memberships in one
 * unit of work stays exact.
 */
export async function applyMembershipPolicy(
  ctx: RequestContext, w: SiteWriter, state: SitePolicyState, cur: MembershipRecord, change: MembershipChange,
): Promise<MembershipRecord> {
  const { next, events } = await evaluateMembershipChange(ctx, w, state, cur, change);
  for (const e of events) await w.appendAudit(e);
  return next;
}

/** As applyMembershipPolicy, but hands the audit events back for the caller to append (after its own). */
export async function evaluateMembershipChange(
  ctx: RequestContext, w: SiteWriter, state: SitePolicyState, cur: MembershipRecord, change: MembershipChange,
): Promise<{ next: MembershipRecord; events: AuditEntry[] }> {
  const settings = state.site.settings;
  const requested = change.requested ?? cur.requestedRole;
  const requestedChanged = change.requested !== undefined && change.requested !== cur.requestedRole;
  const active = change.active ?? cur.active;
  const groups = await w.findGroupsOfUser(cur.userId);
  const signedIn = change.event === 'signIn' || cur.lastLoginAt !== null;
  const floor = evaluateFloor(groups.map((g) => ({ groupId: g.id, minimumSiteRole: g.minimumSiteRole, grantLicenseMode: g.grantLicenseMode })), { signedIn });
  const target = evaluateEffectiveTarget({
    requested, floor: floor.value, previousFloor: cur.floorRole ?? undefined, event: change.event, requestedChanged,
    currentTarget: maxRole(cur.requestedRole, cur.floorRole), demoteOnGroupExit: settings.demoteOnGroupExit === true,
  });
  const seat = await takeSeat(w, state, cur, target.value.target, active);

  const next: MembershipRecord = {
    ...cur, requestedRole: requested, floorRole: target.value.floorRole ?? null, active,
    siteRole: seat.value.siteRole, licensed: seat.value.licensed, seatTier: seat.value.seatTier,
    manualRole: change.channel === 'admin' && change.requested !== undefined ? change.requested : cur.manualRole,
    lastLoginAt: change.event === 'signIn' ? ctx.now() : cur.lastLoginAt,
    updatedAt: ctx.now(), version: cur.version + 1,
  };
  const events: AuditEntry[] = [];
  const target_ = { type: 'User' as const, id: cur.userId };
  const reasons = [...floor.reasons, ...target.reasons, ...seat.reasons];
  // An IdP overwriting a role an administrator set by hand (SPEC §5.7, R-SCIM-09).
  if (change.channel !== 'admin' && requestedChanged && cur.manualRole && cur.manualRole !== requested) {
    events.push(auditEvent(ctx, 'ManualChangeOverwritten', target_, { before: cur.manualRole, after: requested, channel: change.channel }, 'OVERWROTE_MANUAL_CHANGE'));
    next.manualRole = null;
  }
  if (next.requestedRole !== cur.requestedRole || next.siteRole !== cur.siteRole) {
    events.push(auditEvent(ctx, 'SiteRoleChanged', target_, {
      before: { requestedRole: cur.requestedRole, siteRole: cur.siteRole }, after: { requestedRole: next.requestedRole, siteRole: next.siteRole },
      reasons, trigger: change.event,
    }, reasons.map(codeOf).find((c) => c !== undefined && c !== 'GROUP_FLOOR') ?? null));
  }
  if (next.active !== cur.active && next.licensed === cur.licensed && cur.version > 0) {
    // The IdP's license intent changed without a seat moving (an Unlicensed role, or no seat free).
    events.push(auditEvent(ctx, 'UserUpdated', target_, { before: { active: cur.active }, after: { active: next.active }, siteRole: next.siteRole }));
  }
  if (next.licensed !== cur.licensed) {
    events.push(auditEvent(ctx, next.licensed ? 'LicenseGranted' : 'LicenseRevoked', target_, { siteRole: next.siteRole, seatTier: next.seatTier ?? cur.seatTier }));
  }
  if (seat.reasons.includes('SEAT_BORROWED') && next.seatTier !== cur.seatTier) {
    events.push(auditEvent(ctx, 'SeatBorrowed', target_, { siteRole: target.value.target, seatTier: next.seatTier }, 'SEAT_BORROWED'));
  }
  // Already waiting for a seat and asked nothing new: no second LicenseExhausted entry per write.
  const wasWaiting = cur.active && !cur.licensed && cur.siteRole === 'Unlicensed' && cur.requestedRole !== 'Unlicensed' && cur.version > 0;
  if (seat.reasons.includes('LICENSE_EXHAUSTED') && !(wasWaiting && !requestedChanged)) {
    events.push(auditEvent(ctx, 'LicenseExhausted', target_, { requestedRole: requested, wanted: target.value.target, used: (state.tenantPool ?? state).used, capacity: (state.tenantPool ?? state).capacity, pool: state.tenantPool ? 'tenant' : 'site' }, 'LICENSE_EXHAUSTED'));
  }
  // Flag once, when a floor goes away — not again on every later write that keeps the role.
  if (target.reasons.includes('ROLE_ABOVE_ENTITLEMENT') && (change.event === 'groupExit' || cur.floorRole !== next.floorRole)) {
    events.push(auditEvent(ctx, 'RoleAboveEntitlement', target_, { siteRole: next.siteRole, requestedRole: requested, floor: floor.value ?? null }, 'ROLE_ABOVE_ENTITLEMENT'));
  }
  return { next, events };
}

const add = (a: TierCounts, d: TierCounts): TierCounts => ({ creator: a.creator + d.creator, explorer: a.explorer + d.explorer, viewer: a.viewer + d.viewer });

/**
 * The seat for one membership from the pool in force — the site's (Cloud, R-LIC-05) or the
 * tenant's (Server mode, R-LIC-04: one seat per user at their highest role across sites) —
 * with the counters moved in the same unit of work. The site's counters follow the
 * membership's seat tier in both modes. Mutates `state.used` / `state.tenantPool.used` so a
 * loop over several memberships stays exact.
 */
export async function takeSeat(w: SiteWriter, state: SitePolicyState, cur: MembershipRecord, role: SiteRole, active: boolean): Promise<Decision<SeatOutcome>> {
  const before = { seatTier: cur.licensed ? cur.seatTier : null, licensed: cur.licensed };
  const pool = state.tenantPool;
  let seat: Decision<SeatOutcome>;
  if (!pool) {
    seat = allocateSeat({ role, active, current: before, capacity: state.capacity, used: state.used, allowBorrow: state.site.settings.allowSeatBorrowing !== false });
  } else {
    const held = await w.findServerSeat(cur.userId);
    const d = allocateServerSeat({
      role, active, licensed: before.licensed, userSeat: held.seat, otherRoles: held.otherRoles,
      capacity: pool.capacity, used: pool.used, allowBorrow: pool.allowBorrow,
    });
    seat = d;
    const userSeat = d.value.userSeat;
    if (userSeat !== held.seat) {
      const delta = seatDelta(held.seat, userSeat);
      await w.setServerSeat(cur.userId, userSeat, delta);
      pool.used = add(pool.used, delta);
    }
  }
  const delta = seatDelta(before.seatTier, seat.value.seatTier);
  await w.adjustSeats(delta);
  state.used = add(state.used, delta);
  return seat;
}

/** SPEC §5.3: with "re-license on free seat", waiting requests take freed seats, oldest first. */
export async function relicenseWaiting(ctx: RequestContext, w: SiteWriter, state: SitePolicyState): Promise<number> {
  if (state.site.settings.relicenseOnFreeSeat !== true) return 0;
  let licensed = 0;
  for (const m of await w.findWaitingMemberships(100)) {
    const next = await applyMembershipPolicy(ctx, w, state, m, { event: 'write', channel: 'system' });
    if (!next.licensed) break; // the oldest still has no seat: keep the queue order
    if (await w.updateMembership(next, m.version)) licensed++;
  }
  return licensed;
}

export const freedSeat = (before: MembershipRecord, after: MembershipRecord) =>
  before.licensed && (!after.licensed || after.seatTier !== before.seatTier);

export { maxRole };
