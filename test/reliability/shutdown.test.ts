/**
 * Graceful shutdown (issue 8 §6, SPEC §9): SIGTERM while requests are in flight. The requests
 * in flight complete, new connections are refused, the process exits 0, and the store is
 * closed cleanly: the SQLite file passes `PRAGMA integrity_check`, the WAL is checkpointed,
 * every acknowledged write is there and the buffered audit request entries were flushed.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BULK_REQUEST, Client, NetworkError, requestId, sleep, spawnServer, type Reply } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'rolegate-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bulkOf = (tag: string, n: number) => ({
  schemas: [BULK_REQUEST],
  Operations: Array.from({ length: n }, (_, i) => ({
    method: 'POST', path: '/Users', bulkId: `b${i}`,
    data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `${tag}.${i}@example.test`, active: true },
  })),
});

describe('graceful shutdown (SIGTERM)', () => {
  it('drains requests in flight, refuses new connections, exits 0 and leaves a clean store', async () => {
    const dbPath = join(dir, 'rolegate.db');
    // Log level info: the server's 'draining' line tells when it has taken the SIGTERM in.
    const server = await spawnServer({ dbPath, logLevel: 'info' });
    const clients = Array.from({ length: 4 }, () => new Client(server.url, 1));
    const idle = new Client(server.url, 1);
    try {
      // An idle keep-alive connection must not hold the shutdown up.
      expect((await idle.scim('GET', '/Users?count=1')).status).toBe(200);
      const rids = clients.map(() => requestId('drain'));
      const inFlight: Promise<Reply | Error>[] = clients.map((c, i) =>
        c.scim('POST', '/Bulk', bulkOf(`drain${i}`, 150), rids[i], 60_000).catch((e: Error) => e));
      // Wait until the server is demonstrably working on every one of them (each has written rows).
      const probe = new Database(dbPath, { readonly: true });
      const t0 = Date.now();
      let started = 0;
      let working = 0;
      while (Date.now() - t0 < 20_000) {
        const rows = probe.prepare("SELECT substr(user_name, 1, 6) AS k, count(*) AS n FROM users WHERE user_name LIKE 'drain%' GROUP BY k").all() as { n: number }[];
        working = rows.length;
        started = rows.reduce((n, r) => n + r.n, 0);
        if (working === clients.length) break;
        await sleep(5);
      }
      probe.close();
      expect(working).toBe(clients.length);

      const sigterm = Date.now();
      server.child.kill('SIGTERM');
      while (!server.output().includes('"msg":"draining"') && Date.now() - sigterm < 20_000) await sleep(2);
      const drainingAfter = Date.now() - sigterm;
      // Once the server is draining, a new connection is refused (never answered).
      const lateClient = new Client(server.url, 1);
      const late = await lateClient.scim('GET', '/Users?count=1', undefined, requestId('late'), 5_000).catch((e: unknown) => e);
      lateClient.close();
      const replies = await Promise.all(inFlight);
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([server.exited, new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), 20_000); })]);
      clearTimeout(timer);
      const drainMs = Date.now() - sigterm;

      const completed = replies.filter((r): r is Reply => !(r instanceof Error));
      const created = completed.flatMap((r) => (r.body?.Operations ?? []) as { status: string; location?: string }[]).filter((o) => o.status === '201').length;
      const dbRows = (() => {
        const db = new Database(dbPath);
        try {
          return {
            integrity: (db.pragma('integrity_check', { simple: true }) as string),
            users: (db.prepare("SELECT count(*) AS n FROM users WHERE user_name LIKE 'drain%'").get() as { n: number }).n,
            requestEntries: (db.prepare(`SELECT count(*) AS n FROM audit_entries WHERE kind = 'request' AND request_id IN (${rids.map(() => '?').join(',')})`).get(...rids) as { n: number }).n,
          };
        } finally {
          db.close();
        }
      })();
      const walBytes = existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0;
      process.stdout.write(
        `shutdown: ${replies.length} requests in flight at SIGTERM (${started} rows already written), ${completed.length} completed ` +
        `(${created} creates acknowledged, ${dbRows.users} in the store); new connection after SIGTERM: ` +
        `${late instanceof NetworkError ? `refused (${(late.cause as { code?: string })?.code ?? (late.cause as Error).message})` : `answered ${(late as Reply).status}`}; ` +
        `SIGTERM taken in after ${drainingAfter} ms; exit ${typeof exit === 'string' ? exit : `code ${exit.code} signal ${exit.signal}`} after ${drainMs} ms; ` +
        `integrity_check ${dbRows.integrity}; WAL left ${walBytes} bytes; request entries flushed ${dbRows.requestEntries}/${rids.length}\n`,
      );
      expect(replies.map((r) => (r instanceof Error ? r.message : r.status))).toEqual(rids.map(() => 200));
      expect(created).toBe(4 * 150);
      expect(late).toBeInstanceOf(NetworkError);
      expect(exit).toEqual({ code: 0, signal: null });
      // Drained well before the 10 s fallback (which exits 1): no waiting on idle keep-alive sockets.
      expect(drainMs).toBeLessThan(8_000);
      expect(dbRows.integrity).toBe('ok');
      expect(walBytes).toBe(0); // checkpointed on close
      expect(dbRows.users).toBe(created);
      expect(dbRows.requestEntries).toBe(rids.length);
    } finally {
      for (const c of [...clients, idle]) c.close();
      await server.kill('SIGKILL');
    }
  }, 60_000);
});
