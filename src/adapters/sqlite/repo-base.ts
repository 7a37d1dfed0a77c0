import type { Statement } from 'better-sqlite3';
import { AppError } from '../../domain/errors.js';
import type { Scope } from '../../domain/types.js';
import type { Db } from './db.js';

export type Row = Record<string, unknown>;

/**
 * Prepared-statement cache per connection: filters are parameterised, so SQL texts repeat.
 * `raw` statements return rows as arrays and are cached apart from the object-row ones.
 */
const caches = new WeakMap<Db, Map<string, Statement>>();
export function stmt(db: Db, sql: string, raw = false): Statement {
  const key = raw ? `\u0000raw\u0000${sql}` : sql;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let s = cache.get(key);
  if (!s) {
    if (cache.size > 1000) cache.clear();
    s = raw ? db.prepare(sql).raw(true) : db.prepare(sql);
    cache.set(key, s);
  }
  return s;
}

/** Turns SQLite constraint violations into the product's uniqueness error (the one DB-error translator). */
export function unique<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' || (e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new AppError('resource.uniqueness', `${what} is already in use`);
    }
    throw e;
  }
}

/**
 * A LIMIT clause with the number written into the SQL. With a bound `LIMIT ?` SQLite cannot
 * plan its bounded top-N sort and sets up a general sorter instead: ~130 µs more per query
 * that sorts (measured on a userName lookup, 180 µs vs 50 µs). Only safe integers pass, so
 * nothing but digits reaches the SQL text; the few distinct page sizes keep the statement
 * cache small.
 */
export function limitSql(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`LIMIT must be a non-negative integer, got ${n}`);
  return `LIMIT ${n}`;
}

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Statement helpers shared by the site-bound repositories. */
export abstract class RepoBase {
  constructor(protected readonly db: Db, readonly scope: Scope) {}
  protected all(sql: string, ...params: unknown[]): Row[] {
    return stmt(this.db, sql).all(...params) as Row[];
  }
  protected allRaw(sql: string, ...params: unknown[]): unknown[][] {
    return stmt(this.db, sql, true).all(...params) as unknown[][];
  }
  protected get(sql: string, ...params: unknown[]): Row | undefined {
    return stmt(this.db, sql).get(...params) as Row | undefined;
  }
  protected run(sql: string, ...params: unknown[]) {
    return stmt(this.db, sql).run(...params);
  }
}
