import { KcErrorCode, rawMount } from '@kc/native';
import { NamespaceError } from '../errors.js';
import { closeQuietly, nsCall } from '../internal/native-call.js';
import type { Namespace } from '../namespace.js';
import { MOUNT_API, MOUNT_ATTR } from './flags.js';

/**
 * mount(2) in the caller's own mount namespace (mount namespaces are per
 * process, so this is safe from Node's threads). For container setup use
 * mount steps in a spawned child instead; this is for host-side work such as
 * persisting a namespace.
 *
 * Privileges: CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace.
 * @throws {@link NamespaceError} with the errno of mount(2).
 * @example
 * ```ts
 * mountNow({ source: 'tmpfs', target: '/mnt/scratch', fstype: 'tmpfs', flags: MS.NOSUID });
 * ```
 */
export function mountNow(m: { source?: string; target: string; fstype?: string; flags?: number; data?: string }): void {
  nsCall(() => rawMount().mount(m.source ?? null, m.target, m.fstype ?? null, (m.flags ?? 0) >>> 0, m.data ?? null), { path: m.target });
}

/**
 * umount2(2) in the caller's mount namespace.
 *
 * @param flags - {@link MNT} bits, e.g. `MNT.DETACH`.
 * @throws {@link NamespaceError} with the errno of umount2(2) (`EINVAL` when `target` is not a mount point).
 */
export function unmountNow(target: string, flags = 0): void {
  nsCall(() => rawMount().umount2(target, flags), { path: target });
}

/**
 * An idmapped bind mount made from the caller with the new mount API
 * (open_tree(OPEN_TREE_CLONE) → mount_setattr(MOUNT_ATTR_IDMAP) →
 * move_mount): files under `source` appear at `target` with their owners
 * shifted through the id maps of `userns` (Linux 5.12+; the filesystem must
 * support idmapped mounts, e.g. ext4, btrfs, xfs, tmpfs since 6.3).
 *
 * Privileges: CAP_SYS_ADMIN over the caller's mount namespace.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` when `userns` is not a user namespace; `EINVAL`/`EPERM` from the kernel when the filesystem cannot be idmapped.
 * @example
 * ```ts
 * using userns = Namespace.fromPid(child.pid, 'user');
 * idmappedBindMount('/srv/data', '/mnt/data-as-container', userns, { readonly: true });
 * ```
 */
export function idmappedBindMount(source: string, target: string, userns: Namespace, options: { recursive?: boolean; readonly?: boolean } = {}): void {
  const tree = idmappedTree(source, userns, options);
  try {
    nsCall(() => rawMount().moveMount(tree, '', MOUNT_API.AT_FDCWD, target, MOUNT_API.MOVE_MOUNT_F_EMPTY_PATH), { path: target });
  } finally {
    // A detached tree that was never attached is unmounted when its last fd closes.
    closeQuietly(tree);
  }
}

/**
 * A detached, idmapped copy of the mount at `source` (open_tree(2)
 * `OPEN_TREE_CLONE`, then mount_setattr(2) `MOUNT_ATTR_IDMAP` with `userns`),
 * as an fd: attach it with move_mount(2), in this process or in a spawned
 * child through a mount step `{ kind: 'attach', treeFd }` (`MountPlan.attach`).
 * A child in a new user namespace cannot idmap a host filesystem itself (that
 * needs CAP_SYS_ADMIN in the filesystem's user namespace), so the caller makes
 * the tree and the child only attaches it, as runc 1.2 does. Closing the fd of
 * a tree never attached unmounts it. Linux 5.12+, on filesystems that support
 * idmapped mounts (ext4, btrfs, xfs; tmpfs since 6.3).
 *
 * Privileges: root (CAP_SYS_ADMIN over the filesystem and the caller's mount namespace).
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` when `userns` is not a user namespace; `EINVAL` from the kernel when the filesystem cannot be idmapped, `EPERM` without the privileges above.
 * @example
 * ```ts
 * const tree = idmappedTree('/srv/data', userns, { recursive: true });
 * spawn({ ...spec, mounts: new MountPlan().rootfs(root).attach(tree, '/data').pivot().steps() });
 * closeSync(tree);
 * ```
 */
export function idmappedTree(
  source: string,
  userns: Namespace,
  options: {
    /** Clone the mounts below `source` too (AT_RECURSIVE on open_tree(2)), idmapped as well unless `idmapSubmounts` is false. */
    recursive?: boolean;
    /** With `recursive`: idmap the submounts too (AT_RECURSIVE on mount_setattr(2)); default true. false idmaps the top mount only, as OCI's `rbind` without `ridmap`. */
    idmapSubmounts?: boolean;
    /** Make the tree read-only too (MOUNT_ATTR_RDONLY, same scope as the idmap). */
    readonly?: boolean;
  } = {},
): number {
  if (userns.kind !== 'user') {
    throw new NamespaceError(`idmap needs a user namespace, got ${userns.id}`, { code: KcErrorCode.InvalidArgument, field: 'userns' });
  }
  const tree = nsCall(
    () =>
      rawMount().openTree(
        MOUNT_API.AT_FDCWD,
        source,
        MOUNT_API.OPEN_TREE_CLONE | MOUNT_API.OPEN_TREE_CLOEXEC | (options.recursive ? MOUNT_API.AT_RECURSIVE : 0),
      ),
    { path: source },
  );
  try {
    nsCall(
      () =>
        rawMount().mountSetattr(
          tree,
          '',
          MOUNT_API.AT_EMPTY_PATH | (options.recursive && options.idmapSubmounts !== false ? MOUNT_API.AT_RECURSIVE : 0),
          MOUNT_ATTR.IDMAP | (options.readonly ? MOUNT_ATTR.RDONLY : 0),
          0,
          0,
          userns.fd,
        ),
      { path: source },
    );
    return tree;
  } catch (e) {
    closeQuietly(tree);
    throw e;
  }
}
