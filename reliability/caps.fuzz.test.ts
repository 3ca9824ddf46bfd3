import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  CapSet,
  KNOWN_LAST_CAP,
  capabilityName,
  decodeFileCaps,
  encodeFileCaps,
  fileCapsFromText,
  fileCapsToText,
  formatCapText,
  parseCapMask,
  parseCapText,
  parseProcStatus,
} from '@kc/caps';
import { afterAll, describe, expect, it } from 'vitest';
import { printTallies, tally, typedOrValue } from './typed-errors.js';

// Property tests of @kc/caps' parsers: the libcap text format (cap_from_text /
// cap_to_text), hex masks, security.capability values and /proc/PID/status.
const RUNS = 2000;
afterAll(printTallies);

const mask = fc.bigInt({ min: 0n, max: (1n << BigInt(KNOWN_LAST_CAP + 1)) - 1n });
const capName = fc.integer({ min: 0, max: KNOWN_LAST_CAP }).map((n) => capabilityName(n));
// Tokens of the libcap grammar, shuffled into mostly-valid, often-invalid clauses.
const capToken = fc.oneof(
  capName,
  capName.map((n) => n.toUpperCase()),
  fc.constantFrom('all', '', ' ', ',', '=', '+', '-', 'e', 'i', 'p', 'eip', 'cap_', '41', '63', '64', '99999999999999999999', '0x3'),
  fc.string({ maxLength: 4 }),
);
const capText = fc.array(capToken, { maxLength: 12 }).map((t) => t.join(''));

describe('libcap text format', () => {
  it('parseCapText on arbitrary strings: a CapTriple or INVALID_ARGUMENT', () => {
    const t = tally('caps.parseCapText(random)');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), capText), (s) => {
        const r = typedOrValue(t, () => parseCapText(s));
        if (r) for (const set of [r.effective, r.permitted, r.inheritable]) expect(set.mask >> 64n).toBe(0n);
        // An accepted text means what its canonical form means: format, parse again, same three sets.
        if (r) {
          const again = parseCapText(formatCapText(r));
          expect([again.effective.mask, again.permitted.mask, again.inheritable.mask]).toEqual([r.effective.mask, r.permitted.mask, r.inheritable.mask]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('formatCapText then parseCapText gives back the same three sets', () => {
    const t = tally('caps.format→parse round trip');
    fc.assert(
      fc.property(mask, mask, mask, (e, p, i) => {
        const sets = { effective: CapSet.fromMask(e), permitted: CapSet.fromMask(p), inheritable: CapSet.fromMask(i) };
        const back = typedOrValue(t, () => parseCapText(formatCapText(sets)));
        expect(back).toBeDefined();
        expect([back!.effective.mask, back!.permitted.mask, back!.inheritable.mask]).toEqual([e, p, i]);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseCapMask: hex masks round-trip through toHex; anything else is INVALID_ARGUMENT', () => {
    const t = tally('caps.parseCapMask');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.string({ maxLength: 24 }), (m, junk) => {
        expect(parseCapMask(CapSet.fromMask(m).toHex()).mask).toBe(m);
        t.ok++;
        typedOrValue(t, () => parseCapMask(junk));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('file capabilities (security.capability)', () => {
  it('decodeFileCaps on random bytes: a decoded value or INVALID_ARGUMENT', () => {
    const t = tally('caps.decodeFileCaps(random bytes)');
    const magicHead = fc
      .tuple(fc.constantFrom(0x01000000, 0x02000000, 0x03000000, 0x02000001, 0x03000001), fc.uint8Array({ maxLength: 28 }))
      .map(([m, rest]) => {
        const b = new Uint8Array(4 + rest.length);
        new DataView(b.buffer).setUint32(0, m, true);
        b.set(rest, 4);
        return b;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), magicHead), (bytes) => {
        typedOrValue(t, () => decodeFileCaps(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it('encodeFileCaps then decodeFileCaps round-trips (v2 and v3 with rootid)', () => {
    const t = tally('caps.encode→decode file caps');
    fc.assert(
      fc.property(mask, mask, fc.boolean(), fc.option(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { nil: undefined }), (p, i, eff, rootid) => {
        const d = typedOrValue(t, () =>
          decodeFileCaps(encodeFileCaps({ permitted: CapSet.fromMask(p), inheritable: CapSet.fromMask(i), effective: eff, ...(rootid ? { rootid } : {}) })),
        );
        if (d === undefined) return; // a typed refusal (e.g. effective with empty sets) is allowed
        expect([d.permitted.mask, d.inheritable.mask, d.effective, d.rootid ?? undefined]).toEqual([p, i, eff, rootid]);
      }),
      { numRuns: RUNS },
    );
  });

  it('fileCapsFromText on arbitrary text is typed; fileCapsToText output parses back', () => {
    const t = tally('caps.fileCapsFromText');
    fc.assert(
      fc.property(capText, mask, mask, fc.boolean(), (s, p, i, eff) => {
        typedOrValue(t, () => fileCapsFromText(s));
        if (p === 0n && i === 0n) return;
        const caps = { permitted: CapSet.fromMask(p), inheritable: CapSet.fromMask(i), effective: eff };
        const back = typedOrValue(t, () => fileCapsFromText(fileCapsToText(caps)));
        expect(back).toBeDefined();
        expect([back!.permitted.mask, back!.inheritable.mask, back!.effective]).toEqual([p, i, eff]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('/proc/PID/status', () => {
  it('parseProcStatus on mangled status files: parsed or INVALID_ARGUMENT', () => {
    const t = tally('caps.parseProcStatus');
    const line = fc.oneof(
      fc
        .tuple(
          fc.constantFrom('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp', 'Uid', 'Name'),
          fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 20 }), fc.string({ maxLength: 12 }), fc.constant('0 0 0 0')),
        )
        .map(([k, v]) => `${k}:\t${v}`),
      fc.string({ maxLength: 30 }),
    );
    // Start from this process's real status file and corrupt some lines, so most cases reach deep into the parser.
    const real = readFileSync('/proc/self/status', 'utf8').split('\n');
    const edit = fc.tuple(fc.nat({ max: real.length - 1 }), line);
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 3 }), fc.array(line, { maxLength: 4 }), (edits, extra) => {
        const lines = [...real];
        for (const [at, l] of edits) lines[at] = l;
        typedOrValue(t, () => parseProcStatus([...lines, ...extra].join('\n')));
      }),
      { numRuns: RUNS },
    );
  });
});
