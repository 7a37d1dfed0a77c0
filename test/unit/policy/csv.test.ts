import { describe, expect, it } from '@jest/globals';
import { SITE_ROLES, type SiteRole } from '../../../src/domain/site-roles.js';
import {
  assignableRole, csvLine, decodeUserName, defaultMode, encodeUserName, exportColumns, parseCsvRow, shownRole, splitCsvLine,
  tableauSiteRole, type CsvFormat, type ParsedRow,
} from '../../../src/policy/csv.js';

const roleOf = (r: ParsedRow) => (r.kind === 'site' ? r.role : r.kind);
const reasonOf = (r: ParsedRow) => (r.kind === 'rejected' ? r.reason : undefined);

describe('line splitting (RFC 4180 within a line)', () => {
  const table: [string, string, string[] | undefined][] = [
    ['plain fields', 'a,b,c', ['a', 'b', 'c']],
    ['empty fields keep their positions', 'a,,,d,', ['a', '', '', 'd', '']],
    ['unquoted fields are trimmed', ' a , b ', ['a', 'b']],
    ['a quoted comma', '"Doe, Jane",x', ['Doe, Jane', 'x']],
    ['a doubled quote', '"say ""hi""",x', ['say "hi"', 'x']],
    ['quoted edge spaces are kept', '" a ",b', [' a ', 'b']],
    ['an unclosed quote is malformed', '"open,b', undefined],
    ['text after a closing quote is malformed', '"a"b,c', undefined],
  ];
  it.each(table)('%s', (_n, line, fields) => {
    expect(splitCsvLine(line)).toEqual(fields);
  });
});

describe('R-CSV-01 UTF-8 with BOM, no header, \\0x40 escapes', () => {
  const names: [string, string][] = [
    ['user\\0x40fremont@mycompany.com', 'user@fremont@mycompany.com'],
    ['USER\\0X40a\\0x40b@x.com', 'USER@a@b@x.com'],
    ['plain@x.com', 'plain@x.com'],
  ];
  it.each(names)('R-CSV-01 decodes %s as %s and encodes it back', (raw, name) => {
    expect(decodeUserName(raw)).toBe(name);
    expect(decodeUserName(encodeUserName(name))).toBe(name);
    expect(encodeUserName(name).split('@')).toHaveLength(2); // only the domain separator stays a bare @
  });
  const rows: [string, string, boolean, string][] = [
    ['a line with invalid UTF-8 (U+FFFD after decoding)', 'bad\uFFFDname@x.com,,,Viewer,None,no,', false, 'CSV_NOT_UTF8'],
    ['a header row on the first line', 'username,password,display name,license level,admin level,publishing capability,email address', true, 'CSV_HEADER_ROW'],
    ['a line too long to be a user', `${'a'.repeat(9000)},,,Viewer,None,no,`, false, 'CSV_LINE_TOO_LONG'],
  ];
  it.each(rows)('R-CSV-01 rejects %s', (_n, line, first, reason) => {
    expect(reasonOf(parseCsvRow(line, 'cloud', first))).toBe(reason);
  });
});

describe('R-CSV-02 all delimiters present, columns positional', () => {
  const table: [string, CsvFormat, string, string | undefined][] = [
    ['every delimiter, empty values', 'cloud', 'a@x.com,,,,,,', undefined],
    ['a trailing empty column is tolerated', 'cloud', 'a@x.com,,,Viewer,None,no,,', undefined],
    ['missing delimiters', 'cloud', 'a@x.com,,Viewer', 'CSV_COLUMN_COUNT'],
    ['an extra non-empty column', 'cloud', 'a@x.com,,,Viewer,None,no,a@x.com,extra', 'CSV_COLUMN_COUNT'],
    ['a TCM row with seven columns', 'tcm', 'site,a@x.com,,,Viewer,None,no', 'CSV_COLUMN_COUNT'],
  ];
  it.each(table)('R-CSV-02 %s', (_n, format, line, reason) => {
    expect(reasonOf(parseCsvRow(line, format))).toBe(reason);
  });
});

describe('column orders (R-CSV-03, R-CSV-04, R-CSV-05)', () => {
  const table: [string, CsvFormat, string, Record<string, unknown>][] = [
    ['R-CSV-03 Cloud: username, password, display name, license, admin, publishing, email', 'cloud',
      'jdoe@x.com,secret,"Doe, Jane",Creator,None,yes,jane@x.com', { kind: 'site', userName: 'jdoe@x.com', displayName: 'Doe, Jane', email: 'jane@x.com', role: 'Creator' }],
    ['R-CSV-04 TCM: site URI first, authentication type last', 'tcm',
      'finance,jdoe@x.com,,Jane,Explorer,Site,yes,jane@x.com,TableauIDWithMFA',
      { kind: 'site', siteUri: 'finance', userName: 'jdoe@x.com', role: 'SiteAdministratorExplorer', authSetting: 'TableauIDWithMFA' }],
    ['R-CSV-04 TCM: auth types are case-insensitive (saml)', 'tcm', 'finance,a@x.com,,,Viewer,None,no,,saml', { authSetting: 'SAML' }],
    ['R-CSV-05 Server: same seven columns as Cloud', 'server', 'jdoe,pw,Jane,Explorer,None,no,jane@x.com', { kind: 'site', userName: 'jdoe', email: 'jane@x.com', role: 'Explorer' }],
    ['R-CSV-05 Server: an identity pool column after the email is ignored', 'server', 'jdoe,,,Viewer,None,no,j@x.com,Pool A', { kind: 'site', role: 'Viewer' }],
  ];
  it.each(table)('%s', (_n, format, line, expected) => {
    const r = parseCsvRow(line, format);
    expect(r).toMatchObject(expected);
    expect(JSON.stringify(r)).not.toContain('secret'); // the password column is never kept
  });
});

describe('R-CSV-06 only the username is required', () => {
  const table: [string, string, Record<string, unknown>][] = [
    ['a username alone defines no role', 'a@x.com,,,,,,', { kind: 'site', userName: 'a@x.com', displayName: null, email: null }],
    ['password and display name may be filled and are only delimited', 'a@x.com,pw,Name,,,,', { kind: 'site', displayName: 'Name' }],
    ['an empty username is rejected', ',,,Viewer,None,no,', { kind: 'rejected', reason: 'CSV_MISSING_USERNAME' }],
  ];
  it.each(table)('R-CSV-06 %s', (_n, line, expected) => {
    const r = parseCsvRow(line, 'cloud');
    expect(r).toMatchObject(expected);
    if (r.kind === 'site') expect(r.role).toBeUndefined();
  });
});

describe('R-CSV-07 TCM cloud administrators', () => {
  const table: [string, CsvFormat, string, string][] = [
    ['blank site URI and admin level Cloud make a cloud administrator', 'tcm', ',boss@x.com,,Boss,,Cloud,,boss@x.com,TableauIDWithMFA', 'cloudAdmin'],
    ['Cloud is case-insensitive', 'tcm', ',boss@x.com,,,Creator,cloud,yes,,', 'cloudAdmin'],
    ['admin level Cloud with a site URI is rejected', 'tcm', 'finance,boss@x.com,,,,Cloud,,,', 'CSV_CLOUD_ADMIN_SITE'],
    ['a blank site URI without Cloud is rejected', 'tcm', ',a@x.com,,,Viewer,None,no,,', 'CSV_SITE_REQUIRED'],
    ['Cloud is not an admin level of Cloud files', 'cloud', 'boss@x.com,,,,Cloud,,', 'CSV_INVALID_VALUE'],
  ];
  it.each(table)('R-CSV-07 %s', (_n, format, line, expected) => {
    const r = parseCsvRow(line, format);
    expect(r.kind === 'rejected' ? r.reason : r.kind).toBe(expected);
  });
});

describe('R-CSV-08 accepted values, case-insensitive', () => {
  const ok: [string, SiteRole][] = [
    ['a@x.com,,,CREATOR,NONE,YES,', 'Creator'], ['a@x.com,,,creator,no,true,', 'Creator'], ['a@x.com,,,Explorer,none,1,', 'ExplorerCanPublish'],
    ['a@x.com,,,explorer,None,0,', 'Explorer'], ['a@x.com,,,Explorer,None,False,', 'Explorer'], ['a@x.com,,,Viewer,Site,No,', 'SiteAdministratorExplorer'],
    ['a@x.com,,,unlicensed,none,no,', 'Unlicensed'],
  ];
  it.each(ok)('R-CSV-08 accepts %s as %s', (line, role) => {
    expect(roleOf(parseCsvRow(line, 'cloud'))).toBe(role);
  });
  const bad: [string, string][] = [
    ['license Interactor (a legacy role is not a license level)', 'a@x.com,,,Interactor,None,no,'],
    ['admin level Administrator', 'a@x.com,,,Creator,Administrator,no,'],
    ['publishing maybe', 'a@x.com,,,Creator,None,maybe,'],
    ['auth type Kerberos (TCM)', 'site,a@x.com,,,Viewer,None,no,,Kerberos'],
  ];
  it.each(bad)('R-CSV-08 rejects %s with CSV_INVALID_VALUE', (_n, line) => {
    expect(reasonOf(parseCsvRow(line, line.startsWith('site,') ? 'tcm' : 'cloud'))).toBe('CSV_INVALID_VALUE');
  });
});

describe('R-CSV-09 site role derivation', () => {
  const table: [string, string, boolean | undefined, CsvFormat, string | undefined][] = [
    ['', '', undefined, 'cloud', undefined],
    ['creator', '', true, 'cloud', 'Unlicensed'],
    ['creator', 'none', undefined, 'cloud', 'Unlicensed'],
    ['', 'site', true, 'cloud', 'Unlicensed'],
    ['creator', 'system', true, 'cloud', 'SiteAdministrator'],
    ['viewer', 'system', false, 'server', 'ServerAdministrator'],
    ['creator', 'site', false, 'cloud', 'SiteAdministratorCreator'],
    ['explorer', 'site', false, 'cloud', 'SiteAdministratorExplorer'],
    ['viewer', 'site', true, 'cloud', 'SiteAdministratorExplorer'],
    ['unlicensed', 'site', false, 'cloud', 'SiteAdministratorExplorer'],
    ['creator', 'none', true, 'cloud', 'Creator'],
    ['explorer', 'none', true, 'cloud', 'ExplorerCanPublish'],
    ['creator', 'none', false, 'cloud', 'Explorer'],
    ['explorer', 'none', false, 'cloud', 'Explorer'],
    ['viewer', 'none', true, 'cloud', 'Viewer'],
    ['viewer', 'none', false, 'cloud', 'Viewer'],
    ['unlicensed', 'none', true, 'cloud', 'Unlicensed'],
  ];
  it.each(table)('R-CSV-09 license %p admin %p publishing %p (%s) → %p', (license, admin, pub, format, role) => {
    expect(tableauSiteRole(license, admin, pub, format)).toBe(role);
  });
  const assign: [string, string, string | undefined, string | undefined][] = [
    ['Cloud system → legacy SiteAdministrator, rejected with the policy reason', 'SiteAdministrator', undefined, 'LEGACY_SITE_ROLE'],
    ['Server system → ServerAdministrator, never assignable', 'ServerAdministrator', undefined, 'SERVER_ADMIN_NOT_ASSIGNABLE'],
    ['a current role passes the policy', 'ExplorerCanPublish', 'ExplorerCanPublish', undefined],
  ];
  it.each(assign)('R-CSV-09 %s', (_n, tableau, role, reason) => {
    const d = assignableRole(tableau);
    expect(d.value.role).toBe(role);
    expect(d.reasons[0]).toBe(reason);
  });
  const rows: [string, CsvFormat, string, string][] = [
    ['a Cloud row with admin system', 'cloud', 'a@x.com,,,Creator,System,yes,', 'LEGACY_SITE_ROLE'],
    ['a Server row with admin system', 'server', 'admin,,,Creator,system,yes,', 'SERVER_ADMIN_NOT_ASSIGNABLE'],
  ];
  it.each(rows)('R-CSV-09 rejects %s', (_n, format, line, reason) => {
    const r = parseCsvRow(line, format);
    expect(reasonOf(r)).toBe(reason);
    expect(r.kind === 'rejected' && r.detail).toMatch(/system/i);
  });
});

describe('R-CSV-10 reverse mapping for export', () => {
  const table: [SiteRole | 'ServerAdministrator', string, string, string][] = [
    ['ServerAdministrator', 'Creator', 'System', '1'],
    ['SiteAdministratorCreator', 'Creator', 'Site', '1'],
    ['SiteAdministratorExplorer', 'Explorer', 'Site', '1'],
    ['Creator', 'Creator', 'None', '1'],
    ['ExplorerCanPublish', 'Explorer', 'None', '1'],
    ['Explorer', 'Explorer', 'None', '0'],
    ['Viewer', 'Viewer', 'None', '0'],
    ['Unlicensed', 'Unlicensed', 'None', '0'],
  ];
  it.each(table)('R-CSV-10 %s → license %s, admin %s, publishing %s', (role, license, admin, publishing) => {
    expect(exportColumns(role)).toEqual({ license, admin, publishing });
  });
  it.each(SITE_ROLES.map((r) => [r]))('R-CSV-10 %s re-imports as itself in every format', (role) => {
    const { license, admin, publishing } = exportColumns(role);
    for (const format of ['cloud', 'server'] as const) {
      expect(roleOf(parseCsvRow(csvLine(['a\\0x40b@x.com', '', 'Name, Jr', license, admin, publishing, 'a@x.com']).trimEnd(), format))).toBe(role);
    }
    expect(roleOf(parseCsvRow(csvLine(['site', 'a@x.com', '', '', license, admin, publishing, '', 'SAML']).trimEnd(), 'tcm'))).toBe(role);
  });
  const shown: [string, { licensed: boolean; siteRole: SiteRole }, SiteRole][] = [
    ['a licensed membership shows its effective role', { licensed: true, siteRole: 'Creator' }, 'Creator'],
    ['a membership without a seat shows Unlicensed', { licensed: false, siteRole: 'Creator' }, 'Unlicensed'],
  ];
  it.each(shown)('R-CSV-10 %s', (_n, m, role) => {
    expect(shownRole(m)).toBe(role);
  });
});

describe('R-CSV-11 official examples', () => {
  const table: [string, SiteRole][] = [
    ['UserA,,,Unlicensed,None,false,', 'Unlicensed'],
    ['UserA,,,Viewer,None,false,', 'Viewer'],
    ['UserA,,,Explorer,None,false,', 'Explorer'],
    ['UserA,,,Explorer,None,true,', 'ExplorerCanPublish'],
  ];
  it.each(table)('R-CSV-11 %s gives %s', (line, role) => {
    for (const format of ['cloud', 'server'] as const) expect(parseCsvRow(line, format)).toMatchObject({ kind: 'site', userName: 'UserA', role });
  });
});

describe('default import modes (C-03)', () => {
  const table: [string, CsvFormat, string][] = [
    ['R-CSV-12 Cloud files overwrite by default', 'cloud', 'overwrite'],
    ['R-CSV-12 TCM files overwrite by default', 'tcm', 'overwrite'],
    ['R-CSV-13 Server files only promote by default', 'server', 'promoteOnly'],
  ];
  it.each(table)('%s', (_n, format, mode) => {
    expect(defaultMode(format)).toBe(mode);
  });
});

describe('R-CSV-17 the seed 004 column layout is not a Tableau format', () => {
  const table: [string, string][] = [
    ['"Email, Site Role, Admin Level, Auth Setting, Group"', 'a@x.com,Creator,Site,SAML,Sales'],
    ['the same layout as a header', 'Email,Site Role,Admin Level,Auth Setting,Group'],
  ];
  it.each(table)('R-CSV-17 rejects %s', (_n, line) => {
    expect(parseCsvRow(line, 'cloud').kind).toBe('rejected');
  });
});
