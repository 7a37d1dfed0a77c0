import { addMembersPatch, bulkCreateGroups, bulkCreateUsers, preloadUserName, URN } from './dataset.js';
import { parseJson, snippet, type BenchHttp } from './http.js';

/** Filling the store through the public API: users and groups via /Bulk, the large group via PATCH. */

export interface Population {
  /** SCIM ids of the preloaded users that were created, in creation order. */
  ids: string[];
  /** userName of ids[j]. */
  userNames: string[];
}

export interface PreloadStats {
  requested: number;
  users: number;
  seconds: number;
  users_per_s: number;
  /** Failed create operations plus failed /Bulk requests (each counted once per operation it carried). */
  errors: number;
  complete: boolean;
  /** /Bulk requests sent again after a connection error (the first attempt is in `samples`). */
  retried_requests: number;
  samples: string[];
}

export interface Budget {
  deadline: number;
  aborted: () => boolean;
  log: (msg: string) => void;
}

const BULK_SIZE = 1000;

/** The id at the end of a Location URL (`…/Users/<id>`). */
const idFromLocation = (loc: unknown): string | undefined => {
  if (typeof loc !== 'string') return undefined;
  const m = /\/(?:Users|Groups)\/([^/?#]+)\/?(?:[?#].*)?$/.exec(loc);
  return m ? decodeURIComponent(m[1]) : undefined;
};

interface BulkOutcome {
  /** id per operation, undefined where the operation failed. */
  ids: Array<string | undefined>;
  failures: number;
  sample?: string;
}

/** Sends one /Bulk of creates and reads back the id of every operation (by bulkId order). */
export async function sendBulkCreates(http: BenchHttp, body: string, count: number, expectType: 'Users' | 'Groups'): Promise<BulkOutcome & { ms: number; status: number }> {
  const r = await http.scim('POST', '/Bulk', body, 300_000);
  const ids: Array<string | undefined> = new Array<string | undefined>(count).fill(undefined);
  if (r.status !== 200) {
    return { ids, failures: count, sample: `POST /Bulk → ${r.status}: ${snippet(r.body)}`, ms: r.ms, status: r.status };
  }
  const ops = parseJson(r.body)?.Operations;
  if (!Array.isArray(ops)) return { ids, failures: count, sample: `POST /Bulk → 200 without Operations: ${snippet(r.body)}`, ms: r.ms, status: r.status };
  let failures = 0;
  let sample: string | undefined;
  for (let k = 0; k < count; k++) {
    const op = ops[k] as Record<string, unknown> | undefined;
    const status = Number(op?.status);
    const id = op ? idFromLocation(op.location) : undefined;
    if (status >= 200 && status < 300 && id && String(op?.location).includes(`/${expectType}/`)) ids[k] = id;
    else {
      failures++;
      sample ??= `POST /Bulk op ${k} → ${String(op?.status ?? 'missing')}: ${snippet(JSON.stringify(op ?? null))}`;
    }
  }
  return { ids, failures, sample, ms: r.ms, status: r.status };
}

/**
 * Preload only (setup, not a measured workload): a /Bulk that failed at the connection level
 * (e.g. ECONNRESET when the server closes a keep-alive socket it had not read yet) is sent once
 * more. The failure is still reported. HTTP error answers are never retried.
 */
async function bulkWithRetry(http: BenchHttp, body: string, count: number, type: 'Users' | 'Groups', onRetry: (e: Error) => void): Promise<BulkOutcome> {
  try {
    return await sendBulkCreates(http, body, count, type);
  } catch (e) {
    onRetry(e as Error);
    return sendBulkCreates(http, body, count, type);
  }
}

export async function preloadUsers(http: BenchHttp, n: number, inFlight: number, budget: Budget): Promise<{ stats: PreloadStats; population: Population }> {
  const byIndex: Array<string | undefined> = new Array<string | undefined>(n).fill(undefined);
  const samples: string[] = [];
  let next = 0;
  let done = 0;
  let created = 0;
  let errors = 0;
  let retried = 0;
  const t0 = performance.now();
  let lastLog = t0;
  const onRetry = (e: Error) => {
    retried++;
    if (samples.length < 5) samples.push(`POST /Bulk: ${e.message} (sent again)`);
  };

  const worker = async () => {
    while (next < n && Date.now() < budget.deadline && !budget.aborted()) {
      const start = next;
      const end = Math.min(n, start + BULK_SIZE);
      next = end;
      const users = [];
      for (let i = start; i < end; i++) users.push({ userName: preloadUserName(i), i });
      try {
        const out = await bulkWithRetry(http, bulkCreateUsers(users), users.length, 'Users', onRetry);
        out.ids.forEach((id, k) => (byIndex[start + k] = id));
        created += users.length - out.failures;
        errors += out.failures;
        if (out.sample && samples.length < 5) samples.push(out.sample);
      } catch (e) {
        errors += users.length;
        if (samples.length < 5) samples.push(`POST /Bulk: ${(e as Error).message}`);
      }
      done += users.length;
      const now = performance.now();
      if (now - lastLog > 5_000) {
        lastLog = now;
        budget.log(`preload ${done.toLocaleString('en-US')}/${n.toLocaleString('en-US')} users (${Math.round((created / (now - t0)) * 1000)}/s, ${errors} errors, ${retried} retried requests)`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;

  const population: Population = { ids: [], userNames: [] };
  byIndex.forEach((id, i) => {
    if (id) {
      population.ids.push(id);
      population.userNames.push(preloadUserName(i));
    }
  });
  const stats: PreloadStats = {
    requested: n,
    users: population.ids.length,
    seconds: Math.round(seconds * 100) / 100,
    users_per_s: Math.round(population.ids.length / seconds),
    errors,
    complete: done === n && errors === 0,
    retried_requests: retried,
    samples,
  };
  return { stats, population };
}

export async function preloadGroups(http: BenchHttp, n: number, budget: Budget): Promise<{ created: number; errors: number; retried: number; seconds: number; samples: string[] }> {
  const t0 = performance.now();
  let created = 0;
  let errors = 0;
  let retried = 0;
  const samples: string[] = [];
  for (let start = 0; start < n && Date.now() < budget.deadline && !budget.aborted(); start += BULK_SIZE) {
    const names = [];
    for (let i = start; i < Math.min(n, start + BULK_SIZE); i++) names.push(`bench-group-${i}`);
    try {
      const out = await bulkWithRetry(http, bulkCreateGroups(names), names.length, 'Groups', (e) => {
        retried++;
        if (samples.length < 5) samples.push(`POST /Bulk (groups): ${e.message} (sent again)`);
      });
      created += names.length - out.failures;
      errors += out.failures;
      if (out.sample && samples.length < 5) samples.push(out.sample);
    } catch (e) {
      errors += names.length;
      if (samples.length < 5) samples.push(`POST /Bulk (groups): ${(e as Error).message}`);
    }
  }
  return { created, errors, retried, seconds: (performance.now() - t0) / 1000, samples };
}

/** POST /Groups; throws with the server's answer when it is not a 201 with an id. */
export async function createGroup(http: BenchHttp, displayName: string): Promise<string> {
  const r = await http.scim('POST', '/Groups', { schemas: [URN.group], displayName });
  const id = parseJson(r.body)?.id;
  if (r.status !== 201 || typeof id !== 'string') throw new Error(`POST /Groups → ${r.status}: ${snippet(r.body)}`);
  return id;
}

/** Adds members in PATCH batches of 1,000 (sequential: one group). Returns the members added. */
export async function fillGroup(http: BenchHttp, groupId: string, memberIds: string[], budget: Budget): Promise<{ added: number; errors: number; samples: string[]; seconds: number }> {
  const t0 = performance.now();
  let added = 0;
  let errors = 0;
  const samples: string[] = [];
  let lastLog = t0;
  for (let start = 0; start < memberIds.length && Date.now() < budget.deadline && !budget.aborted(); start += BULK_SIZE) {
    const batch = memberIds.slice(start, start + BULK_SIZE);
    try {
      const r = await http.scim('PATCH', `/Groups/${encodeURIComponent(groupId)}`, addMembersPatch(batch));
      if (r.status >= 200 && r.status < 300) added += batch.length;
      else {
        errors++;
        if (samples.length < 5) samples.push(`PATCH /Groups → ${r.status}: ${snippet(r.body)}`);
      }
    } catch (e) {
      errors++;
      if (samples.length < 5) samples.push(`PATCH /Groups: ${(e as Error).message}`);
    }
    const now = performance.now();
    if (now - lastLog > 5_000) {
      lastLog = now;
      budget.log(`large group: ${added.toLocaleString('en-US')}/${memberIds.length.toLocaleString('en-US')} members`);
    }
  }
  return { added, errors, samples, seconds: (performance.now() - t0) / 1000 };
}
