/**
 * Removal of a membership and the content-owner rule (SPEC §5.5; R-REST-20..28).
 */
import type { ContentType as DomainContentType } from '../domain/types.js';
import { decide, type Decision } from './decision.js';
import { RC } from './reasons.js';

/**
 * Content types a user can own on a site (SPEC §3; R-REST-21/23/25): `project`, `workbook`,
 * `view`, `datasource`, `flow`, `collection`, `dataAlert`, `subscription`, `metric`,
 * `virtualConnection`. The domain's union, so storage and policy cannot drift apart.
 */
export type ContentType = DomainContentType;

// A Record over the union makes tsc fail when the domain adds a type this list lacks.
const ALL_TYPES: Record<ContentType, true> = {
  project: true, workbook: true, view: true, datasource: true, flow: true, collection: true,
  dataAlert: true, subscription: true, metric: true, virtualConnection: true,
};

/** Every {@link ContentType}, for validation and UI lists (SPEC §3, R-REST-23). */
export const CONTENT_TYPES: readonly ContentType[] = Object.keys(ALL_TYPES) as ContentType[];

/**
 * Whether owning an item of this type blocks removal of its owner (R-REST-21/23): everything
 * but subscriptions, which stay tied to the user and are merely inert (R-REST-25). Unknown
 * types read from storage also block: keeping a user is recoverable, losing an owner is not.
 */
export const blocksRemoval = (t: ContentType): boolean => t !== 'subscription';

/** An owned item as the removal policy needs it. */
export interface OwnedItem { id: string; type: ContentType; name: string }

/** The removal outcome: what to do, what blocks it and what goes with the membership. */
export interface RemovalOutcome {
  action: 'remove' | 'retain';
  /** Items that keep the user (listed in the `CONTENT_OWNER_RETAINED` audit entry). */
  blocking: OwnedItem[];
  /** Items that do not block (subscriptions): deleted with the membership on `remove` (SPEC §5.5). */
  nonBlocking?: OwnedItem[];
}

/**
 * Decides a DELETE / admin or CSV removal on one site (R-REST-21/26/27/28, SPEC §5.5): the
 * owner of any blocking content is retained as `Unlicensed` with state `retainedOwner`
 * (`CONTENT_OWNER_RETAINED`); otherwise the membership goes (`MEMBERSHIP_REMOVED`). Called per
 * site, so a multi-site user is removed where they own nothing and kept elsewhere (R-REST-28).
 * `mapAssetsTo` (R-REST-20) is the caller's: transfer first, then call this with what is left.
 */
export function evaluateRemoval(input: { owned: OwnedItem[] }): Decision<RemovalOutcome> {
  const blocking = input.owned.filter((o) => blocksRemoval(o.type));
  const nonBlocking = input.owned.filter((o) => !blocksRemoval(o.type));
  return blocking.length > 0
    ? decide({ action: 'retain' as const, blocking, nonBlocking }, RC.CONTENT_OWNER_RETAINED)
    : decide({ action: 'remove' as const, blocking, nonBlocking }, RC.MEMBERSHIP_REMOVED);
}
