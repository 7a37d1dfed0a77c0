import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname } from 'node:path';
import { AppError } from '../../domain/errors.js';
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
    // Checkpoints: SQLite's default (every 1,000 WAL pages, on the writer) for in-memory and
    // tool databases; the store moves them to a thread (checkpointer.ts).
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

/** Bounds of one group: units, and ms since its first unit ended (acknowledgements wait for the group; other processes wait for the write lock). */
const GROUP_MAX_UNITS = 128;
const GROUP_MAX_MS = 25;
/** How long a unit waits for another process's write lock (cluster workers) before failing busy (503). */
const SHARED_BEGIN_TIMEOUT_MS = 30_000;

/**
 * Serialises async work on the single writer connection, and commits it in groups.
 *
 * - `run(fn)` is an exclusive turn on the writer. Re-entrant within the flow that holds it
 *   (AsyncLocalStorage): work started inside another turn — a SCIM operation inside a /Bulk
 *   batch, an audit append inside a transaction — runs in the holder's turn instead of waiting
 *   for it (which would deadlock). The token closes when the turn ends, so a timer that
 *   outlives it queues like anyone else.
 * - `unit(fn)` is a unit of work: a savepoint inside the group transaction, opened with
 *   `BEGIN IMMEDIATE` by the first unit of a group. A failing unit rolls back to its savepoint
 *   and leaves the others alone.
 * - Group commit: the open transaction commits in the check phase of the event loop turn
 *   (`setImmediate`), after the I/O callbacks of the requests that arrived together have run
 *   their turns, or at once when the group holds `GROUP_MAX_UNITS` turns or is `GROUP_MAX_MS`
 *   old (turns queued back to back, such as concurrent /Bulk chunks, would otherwise keep it
 *   open — and another process waiting for the write lock). Every turn that wrote in it is
 *   acknowledged — its promise resolves — only after that COMMIT, so an acknowledged write
 *   survives a crash exactly as before; concurrent writers just share one COMMIT (and the WAL
 *   frames of the pages they both touched). Reads outside the lock use the reader connection,
 *   which sees committed data only, so nobody observes a write before it is acknowledged.
 */
export class WriteLock {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #holder = new AsyncLocalStorage<{ open: boolean }>();
  /** Turns queued and not yet started. */
  #waiting = 0;
  /** The open group: the turns waiting for its COMMIT. */
  #group: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** When the open group's first turn ended. */
  #groupSince = 0;
  /** A turn is running (between its start and its end). */
  #running = false;
  /** A commit is scheduled for the check phase. */
  #scheduled = false;

  /**
   * `sharedFile`: other processes (cluster workers) write to the same database. Then a group
   * only gathers the turns already queued and commits as soon as none is: a transaction held
   * open until the check phase would be open nearly all the time on a busy worker, and SQLite's
   * busy handler, which polls, would starve the other workers (measured: BEGIN IMMEDIATE waits
   * of 3–5 s and SQLITE_BUSY with two workers under a /Bulk preload).
   */
  constructor(private readonly db: Db, private readonly sharedFile = false) {}

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
    this.#waiting++;
    let committed: Promise<void> = Promise.resolve();
    const turn = async () => {
      this.#waiting--;
      this.#running = true;
      const token = { open: true };
      try {
        return await this.#holder.run(token, fn);
      } finally {
        token.open = false;
        this.#running = false;
        committed = this.#endTurn();
        committed.catch(() => undefined); // a failed turn does not wait for its group
      }
    };
    const next = this.#tail.then(turn, turn);
    this.#tail = next.catch(() => undefined);
    return next.then((result) => committed.then(() => result));
  }

  /** A unit of work: all of `fn`'s writes commit, or none do. */
  unit<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(async () => {
      const db = this.db;
      if (!db.inTransaction) await this.#begin();
      db.exec('SAVEPOINT unit');
      try {
        const result = await fn();
        db.exec('RELEASE unit');
        return result;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK TO unit; RELEASE unit');
        throw e;
      }
    });
  }

  /**
   * `BEGIN IMMEDIATE`. With other processes on the file it does not wait inside SQLite (whose
   * busy handler sleeps the whole event loop, in steps of up to 100 ms): it first lets one loop
   * turn pass — the window in which another worker can take the write lock this process just
   * released — then tries without waiting and retries every millisecond, for up to
   * `SHARED_BEGIN_TIMEOUT_MS`, answering other requests in between.
   */
  async #begin(): Promise<void> {
    if (!this.sharedFile) return void this.db.exec('BEGIN IMMEDIATE');
    await new Promise<void>((resolve) => setImmediate(resolve));
    const deadline = performance.now() + SHARED_BEGIN_TIMEOUT_MS;
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      for (;;) {
        try {
          return void this.db.exec('BEGIN IMMEDIATE');
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
          if (performance.now() > deadline) throw new AppError('store.unavailable', 'The database is busy: another worker holds its write lock; retry');
        }
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
      }
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** After a turn: join the open group (if the turn left one open); commit it after this loop turn's I/O callbacks. */
  #endTurn(): Promise<void> {
    // SQLite rolls a whole transaction back on some errors (disk full, I/O): the group's work is gone.
    if (this.#group.length > 0 && !this.db.inTransaction) this.#settle(new Error('the group transaction was rolled back'));
    if (!this.db.inTransaction) return Promise.resolve();
    if (this.#group.length === 0) this.#groupSince = performance.now();
    const ack = new Promise<void>((resolve, reject) => this.#group.push({ resolve, reject }));
    // Turns queued back to back (concurrent /Bulk chunks) would otherwise keep one group open.
    if (this.#group.length >= GROUP_MAX_UNITS || performance.now() - this.#groupSince >= GROUP_MAX_MS) this.#settle();
    else if (this.sharedFile) {
      if (this.#waiting === 0) this.#settle();
    } else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
    return ack;
  }

  /**
   * The check phase after the I/O callbacks of this loop turn: the requests that arrived
   * together have run their turns; commit them at once. A turn still running or queued
   * (awaiting something real) commits the group at its own end instead.
   */
  readonly #flush = () => {
    this.#scheduled = false;
    if (!this.#running && this.#waiting === 0) this.#settle();
  };

  /** Commit what is open now (shutdown): waits for the queued turns first. */
  async drain(): Promise<void> {
    await this.#tail;
    if (!this.#running && this.#waiting === 0) this.#settle();
  }

  /** Commit the group (or fail it with `failure`) and answer every turn in it. */
  #settle(failure?: unknown): void {
    const group = this.#group;
    this.#group = [];
    if (failure === undefined) {
      try {
        if (this.db.inTransaction) this.db.exec('COMMIT');
      } catch (e) {
        failure = e;
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      }
    }
    for (const g of group) {
      if (failure === undefined) g.resolve();
      else g.reject(failure);
    }
  }
}
