/**
 * The crash-safety scenario (SPEC §9 "a crash at any moment loses no acknowledged write and
 * leaves no half-applied policy change or audit gap"), shared by the short jest run and the
 * long run (`CRASH_KILLS=200`).
 *
 * A real server process on a SQLite file takes a mixed SCIM load — creates with roles under a
 * small license pool, active toggles, role changes, group member adds and removes, deletes —
 * and is SIGKILLed at a random moment, then restarted on the same file, over and over. The
 * client keeps a ledger: what was acknowledged (2xx), what was refused, and what was in flight
 * when the process died (outcome unknown). Every request carries its own X-Request-Id, which
 * the audit log records on the events the request wrote. After each kill the store (copied as
 * the crash left it) must show:
 *   - every acknowledged write (ledger = store, field by field; deleted ids gone);
 *   - each in-flight request either whole or not at all (state and its events agree);
 *   - seat counters equal to the licensed memberships, maintained counts equal to the rows;
 *   - an intact hash chain, and for every acknowledged change exactly one domain event of its
 *     kind (request entries are buffered by design and may be lost: only kind=event counts);
 *   - no event from a request that was never sent.
 * Some cycles kill a `/Bulk` midway instead: the operations applied must be a prefix of the
 * request, each one whole, and nothing else applied.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditHash, GENESIS_HASH, type AuditEntry } from '../../src/domain/audit.js';
import {
  BULK_REQUEST, Client, NetworkError, PATCH_OP, TABLEAU, freePort, prng, requestId, sleep, snapshotDbFiles, snapshotDist, spawnServer, type ServerProc,
} from './harness.js';

type Role = 'Creator' | 'Explorer' | 'Viewer' | 'Unlicensed';
const ROLES: Role[] = ['Creator', 'Explorer', 'Viewer', 'Unlicensed'];
const CAPACITY = { creator: 4, explorer: 8, viewer: 12 };
const SITE = 'default';
const TENANT = 'default';

interface UserL { id: string; userName: string; active: boolean; role: Role }
type Kind = 'create' | 'active' | 'role' | 'addMember' | 'removeMember' | 'delete' | 'createGroup';
interface Op {
  kind: Kind; rid: string; outcome?: 'acked' | 'rejected' | 'unknown'; status?: number;
  userId?: string; groupId?: string; userName?: string; displayName?: string;
  role?: Role; active?: boolean; createdId?: string;
}

/** Domain events each acknowledged change must have written exactly once (counted per request). */
const ACTIVE_EVENTS = new Set(['LicenseGranted', 'LicenseRevoked', 'UserUpdated']);
function expectedEvents(op: Op): Record<string, number> {
  switch (op.kind) {
    case 'create': return { UserProvisioned: 1 };
    case 'active': return { '<active>': 1 };
    case 'role': return { SiteRoleChanged: 1 };
    case 'addMember': return { GroupMembersAdded: 1 };
    case 'removeMember': return { GroupMembersRemoved: 1 };
    case 'delete': return { MembershipRemoved: 1, UserDeleted: 1 };
    case 'createGroup': return { GroupCreated: 1 };
  }
}

export interface CrashFigures {
  seed: number; kills: number; bulkKills: number; requests: number; acknowledged: number; rejected: number; serverErrors: number;
  inFlightAtKill: number; inFlightApplied: number; lost: number; bulkOpsApplied: number; bulkOpsSent: number;
  chainChecks: number; chainEntries: number; events: number; usersAtEnd: number; seconds: number; problems: string[];
}

interface DbEvent { seq: number; requestId: string | null; event: string; targetId: string | null; data: string }

export async function runCrashScenario(opts: { kills: number; bulkEvery?: number; seed?: number; workers?: number; log?: (s: string) => void; stableDist?: boolean }): Promise<CrashFigures> {
  const seed = opts.seed ?? Date.now() % 1_000_000;
  const rnd = prng(seed);
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'rolegate-crash-'));
  const dbPath = join(dir, 'rolegate.db');
  const port = await freePort();
  const started = Date.now();
  const f: CrashFigures = {
    seed, kills: 0, bulkKills: 0, requests: 0, acknowledged: 0, rejected: 0, serverErrors: 0, inFlightAtKill: 0, inFlightApplied: 0,
    lost: 0, bulkOpsApplied: 0, bulkOpsSent: 0, chainChecks: 0, chainEntries: 0, events: 0, usersAtEnd: 0, seconds: 0, problems: [],
  };
  const problem = (s: string) => { if (f.problems.length < 50) f.problems.push(s); };

  // ---- the ledger -----------------------------------------------------------------------
  const users = new Map<string, UserL>();
  const groups = new Map<string, Set<string>>();
  const deleted = new Set<string>();
  const everCreated = new Set<string>();
  const sentRids = new Set<string>();
  const provisioned = new Map<string, number>(); // UserProvisioned events per target over the whole run
  let lastSeq = 0;
  let nameSeq = 0;
  let bulkDuration = 0;

  const dist = opts.stableDist ? snapshotDist() : undefined;
  const mainJs = dist?.mainJs;
  let server: ServerProc = await spawnServer({ dbPath, port, mainJs });
  let client = new Client(server.url, 16);
  try {
    // Setup: a small license pool and a few groups (acknowledged like any other write).
    const rid0 = requestId('setup');
    sentRids.add(rid0);
    const cap = await client.admin('PUT', `/sites/${SITE}/licenses`, CAPACITY, rid0);
    if (cap.status !== 200) throw new Error(`licenses: ${cap.status} ${cap.text}`);
    for (let i = 0; i < 3; i++) {
      const rid = requestId('setup');
      sentRids.add(rid);
      const g = await client.scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `crash-group-${i}` }, rid);
      if (g.status !== 201) throw new Error(`group: ${g.status} ${g.text}`);
      groups.set(g.body.id, new Set());
    }

    const bulkEvery = opts.bulkEvery ?? 7;
    for (let cycle = 1; cycle <= opts.kills; cycle++) {
      const bulk = bulkEvery > 0 && cycle % bulkEvery === 0;
      let ops: Op[];
      if (bulk) {
        const r = await bulkCycle(cycle);
        ops = r;
      } else {
        ops = await loadCycle(cycle);
      }
      // The process is dead: inspect the store exactly as the crash left it.
      inspect(cycle, ops);
      server = await restart();
      client = new Client(server.url, 16);
      await checkThroughApi(cycle);
      f.kills++;
      if (cycle % 10 === 0) log(`crash: ${cycle}/${opts.kills} kills, ${f.acknowledged} writes acknowledged, ${f.lost} lost, ${users.size} users`);
    }
    f.usersAtEnd = users.size;
    // Every user ever created has exactly one UserProvisioned event over the whole run.
    for (const id of everCreated) if ((provisioned.get(id) ?? 0) !== 1) problem(`user ${id}: ${provisioned.get(id) ?? 0} UserProvisioned events`);
    for (const [id, n] of provisioned) if (!everCreated.has(id)) problem(`UserProvisioned ×${n} for ${id}, a user no request created`);
  } finally {
    client.close();
    await server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    dist?.remove();
    f.seconds = Math.round((Date.now() - started) / 100) / 10;
  }
  return f;

  /** A start that dies of a signal from outside (a shared machine) is one more crash: start again. */
  async function restart(): Promise<ServerProc> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await spawnServer({ dbPath, port, mainJs });
      } catch (e) {
        if (attempt >= 3 || !/exited \(SIG/.test((e as Error).message)) throw e;
        log(`crash: the server was killed from outside while starting (${(e as Error).message.split('\n')[0]}); starting again`);
      }
    }
  }

  // ---- one cycle of mixed load, ended by SIGKILL ------------------------------------------
  async function loadCycle(cycle: number): Promise<Op[]> {
    const ops: Op[] = [];
    const locked = new Set<string>();
    const tainted = new Set<string>();
    let stop = false;
    const killAfter = rnd.int(80, 600);
    const workers = Array.from({ length: opts.workers ?? 6 }, async () => {
      while (!stop) {
        const op = choose(locked, tainted, cycle);
        if (!op) { await sleep(1); continue; }
        ops.push(op);
        const keys = [op.userId, op.groupId].filter((k): k is string => !!k);
        keys.forEach((k) => locked.add(k));
        try {
          await execute(op);
        } finally {
          keys.forEach((k) => locked.delete(k));
          if (op.outcome === 'unknown') keys.forEach((k) => tainted.add(k));
        }
      }
    });
    await sleep(killAfter);
    stop = true; // no new requests: the ones in flight now are the ones the kill interrupts
    await server.kill('SIGKILL');
    await Promise.all(workers);
    client.close();
    if (process.env.CRASH_DEBUG) opts.log?.(`cycle ${cycle}: killed after ${killAfter} ms, ${ops.length} requests, ${ops.filter((o) => o.outcome === 'acked').length} acknowledged`);
    return ops;
  }

  function choose(locked: Set<string>, tainted: Set<string>, cycle: number): Op | undefined {
    const free = (id: string) => !locked.has(id) && !tainted.has(id);
    const userIds = [...users.keys()].filter(free);
    const groupIds = [...groups.keys()].filter(free);
    const r = rnd.next();
    const rid = requestId(`c${cycle}`);
    if (r < 0.3 || userIds.length < 5) {
      if (users.size > 250) return undefined;
      return { kind: 'create', rid, userName: `crash${seed}.${nameSeq++}@example.test`, role: rnd.pick(ROLES), active: rnd.next() < 0.8 };
    }
    if (r < 0.31 && groups.size < 8) return { kind: 'createGroup', rid, displayName: `crash-group-${seed}-${nameSeq++}` };
    const u = users.get(rnd.pick(userIds))!;
    if (r < 0.5) return { kind: 'active', rid, userId: u.id, active: !u.active };
    // Never to Unlicensed: with no seat free the output shows Unlicensed, and sending that back is an echo, not a request (SPEC §5.8).
    if (r < 0.62) return { kind: 'role', rid, userId: u.id, role: rnd.pick(ROLES.filter((x) => x !== u.role && x !== 'Unlicensed')) };
    if (r < 0.9 && groupIds.length) {
      const g = rnd.pick(groupIds);
      const isIn = groups.get(g)!.has(u.id);
      return { kind: isIn ? 'removeMember' : 'addMember', rid, userId: u.id, groupId: g };
    }
    // Deleting takes the user out of every group: lock them all (skip while one is busy).
    const inGroups = [...groups].filter(([, m]) => m.has(u.id)).map(([g]) => g);
    if (inGroups.some((g) => !free(g))) return undefined;
    return { kind: 'delete', rid, userId: u.id };
  }

  async function execute(op: Op): Promise<void> {
    sentRids.add(op.rid);
    f.requests++;
    let status: number;
    let body: any;
    try {
      const r = await send(op);
      status = r.status;
      body = r.body;
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
      op.outcome = 'unknown';
      f.inFlightAtKill++;
      return;
    }
    op.status = status;
    if (status >= 500) {
      f.serverErrors++;
      problem(`${op.kind} ${op.rid}: HTTP ${status} ${JSON.stringify(body)}`);
      op.outcome = 'unknown';
      return;
    }
    if (status >= 400) {
      f.rejected++;
      op.outcome = 'rejected';
      return;
    }
    op.outcome = 'acked';
    f.acknowledged++;
    applyToLedger(op, body);
  }

  function send(op: Op) {
    switch (op.kind) {
      case 'create':
        return client.scim('POST', '/Users', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', TABLEAU], userName: op.userName, active: op.active,
          name: { givenName: 'Crash', familyName: 'Test' }, emails: [{ value: op.userName, type: 'work', primary: true }],
          [TABLEAU]: { siteRoles: [{ value: op.role }] },
        }, op.rid, 10_000);
      case 'active':
        return client.scim('PATCH', `/Users/${op.userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: op.active }] }, op.rid, 10_000);
      case 'role':
        return client.scim('PATCH', `/Users/${op.userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${TABLEAU}:siteRoles`, value: [{ value: op.role }] }] }, op.rid, 10_000);
      case 'addMember':
        return client.scim('PATCH', `/Groups/${op.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: op.userId }] }] }, op.rid, 10_000);
      case 'removeMember':
        return client.scim('PATCH', `/Groups/${op.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${op.userId}"]` }] }, op.rid, 10_000);
      case 'delete':
        return client.scim('DELETE', `/Users/${op.userId}`, undefined, op.rid, 10_000);
      case 'createGroup':
        return client.scim('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: op.displayName }, op.rid, 10_000);
    }
  }

  function applyToLedger(op: Op, body?: any, adoptedId?: string) {
    switch (op.kind) {
      case 'create': {
        const id = adoptedId ?? (body.id as string);
        op.createdId = id;
        users.set(id, { id, userName: op.userName!, active: op.active!, role: op.role! });
        everCreated.add(id);
        break;
      }
      case 'active': users.get(op.userId!)!.active = op.active!; break;
      case 'role': users.get(op.userId!)!.role = op.role!; break;
      case 'addMember': groups.get(op.groupId!)!.add(op.userId!); break;
      case 'removeMember': groups.get(op.groupId!)!.delete(op.userId!); break;
      case 'delete':
        users.delete(op.userId!);
        deleted.add(op.userId!);
        for (const m of groups.values()) m.delete(op.userId!);
        break;
      case 'createGroup': groups.set(adoptedId ?? (body.id as string), new Set()); break;
    }
  }

  // ---- a /Bulk killed midway ---------------------------------------------------------------
  async function bulkCycle(cycle: number): Promise<Op[]> {
    const rid = requestId(`bulk${cycle}`);
    sentRids.add(rid);
    f.requests++;
    const plan: { method: 'POST' | 'PATCH'; n: number; userName: string; role: Role }[] = [];
    const Operations: unknown[] = [];
    for (let i = 0; i < 120; i++) {
      const userName = `bulk${seed}.${cycle}.${i}@example.test`;
      const role = rnd.pick(ROLES);
      plan.push({ method: 'POST', n: i, userName, role });
      Operations.push({
        method: 'POST', path: '/Users', bulkId: `b${i}`, data: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', TABLEAU], userName, active: true,
          emails: [{ value: userName, type: 'work', primary: true }], [TABLEAU]: { siteRoles: [{ value: role }] },
        },
      });
      if (i % 2 === 0) {
        plan.push({ method: 'PATCH', n: i, userName, role });
        Operations.push({ method: 'PATCH', path: `/Users/bulkId:b${i}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } });
      }
    }
    f.bulkOpsSent += plan.length;
    // The first bulk runs to completion (it measures how long a bulk takes); later ones are killed within that time.
    const killAt = bulkDuration ? rnd.int(Math.round(bulkDuration * 0.1), Math.round(bulkDuration * 0.9)) : undefined;
    const t0 = performance.now();
    const pending = client.scim('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations }, rid, 60_000).then((r) => r, (e: unknown) => e);
    let reply: Awaited<ReturnType<Client['scim']>> | undefined;
    if (killAt !== undefined) {
      await sleep(killAt);
      await server.kill('SIGKILL');
      f.bulkKills++;
      const r = await pending;
      if (!(r instanceof Error)) reply = r as typeof reply;
    } else {
      const r = await pending;
      if (r instanceof Error) throw r;
      reply = r as typeof reply;
      bulkDuration = performance.now() - t0;
      await server.kill('SIGKILL');
    }
    client.close();
    if (reply && reply.status >= 500) { f.serverErrors++; problem(`bulk ${rid}: HTTP ${reply.status}`); }
    const acked = reply?.status === 200 ? (reply.body.Operations as { status: string }[]) : undefined;
    if (acked) f.acknowledged += acked.filter((o) => /^2/.test(o.status)).length;
    else f.inFlightAtKill += 1;
    inspectBulk(rid, plan, acked);
    return [];
  }

  function inspectBulk(rid: string, plan: { method: 'POST' | 'PATCH'; n: number; userName: string; role: Role }[], acked?: { status: string }[]) {
    const copy = snapshotDbFiles(dbPath, join(dir, `inspect-bulk-${rid}.db`));
    const db = new Database(copy);
    try {
      const rows = new Map((db.prepare(`SELECT u.id, u.user_name AS userName, m.active FROM users u JOIN site_memberships m ON m.user_id = u.id AND m.site_id = ?
        WHERE u.user_name LIKE ?`).all(SITE, `bulk${seed}.%`) as { id: string; userName: string; active: number }[]).map((r) => [r.userName, r]));
      const applied = plan.map((p) => {
        const row = rows.get(p.userName);
        return p.method === 'POST' ? !!row : !!row && row.active === 0;
      });
      const firstMissing = applied.indexOf(false);
      const prefix = firstMissing < 0 ? applied.length : firstMissing;
      if (applied.slice(prefix).some(Boolean)) problem(`bulk ${rid}: applied operations are not a prefix (${applied.map((a) => (a ? 1 : 0)).join('')})`);
      if (acked) {
        acked.forEach((o, i) => { if (/^2/.test(o.status) && !applied[i]) { f.lost++; problem(`bulk ${rid}: acknowledged op ${i} (${plan[i]!.method}) lost`); } });
      }
      f.bulkOpsApplied += applied.filter(Boolean).length;
      // Events of this request: one UserProvisioned per applied POST, one license/active event per applied PATCH, nothing else's.
      const events = db.prepare("SELECT event, target_id AS targetId FROM audit_entries WHERE kind = 'event' AND request_id = ?").all(rid) as { event: string; targetId: string }[];
      const bulkIds = new Map<string, string>();
      for (const [userName, r] of rows) if (userName.startsWith(`bulk${seed}.`)) bulkIds.set(r.id, userName);
      const perTarget = new Map<string, Record<string, number>>();
      for (const e of events) {
        if (!bulkIds.has(e.targetId)) problem(`bulk ${rid}: event ${e.event} on ${e.targetId}, not a user of this bulk`);
        const c = perTarget.get(e.targetId) ?? {};
        // A create may itself grant a seat (LicenseGranted); the deactivation is LicenseRevoked or UserUpdated.
        const k = e.event === 'LicenseRevoked' || e.event === 'UserUpdated' ? '<deactivated>' : e.event;
        c[k] = (c[k] ?? 0) + 1;
        perTarget.set(e.targetId, c);
      }
      plan.forEach((p, i) => {
        const row = rows.get(p.userName);
        if (!applied[i] || !row) return;
        const c = perTarget.get(row.id) ?? {};
        if (p.method === 'POST' && c.UserProvisioned !== 1) problem(`bulk ${rid}: ${p.userName} has ${c.UserProvisioned ?? 0} UserProvisioned events`);
        if (p.method === 'PATCH' && c['<deactivated>'] !== 1) problem(`bulk ${rid}: ${p.userName} deactivated with ${c['<deactivated>'] ?? 0} events for it`);
        if ((c.LicenseGranted ?? 0) > 1) problem(`bulk ${rid}: ${p.userName} has ${c.LicenseGranted} LicenseGranted events`);
      });
      // Adopt what was applied into the ledger.
      plan.forEach((p, i) => {
        const row = rows.get(p.userName);
        if (!row || !applied[i]) return;
        if (p.method === 'POST') { users.set(row.id, { id: row.id, userName: p.userName, active: true, role: p.role }); everCreated.add(row.id); }
        else users.get(row.id)!.active = false;
      });
    } finally {
      db.close();
      rmSync(copy, { force: true });
      rmSync(`${copy}-wal`, { force: true });
    }
  }

  // ---- the store after a kill ---------------------------------------------------------------
  function inspect(cycle: number, ops: Op[]) {
    const copy = snapshotDbFiles(dbPath, join(dir, `inspect-${cycle}-${Date.now()}.db`));
    const db = new Database(copy);
    try {
      const dbUsers = new Map((db.prepare(`SELECT u.id, u.user_name AS userName, m.active, m.requested_role AS role
        FROM users u JOIN site_memberships m ON m.user_id = u.id AND m.site_id = ? WHERE u.tenant_id = ?`).all(SITE, TENANT) as
        { id: string; userName: string; active: number; role: Role }[]).map((r) => [r.id, r]));
      const byName = new Map([...dbUsers.values()].map((u) => [u.userName, u]));
      const dbGroups = db.prepare('SELECT id, display_name AS displayName, member_count AS memberCount FROM groups WHERE site_id = ?').all(SITE) as
        { id: string; displayName: string; memberCount: number }[];
      const dbMembers = new Set((db.prepare('SELECT gm.group_id AS g, gm.member_id AS m FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE g.site_id = ?')
        .all(SITE) as { g: string; m: string }[]).map((r) => `${r.g}|${r.m}`));
      // The first start's bootstrap marker (actor system:bootstrap) belongs to no request.
      const events = db.prepare("SELECT seq, request_id AS requestId, event, target_id AS targetId, data FROM audit_entries WHERE tenant_id = ? AND kind = 'event' AND seq > ? AND (actor IS NULL OR actor <> 'system:bootstrap') ORDER BY seq")
        .all(TENANT, lastSeq) as DbEvent[];
      const byRid = new Map<string, DbEvent[]>();
      for (const e of events) {
        f.events++;
        if (e.event === 'UserProvisioned' && e.targetId) provisioned.set(e.targetId, (provisioned.get(e.targetId) ?? 0) + 1);
        if (e.requestId === null || !sentRids.has(e.requestId)) { problem(`event ${e.event} #${e.seq} from request ${e.requestId}, which was never sent`); continue; }
        const list = byRid.get(e.requestId) ?? [];
        list.push(e);
        byRid.set(e.requestId, list);
      }
      if (events.length) lastSeq = events.at(-1)!.seq;

      const count = (list: DbEvent[] | undefined) => {
        const c: Record<string, number> = {};
        for (const e of list ?? []) { const k = ACTIVE_EVENTS.has(e.event) ? '<active>' : e.event; c[k] = (c[k] ?? 0) + 1; }
        return c;
      };
      const eventsMatch = (op: Op, list: DbEvent[] | undefined) => {
        const c = count(list);
        return Object.entries(expectedEvents(op)).every(([k, n]) => c[k] === n);
      };

      // 1. Every request: acknowledged → its events exactly; in flight → whole or nothing; refused → no change events.
      for (const op of ops) {
        const list = byRid.get(op.rid);
        if (op.outcome === 'acked') {
          if (!eventsMatch(op, list)) { f.lost++; problem(`acknowledged ${op.kind} ${op.rid}: events ${JSON.stringify(count(list))}, expected ${JSON.stringify(expectedEvents(op))}`); }
        } else if (op.outcome === 'rejected') {
          if (list?.some((e) => e.event !== 'PolicyDenied')) problem(`refused ${op.kind} ${op.rid} (HTTP ${op.status}) wrote ${JSON.stringify(count(list))}`);
        } else {
          const applied = wasApplied(op, dbUsers, byName, dbGroups, dbMembers);
          if (applied) {
            f.inFlightApplied++;
            if (!eventsMatch(op, list)) problem(`in-flight ${op.kind} ${op.rid} applied, but its events are ${JSON.stringify(count(list))}`);
            applyToLedger(op, undefined, op.kind === 'create' ? byName.get(op.userName!)!.id : op.kind === 'createGroup' ? dbGroups.find((g) => g.displayName === op.displayName)!.id : undefined);
          } else if (list?.length) {
            problem(`in-flight ${op.kind} ${op.rid} not applied, but wrote ${JSON.stringify(count(list))} (half-applied)`);
          }
        }
      }

      // 2. The ledger equals the store, field by field.
      for (const u of users.values()) {
        const row = dbUsers.get(u.id);
        if (!row) { f.lost++; problem(`user ${u.id} (${u.userName}) was acknowledged but is missing`); continue; }
        if (Boolean(row.active) !== u.active) { f.lost++; problem(`user ${u.userName}: active ${Boolean(row.active)}, acknowledged ${u.active}`); }
        if (row.role !== u.role) { f.lost++; problem(`user ${u.userName}: requested role ${row.role}, acknowledged ${u.role}`); }
      }
      for (const id of deleted) if (dbUsers.has(id)) { f.lost++; problem(`user ${id} was deleted (acknowledged) but is back`); }
      for (const id of dbUsers.keys()) if (!users.has(id)) problem(`user ${id} (${dbUsers.get(id)!.userName}) exists but no request created it`);
      for (const [g, members] of groups) {
        const row = dbGroups.find((x) => x.id === g);
        if (!row) { f.lost++; problem(`group ${g} missing`); continue; }
        for (const m of members) if (!dbMembers.has(`${g}|${m}`)) { f.lost++; problem(`group ${g}: acknowledged member ${m} missing`); }
        const inDb = [...dbMembers].filter((k) => k.startsWith(`${g}|`)).map((k) => k.split('|')[1]!);
        for (const m of inDb) if (!members.has(m)) { f.lost++; problem(`group ${g}: member ${m} present, acknowledged as absent`); }
        if (row.memberCount !== inDb.length) problem(`group ${g}: member_count ${row.memberCount} but ${inDb.length} member rows (half-applied)`);
      }
      if (dbGroups.length !== groups.size) problem(`${dbGroups.length} groups in the store, ${groups.size} acknowledged`);

      // 3. No half-applied policy: seat counters = licensed memberships; maintained counts = rows.
      const site = db.prepare('SELECT used_creator AS creator, used_explorer AS explorer, used_viewer AS viewer, user_count AS users, group_count AS groups FROM sites WHERE id = ?').get(SITE) as Record<string, number>;
      const seats: Record<string, number> = { creator: 0, explorer: 0, viewer: 0 };
      for (const r of db.prepare('SELECT seat_tier AS tier, count(*) AS n FROM site_memberships WHERE site_id = ? AND licensed = 1 GROUP BY seat_tier').all(SITE) as { tier: string | null; n: number }[]) {
        if (r.tier === null) problem(`${r.n} licensed memberships without a seat tier`);
        else seats[r.tier] = r.n;
      }
      for (const t of ['creator', 'explorer', 'viewer'] as const) {
        if (site[t] !== seats[t]) problem(`seat counter ${t} = ${site[t]}, licensed memberships = ${seats[t]} (half-applied policy change)`);
        if (seats[t]! > CAPACITY[t]) problem(`${seats[t]} ${t} seats held, capacity ${CAPACITY[t]}`);
      }
      if (site.users !== dbUsers.size) problem(`user_count ${site.users}, memberships ${dbUsers.size}`);
      if (site.groups !== dbGroups.length) problem(`group_count ${site.groups}, groups ${dbGroups.length}`);

      // 4. The hash chain, recomputed from the rows.
      verifyChain(db);
    } finally {
      db.close();
      rmSync(copy, { force: true });
      rmSync(`${copy}-wal`, { force: true });
    }
  }

  function wasApplied(op: Op, dbUsers: Map<string, { active: number; role: string }>, byName: Map<string, { id: string }>, dbGroups: { displayName: string }[], dbMembers: Set<string>): boolean {
    switch (op.kind) {
      case 'create': return byName.has(op.userName!);
      case 'active': return Boolean(dbUsers.get(op.userId!)?.active) === op.active;
      case 'role': return dbUsers.get(op.userId!)?.role === op.role;
      case 'addMember': return dbMembers.has(`${op.groupId}|${op.userId}`);
      case 'removeMember': return !dbMembers.has(`${op.groupId}|${op.userId}`);
      case 'delete': return !dbUsers.has(op.userId!);
      case 'createGroup': return dbGroups.some((g) => g.displayName === op.displayName);
    }
  }

  function verifyChain(db: Database.Database) {
    f.chainChecks++;
    const rows = db.prepare('SELECT * FROM audit_entries WHERE tenant_id = ? ORDER BY seq').all(TENANT) as Record<string, unknown>[];
    let prev = GENESIS_HASH;
    for (const r of rows) {
      const e: AuditEntry = {
        id: r.id as string, tenantId: r.tenant_id as string, siteId: (r.site_id as string | null) ?? null, at: r.at as number,
        kind: r.kind as AuditEntry['kind'], event: r.event as AuditEntry['event'], actor: (r.actor as string | null) ?? null,
        targetType: (r.target_type as AuditEntry['targetType']) ?? null, targetId: (r.target_id as string | null) ?? null,
        reason: (r.reason as string | null) ?? null, requestId: (r.request_id as string | null) ?? null, data: JSON.parse(r.data as string),
      };
      if (r.prev_hash !== prev || auditHash(prev, e) !== r.hash) { problem(`audit chain broken at seq ${r.seq as number}`); return; }
      prev = r.hash as string;
    }
    const head = db.prepare('SELECT head_hash FROM audit_chain WHERE tenant_id = ?').get(TENANT) as { head_hash: string } | undefined;
    if ((head?.head_hash ?? GENESIS_HASH) !== prev) problem('audit_chain head does not match the last entry');
    f.chainEntries = rows.length;
  }

  // ---- the restarted server agrees --------------------------------------------------------
  async function checkThroughApi(cycle: number) {
    const verify = await client.admin('GET', '/audit/verify');
    if (verify.status !== 200 || verify.body.ok !== true) problem(`cycle ${cycle}: /audit/verify says ${verify.status} ${verify.text}`);
    const lic = await client.admin('GET', `/sites/${SITE}/licenses`);
    const list = await client.scim('GET', '/Users?count=0');
    if (list.body?.totalResults !== users.size) problem(`cycle ${cycle}: /Users totalResults ${list.body?.totalResults}, ledger ${users.size}`);
    const sample = [...users.values()].slice(-3);
    for (const u of sample) {
      const r = await client.scim('GET', `/Users/${u.id}`);
      if (r.status !== 200 || r.body.active !== u.active) { f.lost++; problem(`cycle ${cycle}: GET /Users/${u.id} → ${r.status} active=${r.body?.active}, acknowledged ${u.active}`); }
    }
    if (lic.status !== 200) problem(`cycle ${cycle}: licenses ${lic.status}`);
  }
}
