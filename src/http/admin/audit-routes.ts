import type { Request, Response } from 'express';
import { AppError } from '../../domain/errors.js';
import type { AdminPrincipal, AdminScope } from '../../services/admin-auth.js';
import type { AuditLogService } from '../../services/audit-log.js';
import type { AuditQueryService } from '../../services/audit-query.js';
import type { ReportsService } from '../../services/reports.js';
import { writeChunk } from './write-chunk.js';
import type { Site } from '../../domain/types.js';

export type RouteFn = (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, scopes: AdminScope[],
  fn: (req: Request, res: Response, p: AdminPrincipal) => Promise<unknown>, status?: number) => void;

export interface AuditRouteDeps {
  audit: AuditQueryService;
  auditLog: AuditLogService;
  reports: ReportsService;
  listSites: (tenantId: string) => Promise<Site[]>;
}

const ALL: AdminScope[] = ['tenantAdmin', 'siteAdmin', 'auditor'];
const intParam = (v: unknown, dflt: number, max: number) => {
  const n = Number(v ?? dflt);
  if (!Number.isInteger(n) || n < 1) throw new AppError('request.invalid_value', 'Expected a positive integer');
  return Math.min(n, max);
};

/** /audit (query, export, verify, purge) and /reports (SPEC §6, §7). */
export function auditRoutes(route: RouteFn, deps: AuditRouteDeps) {
  const sitesOf = async (p: AdminPrincipal, q: Record<string, unknown>) => {
    const all = await deps.listSites(p.tenantId);
    const wanted = p.scope === 'siteAdmin' ? p.siteId : typeof q.siteId === 'string' && q.siteId ? q.siteId : undefined;
    return wanted ? all.filter((s) => s.id === wanted) : all;
  };

  route('get', '/audit', ALL, async (req, _res, p) => deps.audit.query(p, req.query as Record<string, unknown>));
  route('get', '/audit/verify', ['tenantAdmin', 'auditor'], async (_req, _res, p) => deps.auditLog.verify(p.tenantId));
  route('get', '/audit/export', ALL, async (req, res, p) => {
    const format = req.query.format === 'csv' ? 'csv' : req.query.format === undefined || req.query.format === 'ndjson' ? 'ndjson' : undefined;
    if (!format) throw new AppError('request.invalid_value', "format must be 'ndjson' or 'csv'");
    const filters = deps.audit.filters(p, req.query as Record<string, unknown>);
    res.status(200).set({
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
      'Content-Disposition': `attachment; filename="rolegate-audit.${format === 'csv' ? 'csv' : 'ndjson'}"`,
    });
    // Streamed with back-pressure: memory stays flat whatever the size of the log. A client that
    // goes away stops the export (waiting for a 'drain' that never comes would keep it open).
    for await (const chunk of deps.auditLog.export(p.tenantId, filters, format)) {
      if (!(await writeChunk(res, chunk))) return null;
    }
    res.end();
    return null;
  });
  route('post', '/audit/purge', ['tenantAdmin'], async (req, _res, p) =>
    deps.auditLog.purge(p.tenantId, intParam((req.body as { retentionDays?: unknown } | undefined)?.retentionDays, 365, 36_500)));

  route('get', '/reports/licenses', ALL, async (req, _res, p) => ({ sites: await deps.reports.licenseUsage(await sitesOf(p, req.query as Record<string, unknown>)) }));
  route('get', '/reports/retained-owners', ALL, async (req, _res, p) => ({ rows: await deps.reports.retainedOwners(await sitesOf(p, req.query as Record<string, unknown>)) }));
  route('get', '/reports/waiting-for-seat', ALL, async (req, _res, p) => ({ rows: await deps.reports.waitingForSeat(await sitesOf(p, req.query as Record<string, unknown>)) }));
  route('get', '/reports/wasted-seats', ALL, async (req, _res, p) =>
    deps.reports.wastedSeats(await sitesOf(p, req.query as Record<string, unknown>), intParam(req.query.idleDays, 90, 3650)));
  route('get', '/reports/drift', ALL, async (req, _res, p) => ({
    rows: await deps.reports.drift(p.tenantId, p.scope === 'siteAdmin' ? p.siteId ?? undefined : (req.query.siteId as string | undefined) || undefined),
  }));
  route('get', '/reports/idp-activity', ['tenantAdmin', 'auditor'], async (req, _res, p) => ({ rows: await deps.reports.idpActivity(p.tenantId, intParam(req.query.days, 30, 3650)) }));
}
