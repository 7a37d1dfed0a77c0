import { AppError, type ErrorCode } from '../domain/errors.js';
import type { Store } from '../ports/storage.js';
import { auditEvent, type RequestContext } from './context.js';

type Target = { type: 'User' | 'Group' | 'Site' | null; id: string | null };

/**
 * Runs a unit of work; a policy refusal thrown inside it (see `policyDenial`) rolls the change
 * back and is then recorded in its own audit entry — the refusal itself must not be lost
 * (SPEC §7) — before it reaches the client with its reason code in the detail (SPEC §5.9).
 */
export async function withDenialAudit<T>(store: Store, ctx: RequestContext, target: Target, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const details = e instanceof AppError ? e.details : undefined;
    if (e instanceof AppError && details?.policyDenial) {
      await store.transaction(ctx.scope, (w) => w.appendAudit(auditEvent(ctx, 'PolicyDenied', target,
        { code: e.code, ...(details.data as Record<string, unknown> | undefined) }, String(details.reason))));
    }
    throw e;
  }
}

/** The error to throw from inside a unit of work for a policy refusal. */
export const policyDenial = (code: ErrorCode, reason: string, message: string, data: Record<string, unknown> = {}) =>
  new AppError(code, `${message} (${reason})`, { reason, policyDenial: true, data });
