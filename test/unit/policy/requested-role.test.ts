import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../../src/domain/errors.js';
import type { SiteRole } from '../../../src/domain/site-roles.js';
import { evaluateRequestedRole, type RoleSources } from '../../../src/policy/requested-role.js';
import type { RoleMappingRules } from '../../../src/policy/role-mapping.js';

const v = (...values: (string | [string, unknown])[]) =>
  values.map((x) => (Array.isArray(x) ? { value: x[0], primary: x[1] } : { value: x }));

describe('requested role: carriers', () => {
  const table: [string, RoleSources, SiteRole, string][] = [
    ['siteRoles wins over entitlements', { siteRoles: v('Viewer'), entitlements: v('Creator') }, 'Viewer', 'siteRoles'],
    ['entitlements used when siteRoles is absent', { entitlements: v('Explorer') }, 'Explorer', 'entitlements'],
    ['entitlements used when siteRoles is empty', { siteRoles: [], entitlements: v('Explorer') }, 'Explorer', 'entitlements'],
    ['blank siteRoles values do not count', { siteRoles: v('  '), entitlements: v('Viewer') }, 'Viewer', 'entitlements'],
    ['role names are case-insensitive', { siteRoles: v('explorercanpublish') }, 'ExplorerCanPublish', 'siteRoles'],
  ];
  it.each(table)('R-SCIM-33/34 %s', (_n, src, role, source) => {
    expect(evaluateRequestedRole(src).value).toEqual({ role, source });
  });

  const core: [string, RoleSources, SiteRole, string][] = [
    ['core roles used when no Tableau extension', { roles: v('Creator') }, 'Creator', 'roles'],
    ['extension beats core roles', { entitlements: v('Viewer'), roles: v('Creator') }, 'Viewer', 'entitlements'],
    ['non-Tableau core role values are ignored', { roles: v('Sales Manager', 'Viewer') }, 'Viewer', 'roles'],
    ['only non-Tableau core roles fall back to the default', { roles: v('Sales Manager') }, 'Unlicensed', 'default'],
  ];
  it.each(core)('R-SCIM-36 %s', (_n, src, role, source) => {
    expect(evaluateRequestedRole(src).value).toEqual({ role, source });
  });

  const several: [string, RoleSources, SiteRole][] = [
    ['highest ranked when none is primary', { siteRoles: v('Viewer', 'Creator', 'Explorer') }, 'Creator'],
    ['primary=true wins over a higher one', { siteRoles: v('Creator', ['Viewer', true]) }, 'Viewer'],
    ['primary "true" as a string counts', { roles: v('Creator', ['Explorer', 'True']) }, 'Explorer'],
    ['primary=false is ignored', { entitlements: v(['Viewer', false], 'SiteAdministratorExplorer') }, 'SiteAdministratorExplorer'],
    ['SiteAdministratorCreator outranks Creator', { siteRoles: v('Creator', 'SiteAdministratorCreator') }, 'SiteAdministratorCreator'],
  ];
  it.each(several)('R-SCIM-39 %s', (_n, src, role) => {
    expect(evaluateRequestedRole(src).value.role).toBe(role);
  });

  const legacy: [string, RoleSources, string][] = [
    ['Interactor in siteRoles', { siteRoles: v('Interactor') }, 'LEGACY_SITE_ROLE'],
    ['Publisher in entitlements', { entitlements: v('Publisher') }, 'LEGACY_SITE_ROLE'],
    ['ReadOnly in core roles (Entra error case)', { roles: v('ReadOnly') }, 'LEGACY_SITE_ROLE'],
    ['ServerAdministrator is never assignable', { siteRoles: v('ServerAdministrator') }, 'LEGACY_SITE_ROLE'],
    ['an unknown name in the strict extension', { siteRoles: v('Boss') }, 'UNKNOWN_SITE_ROLE'],
  ];
  it.each(legacy)('R-SCIM-37 R-REST-04 rejects %s with invalidValue', (_n, src, reason) => {
    let err: unknown;
    try { evaluateRequestedRole(src); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('request.invalid_value');
    expect((err as AppError).scimType).toBe('invalidValue');
    expect((err as AppError).details?.reason).toBe(reason);
    expect((err as AppError).message).toContain('SiteAdministratorCreator');
  });
});

describe('requested role: mapping rules and defaults', () => {
  const subject = { resource: { title: 'Analyst' }, groups: [{ id: 'g1', displayName: 'Tableau Creators' }] };
  const rules: RoleMappingRules = { rules: [{ when: { attribute: 'title', equals: 'analyst' }, siteRole: 'Explorer' }] };
  const table: [string, RoleSources, SiteRole, Parameters<typeof evaluateRequestedRole>[2], SiteRole, string, string[]][] = [
    ['no carrier, no rules: site default', {}, 'Unlicensed', undefined, 'Unlicensed', 'default', ['SITE_DEFAULT_ROLE']],
    ['no carrier, no rules: configured site default', {}, 'Viewer', undefined, 'Viewer', 'default', ['SITE_DEFAULT_ROLE']],
    ['a carrier beats the rules', { roles: v('Viewer') }, 'Unlicensed', { rules, subject }, 'Viewer', 'roles', []],
    ['rules apply when no carrier', {}, 'Viewer', { rules, subject }, 'Explorer', 'mapping', ['ROLE_MAPPING_RULE_0']],
    ['rules default beats the site default', {}, 'Viewer',
      { rules: { rules: [], default: 'Explorer' }, subject }, 'Explorer', 'mapping', ['ROLE_MAPPING_DEFAULT']],
    ['no rule matches and no rules default: site default', {}, 'Viewer',
      { rules: { rules: [{ when: { group: 'Nobody' }, siteRole: 'Creator' }] }, subject }, 'Viewer', 'default', ['SITE_DEFAULT_ROLE']],
    ['non-Tableau core roles fall through to the rules', { roles: v('Sales') }, 'Unlicensed', { rules, subject }, 'Explorer', 'mapping', ['ROLE_MAPPING_RULE_0']],
  ];
  it.each(table)('R-SCIM-34/36 SPEC-5.1 precedence: %s', (_n, src, siteDefault, mapping, role, source, reasons) => {
    const d = evaluateRequestedRole(src, siteDefault, mapping);
    expect(d.value).toEqual({ role, source });
    expect(d.reasons).toEqual(reasons);
  });
});
