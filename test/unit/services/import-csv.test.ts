import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { SqliteStore } from '../../../src/adapters/sqlite/store.js';
import { AppError } from '../../../src/domain/errors.js';
import type { Site } from '../../../src/domain/types.js';
import { bootstrapStore } from '../../../src/services/bootstrap.js';
import type { RequestContext } from '../../../src/services/context.js';
import { ImportService } from '../../../src/services/import-csv.js';

let store: SqliteStore;
let ctx: RequestContext;
beforeAll(async () => {
  store = new SqliteStore(':memory:');
  await bootstrapStore(store, { scimToken: null, adminToken: null, now: Date.now() });
  ctx = { scope: { tenantId: 'default', siteId: 'default' }, site: (await store.directory.findSiteById('default', 'default')) as Site, actor: 't', requestId: 'r', now: Date.now };
});
afterAll(async () => { await store.close(); });

async function finished(svc: ImportService, jobId: string) {
  for (;;) {
    const st = await svc.status('default', null, jobId, { offset: 0, limit: 100 });
    if (st.state !== 'running') return st;
    await new Promise((r) => setTimeout(r, 10));
  }
}
const body = (text: string) => Readable.from([Buffer.from(text)]);

describe('ImportService', () => {
  it.each([
    ['batches of 2 rows', 2], ['one batch', 500],
  ])('R-CSV-12 the same rows in %s give the same report (rows are applied in file order)', async (_n, batchSize) => {
    const svc = new ImportService(store, { maxBytes: 1e6, batchSize });
    const csv = Array.from({ length: 7 }, (_, i) => `b${batchSize}u${i}@svc.test,,,${i % 2 ? 'Viewer' : 'Creator'},None,yes,`).join('\n');
    const { jobId } = await svc.start(ctx, { format: 'cloud', mode: 'overwrite', dryRun: false }, body(csv));
    const st = await finished(svc, jobId);
    expect(st.rows.map((r) => [r.row, r.siteRole])).toEqual(Array.from({ length: 7 }, (_, i) => [i + 1, i % 2 ? 'Viewer' : 'Creator']));
  });

  it('a job run by another process is answered from its ImportCompleted audit entry (counts, no rows)', async () => {
    const a = new ImportService(store, { maxBytes: 1e6 });
    const b = new ImportService(store, { maxBytes: 1e6 });
    const { jobId } = await a.start(ctx, { format: 'cloud', mode: 'overwrite', dryRun: false }, body('x1@svc.test,,,Viewer,None,no,\nbad,,\n'));
    await finished(a, jobId);
    expect(await b.status('default', null, jobId, { offset: 0, limit: 10 })).toMatchObject({ jobId, state: 'completed', total: 2, succeeded: 1, failed: 1, rowsAvailable: false, rows: [] });
    await expect(b.status('other-tenant', null, jobId, { offset: 0, limit: 10 })).rejects.toBeInstanceOf(AppError);
  });

  it('uploads past the limit are refused with 413 and start nothing', async () => {
    const svc = new ImportService(store, { maxBytes: 10 });
    const err = await svc.start(ctx, { format: 'cloud', mode: 'overwrite', dryRun: false }, body('a'.repeat(100))).catch((e: AppError) => e);
    expect(err).toMatchObject({ code: 'request.body_too_large' });
  });

  it('at most maxRunning imports run at once: the next one is 429 import.busy', async () => {
    const svc = new ImportService(store, { maxBytes: 1e6, maxRunning: 1 });
    const slow = new Readable({ read() {} });
    const first = svc.start(ctx, { format: 'cloud', mode: 'overwrite', dryRun: true }, slow);
    const err = await svc.start(ctx, { format: 'cloud', mode: 'overwrite', dryRun: true }, body('x')).catch((e: AppError) => e);
    expect(err).toMatchObject({ code: 'import.busy' });
    slow.push('y@svc.test,,,Viewer,None,no,\n');
    slow.push(null);
    await finished(svc, (await first).jobId);
    await svc.close();
  });
});
