import { AppError } from '../domain/errors.js';
import type { Store } from '../ports/storage.js';
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

  async query(p: AdminPrincipal, q: Record<string, unknown>) {
    const str = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
    const limit = Math.min(1000, Math.max(1, Number(str('limit') ?? 100) || 100));
    const cursor = str('cursor');
    if (cursor !== undefined && !/^\d{1,15}$/.test(cursor)) throw new AppError('request.invalid_cursor', 'Invalid cursor');
    const siteId = p.scope === 'siteAdmin' ? p.siteId ?? undefined : str('siteId');
    const { entries, nextBefore } = await this.store.directory.findAuditEntries(p.tenantId, {
      siteId, targetId: str('userId') ?? str('targetId'), event: str('event'), reason: str('reason'), actor: str('client') ?? str('actor'),
      since: parseTime(q.since, 'since'), until: parseTime(q.until, 'until'), before: cursor === undefined ? undefined : Number(cursor), limit,
    });
    return {
      entries: entries.map(({ seq: _seq, at, ...e }) => ({ ...e, at: new Date(at).toISOString() })),
      nextCursor: nextBefore === undefined ? null : String(nextBefore),
    };
  }
}
