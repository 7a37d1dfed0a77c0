import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writePlannerStats } from './planner-stats.js';
import { DDL, SCHEMA_VERSION } from './schema.js';
import { PORTAL_DDL } from './portal-schema.js';

export type Db = Database.Database;

/** SQLite's lower() is ASCII-only; SCIM case-insensitivity follows JS (Unicode) lower-casing. */
const scimLower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : s);

function configure(db: Db, readonly: boolean): Db {
  db.pragma('busy_timeout = 5000');
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (not a power cut).
    db.pragma('synchronous = NORMAL');
    // SQLite's default checkpoint (every 1,000 WAL pages) stays: every 10,000 pages saved a
    // +1,000-member PATCH ~5 ms of kernel CPU, but each 40 MB checkpoint then stalled the event
    // loop long enough for the sustained-rate overload test to see requests shed (7 of 267).
  }
  db.pragma('foreign_keys = ON');
  // 16 MB page cache per connection: enough for the hot indexes, and memory stays flat while an
  // export or a big import streams through far more data than that.
  db.pragma('cache_size = -16384');
  db.function('scim_lower', { deterministic: true }, scimLower);
  return db;
}

/**
 * Opens the writer connection (runs migrations) and, for file databases, a separate reader
 * connection: under WAL it sees only committed data, so reads never observe a transaction
 * that may still roll back.
 */
export function openDatabase(location: string): { writer: Db; reader: Db } {
  const memory = location === ':memory:';
  if (!memory) mkdirSync(dirname(location), { recursive: true });
  const writer = configure(new Database(location), false);
  const current = writer.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`database schema version ${current} is newer than this rolegate (${SCHEMA_VERSION})`);
  }
  writer.exec(DDL);
  writer.exec(PORTAL_DDL);
  writer.pragma(`user_version = ${SCHEMA_VERSION}`);
  writePlannerStats(writer);
  const reader = memory ? writer : configure(new Database(location, { readonly: true }), true);
  return { writer, reader };
}

/**
 * Serialises async units of work on the single writer connection. Re-entrant within the flow
 * that holds it (AsyncLocalStorage): a unit of work started inside another one — a SCIM
 * operation inside a /Bulk batch, an audit append inside a transaction — runs in the holder's
 * transaction instead of waiting for it (which would deadlock). The token closes when the
 * holder finishes, so a timer that outlives it queues like anyone else.
 */
export class WriteLock {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #holder = new AsyncLocalStorage<{ open: boolean }>();

  /** Whether the calling flow holds the lock. */
  get held(): boolean {
    return this.#holder.getStore()?.open === true;
  }

  /** The connection a read uses: the writer while the calling flow holds the lock (to see its own uncommitted units), else the reader. */
  readFrom(writer: Db, reader: Db): Db {
    return this.held ? writer : reader;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) return fn();
    const token = { open: true };
    const held = () => this.#holder.run(token, fn).finally(() => { token.open = false; });
    const next = this.#tail.then(held, held);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
