/**
 * Scopes of the Mongo translation: how an attribute descriptor's location becomes a field of the
 * document being matched — the resource document, one array element inside `$elemMatch`, or a
 * document reached by `$lookup` (to-mongo-layout.ts).
 */
import type { AttributeDescriptor, ResourceName } from './attributes.js';
import { FilterError } from './errors.js';
import { mongoPath } from './to-mongo-doc.js';
import type { ColumnMap, MongoLayout } from './to-mongo-layout.js';
import type { MongoTarget } from './to-mongo-scalar.js';

export interface MongoScope {
  /** Catalogue columns reachable here. */
  columns: ColumnMap;
  /** Prefix of `json` locations: the search copy at the root, '' inside an element, null: none. */
  json: string | null;
  /** Key path prefix (the parent of a singular complex attribute). */
  base: readonly string[];
}

/** The scope of the resource document itself. */
export function rootScope(resource: ResourceName, layout: MongoLayout): MongoScope {
  return resource === 'User'
    ? { columns: layout.user, json: layout.userSearch, base: [] }
    : { columns: layout.group, json: null, base: [] };
}

/** Resolves a descriptor to the scalar it denotes in `scope` (same errors as sql-scope.ts). */
export function targetOf(d: AttributeDescriptor, scope: MongoScope): MongoTarget {
  const loc = d.location;
  const base = { name: d.path, type: d.type, caseExact: d.caseExact };
  switch (loc.kind) {
    case 'column': {
      const col = scope.columns[`${loc.table}.${loc.column}`];
      if (!col) throw new Error(`internal: ${d.path} is not reachable from this scope`);
      return { kind: 'field', ...base, field: col.field, lowered: col.lowered };
    }
    case 'json': {
      if (scope.json === null) throw new Error(`internal: ${d.path} is not reachable from this scope`);
      const path = mongoPath(...scope.base, ...loc.keys);
      // The search copy holds non-caseExact strings lower-cased (to-mongo-doc.ts).
      return { kind: 'field', ...base, field: scope.json ? `${scope.json}.${path}` : path, lowered: !d.caseExact };
    }
    case 'constant':
      return { kind: 'constant', name: d.path, value: loc.value, caseExact: d.caseExact };
    case 'computed':
      throw new FilterError(`Attribute '${d.path}' is computed when rendered and cannot be filtered on`);
    default:
      throw new FilterError(`Attribute '${d.path}' is complex; compare one of its sub-attributes`);
  }
}
