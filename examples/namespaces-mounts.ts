/**
 * Builds a tiny busybox rootfs in a tmpdir and runs a shell in it with a
 * MountPlan: proc, a tmpfs /tmp reached through a symlink that points to `/`
 * (it stays inside the rootfs), pivot_root, and masked/read-only paths.
 * Run as root: pnpm exec tsx examples/namespaces-mounts.ts
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, MountPlan } from '@kc/namespaces';

const root = mkdtempSync(join(tmpdir(), 'kc-example-rootfs-'));
for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(root, d));
copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
symlinkSync('busybox', join(root, 'bin/sh'));
symlinkSync('/', join(root, 'escape')); // a hostile image's trick
const mounts = new MountPlan()
  .rootfs(root)
  .proc()
  .tmpfs('/escape/tmp', { create: false, data: 'size=1m' })
  // Masking binds /dev/null over files, so the new root needs one.
  .tmpfs('/dev', { create: false, data: 'mode=755' })
  .bind('/dev/null', '/dev/null', { file: true })
  .pivot()
  // Only paths this kernel has (the host's /proc shows the same kernel).
  .mask(DEFAULT_MASKED_PATHS.filter((p) => existsSync(p)))
  .readonly(DEFAULT_READONLY_PATHS)
  .steps();
console.log(`${mounts.length} mount steps`);
const child = spawn({
  argv: [
    '/bin/sh',
    '-c',
    '/bin/busybox awk \'$5=="/tmp"||$5=="/proc"||$5=="/proc/keys"{print "mounted:", $5, $9}\' /proc/self/mountinfo; echo "root holds:" $(/bin/busybox ls /); echo "pid inside: $$"',
  ],
  namespaces: ['mnt', 'pid', 'ipc', 'uts'],
  mounts,
});
let out = '';
child.stdout?.on('data', (d) => (out += d));
child.stderr?.pipe(process.stderr);
console.log(`exit code: ${(await child.exited).exitCode}`);
console.log(out.trim());
rmSync(root, { recursive: true, force: true });
