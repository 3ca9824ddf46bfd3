import { closeSync } from 'node:fs';
import { type IdMapEntry, KcErrorCode, type KcProcess, rawSocket, spawn, translateNative } from '@kc/native';
import { idmappedTree, Namespace, NamespaceError } from '@kc/namespaces';
import { ContainerError } from '../errors.js';
import type { OciConfig, OciIdMapping, OciMount } from '../oci/types.js';
import { mountIdmap } from '../translate/mount-idmap.js';
import { MS, parseOciMountOptions } from '../translate/mount-options.js';
import { openKcInit } from './kc-init.js';

/** The detached idmapped trees of a config's idmapped mounts, by mount index; `close()` releases them (after spawn). */
export interface IdmappedTrees {
  /** mount index → tree fd (a detached open_tree(2) clone with MOUNT_ATTR_IDMAP). */
  readonly trees: ReadonlyMap<number, number>;
  /** Closes every tree fd (a tree never attached is unmounted then). Idempotent. */
  close(): void;
}

const toEntries = (maps: readonly OciIdMapping[]): IdMapEntry[] => maps.map((m) => ({ containerId: m.containerID, hostId: m.hostID, size: m.size }));

/**
 * A user namespace carrying one mount's mapping, held by kc-init blocked on
 * its hand-off socket (it never gets the byte, so never runs anything): the
 * kernel takes an idmapping only from a user namespace fd. Like runc 1.2's
 * helper processes; the namespace lives on through the fd once the holder is
 * killed.
 */
async function mappingNamespace(uidMap: IdMapEntry[], gidMap: IdMapEntry[]): Promise<Namespace> {
  const [kcEnd, initEnd] = translateNative(ContainerError, () => rawSocket().seqpacketPair());
  let holder: KcProcess | undefined;
  try {
    holder = spawn({
      path: '/proc/self/fd/3',
      argv: ['kc-init', '3', '-1', '4', 'exec', '-', '--', 'kc-idmap-userns'],
      extraFds: [openKcInit(), initEnd],
      namespaces: ['user'],
      uidMap,
      gidMap,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    return Namespace.fromPid(holder.pid, 'user');
  } finally {
    closeSync(initEnd);
    closeSync(kcEnd); // kc-init exits on EOF, if the kill below has not come first
    if (holder) {
      holder.kill('SIGKILL');
      await holder.exited;
    }
  }
}

/**
 * Makes the detached, idmapped tree of every mount with `uidMappings`/
 * `gidMappings` (validated by `validateConfig`), before the container's
 * process exists: open_tree(2) `OPEN_TREE_CLONE` of the source (with its
 * submounts for `rbind`), mount_setattr(2) `MOUNT_ATTR_IDMAP` with a user
 * namespace carrying the mapping (the submounts too with `ridmap`). The child
 * attaches them with move_mount(2); it cannot idmap a host filesystem itself
 * from a new user namespace. One helper namespace per distinct mapping.
 *
 * Privileges: root (runc refuses idmapped mounts for rootless containers too).
 * @throws {@link ContainerError} `INVALID_ARGUMENT` (rootless), `EINVAL` when
 * the source's filesystem cannot be idmapped on this kernel, naming the mount;
 * trees made so far are closed.
 */
export async function prepareIdmappedMounts(config: OciConfig): Promise<IdmappedTrees> {
  const trees = new Map<number, number>();
  const close = () => {
    for (const fd of trees.values()) closeSync(fd);
    trees.clear();
  };
  const namespaces = new Map<string, Namespace>();
  try {
    for (const [i, m] of (config.mounts ?? []).entries()) {
      const idmap = mountIdmap(m, config.linux);
      if (!idmap) continue;
      const field = `mounts[${i}].uidMappings`;
      if (process.geteuid?.() !== 0) {
        throw new ContainerError(`${field}: id-mapped mounts need root`, {
          code: KcErrorCode.InvalidArgument,
          field,
          hint: 'runc refuses them for rootless containers too',
        });
      }
      const key = JSON.stringify([idmap.uidMappings, idmap.gidMappings]);
      let userns = namespaces.get(key);
      if (!userns) {
        userns = await mappingNamespace(toEntries(idmap.uidMappings), toEntries(idmap.gidMappings));
        namespaces.set(key, userns);
      }
      trees.set(i, treeOf(m, userns, i, idmap.recursive));
    }
    return { trees, close };
  } catch (e) {
    close();
    throw e;
  } finally {
    for (const ns of namespaces.values()) ns.close();
  }
}

function treeOf(m: OciMount, userns: Namespace, i: number, idmapSubmounts: boolean): number {
  const recursive = (parseOciMountOptions(m.options).flags & MS.REC) !== 0;
  try {
    return idmappedTree(m.source ?? '', userns, { recursive, idmapSubmounts });
  } catch (e) {
    if (!(e instanceof NamespaceError)) throw e;
    const unsupported = e.code === 'EINVAL';
    throw new ContainerError(`mounts[${i}]: cannot idmap ${m.source}: ${e.code}`, {
      code: e.code,
      errno: e.errno,
      path: m.source,
      field: `mounts[${i}].uidMappings`,
      hint: unsupported ? "the source's filesystem does not support idmapped mounts on this kernel (ext4, xfs, btrfs; tmpfs since 6.3)" : e.hint,
      cause: e,
    });
  }
}
