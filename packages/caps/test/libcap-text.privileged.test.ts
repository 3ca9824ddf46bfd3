import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapSet, CapsError, formatCapText, formatCapshDecode, parseCapMask, parseCapText, readCapLastCap } from '../src/index.js';
import { brokenCapTexts, capTexts } from './helpers/arbitraries.js';
import { buildLibcapReference } from './helpers/libcap.js';
import type { LibcapReference } from './helpers/libcap.js';

// Differential tests: kc's parser and printer against libcap's cap_from_text
// and cap_to_text, on the running kernel (libcap reads cap_last_cap too).
let libcap: LibcapReference;
const lastCap = readCapLastCap();

beforeAll(() => {
  libcap = buildLibcapReference();
});
afterAll(() => libcap?.close());

function kc(text: string): { effective: bigint; permitted: bigint; inheritable: bigint; text: string } | null {
  try {
    const sets = parseCapText(text, { lastCap });
    return { effective: sets.effective.mask, permitted: sets.permitted.mask, inheritable: sets.inheritable.mask, text: formatCapText(sets, { lastCap }) };
  } catch (e) {
    if (e instanceof CapsError && e.code === 'INVALID_ARGUMENT' && e.offset !== undefined) return null;
    throw e;
  }
}

describe('libcap text format, kc vs libcap', () => {
  it('agrees on 600 generated valid texts (masks and canonical text)', () => {
    const texts = fc.sample(capTexts, { numRuns: 600, seed: 20261129 });
    const theirs = libcap.run(texts);
    const accepted = theirs.filter((t) => t !== null).length;
    expect(accepted).toBeGreaterThan(400);
    texts.forEach((text, i) => expect({ text, result: kc(text) }).toEqual({ text, result: theirs[i] }));
  });

  it('agrees on 600 corrupted texts (same accept/reject, same result)', () => {
    const texts = fc.sample(brokenCapTexts, { numRuns: 600, seed: 7 });
    const theirs = libcap.run(texts);
    expect(theirs.filter((t) => t === null).length).toBeGreaterThan(100);
    texts.forEach((text, i) => expect({ text, result: kc(text) }).toEqual({ text, result: theirs[i] }));
  });

  it('prints random sets exactly as cap_to_text does', () => {
    const set = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    // Bias towards sets around the kernel's capabilities, where grouping matters.
    const kernel = fc.bigInt({ min: 0n, max: (1n << BigInt(lastCap + 1)) - 1n });
    const sets = fc.sample(
      fc.tuple(
        fc.oneof(set, kernel, fc.constant(0n), fc.constant((1n << BigInt(lastCap + 1)) - 1n)),
        fc.oneof(set, kernel, fc.constant(0n)),
        fc.oneof(kernel, fc.constant(0n)),
      ),
      { numRuns: 400, seed: 3 },
    );
    const texts = sets.map(([e, p, i]) =>
      formatCapText({ effective: CapSet.fromMask(e), permitted: CapSet.fromMask(p), inheritable: CapSet.fromMask(i) }, { lastCap }),
    );
    const theirs = libcap.run(texts);
    sets.forEach(([e, p, i], n) => {
      // libcap reads kc's text back to the same sets and prints it unchanged.
      expect(theirs[n]).toEqual({ effective: e, permitted: p, inheritable: i, text: texts[n] });
    });
  });
});

describe('capsh --decode, kc vs capsh', () => {
  it('decodes 100 random masks identically', () => {
    const masks = fc.sample(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { numRuns: 100, seed: 11 });
    for (const m of masks) {
      const hex = `0x${m.toString(16)}`;
      const theirs = execFileSync('capsh', [`--decode=${hex}`])
        .toString()
        .trim();
      expect(formatCapshDecode(parseCapMask(hex))).toBe(theirs);
    }
  });
});
