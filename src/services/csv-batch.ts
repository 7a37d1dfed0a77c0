import { AppError } from '../domain/errors.js';
import type { Site, SitePolicyState, TierCounts, UserRecord } from '../domain/types.js';
import type { SiteWriter, Store } from '../ports/storage.js';
import type { ImportMode, ParsedRow } from '../policy/csv.js';
import { applyCloudAdminRow, applyCsvSiteRow, type RowResult } from './csv-apply.js';
import type { RequestContext } from './context.js';

/** One row on its way through a batch; `result` is set before (file problems) or by the batch. */
export interface BatchItem {
  line: number;
  userName: string | null;
  parsed: ParsedRow;
  /** The row's site (the job's site, or the TCM row's site). */
  site?: Site;
  siteUri?: string;
  result?: RowResult;
}

/** What a dry run carries from one rolled-back batch to the next: seats taken per site, cloud-admin grants. */
export interface DryRunCarry {
  seats: Map<string, TierCounts>;
  cloudAdmins: number;
}

/** How a batch applies its rows: the import's mode and dry-run switch, audit tag and carried dry-run state. */
export interface BatchOptions {
  mode: ImportMode;
  dryRun: boolean;
  authSetting?: string;
  tag: Record<string, unknown>;
  carry: DryRunCarry;
  onError?: (err: unknown, msg: string) => void;
}

/** Thrown at the end of a dry-run batch: rolls the transaction back, carrying the results out. */
class DryRunRollback extends Error {
  constructor(readonly results: RowResult[], readonly seats: Map<string, TierCounts>, readonly cloudAdmins: number) {
    super('dry run');
  }
}

const add = (a: TierCounts, b: TierCounts): TierCounts => ({ creator: a.creator + b.creator, explorer: a.explorer + b.explorer, viewer: a.viewer + b.viewer });
const sub = (a: TierCounts, b: TierCounts): TierCounts => ({ creator: a.creator - b.creator, explorer: a.explorer - b.explorer, viewer: a.viewer - b.viewer });

/** Identities and cloud-admin grants a dry-run batch "wrote": kept in memory for the rest of the batch. */
interface DryBatch {
  users: Map<string, UserRecord>;
  granted: number;
}

/**
 * The writer of a dry run: reads are real (inside the batch's transaction, which is rolled
 * back), writes are not executed but captured — new identities in memory (a TCM file may name
 * one user on several sites), cloud-admin grants counted, seats taken only in the policy state
 * the caller holds — so the same row code and policy functions decide every row read-only.
 * Any other write is refused loudly instead of being silently simulated.
 */
function dryWriter(w: SiteWriter, carry: DryRunCarry, batch: DryBatch): SiteWriter {
  const skip = async () => undefined;
  return new Proxy(w, {
    get(target, prop) {
      switch (prop) {
        case 'scope': return target.scope;
        case 'findTenantUserByUserName': return async (name: string) => batch.users.get(name.toLowerCase()) ?? target.findTenantUserByUserName(name);
        case 'insertUser': return async (u: UserRecord) => void batch.users.set(u.userName.toLowerCase(), u);
        case 'countCloudAdmins': return async () => (await target.countCloudAdmins()) + carry.cloudAdmins + batch.granted;
        case 'setCloudAdmin': return async (_id: string, flag: boolean) => { if (flag) batch.granted++; };
        case 'updateMembership': return async () => true;
        case 'insertMembership': case 'adjustSeats': case 'setServerSeat': case 'appendAudit': case 'updateUser': case 'touchMembershipsOfUser': return skip;
        case 'forSite': return async (siteId: string) => dryWriter(await target.forSite(siteId), carry, batch);
      }
      if (typeof prop === 'string' && /^(find|count)[A-Z]/.test(prop)) {
        return (Reflect.get(target, prop, target) as (...a: unknown[]) => unknown).bind(target);
      }
      return () => { throw new Error(`dry run: ${String(prop)} is not simulated`); };
    },
  });
}

/** Applies the rows of one batch in one unit of work; the results land on the items. */
async function applyInOneUnit(store: Store, ctx: RequestContext, items: BatchItem[], opts: BatchOptions): Promise<void> {
  try {
    const results = await store.transaction(ctx.scope, async (w0) => {
      const dry: DryBatch = { users: new Map(), granted: 0 };
      const root = opts.dryRun ? dryWriter(w0, opts.carry, dry) : w0;
      const sites = new Map<string, { w: SiteWriter; state: SitePolicyState; ctx: RequestContext; used0: TierCounts }>();
      const siteOf = async (site: Site) => {
        let s = sites.get(site.id);
        if (!s) {
          const home = site.id === ctx.scope.siteId;
          const w = home ? root : await root.forSite(site.id);
          const state = await w.findSitePolicyState();
          const carried = opts.dryRun ? opts.carry.seats.get(site.id) : undefined;
          if (carried) state.used = add(state.used, carried);
          s = { w, state, used0: { ...state.used }, ctx: home ? ctx : { ...ctx, scope: { tenantId: ctx.scope.tenantId, siteId: site.id }, site } };
          sites.set(site.id, s);
        }
        return s;
      };
      const out: RowResult[] = [];
      for (const it of items) {
        const p = it.parsed;
        if (p.kind === 'cloudAdmin') out.push(await applyCloudAdminRow(ctx, root, p, opts.tag));
        else if (p.kind === 'site') {
          const s = await siteOf(it.site!);
          out.push(await applyCsvSiteRow(s.ctx, s.w, s.state, p, {
            mode: opts.mode, channel: 'csv', relicense: !opts.dryRun, tag: opts.tag, authSetting: opts.authSetting,
          }));
        }
      }
      if (opts.dryRun) throw new DryRunRollback(out, new Map([...sites].map(([id, s]) => [id, sub(s.state.used, s.used0)])), dry.granted);
      return out;
    });
    items.forEach((it, i) => { it.result = results[i]; });
  } catch (e) {
    if (!(e instanceof DryRunRollback)) throw e;
    items.forEach((it, i) => { it.result = e.results[i]; });
    for (const [id, d] of e.seats) opts.carry.seats.set(id, add(opts.carry.seats.get(id) ?? { creator: 0, explorer: 0, viewer: 0 }, d));
    opts.carry.cloudAdmins += e.cloudAdmins;
  }
}

/**
 * Applies a batch of rows (a few hundred) as one transaction. Rows the file already made
 * impossible carry their result and are skipped. A failure the row checks did not foresee
 * rolls the batch back and replays it one row per transaction, so it costs only that row:
 * a bad row never aborts the good ones.
 */
export async function runBatch(store: Store, ctx: RequestContext, items: BatchItem[], opts: BatchOptions): Promise<void> {
  const todo = items.filter((i) => !i.result);
  if (!todo.length) return;
  try {
    await applyInOneUnit(store, ctx, todo, opts);
  } catch {
    for (const it of todo) {
      try {
        await applyInOneUnit(store, ctx, [it], opts);
      } catch (err) {
        if (err instanceof AppError) it.result = { outcome: 'rejected', siteRole: null, requested: null, reason: String(err.details?.reason ?? err.code), detail: err.message };
        else {
          opts.onError?.(err, `import row ${it.line} failed`);
          it.result = { outcome: 'rejected', siteRole: null, requested: null, reason: 'INTERNAL_ERROR', detail: 'An unexpected error occurred on this row; see the server log' };
        }
      }
    }
  }
}
