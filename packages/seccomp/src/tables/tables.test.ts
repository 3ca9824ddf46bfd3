import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARCH_NAMES, archInfo } from '../arch.js';
import { SYSCALL_TABLES_KERNEL } from './kernel.js';
import { tool } from '../../../../test-support/tools.js';

const LIBSECCOMP_ARCH: Record<string, string> = {
  x86_64: 'x86_64',
  i386: 'x86',
  x32: 'x32',
  aarch64: 'aarch64',
  arm: 'arm',
  riscv64: 'riscv64',
};
// Peers the setup installs: missing, they fail the test command (test-support/tools.ts).
const probe = {
  libseccompPython: tool('python3-seccomp'),
  scmpSysResolver: tool('scmp_sys_resolver'),
};

describe.skipIf(!probe.libseccompPython)("generated tables agree with libseccomp's for every name it knows", () => {
  it.each(ARCH_NAMES)('%s', (arch) => {
    const names = Object.keys(archInfo(arch).syscalls);
    // seccomp.resolve_syscall is what scmp_sys_resolver calls (seccomp_syscall_resolve_name_arch), in one process.
    const py = `import json,sys,seccomp\na=seccomp.Arch.${LIBSECCOMP_ARCH[arch]?.toUpperCase().replace('X86_64', 'X86_64')}\nprint(json.dumps({n: seccomp.resolve_syscall(a, n) for n in json.load(sys.stdin)}))`;
    const theirs = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', py], {
        input: JSON.stringify(names),
        encoding: 'utf8',
      }),
    ) as Record<string, number>;
    const known = names.filter((n) => (theirs[n] ?? -1) >= 0);
    expect(known.length).toBeGreaterThan(names.length * 0.9);
    // libseccomp maps i386's socket and SysV IPC calls to their multiplexers socketcall (102) and ipc (117);
    // the kernel has had direct numbers for them since 4.3, which is what the headers (and kc) give.
    const multiplexed = (n: string) => arch === 'i386' && (theirs[n] === 102 || theirs[n] === 117) && n !== 'socketcall' && n !== 'ipc';
    for (const n of known.filter((x) => !multiplexed(x))) expect([arch, n, archInfo(arch).syscalls[n]]).toEqual([arch, n, theirs[n]]);
  });
});

describe.skipIf(!probe.scmpSysResolver)('scmp_sys_resolver spot checks', () => {
  it.each([
    ['x86_64', 'openat'],
    ['x86', 'openat'],
    ['x32', 'read'],
    ['aarch64', 'clone3'],
    ['arm', 'breakpoint'],
    ['riscv64', 'riscv_flush_icache'],
    // Linux 6.5..6.7 calls that glibc >= 2.39 and Docker's profile use (issue 18)
    ['x86_64', 'fchmodat2'],
    ['x86_64', 'cachestat'],
    ['x86_64', 'map_shadow_stack'],
    ['x86_64', 'futex_wake'],
    ['x86_64', 'futex_wait'],
    ['x86_64', 'futex_requeue'],
    ['x86', 'fchmodat2'],
    ['aarch64', 'futex_requeue'],
  ])('%s %s', (arch, name) => {
    const ours = archInfo(arch === 'x86' ? 'i386' : (arch as 'x86_64')).syscalls[name];
    expect(
      Number(
        execFileSync('scmp_sys_resolver', ['-a', arch, name], {
          encoding: 'utf8',
        }).trim(),
      ),
    ).toBe(ours);
  });
});

describe('tables follow the kernel release they were generated from', () => {
  it('names that kernel, and it is newer than libseccomp 2.5.4 knows (Linux 6.10+)', () => {
    const [major = 0, minor = 0] = SYSCALL_TABLES_KERNEL.split('.').map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(7003);
  });

  // Numbers from the kernel's syscall tables (arch/x86/entry/syscalls/syscall_64.tbl, scripts/syscall.tbl),
  // written out so that a regeneration from an older package fails here.
  it.each([
    ['cachestat', 451],
    ['fchmodat2', 452],
    ['map_shadow_stack', 453],
    ['futex_wake', 454],
    ['futex_wait', 455],
    ['futex_requeue', 456],
    ['statmount', 457],
    ['listmount', 458],
    ['lsm_get_self_attr', 459],
    ['lsm_set_self_attr', 460],
    ['lsm_list_modules', 461],
    ['mseal', 462],
    ['setxattrat', 463],
    ['getxattrat', 464],
    ['listxattrat', 465],
    ['removexattrat', 466],
    ['open_tree_attr', 467],
  ] as const)('%s is %i on x86_64, i386, aarch64, arm and riscv64, and x32 sets bit 30', (name, nr) => {
    for (const arch of ['x86_64', 'i386', 'aarch64', 'arm', 'riscv64'] as const) expect([arch, archInfo(arch).syscalls[name]]).toEqual([arch, nr]);
    expect(archInfo('x32').syscalls[name]).toBe(nr + 0x40000000);
  });
});
