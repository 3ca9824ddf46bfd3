/**
 * Runs `busybox mkdir` under a kc seccomp filter that makes mkdir fail with
 * EPERM, prints the filter's disassembly head and what the child saw.
 * Run as root: pnpm exec tsx examples/seccomp-deny-mkdir.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { Act, compile, disassemble, policy, toSpawnSeccomp } from '@kc/seccomp';

const dir = mkdtempSync(join(tmpdir(), 'kc-example-'));
const filter = compile(policy(Act.allow).errno(1, 'mkdir', 'mkdirat').build());
console.log(`filter: ${filter.instructions.length} instructions`);
console.log(disassemble(filter.instructions).split('\n').slice(0, 4).join('\n'));
const child = spawn({
  argv: ['/bin/busybox', 'mkdir', join(dir, 'x')],
  noNewPrivileges: true,
  seccomp: toSpawnSeccomp(filter),
  stdio: ['ignore', 'pipe', 'pipe'],
});
let err = '';
child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
const status = await child.exited;
console.log(`child exit code: ${status.exitCode}`);
console.log(`child stderr: ${err.trim()}`);
rmSync(dir, { recursive: true, force: true });
