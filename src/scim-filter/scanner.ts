/**
 * Character-level reading for the SCIM filter grammar (RFC 7644 §3.4.2.2): whitespace, words
 * (keywords, operators, attribute paths), JSON string literals (RFC 8259 §7) and the unquoted
 * values real clients send. Every method advances `pos` monotonically, so a parse costs O(n).
 */
import { FilterError } from './errors.js';
import type { FilterValue } from './ast.js';

/** A comparison value and, when it was written without quotes, the token as written. */
export interface ScannedValue {
  value: FilterValue;
  raw?: string;
}

// RFC 8259 §6 number grammar; anchored and without nested quantifiers, so no backtracking blow-up.
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** Characters allowed in keywords, operators and attribute paths (incl. URN prefixes). */
function isWordChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x5f || // _
    c === 0x24 || // $
    c === 0x2d || // -
    c === 0x2e || // .
    c === 0x3a // :
  );
}

function isSpace(c: number): boolean {
  // RFC 7644 uses SP; tabs/newlines show up in hand-written and URL-decoded filters.
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function hexValue(text: string, at: number): number {
  const hex = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1;
}

/** A cursor over filter text; the parser decides which token kind to read next. */
export class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The current character, or '' at the end of input. */
  peek(): string {
    return this.text.charAt(this.pos);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /** Consumes `ch` if it is the current character. */
  eat(ch: string): boolean {
    if (this.text.charAt(this.pos) !== ch) return false;
    this.pos++;
    return true;
  }

  /** Reads a run of word characters (possibly empty) without consuming anything else. */
  readWord(): string {
    const start = this.pos;
    while (this.pos < this.text.length && isWordChar(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Returns the word at the cursor without consuming it. */
  peekWord(): string {
    const save = this.pos;
    const word = this.readWord();
    this.pos = save;
    return word;
  }

  /**
   * Reads a comparison value (RFC 7644 §3.4.2.2 `compValue`): a JSON string, `true`/`false`/
   * `null` (ABNF literals are case-insensitive, RFC 5234 §2.3), a JSON number, or — lenience for
   * Microsoft's and Entra's filters (`name.FamilyName eq Employee`) — an unquoted token that runs
   * to whitespace, `)` or `]`.
   */
  readValue(op: string): ScannedValue {
    const start = this.pos;
    if (this.peek() === '"') return { value: this.readJsonString() };
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (isSpace(c) || c === 0x29 /* ) */ || c === 0x5d /* ] */) break;
      if (c === 0x22 /* " */) throw new FilterError(`Unexpected '"' inside an unquoted value`, this.pos);
      if (c === 0) throw new FilterError('NUL character in value', this.pos);
      this.pos++;
    }
    const raw = this.text.slice(start, this.pos);
    if (raw === '' || raw.startsWith('(') || raw.startsWith('[')) {
      throw new FilterError(`Missing value after operator '${op}'`, start);
    }
    const lower = raw.toLowerCase();
    if (lower === 'true') return { value: true, raw };
    if (lower === 'false') return { value: false, raw };
    if (lower === 'null') return { value: null, raw };
    if (JSON_NUMBER.test(raw)) {
      const n = Number(raw);
      // 1e999 is valid JSON but not a finite double: keep the text rather than Infinity.
      if (Number.isFinite(n)) return { value: n, raw };
    }
    return { value: raw, raw };
  }

  /** Reads a JSON string literal (RFC 8259 §7) starting at the opening quote. */
  readJsonString(): string {
    const start = this.pos;
    const text = this.text;
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += text.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0) throw new FilterError('NUL character in string', this.pos);
      if (c !== 0x5c /* \ */) {
        this.pos++;
        continue;
      }
      out += text.slice(chunk, this.pos);
      out += this.readEscape();
      chunk = this.pos;
    }
    throw new FilterError('Unterminated string starting', start);
  }

  /** Reads one backslash escape at the cursor and returns the character(s) it denotes. */
  private readEscape(): string {
    const at = this.pos;
    const e = this.text.charAt(at + 1);
    this.pos += 2;
    switch (e) {
      case '"': return '"';
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': return this.readUnicodeEscape(at);
      case '': throw new FilterError('Unterminated string escape', at);
      default: throw new FilterError(`Invalid escape '\\${e}' in string`, at);
    }
  }

  private readUnicodeEscape(at: number): string {
    const unit = hexValue(this.text, this.pos);
    if (unit < 0) throw new FilterError('Invalid \\u escape in string', at);
    this.pos += 4;
    // NUL and lone surrogates cannot be stored as SQLite UTF-8 text unchanged, so a filter
    // carrying them could never match what the evaluator sees: reject instead of guessing.
    if (unit === 0) throw new FilterError('NUL character in string', at);
    if (unit >= 0xdc00 && unit <= 0xdfff) throw new FilterError('Lone surrogate in string', at);
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    const low = this.text.startsWith('\\u', this.pos) ? hexValue(this.text, this.pos + 2) : -1;
    if (low < 0xdc00 || low > 0xdfff) throw new FilterError('Lone surrogate in string', at);
    this.pos += 6;
    return String.fromCharCode(unit, low);
  }
}
