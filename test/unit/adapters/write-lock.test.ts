import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteLock, type Db } from '../../../src/adapters/sqlite/db.js';

/**
 * The SQLite write lock's group commit, on a real database file with a separate reader
 * connection (as the store opens it): concurrent units share one COMMIT, each is acknowledged
 * only once it is committed, and a unit's failure — or the COMMIT's — is reported to exactly
 * the units it undid.
 */
let dir: string;
let writer: Db;
let reader: Db;
let lock: WriteLock;
let commits: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rolegate-lock-'));
  const file = join(dir, 'lock.db');
  writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('foreign_keys = ON');
  writer.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE item (id TEXT PRIMARY KEY, parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)`);
  reader = new Database(file, { readonly: true });
  commits = 0;
  // Count the COMMITs the lock issues.
  const exec = writer.exec.bind(writer);
  writer.exec = ((sql: string) => {
    if (sql === 'COMMIT') commits++;
    return exec(sql);
  }) as Db['exec'];
  lock = new WriteLock(writer);
});

afterEach(() => {
  reader.close();
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (id: string, parent: number | null = null) => lock.unit(async () => {
  writer.prepare('INSERT INTO item (id, parent) VALUES (?, ?)').run(id, parent);
  return id;
});
const committed = () => (reader.prepare('SELECT id FROM item ORDER BY id').all() as { id: string }[]).map((r) => r.id);

test('units started together share one COMMIT, and each resolves only once it is visible to other connections', async () => {
  const seen: string[][] = [];
  const units = ['a', 'b', 'c', 'd'].map((id) => insert(id).then((r) => {
    seen.push(committed());
    return r;
  }));
  expect(await Promise.all(units)).toEqual(['a', 'b', 'c', 'd']);
  expect(commits).toBe(1);
  for (const s of seen) expect(s).toEqual(['a', 'b', 'c', 'd']);
  expect(writer.inTransaction).toBe(false);
});

test('units in different loop turns commit separately', async () => {
  await insert('a');
  await new Promise((r) => setImmediate(r));
  await insert('b');
  expect(commits).toBe(2);
  expect(committed()).toEqual(['a', 'b']);
});

test('a failing unit rolls back alone; the rest of its group commits', async () => {
  const fail = lock.unit(async () => {
    writer.prepare('INSERT INTO item (id) VALUES (?)').run('bad');
    throw new Error('policy says no');
  });
  const results = await Promise.allSettled([insert('a'), fail, insert('c')]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(committed()).toEqual(['a', 'c']);
  expect(commits).toBe(1);
});

test('a COMMIT that fails rejects every unit of the group, and none of their writes persists', async () => {
  writer.prepare('INSERT INTO parent (id) VALUES (1)').run();
  // A deferred foreign key is checked at COMMIT: the group's COMMIT fails for everyone in it.
  const results = await Promise.allSettled([insert('a', 1), insert('orphan', 99), insert('c', 1)]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
  expect(committed()).toEqual([]);
  expect(writer.inTransaction).toBe(false);
  // The lock goes on working.
  await insert('after', 1);
  expect(committed()).toEqual(['after']);
});

test('a plain turn that writes while a group is open joins it and waits for its COMMIT', async () => {
  let plainSaw: string[] | undefined;
  const unit = insert('a');
  const plain = lock.run(async () => writer.prepare('INSERT INTO item (id) VALUES (?)').run('plain')).then(() => {
    plainSaw = committed();
  });
  await Promise.all([unit, plain]);
  expect(plainSaw).toEqual(['a', 'plain']);
  expect(commits).toBe(1);
});

test('a unit nested in another is a savepoint of the same transaction', async () => {
  const outer = lock.unit(async () => {
    await insert('a');
    await lock.unit(async () => {
      writer.prepare('INSERT INTO item (id) VALUES (?)').run('inner-bad');
      throw new Error('inner fails');
    }).catch(() => undefined);
    await insert('b');
    expect(committed()).toEqual([]);
  });
  await outer;
  expect(committed()).toEqual(['a', 'b']);
  expect(commits).toBe(1);
});

test('drain commits an open group before the connection closes', async () => {
  const unit = insert('a');
  await lock.drain();
  expect(committed()).toEqual(['a']);
  await unit;
});

test('with other processes on the file (sharedFile), a unit waits for their write lock without stalling the event loop', async () => {
  // A second connection with its own lock stands in for another worker process.
  const other = new Database(join(dir, 'lock.db'));
  other.pragma('busy_timeout = 5000');
  const otherLock = new WriteLock(other, true);
  const shared = new WriteLock(writer, true);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const first = otherLock.unit(async () => {
      other.prepare('INSERT INTO item (id) VALUES (?)').run('other');
      await held; // holds the write lock until released
    });
    await new Promise((r) => setTimeout(r, 20));
    const second = shared.unit(async () => writer.prepare('INSERT INTO item (id) VALUES (?)').run('mine'));
    const ticksBefore = ticks;
    await new Promise((r) => setTimeout(r, 60));
    expect(committed()).toEqual([]);
    expect(ticks - ticksBefore).toBeGreaterThan(3); // the loop kept running while `second` waited
    release();
    await Promise.all([first, second]);
    expect(committed()).toEqual(['mine', 'other']);
  } finally {
    clearInterval(timer);
    other.close();
  }
});
