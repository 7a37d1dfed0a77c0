/** Before/after diffs of audit entries as rows of changed fields. */

/** One field of a diff; `change` is spelled out so the table never relies on colour. */
export interface DiffRow {
  field: string;
  before: unknown;
  after: unknown;
  change: 'changed' | 'added' | 'removed';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flattens nested objects into dotted paths (`used.creator`); arrays and scalars are leaves. */
function flatten(v: unknown, prefix: string, out: Map<string, unknown>): void {
  if (isPlainObject(v) && (Object.keys(v).length > 0 || prefix === '')) {
    for (const [k, child] of Object.entries(v)) flatten(child, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, v);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fields that differ between `before` and `after`. Two scalars (a role name, say) give one
 * row named `value`; a field absent on one side is `added` or `removed` (null counts as a value).
 */
export function diffRows(before: unknown, after: unknown): { rows: DiffRow[]; unchanged: number } {
  if (!isPlainObject(before) && !isPlainObject(after)) {
    return same(before, after) ? { rows: [], unchanged: 1 } : { rows: [{ field: 'value', before, after, change: 'changed' }], unchanged: 0 };
  }
  const b = new Map<string, unknown>();
  const a = new Map<string, unknown>();
  flatten(isPlainObject(before) ? before : {}, '', b);
  flatten(isPlainObject(after) ? after : {}, '', a);
  const rows: DiffRow[] = [];
  let unchanged = 0;
  for (const field of new Set([...b.keys(), ...a.keys()])) {
    const inB = b.has(field);
    const inA = a.has(field);
    if (inB && inA && same(b.get(field), a.get(field))) unchanged++;
    else rows.push({ field, before: b.get(field), after: a.get(field), change: !inB ? 'added' : !inA ? 'removed' : 'changed' });
  }
  return { rows, unchanged };
}

/** Whether an entry's data carries a before/after pair. */
export const hasDiff = (data: Record<string, unknown>): boolean => 'before' in data || 'after' in data;
