/**
 * Fuzzing the SCIM filter parser and SQL translator (issue 8 §2): seeded fast-check inputs —
 * grammatical filters with hostile names and values (SQL and NoSQL injection, LIKE wildcards,
 * regex bombs, unicode, huge and deep input), mutations of them, and noise — run by the real
 * SQLite store with the real schema, and over HTTP. Each gives a result or a FilterError (400
 * invalidFilter), never another exception, never more than 1 s, never another site's rows, and
 * the data is unchanged afterwards. `npm run fuzz` runs 100,000+ per target.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeStats, filterHttpTarget, filterTarget, runTarget, seedUsers, startFuzzServer, type FuzzEnv } from './targets.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 8_2026);
let env: FuzzEnv;
beforeAll(async () => { env = await startFuzzServer(); await seedUsers(env, 30); });
afterAll(async () => { await env.close(); });

describe('fuzz: filters', () => {
  it(`parser + translator on the real store: ${RUNS} seeded inputs`, async () => {
    const s = await runTarget(filterTarget(env), RUNS, SEED);
    process.stdout.write(`fuzz ${describeStats(s)} (seed ${SEED})\n`);
    expect(s.problems).toEqual([]);
    expect(s.server5xx).toBe(0);
    expect(s.hangs).toBe(0);
    expect(s.extra['User queries run']).toBeGreaterThan(RUNS / 10); // the inputs reach the database, not only the parser
  }, 60_000);

  it(`filters over HTTP (query string and .search): ${Math.round(RUNS / 3)} seeded inputs`, async () => {
    const s = await runTarget(filterHttpTarget(env), Math.round(RUNS / 3), SEED + 1);
    process.stdout.write(`fuzz ${describeStats(s)} (seed ${SEED + 1})\n`);
    expect(s.problems).toEqual([]);
    expect(s.server5xx).toBe(0);
    expect(s.hangs).toBe(0);
  }, 60_000);
});
