/** Command-line options of `npm run bench` (flags win over BENCH_* environment variables). */

export interface BenchOptions {
  quick: boolean;
  /** Users preloaded through /Bulk before the workloads. */
  users: number;
  /** Groups preloaded (SPEC/issue 6: 10,000 groups at 1,000,000 users). */
  groups: number;
  /** Seconds per load workload. */
  durationS: number;
  /** Concurrent connections per load workload. */
  connections: number;
  /** /Bulk requests in flight during the preload. */
  preloadInFlight: number;
  /** Single requests timed for the "one big request" workloads. */
  singles: number;
  /** Hard ceiling for the whole run; the preload stops early to leave room for the workloads. */
  maxMinutes: number;
  /** Where bench-results.json goes (default: project root). */
  out?: string;
  /** Run only the workloads whose name contains this text (profiling one path). */
  only?: string;
  /** Run the peer (plain scimmy + scimmy-routers, in-memory Maps) instead of rolegate. */
  peer: boolean;
  /** After rolegate, run the peer in the same run (at min(users, 10,000) users) and print its figures beside rolegate's. */
  withPeer: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick                 10,000 users, ~3 s per workload (smoke run)
  --users N               users to preload (default 100000; env BENCH_USERS)
  --groups N              groups to preload (default users/100; env BENCH_GROUPS)
  --duration S            seconds per load workload (default 10, quick 3; env BENCH_DURATION)
  --connections N         concurrency of the load workloads (default 16)
  --preload-in-flight N   /Bulk requests in flight during the preload (default 3)
  --singles N             timed single requests for +10,000 members and /Bulk (default 5, quick 3)
  --max-minutes M         hard time limit of the run (default: quick 10, full max(20, 40 per 1M users))
  --out FILE              results file (default <project>/bench-results.json)
  --only TEXT             run only the workloads whose name contains TEXT (e.g. "userName eq")
  --peer                  run the workloads scimmy + scimmy-routers can serve against that peer
                          (bench/peer-server.ts: in-memory Maps) instead of rolegate
  --with-peer             after rolegate, run that peer in the same run (at min(users, 10,000)
                          users) and print its req/s and CPU beside rolegate's`;

function int(name: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new Error(`${name}: expected a number in [${min}, ${max}], got '${v ?? ''}'`);
  }
  return n;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') throw new Error(USAGE);
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'\n${USAGE}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--quick' || a === '--peer' || a === '--with-peer') flags.set(a.slice(2), true);
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value\n${USAGE}`);
      flags.set(a.slice(2), v);
      i++;
    }
  }
  const known = new Set(['quick', 'users', 'groups', 'duration', 'connections', 'preload-in-flight', 'singles', 'max-minutes', 'out', 'only', 'peer', 'with-peer']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const str = (k: string, e?: string): string | undefined => {
    const v = flags.get(k);
    if (v === true) return 'true';
    return v ?? (e ? env[e] : undefined);
  };

  const quick = flags.get('quick') === true || env.BENCH_QUICK === '1';
  const usersText = str('users', 'BENCH_USERS');
  const users = usersText !== undefined ? int('--users', usersText, 1000, 20_000_000) : quick ? 10_000 : 100_000;
  const groupsText = str('groups', 'BENCH_GROUPS');
  const groups = groupsText !== undefined ? int('--groups', groupsText, 0, 1_000_000) : Math.floor(users / 100);
  const durText = str('duration', 'BENCH_DURATION');
  const durationS = durText !== undefined ? int('--duration', durText, 1, 600) : quick ? 3 : 10;
  const cText = str('connections');
  const connections = cText !== undefined ? int('--connections', cText, 1, 1024) : 16;
  const pText = str('preload-in-flight');
  const preloadInFlight = pText !== undefined ? int('--preload-in-flight', pText, 1, 64) : 3;
  const sText = str('singles');
  const singles = sText !== undefined ? int('--singles', sText, 1, 100) : quick ? 3 : 5;
  const mText = str('max-minutes', 'BENCH_MAX_MINUTES');
  const maxMinutes = mText !== undefined
    ? int('--max-minutes', mText, 1, 24 * 60)
    : quick ? 10 : Math.max(20, Math.ceil((users / 1_000_000) * 40));
  const out = str('out');
  const only = str('only');
  return { quick, users: Math.floor(users), groups: Math.floor(groups), durationS, connections: Math.floor(connections), preloadInFlight: Math.floor(preloadInFlight), singles: Math.floor(singles), maxMinutes, out, only, peer: flags.get('peer') === true, withPeer: flags.get('with-peer') === true };
}
