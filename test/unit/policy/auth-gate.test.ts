import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../../src/domain/errors.js';
import {
  evaluateProtectedAccount, evaluateSamlUserName, evaluateScimGate, scimAuthSetting, SCIM_NOT_ENABLED_DETAIL,
  type AuthConfig, type ProtectedAccountInput, type SamlUserNameInput,
} from '../../../src/policy/auth-gate.js';

const cfg = (id: string, type: AuthConfig['type'], enabled = true): AuthConfig => ({ id, type, enabled });
const mfa = cfg('local', 'TableauIDWithMFA');

describe('evaluateScimGate', () => {
  it('R-SCIM-47 the 403 detail is the text Okta reports', () => {
    expect(SCIM_NOT_ENABLED_DETAIL).toBe('The authentication configuration is not SCIM enabled');
  });

  const table: [string, string, AuthConfig[], { enabled: boolean; authConfigId: string | null }, boolean, string | undefined][] = [
    ['R-SCIM-02/08', 'an enabled SAML configuration associated with SCIM', [mfa, cfg('saml', 'SAML')], { enabled: true, authConfigId: 'saml' }, true, undefined],
    ['R-SCIM-03/04', 'an enabled OIDC configuration (2026.1)', [cfg('oidc', 'OIDC')], { enabled: true, authConfigId: 'oidc' }, true, undefined],
    ['R-SCIM-03/04', 'an enabled Google configuration (2026.1)', [cfg('goog', 'Google')], { enabled: true, authConfigId: 'goog' }, true, undefined],
    ['R-SCIM-02 R-SCIM-47', 'SAML associated but disabled', [cfg('saml', 'SAML', false)], { enabled: true, authConfigId: 'saml' }, false, 'authConfigDisabled'],
    ['R-SCIM-04 R-SCIM-47', 'SCIM switched off', [cfg('saml', 'SAML')], { enabled: false, authConfigId: 'saml' }, false, 'scimDisabled'],
    ['R-SCIM-08 R-SCIM-47', 'SCIM on but associated with no configuration', [cfg('saml', 'SAML')], { enabled: true, authConfigId: null }, false, 'noAuthConfig'],
    ['R-SCIM-08 R-SCIM-47', 'associated configuration no longer exists', [cfg('saml', 'SAML')], { enabled: true, authConfigId: 'gone' }, false, 'authConfigMissing'],
    ['R-SCIM-02 R-SCIM-47', 'only TableauIDWithMFA on the site', [mfa], { enabled: true, authConfigId: null }, false, 'noAuthConfig'],
    ['R-SCIM-02 R-SCIM-47', 'SCIM associated with the TableauIDWithMFA configuration', [mfa], { enabled: true, authConfigId: 'local' }, false, 'authConfigNotIdp'],
    ['R-SCIM-02 R-SCIM-47', 'no configuration at all', [], { enabled: true, authConfigId: null }, false, 'noAuthConfig'],
  ];
  it.each(table)('%s %s', (_id, _n, authConfigs, scim, allowed, cause) => {
    const d = evaluateScimGate({ authConfigs, scim });
    expect(d.value.allowed).toBe(allowed);
    if (allowed) {
      expect(d.value.authConfig?.id).toBe(scim.authConfigId);
      expect(d.reasons).toEqual([]);
    } else {
      expect(d.reasons).toEqual(['SCIM_NOT_ENABLED', `SCIM_NOT_ENABLED:${cause}`]);
    }
  });
});

describe('scimAuthSetting', () => {
  const table: [AuthConfig['type'], string][] = [['SAML', 'SAML'], ['OIDC', 'OpenID'], ['Google', 'OpenID']];
  it.each(table)('R-REST-07 R-SCIM-03 a %s configuration provisions authSetting %s', (type, setting) => {
    expect(scimAuthSetting(cfg('x', type))).toBe(setting);
  });
  it('R-SCIM-02 TableauIDWithMFA cannot carry SCIM', () => {
    expect(() => scimAuthSetting(mfa)).toThrow(AppError);
  });
});

describe('evaluateProtectedAccount', () => {
  const base: ProtectedAccountInput = { authSetting: 'SAML', idpConfigId: 'saml', scimConfigId: 'saml', action: 'deprovision', allowScimOnLocalAccounts: false };
  const table: [string, Partial<ProtectedAccountInput>, boolean, string[]][] = [
    ['a membership of the SCIM configuration may be deprovisioned', {}, true, []],
    ['a membership of the SCIM configuration may change role', { action: 'roleChange', authSetting: null }, true, []],
    ['a local TableauIDWithMFA account may not be deprovisioned', { authSetting: 'TableauIDWithMFA', idpConfigId: null }, false, ['PROTECTED_LOCAL_ACCOUNT']],
    ['a local account may not change role', { authSetting: 'TableauIDWithMFA', idpConfigId: null, action: 'roleChange' }, false, ['PROTECTED_LOCAL_ACCOUNT']],
    ['a local account may not be re-licensed', { authSetting: 'tableauidwithmfa', idpConfigId: null, action: 'licenseChange' }, false, ['PROTECTED_LOCAL_ACCOUNT']],
    ['a local account may have attributes updated', { authSetting: 'TableauIDWithMFA', idpConfigId: null, action: 'update' }, true, []],
    ['another IdP configuration is protected', { authSetting: 'SAML', idpConfigId: 'other-saml' }, false, ['PROTECTED_LOCAL_ACCOUNT']],
    ['another IdP configuration may have attributes updated', { idpConfigId: 'other-saml', action: 'update' }, true, []],
    ['the site setting lifts the protection', { authSetting: 'TableauIDWithMFA', idpConfigId: null, allowScimOnLocalAccounts: true }, true, ['LOCAL_ACCOUNT_PROTECTION_LIFTED']],
    ['no idpConfigId and SAML: the site default IdP, managed', { idpConfigId: null }, true, []],
    ['no idpConfigId and no authSetting: managed (legacy rows)', { idpConfigId: null, authSetting: null }, true, []],
  ];
  it.each(table)('R-SCIM-08 SPEC-5.6 %s', (_n, over, allowed, reasons) => {
    const d = evaluateProtectedAccount({ ...base, ...over });
    expect(d.value.allowed).toBe(allowed);
    expect(d.reasons).toEqual(reasons);
  });
});

describe('evaluateSamlUserName', () => {
  const base: SamlUserNameInput = { samlEnforced: true, userName: 'ana@x.test', emails: undefined };
  const table: [string, Partial<SamlUserNameInput>, boolean, string[]][] = [
    ['SAML not enforced: anything goes', { samlEnforced: false, userName: 'ana', emails: [{ value: 'b@x.test' }] }, true, []],
    ['an email userName with no emails sent', {}, true, []],
    ['userName must be an email', { userName: 'ana' }, false, ['USERNAME_NOT_EMAIL']],
    ['userName with a blank is not an email', { userName: 'ana lopez@x.test' }, false, ['USERNAME_NOT_EMAIL']],
    ['userName equal to the primary email', { emails: [{ value: 'b@x.test' }, { value: 'ana@x.test', primary: true }] }, true, []],
    ['comparison is case-insensitive', { userName: 'Ana@X.test', emails: [{ value: 'ana@x.TEST', primary: 'true' }] }, true, []],
    ['userName differs from the primary email', { emails: [{ value: 'ana@x.test' }, { value: 'b@x.test', primary: true }] }, false, ['USERNAME_NOT_PRIMARY_EMAIL']],
    ['no primary marked: the first email', { emails: [{ value: 'ana@x.test', type: 'work' }, { value: 'b@x.test' }] }, true, []],
    ['no primary marked: the first email differs', { emails: [{ value: 'b@x.test' }, { value: 'ana@x.test' }] }, false, ['USERNAME_NOT_PRIMARY_EMAIL']],
    ['the only email', { emails: [{ value: 'ana@x.test' }] }, true, []],
    ['entries without a value are skipped', { emails: [{ type: 'work' }, { value: 'ana@x.test' }] }, true, []],
    ['empty emails: only the email-shape check', { emails: [] }, true, []],
  ];
  it.each(table)('R-SCIM-31 seed-004 %s', (_n, over, ok, reasons) => {
    const d = evaluateSamlUserName({ ...base, ...over });
    expect(d.value.ok).toBe(ok);
    expect(d.reasons).toEqual(reasons);
  });
});
