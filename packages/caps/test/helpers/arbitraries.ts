/** fast-check generators of libcap texts, valid and broken. */
import fc from 'fast-check';
import { CAPABILITIES } from '../../src/index.js';

const name = fc.oneof(
  fc.constantFrom(...CAPABILITIES.map((c) => c.name.toLowerCase())),
  fc.constantFrom(...CAPABILITIES.map((c) => c.name)),
  fc.integer({ min: 0, max: 63 }).map(String),
  fc.integer({ min: 0, max: 63 }).map((n) => `0x${n.toString(16)}`),
  fc.constant('all'),
  fc.constant('ALL'),
);
const flags = fc.subarray(['e', 'i', 'p'], { minLength: 0 }).chain((f) => fc.shuffledSubarray(f, { minLength: f.length }).map((s) => s.join('')));
const someFlags = flags.filter((f) => f.length > 0);
// The first action may be '=' with no flags (clear); later ones are '+' or '-' with flags.
const firstAction = fc.oneof(
  fc.tuple(fc.constantFrom('+', '-', '=+', '=-'), someFlags).map(([op, f]) => op + f),
  flags.map((f) => `=${f}`),
);
const laterAction = fc.tuple(fc.constantFrom('+', '-'), someFlags).map(([op, f]) => op + f);
const clause = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.array(name, { minLength: 1, maxLength: 4 }), firstAction, fc.array(laterAction, { maxLength: 2 }))
      .map(([n, a, more]) => n.join(',') + a + more.join('')),
  },
  { weight: 1, arbitrary: flags.map((f) => `=${f}`) },
);
const space = fc.constantFrom(' ', '  ', '\t');

/** Mostly valid texts: clauses of lists and actions. */
export const capTexts: fc.Arbitrary<string> = fc.tuple(fc.array(clause, { minLength: 1, maxLength: 5 }), space).map(([clauses, sep]) => clauses.join(sep));

/** Texts with a corruption: a random character inserted, replaced or dropped. */
export const brokenCapTexts: fc.Arbitrary<string> = fc
  .tuple(capTexts, fc.nat(), fc.constantFrom('q', 'E', ',', '=', '+', '-', ' ', '_', 'x', '9', '0x', '!', ''))
  .map(([text, at, junk]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + junk + text.slice(i + (junk === '' ? 1 : 0));
  });
