// kc against libseccomp, decided by the kernel: both programs are installed
// with seccomp(2) in a child (fixtures/seccomp-oracle.c) and the kernel says
// what each does with a call (kill, trap, errno or "runs it"). The emulated
// differential (src/bpf/libseccomp-differential.test.ts) finds disagreements
// cheaply; here every one of them is put to the kernel: kc's program must do
// what the policy means, the emulator must match the kernel for both programs,
// and libseccomp's wrong answer must be a pinned bug (test/libseccomp-known-bugs.ts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report } from '../../../test-support/report.js';
import { useFuzzSeed } from '../../../test-support/seed.js';
import { tool } from '../../../test-support/tools.js';
import { type ArchName, archInfo } from '../src/arch.js';
import { compile } from '../src/bpf/compiler.js';
import { emulate } from '../src/bpf/emulator.js';
import { decodeProgram, encodeProgram, type SockFilter } from '../src/bpf/instructions.js';
import { libseccompCompile } from '../src/internal/libseccomp-peer.js';
import { resolveDockerProfile } from '../src/oci/docker.js';
import { importOciSeccomp } from '../src/oci/import.js';
import { policyMeaning } from '../src/policy/meaning.js';
import { actionValue, type Policy } from '../src/policy/model.js';
import { resolvePolicy } from '../src/policy/validate.js';
import { syscallName } from '../src/syscalls.js';
import { explainDisagreement, KNOWN_LIBSECCOMP_BUGS } from './libseccomp-known-bugs.js';
import { randomPolicy } from './libseccomp-random-policy.js';

const here = dirname(fileURLToPath(import.meta.url));
const DOCKER = join(here, '../../../../shared/data/seccomp/docker-default.json');
const dir = mkdtempSync(join(tmpdir(), `kc-test-${process.pid}-oracle-`));
const oracle = join(dir, 'seccomp-oracle');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Peers the setup installs: missing, they fail the test command.
const peers = { gcc: tool('gcc'), libseccomp: tool('python3-seccomp') };
const seed = useFuzzSeed('libseccomp kernel differential');

/** A call as the oracle issues it: the 64-bit `syscall` instruction (x86_64, x32) or `int $0x80` (i386). */
interface Call {
  arch: ArchName;
  nr: number;
  args: readonly bigint[];
}

/** What the kernel does with a call, as the oracle reports it. */
type Verdict = string;

/** The verdict an action means: log, trace, user-notif and allow all let the call run. */
function verdictOf(value: number): Verdict {
  const action = (value & 0xffff0000) >>> 0;
  const data = value & 0xffff;
  if (action === 0x80000000 || action === 0) return 'kill';
  if (action === 0x00030000) return `trap ${data}`;
  if (action === 0x00050000) return `errno ${Math.min(data, 4095)}`;
  return 'pass';
}

/** Asks the kernel, through the oracle, what `program` does with each call. */
async function kernel(program: readonly SockFilter[], calls: readonly Call[]): Promise<Verdict[]> {
  if (calls.length === 0) return [];
  const file = join(dir, `p-${Math.random().toString(36).slice(2)}.bpf`);
  writeFileSync(file, encodeProgram(program));
  const lines = calls.map((c) => `${c.arch === 'i386' ? 32 : 64} ${c.nr >>> 0} ${c.args.map((a) => a.toString()).join(' ')}\n`).join('');
  const child = spawn(oracle, [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(lines);
  const code = await done;
  rmSync(file);
  expect(code, 'seccomp-oracle exit code').toBe(0);
  const verdicts = out.trim().split('\n');
  expect(verdicts).toHaveLength(calls.length);
  return verdicts;
}

/** The arches this kernel can be asked about: the native one, x32 numbers, and i386 when IA32 emulation is on. */
let runnable: ArchName[] = ['x86_64', 'x32'];

beforeAll(async () => {
  execFileSync('gcc', ['-O1', '-Wall', '-o', oracle, join(here, 'fixtures/seccomp-oracle.c')], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Feature probe, IA32 emulation (CONFIG_IA32_EMULATION, not ia32_emulation=false): does int $0x80 reach seccomp as AUDIT_ARCH_I386?
  const i386 = archInfo('i386');
  const probe: SockFilter[] = [
    { code: 0x20, jt: 0, jf: 0, k: 4 }, // ld [arch]
    { code: 0x15, jt: 0, jf: 1, k: i386.auditArch }, // jeq AUDIT_ARCH_I386
    { code: 0x06, jt: 0, jf: 0, k: 0x00050009 }, // ret ERRNO(9)
    { code: 0x06, jt: 0, jf: 0, k: 0x00050008 }, // ret ERRNO(8)
  ];
  const [v] = await kernel(probe, [{ arch: 'i386', nr: i386.syscalls.getpid as number, args: [0n, 0n, 0n, 0n, 0n, 0n] }]);
  if (v === 'errno 9') runnable = [...runnable, 'i386'];
  else expect(v, 'int $0x80 without IA32 emulation faults').toMatch(/^odd/);
  report(`libseccomp kernel differential: arches asked of the kernel: ${runnable.join(', ')}`);
}, 60_000);

/** seccomp(2) itself on x86_64 is let through by the oracle's sentinel (it installs the program with it): never asked. */
const SECCOMP_X86_64 = archInfo('x86_64').syscalls.seccomp as number;

/** Every syscall of `arch` with zero args and with each rule's values (and neighbours) as args, as the emulated differential does. */
function callsOf(p: Policy, arch: ArchName): Call[] {
  const argSets: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
  for (const r of p.rules)
    for (const a of r.args ?? []) {
      for (const v of [a.value, a.value + 1n, a.value === 0n ? 0n : a.value - 1n]) {
        const args = [0n, 0n, 0n, 0n, 0n, 0n];
        args[a.index] = v & 0xffffffffn;
        argSets.push(args);
      }
    }
  const info = archInfo(arch);
  const mux = new Set(Object.values(info.multiplexers ?? {}));
  const out: Call[] = [];
  for (const nr of Object.values(info.syscalls)) {
    if (arch === 'x86_64' && nr === SECCOMP_X86_64) continue;
    const sets = mux.has(nr) ? argSets.flatMap((a) => [0n, 1n, 2n, 3n, 5n, 18n].map((a0) => [a0, ...a.slice(1)])) : argSets;
    for (const args of sets) out.push({ arch, nr, args });
  }
  return out;
}

const emulated = (prog: readonly SockFilter[], c: Call) => emulate(prog, { arch: archInfo(c.arch).auditArch, nr: c.nr, args: c.args }).value;

describe.runIf(peers.gcc && peers.libseccomp)('kc vs libseccomp 2.5.4, decided by the kernel (seccomp(2) in a child)', () => {
  it.each(KNOWN_LIBSECCOMP_BUGS.map((b) => [b.id, b] as const))(
    'pinned libseccomp bug %s still shows in the kernel with its minimal policy (and kc does what the policy means)',
    async (_id, bug) => {
      const { policy, syscall, args, meaning, libseccomp } = bug.minimal;
      const arch = policy.arches[0] as ArchName;
      const call: Call = { arch, nr: archInfo(arch).syscalls[syscall] as number, args };
      const kc = compile(policy).instructions;
      for (const opt of [1, 2] as const) {
        const lib = decodeProgram(libseccompCompile(policy, opt));
        const [k, l] = [(await kernel(kc, [call]))[0], (await kernel(lib, [call]))[0]];
        expect(k).toBe(verdictOf(actionValue(meaning)));
        expect(l).toBe(verdictOf(actionValue(libseccomp)));
        expect(l).not.toBe(k);
      }
    },
    60_000,
  );

  it("Docker's default profile for x86_64: the kernel gives the same verdict for both programs on every syscall of every arch it can run", async () => {
    const oci = resolveDockerProfile(JSON.parse(readFileSync(DOCKER, 'utf8')), { arch: 'x86_64' });
    const { policy } = importOciSeccomp(oci);
    const kc = compile(policy).instructions;
    const lib = decodeProgram(libseccompCompile(policy, 2));
    const calls = policy.arches
      .filter((a) => runnable.includes(a))
      .flatMap((a) => callsOf({ ...policy, rules: [] }, a))
      .map((c) => ({ ...c, args: [0n, 0n, 0n, 0n, 0n, 0n] }));
    const [k, l] = [await kernel(kc, calls), await kernel(lib, calls)];
    const differ = calls.flatMap((c, i) => (k[i] === l[i] ? [] : [`${c.arch} ${c.nr}: kc ${k[i]} libseccomp ${l[i]}`]));
    expect(differ).toEqual([]);
    // The emulator agrees with the kernel on every one of them, but for the calls the kernel runs without asking
    // seccomp at all (uretprobe since 6.11, uprobe since 6.18: "seccomp: passthrough uretprobe systemcall without
    // filtering"), where only the program, not the kernel, can be emulated.
    const unfiltered = new Set(['uretprobe', 'uprobe']);
    const filtered = (c: (typeof calls)[number]) => !unfiltered.has(syscallName(c.arch, c.nr) ?? '');
    expect(calls.filter((c, i) => filtered(c) && verdictOf(emulated(kc, c)) !== k[i])).toEqual([]);
    expect(calls.length).toBeGreaterThan(300);
    report(`libseccomp kernel differential: Docker's default profile, ${calls.length} calls, 0 disagreements`);
  }, 120_000);

  it('random policies: every emulated disagreement, put to the kernel, is kc right and a pinned libseccomp bug (counts printed)', async () => {
    // No log action: the kernel runs a logged call like an allowed one, so it could not tell them apart.
    const policies = fc.sample(randomPolicy({ arches: runnable, actions: ['allow', 'kill', 'errno', 'trap'] }), { numRuns: 15, seed });
    const known = new Map<string, number>();
    const unexplained: string[] = [];
    let asked = 0;
    let disagreements = 0;
    for (const p of policies) {
      const kc = compile(p).instructions;
      const lib = decodeProgram(libseccompCompile(p, 2));
      const resolved = resolvePolicy(p);
      const all = p.arches.flatMap((a) => callsOf(p, a));
      const differ = all.filter((c) => emulated(kc, c) !== emulated(lib, c));
      // The disagreements, and the calls of the rules' own syscalls (where the two programs branch on arguments).
      const ruled = new Set(p.rules.map((r) => r.syscall));
      const sample = all.filter((c) => Object.entries(archInfo(c.arch).syscalls).some(([n, nr]) => nr === c.nr && ruled.has(n))).slice(0, 400);
      const calls = [...differ, ...sample];
      const [k, l] = [await kernel(kc, calls), await kernel(lib, calls)];
      asked += calls.length;
      const shown = JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      calls.forEach((c, i) => {
        const data = { arch: archInfo(c.arch).auditArch, nr: c.nr, args: c.args };
        const where = `${c.arch} ${c.nr} (${c.args}) under ${shown}`;
        // The emulator matches the kernel for both programs, and kc's program does what the policy means.
        expect(k[i], `kc program, ${where}`).toBe(verdictOf(emulated(kc, c)));
        expect(l[i], `libseccomp program, ${where}`).toBe(verdictOf(emulated(lib, c)));
        expect(k[i], `policy meaning, ${where}`).toBe(verdictOf(actionValue(policyMeaning(resolved, data))));
        if (k[i] === l[i]) return;
        disagreements++;
        const rules = resolved.arches.find((a) => a.info.name === c.arch)?.rules.get(c.nr) ?? [];
        const bug = explainDisagreement(rules);
        if (bug) known.set(bug.id, (known.get(bug.id) ?? 0) + 1);
        else
          unexplained.push(
            `${JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? String(v) : v))} ${c.arch} ${c.nr} ${c.args}: kc ${k[i]} libseccomp ${l[i]}`,
          );
      });
    }
    const explained = [...known].map(([id, n]) => `${id} ${n}`).join(', ') || 'none';
    report(
      `libseccomp kernel differential (seed ${seed}): ${asked} calls asked, ${disagreements} disagreements; explained by pinned libseccomp bugs: ${explained}; unexplained: ${unexplained.length}`,
    );
    expect(unexplained).toEqual([]);
    expect(asked).toBeGreaterThan(0);
  }, 300_000);
});
