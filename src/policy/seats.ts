/**
 * Seat allocation against a license pool (SPEC §5.3/§5.4; R-LIC-02/04/05/07,
 * R-REST-15/17/18). Pure arithmetic: the caller supplies the counts inside the transaction
 * that will write the result, which is what makes "two requests never both take the last
 * seat" hold.
 */
import { tierOf, type LicenseTier, type SiteRole } from '../domain/site-roles.js';
import { decide, type Decision } from './decision.js';
import { RC } from './reasons.js';

/** A license tier (R-LIC-02): creator, explorer or viewer. */
export type Tier = LicenseTier;

/** Seats purchased per tier (R-LIC-07 `tier*Capacity`); `null` = never set = unlimited (SPEC §3). */
export interface Capacity { creator: number | null; explorer: number | null; viewer: number | null }

/** Seats held per tier (R-LIC-07), counting every licensed membership of the pool. */
export interface SeatUsage { creator: number; explorer: number; viewer: number }

/** Tiers cheapest first: the order in which a role looks for a seat (R-LIC-02 "at least"). */
export const TIERS: readonly LicenseTier[] = ['viewer', 'explorer', 'creator'];
const tierRank = (t: LicenseTier): number => TIERS.indexOf(t);

/** Inputs of {@link allocateSeat}. */
export interface SeatRequest {
  /** The target role (after floors). */
  role: SiteRole;
  /** License status asked for (SCIM `active`, R-SCIM-35). */
  active: boolean;
  /** What the membership holds now. */
  current: { seatTier: LicenseTier | null; licensed: boolean };
  capacity: Capacity;
  /** Seats in use, INCLUDING the one this membership holds now. */
  used: SeatUsage;
  /** Site setting (default on): a full tier may borrow a higher one (R-REST-18). */
  allowBorrow: boolean;
}

/** The seat outcome: the effective role, whether licensed and the tier actually held. */
export interface SeatOutcome { siteRole: SiteRole; licensed: boolean; seatTier: LicenseTier | null }

/**
 * Allocates a seat (R-LIC-02, R-REST-15/17/18, R-SCIM-35):
 * - `Unlicensed` role or `active=false` → no seat (`LICENSE_REVOKED` when `active=false`
 *   releases a held seat); the site role is kept.
 * - A held seat of a tier ≥ the role's tier is kept when it is the cheapest fitting tier with
 *   room, or the role's own tier is still full: no churn, also when borrowing was since
 *   turned off (`SEAT_BORROWED` still reported while it is a higher tier).
 * - Else the role's own tier if it has room (the held seat counts as released), else the
 *   cheapest higher tier with room when `allowBorrow` (`SEAT_BORROWED`), else
 *   `Unlicensed` with `LICENSE_EXHAUSTED` (the caller keeps the requested role).
 * Site-administrator ceilings (R-LIC-02) follow from the tiers: a role never takes a seat
 * below its own tier, so SiteAdministratorCreator only ever holds a creator seat and
 * SiteAdministratorExplorer at least an explorer seat.
 */
export function allocateSeat(input: SeatRequest): Decision<SeatOutcome> {
  const { role, active, current, capacity, used, allowBorrow } = input;
  const held = current.licensed ? current.seatTier : null;
  const own = tierOf(role);
  if (own === undefined || !active) {
    return decide({ siteRole: role, licensed: false, seatTier: null }, ...(held !== null && !active ? [RC.LICENSE_REVOKED] : []));
  }
  // Room per tier once this membership's own seat is handed back (it may move).
  const free = (t: LicenseTier): number => {
    const cap = capacity[t];
    if (cap === null) return Infinity;
    return cap - (used[t] - (held === t ? 1 : 0));
  };
  const fitting = TIERS.filter((t) => tierRank(t) >= tierRank(own));
  const cheapestWithRoom = fitting.find((t) => free(t) > 0);
  const seat = (t: LicenseTier): Decision<SeatOutcome> =>
    decide({ siteRole: role, licensed: true, seatTier: t }, ...(t !== own ? [RC.SEAT_BORROWED] : []));

  if (held !== null && tierRank(held) >= tierRank(own) && (held === cheapestWithRoom || free(own) <= 0)) return seat(held);
  if (free(own) > 0) return seat(own);
  // Borrow upwards only (R-REST-18): a lower tier never satisfies a role (R-LIC-02).
  const borrow = allowBorrow ? fitting.find((t) => t !== own && free(t) > 0) : undefined;
  if (borrow !== undefined) return seat(borrow);
  return decide({ siteRole: 'Unlicensed', licensed: false, seatTier: null }, RC.LICENSE_EXHAUSTED);
}

/** Change in seat usage when a membership goes from `before` to `after` (R-LIC-07 accounting). */
export function seatDelta(before: LicenseTier | null, after: LicenseTier | null): SeatUsage {
  const d: SeatUsage = { creator: 0, explorer: 0, viewer: 0 };
  if (before === after) return d;
  if (before !== null) d[before] -= 1;
  if (after !== null) d[after] += 1;
  return d;
}

/** The borrowed tier: `seatTier` when it is higher than the role's own tier, else null (R-REST-18). */
export function borrowedOf(role: SiteRole, seatTier: LicenseTier | null): LicenseTier | null {
  if (seatTier === null) return null;
  const own = tierOf(role);
  return own === undefined || tierRank(seatTier) > tierRank(own) ? seatTier : null;
}

/**
 * Server mode (R-LIC-04): one seat per user per server, of the tier of their highest role
 * across sites (Creator on one site and Viewer on two = one creator seat); null when no role
 * is licensed. On Cloud every site counts separately (R-LIC-05) and this is not used.
 */
export function serverModeSeat(roles: SiteRole[]): LicenseTier | null {
  const tiers = roles.map(tierOf).filter((t): t is LicenseTier => t !== undefined);
  return tiers.reduce<LicenseTier | null>((best, t) => (best === null || tierRank(t) > tierRank(best) ? t : best), null);
}

/** The cheapest role of a tier: what a tenant seat of that tier must satisfy. */
const ROLE_OF_TIER: Record<LicenseTier, SiteRole> = { creator: 'Creator', explorer: 'Explorer', viewer: 'Viewer' };

/** Inputs of {@link allocateServerSeat}: one membership's change against the tenant pool. */
export interface ServerSeatRequest {
  /** The target role of this membership (after floors). */
  role: SiteRole;
  /** License status asked for on this site (SCIM `active`). */
  active: boolean;
  /** Whether this membership is licensed now. */
  licensed: boolean;
  /** The tenant seat the user holds now (null = none). */
  userSeat: LicenseTier | null;
  /** Effective roles of the user's licensed memberships on the tenant's other sites. */
  otherRoles: SiteRole[];
  /** The tenant pool: capacities and seats held by users (including this user's). */
  capacity: Capacity;
  used: SeatUsage;
  allowBorrow: boolean;
}

/** The membership's outcome (its `seatTier` is its own role's tier) and the user's tenant seat after the change. */
export interface ServerSeatOutcome extends SeatOutcome { userSeat: LicenseTier | null }

/**
 * Server mode (R-LIC-04): the pool is the tenant's and the seat is the user's. The user needs
 * one seat at the highest tier among their licensed memberships; this membership is licensed
 * when that seat can be had (held, moved or borrowed as in {@link allocateSeat}, so the
 * seat moves down when the highest role goes away and the cheaper tier has room). When the
 * pool cannot raise the seat to this membership's tier, the membership waits Unlicensed with
 * `LICENSE_EXHAUSTED` and the user keeps the seat their other sites need.
 */
export function allocateServerSeat(input: ServerSeatRequest): Decision<ServerSeatOutcome> {
  const { role, active, licensed, userSeat, otherRoles, capacity, used, allowBorrow } = input;
  const own = active ? tierOf(role) : undefined;
  const userFor = (tier: LicenseTier | null): Decision<SeatOutcome> => (tier === null
    ? decide({ siteRole: 'Unlicensed', licensed: false, seatTier: null })
    : allocateSeat({ role: ROLE_OF_TIER[tier], active: true, current: { seatTier: userSeat, licensed: userSeat !== null }, capacity, used, allowBorrow }));
  const others = serverModeSeat(otherRoles);
  const seat = userFor(serverModeSeat(own === undefined ? otherRoles : [...otherRoles, role]));
  if (own !== undefined && !seat.value.licensed) {
    return decide({ siteRole: 'Unlicensed', licensed: false, seatTier: null, userSeat: userFor(others).value.seatTier }, RC.LICENSE_EXHAUSTED);
  }
  const revoked = licensed && !active ? [RC.LICENSE_REVOKED] : [];
  const borrowed = own !== undefined ? seat.reasons : [];
  return decide({ siteRole: role, licensed: own !== undefined, seatTier: own ?? null, userSeat: seat.value.seatTier }, ...revoked, ...borrowed);
}
