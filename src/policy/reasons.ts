/**
 * The closed catalogue of policy reason codes (SPEC §5.9). Every `Decision.reasons` entry is
 * one of three shapes, so the audit log, the SCIM `detail` and the console can all explain it:
 *   - a bare code from {@link REASONS} (`LICENSE_EXHAUSTED`);
 *   - an indexed role-mapping code, `ROLE_MAPPING_RULE_<n>` (n = 0-based index into `rules`);
 *   - a qualified code, `<CODE>:<detail>` (`GROUP_FLOOR:<groupId>`, `SCIM_NOT_ENABLED:<cause>`),
 *     which always follows the bare code in the same list.
 */
export const REASONS = {
  // Requested role (SPEC §5.1; R-SCIM-34/36/37/39, R-REST-04).
  SITE_DEFAULT_ROLE: 'No role carrier or mapping rule applied; the site default role was used.',
  LEGACY_SITE_ROLE: 'A pre-2018.1 or Server-only role name was sent; it is rejected (R-SCIM-37, R-REST-04).',
  UNKNOWN_SITE_ROLE: 'The role name is not one of the seven assignable site roles.',
  ROLE_MAPPING_RULE_n: 'Role-mapping rule n (0-based) matched the user; the highest matched role wins.',
  ROLE_MAPPING_DEFAULT: 'No role-mapping rule matched; the rules\' own default role was used.',
  // Group floors (R-GRP-01..08).
  GROUP_FLOOR: 'A grant-enabled group sets a minimum site role for the user (qualified by group id).',
  GROUP_FLOOR_PROMOTION: 'A group minimum site role raised the user above the requested role (R-GRP-06/07).',
  ROLE_ABOVE_ENTITLEMENT: 'A group floor went away; the role was kept above what the user is now entitled to (R-GRP-08).',
  GROUP_EXIT_DEMOTED: 'A group floor went away and the site demotes on group exit (R-GRP-08).',
  // Seats (R-LIC-02/04/05/07, R-REST-15/17/18).
  LICENSE_REVOKED: 'active=false: the seat was released, the site role is kept (R-SCIM-35).',
  LICENSE_EXHAUSTED: 'No seat of a fitting tier was free; the user is Unlicensed, the requested role is kept (R-REST-15/17).',
  SEAT_BORROWED: 'The role\'s own tier was full; the user holds a seat of a higher tier (R-REST-18).',
  // Deprovisioning (R-REST-20..28).
  CONTENT_OWNER_RETAINED: 'The user owns content that blocks removal; kept as Unlicensed owner (R-REST-21/27/28).',
  MEMBERSHIP_REMOVED: 'The user owns nothing that blocks removal; the site membership was removed (R-REST-21).',
  // Authentication gate (R-SCIM-02/03/08/47, seed 004).
  SCIM_NOT_ENABLED: 'SCIM is not enabled on an enabled SAML, OIDC or Google configuration of the site (R-SCIM-02/47).',
  PROTECTED_LOCAL_ACCOUNT: 'The membership does not authenticate through the SCIM configuration; SCIM may not change its license, role or existence.',
  LOCAL_ACCOUNT_PROTECTION_LIFTED: 'The membership is not SCIM-managed, but the site allows SCIM to change such accounts.',
  USERNAME_NOT_EMAIL: 'SAML is enforced and userName is not an email address (R-SCIM-31, seed 004).',
  USERNAME_NOT_PRIMARY_EMAIL: 'SAML is enforced and userName differs from the primary email (seed 004).',
  // Tenant limits (R-TCM-03).
  CLOUD_ADMIN_LIMIT: 'The tenant already has the maximum of 100 cloud administrators (R-TCM-03).',
  // Recorded by the services around the policy decisions.
  OVERWROTE_MANUAL_CHANGE: 'An IdP sync replaced a role an administrator had set by hand (SPEC §5.7, R-SCIM-09).',
  RENAME_FORBIDDEN: 'The site does not allow userName changes; the rename was refused.',
  UNKNOWN_MEMBER_IGNORED: 'A group member id is not a user of this site; it was not stored, the rest of the change applied.',
} as const;

export type ReasonCode = keyof typeof REASONS;

/** `RC.X === 'X'`: typed constants so modules never spell a code as a bare string. */
export const RC = Object.fromEntries(Object.keys(REASONS).map((k) => [k, k])) as { readonly [K in ReasonCode]: K };

/** `ROLE_MAPPING_RULE_<index>` for a matched rule (index into `rules`, 0-based, as in JSON). */
export const ruleReason = (index: number): string => `ROLE_MAPPING_RULE_${index}`;

/** `<code>:<detail>`: a code qualified by what it is about (a group id, a cause). */
export const qualify = (code: ReasonCode, detail: string): string => `${code}:${detail}`;

const RULE_RE = /^ROLE_MAPPING_RULE_\d+$/;

/** The catalogue code behind any reason string, or undefined when it is not from this catalogue. */
export function codeOf(reason: string): ReasonCode | undefined {
  if (RULE_RE.test(reason)) return 'ROLE_MAPPING_RULE_n';
  const bare = reason.includes(':') ? reason.slice(0, reason.indexOf(':')) : reason;
  return Object.hasOwn(REASONS, bare) ? (bare as ReasonCode) : undefined;
}

/** One-line English explanation of a reason string (for the console and audit views). */
export function describeReason(reason: string): string | undefined {
  const code = codeOf(reason);
  return code === undefined ? undefined : REASONS[code];
}
