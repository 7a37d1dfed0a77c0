/** The storage contract on the embedded store: in memory, and in a file (separate reader connection). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/adapters/sqlite/store.js';
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
