/**
 * Overload (issue 8 §3, SPEC §9). A short run of the 3× load test (overload-run.ts; the long
 * one is `npm run overload`), and the advertised bounds: request body, filter length and
 * nesting, /Bulk operations and payload, `count` — each enforced with a SCIM error and, where
 * SCIM defines a place for it, advertised in /ServiceProviderConfig. The load-shedding front
 * door itself: shedding.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, userBody, type TestServer } from '../helpers/server.js';
import { isScimError } from './harness.js';
import { describeOverload, runOverload } from './overload-run.js';

describe('3× the sustainable rate (the configured per-token rate, a quarter of the measured capacity)', () => {
  it('stays responsive, answers every request with success or 429/503, loses no acknowledged write', async () => {
    const f = await runOverload({ measureSeconds: 2, overloadSeconds: 4, log: (s) => process.stdout.write(`${s}\n`) });
    process.stdout.write(`${describeOverload(f)}\n`);
    expect(f.measureErrors).toBe(0);
    expect(f.verify.ok).toBeGreaterThanOrEqual(Math.floor(f.verify.sent * 0.98)); // the configured rate really is sustained
    expect(f.sent).toBeGreaterThan(f.sustainableRps * 4 * 2.5); // really offered 3× that rate
    expect(f.other).toEqual({});
    expect(f.networkErrors).toBe(0);
    expect(f.timeouts).toBe(0);
    expect(f.badLimitAnswers).toBe(0);
    expect(f.limited429 + f.unavailable503).toBeGreaterThan(0); // the limits did act
    expect(f.ok).toBeGreaterThan(0);
    expect(f.writesLost).toBe(0);
    expect(f.healthz.failed).toBe(0);
    expect(f.healthz.probes).toBeGreaterThan(40);
    // Responsive: /healthz under 100 ms (95th percentile: the probe shares two CPUs with the load
    // generator and the server, so a lone scheduling hiccup is not the server), and never stalled.
    expect(f.healthz.p95).toBeLessThan(100);
    expect(f.healthz.max).toBeLessThan(1000);
  }, 60_000);
});

const LIMITS = { maxBodyBytes: 4096, maxFilterLength: 100, maxFilterDepth: 4, bulkMaxOperations: 5, maxPageSize: 7, defaultPageSize: 5 };
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ scim: LIMITS, limits: { ratePerSecond: 0, maxConcurrent: 0 } });
  for (let i = 0; i < 10; i++) expect((await s.req('POST', '/Users', userBody())).status).toBe(201);
});
afterAll(async () => { await s.close(); });

describe('advertised bounds', () => {
  const figures: string[] = [];
  afterAll(() => { process.stdout.write(`bounds: ${figures.join('; ')}\n`); });

  it('ServiceProviderConfig advertises the Bulk bounds, the page maximum and filter.maxResults', async () => {
    const spc = (await s.req('GET', '/ServiceProviderConfig')).body;
    expect(spc.bulk).toMatchObject({ supported: true, maxOperations: LIMITS.bulkMaxOperations, maxPayloadSize: LIMITS.maxBodyBytes });
    expect(spc.filter).toMatchObject({ supported: true, maxResults: LIMITS.maxPageSize });
    expect(spc.pagination).toMatchObject({ maxPageSize: LIMITS.maxPageSize, defaultPageSize: LIMITS.defaultPageSize });
    figures.push(`SPC bulk ${JSON.stringify(spc.bulk)} filter ${JSON.stringify(spc.filter)}`);
  });

  it('a body over maxBodyBytes is 413 with a SCIM Error (SCIM) or an admin error (admin API)', async () => {
    const big = userBody({ displayName: 'x'.repeat(LIMITS.maxBodyBytes) });
    const r = await s.req('POST', '/Users', big);
    expect(r.status).toBe(413);
    expect(isScimError(r as never)).toBe(true);
    const a = await s.admin('PUT', '/sites/default/role-mapping', { rules: [], default: 'Viewer', pad: 'x'.repeat(LIMITS.maxBodyBytes) });
    expect(a.status).toBe(413);
    expect(a.body).toMatchObject({ code: 'request.body_too_large' });
    const ok = await s.req('POST', '/Users', userBody({ displayName: 'x'.repeat(LIMITS.maxBodyBytes - 600) }));
    expect(ok.status).toBe(201);
    figures.push(`body ${JSON.stringify(big).length} B → 413 (limit ${LIMITS.maxBodyBytes})`);
  });

  it('a filter over maxFilterLength or deeper than maxFilterDepth is 400 invalidFilter', async () => {
    const long = `userName eq "${'a'.repeat(LIMITS.maxFilterLength)}"`;
    const r1 = await s.req('GET', `/Users?filter=${encodeURIComponent(long)}`);
    expect(r1.status).toBe(400);
    expect(r1.body).toMatchObject({ scimType: 'invalidFilter' });
    const nest = (d: number) => `${'('.repeat(d)}userName pr${')'.repeat(d)}`;
    expect((await s.req('GET', `/Users?filter=${encodeURIComponent(nest(LIMITS.maxFilterDepth))}`)).status).toBe(200);
    const r2 = await s.req('GET', `/Users?filter=${encodeURIComponent(nest(LIMITS.maxFilterDepth + 1))}`);
    expect(r2.status).toBe(400);
    expect(r2.body).toMatchObject({ scimType: 'invalidFilter' });
    const notNest = `${'not ('.repeat(LIMITS.maxFilterDepth + 1)}userName pr${')'.repeat(LIMITS.maxFilterDepth + 1)}`;
    expect((await s.req('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: notNest })).body)
      .toMatchObject({ status: '400', scimType: 'invalidFilter' });
    figures.push(`filter ${long.length} chars → 400 invalidFilter; depth ${LIMITS.maxFilterDepth + 1} → 400 invalidFilter`);
  });

  it('a Bulk over maxOperations or maxPayloadSize is 413', async () => {
    const op = (i: number) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: userBody() });
    const bulk = (n: number) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: Array.from({ length: n }, (_, i) => op(i)) });
    const tooMany = await s.req('POST', '/Bulk', bulk(LIMITS.bulkMaxOperations + 1));
    expect(tooMany.status).toBe(413);
    expect(isScimError(tooMany as never)).toBe(true);
    const heavy = bulk(2);
    (heavy.Operations[0]!.data as Record<string, unknown>).displayName = 'y'.repeat(LIMITS.maxBodyBytes);
    const tooBig = await s.req('POST', '/Bulk', heavy);
    expect(tooBig.status).toBe(413);
    expect(isScimError(tooBig as never)).toBe(true);
    expect((await s.req('POST', '/Bulk', bulk(LIMITS.bulkMaxOperations))).status).toBe(200);
    figures.push(`bulk ${LIMITS.bulkMaxOperations + 1} ops → 413; bulk ${JSON.stringify(heavy).length} B → 413`);
  });

  it('count is clamped to maxPageSize (cursor pages too); a negative count returns nothing', async () => {
    const r = await s.req('GET', '/Users?count=100000');
    expect(r.status).toBe(200);
    expect(r.body.itemsPerPage).toBe(LIMITS.maxPageSize);
    expect(r.body.Resources).toHaveLength(LIMITS.maxPageSize);
    expect(r.body.totalResults).toBeGreaterThan(LIMITS.maxPageSize);
    const c = await s.req('GET', '/Users?cursor=&count=100000');
    expect(c.body.Resources.length).toBeLessThanOrEqual(LIMITS.maxPageSize);
    const neg = await s.req('GET', '/Users?count=-5');
    expect(neg.status).toBe(200);
    expect(neg.body.Resources ?? []).toHaveLength(0);
    expect((await s.req('GET', '/Users')).body.itemsPerPage).toBe(LIMITS.defaultPageSize);
    const g = await s.req('GET', '/Groups?count=999999999999');
    expect(g.status).toBe(200);
    figures.push(`count=100000 → ${r.body.itemsPerPage} items (max ${LIMITS.maxPageSize})`);
  });
});
