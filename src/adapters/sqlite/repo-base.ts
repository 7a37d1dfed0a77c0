import type { Statement } from 'better-sqlite3';
import { AppError } from '../../domain/errors.js';
import type { Scope } from '../../domain/types.js';
import type { Db } from './db.js';

export type Row = Record<string, unknown>;

/** Prepared-statement cache per connection: filters are parameterised, so SQL texts repeat. */
const caches = new WeakMap<Db, Map<string, Statement>>();
export function stmt(db: Db, sql: string): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) {
    if (cache.size > 1000) cache.clear();
    s = db.prepare(sql);
    cache.set(sql, s);
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

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Statement helpers shared by the site-bound repositories. */
export abstract class RepoBase {
  constructor(protected readonly db: Db, readonly scope: Scope) {}
  protected all(sql: string, ...params: unknown[]): Row[] {
    return stmt(this.db, sql).all(...params) as Row[];
  }
  protected get(sql: string, ...params: unknown[]): Row | undefined {
    return stmt(this.db, sql).get(...params) as Row | undefined;
  }
  protected run(sql: string, ...params: unknown[]) {
    return stmt(this.db, sql).run(...params);
  }
}
