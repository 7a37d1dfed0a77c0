import { AppError } from '../../domain/errors.js';
import type { GroupChange } from '../../services/groups.js';
import type { FilterNode } from '../../scim-filter/ast.js';
import { parsePath } from '../../scim-filter/parse.js';
import type { PatchOperation } from './patch.js';
import { toMembers } from './user-input.js';

const stripUrn = (p: string) => p.replace(/^urn:ietf:params:scim:schemas:core:2\.0:group:/i, '');

/** Member ids named by `members[value eq "a" or value eq "b"]`; other member filters are not supported. */
function memberIds(node: FilterNode): string[] {
  if (node.kind === 'compare' && node.op === 'eq' && node.path.attr.toLowerCase() === 'value' && node.value !== null) {
    // An unquoted numeric id keeps its text as written (`raw`), not a re-printed number.
    return [node.raw ?? String(node.value)];
  }
  if (node.kind === 'or') return node.items.flatMap(memberIds);
  throw new AppError('request.invalid_filter', 'Member filters support value eq "<id>" (optionally or-ed)');
}

/**
 * Turns PATCH operations on a Group into service changes. Everything a group PATCH can do is
 * handled here — members as membership-table statements, displayName/externalId as column
 * updates — so no group is ever loaded whole to be patched (SCIMMY-NOTES §3.4).
 */
export function toGroupChanges(ops: PatchOperation[]): GroupChange[] {
  return ops.map((op): GroupChange => {
    const path = stripUrn(op.path ?? '');
    const lower = path.toLowerCase();
    if (lower === 'members') {
      if (op.op === 'add') return { kind: 'addMembers', members: toMembers(op.value) };
      if (op.op === 'replace') return { kind: 'replaceMembers', members: toMembers(op.value) };
      return op.value === undefined || op.value === null
        ? { kind: 'removeMembers', ids: 'all' }
        : { kind: 'removeMembers', ids: toMembers(op.value).map((m) => m.value) };
    }
    if (lower.startsWith('members[')) {
      const parsed = parsePath(path);
      if (!parsed.filter) throw new AppError('request.invalid_path', `Invalid path '${op.path}'`);
      const ids = memberIds(parsed.filter);
      if (op.op === 'remove' && !parsed.sub) return { kind: 'removeMembers', ids };
      throw new AppError('request.invalid_path', `Operation ${op.op} is not supported on '${op.path}'`);
    }
    if (lower === 'displayname') {
      if (op.op === 'remove') throw new AppError('request.mutability', 'displayName is required and cannot be removed');
      if (typeof op.value !== 'string' || op.value.trim() === '') throw new AppError('request.invalid_value', 'displayName must be a non-empty string');
      return { kind: 'set', displayName: op.value };
    }
    if (lower === 'externalid') {
      if (op.op === 'remove') return { kind: 'set', externalId: null };
      if (typeof op.value !== 'string') throw new AppError('request.invalid_value', 'externalId must be a string');
      return { kind: 'set', externalId: op.value };
    }
    throw new AppError('request.invalid_path', `Invalid path '${op.path}' for a Group`);
  });
}
