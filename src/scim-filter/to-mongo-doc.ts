/**
 * The searchable copy of a user's SCIM attributes that the Mongo adapter stores beside the
 * original (`users.data` as JSON text), and the key escaping both sides use.
 *
 * Why a copy: SCIM compares strings case-insensitively unless `caseExact` (RFC 7643 §2.2), with
 * JavaScript's `toLowerCase()` as the product's definition (see sql-scalar.ts). MongoDB's
 * case-insensitive regexes and collations fold case differently (PCRE caseless, ICU), so the
 * stored copy holds every non-caseExact string already lower-cased; the translator lower-cases
 * the operand the same way and compares exactly. That also keeps `eq` and `sw` index hits.
 */
import { attributesOf, type AttributeDescriptor } from './attributes.js';

type Json = Record<string, unknown>;

/**
 * A data key as a MongoDB field name: `.` would split a dot-notation path (extension URNs hold
 * `2.0`) and a leading `$` is an operator (`$ref`), so both become full-width look-alikes.
 */
export function mongoKey(key: string): string {
  return key.replace(/\./g, '\uFF0E').replace(/^\$/, '\uFF04');
}

/** A dot-notation path from raw keys (each escaped). */
export function mongoPath(...keys: readonly string[]): string {
  return keys.map(mongoKey).join('.');
}

interface Node {
  desc?: AttributeDescriptor;
  children: Map<string, Node>;
}

function nodeOf(desc: AttributeDescriptor): Node {
  const children = new Map<string, Node>();
  for (const s of desc.subAttributes ?? []) {
    // Sub-attribute locations are relative to the parent value (one key).
    if (s.location.kind === 'json') children.set(s.location.keys.join('.'), nodeOf(s));
  }
  return { desc, children };
}

/** The User catalogue's JSON attributes as a key tree (core keys, then `urn…:User` → its attributes). */
const USER_TREE: Node = (() => {
  const root: Node = { children: new Map() };
  for (const a of attributesOf('User')) {
    if (a.location.kind !== 'json') continue;
    let at = root;
    const keys = a.location.keys;
    keys.forEach((k, i) => {
      if (i === keys.length - 1) at.children.set(k, nodeOf(a));
      else {
        let next = at.children.get(k);
        if (!next) at.children.set(k, (next = { children: new Map() }));
        at = next;
      }
    });
  }
  return root;
})();

function copy(value: unknown, node: Node | undefined): unknown {
  if (typeof value === 'string') return node?.desc?.caseExact ? value : value.toLowerCase();
  if (Array.isArray(value)) return value.map((v) => copy(v, node));
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) out[mongoKey(k)] = copy(v, node?.children.get(k));
    return out;
  }
  return value;
}

/**
 * `users.data` with keys escaped ({@link mongoKey}) and every string lower-cased except those of
 * caseExact attributes (`manager.value`, `x509Certificates.value`, …). Booleans and numbers are
 * kept as they are, so one array element still carries all of its sub-attributes and value
 * filters (`emails[type eq "work" and primary eq true]`) test them on the same element.
 */
export function searchDocument(data: Json): Json {
  return copy(data, USER_TREE) as Json;
}
