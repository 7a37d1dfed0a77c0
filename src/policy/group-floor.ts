/**
 * Group floors: a grant-enabled group's minimum site role lifts its members (SPEC §5.2;
 * R-GRP-01..08), and leaving such a group never demotes silently (R-GRP-08).
 */
import { highestRole, isSiteRole, rankOf, type SiteRole } from '../domain/site-roles.js';
import { decide, type Decision } from './decision.js';
import { qualify, RC } from './reasons.js';

/** A group as the floor policy sees it (R-GRP-04/05: role and grant mode, both nullable). */
export interface GroupGrant {
  groupId: string;
  minimumSiteRole: SiteRole | null;
  grantLicenseMode: 'onSync' | 'onLogin' | null;
}

/** What triggered the re-evaluation (SPEC §5.1–5.3). */
export type FloorEvent = 'write' | 'groupJoin' | 'groupExit' | 'signIn';

/**
 * The floor from a user's groups (R-GRP-01/04/05/07): the highest `minimumSiteRole` among
 * grant-enabled groups. `onSync` groups always count; `onLogin` groups count once the user
 * has signed in (`signedIn`: this event is a sign-in, or one happened before — R-GRP-03 says
 * the grant then persists). Groups with no mode or no role never count (R-GRP-05: the
 * minimum is NULL when the grant is off), nor does an `Unlicensed` minimum, which grants
 * nothing. Reasons: `GROUP_FLOOR`, then `GROUP_FLOOR:<groupId>` for each group at the floor.
 */
export function evaluateFloor(groups: GroupGrant[], opts: { signedIn: boolean }): Decision<SiteRole | undefined> {
  const counting = groups.filter((g) =>
    isSiteRole(g.minimumSiteRole) && g.minimumSiteRole !== 'Unlicensed'
    && (g.grantLicenseMode === 'onSync' || (g.grantLicenseMode === 'onLogin' && opts.signedIn)));
  const floor = highestRole(counting.map((g) => g.minimumSiteRole as SiteRole));
  if (floor === undefined) return decide(undefined);
  // Name the groups that set the floor (not every counting group): they explain the value.
  const setters = [...new Set(counting.filter((g) => g.minimumSiteRole === floor).map((g) => g.groupId))];
  return decide(floor, RC.GROUP_FLOOR, ...setters.map((id) => qualify(RC.GROUP_FLOOR, id)));
}

/** Inputs of {@link evaluateEffectiveTarget}. */
export interface EffectiveTargetInput {
  /** The requested role (IdP carrier, mapping rules, admin, CSV or default). */
  requested: SiteRole;
  /** The floor now in force ({@link evaluateFloor}). */
  floor: SiteRole | undefined;
  /** The floor stored after the previous evaluation (`floorRole`); used when `currentTarget` is unknown. */
  previousFloor?: SiteRole;
  event: FloorEvent;
  /** True when this write asks for a role different from the stored request (SPEC §5.8). */
  requestedChanged: boolean;
  /** The target the membership had before this event (pre-seat role). */
  currentTarget?: SiteRole;
  /** Site setting: demote when a floor goes away instead of flagging (R-GRP-08). */
  demoteOnGroupExit: boolean;
}

const above = (a: SiteRole | undefined, b: SiteRole | undefined): boolean =>
  a !== undefined && (b === undefined || rankOf(a) > rankOf(b));
const maxOf = (a: SiteRole, b: SiteRole | undefined): SiteRole => (above(b, a) ? (b as SiteRole) : a);

/**
 * The target role before seat allocation (SPEC §5.2; R-GRP-06/07/08):
 * - target = max(requested, floor): floors only promote (`GROUP_FLOOR_PROMOTION` when one did);
 * - an explicit new request (`requestedChanged`) is honoured down to the current floor;
 * - otherwise (group exit, or a write that repeats the request — but also a join or sign-in,
 *   whose lower floor must not undo an earlier kept role) a target that would fall below the
 *   current one can only fall because a floor went away: it is kept with
 *   `ROLE_ABOVE_ENTITLEMENT`, or lowered with `GROUP_EXIT_DEMOTED` when `demoteOnGroupExit`.
 * `floorRole` is the floor that stays in force: the kept (sticky) target when kept, else `floor`.
 */
export function evaluateEffectiveTarget(input: EffectiveTargetInput): Decision<{ target: SiteRole; floorRole: SiteRole | undefined }> {
  const { requested, floor, requestedChanged, demoteOnGroupExit } = input;
  const natural = maxOf(requested, floor);
  const promoted = above(floor, requested) ? [RC.GROUP_FLOOR_PROMOTION] : [];
  // Unknown current target: with an unchanged request it was max(request, previous floor).
  const current = input.currentTarget ?? (input.previousFloor ? maxOf(requested, input.previousFloor) : undefined);
  if (requestedChanged || current === undefined || !above(current, natural)) {
    return decide({ target: natural, floorRole: floor }, ...promoted);
  }
  if (demoteOnGroupExit) return decide({ target: natural, floorRole: floor }, RC.GROUP_EXIT_DEMOTED, ...promoted);
  return decide({ target: current, floorRole: current }, RC.ROLE_ABOVE_ENTITLEMENT);
}
