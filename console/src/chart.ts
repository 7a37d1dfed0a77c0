/**
 * License usage as a hand-made SVG bar chart: one bar per tier, drawn against its capacity.
 * Readable without colour: own-tier seats are solid, borrowed seats hatched, capacity is an
 * outline (dashed and labelled "unlimited" when there is no cap), and every bar carries its
 * numbers as text.
 */
import type { LicenseUsage } from './api.js';
import { h, s, type Child } from './dom.js';

/** The three license tiers, in display order. */
export const TIERS = [['creator', 'Creator'], ['explorer', 'Explorer'], ['viewer', 'Viewer']] as const;

const WIDTH = 820;
const LABEL_W = 90;
const BAR_W = 360;
const ROW_H = 54;
const BAR_H = 22;
const TOP = 8;

/** The words for one tier's numbers: "2 of 5 used, 1 borrowed" / "3 used, unlimited capacity". */
export function tierText(used: number, capacity: number | null, borrowed: number): string {
  const base = capacity === null ? `${used} used, unlimited capacity` : `${used} of ${capacity} used`;
  const over = capacity !== null && used > capacity ? `, over capacity by ${used - capacity}` : '';
  return `${base}${borrowed > 0 ? `, ${borrowed} borrowed` : ''}${over}`;
}

let chartCount = 0;

/** The chart of one site: an `<svg role="img">` with a title and a description of every number. */
export function licenseChart(u: LicenseUsage): SVGSVGElement {
  const n = ++chartCount;
  const finite = TIERS.map(([t]) => u.capacity[t]).filter((c): c is number => c !== null);
  const scale = Math.max(1, ...finite, ...TIERS.map(([t]) => u.used[t]));
  const px = (v: number) => (v / scale) * BAR_W;
  const height = TOP + TIERS.length * ROW_H + 36;
  const desc = TIERS.map(([t, label]) => `${label}: ${tierText(u.used[t], u.capacity[t], u.borrowed[t])}`).join('. ');

  const rows = TIERS.map(([t, label], i) => {
    const y = TOP + i * ROW_H;
    const cap = u.capacity[t];
    const used = u.used[t];
    const borrowed = Math.min(u.borrowed[t], used);
    const own = used - borrowed;
    const text = tierText(used, cap, u.borrowed[t]);
    return s('g', { class: 'tier', 'data-tier': t, 'data-used': used, 'data-capacity': cap === null ? 'unlimited' : cap, 'data-borrowed': u.borrowed[t] },
      s('text', { x: 0, y: y + BAR_H / 2 + 5, class: 'tier-label' }, label),
      cap === null
        ? s('rect', { x: LABEL_W, y, width: BAR_W, height: BAR_H, class: 'capacity unlimited' })
        : s('rect', { x: LABEL_W, y, width: Math.max(px(cap), 1), height: BAR_H, class: 'capacity' }),
      own > 0 && s('rect', { x: LABEL_W, y: y + 4, width: px(own), height: BAR_H - 8, class: 'bar used' }),
      borrowed > 0 && s('rect', { x: LABEL_W + px(own), y: y + 4, width: px(borrowed), height: BAR_H - 8, class: 'bar borrowed', fill: `url(#hatch-${n})` }),
      cap === null && s('text', { x: LABEL_W + BAR_W - 6, y: y + BAR_H / 2 + 4, class: 'unlimited-mark', 'text-anchor': 'end' }, 'no cap'),
      s('text', { x: LABEL_W + BAR_W + 12, y: y + BAR_H / 2 + 5, class: 'value' }, text),
      s('text', { x: LABEL_W, y: y + BAR_H + 16, class: 'axis' }, `0 … ${scale} seats`));
  });

  const ly = TOP + TIERS.length * ROW_H + 10;
  const legend = s('g', { class: 'legend' },
    s('rect', { x: LABEL_W, y: ly, width: 18, height: 12, class: 'bar used' }),
    s('text', { x: LABEL_W + 24, y: ly + 11 }, 'seat of its own tier'),
    s('rect', { x: LABEL_W + 170, y: ly, width: 18, height: 12, class: 'bar borrowed', fill: `url(#hatch-${n})` }),
    s('text', { x: LABEL_W + 194, y: ly + 11 }, 'borrowed (held by a lower role)'),
    s('rect', { x: LABEL_W + 420, y: ly, width: 18, height: 12, class: 'capacity' }),
    s('text', { x: LABEL_W + 444, y: ly + 11 }, 'capacity (dashed: unlimited)'));

  return s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'img', class: 'license-chart',
    'aria-labelledby': `chart-title-${n} chart-desc-${n}`, 'data-site': u.siteId },
  s('title', { id: `chart-title-${n}` }, `License usage of site ${u.siteName}`),
  s('desc', { id: `chart-desc-${n}` }, desc),
  s('defs', null, s('pattern', { id: `hatch-${n}`, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' },
    s('rect', { width: 6, height: 6, class: 'hatch-bg' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }))),
  rows, legend);
}

/** The same numbers as a table, for screen readers and for copying. */
export function licenseTable(u: LicenseUsage): Child {
  const cell = (v: number | null) => (v === null ? 'unlimited' : String(v));
  return h('table', { class: 'compact' },
    h('caption', null, `Seats of site ${u.siteName} per tier`),
    h('thead', null, h('tr', null, ['Tier', 'Used', 'Capacity', 'Borrowed', 'Free'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, TIERS.map(([t, label]) => {
      const cap = u.capacity[t];
      return h('tr', null, h('th', { scope: 'row' }, label), h('td', null, String(u.used[t])), h('td', null, cell(cap)),
        h('td', null, String(u.borrowed[t])), h('td', null, cap === null ? 'unlimited' : String(Math.max(0, cap - u.used[t]))));
    })));
}
