/**
 * Scopes of the SQL translation: how an attribute descriptor's location becomes a SQL
 * expression at the resource row (`u`/`m` or `g`), inside one element of a multi-valued
 * attribute, or under a singular complex attribute.
 */
import type { AttributeDescriptor, ColumnLocation } from './attributes.js';
import { FilterError } from './errors.js';
import type { Frag, Target } from './sql-scalar.js';

/** How sub-attribute locations map to SQL inside one scope. */
export interface SqlScope {
  aliases: Partial<Record<ColumnLocation['table'], string>>;
  /** JSON document that `json` locations are relative to. */
  doc: string;
  /** Key path prefix inside `doc` (the parent of a singular complex attribute). */
  base: readonly string[];
  /** Use the indexed mirror columns instead of `location` (emails as user_emails rows). */
  mirror: boolean;
  /** Guard AND-ed to comparisons on users.* columns so their (tenant_id, …) indexes apply. */
  tenantGuard?: Frag;
}

/** `$.a."urn:…".b` — keys come from the catalogue only. */
export function jsonPath(keys: readonly string[]): string {
  return '$' + keys.map((k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `."${k}"`)).join('');
}

/** Resolves a descriptor to the scalar it denotes in `scope`. */
export function targetOf(d: AttributeDescriptor, scope: SqlScope): Target {
  const loc = scope.mirror ? d.mirror : d.location;
  if (!loc) throw new Error(`internal: ${d.path} has no mirror column`);
  const base = { name: d.path, type: d.type, caseExact: d.caseExact };
  switch (loc.kind) {
    case 'column': {
      const alias = scope.aliases[loc.table];
      if (!alias) throw new Error(`internal: ${d.path} is not reachable from this scope`);
      const guard = loc.table === 'users' && loc.column !== 'id' ? scope.tenantGuard : undefined;
      return {
        kind: 'sql', ...base, expr: `${alias}.${loc.column}`, lowered: loc.lowered === true, column: true,
        trueOnly: loc.trueOnly === true, ...(guard ? { guard } : {}),
      };
    }
    case 'json':
      return {
        kind: 'sql', ...base, expr: `json_extract(${scope.doc}, '${jsonPath([...scope.base, ...loc.keys])}')`,
        lowered: false, column: false, trueOnly: false,
      };
    case 'constant':
      return { kind: 'constant', name: d.path, value: loc.value, caseExact: d.caseExact };
    case 'computed':
      throw new FilterError(`Attribute '${d.path}' is computed when rendered and cannot be filtered on`);
    default:
      throw new FilterError(`Attribute '${d.path}' is complex; compare one of its sub-attributes`);
  }
}

