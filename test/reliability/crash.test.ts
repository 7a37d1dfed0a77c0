/**
 * Crash safety (issue 8 §1, SPEC §9): SIGKILL a real server at random moments under a mixed
 * SCIM load and during /Bulk requests, restart it on the same SQLite file, and check that no
 * acknowledged write is lost, nothing is half-applied, the audit chain verifies and every
 * acknowledged change has exactly one domain event. See crash-run.ts for what is checked.
 *
 * Short run here (CRASH_KILLS, default 21, every 7th a /Bulk); the long run is
 * `npm run crash:long` (CRASH_KILLS=200).
 */
import { describe, expect, it } from '@jest/globals';
import { runCrashScenario } from './crash-run.js';

const kills = Number(process.env.CRASH_KILLS ?? 21);
const seed = process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : undefined;

describe('crash safety (SIGKILL at random moments)', () => {
  it(`loses no acknowledged write over ${kills} kills, leaves nothing half-applied, keeps the audit chain whole`, async () => {
    const f = await runCrashScenario({ kills, seed, bulkEvery: 7, stableDist: kills > 30, log: (s) => process.stdout.write(`${s}\n`) });
    process.stdout.write(
      `crash: seed ${f.seed}; kills ${f.kills} (of which /Bulk midway ${f.bulkKills}); requests ${f.requests}; ` +
      `writes acknowledged ${f.acknowledged}; refused ${f.rejected}; 5xx ${f.serverErrors}; in flight at the kill ${f.inFlightAtKill} ` +
      `(applied whole ${f.inFlightApplied}, the rest not at all); bulk ops applied ${f.bulkOpsApplied}/${f.bulkOpsSent}; ` +
      `writes lost ${f.lost}; domain events checked ${f.events}; chain verified ${f.chainChecks}× (${f.chainEntries} entries); ` +
      `users at end ${f.usersAtEnd}; ${f.seconds} s\n`,
    );
    if (f.problems.length) process.stdout.write(`crash problems:\n  ${f.problems.join('\n  ')}\n`);
    expect(f.problems).toEqual([]);
    expect(f.lost).toBe(0);
    expect(f.serverErrors).toBe(0);
    expect(f.kills).toBeGreaterThanOrEqual(Math.min(kills, 20));
    expect(f.bulkKills).toBeGreaterThanOrEqual(1);
    // The kills landed on work in flight (otherwise the test proves nothing).
    expect(f.inFlightAtKill).toBeGreaterThan(0);
    expect(f.acknowledged).toBeGreaterThan(kills * 5);
  }, Math.max(120_000, kills * 6_000));
});
