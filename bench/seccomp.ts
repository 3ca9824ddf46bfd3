/**
 * @kc/seccomp vs libseccomp 2.5 (python3-seccomp): compile time of kc, and BPF
 * instructions executed per syscall (emulator over every syscall number of the
 * native arch, zero args), program length, for Docker's default profile and kc's default;
 * then a real syscall-latency loop (bench/seccomp-latency-loop.c, built with gcc
 * into a tmpdir) in a child spawned by kc with each filter installed.
 * Run (as root): pnpm exec tsx bench/seccomp.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SeccompSpec, spawn } from '@kc/native';
import {
  archInfo,
  compile,
  decodeProgram,
  emulate,
  importOciSeccomp,
  kcDefaultPolicy,
  type Policy,
  resolveDockerProfile,
  type SockFilter,
} from '../packages/seccomp/src/index.js';
import { libseccompCompile } from '../packages/seccomp/src/internal/libseccomp-peer.js';
import { measure } from './lib/measure.js';
import { report } from './lib/report.js';

function stats(prog: SockFilter[], p: Policy) {
  const info = archInfo(p.arches[0] ?? 'x86_64');
  const counts = Object.values(info.syscalls).map(
    (nr) =>
      emulate(prog, {
        arch: info.auditArch,
        nr,
        args: [0n, 0n, 0n, 0n, 0n, 0n],
      }).executed,
  );
  return {
    mean: counts.reduce((a, b) => a + b, 0) / counts.length,
    max: Math.max(...counts),
    length: prog.length,
  };
}

const docker = importOciSeccomp(
  resolveDockerProfile(JSON.parse(readFileSync('/work/shared/data/seccomp/docker-default.json', 'utf8')), { arch: 'x86_64' }),
).policy;
const profiles: [string, Policy][] = [
  ['docker-default', docker],
  ['kc-default', kcDefaultPolicy()],
];
const cases = [];
console.log('profile | tool | mean insns/syscall | max | program length');
console.log('---|---|---|---|---');
for (const [name, p] of profiles) {
  const kc = stats(compile(p).instructions, p);
  const rows: [string, ReturnType<typeof stats>][] = [
    ['kc', kc],
    ['libseccomp', stats(decodeProgram(libseccompCompile(p, 1, { newerCalls: 'skip' })), p)],
    ['libseccomp-tree', stats(decodeProgram(libseccompCompile(p, 2, { newerCalls: 'skip' })), p)],
  ];
  for (const [tool, s] of rows) {
    console.log(`${name} | ${tool} | ${s.mean.toFixed(1)} (×${(s.mean / kc.mean).toFixed(2)} of kc) | ${s.max} | ${s.length}`);
  }
  cases.push(
    await measure(`compile ${name}`, 'kc', () => compile(p), {
      runs: 200,
      warmup: 20,
    }),
  );
}

/** Runs the loop binary with `filter` installed; returns ns per call as the child measured it. */
async function loopNs(bin: string, nr: string, arg0: string, n: number, filter?: SeccompSpec): Promise<number> {
  const child = spawn({
    argv: [bin, nr, String(n), arg0],
    noNewPrivileges: true,
    seccomp: filter,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const status = await child.exited;
  if (status.exitCode !== 0) throw new Error(`latency loop failed: ${JSON.stringify(status)}`);
  return Number.parseFloat(out);
}

const dir = mkdtempSync(join(tmpdir(), 'kc-bench-seccomp-'));
try {
  const bin = join(dir, 'loop');
  execFileSync('gcc', ['-O2', '-o', bin, new URL('./seccomp-latency-loop.c', import.meta.url).pathname]);
  const x86 = archInfo('x86_64').syscalls;
  // Linux 5.11+ caches, per syscall number, filters that ALLOW it whatever the arguments (the
  // seccomp action cache): getppid() then never runs the BPF program, for any of the filters.
  // personality(0xffffffff) (a query) has argument checks in Docker's profile, so every call runs it.
  const calls: [string, string, string][] = [
    ['getppid()', String(x86.getppid), '0'],
    ['personality(0xffffffff)', String(x86.personality), '0xffffffff'],
  ];
  const filters: [string, string, SeccompSpec | undefined][] = [
    ['Docker profile', 'kc', { filter: compile(docker).bytes }],
    ['Docker profile', 'libseccomp', { filter: libseccompCompile(docker, 1, { newerCalls: 'skip' }) }],
    ['Docker profile', 'libseccomp-tree', { filter: libseccompCompile(docker, 2, { newerCalls: 'skip' }) }],
    ['Docker profile', 'no filter', undefined],
    ['kc default', 'kc', { filter: compile(kcDefaultPolicy()).bytes }],
    ['kc default', 'no filter', undefined],
  ];
  const N = 200_000;
  const RUNS = 7;
  const latency = [];
  console.log(`\nsyscall latency loop: ${N} calls per run, ${RUNS} runs; ns/call reported as ms per 10^6 calls`);
  for (const [call, nr, arg0] of calls) {
    for (const [profile, tool, filter] of filters) {
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await loopNs(bin, nr, arg0, N, filter));
      const sorted = [...samples].sort((a, b) => a - b);
      latency.push({
        case: `${call} ×10^6, ${profile}`,
        tool,
        runs: RUNS,
        median_ms: sorted[RUNS >> 1] as number,
        p10_ms: sorted[0] as number,
        p90_ms: sorted[RUNS - 1] as number,
        samples,
      });
    }
  }
  report('seccomp', [...cases, ...latency]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
