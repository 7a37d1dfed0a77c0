/**
 * The Mongo adapter's failure paths, without a server: the one error translator, the bounded
 * transaction loop (write conflicts retry; an unreachable server answers 503 at once, never a
 * two-minute retry loop), and connection messages that name the host but never the password.
 */
import type { mongo } from 'mongoose';
import { describeUri, redact } from '../../src/adapters/mongo/connect.js';
import { translateMongoError } from '../../src/adapters/mongo/errors.js';
import { runTransaction } from '../../src/adapters/mongo/transaction.js';
import { AppError } from '../../src/domain/errors.js';

function driverError(name: string, props: { code?: number; labels?: string[] } = {}) {
  const e = Object.assign(new Error(name), { name, code: props.code, errorLabels: props.labels ?? [] });
  return Object.assign(e, { hasErrorLabel: (l: string) => e.errorLabels.includes(l) });
}

/** A client whose sessions record what the loop asked of them. */
function fakeClient(commitErrors: unknown[] = []) {
  const calls: string[] = [];
  let inTx = false;
  const session = {
    startTransaction: () => { calls.push('start'); inTx = true; },
    inTransaction: () => inTx,
    commitTransaction: async () => { calls.push('commit'); const e = commitErrors.shift(); if (e) throw e; inTx = false; },
    abortTransaction: async () => { calls.push('abort'); inTx = false; },
    endSession: async () => { calls.push('end'); },
  };
  return { calls, client: { startSession: () => session } as unknown as mongo.MongoClient };
}

describe('translateMongoError', () => {
  it('maps duplicate keys to 409 uniqueness and unreachable servers to 503 with Retry-After', () => {
    const dup = translateMongoError(driverError('MongoServerError', { code: 11000 })) as AppError;
    expect([dup.code, dup.status]).toEqual(['resource.uniqueness', 409]);
    for (const e of [driverError('MongoServerSelectionError'), driverError('MongoNetworkError'), driverError('MongoServerError', { code: 10107 })]) {
      const t = translateMongoError(e) as AppError;
      expect([t.code, t.status, t.details]).toEqual(['store.unavailable', 503, { retryAfter: 5 }]);
    }
    const other = driverError('MongoServerError', { code: 2 });
    expect(translateMongoError(other)).toBe(other);
  });
});

describe('runTransaction', () => {
  it('commits once when the work succeeds', async () => {
    const { calls, client } = fakeClient();
    expect(await runTransaction(client, async () => 42)).toBe(42);
    expect(calls).toEqual(['start', 'commit', 'end']);
  });

  it('retries a write conflict (TransientTransactionError), then succeeds', async () => {
    const { calls, client } = fakeClient();
    let n = 0;
    const r = await runTransaction(client, async () => {
      if (++n < 3) throw driverError('MongoServerError', { code: 112, labels: ['TransientTransactionError'] });
      return 'ok';
    });
    expect([r, n]).toEqual(['ok', 3]);
    expect(calls.filter((c) => c === 'abort').length).toBe(2);
  });

  it('answers 503 at once when the server is unreachable, and aborts', async () => {
    const { calls, client } = fakeClient();
    let n = 0;
    const err = await runTransaction(client, async () => {
      n++;
      throw driverError('MongoServerSelectionError', { labels: ['TransientTransactionError'] });
    }).catch((e: unknown) => e as AppError);
    expect([err.code, n]).toEqual(['store.unavailable', 1]);
    expect(calls).toEqual(['start', 'abort', 'end']);
  });

  it('retries an unknown commit result a bounded number of times', async () => {
    const unknown = () => driverError('MongoServerError', { code: 50, labels: ['UnknownTransactionCommitResult'] });
    const { calls, client } = fakeClient([unknown(), unknown(), unknown()]);
    await expect(runTransaction(client, async () => 1)).rejects.toThrow();
    expect(calls.filter((c) => c === 'commit').length).toBe(3);
  });

  it('passes application errors through without retrying', async () => {
    const { client } = fakeClient();
    let n = 0;
    await expect(runTransaction(client, async () => { n++; throw new AppError('resource.conflict', 'x'); })).rejects.toMatchObject({ code: 'resource.conflict' });
    expect(n).toBe(1);
  });
});

describe('connection messages', () => {
  it('name the host and database, never the credentials', () => {
    const uri = 'mongodb://admin:s3cr%40t@db1:27017,db2:27017/rolegate?replicaSet=rs0&authSource=admin';
    expect(describeUri(uri)).toBe('mongodb://db1:27017,db2:27017/rolegate');
    expect(describeUri('mongodb+srv://u:p@cluster0.example.net/?retryWrites=true')).toBe('mongodb+srv://cluster0.example.net/');
    const text = redact(`failed ${uri} with password s3cr@t and s3cr%40t`, uri);
    expect(text).not.toMatch(/s3cr/);
    expect(text).toContain('mongodb://***@db1:27017');
  });
});
