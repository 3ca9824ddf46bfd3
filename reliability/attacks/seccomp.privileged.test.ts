import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, attackerBin, judge, Lab, probe } from './harness.js';

// Seccomp rules that must mean what they say (issue 13, finding 6): a rule on
// socket() must also cover the i386 socketcall(SYS_SOCKET) multiplexer (as
// libseccomp, hence runc, does), and an argument value in config.json must
// reach the filter exactly: 2^53+1 is not a double, and a lossy JSON parser
// turns the rule into one about 2^53.

/** The kernel's i386 syscall entry (CONFIG_IA32_EMULATION), probed by running one. */
const ia32 = (() => {
  try {
    return execFileSync(attackerBin('seccomp'), ['ia32'], { encoding: 'utf8' }).includes('ia32');
  } catch {
    return false;
  }
})();

const ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
/** Stands in config.json for a number JSON.stringify cannot write exactly; replaced in the text. */
const PLACEHOLDER = 424242424242;

describe.runIf(probe.root)('attack: seccomp rules bypassed or changed (needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  it.runIf(ia32)('the attacker is live: without the rule, i386 socketcall(SYS_SOCKET) makes a socket under runc (needs ia32 emulation)', () => {
    const o = lab.run(
      'runc',
      lab.bundle([at('seccomp'), 'socketcall'], (c) => {
        c.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ARCHES, syscalls: [] };
      }),
      'socklive',
    );
    expect(o.detail, o.detail).toContain('i386 socketcall(SYS_SOCKET) returned a socket');
  });

  it.runIf(ia32)('a rule denying socket() also denies i386 socket and socketcall(SYS_SOCKET) (needs ia32 emulation)', () => {
    const bundle = lab.bundle([at('seccomp'), 'socketcall'], (c) => {
      c.linux!.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ARCHES,
        syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
      };
    });
    const r = lab.runBoth(bundle, 'sockcall');
    judge('seccomp: socket rule vs i386 socketcall', r.runc, r.kc);
  });

  for (const [label, value, hex] of [
    ['2^53+1', '9007199254740993', '20000000000001'],
    ['2^64-1', '18446744073709551615', 'ffffffffffffffff'],
  ] as const) {
    it(`a rule on getppid(arg0 == ${label}) matches exactly that value`, () => {
      const bundle = lab.bundle(
        [at('seccomp'), 'arg', hex],
        (c) => {
          c.linux!.seccomp = {
            defaultAction: 'SCMP_ACT_ALLOW',
            architectures: ARCHES,
            syscalls: [{ names: ['getppid'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: PLACEHOLDER, op: 'SCMP_CMP_EQ' }] }],
          };
        },
        (_rootfs, b) => {
          const file = join(b, 'config.json');
          writeFileSync(file, readFileSync(file, 'utf8').replace(String(PLACEHOLDER), value));
        },
      );
      const r = lab.runBoth(bundle, 'secarg');
      judge(`seccomp: argument ${label} kept exact`, r.runc, r.kc);
    });
  }
});
