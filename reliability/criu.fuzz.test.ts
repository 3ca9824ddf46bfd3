import fc from 'fast-check';
import { ImageMagic, joinImage, parseInventory, parsePstree, parseStats, splitImage } from '@kc/criu';
import { afterAll, describe, expect, it } from 'vitest';
import { printTallies, tally, typedOrValue } from './typed-errors.js';

// CRIU image files come from disk and may be damaged or hostile: every reader
// must answer with a value or CriuError INVALID_FORMAT, never a protobuf or
// RangeError from deep inside the decoder.
afterAll(printTallies);
const CODES = ['INVALID_FORMAT'];
const RUNS = 2000;

/** An image with the right magic and random entries, often with random protobuf-ish bytes. */
const framed = (magic: number, header?: number) =>
  fc.tuple(fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 4 }), fc.boolean(), fc.nat({ max: 8 })).map(([entries, cut, drop]) => {
    const b = joinImage(magic, entries, header);
    return cut ? b.subarray(0, Math.max(0, b.length - drop)) : b;
  });

describe('CRIU image parsing on random bytes', () => {
  for (const [name, magic, parse] of [
    ['inventory', ImageMagic.Inventory, parseInventory],
    ['pstree', ImageMagic.Pstree, parsePstree],
    ['stats', ImageMagic.Stats, parseStats],
  ] as const) {
    it(`${name}: a value or CriuError INVALID_FORMAT`, () => {
      const t = tally(`criu.parse${name}(random bytes)`);
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), framed(magic), framed(magic, ImageMagic.Common)), (bytes) => {
          typedOrValue(t, () => parse(bytes as Uint8Array), CODES);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('joinImage then splitImage gives back the entries', () => {
    const t = tally('criu.joinImage→splitImage round trip');
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }),
        fc.constantFrom(ImageMagic.Inventory, ImageMagic.Pstree, ImageMagic.Stats),
        fc.constantFrom(undefined, ImageMagic.Common, ImageMagic.Service),
        (entries, magic, header) => {
          // Common and Service are the optional leading header magics, not image types.
          const back = typedOrValue(t, () => splitImage(joinImage(magic, entries, header), magic, 'x.img'), CODES);
          expect(back?.map((e) => [...e])).toEqual(entries.map((e) => [...e]));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
