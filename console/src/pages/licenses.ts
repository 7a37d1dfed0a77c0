/** License usage charts, one per site (used vs capacity per tier, borrowed seats shown). */
import { get, type LicenseUsage } from '../api.js';
import { h, type Child } from '../dom.js';
import { licenseChart, licenseTable } from '../chart.js';

/** `#/licenses`. */
export async function renderLicenses(): Promise<Child[]> {
  const { sites } = await get<{ sites: LicenseUsage[] }>('reports/licenses');
  return [
    h('h1', { tabindex: -1 }, 'License usage'),
    h('p', { class: 'lead' }, 'Seats used per site and tier against the capacity. A borrowed seat is a seat of a higher tier held by a user whose role belongs to a lower tier.'),
    sites.length === 0 && h('p', null, 'No sites.'),
    sites.map((u) => h('section', { class: 'site-usage', 'aria-labelledby': `usage-${u.siteId}` },
      h('h2', { id: `usage-${u.siteId}` }, `Site ${u.siteName}`, h('span', { class: 'muted' }, ` (${u.siteId})`)),
      h('figure', null, licenseChart(u), h('figcaption', null, `Chart: seats of site ${u.siteName}; the table below has the same numbers.`)),
      licenseTable(u))),
  ];
}
