import { newId } from '../domain/ids.js';
import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import type { Scope, Site } from '../domain/types.js';

/** Who is acting, where, and under which request: passed to every service call. */
export interface RequestContext {
  readonly scope: Scope;
  readonly site: Site;
  /** e.g. `scim:<credentialId>` or `admin:<tokenId>`. */
  readonly actor: string;
  readonly requestId: string;
  readonly now: () => number;
}

/** The one constructor of audit events (SPEC §7). */
export function auditEvent(
  ctx: RequestContext,
  event: AuditEvent,
  target: { type: AuditEntry['targetType']; id: string | null },
  data: Record<string, unknown> = {},
  reason: string | null = null,
): AuditEntry {
  return {
    id: newId(), tenantId: ctx.scope.tenantId, siteId: ctx.scope.siteId, at: ctx.now(), kind: 'event', event,
    actor: ctx.actor, targetType: target.type, targetId: target.id, reason, requestId: ctx.requestId, data,
  };
}
