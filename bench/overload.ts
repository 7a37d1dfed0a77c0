/**
 * `npm run overload` — the long overload run of issue 8 §3: measure the sustainable rate of a
 * mixed SCIM load on a real server process, then offer 3× that rate for a minute to a server
 * with a per-token rate limit and a global concurrency bound, timing /healthz from a separate
 * process. Prints the figures; exits 1 if any request got something other than success or
 * 429/503, timed out, if /healthz took 100 ms or more, or if an acknowledged write was lost.
 *
 *   npm run overload -- --seconds 60 --measure 10 --factor 3 [--admit 0.25] [--max-lag 30] [--capacity]
 *
 * By default 3× the sustainable rate (the configured per-token rate, `--admit` × the measured
 * capacity, shown to be sustained); `--capacity` offers 3× the unlimited capacity instead.
 * `--max-lag` is the limited server's `limits.maxLagMs` (load shedding on event-loop lag; 0 = off).
 */
import { describeOverload, runOverload } from '../test/reliability/overload-run.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

async function main() {
  const f = await runOverload({
    measureSeconds: arg('measure', 10), overloadSeconds: arg('seconds', 60), factor: arg('factor', 3), admitFraction: arg('admit', 0.25),
    basis: process.argv.includes('--capacity') ? 'capacity' : 'sustainable', maxLagMs: arg('max-lag', 30),
    log: (s) => process.stdout.write(`${s}\n`),
  });
  process.stdout.write(`${describeOverload(f)}\n`);
  const ok = Object.keys(f.other).length === 0 && f.networkErrors === 0 && f.timeouts === 0 && f.badLimitAnswers === 0
    && f.writesLost === 0 && f.healthz.failed === 0 && f.healthz.max < 100;
  process.stdout.write(`overload: ${ok ? 'PASS' : 'FAIL'}\n`);
  if (!ok) process.exitCode = 1;
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
