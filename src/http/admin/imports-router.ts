import type express from 'express';
import { AppError } from '../../domain/errors.js';
import { defaultMode, type CsvFormat, type ImportMode } from '../../policy/csv.js';
import { parseOutcomes, type ImportService } from '../../services/import-csv.js';
import { ALL, scopedRouter, validateApi, WRITE, type ScopedRouterDeps } from './scoped-route.js';
import { writeChunk } from './write-chunk.js';

export interface ImportsRouterDeps extends ScopedRouterDeps {
  imports: ImportService;
  /** Upload limit of a CSV file, in bytes. */
  maxCsvBytes: number;
}

/** Content types a CSV upload may carry (spreadsheet tools and curl send several). */
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel']);

/**
 * `/api/v1` routes of the Tableau CSV import and export (SPEC §6, §8):
 *   POST /sites/{siteId}/imports?format&mode&dryRun   text/csv body → 202 {jobId}
 *   GET  /imports/{jobId}?offset&limit&outcome         progress + per-row report
 *   GET  /sites/{siteId}/users/export?format           text/csv (UTF-8 with BOM), streamed
 * Mounted before the main admin router, so `/users/export` is not read as a user id.
 */
export function importsRouter(deps: ImportsRouterDeps): express.Router {
  const { route, ctxOf, done } = scopedRouter(deps);

  route('post', '/sites/:siteId/imports', WRITE, async (req, res, p) => {
    const q = validateApi<{ format?: CsvFormat; mode?: ImportMode; dryRun?: string; authSetting?: string }>('importQuery', req.query, 'request.invalid_value');
    const format = q.format ?? 'cloud';
    if (format === 'tcm' && p.scope !== 'tenantAdmin') {
      throw new AppError('auth.forbidden_scope', 'A TCM file spans the sites of the tenant: importing one needs a tenantAdmin token (R-TCM-04)');
    }
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type && !CSV_TYPES.has(type)) throw new AppError('request.unsupported_media_type', `Send the file as text/csv (got ${type})`);
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    if (encoding !== 'identity') throw new AppError('request.unsupported_media_type', `Content-Encoding ${encoding} is not supported; send the file uncompressed`);
    if (Number(req.get('content-length') ?? 0) > deps.maxCsvBytes) {
      res.set('Connection', 'close');
      throw new AppError('request.body_too_large', `The file is larger than ${deps.maxCsvBytes} bytes`);
    }
    const ctx = await ctxOf(req, p);
    const { jobId } = await deps.imports.start(ctx, {
      format, mode: q.mode ?? defaultMode(format), dryRun: q.dryRun === 'true' || q.dryRun === '1', authSetting: q.authSetting,
    }, req);
    const location = `${req.baseUrl}/imports/${jobId}`;
    res.set('Location', location);
    return { jobId, state: 'running', statusUrl: location };
  }, { status: 202 });

  route('get', '/imports/:jobId', ALL, async (req, _res, p) => {
    const q = validateApi<{ offset?: string; limit?: string; outcome?: string }>('importStatusQuery', req.query, 'request.invalid_value');
    return await deps.imports.status(p.tenantId, p.scope === 'siteAdmin' ? p.siteId : null, req.params.jobId as string, {
      offset: Number(q.offset ?? 0), limit: Math.min(Math.max(Number(q.limit ?? 1000), 0), 10_000), outcomes: parseOutcomes(q.outcome),
    });
  });

  route('get', '/sites/:siteId/users/export', ALL, async (req, res, p) => {
    const q = validateApi<{ format?: CsvFormat }>('exportQuery', req.query, 'request.invalid_value');
    const format = q.format ?? 'cloud';
    const ctx = await ctxOf(req, p);
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="rolegate-${ctx.site.contentUrl}-users-${format}.csv"`,
    });
    // Streamed page by page with back-pressure: memory stays flat whatever the site's size.
    for await (const chunk of deps.imports.exportCsv(ctx, format)) {
      if (!(await writeChunk(res, chunk))) return null;
    }
    res.end();
    return null;
  });

  return done();
}
