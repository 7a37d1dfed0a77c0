/**
 * Role-mapping rules: a site's own way of turning IdP attributes and group memberships into a
 * requested site role when the IdP sends no role (SPEC §5.1; R-SCIM-39 "highest wins").
 */
import { highestRole, isSiteRole, type SiteRole } from '../domain/site-roles.js';
import { isPresent, resolveAttribute, scalarStrings } from './attribute-path.js';
import { decide, type Decision } from './decision.js';
import { RC, ruleReason } from './reasons.js';

export { MAX_CONDITION_DEPTH, ROLE_MAPPING_SCHEMA } from './role-mapping-schema.js';

/** One test on the user (SPEC §5.1). Attribute paths are SCIM paths, e.g. `name.givenName`. */
export type Condition =
  | { attribute: string; equals: string }
  | { attribute: string; in: string[] }
  | { attribute: string; present: true }
  | { group: string }
  | { all: Condition[] }
  | { any: Condition[] };

/** A rule grants `siteRole` when `when` holds. */
export interface RoleRule {
  when: Condition;
  siteRole: SiteRole;
}

/** A site's rules; `default` applies when no rule matches (before the site default role). */
export interface RoleMappingRules {
  rules: RoleRule[];
  default?: SiteRole;
}

/** What the rules look at: the SCIM User JSON and the SCIM groups the user belongs to. */
export interface MappingSubject {
  /** Core attributes at top level, extensions under their URN keys. */
  resource: Record<string, unknown>;
  groups: { id: string; displayName: string }[];
}

// Validated bodies nest at most MAX_CONDITION_DEPTH; rules read back from storage are not
// re-validated, so a hard stop keeps a corrupt tree from exhausting the stack.
const HARD_DEPTH_LIMIT = 32;

/** Case-insensitive, trimmed comparison (SPEC §5.1: "case-insensitive string compare"). */
const norm = (s: string): string => s.trim().toLowerCase();

function holds(c: Condition, s: MappingSubject, depth: number): boolean {
  if (depth > HARD_DEPTH_LIMIT || typeof c !== 'object' || c === null) return false;
  if ('all' in c) return Array.isArray(c.all) && c.all.every((x) => holds(x, s, depth + 1));
  if ('any' in c) return Array.isArray(c.any) && c.any.some((x) => holds(x, s, depth + 1));
  if ('group' in c) {
    if (typeof c.group !== 'string') return false;
    // Ids are opaque (exact); names follow SCIM's case-insensitive displayName uniqueness.
    const name = norm(c.group);
    return s.groups.some((g) => g.id === c.group || norm(g.displayName) === name);
  }
  if (!('attribute' in c) || typeof c.attribute !== 'string') return false;
  const values = resolveAttribute(s.resource, c.attribute);
  if ('present' in c) return c.present === true && values.some(isPresent);
  const wanted = 'equals' in c ? [c.equals] : 'in' in c && Array.isArray(c.in) ? c.in : [];
  const targets = new Set(wanted.filter((w): w is string => typeof w === 'string').map(norm));
  return scalarStrings(values).some((v) => targets.has(norm(v)));
}

/**
 * Evaluates role-mapping rules (SPEC §5.1, R-SCIM-39): every matching rule counts and the
 * highest-ranked role wins; reasons list every matched rule as `ROLE_MAPPING_RULE_<index>`
 * (0-based). With no match: `rules.default` (reason `ROLE_MAPPING_DEFAULT`), else undefined.
 * Rules whose `siteRole` is not an assignable role are skipped, never thrown on: the admin
 * API validates with {@link ROLE_MAPPING_SCHEMA} before storing.
 */
export function evaluateRoleMapping(rules: RoleMappingRules, subject: MappingSubject): Decision<SiteRole | undefined> {
  const list = Array.isArray(rules?.rules) ? rules.rules : [];
  const matched: { index: number; role: SiteRole }[] = [];
  list.forEach((rule, index) => {
    if (isSiteRole(rule?.siteRole) && holds(rule.when, subject, 0)) matched.push({ index, role: rule.siteRole });
  });
  if (matched.length > 0) return decide(highestRole(matched.map((m) => m.role)), ...matched.map((m) => ruleReason(m.index)));
  if (isSiteRole(rules?.default)) return decide(rules.default, RC.ROLE_MAPPING_DEFAULT);
  return decide(undefined);
}
