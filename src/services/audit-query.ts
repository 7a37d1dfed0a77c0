import { AppError } from '../domain/errors.js';
import { AUDIT_EVENTS } from '../domain/audit.js';
import type { AuditQuery, Store } from '../ports/storage.js';
import { publicEntry } from './audit-log.js';
import type { AdminPrincipal } from './admin-auth.js';

const parseTime = (v: unknown, name: string): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const t = Date.parse(String(v));
  if (Number.isNaN(t)) throw new AppError('request.invalid_value', `${name} must be an ISO 8601 date-time`);
  return t;
};

/** GET /api/v1/audit: filters of SPEC §6, newest first, cursor paging. */
export class AuditQueryService {
  constructor(private readonly store: Store) {}

  /** The filters of SPEC §6 from query parameters; a siteAdmin token only ever sees its site. */
  filters(p: AdminPrincipal, q: Record<string, unknown>): Omit<AuditQuery, 'limit' | 'before'> {
    const str = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
    const kind = str('kind');
    if (kind !== undefined && kind !== 'event' && kind !== 'request') throw new AppError('request.invalid_value', "kind must be 'event' or 'request'");
    const event = str('event');
    if (event !== undefined && !(AUDIT_EVENTS as readonly string[]).includes(event)) throw new AppError('request.invalid_value', `Unknown event '${event}'`);
    return {
      siteId: p.scope === 'siteAdmin' ? p.siteId ?? undefined : str('siteId'),
      targetId: str('userId') ?? str('groupId') ?? str('targetId'), event, reason: str('reason'), actor: str('actor'),
      client: str('client'), kind: kind as AuditQuery['kind'], since: parseTime(q.since, 'since'), until: parseTime(q.until, 'until'),
    };
  }

  async query(p: AdminPrincipal, q: Record<string, unknown>) {
    const limitText = typeof q.limit === 'string' ? q.limit : '100';
    const limit = Math.min(1000, Math.max(1, Number(limitText) || 100));
    const cursor = typeof q.cursor === 'string' && q.cursor !== '' ? q.cursor : undefined;
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new AppError('request.invalid_cursor', 'Invalid cursor');
    const { entries, nextBefore } = await this.store.directory.findAuditEntries(p.tenantId, {
      ...this.filters(p, q), before: cursor === undefined ? undefined : Number(cursor), limit,
    });
    return { entries: entries.map(publicEntry), nextCursor: nextBefore === undefined ? null : String(nextBefore) };
  }
}
