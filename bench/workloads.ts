import { addMembersPatch, bulkCreateGroups, DEACTIVATE_PATCH, permutation, rng, userResource } from './dataset.js';
import { parseJson, snippet, type BenchHttp } from './http.js';
import { failedWorkload, runLoad, timeSingles, type Req, type WorkloadResult } from './load.js';
import type { BenchOptions } from './options.js';
import { createGroup, fillGroup, sendBulkCreates, type Budget, type Population } from './preload.js';

/** The SPEC §9 / issue 6 workloads. Each one sets up what it needs, then measures. */

export interface BenchContext extends Budget {
  http: BenchHttp;
  port: number;
  token: string;
  opts: BenchOptions;
  population: Population;
  /** Users in the store right now, as the server reports it (totalResults). */
  userCount(): Promise<number>;
}

export interface Workload {
  name: string;
  run(ctx: BenchContext): Promise<WorkloadResult>;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const usersPath = (id: string) => `/Users/${encodeURIComponent(id)}`;
const groupPath = (id: string) => `/Groups/${encodeURIComponent(id)}`;
const expectStatus = (...ok: number[]) => (status: number) => (ok.includes(status) ? undefined : `status ${status} (expected ${ok.join('/')})`);

function intField(body: string, field: string): number | undefined {
  const m = new RegExp(`"${field}"\\s*:\\s*(\\d+)`).exec(body);
  return m ? Number(m[1]) : undefined;
}

function nextCursorOf(body: string): string | undefined {
  return /"nextCursor"\s*:\s*"([^"]+)"/.exec(body)?.[1];
}

function needUsers(ctx: BenchContext, min: number): string | undefined {
  return ctx.population.ids.length < min ? `needs ${fmt(min)} preloaded users, have ${fmt(ctx.population.ids.length)}` : undefined;
}

const postUsers: Workload = {
  name: 'POST /Users',
  async run(ctx) {
    let k = 0;
    return runLoad(ctx.port, ctx.token, {
      name: this.name,
      users: await ctx.userCount(),
      durationS: ctx.opts.durationS,
      connections: ctx.opts.connections,
      connection: () => ({
        next: (): Req => {
          const i = k++;
          return { method: 'POST', path: '/Users', body: JSON.stringify(userResource(`post${i}@bench.test`, i)) };
        },
      }),
      check: expectStatus(201),
    });
  },
};

const getByUserName: Workload = {
  name: 'GET /Users?filter=userName eq',
  async run(ctx) {
    const why = needUsers(ctx, 1);
    if (why) return failedWorkload(this.name, await ctx.userCount(), ctx.opts.connections, why);
    const random = rng(42);
    const { userNames } = ctx.population;
    return runLoad(ctx.port, ctx.token, {
      name: this.name,
      users: await ctx.userCount(),
      durationS: ctx.opts.durationS,
      connections: ctx.opts.connections,
      connection: () => ({
        next: (): Req => {
          const name = userNames[Math.floor(random() * userNames.length)];
          return { method: 'GET', path: `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}` };
        },
      }),
      check: (status, body) => (status !== 200 ? `status ${status}` : intField(body, 'totalResults') !== 1 ? 'totalResults is not 1' : undefined),
    });
  },
};

const deactivate: Workload = {
  name: 'PATCH /Users active=false',
  async run(ctx) {
    const why = needUsers(ctx, 1);
    if (why) return failedWorkload(this.name, await ctx.userCount(), ctx.opts.connections, why);
    const { ids } = ctx.population;
    const perm = permutation(ids.length, 7);
    let k = 0;
    return runLoad(ctx.port, ctx.token, {
      name: this.name,
      users: await ctx.userCount(),
      durationS: ctx.opts.durationS,
      connections: ctx.opts.connections,
      // each request deactivates a different active user; never more requests than users
      maxRequests: ids.length,
      connection: () => ({ next: (): Req => ({ method: 'PATCH', path: usersPath(ids[perm(k++)]), body: DEACTIVATE_PATCH }) }),
      check: expectStatus(200, 204),
    });
  },
};

const listByIndex: Workload = {
  name: 'GET /Users list, index at middle',
  async run(ctx) {
    const users = await ctx.userCount();
    const startIndex = Math.floor(users / 2) + 1;
    return runLoad(ctx.port, ctx.token, {
      name: `GET /Users list, index startIndex=${startIndex}`,
      users,
      durationS: ctx.opts.durationS,
      connections: ctx.opts.connections,
      connection: () => ({ next: (): Req => ({ method: 'GET', path: `/Users?startIndex=${startIndex}&count=100` }) }),
      check: (status, body) => (status !== 200 ? `status ${status}` : intField(body, 'itemsPerPage') !== 100 ? 'itemsPerPage is not 100' : undefined),
    });
  },
};

/** Walks cursor pages of 1,000 from the start until half of the users are behind; returns that cursor. */
async function middleCursor(ctx: BenchContext, users: number): Promise<string> {
  const target = Math.floor(users / 2);
  let seen = 0;
  let cursor = '';
  const maxPages = Math.ceil(target / 10) + 10; // even if the server clamps count to 10
  const deadline = Math.min(ctx.deadline, Date.now() + 300_000);
  for (let page = 0; seen < target; page++) {
    if (page > maxPages || Date.now() > deadline || ctx.aborted()) throw new Error(`cursor walk to the middle stopped after ${page} pages (${fmt(seen)} users)`);
    const r = await ctx.http.scim('GET', `/Users?count=1000&cursor=${encodeURIComponent(cursor)}`);
    const body = parseJson(r.body);
    const next = typeof body?.nextCursor === 'string' ? body.nextCursor : undefined;
    const n = Array.isArray(body?.Resources) ? body.Resources.length : 0;
    if (r.status !== 200 || !next || n === 0) throw new Error(`cursor walk: GET /Users?cursor=… → ${r.status} after ${fmt(seen)} users: ${snippet(r.body)}`);
    seen += n;
    cursor = next;
  }
  return cursor;
}

const listByCursor: Workload = {
  name: 'GET /Users list, cursor from middle',
  async run(ctx) {
    const users = await ctx.userCount();
    let mid: string;
    try {
      mid = await middleCursor(ctx, users);
    } catch (e) {
      return failedWorkload(this.name, users, ctx.opts.connections, (e as Error).message);
    }
    return runLoad(ctx.port, ctx.token, {
      name: this.name,
      users,
      durationS: ctx.opts.durationS,
      connections: ctx.opts.connections,
      // each connection walks forward from the middle; at the end of the data it starts over there
      connection: () => {
        let cursor = mid;
        return {
          next: (): Req => ({ method: 'GET', path: `/Users?count=100&cursor=${encodeURIComponent(cursor)}` }),
          onResponse: (status, body) => {
            cursor = (status === 200 && nextCursorOf(body)) || mid;
          },
        };
      },
      check: (status, body) => {
        if (status !== 200) return `status ${status}`;
        const n = intField(body, 'itemsPerPage');
        return n === 100 || (n !== undefined && n < 100 && !nextCursorOf(body)) ? undefined : `itemsPerPage ${n ?? 'missing'} with a next cursor`;
      },
    });
  },
};

const addOneToLargeGroup: Workload = {
  name: 'PATCH /Groups +1 member, large group',
  async run(ctx) {
    const { ids } = ctx.population;
    const why = needUsers(ctx, 2000);
    if (why) return failedWorkload(this.name, await ctx.userCount(), ctx.opts.connections, why);
    const size = Math.max(1000, Math.floor(ids.length / 10));
    let groupId: string;
    try {
      groupId = await createGroup(ctx.http, 'bench-large');
      ctx.log(`building the large group: ${fmt(size)} members in PATCHes of 1,000`);
      const fill = await fillGroup(ctx.http, groupId, ids.slice(0, size), ctx);
      ctx.log(`large group: ${fmt(fill.added)} members in ${fill.seconds.toFixed(1)} s`);
      if (fill.errors > 0) throw new Error(`${fill.errors} PATCH batches failed: ${fill.samples.join(' | ')}`);
      if (fill.added < size) throw new Error(`only ${fmt(fill.added)} of ${fmt(size)} members added within the time budget`);
    } catch (e) {
      return failedWorkload(this.name, await ctx.userCount(), ctx.opts.connections, (e as Error).message);
    }
    const rest = ids.length - size;
    let k = 0;
    return runLoad(ctx.port, ctx.token, {
      name: `PATCH /Groups +1 member (group of ${fmt(size)})`,
      users: await ctx.userCount(),
      durationS: ctx.opts.durationS,
      connections: ctx.opts.connections,
      maxRequests: rest, // every request adds a user who is not a member yet
      connection: () => ({ next: (): Req => ({ method: 'PATCH', path: groupPath(groupId), body: addMembersPatch([ids[size + (k++ % rest)]]) }) }),
      check: expectStatus(200, 204),
    });
  },
};

const add1000: Workload = {
  name: 'PATCH /Groups +1,000 members',
  async run(ctx) {
    const { ids } = ctx.population;
    const why = needUsers(ctx, 1000);
    if (why) return failedWorkload(this.name, await ctx.userCount(), ctx.opts.connections, why);
    // A pool of groups, so that concurrent requests target different groups; group g gets the
    // windows of 1,000 users in order, so every request adds 1,000 users who are not members yet.
    const pool = Math.max(64, ctx.opts.connections * 4);
    const windows = Math.floor(ids.length / 1000);
    let groupIds: string[];
    try {
      const out = await sendBulkCreates(ctx.http, bulkCreateGroups(Array.from({ length: pool }, (_, g) => `bench-add1000-${g}`)), pool, 'Groups');
      if (out.failures > 0) throw new Error(`creating ${pool} groups: ${out.failures} failed: ${out.sample ?? ''}`);
      groupIds = out.ids as string[];
    } catch (e) {
      return failedWorkload(this.name, await ctx.userCount(), ctx.opts.connections, (e as Error).message);
    }
    let k = 0;
    return runLoad(ctx.port, ctx.token, {
      name: this.name,
      users: await ctx.userCount(),
      durationS: ctx.opts.durationS,
      connections: ctx.opts.connections,
      maxRequests: pool * windows,
      connection: () => ({
        next: (): Req => {
          const i = k++;
          const w = Math.floor(i / pool) % windows;
          return { method: 'PATCH', path: groupPath(groupIds[i % pool]), body: addMembersPatch(ids.slice(w * 1000, w * 1000 + 1000)) };
        },
      }),
      check: expectStatus(200, 204),
    });
  },
};

const add10000: Workload = {
  name: 'PATCH /Groups +10,000 members (single)',
  async run(ctx) {
    const { ids } = ctx.population;
    const why = needUsers(ctx, 10_000);
    if (why) return failedWorkload(this.name, await ctx.userCount(), 1, why);
    const windows = Math.floor(ids.length / 10_000);
    return timeSingles(
      ctx.http,
      { name: this.name, users: await ctx.userCount(), n: ctx.opts.singles, deadline: ctx.deadline, aborted: ctx.aborted },
      async (k) => {
        // a fresh empty group each time (not timed); 10,000 users not in it
        const groupId = await createGroup(ctx.http, `bench-add10k-${k}`);
        const w = k % windows;
        return { method: 'PATCH', path: groupPath(groupId), body: addMembersPatch(ids.slice(w * 10_000, w * 10_000 + 10_000)) };
      },
      expectStatus(200, 204),
    );
  },
};

const bulk1000: Workload = {
  name: 'POST /Bulk 1,000 creates (single)',
  async run(ctx) {
    return timeSingles(
      ctx.http,
      { name: this.name, users: await ctx.userCount(), n: ctx.opts.singles, deadline: ctx.deadline, aborted: ctx.aborted },
      async (k) => ({
        method: 'POST',
        path: '/Bulk',
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
          Operations: Array.from({ length: 1000 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `x${i}`, data: userResource(`bulk${k}-${i}@bench.test`, i) })),
        }),
      }),
      (status, body) => {
        if (status !== 200) return `status ${status}`;
        const ops = parseJson(body)?.Operations;
        if (!Array.isArray(ops) || ops.length !== 1000) return `${Array.isArray(ops) ? ops.length : 'no'} operations in the answer`;
        const failed = ops.filter((o) => String((o as Record<string, unknown>)?.status) !== '201');
        return failed.length ? `${failed.length} of 1,000 operations failed, e.g. ${snippet(JSON.stringify(failed[0]), 300)}` : undefined;
      },
    );
  },
};

export const WORKLOADS: Workload[] = [postUsers, getByUserName, deactivate, listByIndex, listByCursor, addOneToLargeGroup, add1000, add10000, bulk1000];
