/**
 * A tiny DOM builder. Every piece of server data becomes a text node or an attribute value
 * (never markup), so nothing the API returns can inject HTML or script; event handlers are
 * attached with addEventListener, never as inline attributes (the console's CSP forbids them).
 */

/** Anything that can be a child: nodes, text, nothing, or nested lists of those. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes; `on` holds event listeners, `false`/`null`/`undefined` values are omitted. */
export interface Attrs {
  [name: string]: string | number | boolean | null | undefined | Listeners;
  on?: Listeners;
}

/** Event listeners by event type, attached with addEventListener. */
export type Listeners = Partial<{ [K in keyof HTMLElementEventMap]: (ev: HTMLElementEventMap[K]) => void }>;

function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

function setAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'on') {
      for (const [type, fn] of Object.entries(v as Record<string, EventListener>)) el.addEventListener(type, fn);
    } else if (typeof v === 'object' && v !== null) continue;
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
}

/** An HTML element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element (charts are hand-made SVG). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Replaces the children of `el`. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A column of a {@link table}: a header and how to render a row's cell. */
export interface Column<T> {
  head: string;
  cell: (row: T) => Child;
  /** Renders the cell as a row header (`<th scope="row">`). */
  rowHeader?: boolean;
}

/** An accessible data table with a caption; `empty` is shown as one row when there are no rows. */
export function table<T>(caption: string, columns: Column<T>[], rows: T[], empty = 'No rows.'): HTMLTableElement {
  return h('table', null,
    h('caption', null, caption),
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c.head)))),
    h('tbody', null, rows.length === 0
      ? h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, empty))
      : rows.map((r) => h('tr', null, columns.map((c) => (c.rowHeader ? h('th', { scope: 'row' }, c.cell(r)) : h('td', null, c.cell(r))))))));
}

/** `yes`/`no` in words (state is never shown by colour alone). */
export const yesNo = (v: boolean | null | undefined): string => (v === true ? 'yes' : v === false ? 'no' : '—');

/** A date-time as `YYYY-MM-DD HH:MM:SS` UTC, or a dash. */
export function when(v: string | number | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Any value as short text: strings as is, null as "none", objects as compact JSON. */
export function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (v === null) return 'none';
  if (typeof v === 'string') return v === '' ? '(empty)' : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
