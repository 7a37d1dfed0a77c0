import { AppError } from '../../domain/errors.js';
import { SCIMMY, URN } from './schemas.js';

/**
 * What real clients send that scimmy would reject, rewritten into RFC form before coercion
 * (INTEROP.md §A9, §B2, §F9). One schema-driven walk, used by POST, PUT, PATCH values and Bulk.
 */
type Json = Record<string, unknown>;
interface AttrDef { name: string; type: string; config: { multiValued?: boolean }; subAttributes?: AttrDef[] }
interface SchemaDef { id: string; attributes: (AttrDef | SchemaDef)[] }

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSchema = (a: AttrDef | SchemaDef): a is SchemaDef => 'id' in a && Array.isArray((a as SchemaDef).attributes);

/** "True"/"False" (any case) → boolean, for attributes typed boolean (Entra, MS suite). */
function coerceBoolean(v: unknown): unknown {
  if (typeof v === 'string') {
    const l = v.trim().toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return v;
}

function findAttr(attrs: AttrDef[], key: string): AttrDef | undefined {
  const k = key.toLowerCase();
  return attrs.find((a) => a.name.toLowerCase() === k);
}

/** null / [] / "" for complex-or-multi means unassigned (RFC 7643 §2.5): drop, don't 400. */
function isUnassigned(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
}

function normalizeValue(def: AttrDef, value: unknown): unknown {
  if (isUnassigned(value)) return undefined;
  if (def.config.multiValued) {
    // A single object for a multi-valued attribute is taken as a one-element list; a bare
    // scalar is left for scimmy to reject (it is not a lenience any client needs).
    if (!Array.isArray(value) && !isObject(value)) return value;
    const list = Array.isArray(value) ? value : [value];
    const out = list.map((item) => normalizeSingle(def, item)).filter((x) => x !== undefined);
    return out.length ? out : undefined;
  }
  return normalizeSingle(def, value);
}

function normalizeSingle(def: AttrDef, value: unknown): unknown {
  if (isUnassigned(value)) return undefined;
  if (def.type === 'boolean') return coerceBoolean(value);
  if (def.type === 'complex') {
    // Entra's manager as a bare string; a bare string member/email etc. is its `value`.
    if (!isObject(value)) return def.subAttributes?.some((s) => s.name === 'value') ? { value } : value;
    return normalizeObject(def.subAttributes ?? [], value);
  }
  return value;
}

function normalizeObject(attrs: AttrDef[], obj: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(obj)) {
    const def = findAttr(attrs, key);
    if (!def) {
      if (!isUnassigned(value)) out[key] = value; // unknown: scimmy drops it silently
      continue;
    }
    const v = normalizeValue(def, value);
    if (v !== undefined) out[def.name] = v;
  }
  return out;
}

function extensionsOf(def: SchemaDef): SchemaDef[] {
  return def.attributes.filter(isSchema);
}

/**
 * Rewrites a resource body: drops readOnly/never attributes clients echo back (`id`, `meta`,
 * `groups`, `password`), drops nulls, coerces boolean strings, accepts Tableau's documented
 * extension key, and sets `schemas` from what the body holds.
 */
export function normalizeResourceBody(kind: 'User' | 'Group', body: unknown): Json {
  if (!isObject(body)) throw new AppError('request.invalid_syntax', 'The request body must be a JSON object');
  const schema = (kind === 'User' ? SCIMMY.Schemas.User.definition : SCIMMY.Schemas.Group.definition) as unknown as SchemaDef;
  const core = schema.attributes.filter((a): a is AttrDef => !isSchema(a));
  const declared = Array.isArray(body.schemas) ? body.schemas.map((s) => String(s).toLowerCase()) : [];
  const other = kind === 'User' ? URN.group : URN.user;
  if (declared.includes(other.toLowerCase()) && !declared.includes((kind === 'User' ? URN.user : URN.group).toLowerCase())) {
    throw new AppError('request.invalid_syntax', `A ${kind} body must not declare only the schema ${other}`);
  }
  const out: Json = {};
  const schemas = [schema.id];
  for (const [rawKey, value] of Object.entries(body)) {
    const key = rawKey.toLowerCase() === URN.tableauAlias ? URN.tableau : rawKey;
    const lower = key.toLowerCase();
    if (['schemas', 'id', 'meta', 'password', 'groups'].includes(lower) && !(kind === 'Group' && lower === 'groups')) continue;
    const ext = extensionsOf(schema).find((e) => e.id.toLowerCase() === lower);
    if (ext) {
      if (isUnassigned(value)) continue;
      if (!isObject(value)) throw new AppError('request.invalid_value', `Extension ${ext.id} must be an object`);
      const merged = normalizeObject(ext.attributes as AttrDef[], value);
      out[ext.id] = { ...(out[ext.id] as Json | undefined), ...merged };
      if (!schemas.includes(ext.id)) schemas.push(ext.id);
      continue;
    }
    // Flattened extension attribute: "urn:…:enterprise:2.0:User:department".
    const flatExt = extensionsOf(schema).find((e) => lower.startsWith(`${e.id.toLowerCase()}:`));
    if (flatExt) {
      const sub = key.slice(flatExt.id.length + 1);
      const normalized = normalizeObject(flatExt.attributes as AttrDef[], { [sub]: value });
      out[flatExt.id] = { ...(out[flatExt.id] as Json | undefined), ...normalized };
      if (!schemas.includes(flatExt.id)) schemas.push(flatExt.id);
      continue;
    }
    const def = findAttr(core, key.startsWith(`${schema.id}:`) ? key.slice(schema.id.length + 1) : key);
    if (!def) continue; // unknown attributes are ignored (R-SCIM-28, MS "misspelled attribute")
    const v = normalizeValue(def, value);
    if (v !== undefined) out[def.name] = v;
  }
  out.schemas = schemas;
  return out;
}

/** Normalises one PATCH operation value against the attribute its path names (booleans, manager). */
export function normalizePatchValue(kind: 'User' | 'Group', path: string | undefined, value: unknown): unknown {
  if (path === undefined) {
    if (!isObject(value)) return value;
    // No path: the value is a partial resource, possibly with dotted/URN keys (Entra).
    const body: Json = {};
    for (const [k, v] of Object.entries(value)) body[k] = v;
    return body;
  }
  const schema = (kind === 'User' ? SCIMMY.Schemas.User.definition : SCIMMY.Schemas.Group.definition) as unknown as SchemaDef;
  const bare = path.replace(/\[.*\]/, '');
  const ext = extensionsOf(schema).find((e) => bare.toLowerCase().startsWith(`${e.id.toLowerCase()}:`));
  const attrs = ext ? (ext.attributes as AttrDef[]) : schema.attributes.filter((a): a is AttrDef => !isSchema(a));
  const segments = (ext ? bare.slice(ext.id.length + 1) : bare.replace(new RegExp(`^${schema.id}:`, 'i'), '')).split('.');
  let def = findAttr(attrs, segments[0]);
  if (def && segments[1]) def = findAttr(def.subAttributes ?? [], segments[1]);
  if (!def) return value;
  if (value === null) return value;
  // `members[value eq "x"]` addresses one element; anything else the attribute as a whole.
  if (path.trim().endsWith(']')) return normalizeSingle(def, value) ?? value;
  return normalizeValue(def, value) ?? value;
}
