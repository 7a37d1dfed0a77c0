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

/** Units of work committed together at most (a bound on how long one group's acknowledgement waits). */
const GROUP_MAX_UNITS = 128;

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
 *   their turns, or at once when the group holds `GROUP_MAX_UNITS` turns. Every turn that wrote in it is
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
  /** A turn is running (between its start and its end). */
  #running = false;
  /** A commit is scheduled for the check phase. */
  #scheduled = false;

  constructor(private readonly db: Db) {}

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
      if (!db.inTransaction) db.exec('BEGIN IMMEDIATE');
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

  /** After a turn: join the open group (if the turn left one open); commit it after this loop turn's I/O callbacks. */
  #endTurn(): Promise<void> {
    // SQLite rolls a whole transaction back on some errors (disk full, I/O): the group's work is gone.
    if (this.#group.length > 0 && !this.db.inTransaction) this.#settle(new Error('the group transaction was rolled back'));
    if (!this.db.inTransaction) return Promise.resolve();
    const ack = new Promise<void>((resolve, reject) => this.#group.push({ resolve, reject }));
    if (this.#group.length >= GROUP_MAX_UNITS) this.#settle();
    else if (!this.#scheduled) {
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
