/**
 * The attribute catalogue the filter translators work from: for each SCIM attribute of User and
 * Group (RFC 7643 §3.1, §4.1, §4.2, §4.3, plus the Tableau extension), its type, `caseExact`,
 * `multiValued` and where rolegate stores it. Names resolve case-insensitively (RFC 7643 §2.1)
 * with or without their schema URN (RFC 7644 §3.10).
 */
import type { AttrPath } from './ast.js';
import { FilterError } from './errors.js';

/** Schema URNs known to the catalogue. */
export const SCHEMA_URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  tableau: 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User',
  /** Tableau's documented key (without `:User`), accepted as an alias. */
  tableauAlias: 'urn:ietf:params:scim:schemas:extension:tableau:3.0',
} as const;

export type ResourceName = 'User' | 'Group';

/** RFC 7643 §2.3 data types. */
export type AttrType = 'string' | 'boolean' | 'dateTime' | 'integer' | 'decimal' | 'reference' | 'binary' | 'complex';

/** A column of `users`, `site_memberships`, `groups`, `group_members` or `user_emails`. */
export interface ColumnLocation {
  kind: 'column';
  table: 'users' | 'site_memberships' | 'groups' | 'group_members' | 'user_emails';
  column: string;
  /** The column holds `toLowerCase()` of the value (compare lower-cased operands). */
  lowered?: boolean;
  /** Boolean column that is 1 exactly when the value is `true` (absent and false both give 0). */
  trueOnly?: boolean;
}

/**
 * Where an attribute lives.
 * - `json`: key path inside `users.data`; for a sub-attribute, relative to its parent value.
 * - `constant`: fixed by the resource type (`meta.resourceType`).
 * - `computed`: rendered from other data (`meta.location`, `$ref`): not filterable.
 * - `meta`: the `meta` complex attribute, whose sub-attributes have their own locations.
 * - `userGroups`: rows of `group_members` joined with the site's `groups` (User.groups).
 * - `groupMembers`: rows of `group_members` of the group (Group.members).
 * - `siteRole`: a single element built from `site_memberships.site_role`.
 */
export type Location =
  | ColumnLocation
  | { kind: 'json'; keys: readonly string[] }
  | { kind: 'constant'; value: string }
  | { kind: 'computed' }
  | { kind: 'meta' }
  | { kind: 'userGroups' }
  | { kind: 'groupMembers' }
  | { kind: 'siteRole' };

export interface AttributeDescriptor {
  /** Canonical name (RFC 7643 spelling). */
  readonly name: string;
  /** Canonical dotted path, e.g. `name.familyName`. */
  readonly path: string;
  /** URN of the schema that defines the attribute. */
  readonly schema: string;
  readonly type: AttrType;
  /** RFC 7643 §2.2: string comparisons are case-sensitive only when true. */
  readonly caseExact: boolean;
  readonly multiValued: boolean;
  readonly location: Location;
  /** Indexed copy usable instead of `location` (emails mirrored in `user_emails`). */
  readonly mirror?: ColumnLocation;
  readonly subAttributes?: readonly AttributeDescriptor[];
}

/** An attribute and, for `attr.sub` paths, its resolved sub-attribute. */
export interface ResolvedAttribute {
  attribute: AttributeDescriptor;
  sub?: AttributeDescriptor;
}

interface Spec {
  type?: AttrType;
  caseExact?: boolean;
  multi?: boolean;
  at?: Location;
  mirror?: ColumnLocation;
  subs?: Record<string, Spec>;
}

const json = (...keys: string[]): Location => ({ kind: 'json', keys });
const col = (table: ColumnLocation['table'], column: string, extra: Partial<ColumnLocation> = {}): ColumnLocation => ({
  kind: 'column', table, column, ...extra,
});
const COMPUTED: Location = { kind: 'computed' };
const exact: Spec = { caseExact: true };

/** value/display/type/primary: the RFC 7643 §2.4 sub-attributes of multi-valued attributes. */
const multiSubs = (value: Spec = {}): Record<string, Spec> => ({
  value, display: {}, type: {}, primary: { type: 'boolean' },
});

function build(schema: string, specs: Record<string, Spec>, parent?: string, base: readonly string[] = []): AttributeDescriptor[] {
  return Object.entries(specs).map(([name, s]) => {
    const path = parent ? `${parent}.${name}` : name;
    // Top-level JSON attributes sit under the extension key when they belong to an extension.
    const location = s.at ?? json(...base, name);
    const type = s.type ?? (s.subs ? 'complex' : 'string');
    const d: AttributeDescriptor = {
      name, path, schema, type,
      caseExact: s.caseExact ?? (type === 'binary'),
      multiValued: s.multi ?? false,
      location,
      ...(s.mirror ? { mirror: s.mirror } : {}),
      ...(s.subs ? { subAttributes: build(schema, s.subs, path) } : {}),
    };
    return d;
  });
}

const USER_CORE = build(SCHEMA_URN.user, {
  id: { ...exact, at: col('users', 'id') },
  externalId: { ...exact, at: col('users', 'external_id') },
  userName: { at: col('users', 'user_name_lower', { lowered: true }) },
  name: { subs: { formatted: {}, familyName: {}, givenName: {}, middleName: {}, honorificPrefix: {}, honorificSuffix: {} } },
  displayName: { at: col('users', 'display_name_lower', { lowered: true }) },
  nickName: {}, profileUrl: { type: 'reference' }, title: {}, userType: {},
  preferredLanguage: {}, locale: {}, timezone: {},
  active: { type: 'boolean', at: col('site_memberships', 'active') },
  emails: {
    multi: true,
    mirror: col('user_emails', 'user_id'),
    subs: {
      value: { mirror: col('user_emails', 'value_lower', { lowered: true }) },
      display: {},
      type: { mirror: col('user_emails', 'type') },
      primary: { type: 'boolean', mirror: col('user_emails', 'is_primary', { trueOnly: true }) },
    },
  },
  phoneNumbers: { multi: true, subs: multiSubs() },
  ims: { multi: true, subs: multiSubs() },
  photos: { multi: true, subs: multiSubs({ type: 'reference' }) },
  addresses: {
    multi: true,
    subs: {
      formatted: {}, streetAddress: {}, locality: {}, region: {}, postalCode: {}, country: {},
      type: {}, primary: { type: 'boolean' },
    },
  },
  groups: {
    multi: true,
    at: { kind: 'userGroups' },
    subs: {
      value: { ...exact, at: col('group_members', 'group_id') },
      $ref: { type: 'reference', ...exact, at: COMPUTED },
      display: { at: col('groups', 'display_name_lower', { lowered: true }) },
      type: { at: COMPUTED },
    },
  },
  entitlements: { multi: true, subs: multiSubs() },
  roles: { multi: true, subs: multiSubs() },
  x509Certificates: { multi: true, subs: multiSubs({ type: 'binary' }) },
  meta: {
    at: { kind: 'meta' },
    subs: {
      resourceType: { ...exact, at: { kind: 'constant', value: 'User' } },
      created: { type: 'dateTime', at: col('site_memberships', 'created_at') },
      lastModified: { type: 'dateTime', at: col('site_memberships', 'updated_at') },
      location: { type: 'reference', ...exact, at: COMPUTED },
      version: { ...exact, at: COMPUTED },
    },
  },
});

const ENTERPRISE = build(SCHEMA_URN.enterprise, {
  employeeNumber: {}, costCenter: {}, organization: {}, division: {}, department: {},
  manager: { subs: { value: exact, $ref: { type: 'reference', ...exact }, displayName: {} } },
}, undefined, [SCHEMA_URN.enterprise]);

const TABLEAU = build(SCHEMA_URN.tableau, {
  siteRoles: {
    multi: true,
    at: { kind: 'siteRole' },
    // Canonical role names are case-sensitive (scimmy enforces canonicalValues exactly).
    subs: { value: { ...exact, at: col('site_memberships', 'site_role') }, primary: { type: 'boolean', at: COMPUTED } },
  },
});

const GROUP_CORE = build(SCHEMA_URN.group, {
  id: { ...exact, at: col('groups', 'id') },
  externalId: { ...exact, at: col('groups', 'external_id') },
  displayName: { at: col('groups', 'display_name_lower', { lowered: true }) },
  members: {
    multi: true,
    at: { kind: 'groupMembers' },
    subs: {
      value: { ...exact, at: col('group_members', 'member_id') },
      display: { at: col('group_members', 'display') },
      type: { at: col('group_members', 'member_type') },
      $ref: { type: 'reference', ...exact, at: COMPUTED },
    },
  },
  meta: {
    at: { kind: 'meta' },
    subs: {
      resourceType: { ...exact, at: { kind: 'constant', value: 'Group' } },
      created: { type: 'dateTime', at: col('groups', 'created_at') },
      lastModified: { type: 'dateTime', at: col('groups', 'updated_at') },
      location: { type: 'reference', ...exact, at: COMPUTED },
      version: { ...exact, at: COMPUTED },
    },
  },
});

/** Schemas of each resource type, core first: unqualified names are looked up in this order. */
const SCHEMAS: Record<ResourceName, readonly { urns: readonly string[]; attributes: readonly AttributeDescriptor[] }[]> = {
  User: [
    { urns: [SCHEMA_URN.user], attributes: USER_CORE },
    { urns: [SCHEMA_URN.enterprise], attributes: ENTERPRISE },
    { urns: [SCHEMA_URN.tableau, SCHEMA_URN.tableauAlias], attributes: TABLEAU },
  ],
  Group: [{ urns: [SCHEMA_URN.group], attributes: GROUP_CORE }],
};

const byName = (list: readonly AttributeDescriptor[], name: string) => {
  const lower = name.toLowerCase();
  return list.find((a) => a.name.toLowerCase() === lower);
};

/** All top-level attributes of a resource type (core, then extensions). */
export function attributesOf(resource: ResourceName): AttributeDescriptor[] {
  return SCHEMAS[resource].flatMap((s) => s.attributes);
}

/** The sub-attribute `name` of a complex attribute, case-insensitively. */
export function findSubAttribute(parent: AttributeDescriptor, name: string): AttributeDescriptor | undefined {
  return parent.subAttributes && byName(parent.subAttributes, name);
}

/**
 * Resolves an attribute path of a filter or PATCH path against the catalogue.
 * A schema URN (any case) restricts the lookup to that schema; without one, core attributes
 * win and extension attributes are found by their short name too (clients send `department`).
 *
 * @throws FilterError for an unknown schema, attribute or sub-attribute (RFC 7644 §3.4.2.2:
 *   400 invalidFilter).
 */
export function resolveAttribute(resource: ResourceName, path: AttrPath): ResolvedAttribute {
  const schemas = SCHEMAS[resource];
  let candidates = schemas;
  if (path.schema !== undefined) {
    const urn = path.schema.toLowerCase();
    candidates = schemas.filter((s) => s.urns.some((u) => u.toLowerCase() === urn));
    if (candidates.length === 0) throw new FilterError(`Unknown schema '${path.schema}' for ${resource} resources`);
  }
  let attribute: AttributeDescriptor | undefined;
  for (const s of candidates) if ((attribute = byName(s.attributes, path.attr))) break;
  if (!attribute) throw new FilterError(`Unknown attribute '${path.attr}' for ${resource} resources`);
  if (path.sub === undefined) return { attribute };
  if (!attribute.subAttributes) {
    throw new FilterError(`Attribute '${attribute.name}' has no sub-attribute '${path.sub}'`);
  }
  const sub = findSubAttribute(attribute, path.sub);
  if (!sub) throw new FilterError(`Unknown sub-attribute '${path.sub}' of '${attribute.name}'`);
  return { attribute, sub };
}
