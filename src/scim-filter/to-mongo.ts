/**
 * SCIM filter AST → MongoDB query (RFC 7644 §3.4.2.2), from the same AST and catalogue as the
 * SQL translator (to-sql.ts) and with the same semantics, case for case: multi-valued
 * attributes match when any value matches; a value filter `attr[…]` holds on one element
 * (`$elemMatch`); `ne` is `not (eq)` so a missing attribute matches `ne`; `eq null` is `not pr`;
 * `not (x)` matches exactly the documents `x` does not (`$nor`). Documents follow
 * to-mongo-layout.ts; the query is AND-ed with the site by the adapter:
 *   Users:  memberships.find({ siteId, …query })      Groups: groups.find({ siteId, …query })
 * `User.groups` / `Group.members` live in other collections: their tests add `$lookup` stages
 * (returned in `lookups`, to run before `query` in an aggregation).
 */
import type { AttrPath, FilterNode } from './ast.js';
import { findSubAttribute, resolveAttribute, type AttributeDescriptor, type ResourceName } from './attributes.js';
import { FilterError } from './errors.js';
import { MATCH_ALL, MATCH_NONE, and, comparison, not, or, presence, type MongoQuery, type MongoTarget } from './to-mongo-scalar.js';
import { MONGO_LAYOUT, type MongoLayout } from './to-mongo-layout.js';
import { mongoPath } from './to-mongo-doc.js';
import { rootScope, targetOf, type MongoScope } from './to-mongo-scope.js';

export { MONGO_LAYOUT, type MongoLayout } from './to-mongo-layout.js';
export { sortKeyMongo, type MongoSortKey } from './to-mongo-sort.js';
export type { MongoQuery } from './to-mongo-scalar.js';

/** A translated filter: `$lookup` stages (usually none) and the query to match after them. */
export interface MongoFilter {
  /** Stages adding `_ug` (User.groups) / `_f<n>` (Group.members tests) arrays; empty: a plain `find`. */
  lookups: Record<string, unknown>[];
  query: MongoQuery;
}

/**
 * Translates a parsed filter into a MongoDB query over the adapter's documents.
 *
 * @throws FilterError (invalidFilter) exactly where filterToSql does: unknown attributes,
 *   attributes that cannot be filtered (`meta.location`, `$ref`), operators/values that do not
 *   fit the attribute type — with the same messages.
 */
export function filterToMongo(node: FilterNode, resource: ResourceName, ctx: { tenantId: string; siteId: string }, layout: MongoLayout = MONGO_LAYOUT): MongoFilter {
  const t = new Translator(resource, ctx.siteId, layout);
  const query = t.root(node);
  return { lookups: t.lookups, query };
}

type Leaf = Extract<FilterNode, { kind: 'compare' | 'present' }>;

/** A comparison/presence leaf on one scalar, with `ne` and null comparisons rewritten (as in to-sql.ts). */
function scalarLeaf(t: MongoTarget, node: Leaf): MongoQuery {
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
  readonly lookups: Record<string, unknown>[] = [];
  private userGroupsJoined = false;
  private readonly rootScope: MongoScope;

  constructor(private readonly resource: ResourceName, private readonly siteId: string, private readonly layout: MongoLayout) {
    this.rootScope = rootScope(resource, layout);
  }

  root(node: FilterNode): MongoQuery {
    switch (node.kind) {
      case 'and': return and(node.items.map((n) => this.root(n)));
      case 'or': return or(node.items.map((n) => this.root(n)));
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

  private rootLeaf(node: Leaf): MongoQuery {
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
  private collectionLeaf(a: AttributeDescriptor, sub: AttributeDescriptor, node: Leaf): MongoQuery {
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

  private singularScope(a: AttributeDescriptor): MongoScope {
    return a.location.kind === 'json' ? { ...this.rootScope, base: a.location.keys } : this.rootScope;
  }

  /** A singular complex attribute is present when one of its stored sub-attributes is. */
  private complexPresent(a: AttributeDescriptor): MongoQuery {
    const scope = this.singularScope(a);
    const subs = (a.subAttributes ?? []).filter((s) => s.location.kind !== 'computed');
    return or(subs.map((s) => presence(targetOf(s, scope))));
  }

  /** A multi-valued attribute is present when it has an element that is neither null nor `{}`. */
  private collectionPresent(a: AttributeDescriptor): MongoQuery {
    switch (a.location.kind) {
      case 'siteRole': return MATCH_ALL;
      case 'json': return { [this.jsonField(a)]: { $elemMatch: { $nin: [null, {}] } } };
      default: return this.elements(a, 'exists');
    }
  }

  private jsonField(a: AttributeDescriptor): string {
    if (a.location.kind !== 'json' || this.rootScope.json === null) throw new Error(`internal: ${a.path} is not stored as JSON`);
    return `${this.rootScope.json}.${mongoPath(...a.location.keys)}`;
  }

  /** `attr[filter]`: one element (or the singular complex value) satisfies `filter`. */
  private valuePath(a: AttributeDescriptor, filter: FilterNode): MongoQuery {
    if (!a.multiValued) {
      const cond = this.element(filter, a, this.singularScope(a));
      if (a.location.kind !== 'json') return cond;
      return and([{ [this.jsonField(a)]: { $type: 'object' } }, cond]);
    }
    return this.elements(a, filter);
  }

  /** "Some element of `a` satisfies `filter`" ('exists': some element exists). */
  private elements(a: AttributeDescriptor, filter: FilterNode | 'exists'): MongoQuery {
    const cond = (scope: MongoScope) => (filter === 'exists' ? MATCH_ALL : this.element(filter, a, scope));
    const { join } = this.layout;
    switch (a.location.kind) {
      case 'siteRole':
        // One element, built from the membership's own siteRole field.
        return cond({ columns: this.layout.user, json: null, base: [] });
      case 'userGroups': {
        // Elements are the site's groups the user is in: the user's member rows (index on
        // memberId), then their groups (by _id); both joins are index lookups, added once.
        const c = cond({ columns: this.layout.userGroup, json: null, base: [] });
        if (!this.userGroupsJoined) {
          this.userGroupsJoined = true;
          this.lookups.push(
            { $lookup: { from: join.groupMembers, localField: join.userId, foreignField: join.memberId, as: '_ugm' } },
            { $lookup: { from: join.groups, localField: `_ugm.${join.groupId}`, foreignField: join.groupKey, as: '_ug' } },
          );
        }
        return c === MATCH_NONE ? MATCH_NONE : { _ug: { $elemMatch: and([{ [join.groupSite]: this.siteId }, c]) } };
      }
      case 'groupMembers': {
        const c = cond({ columns: this.layout.groupMember, json: null, base: [] });
        if (c === MATCH_NONE) return MATCH_NONE;
        const pipeline: Record<string, unknown>[] = [{ $match: { $expr: { $eq: [`$${join.groupId}`, '$$gid'] } } }];
        if (c !== MATCH_ALL) pipeline.push({ $match: c });
        pipeline.push({ $limit: 1 });
        return this.lookup({ from: join.groupMembers, let: { gid: `$${join.groupKey}` }, pipeline });
      }
      case 'json': {
        const c = cond({ columns: {}, json: '', base: [] });
        if (c === MATCH_NONE) return MATCH_NONE;
        const field = this.jsonField(a);
        return c === MATCH_ALL ? { [`${field}.0`]: { $exists: true } } : { [field]: { $elemMatch: c } };
      }
      default:
        throw new Error(`internal: ${a.path} is not multi-valued storage`);
    }
  }

  /** Adds a `$lookup` whose (at most one) hit lands in `_f<n>`; the test is that it found one. */
  private lookup(spec: Record<string, unknown>): MongoQuery {
    const as = `_f${this.lookups.length}`;
    this.lookups.push({ $lookup: { ...spec, as } });
    return { [`${as}.0`]: { $exists: true } };
  }

  /** Translates a filter whose paths are sub-attributes of `a`, in one element's scope. */
  private element(node: FilterNode, a: AttributeDescriptor, scope: MongoScope): MongoQuery {
    switch (node.kind) {
      case 'and': return and(node.items.map((n) => this.element(n, a, scope)));
      case 'or': return or(node.items.map((n) => this.element(n, a, scope)));
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
