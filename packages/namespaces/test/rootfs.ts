import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Builds a tiny busybox rootfs in a fresh tmpdir and returns its path. */
export function busyboxRootfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'kc-rootfs-'));
  for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp', 'mnt']) mkdirSync(join(root, d));
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  for (const tool of ['sh', 'cat', 'grep', 'ls', 'hostname', 'sleep', 'mount']) symlinkSync('busybox', join(root, 'bin', tool));
  return root;
}
