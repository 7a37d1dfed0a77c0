import { AppError } from '../../domain/errors.js';
import { parsePath } from '../../scim-filter/parse.js';
import type { FilterNode } from '../../scim-filter/ast.js';
import { normalizePatchValue } from './lenience.js';
import type { UserInput } from '../../domain/types.js';
import { fromScimmyError, toPatchedUserInput, toUserInput } from './user-input.js';
import { SCIMMY, URN } from './schemas.js';

/**
 * RFC 7644 §3.5.2 PATCH requests, with the client quirks of INTEROP.md §B2/§C1: capitalised
 * ops, no-path values with dotted or URN keys, `"True"`/`"False"`, null/"" meaning
 * "unassigned", an empty Operations list as a no-op, and create-on-absent for
 * `emails[type eq "work"].value`.
 */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const READ_ONLY = new Set(['id', 'meta', 'schemas', 'groups']);

/** Validates the message and returns its operations in a normalised, path-explicit form. */
export function parsePatchRequest(kind: 'User' | 'Group', body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new AppError('request.invalid_syntax', 'The PATCH body must be a JSON object');
  const schemas = Array.isArray(body.schemas) ? body.schemas.map((s) => String(s).toLowerCase()) : [];
  if (!schemas.includes(URN.patchOp.toLowerCase())) {
    throw new AppError('request.invalid_syntax', `PATCH requests must declare the schema ${URN.patchOp}`);
  }
  const opsKey = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const raw = opsKey ? body[opsKey] : undefined;
  if (!Array.isArray(raw)) throw new AppError('request.invalid_syntax', "PATCH requests must carry an 'Operations' array");
  const out: PatchOperation[] = [];
  raw.forEach((item, i) => {
    if (!isObject(item)) throw new AppError('request.invalid_syntax', `Operation ${i + 1} is not an object`);
    const get = (name: string) => item[Object.keys(item).find((k) => k.toLowerCase() === name) ?? name];
    const op = String(get('op') ?? '').toLowerCase();
    if (op !== 'add' && op !== 'remove' && op !== 'replace') {
      throw new AppError('request.invalid_syntax', `Operation ${i + 1}: invalid op '${String(get('op'))}' (add, remove or replace)`);
    }
    const pathRaw = get('path');
    if (pathRaw !== undefined && pathRaw !== null && typeof pathRaw !== 'string') {
      throw new AppError('request.invalid_path', `Operation ${i + 1}: path must be a string`);
    }
    const path = typeof pathRaw === 'string' && pathRaw.trim() !== '' ? pathRaw.trim() : undefined;
    const value = get('value');
    if (op === 'remove') {
      if (!path) throw new AppError('request.no_target', `Operation ${i + 1}: remove needs a path`);
      out.push({ op, path, value });
      return;
    }
    if (value === undefined) throw new AppError('request.invalid_value', `Operation ${i + 1}: ${op} needs a value`);
    if (!path) {
      if (!isObject(value)) throw new AppError('request.invalid_value', `Operation ${i + 1}: without a path the value must be an object`);
      out.push(...expandNoPath(kind, op, value));
      return;
    }
    out.push(...pathOp(kind, op, path, value));
  });
  return out;
}

/** replace with null / "" (Entra's null-update test) means remove the attribute. */
function pathOp(kind: 'User' | 'Group', op: 'add' | 'replace', path: string, value: unknown): PatchOperation[] {
  if (value === null || value === '' || (Array.isArray(value) && value.length === 0 && op === 'replace')) {
    return op === 'replace' ? [{ op: 'remove', path }] : [];
  }
  return [{ op, path, value: normalizePatchValue(kind, path, value) }];
}

/** `{"op":"replace","value":{"name.givenName":"x","urn:…:User:department":"y","active":"False"}}` → one op per attribute path. */
function expandNoPath(kind: 'User' | 'Group', op: 'add' | 'replace', value: Json): PatchOperation[] {
  const out: PatchOperation[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (READ_ONLY.has(key.toLowerCase())) continue; // Okta's rename echoes the readOnly id
    const isExtension = [URN.enterprise, URN.tableau, URN.tableauAlias].some((u) => u.toLowerCase() === key.toLowerCase());
    if (isExtension && isObject(v)) {
      const urn = key.toLowerCase() === URN.tableauAlias ? URN.tableau : key;
      for (const [sub, sv] of Object.entries(v)) out.push(...pathOp(kind, op, `${urn}:${sub}`, sv));
    } else if (isObject(v) && op === 'replace' && !key.includes(':')) {
      // A complex value replaces only the sub-attributes it names (RFC 7644 §3.5.2.3).
      for (const [sub, sv] of Object.entries(v)) out.push(...pathOp(kind, op, `${key}.${sub}`, sv));
    } else {
      out.push(...pathOp(kind, op, key, v));
    }
  }
  return out;
}

/** Equality conditions of a value filter (`type eq "work" and primary eq true`), or undefined if it has others. */
function equalities(node: FilterNode): Json | undefined {
  if (node.kind === 'compare' && node.op === 'eq') return { [node.path.attr]: node.value };
  if (node.kind === 'and') {
    const parts = node.items.map(equalities);
    return parts.every(Boolean) ? Object.assign({}, ...parts) : undefined;
  }
  return undefined;
}

/**
 * Applies operations to a User resource with scimmy's PatchOp, one at a time so that an
 * operation creating an entry (`add emails[type eq "work"].value` when there is none) is seen
 * by the next ones (several ops on one filtered entry merge into one).
 */
export async function applyUserPatch(resource: Json, ops: PatchOperation[]): Promise<UserInput> {
  const simple = applySimpleOps(resource, ops);
  if (simple) return toPatchedUserInput(simple.resource, simple.changed);
  let instance = new SCIMMY.Schemas.User(resource, 'out');
  for (const op of ops) {
    try {
      instance = (await apply(instance, op)) ?? instance;
    } catch (e) {
      const upsert = (e as { scimType?: string }).scimType === 'noTarget' && op.op !== 'remove' ? createOnAbsent(op) : undefined;
      if (op.op === 'remove' && (e as { scimType?: string }).scimType === 'noTarget') continue; // removing nothing is a no-op
      if (!upsert) throw fromScimmyError(e);
      try {
        instance = (await apply(instance, upsert)) ?? instance;
      } catch (e2) {
        throw fromScimmyError(e2);
      }
    }
  }
  return toUserInput(JSON.parse(JSON.stringify(instance)) as Json);
}

/** Core User attributes that are single-valued and not complex: a PATCH on them is a plain assignment. */
const SIMPLE_USER_ATTRIBUTES = new Map(
  (SCIMMY.Schemas.User.definition.attributes as { name?: string; type?: string; config?: { multiValued?: boolean; mutable?: unknown } }[])
    .filter((a) => a.name && a.type !== 'complex' && !a.config?.multiValued && !['id', 'schemas', 'meta', 'groups', 'password'].includes(a.name))
    .map((a) => [a.name!.toLowerCase(), a.name!]),
);

/**
 * The fast path for the PATCHes IdPs send most (`active`, `displayName`, `userName`, `title` …):
 * assignments to simple top-level attributes need no PatchOp machinery (~0.3 ms of scimmy
 * coercion per operation). The changed attributes are validated by scimmy's coercion of those
 * attributes (toPatchedUserInput), so type errors still answer 400. Anything else returns
 * undefined and takes scimmy's path.
 */
export function applySimpleOps(resource: Json, ops: PatchOperation[]): { resource: Json; changed: string[] } | undefined {
  const names: string[] = [];
  for (const op of ops) {
    const name = op.path && SIMPLE_USER_ATTRIBUTES.get(op.path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/i, '').toLowerCase());
    if (!name || (op.op !== 'remove' && (typeof op.value === 'object' && op.value !== null))) return undefined;
    names.push(name);
  }
  const out: Json = { ...resource };
  ops.forEach((op, i) => {
    if (op.op === 'remove') delete out[names[i]];
    else out[names[i]] = op.value;
  });
  return { resource: out, changed: names };
}

function apply(instance: InstanceType<typeof SCIMMY.Schemas.User>, op: PatchOperation) {
  const message = new SCIMMY.Messages.PatchOp({ schemas: [URN.patchOp], Operations: [op] } as never);
  return message.apply(instance as never) as Promise<InstanceType<typeof SCIMMY.Schemas.User> | undefined>;
}

/** `emails[type eq "work"].value` with no such entry → add `emails: [{type:"work", value}]`. */
function createOnAbsent(op: PatchOperation): PatchOperation | undefined {
  if (!op.path) return undefined;
  let parsed;
  try {
    parsed = parsePath(op.path);
  } catch {
    return undefined;
  }
  if (!parsed.filter) return undefined;
  const base = equalities(parsed.filter);
  if (!base) return undefined;
  const entry = parsed.sub ? { ...base, [parsed.sub]: op.value } : isObject(op.value) ? { ...base, ...op.value } : undefined;
  if (!entry) return undefined;
  const attr = parsed.attr.schema ? `${parsed.attr.schema}:${parsed.attr.attr}` : parsed.attr.attr;
  return { op: 'add', path: attr, value: [entry] };
}
