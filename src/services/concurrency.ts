import { AppError } from '../domain/errors.js';

/**
 * RFC 7644 §3.14: `If-Match` on PUT/PATCH/DELETE. `*` matches any existing resource; a list of
 * ETags matches when one of them is the current version (weak comparison).
 * @throws AppError resource.version_mismatch (412)
 */
export function checkIfMatch(version: number, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(`"${version}"`)) return;
  throw new AppError('resource.version_mismatch', `The resource was modified: its current version is W/"${version}"`);
}

/** Re-runs a unit of work that lost a compare-and-swap race to another process. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'resource.conflict') || i >= attempts) throw e;
    }
  }
}
