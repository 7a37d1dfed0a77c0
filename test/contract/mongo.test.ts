/**
 * The storage contract on MongoDB, when MONGODB_URI points at a replica set, e.g.
 *   MONGODB_URI='mongodb://localhost:27017/?replicaSet=rs0' node --experimental-vm-modules node_modules/jest/bin/jest.js test/contract
 * Without it (no MongoDB can run on this build machine) the run is reported as skipped, loudly,
 * by a test that only passes while the variable is absent: it never passes silently.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { DEFS } from '../../src/adapters/mongo/models.js';
import { MongoStore } from '../../src/adapters/mongo/store.js';
import { storageContract } from './storage-contract.js';

const uri = process.env.MONGODB_URI;

if (uri) {
  const dbName = `rolegate_contract_${randomUUID().slice(0, 8)}`;
  // Promises, not values: a failed connection fails every test at once instead of retrying each.
  let store: Promise<MongoStore> | undefined;
  let admin: Promise<mongoose.Connection> | undefined;
  afterAll(async () => {
    const conn = await admin?.catch(() => undefined);
    await conn?.dropDatabase();
    await conn?.close();
    await (await store?.catch(() => undefined))?.close();
  });
  storageContract('MongoDB', async () => {
    store ??= MongoStore.connect(uri, { dbName });
    const s = await store;
    admin ??= mongoose.createConnection(uri, { dbName }).asPromise();
    const conn = await admin;
    // One database per run, emptied before each test (indexes stay: they were created at connect).
    for (const def of Object.values(DEFS)) await conn.db!.collection(def.collection).deleteMany({});
    return { store: s, close: async () => undefined };
  });
} else {
  console.warn('MongoDB contract run SKIPPED: MONGODB_URI is not set, so the storage contract ran on SQLite only. '
    + "Run it against a replica set with: MONGODB_URI='mongodb://localhost:27017/?replicaSet=rs0' "
    + 'node --experimental-vm-modules node_modules/jest/bin/jest.js test/contract');
  describe('storage contract: MongoDB', () => {
    it('is SKIPPED because MONGODB_URI is not set (see the warning above)', () => {
      expect(process.env.MONGODB_URI).toBeFalsy();
    });
  });
}
