/**
 * Fuzzing PATCH paths and values over HTTP (issue 8 §2): random operations (op names in any
 * case or invented, paths from the catalogue, value filters, URNs and noise, values of every
 * JSON type, prototype-pollution keys, role values) on users and groups. Each answer is 2xx
 * or a well-formed SCIM Error 4xx, never 5xx, never more than 1 s, and nothing but the target
 * user (or group) changes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeStats, patchTarget, prototypeKeys, runTarget, seedUsers, startFuzzServer, tenantBDigest, type FuzzEnv } from './targets.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 8_2026);
let env: FuzzEnv;
beforeAll(async () => { env = await startFuzzServer(); await seedUsers(env, 20); });
afterAll(async () => { await env.close(); });

describe('fuzz: PATCH', () => {
  it(`paths and values on users and groups: ${RUNS} seeded inputs`, async () => {
    const b = tenantBDigest(env);
    const proto = prototypeKeys();
    const s = await runTarget(await patchTarget(env), RUNS, SEED);
    process.stdout.write(`fuzz ${describeStats(s)} (seed ${SEED})\n`);
    expect(s.problems).toEqual([]);
    expect(s.server5xx).toBe(0);
    expect(s.hangs).toBe(0);
    expect(s.ok).toBeGreaterThan(RUNS / 20); // some inputs are valid and really apply
    expect(tenantBDigest(env)).toBe(b);
    expect(prototypeKeys()).toBe(proto);
  }, 60_000);
});
