/**
 * Fuzzing CSV rows (issue 8 §2): random Tableau CSV lines (accepted and invented values, quotes,
 * BOMs, formula prefixes, over-long and non-UTF-8 lines) through the row parser in all three
 * formats, and whole random files through the import API (dry runs and real imports, every
 * job followed to its end). Never an exception other than a refusal, never 5xx, never more
 * than 1 s; the other tenant's data is unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { csvImportTarget, csvRowTarget, describeStats, runTarget, startFuzzServer, type FuzzEnv } from './targets.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 8_2026);
let env: FuzzEnv;
beforeAll(async () => { env = await startFuzzServer(); });
afterAll(async () => { await env.close(); });

describe('fuzz: CSV', () => {
  it(`rows through the parser: ${RUNS} seeded inputs`, async () => {
    const s = await runTarget(csvRowTarget(), RUNS, SEED);
    process.stdout.write(`fuzz ${describeStats(s)} (seed ${SEED})\n`);
    expect(s.problems).toEqual([]);
    expect(s.server5xx).toBe(0);
    expect(s.hangs).toBe(0);
  });

  it(`files through the import API: ${Math.round(RUNS / 20)} seeded files`, async () => {
    const s = await runTarget(await csvImportTarget(env), Math.round(RUNS / 20), SEED + 1);
    process.stdout.write(`fuzz ${describeStats(s)} (seed ${SEED + 1})\n`);
    expect(s.problems).toEqual([]);
    expect(s.server5xx).toBe(0);
    expect(s.hangs).toBe(0);
  }, 60_000);
});
