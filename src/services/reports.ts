import type { ReportKind, Store } from '../ports/storage.js';
import type { Site } from '../domain/types.js';

const DAY = 86_400_000;

/**
 * Administrators' reports (SPEC §7): license usage per site and tier (with borrowed seats),
 * retained owners, requests waiting for a seat, wasted seats, drift, IdP activity.
 */
export class ReportsService {
  constructor(private readonly store: Store) {}

  async licenseUsage(sites: Site[]) {
    return Promise.all(sites.map(async (site) => {
      const r = this.store.reader({ tenantId: site.tenantId, siteId: site.id });
      const [state, seats] = [await r.findSitePolicyState(), await r.countSeats()];
      return { siteId: site.id, siteName: site.name, capacity: state.capacity, used: seats.used, borrowed: seats.borrowed };
    }));
  }

  private async rows(sites: Site[], kind: ReportKind, opts: { limit: number; idleBefore?: number }) {
    const out = [];
    for (const site of sites) {
      const found = await this.store.reader({ tenantId: site.tenantId, siteId: site.id }).findReportMemberships(kind, opts);
      out.push(...found.map((m) => ({
        siteId: site.id, userId: m.userId, userName: m.userName, requestedSiteRole: m.requestedRole, siteRole: m.siteRole,
        licensed: m.licensed, seatTier: m.seatTier, state: m.state, ownedContentCount: m.ownedContentCount,
        lastLogin: m.lastLoginAt ? new Date(m.lastLoginAt).toISOString() : null, since: new Date(m.updatedAt).toISOString(),
      })));
      if (out.length >= opts.limit) break;
    }
    return out.slice(0, opts.limit);
  }

  retainedOwners(sites: Site[], limit = 500) {
    return this.rows(sites, 'retainedOwner', { limit });
  }

  /** Oldest request first: the order "re-license on free seat" serves them in. */
  waitingForSeat(sites: Site[], limit = 500) {
    return this.rows(sites, 'waiting', { limit });
  }

  /** A higher-tier seat held by a lower role, and licensed users idle for `idleDays`. */
  async wastedSeats(sites: Site[], idleDays = 90, limit = 500, now = Date.now()) {
    return {
      borrowed: await this.rows(sites, 'borrowed', { limit }),
      idle: await this.rows(sites, 'idle', { limit, idleBefore: now - idleDays * DAY }),
      idleDays,
    };
  }

  /** Manual changes the IdP overwrote (OVERWROTE_MANUAL_CHANGE). */
  async drift(tenantId: string, siteId: string | undefined, limit = 500) {
    const { entries } = await this.store.directory.findAuditEntries(tenantId, { reason: 'OVERWROTE_MANUAL_CHANGE', siteId, limit });
    return entries.map((e) => ({ at: new Date(e.at).toISOString(), siteId: e.siteId, userId: e.targetId, ...e.data }));
  }

  idpActivity(tenantId: string, days = 30, now = Date.now()) {
    return this.store.directory.countRequestsByClientDay(tenantId, now - days * DAY);
  }
}
