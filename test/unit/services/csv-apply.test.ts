import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqliteStore } from '../../../src/adapters/sqlite/store.js';
import type { SiteRole } from '../../../src/domain/site-roles.js';
import type { Site } from '../../../src/domain/types.js';
import type { ImportMode } from '../../../src/policy/csv.js';
import { bootstrapStore } from '../../../src/services/bootstrap.js';
import type { RequestContext } from '../../../src/services/context.js';
import { applyCsvSiteRow, applyMembershipRequest } from '../../../src/services/csv-apply.js';

let store: SqliteStore;
let ctx: RequestContext;
let n = 0;
beforeAll(async () => {
  store = new SqliteStore(':memory:');
  await bootstrapStore(store, { scimToken: null, adminToken: null, now: Date.now() });
  const site = (await store.directory.findSiteById('default', 'default')) as Site;
  ctx = { scope: { tenantId: 'default', siteId: 'default' }, site, actor: 'test', requestId: 'req', now: Date.now };
});
afterAll(async () => { await store.close(); });

/** A member created through the CSV path with `role`, then one more request applied to it. */
async function twoSteps(initial: SiteRole | undefined, role: SiteRole | undefined, mode: ImportMode) {
  const userName = `u${++n}@unit.test`;
  const opts = { mode, channel: 'csv' as const, relicense: true };
  return store.transaction(ctx.scope, async (w) => {
    const state = await w.findSitePolicyState();
    const first = await applyCsvSiteRow(ctx, w, state, { kind: 'site', userName, displayName: null, email: null, ...(initial ? { role: initial } : {}) }, opts);
    if (initial === undefined) return first;
    const user = (await w.findTenantUserByUserName(userName))!;
    const cur = (await w.findUserById(user.id))!.membership;
    const r = await applyMembershipRequest(ctx, w, state, user, cur, { ...opts, role });
    return { outcome: r.outcome, siteRole: r.membership.siteRole, requested: r.membership.requestedRole, reason: r.reason };
  });
}

describe('applyMembershipRequest (one CSV row or TCM site entry)', () => {
  const table: [string, SiteRole | undefined, SiteRole | undefined, ImportMode, Record<string, unknown>][] = [
    ['R-CSV-12 overwrite lowers a site administrator to Viewer', 'SiteAdministratorCreator', 'Viewer', 'overwrite', { outcome: 'updated', siteRole: 'Viewer', requested: 'Viewer' }],
    ['R-CSV-12 overwrite raises Viewer to Creator', 'Viewer', 'Creator', 'overwrite', { outcome: 'updated', siteRole: 'Creator' }],
    ['R-CSV-12 the role already requested is no change', 'Creator', 'Creator', 'overwrite', { outcome: 'unchanged', siteRole: 'Creator', reason: null }],
    ['R-CSV-13 promoteOnly keeps a higher role', 'Creator', 'Viewer', 'promoteOnly', { outcome: 'unchanged', siteRole: 'Creator', reason: 'PROMOTE_ONLY_KEPT' }],
    ['R-CSV-13 promoteOnly raises a lower role', 'Viewer', 'ExplorerCanPublish', 'promoteOnly', { outcome: 'updated', siteRole: 'ExplorerCanPublish' }],
    ['R-CSV-13 promoteOnly with the same role is no change', 'Explorer', 'Explorer', 'promoteOnly', { outcome: 'unchanged', reason: null }],
    ['R-CSV-15 a row without a role keeps the current one', 'Creator', undefined, 'overwrite', { outcome: 'unchanged', siteRole: 'Creator' }],
    ['R-CSV-14 a new user without a role gets the default, Unlicensed', undefined, undefined, 'overwrite', { outcome: 'created', siteRole: 'Unlicensed', requested: 'Unlicensed' }],
    ['R-CSV-12 a new user gets the file role', 'Explorer', undefined, 'overwrite', { outcome: 'unchanged', siteRole: 'Explorer' }],
  ];
  it.each(table)('%s', async (_n, initial, role, mode, expected) => {
    expect(await twoSteps(initial, role, mode)).toMatchObject(expected);
  });

  it('R-CSV-16 seat exhaustion is a row outcome, and sending back the shown Unlicensed keeps the waiting request (echo-safe)', async () => {
    const siteId = 'unit-seats';
    await store.directory.insertSite({ id: siteId, tenantId: 'default', name: siteId, contentUrl: siteId, settings: { allowSeatBorrowing: false }, createdAt: Date.now() });
    const site = (await store.directory.findSiteById('default', siteId))!;
    const c2 = { ...ctx, scope: { tenantId: 'default', siteId }, site };
    await store.transaction(c2.scope, (w) => w.updateCapacity({ creator: 0, explorer: null, viewer: null }));
    const out = await store.transaction(c2.scope, async (w) => {
      const state = await w.findSitePolicyState();
      const opts = { mode: 'overwrite' as const, channel: 'csv' as const, relicense: true };
      const first = await applyCsvSiteRow(c2, w, state, { kind: 'site', userName: 'wait@unit.test', displayName: null, email: null, role: 'Creator' }, opts);
      const user = (await w.findTenantUserByUserName('wait@unit.test'))!;
      const cur = (await w.findUserById(user.id))!.membership;
      const echo = await applyMembershipRequest(c2, w, state, user, cur, { ...opts, role: 'Unlicensed' });
      return { first, echo: { outcome: echo.outcome, requested: echo.membership.requestedRole, reason: echo.reason } };
    });
    expect(out.first).toMatchObject({ outcome: 'created', siteRole: 'Unlicensed', requested: 'Creator', reason: 'LICENSE_EXHAUSTED' });
    expect(out.echo).toEqual({ outcome: 'unchanged', requested: 'Creator', reason: 'LICENSE_EXHAUSTED' });
  });

  it('R-TCM-05 a CSV row for a userName known in the tenant (any case) reuses the identity', async () => {
    const ids = await store.transaction(ctx.scope, async (w) => {
      const state = await w.findSitePolicyState();
      const opts = { mode: 'overwrite' as const, channel: 'csv' as const, relicense: true };
      await applyCsvSiteRow(ctx, w, state, { kind: 'site', userName: 'Same@unit.test', displayName: 'First', email: null, role: 'Viewer' }, opts);
      const again = await applyCsvSiteRow(ctx, w, state, { kind: 'site', userName: 'same@UNIT.test', displayName: 'Second', email: null, role: 'Creator' }, opts);
      const user = await w.findTenantUserByUserName('same@unit.test');
      return { again, user };
    });
    expect(ids.again).toMatchObject({ outcome: 'updated', siteRole: 'Creator' });
    expect(ids.user).toMatchObject({ userName: 'Same@unit.test', displayName: 'First' }); // identity attributes are not the file's to change
  });
});
