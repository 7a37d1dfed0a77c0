import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchHttp } from './http.js';

/**
 * Lifecycle of the rolegate server under test: a fresh SQLite file in a temp directory, a free
 * loopback port, a bootstrap SCIM token; `stop()` always kills it and deletes the store.
 */

export interface ServerHandle {
  readonly pid: number;
  readonly port: number;
  readonly token: string;
  readonly dbPath: string;
  /** Set once the process has exited (expectedly or not). */
  exited(): string | undefined;
  /** The last lines the server wrote to stdout/stderr. */
  outputTail(): string;
  /** VmRSS of the server and every descendant process, in MB; undefined when unreadable. */
  rssMb(): number | undefined;
  /** CPU seconds (user + system) used so far by the server and its live descendants; undefined when unreadable. */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

const live = new Set<{ child: ChildProcess; dir: string }>();

/** Last-resort cleanup, safe to call from a synchronous 'exit' handler. */
export function killServersSync(): void {
  for (const s of live) {
    try {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    } catch { /* already gone */ }
    try {
      rmSync(s.dir, { recursive: true, force: true });
    } catch { /* best effort */ }
  }
  live.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

/** utime + stime of one process in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

function readRssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** pid plus every descendant, through /proc/<pid>/task/<tid>/children (Linux). */
function processTree(pid: number, seen = new Set<number>()): number[] {
  if (seen.has(pid) || seen.size > 256) return [];
  seen.add(pid);
  const out = [pid];
  let tasks: string[] = [];
  try {
    tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch { /* no children file: treat as a leaf */ }
  for (const t of tasks) out.push(...processTree(Number(t), seen));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `entry`: the server script, relative to dist/ (rolegate by default; the scimmy peer for `--peer`). */
export async function startServer(root: string, log: (msg: string) => void, startTimeoutMs = 60_000, script = 'src/main.js'): Promise<ServerHandle> {
  const entry = join(root, 'dist', ...script.split('/'));
  if (!existsSync(entry)) throw new Error(`${entry} does not exist: run npm run build`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-bench-'));
  const dbPath = join(dir, 'bench.db');
  const token = `bench-${randomBytes(24).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    ROLEGATE_DB: `sqlite:${dbPath}`,
    ROLEGATE_BOOTSTRAP_SCIM_TOKEN: token,
    ROLEGATE_LOG_LEVEL: 'silent',
  };
  delete env.ROLEGATE_BOOTSTRAP_ADMIN_TOKEN;
  delete env.MONGODB_URI;
  delete env.NODE_ENV;

  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for the server only (profiling).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const entryRef = { child, dir };
  live.add(entryRef);

  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  let listening = false;
  child.stdout?.on('data', (c: Buffer) => {
    keep(c);
    if (!listening && tail.includes(`listening on http://127.0.0.1:${port}/scim/v2`)) listening = true;
  });
  child.stderr?.on('data', keep);
  let exitInfo: string | undefined;
  const exitedP = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
    child.on('error', (e) => {
      exitInfo = `failed to spawn: ${e.message}`;
      resolve();
    });
  });

  const handle: ServerHandle = {
    pid: child.pid ?? -1,
    port,
    token,
    dbPath,
    exited: () => exitInfo,
    outputTail: () => tail,
    rssMb: () => {
      if (exitInfo || !child.pid) return undefined;
      let kb = 0;
      for (const p of processTree(child.pid)) kb += readRssKb(p) ?? 0;
      return kb > 0 ? Math.round((kb / 1024) * 10) / 10 : undefined;
    },
    cpuSeconds: () => {
      if (exitInfo || !child.pid) return undefined;
      let sec = 0;
      for (const p of processTree(child.pid)) sec += readCpuSeconds(p) ?? 0;
      return sec;
    },
    stop: async () => {
      if (!exitInfo) {
        child.kill('SIGTERM');
        await Promise.race([exitedP, sleep(5_000)]);
      }
      if (!exitInfo) {
        log('server did not stop within 5 s of SIGTERM: SIGKILL');
        child.kill('SIGKILL');
        await Promise.race([exitedP, sleep(5_000)]);
      }
      rmSync(dir, { recursive: true, force: true });
      live.delete(entryRef);
    },
  };

  // Ready = the log line has been printed and /healthz answers 200.
  const http = new BenchHttp(port, token);
  const deadline = Date.now() + startTimeoutMs;
  try {
    for (;;) {
      if (exitInfo) throw new Error(`server ${exitInfo} before it was ready; output:\n${tail}`);
      if (Date.now() > deadline) throw new Error(`server not ready within ${startTimeoutMs / 1000} s; output:\n${tail}`);
      if (listening) {
        const ok = await http.raw('GET', '/healthz', undefined, 2_000).then((r) => r.status === 200, () => false);
        if (ok) break;
      }
      await sleep(100);
    }
  } catch (e) {
    await handle.stop();
    throw e;
  } finally {
    http.close();
  }
  return handle;
}
