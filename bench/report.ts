import { writeFileSync } from 'node:fs';
import os from 'node:os';
import type { WorkloadResult } from './load.js';
import type { PreloadStats } from './preload.js';

/** The printed table and bench-results.json (shape fixed by issue 2, kept by issue 6). */

export interface Machine {
  cpus: number;
  model: string;
  node: string;
  date: string;
  platform: string;
  total_memory_mb: number;
  /** 1-minute load average when the run started and when it ended: other work on the machine skews the figures. */
  loadavg_start: number;
  loadavg_end: number;
}

export function machine(loadavgStart: number): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    date: new Date().toISOString(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    total_memory_mb: Math.round(os.totalmem() / 1024 / 1024),
    loadavg_start: Math.round(loadavgStart * 100) / 100,
    loadavg_end: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

export interface BenchReport {
  machine: Machine;
  /** 'quick' | 'full', with ' (peer: …)' when the peer was measured. */
  mode: string;
  workloads: WorkloadResult[];
  /** Server RSS at the end of the run, MB. */
  rss_mb: number | null;
  rss_after_preload_mb: number | null;
  preload: { users: number; groups: number; seconds: number; users_per_s: number; errors: number; retried_requests: number; complete: boolean };
  server_errors: string[];
  /** True when the run was stopped by a signal: the figures are partial. */
  interrupted: boolean;
  /** `--with-peer`: the peer's figures from the same run. */
  peer?: { server: string; preload: BenchReport['preload']; workloads: WorkloadResult[] };
}

const num = (v: number, d = 0) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/** A plain-text table: first column left-aligned, the rest right-aligned. */
function columns(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function table(rows: WorkloadResult[]): string {
  const head = ['workload', 'users', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'errors', 'requests', 'conc', 'RSS MB'];
  const body = rows.map((r) => [
    r.name,
    num(r.users),
    num(r.rps, 1),
    num(r.p50_ms, 2),
    num(r.p99_ms, 2),
    r.cpu_ms_per_req === undefined ? '-' : num(r.cpu_ms_per_req, 2),
    num(r.errors),
    num(r.requests),
    String(r.concurrency),
    r.rss_mb === undefined ? '-' : num(r.rss_mb, 0),
  ]);
  return columns(head, body);
}

/** rolegate and the peer side by side, for the workloads both ran (req/s, server CPU ms per request). */
export function peerTable(ours: WorkloadResult[], peer: WorkloadResult[]): string {
  const head = ['workload', 'rolegate users', 'req/s', 'CPU ms/req', 'peer users', 'peer req/s', 'peer CPU ms/req', 'rolegate / peer'];
  const cpu = (r: WorkloadResult) => (r.cpu_ms_per_req === undefined ? '-' : num(r.cpu_ms_per_req, 2));
  // Names carry run-dependent numbers (startIndex=…, group of …): compare them without.
  const key = (name: string) => name.replace(/=\d+|\(group of [\d,]+\)/g, '');
  const body = peer.flatMap((p) => {
    const r = ours.find((o) => key(o.name) === key(p.name));
    if (!r) return [];
    return [[p.name, num(r.users), num(r.rps, 1), cpu(r), num(p.users), num(p.rps, 1), cpu(p), p.rps > 0 ? `${num(r.rps / p.rps, 2)}×` : '-']];
  });
  return columns(head, body);
}

export function preloadLine(p: PreloadStats, groups: number, rssMb: number | undefined): string {
  return `preload: ${num(p.users)} of ${num(p.requested)} users in ${num(p.seconds, 1)} s = ${num(p.users_per_s)} users/s via /Bulk (${num(p.errors)} errors, ${num(p.retried_requests)} requests retried after a connection error${p.complete ? '' : ', INCOMPLETE'}); ${num(groups)} groups; server RSS after preload ${rssMb === undefined ? '?' : num(rssMb, 0)} MB`;
}

export function writeReport(path: string, report: BenchReport): void {
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
