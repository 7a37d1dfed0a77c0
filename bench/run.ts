import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchHttp, parseJson } from './http.js';
import { failedWorkload, stopCurrentLoad, type WorkloadResult } from './load.js';
import { parseOptions, type BenchOptions } from './options.js';
import { preloadGroups, preloadUsers } from './preload.js';
import { machine, peerTable, preloadLine, table, writeReport, type BenchReport } from './report.js';
import { killServersSync, startServer, type ServerHandle } from './server.js';
import { WORKLOADS, type BenchContext } from './workloads.js';

/**
 * `npm run bench [-- --quick | --users N ...]`: starts rolegate on a fresh temporary SQLite
 * file, preloads users and groups through /Bulk, runs the SPEC §9 workloads over loopback with
 * autocannon, prints one table and writes bench-results.json. Progress goes to stderr.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
/** What the peer can serve: scimmy has no cursor pagination. */
const PEER_WORKLOADS = ['POST /Users', 'GET /Users?filter=userName eq', 'PATCH /Users active=false', 'GET /Users list, index', 'PATCH /Groups', 'POST /Bulk'];
const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);

let interrupted = false;

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    killServersSync();
    process.exit(130);
  }
  interrupted = true;
  log(`${signal}: stopping the load and the server (again to force)`);
  stopCurrentLoad();
  // if a step does not return promptly, do not wait for it
  setTimeout(() => {
    killServersSync();
    process.exit(130);
  }, 10_000).unref();
}

process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('SIGHUP', onSignal);
process.on('exit', killServersSync);

/** The peer runs at most this many users in a --with-peer run (the issue's peer figures are at 10,000). */
const PEER_USERS = 10_000;

interface Session {
  results: WorkloadResult[];
  preload: BenchReport['preload'];
  rssAfterPreload: number | undefined;
  rssEnd: number | undefined;
  serverErrors: string[];
  failed: boolean;
}

/** One server, fresh: start it, preload `users` and `groups` through /Bulk, run the workloads, stop it. */
async function session(opts: BenchOptions, peer: boolean, users: number, groupCount: number, deadline: number): Promise<Session> {
  const server: ServerHandle = await startServer(root, log, 60_000, peer ? 'bench/peer-server.js' : 'src/main.js');
  if (peer) log('peer: plain scimmy + scimmy-routers with in-memory Maps (bench/peer-server.ts), not rolegate');
  log(`server pid ${server.pid} on http://127.0.0.1:${server.port}/scim/v2, store ${server.dbPath}`);
  const http = new BenchHttp(server.port, server.token);
  const results: WorkloadResult[] = [];
  const serverErrors: string[] = [];
  let failed = false;
  try {
    const budget = { deadline, aborted: () => interrupted, log };
    // leave room for the workloads after the preload
    const reserveMs = WORKLOADS.length * (opts.durationS + 20) * 1000 + 120_000;
    const preloadDeadline = Math.max(Date.now() + 60_000, deadline - reserveMs);
    log(`preloading ${users.toLocaleString('en-US')} users via /Bulk (1,000 per request, ${opts.preloadInFlight} in flight)`);
    const { stats, population } = await preloadUsers(http, users, opts.preloadInFlight, { ...budget, deadline: preloadDeadline });
    if (stats.samples.length) serverErrors.push(...stats.samples.map((s) => `preload: ${s}`));
    if (!interrupted) log(`preloading ${groupCount.toLocaleString('en-US')} groups`);
    const groups = await preloadGroups(http, groupCount, { ...budget, deadline: preloadDeadline });
    if (groups.samples.length) serverErrors.push(...groups.samples.map((s) => `group preload: ${s}`));
    const rssAfterPreload = server.rssMb();
    log(preloadLine(stats, groups.created, rssAfterPreload));
    if (!stats.complete || stats.retried_requests + groups.retried > 0 || groups.errors > 0) failed = true;

    let warnedCount = false;
    const ctx: BenchContext = {
      http,
      port: server.port,
      token: server.token,
      opts: { ...opts, users, groups: groupCount },
      population,
      ...budget,
      userCount: async () => {
        try {
          const r = await http.scim('GET', '/Users?count=0', undefined, 60_000);
          const total = parseJson(r.body)?.totalResults;
          if (r.status === 200 && typeof total === 'number') return total;
          throw new Error(`GET /Users?count=0 → ${r.status}`);
        } catch (e) {
          if (!warnedCount) log(`cannot read totalResults (${(e as Error).message}); "users" shows the preloaded count`);
          warnedCount = true;
          return population.ids.length;
        }
      },
    };

    for (const w of WORKLOADS.filter((x) => (!opts.only || x.name.includes(opts.only!)) && (!peer || PEER_WORKLOADS.some((p) => x.name.startsWith(p))))) {
      if (interrupted) break;
      const gone = server.exited();
      let r: WorkloadResult;
      const cpuBefore = server.cpuSeconds();
      if (gone) r = failedWorkload(w.name, population.ids.length, opts.connections, `server ${gone}`);
      else if (Date.now() > deadline) r = failedWorkload(w.name, population.ids.length, opts.connections, `time limit of ${opts.maxMinutes} min reached`);
      else {
        log(`workload: ${w.name}`);
        try {
          r = await w.run(ctx);
        } catch (e) {
          r = failedWorkload(w.name, population.ids.length, opts.connections, (e as Error).message);
        }
      }
      r.rss_mb = server.rssMb();
      const cpuAfter = server.cpuSeconds();
      if (cpuBefore !== undefined && cpuAfter !== undefined && r.requests > 0) r.cpu_ms_per_req = Math.round(((cpuAfter - cpuBefore) * 1000 / r.requests) * 100) / 100;
      if (interrupted) r.note = `interrupted${r.note ? `; ${r.note}` : ''}`;
      log(`  ${r.name}: ${r.rps} req/s, p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms, server CPU ${r.cpu_ms_per_req ?? '?'} ms/req, ${r.errors} errors of ${r.requests} answers${r.note ? ` (${r.note})` : ''}`);
      for (const s of r.samples) serverErrors.push(`${peer ? 'peer ' : ''}${r.name}: ${s}`);
      if (r.errors > 0) failed = true;
      results.push(r);
    }

    const rssEnd = server.rssMb();
    const gone = server.exited();
    if (gone) {
      failed = true;
      serverErrors.push(`server ${gone} during the run; last output:\n${server.outputTail()}`);
    }
    return {
      results, rssAfterPreload, rssEnd, serverErrors, failed,
      preload: { users: stats.users, groups: groups.created, seconds: stats.seconds, users_per_s: stats.users_per_s, errors: stats.errors + groups.errors, retried_requests: stats.retried_requests + groups.retried, complete: stats.complete },
    };
  } finally {
    http.close();
    log('stopping the server');
    await server.stop();
  }
}

async function run(opts: BenchOptions): Promise<number> {
  const deadline = started + opts.maxMinutes * 60_000;
  const outPath = opts.out ?? join(root, opts.peer ? 'bench-results-peer.json' : 'bench-results.json');
  const loadStart = loadavg()[0];
  if (loadStart > 0.5 * cpus().length) log(`warning: 1-minute load average is ${loadStart.toFixed(2)} before the run; other work on this machine will skew the figures`);
  log(`${opts.quick ? 'quick' : 'full'} run: ${opts.users.toLocaleString('en-US')} users, ${opts.groups.toLocaleString('en-US')} groups, ${opts.durationS} s per workload at concurrency ${opts.connections}, time limit ${opts.maxMinutes} min`);

  const main = await session(opts, opts.peer, opts.users, opts.groups, deadline);
  const peerUsers = Math.min(opts.users, PEER_USERS);
  const peer = opts.withPeer && !opts.peer && !interrupted
    ? await session(opts, true, peerUsers, Math.min(opts.groups, Math.floor(peerUsers / 100)), Math.max(deadline, Date.now() + 10 * 60_000))
    : undefined;
  const serverErrors = [...main.serverErrors, ...(peer?.serverErrors ?? [])];
  const report: BenchReport = {
    machine: machine(loadStart),
    mode: `${opts.quick ? 'quick' : 'full'}${opts.peer ? ' (peer: scimmy + scimmy-routers, in-memory)' : ''}`,
    workloads: main.results,
    rss_mb: main.rssEnd ?? null,
    rss_after_preload_mb: main.rssAfterPreload ?? null,
    preload: main.preload,
    server_errors: serverErrors,
    interrupted,
    ...(peer ? { peer: { server: 'scimmy + scimmy-routers, in-memory Maps (bench/peer-server.ts)', preload: peer.preload, workloads: peer.results } } : {}),
  };

  writeReport(outPath, report);
  const out = [
    '',
    `rolegate bench (${report.mode}), ${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}, ${report.machine.date}, load average ${report.machine.loadavg_start} → ${report.machine.loadavg_end}`,
    preloadLine({ ...report.preload, requested: opts.users, samples: [] }, report.preload.groups, report.rss_after_preload_mb ?? undefined),
    '',
    table(main.results),
    '',
    `server RSS at the end: ${report.rss_mb ?? '?'} MB`,
    'req/s counts successful answers only; p50/p99 cover every answer; errors = non-2xx + wrong 2xx + socket errors/timeouts.',
    '"(single)" rows time sequential single requests: req/s = 1 / mean latency.',
  ];
  if (peer) {
    out.push('', `peer in the same run: scimmy + scimmy-routers with in-memory Maps (bench/peer-server.ts), ${peerUsers.toLocaleString('en-US')} users; ${preloadLine({ ...peer.preload, requested: peerUsers, samples: [] }, peer.preload.groups, peer.rssAfterPreload)}`, '', peerTable(main.results, peer.results));
  }
  if (serverErrors.length) out.push('', 'errors seen (samples):', ...serverErrors.map((s) => `  - ${s}`));
  if (interrupted) out.push('', 'INTERRUPTED: the figures above are partial.');
  out.push('', `results written to ${outPath}`);
  process.stdout.write(`${out.join('\n')}\n`);
  if (interrupted) return 130;
  // The exit status is rolegate's; the peer's errors are listed above.
  return main.failed ? 1 : 0;
}

async function main(): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseOptions(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  try {
    const code = await run(opts);
    process.exit(code);
  } catch (e) {
    log(`bench failed: ${(e as Error).stack ?? String(e)}`);
    killServersSync();
    process.exit(interrupted ? 130 : 2);
  }
}

void main();
