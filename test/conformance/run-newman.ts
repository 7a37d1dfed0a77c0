import newman from 'newman';
import { join } from 'node:path';

export const CONFORMANCE_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'conformance');

export interface NewmanOutcome {
  total: number;
  failed: number;
  requests: number;
  failures: { item: string; test: string; message: string }[];
}

/** Runs a Postman collection with newman (no network beyond the loopback server). */
export function runCollection(file: string, envVar: Record<string, string>): Promise<NewmanOutcome> {
  return new Promise((resolve, reject) => {
    newman.run({
      collection: join(CONFORMANCE_DIR, file),
      envVar: Object.entries(envVar).map(([key, value]) => ({ key, value })),
      reporters: [],
      timeoutRequest: 10_000,
    }, (err, summary) => {
      if (err) return reject(err);
      const a = summary.run.stats.assertions;
      resolve({
        total: a.total ?? 0, failed: a.failed ?? 0, requests: summary.run.stats.requests.total ?? 0,
        failures: summary.run.failures.map((f) => ({
          item: (f.source as { name?: string } | undefined)?.name ?? '?', test: f.error?.test ?? '', message: f.error?.message ?? '',
        })),
      });
    });
  });
}
