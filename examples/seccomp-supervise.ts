/**
 * Supervises a child's mkdir calls from TypeScript: the filter sends mkdir and
 * mkdirat to a user-notification listener, the supervisor reads each path
 * from the child's memory, lets `allowed` through and denies `forbidden` with
 * EACCES. Run as root: pnpm exec tsx examples/seccomp-supervise.ts
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { Act, SeccompSupervisor, compile, policy, readTargetString, toSpawnSeccomp } from '@kc/seccomp';

const dir = mkdtempSync(join(tmpdir(), 'kc-example-'));
const allowed = join(dir, 'allowed');
const forbidden = join(dir, 'forbidden');
const child = spawn({
  argv: ['/bin/sh', '-c', `/bin/busybox mkdir ${allowed}; /bin/busybox mkdir ${forbidden}; echo child done`],
  noNewPrivileges: true,
  seccomp: toSpawnSeccomp(compile(policy(Act.allow).notify('mkdir', 'mkdirat').build()), { listener: true }),
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
child.stderr?.on('data', (c: Buffer) => (out += c.toString()));

using supervisor = new SeccompSupervisor(child.seccompListenerFd as number);
for await (const n of supervisor) {
  const path = readTargetString(n, n.syscall === 'mkdirat' ? (n.args[1] as bigint) : (n.args[0] as bigint));
  if (path === allowed) {
    // Safe here: the decision only lets the kernel do what the child asked; it is not a security check.
    n.continue();
    console.log(`pid ${n.pid} ${n.syscall}(${path}) -> continue`);
  } else {
    n.deny(constants.errno.EACCES);
    console.log(`pid ${n.pid} ${n.syscall}(${path}) -> EACCES`);
  }
}
const status = await child.exited;
console.log(`child exit code: ${status.exitCode}`);
console.log(`child output: ${out.trim().replaceAll('\n', ' | ')}`);
console.log(`allowed exists: ${existsSync(allowed)}, forbidden exists: ${existsSync(forbidden)}`);
rmSync(dir, { recursive: true, force: true });
