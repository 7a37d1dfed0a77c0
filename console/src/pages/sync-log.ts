/**
 * The sync-log browser. Filters and paging run on the server: one request per page of at most
 * `limit` entries, keyset-paged with the API's cursor, so it behaves the same at a million
 * entries. The way back to newer pages is a short trail of cursors kept in the URL.
 */
import { get, sites, type AuditEntry, type AuditPage, type Site } from '../api.js';
import { h, table, when, type Child } from '../dom.js';
import { eventNames, reasonCodes } from '../reasons.js';
import { entryDetail, summary, targetLink } from './entry.js';

const FILTERS = ['siteId', 'userId', 'event', 'reason', 'client', 'kind', 'since', 'until', 'limit'] as const;
const MAX_TRAIL = 50;

let cache: { key: string; page: AuditPage } | undefined;

/** A `#/log` link with the given parameters (empty ones left out). */
function logHref(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `#/log?${s}` : '#/log';
}

/** `2026-01-02T03:04` (a datetime-local value, read as UTC) ↔ ISO 8601. */
const toIso = (local: string): string => (local ? `${local}:00.000Z` : '');
const toLocal = (iso: string | null): string => (iso ? iso.slice(0, 16) : '');

function select(id: string, label: string, value: string, options: [string, string][]): Child {
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name: id }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

function input(id: string, label: string, value: string, attrs: Record<string, string> = {}): Child {
  return h('div', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, value, ...attrs }));
}

function filterForm(p: URLSearchParams, siteList: Site[]): HTMLFormElement {
  const v = (k: string) => p.get(k) ?? '';
  const form = h('form', { class: 'filters', 'aria-label': 'Sync log filters', on: { submit: (ev) => {
    ev.preventDefault();
    const data = new FormData(form);
    const out: Record<string, string> = {};
    for (const k of FILTERS) out[k] = String(data.get(k) ?? '').trim();
    out.since = toIso(out.since ?? '');
    out.until = toIso(out.until ?? '');
    cache = undefined;
    location.hash = logHref(out);
  } } },
  select('siteId', 'Site', v('siteId'), [['', 'All sites'], ...siteList.map((s): [string, string] => [s.id, `${s.name} (${s.id})`])]),
  input('userId', 'User id', v('userId'), { spellcheck: 'false', autocomplete: 'off' }),
  select('event', 'Event', v('event'), [['', 'Any event'], ...eventNames().map((e): [string, string] => [e, e])]),
  input('reason', 'Reason code', v('reason'), { list: 'reason-codes', spellcheck: 'false', autocomplete: 'off' }),
  h('datalist', { id: 'reason-codes' }, reasonCodes().map((c) => h('option', { value: c }))),
  select('client', 'Client (requests)', v('client'), [['', 'Any client'], ['Okta', 'Okta'], ['Entra', 'Entra'], ['other', 'Other']]),
  select('kind', 'Kind', v('kind'), [['', 'Events and requests'], ['event', 'Events'], ['request', 'Requests']]),
  input('since', 'From (UTC)', toLocal(p.get('since')), { type: 'datetime-local' }),
  input('until', 'Until (UTC, exclusive)', toLocal(p.get('until')), { type: 'datetime-local' }),
  select('limit', 'Per page', v('limit') || '50', [['25', '25'], ['50', '50'], ['100', '100'], ['200', '200']]),
  h('div', { class: 'actions' },
    h('button', { type: 'submit' }, 'Apply filters'),
    h('a', { href: '#/log', class: 'button-link' }, 'Clear filters')));
  return form;
}

function verifyButton(): Child {
  const out = h('span', { role: 'status', class: 'verify-status' });
  const btn = h('button', { type: 'button', on: { click: () => {
    out.textContent = 'Verifying the hash chain…';
    get<{ ok: boolean; checked: number; firstBrokenId?: string }>('audit/verify').then((r) => {
      out.textContent = r.ok ? `Chain intact: ${r.checked} entries checked.` : `Chain BROKEN at entry ${r.firstBrokenId ?? '?'} (${r.checked} checked).`;
    }, (e: Error) => { out.textContent = `Could not verify: ${e.message}`; });
  } } }, 'Verify the hash chain');
  return h('p', { class: 'verify' }, btn, ' ', out);
}

function entriesTable(entries: AuditEntry[], hrefFor: (e: AuditEntry) => string, selected: string | null): HTMLTableElement {
  return table<AuditEntry>('Audit entries, newest first', [
    { head: 'Time', cell: (e) => h('a', { href: hrefFor(e), 'aria-current': e.id === selected ? 'true' : null, 'aria-label': `Details of ${e.event} at ${when(e.at)}` }, when(e.at)) },
    { head: 'Event', cell: (e) => e.event, rowHeader: true },
    { head: 'Kind', cell: (e) => e.kind },
    { head: 'Site', cell: (e) => e.siteId ?? '—' },
    { head: 'Target', cell: (e) => targetLink(e) },
    { head: 'Reason', cell: (e) => (e.reason ? h('code', null, e.reason) : '—') },
    { head: 'Summary', cell: (e) => summary(e) },
  ], entries, 'No entries match these filters.');
}

/** `#/log?siteId&userId&event&reason&client&kind&since&until&limit&cursor&trail&entry`. */
export async function renderSyncLog(p: URLSearchParams): Promise<Child[]> {
  const filters: Record<string, string | undefined> = {};
  for (const k of FILTERS) filters[k] = p.get(k) ?? undefined;
  const cursor = p.get('cursor') ?? undefined;
  const trail = (p.get('trail') ?? '').split(',').filter((c) => c !== '');
  const query = { ...filters, limit: filters.limit ?? '50', cursor };
  const key = JSON.stringify(query);
  const [siteList, page] = await Promise.all([
    sites(),
    cache?.key === key ? cache.page : get<AuditPage>('audit', query),
  ]);
  cache = { key, page };
  const here = { ...filters, cursor, trail: trail.join(',') || undefined };
  const selectedId = p.get('entry');
  const selected = selectedId ? page.entries.find((e) => e.id === selectedId) : undefined;
  const hrefFor = (e: AuditEntry) => logHref({ ...here, entry: e.id });

  // Paging: "Older" carries the current cursor onto the trail; "Newer" takes it back off.
  const older = page.nextCursor
    ? logHref({ ...filters, cursor: page.nextCursor, trail: [...trail, cursor ?? '0'].slice(-MAX_TRAIL).join(',') }) : undefined;
  const prev = trail.at(-1);
  const newer = cursor && trail.length > 0 ? logHref({ ...filters, cursor: prev && prev !== '0' ? prev : undefined, trail: trail.slice(0, -1).join(',') || undefined }) : undefined;
  const pager = (where: string) => h('nav', { class: 'pager', 'aria-label': `Pages (${where})` },
    cursor ? h('a', { href: logHref(filters) }, 'Newest') : h('span', { class: 'disabled' }, 'Newest'), ' ',
    newer ? h('a', { href: newer, rel: 'prev' }, '← Newer') : h('span', { class: 'disabled' }, '← Newer'), ' ',
    older ? h('a', { href: older, rel: 'next' }, 'Older →') : h('span', { class: 'disabled' }, 'Older → (end of log)'));

  const first = page.entries[0];
  const last = page.entries.at(-1);
  return [
    h('h1', { tabindex: -1 }, 'Sync log'),
    h('p', { class: 'lead' }, 'What the identity providers and administrators did, and why rolegate decided what it did. Filtering and paging run on the server.'),
    filterForm(p, siteList),
    verifyButton(),
    selectedId && (selected ? entryDetail(selected, logHref(here))
      : h('p', { role: 'alert', class: 'error' }, `Entry ${selectedId} is not on this page.`)),
    h('section', { 'aria-labelledby': 'results-title' },
      h('h2', { id: 'results-title' }, 'Entries'),
      h('p', { role: 'status', class: 'count' }, page.entries.length === 0 ? 'No entries.'
        : `${page.entries.length} entries, sequence ${first?.seq} down to ${last?.seq}${page.nextCursor ? '; older entries follow' : ''}.`),
      pager('top'),
      entriesTable(page.entries, hrefFor, selectedId),
      pager('bottom'),
      h('p', null, h('button', { type: 'button', on: { click: () => { cache = undefined; window.dispatchEvent(new HashChangeEvent('hashchange')); } } }, 'Refresh'))),
  ];
}
