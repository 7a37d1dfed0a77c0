/**
 * The authentication gate ("SAML-gated" SCIM), protected local accounts and the SAML
 * userName rule (SPEC §5.6; R-SCIM-02/03/08/31/47, seed 004).
 */
import { AppError } from '../domain/errors.js';
import { decide, type Decision } from './decision.js';
import { qualify, RC } from './reasons.js';

/** A site authentication configuration (R-SCIM-02/03/08; TABLEAU-RULES §8 `authConfigs`). */
export interface AuthConfig {
  id: string;
  type: 'SAML' | 'OIDC' | 'TableauIDWithMFA' | 'Google';
  enabled: boolean;
}

/** The detail of every 403 the gate causes, verbatim as Okta reports it (R-SCIM-47). */
export const SCIM_NOT_ENABLED_DETAIL = 'The authentication configuration is not SCIM enabled';

/**
 * Identity-provider types SCIM may be associated with: SAML (R-SCIM-02), and from Tableau
 * 2026.1 OIDC and Google too (R-SCIM-03/04). Tableau with MFA is local sign-in: never.
 */
export const SCIM_CAPABLE_TYPES: ReadonlySet<AuthConfig['type']> = new Set(['SAML', 'OIDC', 'Google']);

/** Why the gate is closed; each becomes `SCIM_NOT_ENABLED:<cause>` after the bare code. */
export type GateCause = 'scimDisabled' | 'noAuthConfig' | 'authConfigMissing' | 'authConfigDisabled' | 'authConfigNotIdp';

/**
 * Whether SCIM answers for a site (R-SCIM-02/03/04/08/47, SPEC §5.6): SCIM is enabled and
 * associated with one configuration that exists, is enabled and is SAML, OIDC or Google.
 * Otherwise `SCIM_NOT_ENABLED` (+ `SCIM_NOT_ENABLED:<cause>`), answered as 403 with
 * {@link SCIM_NOT_ENABLED_DETAIL}.
 */
export function evaluateScimGate(site: {
  authConfigs: AuthConfig[];
  scim: { enabled: boolean; authConfigId: string | null };
}): Decision<{ allowed: boolean; authConfig?: AuthConfig }> {
  const closed = (cause: GateCause, authConfig?: AuthConfig) =>
    decide({ allowed: false, ...(authConfig ? { authConfig } : {}) }, RC.SCIM_NOT_ENABLED, qualify(RC.SCIM_NOT_ENABLED, cause));
  if (!site.scim.enabled) return closed('scimDisabled');
  if (site.scim.authConfigId === null) return closed('noAuthConfig');
  const config = site.authConfigs.find((c) => c.id === site.scim.authConfigId);
  if (config === undefined) return closed('authConfigMissing');
  // Disabling the IdP configuration closes SCIM at once, without touching the SCIM switch.
  if (!config.enabled) return closed('authConfigDisabled', config);
  if (!SCIM_CAPABLE_TYPES.has(config.type)) return closed('authConfigNotIdp', config);
  return decide({ allowed: true, authConfig: config });
}

/**
 * The REST `authSetting` (R-REST-07) of a membership provisioned through `config`: SAML for
 * SAML, OpenID for OIDC and Google (Google sign-in is OpenID Connect).
 * @throws AppError internal.error for TableauIDWithMFA, which the gate never lets through.
 */
export function scimAuthSetting(config: AuthConfig): 'SAML' | 'OpenID' {
  switch (config.type) {
    case 'SAML': return 'SAML';
    case 'OIDC': case 'Google': return 'OpenID';
    default: throw new AppError('internal.error', `Authentication configuration ${config.id} (${config.type}) cannot carry SCIM`);
  }
}

/** Inputs of {@link evaluateProtectedAccount}. */
export interface ProtectedAccountInput {
  /** The membership's `authSetting` (R-REST-07), or null. */
  authSetting: string | null;
  /** The membership's `idpConfigurationId` (R-REST-09), or null. */
  idpConfigId: string | null;
  /** The configuration SCIM is associated with (R-SCIM-08). */
  scimConfigId: string;
  action: 'deprovision' | 'roleChange' | 'licenseChange' | 'update';
  /** Site setting that lifts the protection. */
  allowScimOnLocalAccounts: boolean;
}

/**
 * Whether SCIM may act on a membership (SPEC §5.6, R-SCIM-08): memberships that do not
 * authenticate through the SCIM configuration — local `TableauIDWithMFA` break-glass accounts
 * or memberships of another IdP configuration — may not be deprovisioned, re-licensed or
 * re-roled over SCIM (`PROTECTED_LOCAL_ACCOUNT`). Plain attribute updates are allowed. The site
 * setting lifts the protection (`LOCAL_ACCOUNT_PROTECTION_LIFTED`, for the audit). A membership
 * with no `idpConfigId` and a SAML/OpenID/ServerDefault/unset `authSetting` follows the site's
 * default IdP and counts as SCIM-managed.
 */
export function evaluateProtectedAccount(input: ProtectedAccountInput): Decision<{ allowed: boolean }> {
  if (input.action === 'update') return decide({ allowed: true });
  const local = (input.authSetting ?? '').trim().toLowerCase() === 'tableauidwithmfa';
  const otherIdp = input.idpConfigId !== null && input.idpConfigId !== input.scimConfigId;
  // An idpConfigId naming the SCIM configuration is managed whatever authSetting says.
  const managed = input.idpConfigId === input.scimConfigId || (!local && !otherIdp);
  if (managed) return decide({ allowed: true });
  if (input.allowScimOnLocalAccounts) return decide({ allowed: true }, RC.LOCAL_ACCOUNT_PROTECTION_LIFTED);
  return decide({ allowed: false }, RC.PROTECTED_LOCAL_ACCOUNT);
}

/** Loose email shape: one `@`, no blanks, a dot in the domain (R-SCIM-31, R-REST-11). */
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isTrue = (v: unknown): boolean => v === true || (typeof v === 'string' && v.trim().toLowerCase() === 'true');

/** Inputs of {@link evaluateSamlUserName}. */
export interface SamlUserNameInput {
  samlEnforced: boolean;
  userName: string;
  emails: { value?: unknown; primary?: unknown; type?: unknown }[] | undefined;
}

/**
 * With SAML enforced (seed 004: "the email address must match the identity provider's
 * username/email attribute exactly"; R-SCIM-31): `userName` must be an email
 * (`USERNAME_NOT_EMAIL`) and, when emails are sent, equal case-insensitively to the primary
 * one — or the first one when none is marked primary (`USERNAME_NOT_PRIMARY_EMAIL`).
 */
export function evaluateSamlUserName(input: SamlUserNameInput): Decision<{ ok: boolean }> {
  if (!input.samlEnforced) return decide({ ok: true });
  const userName = input.userName.trim();
  if (!EMAIL_RE.test(userName)) return decide({ ok: false }, RC.USERNAME_NOT_EMAIL);
  // Entries without a usable value say nothing about the address: skip them.
  const emails = (Array.isArray(input.emails) ? input.emails : [])
    .filter((e) => typeof e?.value === 'string' && e.value.trim() !== '');
  const chosen = emails.find((e) => isTrue(e.primary)) ?? emails[0];
  if (chosen === undefined) return decide({ ok: true });
  const same = (chosen.value as string).trim().toLowerCase() === userName.toLowerCase();
  return same ? decide({ ok: true }) : decide({ ok: false }, RC.USERNAME_NOT_PRIMARY_EMAIL);
}
