import { describe, expect, it } from 'vitest';
import { archInfo } from '../arch.js';
import { compile } from '../bpf/compiler.js';
import { emulate } from '../bpf/emulator.js';
import { BPF } from '../bpf/instructions.js';
import { SeccompError } from '../errors.js';
import { parseJsonExact } from '../json/parse-exact.js';
import { Act, actionValue } from '../policy/model.js';
import { importOciSeccomp } from './import.js';
import { isSeccompArgValuePath, parseOciSeccompJson } from './read-json.js';

const X86_64 = archInfo('x86_64');
const GETPPID = X86_64.syscalls.getppid as number;

/** A profile, as text, that denies getppid when argument 0 compares as written: the number goes in verbatim. */
const profile = (value: string, op = 'SCMP_CMP_EQ', valueTwo?: string) =>
  `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": ${value}${valueTwo ? `, "valueTwo": ${valueTwo}` : ''}, "op": "${op}"}]}]}`;

function filterFor(text: string) {
  return compile(importOciSeccomp(parseOciSeccompJson(text)).policy).instructions;
}
const decide = (prog: ReturnType<typeof filterFor>, a0: bigint) => emulate(prog, { arch: X86_64.auditArch, nr: GETPPID, args: [a0] }).value;
const EPERM = actionValue(Act.errno(1));
const ALLOW = actionValue(Act.allow);
/** The `k` operands of the program's conditional jumps. */
const jumpConstants = (prog: ReturnType<typeof filterFor>) =>
  prog.filter((i) => (i.code & 0x07) === BPF.JMP && (i.code & 0xf0) !== BPF.JA).map((i) => i.k >>> 0);

describe('seccomp argument values beyond 2^53 from JSON text are compared exactly', () => {
  it('2^53 + 1 matches only itself, not the 2^53 JSON.parse would read, and compiles to its exact halves', () => {
    const prog = filterFor(profile('9007199254740993'));
    expect(decide(prog, 2n ** 53n + 1n)).toBe(EPERM);
    expect(decide(prog, 2n ** 53n)).toBe(ALLOW);
    expect(decide(prog, 2n ** 53n + 2n)).toBe(ALLOW);
    expect(jumpConstants(prog)).toEqual(expect.arrayContaining([0x00200000, 0x00000001])); // high word 2^21, low word 1
  });

  it('2^64 - 1 (which JSON.parse reads as 2^64 and import would refuse) matches only itself', () => {
    const prog = filterFor(profile('18446744073709551615'));
    expect(decide(prog, 2n ** 64n - 1n)).toBe(EPERM);
    expect(decide(prog, 2n ** 64n - 2n)).toBe(ALLOW);
    expect(decide(prog, 0xffffffffn)).toBe(ALLOW);
    expect(decide(prog, 0xffffffff00000000n)).toBe(ALLOW);
    expect(jumpConstants(prog)).toEqual(expect.arrayContaining([0xffffffff]));
  });

  it('a masked comparison keeps both of its 64-bit operands exact', () => {
    const prog = filterFor(profile('18446744069414584321', 'SCMP_CMP_MASKED_EQ', '9007199254740993')); // mask 0xffffffff00000001
    expect(decide(prog, 2n ** 53n + 1n)).toBe(EPERM);
    expect(decide(prog, 2n ** 53n + 1n + 0xfffffffen)).toBe(EPERM); // bits outside the mask do not count
    expect(decide(prog, 2n ** 53n)).toBe(ALLOW);
  });

  it('a rounded number (what JSON.parse gives) is refused on import, naming the field', () => {
    const rounded = JSON.parse(profile('9007199254740993'));
    expect(rounded.syscalls[0].args[0].value).toBe(2 ** 53);
    try {
      importOciSeccomp(rounded);
      expect.unreachable('import accepted a number that may be rounded');
    } catch (e) {
      expect(e).toBeInstanceOf(SeccompError);
      expect((e as SeccompError).field).toBe('syscalls[0].args[0].value');
    }
  });

  it('values beyond 2^64 - 1 and negative ones are refused', () => {
    expect(() => filterFor(profile('18446744073709551616'))).toThrow(SeccompError);
    expect(() => filterFor(profile('-9007199254740993'))).toThrow(SeccompError);
  });

  it('isSeccompArgValuePath matches only argument operands under the given base', () => {
    const base = ['linux', 'seccomp'];
    expect(isSeccompArgValuePath(['linux', 'seccomp', 'syscalls', 3, 'args', 0, 'value'], base)).toBe(true);
    expect(isSeccompArgValuePath(['linux', 'seccomp', 'syscalls', 3, 'args', 0, 'valueTwo'], base)).toBe(true);
    expect(isSeccompArgValuePath(['linux', 'seccomp', 'syscalls', 3, 'args', 0, 'index'], base)).toBe(false);
    expect(isSeccompArgValuePath(['linux', 'seccomp', 'syscalls', 'x', 'args', 0, 'value'], base)).toBe(false);
    expect(isSeccompArgValuePath(['syscalls', 0, 'args', 0, 'value'], base)).toBe(false);
    expect(isSeccompArgValuePath(['syscalls', 0, 'args', 0, 'value'])).toBe(true);
    const config = parseJsonExact(`{"linux": {"seccomp": ${profile('9007199254740993')}}}`, { bigintAt: (p) => isSeccompArgValuePath(p, base) });
    expect((config as { linux: { seccomp: { syscalls: { args: { value: unknown }[] }[] } } }).linux.seccomp.syscalls[0]?.args[0]?.value).toBe(
      9007199254740993n,
    );
  });
});
