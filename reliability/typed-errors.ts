/**
 * Shared checks of the fuzz suites: a call on arbitrary input may succeed or
 * throw, but a throw must be a typed kc error (`KcError` with one of the
 * documented codes), never a TypeError/RangeError from deep inside a parser.
 */
import { KcError } from '@kc/native';
import { useFuzzSeed } from '../test-support/seed.js';

// Every fuzz file imports this module: the seed rotates per run and is
// printed; KC_FC_SEED=<n> replays a run (test-support/seed.ts).
useFuzzSeed('reliability fuzz');

/** The error codes pure parsers/validators document. */
export const INPUT_CODES = ['INVALID_ARGUMENT'] as const;

/** Records what a fuzz target saw, so the run prints "N cases, k accepted, m rejected". */
export interface FuzzTally {
  target: string;
  ok: number;
  rejected: number;
  /** How often each rejected field came up (the error's `field`). */
  fields: Map<string, number>;
}

const tallies: FuzzTally[] = [];

/** A tally for one target (printed by {@link printTallies}). */
export function tally(target: string): FuzzTally {
  const t: FuzzTally = { target, ok: 0, rejected: 0, fields: new Map() };
  tallies.push(t);
  return t;
}

/** Prints every tally of this file: the numbers the reliability README quotes. */
export function printTallies(): void {
  for (const t of tallies) {
    const top = [...t.fields]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([f, n]) => `${f}×${n}`)
      .join(', ');
    console.log(`fuzz ${t.target}: ${t.ok + t.rejected} cases (${t.ok} accepted, ${t.rejected} rejected with a typed error${top ? `: ${top}` : ''})`);
  }
}

/**
 * Runs `fn(input)`; returns its value, or `undefined` when it threw a
 * {@link KcError} whose code is in `codes`. Any other throw is re-thrown with
 * the input attached, so fast-check shrinks and reports it.
 */
export function typedOrValue<T>(t: FuzzTally, fn: () => T, codes: readonly string[] = INPUT_CODES): T | undefined {
  try {
    const v = fn();
    t.ok++;
    return v;
  } catch (e) {
    if (e instanceof KcError && codes.includes(String(e.code))) {
      t.rejected++;
      const f = (e.field ?? '?').replace(/\[\d+\]/g, '[]');
      t.fields.set(f, (t.fields.get(f) ?? 0) + 1);
      return undefined;
    }
    const what = e instanceof KcError ? `KcError code ${e.code}` : `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
    throw new Error(`[${t.target}] untyped failure: ${what}`, { cause: e });
  }
}
