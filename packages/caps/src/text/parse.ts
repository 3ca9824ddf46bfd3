import { MAX_CAP_NUMBER, capabilityNumber } from '../capability.js';
import { CapSet } from '../cap-set.js';
import type { CapTriple } from '../capabilities.js';
import { CapsError } from '../errors.js';
import { KcErrorCode } from '@kc/native';
import { defaultTextLastCap } from './options.js';
import type { CapTextOptions } from './options.js';
import { isAlpha, isDigit, isSpace, isWordChar, scanNumber } from './scan.js';

/**
 * Parses the libcap text format, exactly as `cap_from_text(3)` of libcap 2.66
 * does, into the three sets.
 *
 * The text is a list of clauses separated by white space; each clause is a
 * capability list (`cap_chown,cap_kill`, `all`, numbers such as `41` or
 * `0x29`, or nothing, meaning all) followed by one or more `operator flags`
 * actions: `=` clears the listed capabilities in all three sets and then
 * raises the flags (`=` alone clears), `+` raises, `-` lowers; flags are `e`,
 * `i`, `p`. `=+`/`=-` clear first. Clauses apply left to right. Names are
 * case-insensitive; the flags are not. `all` (and an empty list) means the
 * capabilities 0..`lastCap` (the running kernel's, in libcap).
 *
 * @example
 * ```ts
 * const { effective, permitted } = parseCapText('cap_net_raw,cap_net_admin+ep');
 * permitted.toString(); // 'cap_net_admin,cap_net_raw'
 * parseCapText('all=eip cap_sys_admin-e').effective.has('SYS_ADMIN'); // false
 * ```
 * @throws {@link CapsError} INVALID_ARGUMENT with `field: 'text'`, the `offset` and the `token` of the problem.
 */
export function parseCapText(text: string, options: CapTextOptions = {}): CapTriple {
  if (typeof text !== 'string') throw fail(String(text), 0, 'expected a string');
  const lastCap = options.lastCap ?? defaultTextLastCap();
  const all = (1n << BigInt(Math.min(lastCap, MAX_CAP_NUMBER) + 1)) - 1n;
  const sets = { e: 0n, i: 0n, p: 0n };
  let pos = 0;

  const wordAt = (at: number): string => {
    let end = at;
    while (end < text.length && !isSpace(text[end]) && !'=+-,'.includes(text[end] as string)) end++;
    return text.slice(at, Math.max(end, at + 1));
  };
  const bad = (at: number, problem: string, token = wordAt(at)): CapsError => fail(text, at, problem, token);

  for (;;) {
    while (isSpace(text[pos])) pos++;
    if (pos >= text.length) break;

    // The capability list of this clause.
    let list = 0n;
    let listed = false;
    if (isWordChar(text[pos])) {
      for (;;) {
        const start = pos;
        if (matchesAll(text, pos)) {
          // libcap assigns (not ORs) the list here, so "63,all" loses 63.
          list = all;
          pos += 3;
        } else if (isDigit(text[pos])) {
          const { value, end } = scanNumber(text, pos);
          if (value > BigInt(MAX_CAP_NUMBER)) {
            throw bad(start, `capability number ${text.slice(start, end)} is out of range 0..${MAX_CAP_NUMBER}`, text.slice(start, end));
          }
          list |= 1n << value;
          pos = end;
        } else {
          let end = pos;
          while (isAlpha(text[end]) || text[end] === '_') end++;
          const n = end > pos ? capabilityNumber(text.slice(pos, end)) : undefined;
          if (n === undefined || !text.slice(pos, end).toLowerCase().startsWith('cap_')) {
            throw bad(start, `unknown capability "${wordAt(start)}"`);
          }
          list |= 1n << BigInt(n);
          pos = end;
        }
        if (text[pos] !== ',') break;
        pos++;
        if (!isWordChar(text[pos])) throw bad(pos, 'expected a capability name after ","');
      }
      listed = true;
    } else if (text[pos] === '+' || text[pos] === '-') {
      throw bad(pos, `"${text[pos]}" needs a capability list before it (use "=" to act on all)`);
    } else {
      list = all;
    }

    // The first operator: '=', '+', '-', or '=+' / '=-' (clear, then raise/lower).
    let op = text[pos];
    const opAt = pos;
    pos++;
    if (op === '=' && (text[pos] === '+' || text[pos] === '-')) {
      if (!listed) throw bad(opAt, `"=${text[pos]}" needs a capability list before it`, text.slice(opAt, opAt + 2));
      op = text[pos] === '+' ? 'P' : 'M';
      pos++;
    } else if (op !== '+' && op !== '-' && op !== '=') {
      throw bad(opAt, `expected an operator "=", "+" or "-" here`, op);
    }

    // The actions: flags after each operator, possibly more '+'/'-' operators.
    let flags = { e: false, i: false, p: false };
    do {
      const c = text[pos];
      if (c !== undefined && !isSpace(c)) {
        if (c !== 'e' && c !== 'i' && c !== 'p') throw bad(pos, `unknown flag "${c}" (flags are e, i and p)`, c);
        flags[c] = true;
        pos++;
      } else if (op !== '=') {
        throw bad(pos, `"${op === 'P' ? '=+' : op === 'M' ? '=-' : op}" needs flags (e, i, p) after it`, c ?? '');
      }
      if (op === '=' || op === 'P' || op === 'M') {
        sets.e &= ~list;
        sets.i &= ~list;
        sets.p &= ~list;
      }
      for (const f of ['e', 'i', 'p'] as const) {
        if (!flags[f]) continue;
        if (op === '+' || op === '=' || op === 'P') sets[f] |= list;
        else sets[f] &= ~list;
      }
      if (text[pos] === '+' || text[pos] === '-') {
        if (!listed) throw bad(pos, `"${text[pos]}" needs a capability list`, text[pos]);
        flags = { e: false, i: false, p: false };
        op = text[pos];
        pos++;
        if (!isAlpha(text[pos])) throw bad(pos, `expected flags (e, i, p) after "${op}"`, text[pos] ?? '');
      }
    } while (pos < text.length && !isSpace(text[pos]));
  }
  const mask = (v: bigint) => CapSet.fromMask(v & ((1n << 64n) - 1n));
  return { effective: mask(sets.e), inheritable: mask(sets.i), permitted: mask(sets.p) };
}

/** True when the word `all` (any case) starts at `pos` and ends there. */
function matchesAll(text: string, pos: number): boolean {
  return text.slice(pos, pos + 3).toLowerCase() === 'all' && !isWordChar(text[pos + 3]);
}

function fail(text: string, offset: number, problem: string, token?: string): CapsError {
  const where = token === undefined ? '' : ` at offset ${offset}`;
  return new CapsError(`text: ${problem}${where} in "${text}"`, {
    code: KcErrorCode.InvalidArgument,
    field: 'text',
    offset,
    token,
    hint: 'see cap_from_text(3): clauses like "cap_net_raw+ep", "=ep cap_sys_admin-e"',
  });
}
