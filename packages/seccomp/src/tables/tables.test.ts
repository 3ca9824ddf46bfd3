import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ARCH_NAMES, archInfo } from '../arch.js';
import { hasLibseccompPython } from '../internal/libseccomp-peer.js';

const LIBSECCOMP_ARCH: Record<string, string> = {
  x86_64: 'x86_64',
  i386: 'x86',
  x32: 'x32',
  aarch64: 'aarch64',
  arm: 'arm',
  riscv64: 'riscv64',
};
const probe = {
  libseccompPython: hasLibseccompPython(),
  scmpSysResolver: (() => {
    try {
      execFileSync('scmp_sys_resolver', ['read'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })(),
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
