/** The detail of one audit entry: its fields, the reason in words, and the before/after diff. */
import type { AuditEntry } from '../api.js';
import { diffRows, hasDiff, type DiffRow } from '../diff.js';
import { h, show, table, when, type Child } from '../dom.js';
import { explain } from '../reasons.js';

/** A link to the user page for a user target (and its site), else the plain id. */
export function targetLink(e: Pick<AuditEntry, 'targetType' | 'targetId' | 'siteId'>): Child {
  if (!e.targetId) return '—';
  const label = `${e.targetType ?? 'Target'} ${e.targetId}`;
  if (e.targetType !== 'User' || !e.siteId) return label;
  return h('a', { href: `#/user?${new URLSearchParams({ siteId: e.siteId, userId: e.targetId })}` }, label);
}

/** One line summing an entry up for the log table. */
export function summary(e: AuditEntry): string {
  const d = e.data;
  if (e.kind === 'request') return `${show(d.method)} ${show(d.path)} → ${show(d.status)} (${show(d.client)}, ${show(d.durationMs)} ms)`;
  if (hasDiff(d)) {
    const { rows } = diffRows(d.before, d.after);
    if (rows.length === 0) return 'no field changed';
    const parts = rows.slice(0, 2).map((r) => `${r.field}: ${show(r.before)} → ${show(r.after)}`);
    return rows.length > 2 ? `${parts.join('; ')}; +${rows.length - 2} more` : parts.join('; ');
  }
  return Object.entries(d).slice(0, 3).map(([k, v]) => `${k}=${show(v)}`).join(', ');
}

function reasonBlock(e: AuditEntry): Child {
  const listed = Array.isArray(e.data.reasons) ? (e.data.reasons as unknown[]).map(String) : [];
  const all = [...new Set([...(e.reason ? [e.reason] : []), ...listed])];
  if (all.length === 0) return h('p', null, 'No reason code: this entry records a change or request without a policy decision.');
  return h('ul', { class: 'reasons' }, all.map((r) => h('li', null, h('code', null, r), ': ', h('span', { class: 'explanation' }, explain(r)))));
}

function diffTable(e: AuditEntry): Child {
  if (!hasDiff(e.data)) return null;
  const { rows, unchanged } = diffRows(e.data.before, e.data.after);
  return [
    h('h3', null, 'Changed fields'),
    table<DiffRow>('Before and after values of the fields this entry changed', [
      { head: 'Field', cell: (r) => h('code', null, r.field), rowHeader: true },
      { head: 'Before', cell: (r) => show(r.before) },
      { head: 'After', cell: (r) => show(r.after) },
      { head: 'Change', cell: (r) => r.change },
    ], rows, 'No field changed.'),
    unchanged > 0 && h('p', { class: 'help' }, `${unchanged} unchanged field${unchanged === 1 ? '' : 's'} not shown.`),
  ];
}

function dataTable(e: AuditEntry): Child {
  const rest = Object.entries(e.data).filter(([k]) => !['before', 'after', 'reasons'].includes(k));
  if (rest.length === 0) return null;
  return [
    h('h3', null, e.kind === 'request' ? 'Request' : 'Recorded data'),
    table<[string, unknown]>(e.kind === 'request' ? 'What the request did' : 'Other data recorded with the entry', [
      { head: 'Field', cell: ([k]) => h('code', null, k), rowHeader: true },
      { head: 'Value', cell: ([, v]) => show(v) },
    ], rest),
  ];
}

/** The detail section of an entry; `closeHref` leads back to the list without it. */
export function entryDetail(e: AuditEntry, closeHref: string): HTMLElement {
  const row = (term: string, value: Child) => [h('dt', null, term), h('dd', null, value)];
  return h('section', { class: 'detail', 'aria-labelledby': 'entry-title' },
    h('h2', { id: 'entry-title', tabindex: -1, 'data-focus': true }, `Entry: ${e.event}`),
    h('p', null, h('a', { href: closeHref }, 'Close the entry details')),
    h('dl', { class: 'fields' },
      row('When', when(e.at)), row('Sequence', String(e.seq)), row('Kind', e.kind), row('Event', e.event),
      row('Site', e.siteId ?? '— (tenant)'), row('Actor', e.actor ?? '—'), row('Target', targetLink(e)),
      row('Request id', e.requestId ?? '—'), row('Entry id', e.id)),
    h('h3', null, 'Reason'),
    reasonBlock(e),
    diffTable(e),
    dataTable(e),
    h('details', null, h('summary', null, 'Hash chain'),
      h('dl', { class: 'fields' }, row('Previous hash', h('code', null, e.prevHash)), row('Hash', h('code', null, e.hash)))));
}
