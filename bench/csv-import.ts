/**
 * `npm run bench:csv`: the SPEC §8 / issue 7 CSV figures. Generates a 100,000-row Tableau Cloud
 * CSV and, each on a fresh built server (`dist/src/main.js`, temporary SQLite file), runs a dry
 * run of the file and the real import through `POST /api/v1/sites/default/imports`; it prints
 * the seconds each took (upload to completed job) and the server's RSS growth (peak during the
 * phase minus the RSS before the upload). The figures go to `bench-results.json` under `csv_import`, other
 * keys kept. Targets: import ≤ 60 s, dry run ≤ 20 s, ≤ 150 MB RSS growth.
 *
 * Options: `--rows N` (default 100000).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 100_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** VmRSS of the server in MB; 0 once the process is gone (the phase then fails on its own). */
const rssMb = (pid: number): number => {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

/** A Cloud file (R-CSV-03) with a realistic mix of roles: 10% Creator, 30% Explorer (a third can publish), 50% Viewer, 5% site admins, 5% Unlicensed. */
function makeCsv(n: number): Buffer {
  const parts: string[] = ['\uFEFF'];
  for (let i = 0; i < n; i++) {
    const k = i % 20;
    const [license, admin, pub] = k < 2 ? ['Creator', 'None', 'yes'] : k < 4 ? ['Explorer', 'None', 'yes'] : k < 8 ? ['Explorer', 'None', 'no']
      : k < 18 ? ['Viewer', 'None', 'no'] : k === 18 ? ['Creator', 'Site', 'yes'] : ['Unlicensed', 'None', 'no'];
    parts.push(`bench.user${i}@example.test,,Bench User ${i},${license},${admin},${pub},bench.user${i}@example.test\r\n`);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

interface Server { pid: number; base: string; headers: Record<string, string>; stop(): Promise<void> }

/** The built server on a fresh temporary SQLite file and a free loopback port, with a bootstrap admin token. */
async function startServer(): Promise<Server> {
  const entry = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run npm run build`);
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-csv-bench-'));
  const port = await freePort();
  const token = `bench-admin-${randomBytes(16).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', ROLEGATE_DB: `sqlite:${join(dir, 'bench.db')}`, ROLEGATE_BOOTSTRAP_ADMIN_TOKEN: token, ROLEGATE_LOG_LEVEL: 'warn' };
  delete env.NODE_ENV;
  const child = spawn(process.execPath, [entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-8192); });
  child.stderr.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-8192); });
  const stop = async () => {
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), sleep(5000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  for (let t = Date.now(); !out.includes('rolegate listening'); await sleep(100)) {
    if (child.exitCode !== null || Date.now() - t > 30_000) {
      await stop();
      throw new Error(`server did not start:\n${out}`);
    }
  }
  return { pid: child.pid!, base: `http://127.0.0.1:${port}/api/v1`, headers: { authorization: `Bearer ${token}` }, stop };
}

/**
 * One phase on its own fresh server: RSS is sampled every 100 ms from before the upload until the
 * job is done; growth = peak − RSS before the upload (after a warm-up request and a second's rest).
 */
async function phase(csv: Buffer, dryRun: boolean) {
  const s = await startServer();
  try {
    await fetch(`${s.base}/sites/default/users/export`, { headers: s.headers }).then((r) => r.arrayBuffer());
    await sleep(1000);
    const baseline = rssMb(s.pid);
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, rssMb(s.pid)); }, 100);
    const started = performance.now();
    const res = await fetch(`${s.base}/sites/default/imports?format=cloud&dryRun=${dryRun}`, {
      method: 'POST', headers: { ...s.headers, 'content-type': 'text/csv' }, body: new Uint8Array(csv),
    });
    if (res.status !== 202) throw new Error(`POST imports: ${res.status} ${await res.text()}`);
    const { jobId } = (await res.json()) as { jobId: string };
    let status: Record<string, any>;
    for (;;) {
      await sleep(250);
      status = (await (await fetch(`${s.base}/imports/${jobId}?limit=0`, { headers: s.headers })).json()) as Record<string, any>;
      if (status.state !== 'running') break;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(s.pid));
    if (status.state !== 'completed' || status.total !== ROWS || status.failed !== 0) throw new Error(`import did not complete cleanly: ${JSON.stringify(status)}`);
    const audit = (await (await fetch(`${s.base}/audit?event=ImportCompleted&limit=1`, { headers: s.headers })).json()) as { entries: unknown[] };
    return {
      seconds: Math.round(seconds * 100) / 100, rows_per_s: Math.round(ROWS / seconds), baseline_rss_mb: Math.round(baseline * 10) / 10,
      rss_growth_mb: Math.round((peak - baseline) * 10) / 10, counts: status.counts, import_completed_audited: audit.entries.length === 1,
    };
  } finally {
    await s.stop();
  }
}

async function main() {
  const csv = makeCsv(ROWS);
  const dry = await phase(csv, true);
  process.stdout.write(`dry run: ${ROWS} rows in ${dry.seconds} s (${dry.rows_per_s} rows/s), RSS growth ${dry.rss_growth_mb} MB\n`);
  const imp = await phase(csv, false);
  process.stdout.write(`import:  ${ROWS} rows in ${imp.seconds} s (${imp.rows_per_s} rows/s), RSS growth ${imp.rss_growth_mb} MB\n`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const result = {
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, load_average: load, rows: ROWS, csv_bytes: csv.length,
    dry_run: dry, import: imp, targets: { import_s: 60, dry_run_s: 20, rss_growth_mb: 150 },
    pass: imp.seconds <= 60 && dry.seconds <= 20 && Math.max(imp.rss_growth_mb, dry.rss_growth_mb) <= 150,
  };
  const file = join(ROOT, 'bench-results.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  all.csv_import = result;
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  process.stdout.write(`${result.pass ? 'PASS' : 'FAIL'} (load average ${load}): targets import ≤ 60 s, dry run ≤ 20 s, RSS growth ≤ 150 MB; written to bench-results.json (csv_import)\n`);
  if (!result.pass) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`csv bench: ${(e as Error).message}\n`);
  process.exit(2);
});
