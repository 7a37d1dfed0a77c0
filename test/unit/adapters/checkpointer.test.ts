import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCheckpointer } from '../../../src/adapters/sqlite/checkpointer.js';

/** The WAL checkpointer thread on a real file: it copies committed WAL frames into the database file by itself. */
test('the checkpointer thread copies the WAL back while the writer never checkpoints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-ckpt-'));
  const file = join(dir, 'ckpt.db');
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec('CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB)');
  const errors: string[] = [];
  const checkpointer = startCheckpointer(file, (m) => errors.push(m));
  try {
    const before = statSync(file).size;
    const insert = writer.prepare('INSERT INTO blob (data) VALUES (?)');
    writer.transaction(() => {
      for (let i = 0; i < 1000; i++) insert.run(Buffer.alloc(4096, i % 251));
    })();
    // ~4 MB sit in the WAL; the database file holds them once a checkpoint has copied them back.
    const deadline = Date.now() + 10_000;
    while (statSync(file).size < before + 4_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size).toBeGreaterThan(before + 4_000_000);
    expect(errors).toEqual([]);
  } finally {
    await checkpointer.stop();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
