/**
 * The one storage contract (ARCHITECTURE.md, after kratos): every method of the storage port
 * (src/ports/storage.ts, ports/portal.ts) exercised against a real store. Run unchanged by
 * sqlite.test.ts (always) and mongo.test.ts (when MONGODB_URI is set).
 */
import type { Store } from '../../src/ports/storage.js';
import { directoryContract } from './directory.contract.js';
import { seed, type MakeStore } from './fixtures.js';
import { groupsContract } from './groups.contract.js';
import { usersContract } from './users.contract.js';

export type { MakeStore };

export function storageContract(name: string, makeStore: MakeStore): void {
  describe(`storage contract: ${name}`, () => {
    let current: { store: Store; close(): Promise<void> } | undefined;
    const get = () => {
      if (!current) throw new Error('no store');
      return current.store;
    };
    beforeEach(async () => {
      current = await makeStore();
      await seed(current.store);
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    usersContract(get);
    groupsContract(get);
    directoryContract(get);
  });
}
