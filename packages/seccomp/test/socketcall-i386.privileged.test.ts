import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SeccompSpec, spawn } from '@kc/native';
import { afterAll, describe, expect, it } from 'vitest';
import { libseccompCompile } from '../src/internal/libseccomp-peer.js';
import { Act, compile, importOciSeccomp, type Policy, policy, toSpawnSeccomp } from '../src/index.js';

// An i386 program that makes socket and System V IPC calls directly and through socketcall(2)/ipc(2),
// freestanding so the host gcc builds it alone (see the source): a missing compiler fails the file.
const dir = mkdtempSync(join(tmpdir(), `kc-test-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const source = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'i386-multiplexed.c');
const binary = join(dir, 'i386-multiplexed');
execFileSync('gcc', ['-m32', '-static', '-nostdlib', '-ffreestanding', '-fno-stack-protector', '-fno-pie', '-no-pie', '-O2', '-o', binary, source], {
  stdio: ['ignore', 'ignore', 'pipe'],
});

/** IA32 emulation (CONFIG_IA32_EMULATION, not disabled by `ia32_emulation=false`): can this kernel run the i386 binary at all? With an argument it only exits 0. */
const ia32Emulation = (() => {
  const r = spawnSync(binary, ['probe'], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOEXEC') return false;
  if (r.status !== 0) throw new Error(`the i386 probe failed unexpectedly: ${r.error ?? r.stderr}`);
  return true;
})();

/** Runs the program under `filter` in a new IPC namespace (its semaphore sets are its own) and returns name → `ok` or errno. */
async function run(filter: SeccompSpec): Promise<Record<string, string>> {
  const child = spawn({ argv: [binary], namespaces: ['ipc'], noNewPrivileges: true, seccomp: filter, stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  const status = await child.exited;
  expect(status.exitCode).toBe(0);
  return Object.fromEntries(
    Buffer.concat(chunks)
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

const EPERM = '1';
const denySocketAndSemget: Policy = policy(Act.allow, ['x86_64', 'i386']).errno(1, 'socket', 'semget').build();

describe.runIf(ia32Emulation)('i386 processes (IA32 emulation): socketcall and ipc cannot get around a rule', () => {
  it('without a rule for them, every call succeeds (the control)', async () => {
    const out = await run(toSpawnSeccomp(compile(policy(Act.allow, ['x86_64', 'i386']).errno(1, 'mkdir').build())));
    expect(out).toEqual({
      socketcall_socket: 'ok',
      socket: 'ok',
      socketcall_socketpair: 'ok',
      ipc_semget: 'ok',
      ipc_semget_version1: 'ok',
      semget: 'ok',
    });
  });

  it('denying socket and semget gives EPERM for socket(), socketcall(SYS_SOCKET), semget() and ipc(SEMGET) in every version', async () => {
    const out = await run(toSpawnSeccomp(compile(denySocketAndSemget)));
    expect(out).toEqual({
      socketcall_socket: EPERM,
      socket: EPERM,
      socketcall_socketpair: 'ok',
      ipc_semget: EPERM,
      ipc_semget_version1: EPERM,
      semget: EPERM,
    });
  });

  it('libseccomp 2.5.4 (the same policy through python3-seccomp) agrees, except that ipc(IPCCALL(1, SEMGET)) gets past it', async () => {
    const out = await run({ filter: libseccompCompile(denySocketAndSemget), flags: 0 });
    expect(out).toEqual({
      socketcall_socket: EPERM,
      socket: EPERM,
      socketcall_socketpair: 'ok',
      ipc_semget: EPERM,
      ipc_semget_version1: 'ok',
      semget: EPERM,
    });
  });

  it('an OCI profile listing SCMP_ARCH_X86 that denies socket denies socketcall(SYS_SOCKET) too', async () => {
    const { policy: p } = importOciSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    });
    const out = await run(toSpawnSeccomp(compile(p)));
    expect(out.socketcall_socket).toBe(EPERM);
    expect(out.socket).toBe(EPERM);
    expect(out.socketcall_socketpair).toBe('ok');
  });
});
