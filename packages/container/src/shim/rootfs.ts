import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MNT, mountNow, parseMountOptions, unmountNow } from '@kc/namespaces';

/** One mount from containerd's snapshotter (containerd.types.Mount). */
export interface RootfsMount {
  readonly type: string;
  readonly source: string;
  readonly options: readonly string[];
}

/**
 * Mounts the task's root filesystem at `<bundle>/rootfs` from the mounts
 * containerd's snapshotter returned (an overlay, or a bind of a native
 * snapshot); on a failure the mounts already made are undone.
 */
export function mountRootfs(bundle: string, mounts: readonly RootfsMount[]): void {
  if (mounts.length === 0) return;
  const target = join(bundle, 'rootfs');
  mkdirSync(target, { recursive: true });
  let done = 0;
  try {
    for (const m of mounts) {
      const { flags, data } = parseMountOptions(m.options);
      mountNow({ source: m.source, target, fstype: m.type === 'bind' ? undefined : m.type, flags, data: data || undefined });
      done++;
    }
  } catch (e) {
    for (; done > 0; done--) unmountRootfs(bundle);
    throw e;
  }
}

/** Unmounts everything at `<bundle>/rootfs` (lazily: a process that still holds it cannot keep containerd from removing the bundle). */
export function unmountRootfs(bundle: string): void {
  const target = join(bundle, 'rootfs');
  for (let i = 0; i < 16; i++) {
    try {
      unmountNow(target, MNT.DETACH);
    } catch {
      return; // EINVAL: not a mount point any more; ENOENT: no rootfs dir
    }
  }
}
