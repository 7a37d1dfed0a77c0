import autocannon from 'autocannon';
import { SCIM_BASE, snippet, type BenchHttp } from './http.js';

/**
 * Running one workload and turning it into honest figures:
 * - req/s counts only successful answers (2xx that pass the workload's check) over the run time;
 * - p50/p99 are exact percentiles over every answered request (our own samples, sub-ms precision);
 * - errors = non-2xx answers + 2xx answers failing the check + socket errors and timeouts.
 */

export interface WorkloadResult {
  name: string;
  users: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Answered requests (any status). */
  requests: number;
  /** Successful requests (2xx passing the check). */
  ok: number;
  duration_s: number;
  concurrency: number;
  status_codes: Record<string, number>;
  rss_mb?: number;
  /** Server CPU (user + system, all processes) per answered request, in ms: comparable across machine load. */
  cpu_ms_per_req?: number;
  /** A few failing answers, for the report. */
  samples: string[];
  note?: string;
}

export interface Req {
  method: string;
  /** Relative to /scim/v2. */
  path: string;
  body?: string;
}

/** Per-connection request source: `next()` is called once per request sent on that connection. */
export interface Connection {
  next(): Req;
  onResponse?(status: number, body: string): void;
}

export interface LoadSpec {
  name: string;
  users: number;
  durationS: number;
  connections: number;
  /** Hard cap on requests (e.g. the number of distinct users available). */
  maxRequests?: number;
  connection: () => Connection;
  /** Returns why a 2xx answer is wrong, or undefined when it is right. */
  check?: (status: number, body: string) => string | undefined;
}

let current: autocannon.Instance | undefined;

/** Stops the running load (SIGINT / time budget). */
export function stopCurrentLoad(): void {
  current?.stop();
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

class Tally {
  private lat: number[] = [];
  readonly codes: Record<string, number> = {};
  answered = 0;
  twoxx = 0;
  checkFailures = 0;
  socketErrors = 0;
  /** performance.now() of the last answer. */
  lastAt = 0;
  readonly samples: string[] = [];

  response(status: number, ms: number): void {
    this.answered++;
    this.lastAt = performance.now();
    this.codes[status] = (this.codes[status] ?? 0) + 1;
    if (status >= 200 && status < 300) this.twoxx++;
    this.lat.push(ms);
  }

  sample(text: string): void {
    if (this.samples.length < 3 && !this.samples.some((s) => s.slice(0, 60) === text.slice(0, 60))) this.samples.push(text);
  }

  result(spec: { name: string; users: number; connections: number }, durationS: number, note?: string): WorkloadResult {
    const sorted = Float64Array.from(this.lat).sort();
    const ok = this.twoxx - this.checkFailures;
    const errors = this.answered - this.twoxx + this.checkFailures + this.socketErrors;
    return {
      name: spec.name,
      users: spec.users,
      rps: durationS > 0 ? round(ok / durationS, 1) : 0,
      p50_ms: round(percentile(sorted, 50)),
      p99_ms: round(percentile(sorted, 99)),
      errors,
      requests: this.answered,
      ok,
      duration_s: round(durationS),
      concurrency: spec.connections,
      status_codes: this.codes,
      samples: this.samples,
      note,
    };
  }
}

export async function runLoad(port: number, token: string, spec: LoadSpec): Promise<WorkloadResult> {
  const tally = new Tally();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' };
  const t0 = performance.now();
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: spec.connections,
    duration: spec.durationS,
    maxOverallRequests: spec.maxRequests !== undefined ? Math.max(spec.maxRequests, spec.connections) : undefined,
    timeout: 30,
    headers,
    setupClient: (client) => {
      const conn = spec.connection();
      let last: Req | undefined;
      client.setRequests([
        {
          setupRequest: (req) => {
            last = conn.next();
            return { ...req, method: last.method, path: SCIM_BASE + last.path, body: last.body ?? '' };
          },
          onResponse: (status, body) => {
            if (status < 200 || status >= 300) {
              tally.sample(`${last?.method} ${last?.path} → ${status}: ${snippet(body)}`);
            } else if (spec.check) {
              const why = spec.check(status, body);
              if (why) {
                tally.checkFailures++;
                tally.sample(`${last?.method} ${last?.path} → ${status} but ${why}: ${snippet(body, 200)}`);
              }
            }
            conn.onResponse?.(status, body);
          },
        },
      ]);
    },
  });
  current = instance;
  instance.on('response', (_client, statusCode, _bytes, ms) => tally.response(Number(statusCode), ms));
  instance.on('reqError', (err) => {
    tally.socketErrors++;
    tally.sample(`socket error: ${err.message}`);
  });
  try {
    const result = await instance;
    // autocannon's own counters must agree with ours; if not, say so rather than hide it.
    const note = result.non2xx !== tally.answered - tally.twoxx
      ? `autocannon counted ${result.non2xx} non-2xx, the bench ${tally.answered - tally.twoxx}`
      : undefined;
    // autocannon stops on a 1 s sampling tick; when the request cap ends the run early, the run
    // really ended with its last answer, so measure up to there.
    const elapsed = tally.answered > 0 ? Math.min(result.duration, (tally.lastAt - t0) / 1000) : result.duration;
    return tally.result(spec, elapsed, note);
  } finally {
    current = undefined;
  }
}

/** Times `n` single requests one after another (prepare() is not timed). */
export async function timeSingles(
  http: BenchHttp,
  spec: { name: string; users: number; n: number; deadline: number; aborted?: () => boolean },
  prepare: (k: number) => Promise<Req>,
  check?: (status: number, body: string) => string | undefined,
): Promise<WorkloadResult> {
  const tally = new Tally();
  let busyMs = 0;
  let note: string | undefined;
  for (let k = 0; k < spec.n; k++) {
    if (Date.now() > spec.deadline || spec.aborted?.()) {
      note = `stopped after ${k} of ${spec.n} requests: ${spec.aborted?.() ? 'interrupted' : 'time limit'}`;
      break;
    }
    let req: Req;
    try {
      req = await prepare(k);
    } catch (e) {
      tally.socketErrors++;
      tally.sample(`setup failed: ${(e as Error).message}`);
      continue;
    }
    try {
      const r = await http.scim(req.method, req.path, req.body, 120_000);
      busyMs += r.ms;
      tally.response(r.status, r.ms);
      if (r.status < 200 || r.status >= 300) tally.sample(`${req.method} ${req.path} → ${r.status}: ${snippet(r.body)}`);
      else if (check) {
        const why = check(r.status, r.body);
        if (why) {
          tally.checkFailures++;
          tally.sample(`${req.method} ${req.path} → ${r.status} but ${why}`);
        }
      }
    } catch (e) {
      tally.socketErrors++;
      tally.sample(`${req.method} ${req.path}: ${(e as Error).message}`);
    }
  }
  return tally.result({ name: spec.name, users: spec.users, connections: 1 }, busyMs / 1000, note ?? `n=${tally.answered}, sequential`);
}

/** A row for a workload that could not run at all: it stays in the report. */
export function failedWorkload(name: string, users: number, connections: number, reason: string): WorkloadResult {
  return { name, users, rps: 0, p50_ms: 0, p99_ms: 0, errors: 1, requests: 0, ok: 0, duration_s: 0, concurrency: connections, status_codes: {}, samples: [reason], note: `not run: ${reason}` };
}
