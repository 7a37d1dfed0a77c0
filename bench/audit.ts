import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendAuditRows } from '../src/adapters/sqlite/audit-repo.js';
import { openDatabase } from '../src/adapters/sqlite/db.js';
import type { AuditEntry, AuditEvent } from '../src/domain/audit.js';
import { freePort } from './server.js';

/**
 * `npm run bench:audit`: the audit log at 1,000,000 entries (issue 5). Writes the entries
 * straight into a fresh SQLite store (through the product's own chained append), starts the
 * server on it, then measures a 3-filter query under load (p50/p99) and full NDJSON and CSV
 * exports (time, bytes, server RSS growth sampled every 100 ms: peak during the export minus
 * RSS just before it). Loopback only, bounded in time.
 */
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const N = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
const EVENTS: AuditEvent[] = ['UserProvisioned', 'SiteRoleChanged', 'LicenseGranted', 'LicenseRevoked', 'LicenseExhausted', 'GroupMembersAdded', 'RequestHandled', 'UserUpdated'];
const REASONS = [null, null, null, 'LICENSE_EXHAUSTED', 'SEAT_BORROWED', 'GROUP_FLOOR_PROMOTION', 'OVERWROTE_MANUAL_CHANGE'];
const SITES = ['site-a', 'site-b', 'site-c'];
const log = (m: string) => process.stderr.write(`[audit-bench] ${m}\n`);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-audit-bench-'));
  const dbPath = join(dir, 'audit.db');
  const started = Date.now();
  const { writer } = openDatabase(dbPath);
  const t0 = Date.now() - 365 * 86_400_000;
  const batch: AuditEntry[] = [];
  const flush = writer.transaction(() => appendAuditRows(writer, batch));
  for (let i = 0; i < N; i++) {
    batch.push({
      id: randomUUID(), tenantId: 'default', siteId: SITES[i % 3], at: t0 + Math.floor((i / N) * 365 * 86_400_000), kind: 'event',
      event: EVENTS[i % EVENTS.length], actor: `scim:${i % 7}`, targetType: 'User', targetId: `user-${i % 50_000}`,
      reason: REASONS[i % REASONS.length], requestId: randomUUID(), data: { before: { siteRole: 'Viewer' }, after: { siteRole: 'Explorer' }, i },
    });
    if (batch.length === 10_000) { flush(); batch.length = 0; }
  }
  if (batch.length) flush();
  writer.close();
  const loadSeconds = (Date.now() - started) / 1000;
  log(`${N.toLocaleString('en-US')} entries written in ${loadSeconds.toFixed(1)} s`);

  const port = await freePort();
  const token = `audit-bench-${randomUUID()}`;
  const entry = join(root, 'dist', 'src', 'main.js');
  const child = spawn(process.execPath, [entry], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ROLEGATE_DB: `sqlite:${dbPath}`, ROLEGATE_BOOTSTRAP_ADMIN_TOKEN: token, ROLEGATE_LOG_LEVEL: 'silent', ROLEGATE_CONFIG_DIR: '/nonexistent' },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start')), 60_000);
      child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('rolegate listening')) { clearTimeout(timer); resolve(); } });
      child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    const headers = { authorization: `Bearer ${token}` };
    const query = '/api/v1/audit?siteId=site-b&event=LicenseExhausted&reason=LICENSE_EXHAUSTED&limit=100';
    const probe = await fetch(`http://127.0.0.1:${port}${query}`, { headers });
    const probeBody = (await probe.json()) as { entries: unknown[] };
    log(`probe: ${probe.status}, ${probeBody.entries.length} entries`);
    // One console user (c=1) is the latency an administrator sees; c=16 shows it under load.
    const one = await autocannon({ url: `http://127.0.0.1:${port}${query}`, connections: 1, duration: 5, headers });
    log(`3-filter query, c=1: p50 ${one.latency.p50} ms, p99 ${one.latency.p99} ms`);
    const q = await autocannon({ url: `http://127.0.0.1:${port}${query}`, connections: 16, duration: 10, headers });
    log(`3-filter query, c=16: ${q.requests.average} req/s, p50 ${q.latency.p50} ms, p99 ${q.latency.p99} ms, non-2xx ${q.non2xx}`);

    // Server RSS sampled every 100 ms during each export: growth = peak during it − RSS just before it.
    const exportOnce = async (format: 'ndjson' | 'csv') => {
      const rssBefore = rssMb(child.pid!);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, rssMb(child.pid!)); }, 100);
      const t = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/audit/export?format=${format}`, { headers });
      let bytes = 0;
      let lines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const b of chunk) if (b === 10) lines++;
      }
      clearInterval(sampler);
      const seconds = (Date.now() - t) / 1000;
      const rssEnd = rssMb(child.pid!);
      log(`${format} export: ${lines.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s; server RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} MB (+${(rssPeak - rssBefore).toFixed(0)} MB), ${rssEnd.toFixed(0)} MB at the end`);
      return { lines, megabytes: Math.round(bytes / 1e6), seconds, rss_before_mb: Math.round(rssBefore), rss_peak_mb: Math.round(rssPeak), rss_end_mb: Math.round(rssEnd), rss_growth_mb: Math.round(rssPeak - rssBefore) };
    };
    const nd = await exportOnce('ndjson');
    // The CSV export runs on the state the NDJSON one left (warm page cache, grown heap): its own
    // growth is measured as above, and also against the RSS before the first export.
    const csv = { ...(await exportOnce('csv')), rss_growth_since_first_export_mb: 0 };
    csv.rss_growth_since_first_export_mb = csv.rss_peak_mb - nd.rss_before_mb;
    log(`csv export: peak +${csv.rss_growth_since_first_export_mb} MB over the RSS before the NDJSON export`);

    const out = join(root, 'bench-results.json');
    const results = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> : {};
    results.audit = {
      entries: N, date: new Date().toISOString(),
      query: { filters: 3, c1: { p50_ms: one.latency.p50, p99_ms: one.latency.p99 }, c16: { rps: q.requests.average, p50_ms: q.latency.p50, p99_ms: q.latency.p99 }, errors: q.non2xx + q.errors + one.non2xx },
      export: nd,
      export_csv: csv,
    };
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`audit log at ${N.toLocaleString('en-US')} entries\n  3-filter query: c=1 p50 ${one.latency.p50} ms, p99 ${one.latency.p99} ms; c=16 ${q.requests.average} req/s, p50 ${q.latency.p50} ms, p99 ${q.latency.p99} ms\n  NDJSON export: ${nd.lines.toLocaleString('en-US')} lines in ${nd.seconds.toFixed(1)} s, server RSS growth ${nd.rss_growth_mb} MB\n  CSV export: ${csv.lines.toLocaleString('en-US')} lines in ${csv.seconds.toFixed(1)} s, server RSS growth ${csv.rss_growth_mb} MB (${csv.rss_growth_since_first_export_mb} MB since before the NDJSON export)\n`);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`audit bench failed: ${(e as Error).message}\n`);
  process.exit(1);
});
