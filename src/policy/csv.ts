/**
 * Tableau CSV user files (TABLEAU-RULES §3, R-CSV-01..18; SPEC §8). Pure: splitting one line
 * into fields, the three column layouts, the accepted values, site-role derivation (R-CSV-09)
 * and its reverse for export (R-CSV-10). The services stream files and apply rows; nothing
 * here touches storage.
 */
import { AppError } from '../domain/errors.js';
import { tierOf, type SiteRole } from '../domain/site-roles.js';
import { decide, type Decision } from './decision.js';
import { RC } from './reasons.js';
import { evaluateRequestedRole } from './requested-role.js';

/** `cloud` (R-CSV-03), `tcm` (R-CSV-04: leading site URI, trailing auth type), `server` (R-CSV-05). */
export type CsvFormat = 'cloud' | 'tcm' | 'server';
export const CSV_FORMATS: readonly CsvFormat[] = ['cloud', 'tcm', 'server'];

/** `overwrite`: the file's role replaces the current one, also downwards (R-CSV-12); `promoteOnly` never lowers it (R-CSV-13). */
export type ImportMode = 'overwrite' | 'promoteOnly';
export const IMPORT_MODES: readonly ImportMode[] = ['overwrite', 'promoteOnly'];

/** C-03: Cloud and TCM imports overwrite; legacy Server imports only promoted. */
export const defaultMode = (format: CsvFormat): ImportMode => (format === 'server' ? 'promoteOnly' : 'overwrite');

/** Reason codes of rows the file itself makes impossible (policy outcomes reuse REASONS codes). */
export const CSV_REASONS = {
  CSV_MALFORMED_LINE: 'A quoted field is not closed, or text follows a closing quote (RFC 4180, one record per line).',
  CSV_COLUMN_COUNT: 'Every delimiter must be present so columns keep their positions (R-CSV-02..05).',
  CSV_HEADER_ROW: 'The file must not start with a header row (R-CSV-01).',
  CSV_NOT_UTF8: 'The line is not valid UTF-8; convert the file to UTF-8 with BOM (R-CSV-01).',
  CSV_LINE_TOO_LONG: 'The line is longer than 8,192 characters.',
  CSV_MISSING_USERNAME: 'The username column is empty; it is the only required value (R-CSV-06).',
  CSV_INVALID_VALUE: 'A license, admin, publishing or authentication value is not one of the accepted values (R-CSV-08).',
  CSV_DUPLICATE_ROW: 'The same user (on the same site) appears earlier in the file; the first row wins.',
  CSV_UNKNOWN_SITE: 'The site URI names no site of this tenant (R-CSV-04).',
  CSV_SITE_REQUIRED: 'A blank site URI is only for cloud administrators: admin level Cloud (R-CSV-07).',
  CSV_CLOUD_ADMIN_SITE: 'Admin level Cloud needs a blank site URI (R-CSV-07).',
  SERVER_ADMIN_NOT_ASSIGNABLE: 'Admin level system means ServerAdministrator on Server, which rolegate never assigns (R-CSV-09, R-REST-06).',
  PROMOTE_ONLY_KEPT: 'promoteOnly mode: the file asks for a lower role than the current one, which is kept (R-CSV-13).',
} as const;
export type CsvReason = keyof typeof CSV_REASONS;

/** Column positions of each layout (0-based), and how many columns a row must have. */
const LAYOUT = {
  cloud: { columns: 7, site: -1, user: 0, display: 2, license: 3, admin: 4, publishing: 5, email: 6, auth: -1 },
  server: { columns: 7, site: -1, user: 0, display: 2, license: 3, admin: 4, publishing: 5, email: 6, auth: -1 },
  tcm: { columns: 9, site: 0, user: 1, display: 3, license: 4, admin: 5, publishing: 6, email: 7, auth: 8 },
} as const;
/** How many columns a row of `format` has (R-CSV-03..05). */
export const columnCount = (format: CsvFormat): number => LAYOUT[format].columns;

/** Longest line read as a user row; longer ones (a binary file, a missing line break) are rejected. */
export const MAX_LINE_LENGTH = 8192;

/**
 * Splits one line into fields (RFC 4180 quoting within a line: `"a, b"`, `""` for a quote).
 * Unquoted fields are trimmed. Returns undefined when a quoted field is left open or text
 * follows its closing quote: that line alone is rejected, never the rest of the file.
 */
export function splitCsvLine(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        value += line.slice(i, q);
        if (line[q + 1] === '"') { value += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      out.push(value);
      if (i >= line.length) return out;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const c = line.indexOf(',', i);
      out.push((c < 0 ? line.slice(i) : line.slice(i, c)).trim());
      if (c < 0) return out;
      i = c + 1;
    }
  }
}

/** Quotes a field for output when it holds a delimiter, quote, line break or edge whitespace. */
export function csvField(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One output line (CRLF, as spreadsheet programs write them). */
export const csvLine = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\r\n`;

/** R-CSV-01: `\0x40` stands for an `@` that is not the domain separator. */
export const decodeUserName = (raw: string): string => raw.replace(/\\0x40/gi, '@');

/** R-CSV-01 in reverse: every `@` but the last (the domain separator) is written `\0x40`. */
export function encodeUserName(name: string): string {
  const last = name.lastIndexOf('@');
  return last <= 0 ? name : `${name.slice(0, last).replace(/@/g, '\\0x40')}${name.slice(last)}`;
}

const LICENSES = ['creator', 'explorer', 'viewer', 'unlicensed'] as const;
type License = (typeof LICENSES)[number];
const ADMINS: Record<string, 'system' | 'site' | 'none' | 'cloud'> = { system: 'system', site: 'site', none: 'none', no: 'none', cloud: 'cloud' };
const PUBLISHING: Record<string, boolean> = { yes: true, true: true, 1: true, no: false, false: false, 0: false };
/** R-REST-07 authSetting values, with the spellings TCM files and IdP consoles use. */
const AUTH: Record<string, string> = {
  saml: 'SAML', openid: 'OpenID', oidc: 'OpenID', google: 'OpenID', tableauidwithmfa: 'TableauIDWithMFA',
  tableauid: 'TableauIDWithMFA', mfa: 'TableauIDWithMFA', serverdefault: 'ServerDefault',
};

/**
 * R-CSV-09, literally (tabcmd `evaluate_site_role`): the Tableau site role named by the
 * license, admin and publishing values (already validated, lower case). Any of the three
 * empty → Unlicensed; all three empty → undefined (the row defines no role, R-CSV-15). The
 * answer may be a role rolegate never assigns (SiteAdministrator, ServerAdministrator).
 */
export function tableauSiteRole(license: string, admin: string, publishing: boolean | undefined, format: CsvFormat): string | undefined {
  if (!license && !admin && publishing === undefined) return undefined;
  if (!license || !admin || publishing === undefined) return 'Unlicensed';
  if (admin === 'system') return format === 'server' ? 'ServerAdministrator' : 'SiteAdministrator';
  if (admin === 'site') return license === 'creator' ? 'SiteAdministratorCreator' : 'SiteAdministratorExplorer';
  if (license === 'viewer') return 'Viewer';
  if (license === 'unlicensed') return 'Unlicensed';
  if (publishing) return license === 'creator' ? 'Creator' : 'ExplorerCanPublish';
  return 'Explorer';
}

/**
 * The assignable role for a derived Tableau role: through the requested-role policy, which
 * rejects legacy names (SiteAdministrator → LEGACY_SITE_ROLE). Server's ServerAdministrator
 * gets its own reason (R-REST-06: never assignable through an API).
 */
export function assignableRole(tableauRole: string): Decision<{ role?: SiteRole; message?: string }> {
  if (tableauRole === 'ServerAdministrator') {
    return decide({ message: "admin level 'system' means ServerAdministrator on Tableau Server, which is not assignable here" }, 'SERVER_ADMIN_NOT_ASSIGNABLE');
  }
  try {
    return decide({ role: evaluateRequestedRole({ siteRoles: [{ value: tableauRole }] }).value.role });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return decide({ message: `admin level 'system' derives the legacy role ${tableauRole} (R-CSV-09), which cannot be assigned; use 'site'` },
      String(e.details?.reason ?? RC.LEGACY_SITE_ROLE));
  }
}

/** A row that asks for a membership on a site. */
export interface SiteRow {
  kind: 'site';
  userName: string;
  /** TCM only: the site URI (contentUrl) as written. */
  siteUri?: string;
  displayName: string | null;
  email: string | null;
  /** Undefined: the row defines no role (new users get the default, existing ones keep theirs). */
  role?: SiteRole;
  authSetting?: string;
}
/** A TCM row with a blank site URI and admin level Cloud (R-CSV-07). */
export interface CloudAdminRow { kind: 'cloudAdmin'; userName: string; displayName: string | null; email: string | null }
export interface RejectedRow { kind: 'rejected'; userName: string | null; reason: string; detail: string }
export type ParsedRow = SiteRow | CloudAdminRow | RejectedRow;

const reject = (userName: string | null, reason: string, detail: string): RejectedRow => ({ kind: 'rejected', userName, reason, detail });

/**
 * Reads one line of a file in `format` (R-CSV-01..09): columns by position, values
 * case-insensitive, `\0x40` decoded, the password never kept. `first` marks the first line,
 * where a header row is reported as such.
 */
export function parseCsvRow(line: string, format: CsvFormat, first = false): ParsedRow {
  if (line.length > MAX_LINE_LENGTH) return reject(null, 'CSV_LINE_TOO_LONG', `The line has ${line.length} characters; at most ${MAX_LINE_LENGTH} are read`);
  if (line.includes('\uFFFD')) return reject(null, 'CSV_NOT_UTF8', 'The line is not valid UTF-8 (R-CSV-01: save the file as UTF-8 with BOM)');
  const f = splitCsvLine(line);
  const L = LAYOUT[format];
  if (!f) return reject(null, 'CSV_MALFORMED_LINE', 'A quoted field is not closed, or text follows a closing quote');
  const userName = f.length > L.user ? decodeUserName(f[L.user]!) : '';
  const named = userName || null;
  if (first && (/^user ?name$/i.test(f[L.user] ?? '') || /^license( level)?$/i.test(f[L.license] ?? ''))) {
    return reject(named, 'CSV_HEADER_ROW', 'The first line looks like a header row; Tableau CSV files have none (R-CSV-01)');
  }
  // Server files may carry an identity pool name after the email (R-CSV-05); it is ignored.
  const allowed = format === 'server' ? L.columns + 1 : L.columns;
  if (f.length < L.columns || f.slice(allowed).some((v) => v !== '')) {
    return reject(named, 'CSV_COLUMN_COUNT', `Expected ${L.columns} columns in a ${format} file, found ${f.length} (R-CSV-02)`);
  }
  if (!userName) return reject(null, 'CSV_MISSING_USERNAME', 'The username column is empty (R-CSV-06)');
  if (/[\u0000-\u001f\u007f]/.test(userName)) return reject(named, 'CSV_INVALID_VALUE', 'The username contains control characters');
  const license = f[L.license]!.toLowerCase();
  const adminRaw = f[L.admin]!.toLowerCase();
  const pubRaw = f[L.publishing]!.toLowerCase();
  if (license && !(LICENSES as readonly string[]).includes(license)) {
    return reject(named, 'CSV_INVALID_VALUE', `License level '${f[L.license]}' is not one of ${LICENSES.join(', ')} (R-CSV-08)`);
  }
  const admin = adminRaw ? ADMINS[adminRaw] : '';
  if (admin === undefined || (admin === 'cloud' && format !== 'tcm')) {
    return reject(named, 'CSV_INVALID_VALUE', `Admin level '${f[L.admin]}' is not one of system, site, none, no${format === 'tcm' ? ', cloud' : ''} (R-CSV-08)`);
  }
  const publishing = pubRaw ? PUBLISHING[pubRaw] : undefined;
  if (pubRaw && publishing === undefined) {
    return reject(named, 'CSV_INVALID_VALUE', `Publishing '${f[L.publishing]}' is not one of yes, true, 1, no, false, 0 (R-CSV-08)`);
  }
  const displayName = f[L.display] || null;
  const email = f[L.email] || null;
  const siteUri = L.site >= 0 ? f[L.site]! : undefined;
  if (admin === 'cloud') {
    if (siteUri) return reject(named, 'CSV_CLOUD_ADMIN_SITE', 'Admin level Cloud makes a cloud administrator and needs a blank site URI (R-CSV-07)');
    return { kind: 'cloudAdmin', userName, displayName, email };
  }
  if (format === 'tcm' && !siteUri) return reject(named, 'CSV_SITE_REQUIRED', 'The site URI is blank; only cloud administrator rows (admin level Cloud) leave it blank (R-CSV-07)');
  let authSetting: string | undefined;
  if (L.auth >= 0 && f[L.auth]) {
    authSetting = AUTH[f[L.auth]!.toLowerCase()];
    if (!authSetting) return reject(named, 'CSV_INVALID_VALUE', `Authentication type '${f[L.auth]}' is not one of SAML, OpenID, TableauIDWithMFA, ServerDefault`);
  }
  const tableau = tableauSiteRole(license as License | '', admin, publishing, format);
  let role: SiteRole | undefined;
  if (tableau !== undefined) {
    const d = assignableRole(tableau);
    if (!d.value.role) return reject(named, d.reasons[0]!, d.value.message!);
    role = d.value.role;
  }
  return { kind: 'site', userName, ...(siteUri !== undefined ? { siteUri } : {}), displayName, email, ...(role ? { role } : {}), ...(authSetting ? { authSetting } : {}) };
}

/**
 * R-CSV-10 for export, adjusted so the file re-imports to the same role under R-CSV-08/09:
 * license is the role's tier (TSC writes the role name itself, e.g. `ExplorerCanPublish`,
 * which R-CSV-08 does not accept), admin is `None` rather than empty (an empty column derives
 * Unlicensed, R-CSV-09), publishing is `1` when the role contains Creator, Admin or Publish.
 */
export function exportColumns(role: SiteRole | 'ServerAdministrator'): { license: string; admin: string; publishing: string } {
  const publishing = /Creator|Admin|Publish/.test(role) ? '1' : '0';
  if (role === 'ServerAdministrator') return { license: 'Creator', admin: 'System', publishing };
  const tier = tierOf(role);
  const license = tier ? `${tier[0]!.toUpperCase()}${tier.slice(1)}` : 'Unlicensed';
  return { license, admin: role.startsWith('SiteAdministrator') ? 'Site' : 'None', publishing };
}

/**
 * The role a membership shows (what Tableau's user list and an export say): its effective
 * role while it holds a seat, else Unlicensed. Sending this back is not a new request
 * (the CSV analogue of SPEC §5.8's echo-safe writes).
 */
export const shownRole = (m: { licensed: boolean; siteRole: SiteRole }): SiteRole => (m.licensed ? m.siteRole : 'Unlicensed');
