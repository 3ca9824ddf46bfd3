/**
 * The seed of the property-based (fast-check) suites: rotated every run so
 * that the suites explore new cases, printed so that a failure can be
 * replayed. `KC_FC_SEED=<n>` replays a run (scripts/test.sh sets one per run
 * and prints it); without it the seed comes from the clock.
 */
import fc from 'fast-check';

/** This run's seed. */
export const fuzzSeed: number = process.env.KC_FC_SEED ? Number(process.env.KC_FC_SEED) : Date.now() % 2 ** 31;

if (!Number.isSafeInteger(fuzzSeed)) throw new Error(`KC_FC_SEED must be an integer, got '${process.env.KC_FC_SEED}'`);

/**
 * Makes `fuzzSeed` the seed of every `fc.assert` in the calling test file
 * (vitest gives each file its own module graph) and prints it.
 * @example useFuzzSeed('seccomp fuzz');
 */
export function useFuzzSeed(label: string): number {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: fuzzSeed });
  console.log(`${label}: fuzz seed ${fuzzSeed} (replay: KC_FC_SEED=${fuzzSeed})`);
  return fuzzSeed;
}
