/** The six reports of SPEC §7 as tables; each one loads (or fails) on its own. */
import { get, type LicenseUsage, type SeatRow } from '../api.js';
import { h, table, when, yesNo, type Child, type Column } from '../dom.js';
import { TIERS } from '../chart.js';

const userLink = (siteId: string, userId: string, label: string): Child =>
  h('a', { href: `#/user?${new URLSearchParams({ siteId, userId })}` }, label);

const SEAT_COLUMNS: Column<SeatRow>[] = [
  { head: 'User', cell: (r) => userLink(r.siteId, r.userId, r.userName), rowHeader: true },
  { head: 'Site', cell: (r) => r.siteId },
  { head: 'Requested role', cell: (r) => r.requestedSiteRole },
  { head: 'Effective role', cell: (r) => r.siteRole },
  { head: 'Licensed', cell: (r) => yesNo(r.licensed) },
  { head: 'Seat tier', cell: (r) => r.seatTier ?? 'none' },
  { head: 'State', cell: (r) => r.state },
  { head: 'Owned content', cell: (r) => String(r.ownedContentCount) },
  { head: 'Last sign-in', cell: (r) => (r.lastLogin ? when(r.lastLogin) : 'never') },
  { head: 'Since', cell: (r) => when(r.since) },
];

interface Drift { at: string; siteId: string; userId: string; before: unknown; after: unknown; channel: string }
interface Activity { day: string; client: string; requests: number; errors: number }
interface Wasted { borrowed: SeatRow[]; idle: SeatRow[]; idleDays: number }

function section(id: string, title: string, intro: string, body: Child): HTMLElement {
  return h('section', { class: 'report', 'aria-labelledby': id }, h('h2', { id }, title), h('p', { class: 'help' }, intro), body);
}

/** Renders a settled report, or its error in words. */
function settled<T>(r: PromiseSettledResult<T>, ok: (v: T) => Child): Child {
  return r.status === 'fulfilled' ? ok(r.value) : h('p', { role: 'alert', class: 'error' }, `Could not load this report: ${(r.reason as Error).message}`);
}

function paramsForm(idleDays: string, days: string): HTMLFormElement {
  const form = h('form', { class: 'filters', 'aria-label': 'Report settings', on: { submit: (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    location.hash = `#/reports?${new URLSearchParams({ idleDays: String(d.get('idleDays') ?? '90'), days: String(d.get('days') ?? '30') })}`;
  } } },
  h('div', { class: 'field' }, h('label', { for: 'idleDays' }, 'Idle after (days without sign-in)'),
    h('input', { id: 'idleDays', name: 'idleDays', type: 'number', min: 1, max: 3650, value: idleDays })),
  h('div', { class: 'field' }, h('label', { for: 'days' }, 'IdP activity over the last (days)'),
    h('input', { id: 'days', name: 'days', type: 'number', min: 1, max: 3650, value: days })),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Update reports')));
  return form;
}

/** `#/reports?idleDays&days`. */
export async function renderReports(p: URLSearchParams): Promise<Child[]> {
  const idleDays = /^\d+$/.test(p.get('idleDays') ?? '') ? p.get('idleDays')! : '90';
  const days = /^\d+$/.test(p.get('days') ?? '') ? p.get('days')! : '30';
  const [lic, retained, waiting, wasted, drift, activity] = await Promise.allSettled([
    get<{ sites: LicenseUsage[] }>('reports/licenses'),
    get<{ rows: SeatRow[] }>('reports/retained-owners'),
    get<{ rows: SeatRow[] }>('reports/waiting-for-seat'),
    get<Wasted>('reports/wasted-seats', { idleDays }),
    get<{ rows: Drift[] }>('reports/drift'),
    get<{ rows: Activity[] }>('reports/idp-activity', { days }),
  ]);
  const licRows = (v: { sites: LicenseUsage[] }) => v.sites.flatMap((u) => TIERS.map(([t, label]) => ({ u, t, label })));
  return [
    h('h1', { tabindex: -1 }, 'Reports'),
    paramsForm(idleDays, days),
    section('r-licenses', 'License usage', 'Seats per site and tier: used, capacity (unlimited when not capped) and borrowed.',
      settled(lic, (v) => table('License usage per site and tier', [
        { head: 'Site', cell: (r) => r.u.siteName, rowHeader: true },
        { head: 'Tier', cell: (r) => r.label },
        { head: 'Used', cell: (r) => String(r.u.used[r.t]) },
        { head: 'Capacity', cell: (r) => (r.u.capacity[r.t] === null ? 'unlimited' : String(r.u.capacity[r.t])) },
        { head: 'Borrowed', cell: (r) => String(r.u.borrowed[r.t]) },
      ], licRows(v)))),
    section('r-retained', 'Retained owners', 'Users the IdP removed who were kept as Unlicensed because they own content.',
      settled(retained, (v) => table('Retained content owners', SEAT_COLUMNS, v.rows, 'No retained owners.'))),
    section('r-waiting', 'Waiting for a seat', 'Users whose requested role needs a seat that was not free (LICENSE_EXHAUSTED).',
      settled(waiting, (v) => table('Requests waiting for a seat', SEAT_COLUMNS, v.rows, 'Nobody is waiting for a seat.'))),
    section('r-wasted', 'Wasted seats', `Creator seats held by a lower role, and licensed users with no sign-in for ${idleDays} days.`,
      settled(wasted, (v) => [
        table('Borrowed seats: a higher-tier seat held by a lower role', SEAT_COLUMNS, v.borrowed, 'No borrowed seats.'),
        table(`Idle: licensed, no sign-in for ${v.idleDays} days`, SEAT_COLUMNS, v.idle, 'No idle licensed users.'),
      ])),
    section('r-drift', 'Drift', 'Manual role changes by an administrator that an IdP later overwrote (OVERWROTE_MANUAL_CHANGE).',
      settled(drift, (v) => table<Drift>('Manual changes overwritten by the IdP', [
        { head: 'Time', cell: (r) => when(r.at), rowHeader: true },
        { head: 'Site', cell: (r) => r.siteId },
        { head: 'User', cell: (r) => userLink(r.siteId, r.userId, r.userId) },
        { head: 'Manual role (before)', cell: (r) => String(r.before ?? 'none') },
        { head: 'IdP role (after)', cell: (r) => String(r.after ?? 'none') },
        { head: 'Channel', cell: (r) => r.channel },
      ], v.rows, 'No drift.'))),
    section('r-activity', 'IdP activity', `Requests per client and day over the last ${days} days; errors are answers with status 400 or above.`,
      settled(activity, (v) => table<Activity>('IdP requests per client per day', [
        { head: 'Day', cell: (r) => r.day, rowHeader: true },
        { head: 'Client', cell: (r) => r.client },
        { head: 'Requests', cell: (r) => String(r.requests) },
        { head: 'Errors', cell: (r) => String(r.errors) },
      ], v.rows, 'No requests in this period.'))),
  ];
}
