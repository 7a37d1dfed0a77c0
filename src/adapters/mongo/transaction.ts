/**
 * Multi-document transactions with a bounded retry. This is the loop of the driver's
 * `session.withTransaction` (start, run, commit; retry on `TransientTransactionError`, retry
 * the commit on `UnknownTransactionCommitResult`), except that it gives up after a few attempts
 * and a few seconds: `withTransaction` keeps retrying for up to 120 s, so a request caught by a
 * disconnect would hang for two minutes instead of answering 503 with Retry-After.
 */
import type { mongo } from 'mongoose';
import { hasLabel, isUnavailable, translateMongoError } from './errors.js';

const MAX_ATTEMPTS = 8;
const BUDGET_MS = 8_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Write conflicts retry with jittered backoff; an unreachable server fails the request at once (503). */
function retryable(e: unknown, attempt: number, start: number): boolean {
  return hasLabel(e, 'TransientTransactionError') && !isUnavailable(e) && attempt < MAX_ATTEMPTS && Date.now() - start < BUDGET_MS;
}

async function abortQuietly(session: mongo.ClientSession): Promise<void> {
  try {
    if (session.inTransaction()) await session.abortTransaction();
  } catch {
    // the server already aborted it (a failed write aborts the transaction)
  }
}

/**
 * Runs `fn` in one MongoDB transaction (snapshot reads, majority commit). `fn` may run more than
 * once (after a write conflict), so it must do all its work through the session it is given.
 * @throws whatever `fn` throws, or the driver error translated (translateMongoError).
 */
export async function runTransaction<T>(client: mongo.MongoClient, fn: (session: mongo.ClientSession) => Promise<T>): Promise<T> {
  const session = client.startSession();
  const start = Date.now();
  try {
    for (let attempt = 1; ; attempt++) {
      session.startTransaction({ readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' });
      let result: T;
      try {
        result = await fn(session);
      } catch (e) {
        await abortQuietly(session);
        if (retryable(e, attempt, start)) {
          await sleep(Math.random() * Math.min(5 * 1.5 ** attempt, 500));
          continue;
        }
        throw translateMongoError(e);
      }
      try {
        await commit(session, start);
        return result;
      } catch (e) {
        if (retryable(e, attempt, start)) continue;
        throw translateMongoError(e);
      }
    }
  } finally {
    await session.endSession().catch(() => undefined);
  }
}

async function commit(session: mongo.ClientSession, start: number): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await session.commitTransaction();
      return;
    } catch (e) {
      // The commit may or may not have applied; retrying it is safe (the server deduplicates).
      if (hasLabel(e, 'UnknownTransactionCommitResult') && !isUnavailable(e) && i < 2 && Date.now() - start < BUDGET_MS) continue;
      throw e;
    }
  }
}
