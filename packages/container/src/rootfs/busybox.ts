import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ContainerError } from '../errors.js';

/** Options of {@link buildBusyboxRootfs}. */
export interface BusyboxRootfsOptions {
  /** The static busybox binary to copy. Default `/bin/busybox` (Debian's busybox-static). */
  busybox?: string;
}

/**
 * Builds a minimal root filesystem in `dir` from a static busybox: the binary
 * at /bin/busybox, one symlink per applet (`busybox --list-full`), the usual
 * directories, and /etc/passwd, /etc/group, /etc/hostname.
 *
 * @throws {ContainerError} NOT_FOUND when busybox is missing (install `busybox-static`).
 * @example
 * ```ts
 * buildBusyboxRootfs('/tmp/bundle/rootfs');
 * ```
 */
export function buildBusyboxRootfs(dir: string, options: BusyboxRootfsOptions = {}): void {
  const busybox = options.busybox ?? '/bin/busybox';
  if (!existsSync(busybox)) {
    throw new ContainerError(`busybox not found at ${busybox}`, { code: 'NOT_FOUND', path: busybox, hint: 'apt-get install busybox-static' });
  }
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'var/tmp', 'run', 'home']) {
    mkdirSync(join(dir, d), { recursive: true });
  }
  chmodSync(join(dir, 'tmp'), 0o1777);
  copyFileSync(busybox, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    const link = join(dir, applet);
    if (existsSync(link) || applet === 'bin/busybox') continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync('/bin/busybox', link);
  }
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n');
  writeFileSync(join(dir, 'etc/hostname'), 'kc\n');
}
