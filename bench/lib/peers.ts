import { execFileSync, spawn as nodeSpawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a command with child_process and resolves when it exits (rejects on a non-zero exit). */
export function runCommand(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = nodeSpawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('error', reject);
    p.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code ?? signal}: ${err.trim()}`))));
  });
}

/** True when `cmd` is on PATH. */
export function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A minimal busybox rootfs in a fresh temp dir (needs busybox-static at /bin/busybox). */
export function busyboxRootfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kc-bench-rootfs-'));
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: no other user could enter the container's /
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(dir, d));
  copyFileSync('/bin/busybox', join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  for (const applet of ['sh', 'true', 'cat', 'ls', 'echo', 'hostname', 'id', 'sleep']) symlinkSync('busybox', join(dir, 'bin', applet));
  return dir;
}

/** An OCI bundle for runc running `args` in a busybox rootfs, from `runc spec`, non-interactive. */
export function runcBundle(args: string[]): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kc-bench-bundle-'));
  const rootfs = busyboxRootfs();
  execFileSync('runc', ['spec', '--bundle', dir]);
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  config.root = { path: rootfs, readonly: true };
  config.process.args = args;
  config.process.terminal = false;
  config.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(rootfs, { recursive: true, force: true });
    },
  };
}

export { existsSync };
