import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../bpf/compiler.js';
import { emulate } from '../bpf/emulator.js';
import { Act, actionValue } from '../policy/model.js';
import { SYSCALL_TABLES_KERNEL } from '../tables/kernel.js';
import { resolveDockerProfile } from './docker.js';
import { exportOciSeccomp } from './export.js';
import { importOciSeccomp } from './import.js';

const docker = JSON.parse(readFileSync('/work/shared/data/seccomp/docker-default.json', 'utf8'));
const X86_64 = 0xc000003e;

describe('OCI import reports what it leaves out', () => {
  it('lists names no kc table knows, once each, with a typed warning naming the first place', () => {
    const r = importOciSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_PPC64LE'],
      syscalls: [
        { names: ['read', 'fchmodat3', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['fchmodat3', 'not_a_syscall'], action: 'SCMP_ACT_LOG' },
      ],
    });
    expect(r.unknownSyscalls).toEqual(['fchmodat3', 'not_a_syscall']);
    expect(r.warnings).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_ARCH', name: 'SCMP_ARCH_PPC64LE', field: 'architectures[1]' }),
      expect.objectContaining({ code: 'UNKNOWN_SYSCALL', name: 'fchmodat3', field: 'syscalls[0].names[1]' }),
      expect.objectContaining({ code: 'UNKNOWN_SYSCALL', name: 'not_a_syscall', field: 'syscalls[1].names[1]' }),
    ]);
    expect(r.warnings[1]?.message).toContain(`Linux ${SYSCALL_TABLES_KERNEL}`);
    // Left out, as runc leaves them out: the rest of the profile still compiles and applies.
    expect(r.policy.rules.map((x) => x.syscall)).toEqual(['read', 'write']);
    expect(emulate(compile(r.policy).instructions, { arch: X86_64, nr: 0 }).value).toBe(actionValue(Act.allow));
  });

  it("does not report a name that another arch's table knows (arch_prctl in an aarch64 profile, _llseek on x86_64)", () => {
    const r = importOciSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_AARCH64'],
      syscalls: [{ names: ['arch_prctl', '_llseek', 'socketcall', 'semop'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(r.unknownSyscalls).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it("Docker's resolved profile has no name kc does not know, for x86_64, aarch64 and riscv64", () => {
    for (const arch of ['x86_64', 'aarch64', 'riscv64'] as const) {
      const r = importOciSeccomp(resolveDockerProfile(docker, { arch, caps: ['CAP_SYS_ADMIN'] }));
      expect([arch, r.unknownSyscalls]).toEqual([arch, []]);
    }
  });

  it("under Docker's profile the Linux 6.5..6.10 calls run (as under runc), not EPERM", () => {
    const { policy } = importOciSeccomp(resolveDockerProfile(docker, { arch: 'x86_64' }));
    const prog = compile(policy).instructions;
    // cachestat, fchmodat2, map_shadow_stack, futex_wake, futex_wait, futex_requeue, statmount, listmount, mseal
    for (const nr of [451, 452, 453, 454, 455, 456, 457, 458, 462]) {
      expect([nr, emulate(prog, { arch: X86_64, nr }).value]).toEqual([nr, actionValue(Act.allow)]);
      expect([nr, emulate(prog, { arch: 0x40000003, nr }).value]).toEqual([nr, actionValue(Act.allow)]); // i386
    }
  });

  it('drops entries whose action is the default action, as runc does (libseccomp refuses them)', () => {
    const r = importOciSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] },
        { names: ['personality'], action: 'SCMP_ACT_ERRNO' },
        { names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      ],
    });
    expect(r.policy.rules.map((x) => [x.syscall, x.action])).toEqual([
      ['personality', Act.allow],
      ['read', Act.errno(13)],
    ]);
    // Kept, the unconditional EPERM would win over the allowed personality(PER_LINUX32) in libseccomp order.
    const prog = compile(r.policy).instructions;
    expect(emulate(prog, { arch: X86_64, nr: 135, args: [8n] }).value).toBe(actionValue(Act.allow));
    expect(emulate(prog, { arch: X86_64, nr: 135, args: [9n] }).value).toBe(actionValue(Act.errno(1)));
  });
});

describe('OCI export decides as runtimes will', () => {
  it('leaves out rules an unconditional rule hides, so that runc dropping a default-action entry changes nothing', () => {
    const p = {
      defaultAction: Act.errno(1),
      arches: ['x86_64' as const],
      rules: [
        { syscall: 'personality', action: Act.allow, args: [{ index: 0, op: 'eq' as const, value: 8n }] },
        { syscall: 'personality', action: Act.errno(1) },
        { syscall: 'read', action: Act.allow },
      ],
    };
    const oci = exportOciSeccomp(p);
    expect(oci.syscalls?.map((s) => s.names)).toEqual([['personality'], ['read']]);
    expect(oci.syscalls?.[0]?.action).toBe('SCMP_ACT_ERRNO');
    const back = compile(importOciSeccomp(oci).policy).instructions;
    const ours = compile(p).instructions;
    for (const a0 of [0n, 8n])
      expect(emulate(back, { arch: X86_64, nr: 135, args: [a0] }).value).toBe(emulate(ours, { arch: X86_64, nr: 135, args: [a0] }).value);
  });

  it('refuses a first-match policy whose conditional rule decides before an unconditional one (runtimes would not)', () => {
    const p = {
      defaultAction: Act.errno(1),
      arches: ['x86_64' as const],
      ruleOrder: 'first-match' as const,
      rules: [
        { syscall: 'personality', action: Act.allow, args: [{ index: 0, op: 'eq' as const, value: 8n }] },
        { syscall: 'personality', action: Act.errno(13) },
      ],
    };
    expect(() => exportOciSeccomp(p)).toThrow(expect.objectContaining({ field: 'rules[0]', code: 'INVALID_ARGUMENT' }));
  });
});
