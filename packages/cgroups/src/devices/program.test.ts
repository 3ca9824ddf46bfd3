import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useFuzzSeed } from '../../../../test-support/seed.js';
import { withDefaultDeviceRules } from '../resources/default-devices.js';
import type { DeviceRule } from '../resources/types.js';
import { emulateDeviceProgram } from './emulator.js';
import { decodeEbpf, deviceProgram, deviceProgramInsns } from './program.js';
import { DEVICE_ACCESS, type DeviceRequest, deviceAllowed, deviceState } from './state.js';

const M = DEVICE_ACCESS.m;
const R = DEVICE_ACCESS.r;
const W = DEVICE_ACCESS.w;
const req = (type: 'b' | 'c', major: number, minor: number, access: number): DeviceRequest => ({ type, major, minor, access });

describe('device rules as the v1 controller reads them', () => {
  it("runc's default list: mknod of anything, read/write of the listed nodes only", () => {
    const s = deviceState(withDefaultDeviceRules([]), { defaultAllow: true, exceptions: [] });
    expect(s.defaultAllow).toBe(false);
    const table: [DeviceRequest, boolean][] = [
      [req('c', 1, 3, R | W), true], // /dev/null
      [req('c', 1, 9, R), true], // /dev/urandom
      [req('c', 136, 7, R | W), true], // a pty
      [req('c', 10, 200, R | W), true], // tun
      [req('c', 1, 1, M), true], // mknod of /dev/mem
      [req('c', 1, 1, R), false], // but not reading it
      [req('b', 7, 0, M), true],
      [req('b', 7, 0, R | W), false], // loop0
      [req('c', 10, 232, R | W), false], // kvm
      [req('c', 5, 1, R | W), false], // /dev/console is not in runc's list
      [req('c', 1, 3, M | R | W), true],
    ];
    for (const [q, want] of table) expect(deviceAllowed(s, q), JSON.stringify(q)).toBe(want);
  });

  it('a later rule along the default removes access from an exception; type a resets everything', () => {
    const rules: DeviceRule[] = [
      { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: false, type: 'c', major: 1, minor: 3, access: 'w' },
    ];
    const s = deviceState(rules);
    expect(deviceAllowed(s, req('c', 1, 3, R))).toBe(true);
    expect(deviceAllowed(s, req('c', 1, 3, W))).toBe(false);
    expect(deviceState([...rules, { allow: true, type: 'a', major: '*', minor: '*', access: 'rwm' }])).toEqual({ defaultAllow: true, exceptions: [] });
  });

  it('under default allow, an exception denies any request sharing a bit with it', () => {
    const s = deviceState([{ allow: false, type: 'b', major: 8, minor: '*', access: 'w' }]);
    expect(deviceAllowed(s, req('b', 8, 1, R))).toBe(true);
    expect(deviceAllowed(s, req('b', 8, 1, R | W))).toBe(false);
    expect(deviceAllowed(s, req('c', 8, 1, W))).toBe(true);
  });
});

describe('the eBPF device program', () => {
  const ruleArb: fc.Arbitrary<DeviceRule> = fc.record({
    allow: fc.boolean(),
    type: fc.constantFrom('a' as const, 'b' as const, 'c' as const, 'c' as const, 'b' as const),
    major: fc.oneof(fc.constant('*' as const), fc.integer({ min: 0, max: 4 }), fc.constant(0xfff)),
    minor: fc.oneof(fc.constant('*' as const), fc.integer({ min: 0, max: 4 }), fc.constant(0xfffff)),
    access: fc.subarray(['r', 'w', 'm'], { minLength: 1 }).map((a) => a.join('')),
  });
  const reqArb = fc.record({
    type: fc.constantFrom('b' as const, 'c' as const),
    major: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(0xfff)),
    minor: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(0xfffff)),
    access: fc.integer({ min: 1, max: 7 }),
  });

  it('decides every request as the rules mean (property, emulated)', () => {
    const seed = useFuzzSeed('device program property');
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 12 }), fc.array(reqArb, { minLength: 1, maxLength: 16 }), (rules, reqs) => {
        const state = deviceState(rules, { defaultAllow: false, exceptions: [] });
        const insns = decodeEbpf(deviceProgram(rules));
        for (const q of reqs) expect(emulateDeviceProgram(insns, q) === 1).toBe(deviceAllowed(state, q));
      }),
      { numRuns: 500, seed },
    );
  });

  it('is small: one block per exception plus six loads and the default', () => {
    const insns = deviceProgramInsns(deviceState(withDefaultDeviceRules([])));
    expect(insns.length).toBeLessThan(100);
    expect(insns.at(-1)?.op).toBe(0x95);
  });

  it('rejects device numbers Linux cannot have, naming the field', () => {
    expect(() => deviceProgram([{ allow: true, type: 'c', major: 4096, minor: 0, access: 'r' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'devices[0].major' }),
    );
    expect(() => deviceProgram([{ allow: true, type: 'b', major: 1, minor: -1, access: 'r' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'devices[0].minor' }),
    );
  });
});
