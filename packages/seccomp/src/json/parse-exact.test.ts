import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeccompError } from '../errors.js';
import { JsonError } from './json-error.js';
import { parseJsonExact } from './parse-exact.js';
import { stringifyJsonExact } from './stringify-exact.js';

const everywhere = { bigintAt: () => true };

/** The JsonError `fn` throws (fails the test when it throws nothing or something else). */
function jsonError(fn: () => unknown): JsonError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(JsonError);
    expect(e).toBeInstanceOf(SeccompError);
    expect((e as JsonError).code).toBe('INVALID_ARGUMENT');
    return e as JsonError;
  }
  return expect.unreachable('no error thrown');
}

describe('parseJsonExact: numbers', () => {
  it('reads integers beyond 2^53 exactly as bigint where allowed', () => {
    expect(parseJsonExact('9007199254740993', everywhere)).toBe(9007199254740993n);
    expect(parseJsonExact('18446744073709551615', everywhere)).toBe(18446744073709551615n);
    expect(parseJsonExact('-9223372036854775809', everywhere)).toBe(-9223372036854775809n);
    expect(parseJsonExact('[1, 99999999999999999999999]', everywhere)).toEqual([1, 99999999999999999999999n]);
  });

  it('keeps safe integers (up to ±(2^53 - 1)) as numbers, also where bigint is allowed', () => {
    expect(parseJsonExact('9007199254740991', everywhere)).toBe(9007199254740991);
    expect(parseJsonExact('-9007199254740991', everywhere)).toBe(-9007199254740991);
    expect(jsonError(() => parseJsonExact('0000', everywhere)).offset).toBe(1); // no leading zeros in JSON
  });

  it('reads exponents and fractions by their exact value', () => {
    expect(parseJsonExact('1e3')).toBe(1000);
    expect(parseJsonExact('2.5E1')).toBe(25);
    expect(parseJsonExact('-1.0')).toBe(-1);
    expect(parseJsonExact('1.8446744073709551615e19', everywhere)).toBe(18446744073709551615n);
    expect(parseJsonExact('184467440737095516150e-1', everywhere)).toBe(18446744073709551615n);
    expect(parseJsonExact('1e20', everywhere)).toBe(100000000000000000000n);
    expect(parseJsonExact('0.5')).toBe(0.5);
    expect(parseJsonExact('1e-2')).toBe(0.01);
    expect(parseJsonExact('12345678901234567.5')).toBe(JSON.parse('12345678901234567.5')); // a fraction: the nearest double, as JSON.parse
    expect(Object.is(parseJsonExact('-0'), -0)).toBe(true);
    expect(Object.is(parseJsonExact('-0.0e5'), -0)).toBe(true);
  });

  it('refuses an inexact integer outside the allowed paths, naming the field and its position', () => {
    const e = jsonError(() =>
      parseJsonExact('{\n  "linux": {"resources": {"memory": {"limit": 9007199254740993}}}\n}', {
        bigintAt: (p) => p.at(-1) === 'value',
      }),
    );
    expect(e.field).toBe('linux.resources.memory.limit');
    expect(e.line).toBe(2);
    expect(e.column).toBe(47);
    expect(e.message).toMatch(/9007199254740993/);
    expect(jsonError(() => parseJsonExact('{"uid": 1e16}')).field).toBe('uid');
    expect(jsonError(() => parseJsonExact('[0, -9007199254740992]')).field).toBe('[1]');
  });

  it('refuses numbers too large to be any field, and non-finite ones', () => {
    expect(jsonError(() => parseJsonExact('1e400', everywhere)).message).toMatch(/too large/);
    expect(jsonError(() => parseJsonExact(`${'9'.repeat(400)}.5`)).message).toMatch(/too large/);
  });

  it('refuses what JSON does not allow in a number', () => {
    for (const bad of ['01', '+1', '.5', '1.', '1e', '1e+', '-', '0x10', 'NaN', 'Infinity', '- 1']) {
      const e = jsonError(() => parseJsonExact(bad));
      expect(e.offset).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('parseJsonExact: strings, structure and errors', () => {
  it('decodes every escape, surrogate pairs included', () => {
    const text = String.raw`"q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 é"`;
    expect(parseJsonExact(text)).toBe('q" b\\ s/ \b\f\n\r\t é 😀 é');
    expect(parseJsonExact(`{"k\\u0041": "${'x'.repeat(20)}"}`)).toEqual({ kA: 'x'.repeat(20) });
  });

  it('keeps "__proto__" as an own key, and the last of repeated keys, like JSON.parse', () => {
    const v = parseJsonExact('{"__proto__": {"polluted": 1}, "a": 1, "a": 2, "n": 12345678901234567890}', everywhere) as Record<string, unknown>;
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(v.a).toBe(2);
  });

  it('gives the position and path of a syntax error', () => {
    const e = jsonError(() => parseJsonExact('{"a": [1, }'));
    expect([e.offset, e.line, e.column, e.field]).toEqual([10, 1, 11, 'a[1]']);
    const multi = jsonError(() => parseJsonExact('{\n  "process": {\n    "args": ["sh" "-c"]\n  }\n}'));
    expect([multi.line, multi.column, multi.field]).toEqual([3, 19, 'process.args']);
    expect(jsonError(() => parseJsonExact('{"a": "x\ny"}')).message).toMatch(/control character/);
    expect(jsonError(() => parseJsonExact('"\\x"')).message).toMatch(/invalid escape/);
    expect(jsonError(() => parseJsonExact('"\\u12g4"')).message).toMatch(/\\u escape/);
    expect(jsonError(() => parseJsonExact('"abc')).message).toMatch(/unterminated/);
    expect(jsonError(() => parseJsonExact('{"a": 1,}')).message).toMatch(/string key/);
    expect(jsonError(() => parseJsonExact('[1] 2')).message).toMatch(/after the JSON value/);
    expect(jsonError(() => parseJsonExact('')).message).toMatch(/end of input/);
    expect(jsonError(() => parseJsonExact('\uFEFF{}')).offset).toBe(0); // a BOM is not JSON whitespace, as for JSON.parse
    expect(jsonError(() => parseJsonExact('tru')).offset).toBe(0);
  });

  it('refuses a document nested deeper than the stack instead of crashing', () => {
    const deep = `${'['.repeat(200_000)}1e20${']'.repeat(200_000)}`;
    expect(jsonError(() => parseJsonExact(deep, everywhere)).message).toMatch(/nested too deeply/);
  });

  it('equals JSON.parse on any JSON without long numbers, through both of its paths', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, forceExact) => {
        const text = JSON.stringify(v);
        // A key or string holding a long digit run sends the same document through the character-level reader.
        const doc = forceExact ? `[${text}, "0123456789012345678"]` : text;
        const expected = forceExact ? [JSON.parse(text), '0123456789012345678'] : JSON.parse(text);
        const safe = (x: unknown): boolean =>
          typeof x === 'number'
            ? !Number.isInteger(x) || Number.isSafeInteger(x)
            : Array.isArray(x)
              ? x.every(safe)
              : x !== null && typeof x === 'object'
                ? Object.values(x).every(safe)
                : true;
        fc.pre(safe(v));
        expect(parseJsonExact(doc)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('stringifyJsonExact', () => {
  it('writes bigints as exact JSON numbers that parseJsonExact reads back', () => {
    const v = { args: [{ value: 18446744073709551615n, valueTwo: 9007199254740993n, index: 0 }], note: 'x', neg: -(2n ** 63n) };
    const text = stringifyJsonExact(v, 2);
    expect(text).toContain('"value": 18446744073709551615');
    expect(parseJsonExact(text, everywhere)).toEqual(v);
  });

  it('cannot be fooled by a string that looks like its internal tag', () => {
    const v = { s: '\u0000kc-bigint-00000000-0000-0000-0000-000000000000:5', b: 1n };
    expect(parseJsonExact(stringifyJsonExact(v), everywhere)).toEqual({ ...v, b: 1 });
  });

  it('is JSON.stringify when there is no bigint, and refuses a value with no JSON form', () => {
    expect(stringifyJsonExact({ a: [1, 'b', null] })).toBe(JSON.stringify({ a: [1, 'b', null] }));
    expect(() => stringifyJsonExact(undefined)).toThrow(SeccompError);
  });

  it('round-trips random values with bigints beyond 2^53', () => {
    const big = fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        big,
        fc.string(),
        fc.integer(),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(parseJsonExact(stringifyJsonExact(v), everywhere)).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});
