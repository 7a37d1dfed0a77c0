/** The user page: memberships (requested vs effective role, seat, auth, owned content) and history. */
import { get, sites, type AuditEntry, type AuditPage, type Membership, type Site, type UserView } from '../api.js';
import { h, table, when, yesNo, type Child } from '../dom.js';
import { explain } from '../reasons.js';
import { summary } from './entry.js';

const HISTORY_PAGE = 25;

function lookupForm(siteList: Site[], siteId: string, userId: string): HTMLFormElement {
  const form = h('form', { class: 'filters', 'aria-label': 'Find a user', on: { submit: (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    location.hash = `#/user?${new URLSearchParams({ siteId: String(d.get('siteId') ?? ''), userId: String(d.get('userId') ?? '').trim() })}`;
  } } },
  h('div', { class: 'field' }, h('label', { for: 'u-site' }, 'Site'),
    h('select', { id: 'u-site', name: 'siteId' }, siteList.map((s) => h('option', { value: s.id, selected: s.id === siteId }, `${s.name} (${s.id})`)))),
  h('div', { class: 'field' }, h('label', { for: 'u-id' }, 'User id'),
    h('input', { id: 'u-id', name: 'userId', value: userId, required: true, spellcheck: 'false', autocomplete: 'off' })),
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show user')));
  return form;
}

function membershipsTable(ms: Membership[]): HTMLTableElement {
  return table<Membership>('Site memberships', [
    { head: 'Site', cell: (m) => m.siteId, rowHeader: true },
    { head: 'Requested role', cell: (m) => m.requestedSiteRole },
    { head: 'Effective role', cell: (m) => (m.siteRole === m.requestedSiteRole ? m.siteRole : [m.siteRole, h('span', { class: 'note' }, ' (differs from requested)')]) },
    { head: 'Licensed', cell: (m) => yesNo(m.licensed) },
    { head: 'Active', cell: (m) => yesNo(m.active) },
    { head: 'Seat tier', cell: (m) => m.seatTier ?? 'none' },
    { head: 'Authentication', cell: (m) => m.authSetting ?? '—' },
    { head: 'State', cell: (m) => m.state },
    { head: 'Group floor', cell: (m) => m.floorRole ?? 'none' },
    { head: 'Manual role', cell: (m) => m.manualRole ?? 'none' },
    { head: 'Last sign-in', cell: (m) => (m.lastLogin ? when(m.lastLogin) : 'never') },
    { head: 'Owned content', cell: (m) => String(m.ownedContentCount) },
  ], ms, 'No memberships.');
}

function historyRow(e: AuditEntry, userId: string): HTMLTableRowElement {
  const href = `#/log?${new URLSearchParams({ userId, cursor: String(e.seq + 1), entry: e.id })}`;
  return h('tr', null,
    h('td', null, h('a', { href, 'aria-label': `Open ${e.event} at ${when(e.at)} in the sync log` }, when(e.at))),
    h('th', { scope: 'row' }, e.event),
    h('td', null, e.siteId ?? '—'),
    h('td', null, e.reason ? [h('code', null, e.reason), h('br'), h('span', { class: 'explanation' }, explain(e.reason))] : '—'),
    h('td', null, summary(e)));
}

/** The audit entries about the user, a page at a time ("Load older" asks the server for the next). */
function history(userId: string, first: AuditPage): HTMLElement {
  const body = h('tbody', null, first.entries.map((e) => historyRow(e, userId)));
  if (first.entries.length === 0) body.append(h('tr', null, h('td', { colspan: 5, class: 'empty' }, 'No audit entries for this user.')));
  const status = h('p', { role: 'status', class: 'count' }, `${first.entries.length} entries shown.`);
  let next = first.nextCursor;
  let shown = first.entries.length;
  const more = h('button', { type: 'button', hidden: next === null, on: { click: () => {
    if (next === null) return;
    more.disabled = true;
    get<AuditPage>('audit', { userId, limit: HISTORY_PAGE, cursor: next }).then((pg) => {
      body.append(...pg.entries.map((e) => historyRow(e, userId)));
      shown += pg.entries.length;
      next = pg.nextCursor;
      status.textContent = `${shown} entries shown${next ? '' : '; that is the whole history'}.`;
      more.hidden = next === null;
      more.disabled = false;
    }, (e: Error) => { status.textContent = `Could not load more: ${e.message}`; more.disabled = false; });
  } } }, 'Load older history');
  return h('section', { 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'History'),
    h('table', null, h('caption', null, 'Audit entries about this user, newest first'),
      h('thead', null, h('tr', null, ['Time', 'Event', 'Site', 'Reason', 'Summary'].map((c) => h('th', { scope: 'col' }, c)))), body),
    status, more);
}

/** `#/user?siteId&userId`. */
export async function renderUser(p: URLSearchParams): Promise<Child[]> {
  const siteList = await sites();
  const siteId = p.get('siteId') ?? siteList[0]?.id ?? '';
  const userId = p.get('userId') ?? '';
  const head = [h('h1', { tabindex: -1 }, 'Users'), lookupForm(siteList, siteId, userId)];
  if (!userId) return [...head, h('p', null, 'Enter a user id, or follow a user link from the sync log or the reports.')];
  let user: UserView;
  let hist: AuditPage;
  try {
    [user, hist] = await Promise.all([
      get<UserView>(`sites/${encodeURIComponent(siteId)}/users/${encodeURIComponent(userId)}`),
      get<AuditPage>('audit', { userId, limit: HISTORY_PAGE }),
    ]);
  } catch (e) {
    return [...head, h('p', { role: 'alert', class: 'error' }, `Could not load user ${userId} on site ${siteId}: ${(e as Error).message}`)];
  }
  return [...head,
    h('section', { class: 'user', 'aria-labelledby': 'user-title' },
      h('h2', { id: 'user-title' }, user.displayName ? `${user.displayName} (${user.userName})` : user.userName),
      h('dl', { class: 'fields' },
        h('dt', null, 'User id'), h('dd', null, h('code', null, user.id)),
        h('dt', null, 'userName'), h('dd', null, user.userName),
        h('dt', null, 'Cloud administrator'), h('dd', null, yesNo(user.cloudAdmin))),
      membershipsTable(user.memberships)),
    history(user.id, hist)];
}
