import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archInfo } from '../arch.js';
import { tool } from '../../../../test-support/tools.js';
import { explainDisagreement } from '../../test/libseccomp-known-bugs.js';
import { randomPolicy } from '../../test/libseccomp-random-policy.js';
import { report } from '../../../../test-support/report.js';
import { useFuzzSeed } from '../../../../test-support/seed.js';
import { libseccompCompile } from '../internal/libseccomp-peer.js';
import { resolveDockerProfile } from '../oci/docker.js';
import { importOciSeccomp } from '../oci/import.js';
import { arg, policy } from '../policy/builder.js';
import { Act, actionValue, type Policy } from '../policy/model.js';
import { resolvePolicy } from '../policy/validate.js';
import { compile } from './compiler.js';
import { emulate } from './emulator.js';
import { decodeProgram, type SockFilter } from './instructions.js';

// The project's shared data sits beside the repository: <root>/../shared.
const DOCKER = fileURLToPath(new URL('../../../../../shared/data/seccomp/docker-default.json', import.meta.url));
// python3-seccomp is a peer the setup installs: missing, it fails the test command (test-support/tools.ts).
const probe = { libseccompPython: tool('python3-seccomp') };
const seed = useFuzzSeed('libseccomp differential');
/** Each case runs python3-seccomp and emulates thousands of calls: more than vitest's 5 s default on a loaded 2-core machine. */
const SLOW_MS = 60_000;

/**
 * Compares kc and libseccomp on every syscall of every arch in the policy,
 * with zero args and with each rule's values as args. A disagreement fails
 * unless a pinned libseccomp 2.5.4 bug (test/libseccomp-known-bugs.ts) can
 * explain it from the rules of that syscall; explained ones are counted per
 * bug in `known`. Who is right is decided by the kernel, not here:
 * test/libseccomp-kernel.privileged.test.ts runs both programs in seccomp(2).
 */
function compareAll(p: Policy, kc: SockFilter[], lib: SockFilter[], known?: Map<string, number>): number {
  const resolved = resolvePolicy(p);
  const argSets: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
  for (const r of p.rules)
    for (const a of r.args ?? []) {
      for (const v of [a.value, a.value + 1n, a.value === 0n ? 0n : a.value - 1n]) {
        const args = [0n, 0n, 0n, 0n, 0n, 0n];
        args[a.index] = v & 0xffffffffn; // 32-bit values: libseccomp compares 32 bits on x32/i386/arm
        argSets.push(args);
      }
    }
  // socketcall/ipc: argument 0 selects the call, so try every call number (without ipc's version bits, see below) with each set.
  const muxSets = argSets.flatMap((args) => [...Array.from({ length: 26 }, (_, k) => BigInt(k)), 0xffffffffn].map((a0) => [a0, ...args.slice(1)]));
  let n = 0;
  for (const arch of p.arches) {
    const info = archInfo(arch);
    const mux = new Set(Object.values(info.multiplexers ?? {}));
    for (const nr of Object.values(info.syscalls)) {
      for (const args of mux.has(nr) ? muxSets : argSets) {
        const data = { arch: info.auditArch, nr, args };
        const a = emulate(kc, data).value;
        const b = emulate(lib, data).value;
        if (a !== b && known) {
          const rules = resolved.arches.find((x) => x.info.name === arch)?.rules.get(nr) ?? [];
          const bug = explainDisagreement(rules);
          if (bug) {
            known.set(bug.id, (known.get(bug.id) ?? 0) + 1);
            continue;
          }
        }
        if (a !== b) throw new Error(`${arch} nr ${nr} args ${args}: kc 0x${a.toString(16)} libseccomp 0x${b.toString(16)}`);
        n++;
      }
    }
  }
  return n;
}

describe.skipIf(!probe.libseccompPython)('kc vs libseccomp (python3-seccomp) on the same policy', () => {
  it.each([
    ['x86_64', []],
    ['x86_64', ['CAP_SYS_ADMIN']],
    ['aarch64', []],
    ['riscv64', []],
  ] as const)(
    "Docker's default profile for %s with caps %j gives the same action for every syscall",
    (arch, caps) => {
      const oci = resolveDockerProfile(JSON.parse(readFileSync(DOCKER, 'utf8')), { arch, caps: [...caps] });
      const { policy } = importOciSeccomp(oci);
      const kc = compile(policy).instructions;
      for (const opt of [1, 2] as const) {
        const lib = decodeProgram(libseccompCompile(policy, opt));
        expect(compareAll(policy, kc, lib)).toBeGreaterThan(300);
      }
    },
    SLOW_MS,
  );

  it(
    'random policies give the same action as libseccomp for every syscall, except pinned libseccomp bugs (printed)',
    () => {
      const known = new Map<string, number>();
      let calls = 0;
      fc.assert(
        fc.property(randomPolicy(), (p) => {
          const kc = compile(p).instructions;
          const lib = decodeProgram(libseccompCompile(p, 2));
          const n = compareAll(p, kc, lib, known);
          calls += n;
          expect(n).toBeGreaterThan(0);
        }),
        // The seed rotates per run and is printed (test-support/seed.ts); KC_FC_SEED=<n> replays one.
        { numRuns: 40, seed },
      );
      const explained = [...known].map(([id, n]) => `${id} ${n}`).join(', ') || 'none';
      report(`libseccomp differential (seed ${seed}): ${calls} calls agree; explained by pinned libseccomp bugs: ${explained}; unexplained: 0`);
    },
    SLOW_MS,
  );
});

describe.skipIf(!probe.libseccompPython)('i386 socketcall and ipc multiplexing: kc vs libseccomp (python3-seccomp)', () => {
  const I386 = archInfo('i386').auditArch;
  const SOCKETCALL = 102;
  const IPC = 117;
  const call = (prog: SockFilter[], nr: number, args: bigint[] = []) => emulate(prog, { arch: I386, nr, args }).value;
  const EPERM = actionValue(Act.errno(1));
  const ALLOW = actionValue(Act.allow);

  const cases: [string, Policy][] = [
    ['deny socket', policy(Act.allow, ['i386']).errno(1, 'socket').build()],
    ['deny connect', policy(Act.allow, ['x86_64', 'i386']).errno(1, 'connect').build()],
    ['deny socket(AF_INET)', policy(Act.allow, ['i386']).rule('socket', Act.errno(13), arg(0).eq(2)).build()],
    ['deny connect(fd 3, addrlen 16)', policy(Act.allow, ['i386']).rule('connect', Act.errno(13), arg(0).eq(3), arg(2).eq(16)).build()],
    [
      'allow-list with socket(family != AF_VSOCK)',
      policy(Act.errno(1), ['x86_64', 'i386']).allow('read', 'write', 'exit_group', 'connect').rule('socket', Act.allow, arg(0).ne(40)).build(),
    ],
    ['deny accept, send, recv (only multiplexed on i386)', policy(Act.allow, ['i386']).errno(1, 'accept', 'send', 'recv', 'accept4').build()],
    ['deny semget, semop, shmat', policy(Act.allow, ['i386']).errno(1, 'semget', 'semop', 'shmat').build()],
  ];

  it.each(cases)(
    '%s: the same action for every call, multiplexed or direct',
    (_name, p) => {
      const kc = compile(p).instructions;
      for (const opt of [1, 2] as const) {
        expect(compareAll(p, kc, decodeProgram(libseccompCompile(p, opt)))).toBeGreaterThan(400);
      }
    },
    SLOW_MS,
  );

  it('denying socket covers socketcall(SYS_SOCKET) and socket() but no other socketcall', () => {
    const kc = compile(cases[0]?.[1] as Policy).instructions;
    expect(call(kc, SOCKETCALL, [1n])).toBe(EPERM);
    expect(call(kc, archInfo('i386').syscalls.socket as number, [1n, 1n, 0n])).toBe(EPERM);
    expect(call(kc, SOCKETCALL, [2n])).toBe(ALLOW); // SYS_BIND
    expect(call(kc, SOCKETCALL, [0x100000001n])).toBe(EPERM); // only the low word exists on i386
  });

  it('with argument conditions, the multiplexed form tests the call number instead of argument 0, as libseccomp does', () => {
    const p = cases[2]?.[1] as Policy; // socket(AF_INET) -> EACCES
    const kc = compile(p).instructions;
    const lib = decodeProgram(libseccompCompile(p, 2));
    for (const prog of [kc, lib]) {
      expect(call(prog, SOCKETCALL, [1n, 0x1000n])).toBe(actionValue(Act.errno(13))); // the family is in memory: every SYS_SOCKET
      expect(call(prog, archInfo('i386').syscalls.socket as number, [1n])).toBe(ALLOW); // direct AF_UNIX
      expect(call(prog, archInfo('i386').syscalls.socket as number, [2n])).toBe(actionValue(Act.errno(13)));
    }
  });

  it('kc also denies ipc(SEMGET | 1 << 16), which the kernel runs as semget and libseccomp 2.5.4 lets through', () => {
    const p = cases[6]?.[1] as Policy;
    const kc = compile(p).instructions;
    const lib = decodeProgram(libseccompCompile(p, 2));
    expect(call(kc, IPC, [2n])).toBe(EPERM);
    expect(call(lib, IPC, [2n])).toBe(EPERM);
    expect(call(kc, IPC, [0x10002n])).toBe(EPERM);
    expect(call(lib, IPC, [0x10002n])).toBe(ALLOW); // the difference: libseccomp compares all 32 bits
    expect(call(kc, IPC, [3n])).toBe(ALLOW); // semctl is not denied
  });
});
