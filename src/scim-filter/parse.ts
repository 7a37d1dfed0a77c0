/**
 * Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths
 * (RFC 7644 §3.5.2). Precedence: `not` / grouping > `and` > `or`. Recursion happens only for
 * `(`, `not (` and `[`, each counted against `maxDepth`, so hostile input can neither overflow
 * the stack nor cost more than one linear pass.
 */
import type { AttrPath, CompareOp, FilterNode } from './ast.js';
import { FilterError } from './errors.js';
import { Scanner } from './scanner.js';

/** Bounds applied before and during parsing. */
export interface FilterLimits {
  /** Longest accepted text, in UTF-16 code units (default 4096). */
  maxLength?: number;
  /** Deepest accepted nesting of `(`, `not (` and `[` (default 32, at most 256). */
  maxDepth?: number;
}

/** A parsed PATCH `path`: `attr`, `attr.sub`, `attr[filter]` or `attr[filter].sub`. */
export interface PatchPath {
  attr: AttrPath;
  filter?: FilterNode;
  sub?: string;
}

export const DEFAULT_MAX_LENGTH = 4096;
export const DEFAULT_MAX_DEPTH = 32;
/** Ceiling on `maxDepth`: recursion stays far below any JS stack limit whatever callers ask. */
export const MAX_SUPPORTED_DEPTH = 256;

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
// RFC 7644 ATTRNAME = ALPHA *(nameChar); "$ref" is the one reserved name starting otherwise.
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
// Resource-type segment of a schema URN, for the legacy `…:2.0:User.manager` spelling.
const RESOURCE_SEGMENT = /^(?:user|group)$/i;

/**
 * Parses a SCIM filter expression (RFC 7644 §3.4.2.2) into a {@link FilterNode}.
 *
 * Accepts the full grammar (`eq ne co sw ew gt ge lt le pr`, `and`, `or`, `not (…)`, grouping,
 * value paths with `and`/`or`/`not` inside the brackets, full-URN attribute names) plus the
 * lenience real IdPs need: case-insensitive keywords, unquoted comparison values, and Entra's
 * `emails[type eq "work"].value eq "x"` (a value path whose filter is the bracket filter AND the
 * trailing comparison, so both hold on the same element).
 *
 * @throws FilterError (`scimType` invalidFilter) on malformed input, text longer than
 *   `maxLength`, or nesting deeper than `maxDepth`.
 */
export function parseFilter(text: string, limits: FilterLimits = {}): FilterNode {
  const parser = new Parser(text, limits);
  const node = parser.filter();
  parser.expectEnd();
  return node;
}

/**
 * Parses a PATCH operation `path` (RFC 7644 §3.5.2: `attrPath / valuePath [subAttr]`), e.g.
 * `members[value eq "x"]`, `emails[type eq "work"].value`, `name.givenName`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
 *
 * @throws FilterError (`scimType` invalidFilter) on malformed input or exceeded limits.
 */
export function parsePath(text: string, limits: FilterLimits = {}): PatchPath {
  const parser = new Parser(text, limits);
  const path = parser.patchPath();
  parser.expectEnd();
  return path;
}

class Parser {
  private readonly s: Scanner;
  private readonly maxDepth: number;
  private depth = 0;

  constructor(text: string, limits: FilterLimits) {
    if (typeof text !== 'string') throw new FilterError('Filter must be a string');
    const maxLength = limits.maxLength ?? DEFAULT_MAX_LENGTH;
    // Checked before reading a single token: long input costs nothing.
    if (text.length > maxLength) {
      throw new FilterError(`Filter is longer than ${maxLength} characters (${text.length})`);
    }
    this.maxDepth = Math.min(limits.maxDepth ?? DEFAULT_MAX_DEPTH, MAX_SUPPORTED_DEPTH);
    this.s = new Scanner(text);
    this.s.skipSpace();
    if (this.s.atEnd) throw new FilterError('Empty filter');
  }

  expectEnd(): void {
    this.s.skipSpace();
    if (!this.s.atEnd) throw this.unexpected("'and', 'or' or end of filter");
  }

  /** `filter` at the top level or inside `( )`. */
  filter(): FilterNode {
    return this.orExpr(false);
  }

  patchPath(): PatchPath {
    const start = this.s.pos;
    const word = this.s.readWord();
    if (word === '') throw this.unexpected('an attribute path');
    const attr = this.attrPath(word, start, false);
    if (this.s.peek() !== '[') return { attr };
    const filter = this.bracket(attr, start);
    if (!this.s.eat('.')) return { attr, filter };
    return { attr, filter, sub: this.subName() };
  }

  private orExpr(inBracket: boolean): FilterNode {
    const items = [this.andExpr(inBracket)];
    while (this.keyword('or')) items.push(this.andExpr(inBracket));
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private andExpr(inBracket: boolean): FilterNode {
    const items = [this.unary(inBracket)];
    while (this.keyword('and')) items.push(this.unary(inBracket));
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  /** Consumes `and` / `or` (any case) when it is the next word. */
  private keyword(kw: 'and' | 'or'): boolean {
    this.s.skipSpace();
    const save = this.s.pos;
    if (this.s.readWord().toLowerCase() === kw) return true;
    this.s.pos = save;
    return false;
  }

  private unary(inBracket: boolean): FilterNode {
    this.s.skipSpace();
    const start = this.s.pos;
    if (this.s.atEnd) throw this.unexpected('an expression');
    if (this.s.eat('(')) return this.group(start, inBracket);
    const word = this.s.readWord();
    if (word === '') throw this.unexpected('an attribute, "(" or "not"');
    if (word.toLowerCase() === 'not') {
      this.s.skipSpace();
      const paren = this.s.pos;
      if (!this.s.eat('(')) throw new FilterError("Expected '(' after 'not'", paren);
      return { kind: 'not', item: this.group(paren, inBracket) };
    }
    return this.attrExpr(word, start, inBracket);
  }

  /** The inside of `( … )`; the `(` at `open` is already consumed. */
  private group(open: number, inBracket: boolean): FilterNode {
    this.enter(open);
    const node = this.orExpr(inBracket);
    this.s.skipSpace();
    if (!this.s.eat(')')) {
      throw new FilterError(`Missing ')' to close '(' at position ${open}; found ${this.found()}`, this.s.pos);
    }
    this.depth--;
    return node;
  }

  private attrExpr(word: string, start: number, inBracket: boolean): FilterNode {
    const path = this.attrPath(word, start, inBracket);
    this.s.skipSpace();
    if (this.s.peek() === '[') {
      if (inBracket) throw new FilterError('Value filters cannot be nested', this.s.pos);
      const filter = this.bracket(path, start);
      if (!this.s.eat('.')) return { kind: 'valuePath', attr: path, filter };
      // Entra: emails[type eq "work"].value eq "x" — the trailing test applies to the same element.
      const trailing = this.comparison({ attr: this.subName() });
      return { kind: 'valuePath', attr: path, filter: { kind: 'and', items: [filter, trailing] } };
    }
    return this.comparison(path);
  }

  /** `op value` or `pr` after an attribute path. */
  private comparison(path: AttrPath): FilterNode {
    this.s.skipSpace();
    const at = this.s.pos;
    const word = this.s.readWord();
    const op = word.toLowerCase();
    if (op === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPS.has(op)) {
      if (word === '') throw new FilterError(`Expected an operator after '${pathText(path)}'; found ${this.found()}`, at);
      throw new FilterError(`Unknown operator '${word}'`, at);
    }
    this.s.skipSpace();
    if (this.s.atEnd) throw new FilterError(`Missing value after operator '${word}'`, this.s.pos);
    const { value, raw } = this.s.readValue(word);
    const cmp = op as CompareOp;
    return raw === undefined ? { kind: 'compare', path, op: cmp, value } : { kind: 'compare', path, op: cmp, value, raw };
  }

  /** `[ valFilter ]`, cursor on `[`. */
  private bracket(path: AttrPath, start: number): FilterNode {
    if (path.sub !== undefined) {
      throw new FilterError(`A value filter applies to an attribute, not to '${pathText(path)}'`, start);
    }
    const open = this.s.pos;
    this.s.eat('[');
    this.enter(open);
    const filter = this.orExpr(true);
    this.s.skipSpace();
    if (!this.s.eat(']')) {
      throw new FilterError(`Missing ']' to close '[' at position ${open}; found ${this.found()}`, this.s.pos);
    }
    this.depth--;
    return filter;
  }

  /** The sub-attribute name after `].`. */
  private subName(): string {
    const at = this.s.pos;
    const name = this.s.readWord();
    if (!ATTR_NAME.test(name)) throw new FilterError(`Invalid sub-attribute name '${name}'`, at);
    return name;
  }

  /**
   * Splits `[urn:…:]attr[.sub]` (RFC 7644 §3.10). The URN is everything up to the last ':';
   * inside brackets only a bare sub-attribute name is allowed.
   */
  private attrPath(word: string, start: number, inBracket: boolean): AttrPath {
    if (inBracket) {
      if (!ATTR_NAME.test(word)) throw new FilterError(`Invalid sub-attribute name '${word}' in value filter`, start);
      return { attr: word };
    }
    let schema: string | undefined;
    let rest = word;
    if (/^urn:/i.test(word)) {
      const colon = word.lastIndexOf(':');
      schema = word.slice(0, colon);
      rest = word.slice(colon + 1);
      const dot = rest.indexOf('.');
      // Legacy inbound tools write `…:enterprise:2.0:User.manager` (dot after the URN).
      if (dot > 0 && RESOURCE_SEGMENT.test(rest.slice(0, dot))) {
        schema = `${schema}:${rest.slice(0, dot)}`;
        rest = rest.slice(dot + 1);
      }
      if (rest === '') throw new FilterError(`Missing attribute name after schema URN '${schema}'`, start);
    }
    const parts = rest.split('.');
    if (parts.length > 2) throw new FilterError(`Invalid attribute path '${word}'`, start);
    for (const part of parts) {
      if (!ATTR_NAME.test(part)) throw new FilterError(`Invalid attribute name '${part}' in '${word}'`, start);
    }
    const path: AttrPath = { attr: parts[0]! };
    if (schema !== undefined) path.schema = schema;
    if (parts[1] !== undefined) path.sub = parts[1];
    return path;
  }

  private enter(at: number): void {
    if (++this.depth > this.maxDepth) {
      throw new FilterError(`Filter nesting is deeper than ${this.maxDepth} levels`, at);
    }
  }

  private found(): string {
    if (this.s.atEnd) return 'end of filter';
    const word = this.s.peekWord();
    return `'${word === '' ? this.s.peek() : word}'`;
  }

  private unexpected(expected: string): FilterError {
    return new FilterError(`Expected ${expected}, found ${this.found()}`, this.s.pos);
  }
}

function pathText(path: AttrPath): string {
  const local = path.sub === undefined ? path.attr : `${path.attr}.${path.sub}`;
  return path.schema === undefined ? local : `${path.schema}:${local}`;
}
