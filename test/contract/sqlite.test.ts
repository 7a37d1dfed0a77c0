/** The storage contract on the embedded store: in memory, and in a file (separate reader connection). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
import { A, addUser, seed } from './fixtures.js';
import { storageContract } from './storage-contract.js';

storageContract('SQLite in memory', async () => {
  const store = new SqliteStore(':memory:');
  return { store, close: () => store.close() };
});

storageContract('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-contract-'));
  const store = new SqliteStore(join(dir, 'rolegate.db'));
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite batch: one commit for its units', () => {
  it('other flows see nothing of a batch before it resolves, the batch reads its own writes, and a batch that throws leaves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rolegate-batch-'));
    const store = new SqliteStore(join(dir, 'rolegate.db'));
    try {
      await seed(store);
      const visible = async () => (await store.reader(A).findUsers({ startIndex: 1, count: 10 })).items.map((x) => x.user.id);
      let release!: () => void;
      const hold = new Promise<void>((r) => { release = r; });
      let inside: string[] = [];
      const batch = store.batch(async () => {
        await addUser(store, A, 'u1', 'a@x.org');
        inside = await visible(); // the batch's own flow reads its writes
        await hold;
      });
      while (!inside.length) await new Promise((r) => setImmediate(r));
      expect(inside).toEqual(['u1']);
      expect(await visible()).toEqual([]); // any other flow sees committed data only
      release();
      await batch;
      expect(await visible()).toEqual(['u1']);
      await expect(store.batch(async () => {
        await addUser(store, A, 'u2', 'b@x.org');
        throw new Error('late');
      })).rejects.toThrow('late');
      expect(await visible()).toEqual(['u1']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
