/**
 * `npm run fuzz` — the long fuzz run of issue 8 §2: at least 100,000 generated inputs per
 * target (filter parser + SQL translator on the real store, filters over HTTP, PATCH paths and
 * values, JSON bodies of every write route, CSV rows and CSV files through the import API),
 * seeded, with the counts per target. Exits 1 on any 5xx, unexpected exception, hang over 1 s
 * or change to unrelated data.
 *
 *   npm run fuzz                      # 100,000 inputs per target
 *   npm run fuzz -- --runs 20000 --seed 7 --only patch,bodies
 */
import {
  bodiesTarget, csvImportTarget, csvRowTarget, describeStats, filterHttpTarget, filterTarget, patchTarget, runTarget, seedUsers, startFuzzServer,
  type Stats,
} from '../test/fuzz/targets.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const runs = Number(arg('runs') ?? 100_000);
  const seed = Number(arg('seed') ?? 8_2026);
  const only = arg('only')?.split(',');
  const want = (name: string) => !only || only.includes(name);
  const all: Stats[] = [];
  const started = Date.now();
  const report = (s: Stats, t0: number) => {
    all.push(s);
    process.stdout.write(`${describeStats(s)} [${Math.round((Date.now() - t0) / 1000)} s, seed ${seed}]\n`);
    for (const p of s.problems.slice(0, 10)) process.stdout.write(`  problem: ${p}\n`);
  };
  // Each target on a fresh server, so one target's writes never slow the next.
  const targets: [string, (env: Awaited<ReturnType<typeof startFuzzServer>>) => Promise<Stats>][] = [
    ['filter', (env) => runTarget(filterTarget(env), runs, seed)],
    ['filter-http', (env) => runTarget(filterHttpTarget(env), runs, seed)],
    ['patch', async (env) => runTarget(await patchTarget(env), runs, seed)],
    ['bodies', async (env) => runTarget(await bodiesTarget(env), runs, seed)],
    ['csv', () => runTarget(csvRowTarget(), runs, seed)],
    // Files of up to 30 rows: a tenth as many files still means well over 100,000 rows.
    ['csv-import', async (env) => runTarget(await csvImportTarget(env), Math.ceil(runs / 10), seed)],
  ];
  for (const [name, fn] of targets) {
    if (!want(name)) continue;
    const env = await startFuzzServer();
    try {
      if (name !== 'csv' && name !== 'csv-import') await seedUsers(env, 30);
      const t0 = Date.now();
      process.stdout.write(`fuzz ${name}: ${name === 'csv-import' ? Math.ceil(runs / 10) : runs} inputs …\n`);
      try {
        report(await fn(env), t0);
      } catch (e) {
        process.stdout.write(`fuzz ${name}: FAILED\n${(e as Error).message.slice(0, 3000)}\n`);
        process.exitCode = 1;
      }
    } finally {
      await env.close();
    }
  }
  const bad = all.filter((s) => s.server5xx || s.hangs || s.problems.length);
  process.stdout.write(`fuzz: ${all.map((s) => `${s.target} ${s.inputs}`).join('; ')}; 5xx ${all.reduce((n, s) => n + s.server5xx, 0)}, ` +
    `hangs ${all.reduce((n, s) => n + s.hangs, 0)}, problems ${all.reduce((n, s) => n + s.problems.length, 0)}; ${Math.round((Date.now() - started) / 1000)} s\n`);
  if (bad.length) process.exitCode = 1;
}

main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
