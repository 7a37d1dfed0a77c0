/**
 * The one translator from MongoDB driver errors to the product's errors: a duplicate key
 * (E11000) is a uniqueness conflict (409), an unreachable or stepping-down server is
 * `store.unavailable` (503 with Retry-After), anything else passes through (a 500).
 */
import { AppError } from '../../domain/errors.js';

interface DriverError {
  name?: string;
  code?: number;
  message?: string;
  errorLabels?: string[];
  errorLabelSet?: Set<string>;
  hasErrorLabel?: (label: string) => boolean;
}

/** Seconds a client should wait before retrying when the store is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

const NETWORK_NAMES = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoTopologyClosedError',
  'MongoNotConnectedError', 'MongoServerClosedError', 'MongoPoolClearedError', 'MongoExpiredSessionError',
]);
// Server codes of a node that is going away or not primary: the next attempt may find another.
const UNAVAILABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

export const isDuplicateKey = (e: unknown) => (e as DriverError | null)?.code === 11000;

/** Whether the error means "the database cannot be reached right now" (not a bad request). */
export function isUnavailable(e: unknown): boolean {
  const d = e as DriverError | null;
  if (!d || typeof d !== 'object') return false;
  if (d.name && NETWORK_NAMES.has(d.name)) return true;
  return typeof d.code === 'number' && UNAVAILABLE_CODES.has(d.code);
}

/** Whether MongoDB labelled the error as safe to retry the whole transaction (write conflict, election). */
export function hasLabel(e: unknown, label: 'TransientTransactionError' | 'UnknownTransactionCommitResult'): boolean {
  const d = e as DriverError | null;
  if (!d || typeof d !== 'object') return false;
  if (typeof d.hasErrorLabel === 'function') return d.hasErrorLabel(label);
  return d.errorLabels?.includes(label) ?? false;
}

/**
 * Translates a driver error. `duplicate` builds the error for E11000 at call sites that know
 * what was duplicated; elsewhere a duplicate key is still a 409.
 */
export function translateMongoError(e: unknown, duplicate?: () => AppError): unknown {
  if (e instanceof AppError) return e;
  if (isDuplicateKey(e)) return duplicate ? duplicate() : new AppError('resource.uniqueness', 'The value is already in use');
  if (isUnavailable(e)) {
    return new AppError('store.unavailable', 'The database is temporarily unavailable; retry shortly', { retryAfter: RETRY_AFTER_SECONDS });
  }
  return e;
}

/** Runs a write whose duplicate key means "already in use" (the SQLite adapter's `unique()`). */
export async function unique<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw translateMongoError(e, () => new AppError('resource.uniqueness', `${what} is already in use`));
  }
}

/**
 * Wraps every method of a repository so that rejected promises come out translated: one place,
 * instead of a try/catch in each of the ~80 port methods.
 */
export function translating<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const v = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const out = (v as (...a: unknown[]) => unknown).apply(obj, args);
        return out instanceof Promise ? out.catch((e: unknown) => { throw translateMongoError(e); }) : out;
      };
    },
  });
}
