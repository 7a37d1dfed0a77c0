/**
 * The `rolegate` command (package.json `bin`, through the `bin/rolegate.js` shim):
 *
 *   rolegate import <file> --site <id> [--format cloud|tcm|server] [--mode overwrite|promoteOnly]
 *                    [--dry-run] [--url http://127.0.0.1:8080] [--token <admin token>]
 *   rolegate export --site <id> [--format cloud|tcm|server] [--out <file>] [--url …] [--token …]
 *   rolegate audit verify
 *
 * import and export talk to the admin API over HTTP (SPEC §6, §8); the token defaults to
 * ROLEGATE_ADMIN_TOKEN, the URL to ROLEGATE_URL or http://127.0.0.1:8080. Exit status of import:
 * 0 when every row succeeded, 1 when rows were rejected, 2 on a usage, HTTP or job failure.
 */
import cliProgress from 'cli-progress';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const USAGE = `usage:
  rolegate import <file> --site <id> [--format cloud|tcm|server] [--mode overwrite|promoteOnly] [--dry-run]
                  [--url http://127.0.0.1:8080] [--token <admin token>]
  rolegate export --site <id> [--format cloud|tcm|server] [--out <file>] [--url …] [--token …]
  rolegate audit verify
The admin token defaults to $ROLEGATE_ADMIN_TOKEN, the URL to $ROLEGATE_URL.
`;

class UsageError extends Error {}

interface Api { url: string; token: string }

async function call(api: Api, method: string, path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
  const res = await fetch(`${api.url}/api/v1${path}`, { ...init, method, headers: { authorization: `Bearer ${api.token}`, ...(init.headers ?? {}) } });
  if (res.status >= 400) {
    const text = await res.text();
    let msg = text;
    try {
      const body = JSON.parse(text) as { code?: string; message?: string };
      msg = `${body.code}: ${body.message}`;
    } catch { /* not JSON: show as is */ }
    throw new Error(`${method} ${path} answered ${res.status} ${msg}`);
  }
  return res;
}

const pad = (v: unknown, n: number) => String(v ?? '').slice(0, n).padEnd(n);

/** A plain-text table (the summary must read well in a terminal and in a CI log). */
function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.min(60, Math.max(...rows.map((r) => String(r[i] ?? '').length))));
  const line = (r: (string | number)[]) => r.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

async function importCommand(api: Api, file: string, opts: { site: string; format?: string; mode?: string; dryRun: boolean }): Promise<number> {
  const size = statSync(file).size;
  const q = new URLSearchParams({ ...(opts.format ? { format: opts.format } : {}), ...(opts.mode ? { mode: opts.mode } : {}), dryRun: String(opts.dryRun) });
  process.stderr.write(`Uploading ${file} (${(size / 1024 / 1024).toFixed(1)} MB) to site ${opts.site}${opts.dryRun ? ' — dry run, nothing will change' : ''}…\n`);
  // Streamed from disk: the CLI never holds the file either.
  const res = await call(api, 'POST', `/sites/${encodeURIComponent(opts.site)}/imports?${q}`, {
    body: Readable.toWeb(createReadStream(file)) as ReadableStream, duplex: 'half', headers: { 'content-type': 'text/csv' },
  });
  const { jobId } = (await res.json()) as { jobId: string };
  const bar = new cliProgress.SingleBar({
    format: `${opts.dryRun ? 'Dry run' : 'Import '} [{bar}] {percentage}% | {rows} rows | {created} created, {updated} updated, {unchanged} unchanged, {rejected} rejected`,
    hideCursor: true, stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  bar.start(100, 0, { rows: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 });
  let status: Record<string, any>;
  let misses = 0;
  for (;;) {
    try {
      status = (await (await call(api, 'GET', `/imports/${jobId}?limit=0`)).json()) as Record<string, any>;
      misses = 0;
    } catch (e) {
      // With several workers, a poll may reach one that does not run the job: ask again.
      if (!/ 404 /.test((e as Error).message) || ++misses > 60) throw e;
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    const p = status.progress as { bytesRead: number; bytesTotal: number };
    bar.update(p.bytesTotal ? Math.floor((p.bytesRead / p.bytesTotal) * 100) : 100, { rows: status.total, ...status.counts });
    if (status.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  bar.update(100, { rows: status.total, ...status.counts });
  bar.stop();
  const out: string[] = [''];
  out.push(`Job ${jobId}: ${status.state}${status.dryRun ? ' (dry run: nothing was changed)' : ''}, format ${status.format}, mode ${status.mode}`);
  if (status.error) out.push(`Error: ${status.error}`);
  out.push('', table([['outcome', 'rows'], ...Object.entries(status.counts as Record<string, number>).map(([k, v]) => [k, v]), ['total', status.total]]));
  const reasons = Object.entries(status.reasons as Record<string, number>);
  if (reasons.length) out.push('', table([['reason', 'rows'], ...reasons.sort((a, b) => b[1] - a[1])]));
  if (status.failed > 0) {
    const rejected = (await (await call(api, 'GET', `/imports/${jobId}?outcome=rejected&limit=20`)).json()) as { rows: Record<string, unknown>[] };
    out.push('', `Rejected rows${status.failed > 20 ? ' (first 20)' : ''}:`,
      table([['row', 'userName', 'reason', 'detail'], ...rejected.rows.map((r) => [r.row as number, String(r.userName ?? ''), String(r.reason), String(r.detail ?? '')])]));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (status.state !== 'completed') return 2;
  return status.failed > 0 ? 1 : 0;
}

async function exportCommand(api: Api, opts: { site: string; format?: string; out?: string }): Promise<number> {
  const q = opts.format ? `?format=${encodeURIComponent(opts.format)}` : '';
  const res = await call(api, 'GET', `/sites/${encodeURIComponent(opts.site)}/users/export${q}`);
  const sink: Writable = opts.out ? createWriteStream(opts.out) : process.stdout;
  await pipeline(Readable.fromWeb(res.body as never), sink);
  if (opts.out) process.stderr.write(`Wrote ${opts.out}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'audit' && rest[0] === 'verify') {
    await import('../src/cli/audit-verify.js'); // runs and exits with its own status
    return new Promise<number>(() => undefined);
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest, allowPositionals: true, strict: true,
    options: {
      site: { type: 'string' }, format: { type: 'string' }, mode: { type: 'string' }, 'dry-run': { type: 'boolean', default: false },
      url: { type: 'string' }, token: { type: 'string' }, out: { type: 'string' },
    },
  });
  const token = values.token ?? process.env.ROLEGATE_ADMIN_TOKEN;
  if (!token) throw new UsageError('an admin token is needed: --token or ROLEGATE_ADMIN_TOKEN');
  if (!values.site) throw new UsageError('--site <id> is required');
  if (values.format && !['cloud', 'tcm', 'server'].includes(values.format)) throw new UsageError('--format is cloud, tcm or server');
  if (values.mode && !['overwrite', 'promoteOnly'].includes(values.mode)) throw new UsageError('--mode is overwrite or promoteOnly');
  const api: Api = { url: (values.url ?? process.env.ROLEGATE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''), token };
  if (command === 'import') {
    if (positionals.length !== 1) throw new UsageError('import takes exactly one file');
    return importCommand(api, positionals[0]!, { site: values.site, format: values.format, mode: values.mode, dryRun: values['dry-run'] === true });
  }
  if (command === 'export') return exportCommand(api, { site: values.site, format: values.format, out: values.out });
  throw new UsageError(`unknown command '${command}'`);
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`rolegate: ${(e as Error).message}\n\n${USAGE}`);
  else process.stderr.write(`rolegate: ${(e as Error).message}\n`);
  process.exit(2);
});
