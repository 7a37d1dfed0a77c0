/**
 * The storage contract on the Mongo adapter over an in-memory fake of the driver (mingo): the
 * adapter's logic runs unchanged on every port method. What only a server can prove
 * (transactions under concurrency, indexes, failover) is the MONGODB_URI run (mongo.test.ts).
 */
import type { mongo } from 'mongoose';
import { MongoStore } from '../../src/adapters/mongo/store.js';
import { FakeDb } from './fake-mongo.js';
import { storageContract } from './storage-contract.js';

storageContract('Mongo adapter on a fake driver (mingo)', async () => {
  const db = new FakeDb();
  const store = new MongoStore({ client: db.client as unknown as mongo.MongoClient, collections: db.collections, close: async () => undefined });
  return { store, close: () => store.close() };
});
