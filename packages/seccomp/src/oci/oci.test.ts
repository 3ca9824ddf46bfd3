import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../bpf/compiler.js';
import { emulate } from '../bpf/emulator.js';
import { arg, policy } from '../policy/builder.js';
import { Act, actionValue } from '../policy/model.js';
import { resolveDockerProfile } from './docker.js';
import { exportOciSeccomp } from './export.js';
import { importOciSeccomp } from './import.js';

const docker = JSON.parse(readFileSync('/work/shared/data/seccomp/docker-default.json', 'utf8'));

describe("Docker's profile format", () => {
  it('resolves includes/excludes for arch, caps and kernel', () => {
    const plain = resolveDockerProfile(docker, {
      arch: 'x86_64',
      kernel: '4.4',
    });
    expect(plain.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    const names = (o: typeof plain) => new Set(o.syscalls?.flatMap((s) => s.names));
    expect(names(plain).has('arch_prctl')).toBe(true);
    expect(names(plain).has('ptrace')).toBe(false); // minKernel 4.8
    expect(names(plain).has('riscv_flush_icache')).toBe(false);
    const admin = resolveDockerProfile(docker, {
      arch: 'x86_64',
      caps: ['CAP_SYS_ADMIN'],
    });
    expect(names(admin).has('mount')).toBe(true);
    expect(admin.syscalls?.some((s) => s.names.includes('clone3') && s.action === 'SCMP_ACT_ERRNO')).toBe(false);
    const arm = resolveDockerProfile(docker, { arch: 'aarch64' });
    expect(arm.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(names(arm).has('arch_prctl')).toBe(false);
  });

  it('imports the resolved profile: mkdir allowed, mount EPERM, clone3 ENOSYS', () => {
    const { policy: p } = importOciSeccomp(resolveDockerProfile(docker, { arch: 'x86_64' }));
    const prog = compile(p).instructions;
    const call = (nr: number, args: bigint[] = []) => emulate(prog, { arch: 0xc000003e, nr, args }).value;
    expect(call(83)).toBe(actionValue(Act.allow)); // mkdir
    expect(call(165)).toBe(actionValue(Act.errno(1))); // mount
    expect(call(435)).toBe(actionValue(Act.errno(38))); // clone3
    expect(call(56, [0x10000000n])).toBe(actionValue(Act.errno(1))); // clone(CLONE_NEWUSER)
    expect(call(56, [0x00010000n])).toBe(actionValue(Act.allow)); // clone(CLONE_THREAD)
  });
});

describe('OCI export', () => {
  it('round-trips a policy through the OCI format with the same meaning', () => {
    const p = policy(Act.errno(13), ['x86_64', 'aarch64'])
      .allow('read', 'write')
      .rule('socket', Act.allow, arg(0).eq(1))
      .rule('ioctl', Act.allow, arg(1).maskedEq(0xff00, 0x5400))
      .kill('ptrace')
      .build();
    const oci = exportOciSeccomp(p);
    expect(oci.syscalls?.[0]).toEqual({
      names: ['read', 'write'],
      action: 'SCMP_ACT_ALLOW',
    });
    const back = importOciSeccomp(JSON.parse(JSON.stringify(oci))).policy;
    expect(compile({ ...back, unknownSyscalls: undefined }).bytes.equals(compile(p).bytes)).toBe(true);
  });
});
