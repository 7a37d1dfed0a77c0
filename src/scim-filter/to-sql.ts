/**
 * SCIM filter AST → SQLite boolean expression (RFC 7644 §3.4.2.2) over rolegate's schema
 * (src/adapters/sqlite/schema.ts). The expression is AND-ed into
 *   Users:  … FROM site_memberships m JOIN users u ON u.id = m.user_id WHERE m.site_id = ? AND (<expr>)
 *   Groups: … FROM groups g WHERE g.site_id = ? AND (<expr>)
 *
 * Semantics: multi-valued attributes match when any value matches (§3.4.2.2); a value filter
 * `attr[…]` must hold on one element; `ne` is `not (eq)`, so a missing attribute matches `ne`;
 * `eq null` is `not pr`; `not (x)` matches exactly the rows `x` does not.
 */
import type { AttrPath, FilterNode } from './ast.js';
import { findSubAttribute, resolveAttribute, type AttributeDescriptor, type ResourceName } from './attributes.js';
import { FilterError } from './errors.js';
import {
  TRUE, asBoolean, comparison, frag, join, not, presence, type Frag, type Target,
} from './sql-scalar.js';
import { jsonPath, targetOf, type SqlScope } from './sql-scope.js';

export { sortKeySql } from './sort-sql.js';

/** Tenant and site the query runs in (the repository's scope). */
export interface FilterContext {
  tenantId: string;
  siteId: string;
}

/** A boolean SQL expression with positional `?` parameters, in order. */
export interface SqlFilter {
  sql: string;
  params: unknown[];
}

/**
 * Translates a parsed filter into a SQL expression for better-sqlite3.
 * Needs the SQL function `scim_lower` (JS `toLowerCase`) registered on the connection.
 *
 * @throws FilterError (invalidFilter) for unknown attributes, attributes that cannot be
 *   filtered (`meta.location`, `$ref`), or operators/values that do not fit the attribute type.
 */
export function filterToSql(node: FilterNode, resource: ResourceName, ctx: FilterContext): SqlFilter {
  return new Translator(resource, ctx).root(node);
}

type Leaf = Extract<FilterNode, { kind: 'compare' | 'present' }>;

/** A comparison/presence leaf on one scalar, with `ne` and null comparisons rewritten. */
function scalarLeaf(t: Target, node: Leaf): Frag {
  if (node.kind === 'present') return presence(t);
  if (node.value === null) {
    if (node.op === 'eq') return not(presence(t));
    if (node.op === 'ne') return presence(t);
    throw new FilterError(`Operator '${node.op}' cannot compare with null`);
  }
  if (node.op === 'ne') return not(comparison(t, 'eq', node.value, node.raw));
  return comparison(t, node.op, node.value, node.raw);
}

class Translator {
  private readonly rootScope: SqlScope;

  constructor(private readonly resource: ResourceName, private readonly ctx: FilterContext) {
    this.rootScope = resource === 'User'
      ? { aliases: { users: 'u', site_memberships: 'm' }, doc: 'u.data', base: [], mirror: false, tenantGuard: frag('u.tenant_id = ?', ctx.tenantId) }
      : { aliases: { groups: 'g' }, doc: "'{}'", base: [], mirror: false };
  }

  root(node: FilterNode): Frag {
    switch (node.kind) {
      case 'and': return join(node.items.map((n) => this.root(n)), 'AND');
      case 'or': return join(node.items.map((n) => this.root(n)), 'OR');
      case 'not': return not(this.root(node.item));
      case 'valuePath': return this.valuePath(this.complexOf(node.attr), node.filter);
      default: return this.rootLeaf(node);
    }
  }

  private complexOf(path: AttrPath): AttributeDescriptor {
    if (path.sub !== undefined) throw new FilterError(`A value filter applies to an attribute, not to '${path.attr}.${path.sub}'`);
    const { attribute } = resolveAttribute(this.resource, path);
    if (attribute.type !== 'complex') throw new FilterError(`Attribute '${attribute.path}' is not complex; it has no value filter`);
    return attribute;
  }

  private rootLeaf(node: Leaf): Frag {
    const { attribute: a, sub } = resolveAttribute(this.resource, node.path);
    if (sub) {
      if (a.multiValued) return this.collectionLeaf(a, sub, node);
      return scalarLeaf(targetOf(sub, this.singularScope(a)), node);
    }
    if (a.type !== 'complex') return scalarLeaf(targetOf(a, this.rootScope), node);
    // Bare complex attribute: `pr` / null tests are about the attribute itself; comparisons
    // apply to its `value` sub-attribute (RFC 7644 §3.4.2.2, e.g. `emails co "x"`).
    if (node.kind === 'present' || node.value === null) {
      const present = a.multiValued ? this.collectionPresent(a) : this.complexPresent(a);
      if (node.kind === 'present' || node.op === 'ne') return present;
      if (node.op === 'eq') return not(present);
      throw new FilterError(`Operator '${node.op}' cannot compare with null`);
    }
    const value = findSubAttribute(a, 'value');
    if (!value) throw new FilterError(`Attribute '${a.path}' has no 'value'; compare one of its sub-attributes`);
    return a.multiValued ? this.collectionLeaf(a, value, node) : scalarLeaf(targetOf(value, this.singularScope(a)), node);
  }

  /** `attr.sub op v` on a multi-valued attribute: some element matches; `ne` / `eq null` negate that. */
  private collectionLeaf(a: AttributeDescriptor, sub: AttributeDescriptor, node: Leaf): Frag {
    const path = { attr: sub.name };
    if (node.kind === 'present') return this.valuePath(a, { kind: 'present', path });
    if (node.value === null) {
      if (node.op !== 'eq' && node.op !== 'ne') throw new FilterError(`Operator '${node.op}' cannot compare with null`);
      const some = this.valuePath(a, { kind: 'present', path });
      return node.op === 'eq' ? not(some) : some;
    }
    if (node.op === 'ne') return not(this.valuePath(a, { ...node, path, op: 'eq' }));
    return this.valuePath(a, { ...node, path });
  }

  private singularScope(a: AttributeDescriptor): SqlScope {
    return a.location.kind === 'json' ? { ...this.rootScope, base: a.location.keys } : this.rootScope;
  }

  /** A singular complex attribute is present when one of its stored sub-attributes is. */
  private complexPresent(a: AttributeDescriptor): Frag {
    const scope = this.singularScope(a);
    const subs = (a.subAttributes ?? []).filter((s) => s.location.kind !== 'computed');
    const parts = subs.map((s) => presence(targetOf(s, scope)));
    return parts.includes(TRUE) ? TRUE : join(parts, 'OR');
  }

  /** A multi-valued attribute is present when it has at least one non-null, non-empty element. */
  private collectionPresent(a: AttributeDescriptor): Frag {
    switch (a.location.kind) {
      case 'siteRole': return TRUE;
      case 'json':
        return frag(`EXISTS (SELECT 1 FROM json_each(u.data, '${jsonPath(a.location.keys)}') j WHERE j.type <> 'null' AND j.value <> '{}')`);
      default: return this.elements(a, TRUE);
    }
  }

  /** `attr[filter]`: one element (or the singular complex value) satisfies `filter`. */
  private valuePath(a: AttributeDescriptor, filter: FilterNode): Frag {
    if (!a.multiValued) {
      const scope = this.singularScope(a);
      const cond = this.element(filter, a, scope);
      if (a.location.kind !== 'json') return cond;
      const guard = frag(`json_type(u.data, '${jsonPath(a.location.keys)}') = 'object'`);
      return join([guard, cond], 'AND');
    }
    return this.elements(a, filter);
  }

  /** The SQL for "some element of `a` satisfies `filter`" (TRUE: some element exists). */
  private elements(a: AttributeDescriptor, filter: FilterNode | Frag): Frag {
    const cond = (scope: SqlScope) => ('kind' in filter ? this.element(filter, a, scope) : filter);
    const loc = a.location;
    const { tenantId, siteId } = this.ctx;
    switch (loc.kind) {
      case 'siteRole':
        return cond({ aliases: { site_memberships: 'm' }, doc: "'{}'", base: [], mirror: false });
      case 'userGroups': {
        const c = cond({ aliases: { group_members: 'gm', groups: 'ug' }, doc: "'{}'", base: [], mirror: false });
        return frag(`u.id IN (SELECT gm.member_id FROM group_members gm JOIN groups ug ON ug.id = gm.group_id WHERE ug.site_id = ? AND (${c.sql}))`,
          siteId, ...c.params);
      }
      case 'groupMembers': {
        // Presence: probe the (group_id, member_id) primary key per group, not every membership row.
        if (filter === TRUE) return frag('EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id)');
        const c = cond({ aliases: { group_members: 'gm' }, doc: "'{}'", base: [], mirror: false });
        return frag(`g.id IN (SELECT gm.group_id FROM group_members gm WHERE ${c.sql})`, ...c.params);
      }
      case 'json': {
        if (a.mirror && 'kind' in filter && mirrorable(filter, a)) {
          // Indexed path: user_emails(tenant_id, value_lower) mirrors users.data.emails row by row.
          const c = cond({ aliases: { user_emails: 'e' }, doc: "'{}'", base: [], mirror: true });
          return frag(`u.id IN (SELECT e.user_id FROM user_emails e WHERE e.tenant_id = ? AND (${c.sql}))`, tenantId, ...c.params);
        }
        const c = cond({ aliases: {}, doc: 'j.value', base: [], mirror: false });
        return frag(`EXISTS (SELECT 1 FROM json_each(u.data, '${jsonPath(loc.keys)}') j WHERE ${c.sql})`, ...c.params);
      }
      default:
        throw new Error(`internal: ${a.path} is not multi-valued storage`);
    }
  }

  /** Translates a filter whose paths are sub-attributes of `a`, in one element's scope. */
  private element(node: FilterNode, a: AttributeDescriptor, scope: SqlScope): Frag {
    switch (node.kind) {
      case 'and': return join(node.items.map((n) => this.element(n, a, scope)), 'AND');
      case 'or': return join(node.items.map((n) => this.element(n, a, scope)), 'OR');
      case 'not': return not(this.element(node.item, a, scope));
      case 'valuePath': throw new FilterError(`Value filters cannot be nested inside '${a.path}[…]'`);
      default: return scalarLeaf(targetOf(subOf(a, node.path), scope), node);
    }
  }
}

function subOf(a: AttributeDescriptor, path: AttrPath): AttributeDescriptor {
  if (path.schema !== undefined || path.sub !== undefined) {
    throw new FilterError(`Inside '${a.path}[…]' only sub-attribute names of '${a.path}' are allowed`);
  }
  const sub = findSubAttribute(a, path.attr);
  if (!sub) throw new FilterError(`Unknown sub-attribute '${path.attr}' of '${a.path}'`);
  return sub;
}

/**
 * Whether an element filter can run on the mirror rows with exactly the JSON semantics: every
 * leaf names a mirrored sub-attribute, and `primary` (stored as 1 only when true) is only
 * tested for `true`.
 */
function mirrorable(node: FilterNode, a: AttributeDescriptor): boolean {
  switch (node.kind) {
    case 'and':
    case 'or': return node.items.every((n) => mirrorable(n, a));
    case 'not': return mirrorable(node.item, a);
    case 'valuePath': return false;
    default: {
      const sub = node.path.schema === undefined && node.path.sub === undefined ? findSubAttribute(a, node.path.attr) : undefined;
      if (!sub?.mirror) return false;
      if (!sub.mirror.trueOnly) return true;
      if (node.kind === 'present' || node.value === null || (node.op !== 'eq' && node.op !== 'ne')) return false;
      try {
        return asBoolean(sub.path, node.value);
      } catch {
        return false; // let the JSON path raise the type error
      }
    }
  }
}
