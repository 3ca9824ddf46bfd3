import { JsonError, type JsonPath } from './json-error.js';

/** Options of {@link parseJsonExact}. */
export interface ParseJsonExactOptions {
  /**
   * Where an integer beyond ±(2^53 − 1) is returned as a `bigint`; anywhere
   * else such a number is rejected. Called with the value's path (a live
   * array: copy it to keep it). Default: nowhere.
   */
  bigintAt?: (path: JsonPath) => boolean;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Longer integers (10^400 and up) are refused before BigInt work: far past any 64-bit field, and cheap on hostile input. */
const MAX_INTEGER_DIGITS = 400;
/** No number of 16 or more digits and no exponent: every number is a safe integer or a fraction, which JSON.parse reads exactly as this reader does. */
const NEEDS_EXACT = /\d{16}|\d[eE]/;

/**
 * Parses JSON (RFC 8259) like `JSON.parse`, but never changes a number
 * silently: an integer that a JavaScript number cannot hold exactly (beyond
 * ±(2^53 − 1), e.g. a seccomp argument of 2^64 − 1) becomes a `bigint` where
 * `options.bigintAt` allows it and is rejected elsewhere. Fractions are read
 * as `JSON.parse` reads them (the nearest double). Node 20's `JSON.parse`
 * has no access to a number's source text, hence this reader; documents
 * without long numbers take `JSON.parse`'s path.
 *
 * @throws {@link JsonError} `INVALID_ARGUMENT` for text that is not JSON and for
 *   an inexact number, with the position and the field's JSON path.
 * @example
 * ```ts
 * parseJsonExact('{"value": 18446744073709551615}', { bigintAt: (p) => p[0] === 'value' }); // { value: 18446744073709551615n }
 * ```
 */
export function parseJsonExact(text: string, options: ParseJsonExactOptions = {}): unknown {
  if (typeof text !== 'string') throw new JsonError(`expected JSON text, got ${typeof text}`, '', 0, []);
  if (!NEEDS_EXACT.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON: the reader below finds where, for a typed error.
    }
  }
  const parser = new Parser(text, options.bigintAt);
  try {
    return parser.document();
  } catch (e) {
    // Recursion depth is the only limit: a document nested deeper than the stack is refused, not crashed on.
    if (e instanceof RangeError) throw new JsonError('nested too deeply', text, parser.pos, []);
    throw e;
  }
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  pos = 0;
  private readonly path: (string | number)[] = [];

  constructor(
    private readonly text: string,
    private readonly bigintAt: ((path: JsonPath) => boolean) | undefined,
  ) {}

  document(): unknown {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.pos < this.text.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(problem: string, at = this.pos): never {
    throw new JsonError(problem, this.text, at, this.path);
  }

  private ws(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else return;
    }
  }

  private value(): unknown {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default:
        if (c === 0x2d || isDigit(c)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : `unexpected character ${JSON.stringify(this.text[this.pos])}`);
    }
  }

  private literal<T>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`);
    this.pos += word.length;
    return v;
  }

  private object(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected a string key');
      const key = this.string();
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':' after a key");
      this.pos++;
      this.ws();
      this.path.push(key);
      const v = this.value();
      this.path.pop();
      // As JSON.parse: "__proto__" is an own property, not the prototype; a repeated key keeps its last value.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x7d) {
        this.pos++;
        return out;
      }
      if (c !== 0x2c) this.fail("expected ',' or '}'");
      this.pos++;
      this.ws();
    }
  }

  private array(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.ws();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.path.push(out.length);
      out.push(this.value());
      this.path.pop();
      this.ws();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x5d) {
        this.pos++;
        return out;
      }
      if (c !== 0x2c) this.fail("expected ',' or ']'");
      this.pos++;
      this.ws();
    }
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos;
    let out = '';
    let run = start;
    for (let i = start; ; ) {
      const c = t.charCodeAt(i);
      if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
      if (c === 0x22) {
        this.pos = i + 1;
        return out + t.slice(run, i);
      }
      if (c < 0x20) this.fail('control character in a string (escape it)', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += t.slice(run, i);
      const e = t[i + 1];
      if (e === 'u') {
        const hex = t.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape', i);
        out += String.fromCharCode(Number.parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        i += 2;
      } else this.fail('invalid escape', i);
      run = i;
    }
  }

  private number(): number | bigint {
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === 0x2d) i++;
    const intStart = i;
    if (t.charCodeAt(i) === 0x30) i++;
    else if (isDigit(t.charCodeAt(i))) while (isDigit(t.charCodeAt(i))) i++;
    else this.fail('expected a digit', i);
    const intEnd = i;
    let fracStart = i;
    if (t.charCodeAt(i) === 0x2e) {
      fracStart = ++i;
      if (!isDigit(t.charCodeAt(i))) this.fail('expected a digit after the decimal point', i);
      while (isDigit(t.charCodeAt(i))) i++;
    }
    const fracEnd = i;
    let exponent = 0;
    const c = t.charCodeAt(i);
    if (c === 0x65 || c === 0x45) {
      const expStart = ++i;
      if (t.charCodeAt(i) === 0x2b || t.charCodeAt(i) === 0x2d) i++;
      if (!isDigit(t.charCodeAt(i))) this.fail('expected a digit in the exponent', i);
      while (isDigit(t.charCodeAt(i))) i++;
      exponent = Number(t.slice(expStart, i));
    }
    this.pos = i;
    const source = t.slice(start, i);
    if (fracEnd === intEnd && i === fracEnd) {
      // A plain integer: up to 15 digits always fits.
      return intEnd - intStart <= 15 ? Number(source) : this.integer(BigInt(source), source, start);
    }
    // value = digits × 10^scale, exactly
    let digits = (t.slice(intStart, intEnd) + t.slice(fracStart, fracEnd)).replace(/^0+/, '');
    if (digits === '') return Number(source); // zero (keeping -0, as JSON.parse)
    let scale = exponent - (fracEnd - fracStart);
    const trimmed = digits.replace(/0+$/, '');
    scale += digits.length - trimmed.length;
    digits = trimmed;
    if (scale < 0) {
      const n = Number(source); // a fraction: the nearest double, as JSON.parse
      if (!Number.isFinite(n)) this.fail(`${source} is too large`, start);
      return n;
    }
    if (digits.length + scale > MAX_INTEGER_DIGITS) this.fail(`${source} is too large`, start);
    const magnitude = BigInt(digits) * 10n ** BigInt(scale);
    return this.integer(t.charCodeAt(start) === 0x2d ? -magnitude : magnitude, source, start);
  }

  private integer(v: bigint, source: string, start: number): number | bigint {
    if (v >= -MAX_SAFE && v <= MAX_SAFE) return Number(v);
    if (this.bigintAt?.(this.path)) return v;
    return this.fail(`${source} cannot be read exactly: integers beyond ±(2^53 - 1) are refused here`, start);
  }
}
