import { AppError } from '../domain/errors.js';
import { canonicalRole, highestRole, LEGACY_ROLES, SITE_ROLES, type SiteRole } from '../domain/site-roles.js';
import { decide, type Decision } from './decision.js';
import { RC } from './reasons.js';
import { evaluateRoleMapping, type MappingSubject, type RoleMappingRules } from './role-mapping.js';

/** A multi-valued role carrier as it arrives: `[{value, primary?}]` (R-SCIM-33/39). */
export type RoleValues = ReadonlyArray<{ value?: unknown; primary?: unknown }> | undefined;

/** The three role carriers of a SCIM User, in precedence order (R-SCIM-33/34/36). */
export interface RoleSources {
  /** Tableau extension `siteRoles` (R-SCIM-33/34). */
  siteRoles?: RoleValues;
  /** Tableau extension `entitlements`, evaluated after siteRoles (R-SCIM-34). */
  entitlements?: RoleValues;
  /** Core `roles` as Entra's Tableau gallery app sends them (R-SCIM-36). */
  roles?: RoleValues;
}

/** Where the requested role came from (SPEC §5.1; R-SCIM-34/36): a carrier, the mapping rules or the default. */
export type RoleSource = 'siteRoles' | 'entitlements' | 'roles' | 'mapping' | 'default';

/** The site's role-mapping rules and what they look at (SPEC §5.1). */
export interface RoleMappingInput {
  rules: RoleMappingRules;
  subject: MappingSubject;
}

const legacy = new Set(LEGACY_ROLES.map((r) => r.toLowerCase()));

function rejectRole(value: string): never {
  throw new AppError('request.invalid_value',
    `'${value}' is not a valid site role; valid values are ${SITE_ROLES.join(', ')}`,
    { reason: legacy.has(value.toLowerCase()) ? RC.LEGACY_SITE_ROLE : RC.UNKNOWN_SITE_ROLE, validValues: SITE_ROLES });
}

/**
 * Picks the role one carrier asks for: the primary entry when one is marked, else the highest
 * ranked (R-SCIM-39). `strict` carriers (the Tableau extension) reject any value that is not a
 * site role; core `roles` is a generic SCIM attribute, so only Tableau role names count there
 * (a legacy one is still rejected, R-SCIM-37).
 */
function pick(values: RoleValues, strict: boolean): SiteRole | undefined {
  const entries = (values ?? []).filter((v) => typeof v?.value === 'string' && v.value.trim() !== '');
  const roles: { role: SiteRole; primary: boolean }[] = [];
  for (const e of entries) {
    const raw = (e.value as string).trim();
    const role = canonicalRole(raw);
    if (role) roles.push({ role, primary: e.primary === true || String(e.primary).toLowerCase() === 'true' });
    else if (strict || legacy.has(raw.toLowerCase())) rejectRole(raw);
  }
  const primary = roles.find((r) => r.primary);
  return primary?.role ?? highestRole(roles.map((r) => r.role));
}

/**
 * The requested site role (SPEC §5.1): the first carrier present wins — Tableau `siteRoles`,
 * then `entitlements` (R-SCIM-33/34), then core `roles` (R-SCIM-36) — then the site's
 * role-mapping rules when `mapping` is passed (a matched rule, or the rules' own `default`:
 * source `mapping`, reasons `ROLE_MAPPING_RULE_<n>` / `ROLE_MAPPING_DEFAULT`), else the site
 * default (reason `SITE_DEFAULT_ROLE`). Without `mapping` the behaviour is unchanged.
 * @throws AppError request.invalid_value for legacy or unknown role names (R-SCIM-37, R-REST-04).
 */
export function evaluateRequestedRole(
  src: RoleSources, siteDefault: SiteRole = 'Unlicensed', mapping?: RoleMappingInput,
): Decision<{ role: SiteRole; source: RoleSource }> {
  const order: [RoleSource, RoleValues, boolean][] = [
    ['siteRoles', src.siteRoles, true], ['entitlements', src.entitlements, true], ['roles', src.roles, false],
  ];
  for (const [source, values, strict] of order) {
    const role = pick(values, strict);
    if (role) return decide({ role, source });
  }
  // Rules only fill the gap an IdP leaves: a role the IdP sent always wins over them.
  if (mapping) {
    const mapped = evaluateRoleMapping(mapping.rules, mapping.subject);
    if (mapped.value !== undefined) return decide({ role: mapped.value, source: 'mapping' as const }, ...mapped.reasons);
  }
  return decide({ role: siteDefault, source: 'default' as const }, RC.SITE_DEFAULT_ROLE);
}
