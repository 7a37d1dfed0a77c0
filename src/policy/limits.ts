/**
 * Tenant-level limits (R-TCM-03).
 */
import { decide, type Decision } from './decision.js';
import { RC } from './reasons.js';

/** At most 100 cloud administrators per tenant (R-TCM-03, seed 002). */
export const MAX_CLOUD_ADMINS = 100;

/**
 * Whether one more user may become a cloud administrator (R-TCM-03): allowed while the
 * tenant has fewer than {@link MAX_CLOUD_ADMINS} (so the 100th is granted, the 101st refused
 * with `CLOUD_ADMIN_LIMIT`). Re-granting to someone who already is one is a no-op and always
 * allowed, so an idempotent retry or CSV re-import at the limit does not fail.
 */
export function evaluateCloudAdminGrant(currentCount: number, alreadyAdmin: boolean): Decision<{ allowed: boolean }> {
  if (alreadyAdmin || currentCount < MAX_CLOUD_ADMINS) return decide({ allowed: true });
  return decide({ allowed: false }, RC.CLOUD_ADMIN_LIMIT);
}
