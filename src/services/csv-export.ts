import type { MembershipRecord, UserRecord } from '../domain/types.js';
import type { Store } from '../ports/storage.js';
import { csvLine, encodeUserName, exportColumns, shownRole, type CsvFormat } from '../policy/csv.js';
import type { RequestContext } from './context.js';

const PAGE = 1000;

function primaryEmail(user: UserRecord): string {
  const emails = Array.isArray(user.data.emails) ? (user.data.emails as { value?: unknown; primary?: unknown }[]) : [];
  const e = emails.find((x) => x.primary === true) ?? emails[0];
  return typeof e?.value === 'string' ? e.value : '';
}

/**
 * The lines of one member in `format` (R-CSV-03..05, R-CSV-10): the role the membership shows
 * (its effective role while licensed, else Unlicensed), which re-imports as no change; TCM
 * adds the site URI and the membership's auth, plus a cloud-administrator row (blank site
 * URI, admin level Cloud, R-CSV-07) for cloud administrators. Passwords are never written.
 */
export function exportLines(user: UserRecord, m: MembershipRecord, format: CsvFormat, siteUri: string): string {
  const { license, admin, publishing } = exportColumns(shownRole(m));
  const name = encodeUserName(user.userName);
  const display = user.displayName ?? '';
  const email = primaryEmail(user);
  if (format !== 'tcm') return csvLine([name, '', display, license, admin, publishing, email]);
  let out = csvLine([siteUri, name, '', display, license, admin, publishing, email, m.authSetting ?? '']);
  if (user.cloudAdmin) out += csvLine(['', name, '', display, '', 'Cloud', '', email, 'TableauIDWithMFA']);
  return out;
}

/**
 * `GET /sites/{siteId}/users/export`: the site's members as a Tableau CSV file, UTF-8 with BOM
 * and no header (R-CSV-01), produced page by page (keyset on the membership sequence) so
 * memory stays flat whatever the size of the site.
 */
export async function* exportSiteCsv(store: Store, ctx: RequestContext, format: CsvFormat): AsyncGenerator<string> {
  yield '\uFEFF';
  const reader = store.reader(ctx.scope);
  let after = 0;
  for (;;) {
    const page = await reader.findUsers({ startIndex: 1, count: PAGE, after });
    let chunk = '';
    for (const { user, membership } of page.items) chunk += exportLines(user, membership, format, ctx.site.contentUrl);
    if (chunk) yield chunk;
    if (page.nextAfter === undefined) return;
    after = page.nextAfter;
  }
}
