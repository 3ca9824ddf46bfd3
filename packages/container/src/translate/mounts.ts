import { KcErrorCode, type MountAttrSupport, type MountStep } from '@kc/native';
import { MOUNT_ATTR } from '@kc/namespaces';
import { ContainerError } from '../errors.js';
import type { OciConfig, OciDevice, OciMount } from '../oci/types.js';
import type { CgroupMountLayout } from './cgroup-layout.js';
import { mountIdmap } from './mount-idmap.js';
import { MS, parseOciMountOptions, rootfsPropagationFlags } from './mount-options.js';

/** What the mount translation needs to know about the host (a seam, so translation stays pure). */
export interface MountContext {
  /** Absolute path of the container's root directory. */
  rootfs: string;
  /** Whether a bind-mount source is a directory (else a file is created as target). */
  isDirectory: (hostPath: string) => boolean;
  /** The host's cgroup layout, for a `cgroup` mount. */
  cgroupLayout: CgroupMountLayout;
  /** Host cgroup directories of the container per hierarchy dir name, bound when there is no cgroup namespace. */
  cgroupDirs?: Record<string, string>;
  /**
   * What the running kernel's mount_setattr(2) can do (`mountAttrSupport()`
   * of `@kc/native`), so a recursive option (`rro`...) it cannot apply is
   * refused here, naming the option. Absent: assumed present (the spawn
   * pipeline still refuses the step before the child is created).
   */
  mountAttrSupport?: MountAttrSupport;
  /**
   * The detached, idmapped trees of the mounts with `uidMappings`/`gidMappings`,
   * by index in `mounts` (see `prepareIdmappedMounts`): the caller makes them,
   * since a child in a new user namespace cannot idmap a host filesystem.
   */
  idmappedTrees?: ReadonlyMap<number, number>;
  /**
   * Whether the host kernel has /proc/kcore (`CONFIG_PROC_KCORE`): then a
   * /dev tmpfs also gets the `/dev/core` → `/proc/kcore` link, as runc makes
   * it. Absent: no link.
   */
  procKcore?: boolean;
  /**
   * kc itself runs in a user namespace other than the initial one (root of
   * rootless podman's): mknod(2) is refused there as well, so device nodes
   * are bind-mounted, as runc does when RunningInUserNS. Default false.
   */
  runningInUserNamespace?: boolean;
}

/** The default device nodes of every container (runtime-spec config-linux.md "Default Devices"). */
export const DEFAULT_DEVICES: readonly OciDevice[] = [
  { type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: 0o666 },
  { type: 'c', path: '/dev/zero', major: 1, minor: 5, fileMode: 0o666 },
  { type: 'c', path: '/dev/full', major: 1, minor: 7, fileMode: 0o666 },
  { type: 'c', path: '/dev/random', major: 1, minor: 8, fileMode: 0o666 },
  { type: 'c', path: '/dev/urandom', major: 1, minor: 9, fileMode: 0o666 },
  { type: 'c', path: '/dev/tty', major: 5, minor: 0, fileMode: 0o666 },
];

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/**
 * Translates `root`, `mounts`, devices, `maskedPaths`, `readonlyPaths` and
 * `linux.rootfsPropagation` into the spawn pipeline's mount steps, in the
 * order runc applies them: root bind, each mount inside the root (resolved
 * with RESOLVE_IN_ROOT, so symlinks cannot leave it), pivot_root, device
 * nodes and /dev symlinks, masked paths, read-only paths, read-only root.
 * Pure, given {@link MountContext}.
 *
 * Read-only, as runc does it: `ro` and `root.readonly` make only the top
 * mount read-only (a bind remount), and so do `readonlyPaths` (their
 * submounts are the container's own mounts, with their own options);
 * runtime-spec 1.1's recursive options (`rro`, `rnosuid`, `rnoexec`,
 * `rnodev`, the atime ones, `rnosymfollow` and their opposites) become a
 * mount_setattr(2) step with AT_RECURSIVE right after the mount, so they
 * reach every submount of an `rbind`. Unlike runc, which applies them to
 * bind mounts only, kc applies them to every mount type. The host's /sys,
 * bound when there is no network namespace, is read-only recursively (its
 * submounts such as /sys/fs/cgroup and /sys/kernel/debug too), as a fresh
 * read-only sysfs under runc has no submounts at all.
 *
 * @throws {@link ContainerError} `UNSUPPORTED` naming `mounts[i].options` when
 * a recursive option needs what `ctx.mountAttrSupport` says the kernel lacks.
 */
export function translateMounts(config: OciConfig, ctx: MountContext): MountStep[] {
  const kinds = new Set((config.linux?.namespaces ?? []).filter((n) => !n.path).map((n) => n.type));
  const joined = new Set((config.linux?.namespaces ?? []).filter((n) => n.path).map((n) => n.type));
  const inUserNs = kinds.has('user') || joined.has('user') || ctx.runningInUserNamespace === true;
  // pivot_root(2) refuses a shared new root (EINVAL): a shared root propagation is applied after the pivot, as runc does.
  const rootPropagation = rootfsPropagationFlags(config.linux?.rootfsPropagation);
  const sharedRoot = (rootPropagation & MS.SHARED) !== 0;
  const steps: MountStep[] = [{ kind: 'rootfs', path: ctx.rootfs, propagation: sharedRoot ? MS.PRIVATE | MS.REC : rootPropagation }];
  const mounts = config.mounts ?? [];
  mounts.forEach((m, i) => {
    if (mountIdmap(m, config.linux)) steps.push(...attachSteps(m, idmappedTree(ctx, i), ctx));
    else steps.push(...mountSteps(m, ctx, kinds.has('cgroup'), kinds.has('network') || joined.has('network')));
    const attrs = recursiveAttrStep(m, `mounts[${i}].options`, ctx.mountAttrSupport);
    if (attrs) steps.push(attrs);
  });
  const hasDevTmpfs = mounts.some((m) => m.destination === '/dev' && (m.type ?? '') === 'tmpfs');
  const devices = [...(hasDevTmpfs ? DEFAULT_DEVICES : []), ...(config.linux?.devices ?? [])];
  // In a user namespace mknod(2) is refused, so device nodes are bind-mounted from the host, as runc does.
  if (inUserNs) {
    for (const d of devices) steps.push({ kind: 'mount', source: d.path, target: d.path, flags: MS.BIND, create: 'file' });
  }
  steps.push({ kind: 'pivot' });
  if (sharedRoot) steps.push({ kind: 'propagation', target: '/', flags: rootPropagation });
  if (!inUserNs) {
    for (const d of devices) {
      const type = d.type === 'b' ? S_IFBLK : d.type === 'p' ? S_IFIFO : S_IFCHR;
      steps.push({ kind: 'mknod', path: d.path, mode: type | (d.fileMode ?? 0o666), major: d.major ?? 0, minor: d.minor ?? 0 });
    }
  }
  if (hasDevTmpfs) {
    const hasPts = mounts.some((m) => m.destination === '/dev/pts');
    if (hasPts) steps.push({ kind: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' });
    steps.push({ kind: 'symlink', target: '/proc/self/fd', path: '/dev/fd' });
    ['stdin', 'stdout', 'stderr'].forEach((name, fd) => steps.push({ kind: 'symlink', target: `/proc/self/fd/${fd}`, path: `/dev/${name}` }));
    if (ctx.procKcore) steps.push({ kind: 'symlink', target: '/proc/kcore', path: '/dev/core' });
  }
  for (const path of config.linux?.maskedPaths ?? []) steps.push({ kind: 'mask', path });
  for (const path of config.linux?.readonlyPaths ?? []) steps.push({ kind: 'readonly', path });
  if (config.root?.readonly) steps.push({ kind: 'remount', target: '/', flags: MS.BIND | MS.RDONLY });
  return steps;
}

/** The tree the caller prepared for idmapped mount `i`; an idmapped mount is never made as a plain bind (fail closed). */
function idmappedTree(ctx: MountContext, i: number): number {
  const tree = ctx.idmappedTrees?.get(i);
  if (tree === undefined) {
    throw new ContainerError(`mounts[${i}]: an idmapped mount without its prepared tree`, {
      code: KcErrorCode.InvalidState,
      field: `mounts[${i}].uidMappings`,
      hint: 'make the trees with prepareIdmappedMounts(config) and pass them as idmappedTrees',
    });
  }
  return tree;
}

/** An idmapped bind: the prepared tree moved into place, then its per-mount options (`ro`, `nosuid`...) on the top mount, as a bind remount would. */
function attachSteps(m: OciMount, treeFd: number, ctx: MountContext): MountStep[] {
  const { flags } = parseOciMountOptions(m.options);
  const steps: MountStep[] = [{ kind: 'attach', treeFd, target: m.destination, create: ctx.isDirectory(m.source ?? '') ? 'dir' : 'file' }];
  const set =
    (flags & MS.RDONLY ? MOUNT_ATTR.RDONLY : 0) |
    (flags & MS.NOSUID ? MOUNT_ATTR.NOSUID : 0) |
    (flags & MS.NODEV ? MOUNT_ATTR.NODEV : 0) |
    (flags & MS.NOEXEC ? MOUNT_ATTR.NOEXEC : 0);
  if (set) steps.push({ kind: 'setattr', target: m.destination, set, recursive: false });
  return steps;
}

function mountSteps(m: OciMount, ctx: MountContext, cgroupNs: boolean, netNs: boolean): MountStep[] {
  const { flags, propagation, data } = parseOciMountOptions(m.options);
  const type = m.type ?? '';
  const isBind = (flags & MS.BIND) !== 0 || type === 'bind';
  if (isBind) {
    const source = m.source ?? '';
    const step: MountStep = {
      kind: 'mount',
      source,
      target: m.destination,
      flags: flags | MS.BIND,
      create: ctx.isDirectory(source) ? 'dir' : 'file',
      readonly: (flags & MS.RDONLY) !== 0,
    };
    if (propagation) step.propagation = propagation;
    return [step];
  }
  if (type === 'cgroup' || type === 'cgroup2') return cgroupSteps(m.destination, flags, ctx, cgroupNs);
  if (type === 'sysfs' && !netNs) {
    // sysfs can only be mounted by the owner of the network namespace; share the host's read-only instead (runc does the same).
    const steps: MountStep[] = [{ kind: 'mount', source: '/sys', target: m.destination, flags: MS.BIND | MS.REC, readonly: true, create: 'dir' }];
    // The host's /sys has writable submounts (cgroup, debugfs, securityfs, bpf, pstore): all read-only where the kernel allows.
    if (ctx.mountAttrSupport?.mountSetattr !== false) steps.push({ kind: 'setattr', target: m.destination, set: MOUNT_ATTR.RDONLY, recursive: true });
    return steps;
  }
  const step: MountStep = { kind: 'mount', source: m.source ?? type, target: m.destination, fstype: type, flags, create: 'dir' };
  if (data) step.data = data;
  if (propagation) step.propagation = propagation;
  return [step];
}

/** The mount_setattr(2) step of a mount's recursive options (`rro`, `rnosuid`...), or undefined when it has none. */
function recursiveAttrStep(m: OciMount, field: string, support: MountAttrSupport | undefined): MountStep | undefined {
  const { attrSet, attrClear } = parseOciMountOptions(m.options);
  if (!attrSet && !attrClear) return undefined;
  const words = (m.options ?? []).filter((o) => {
    const p = parseOciMountOptions([o]);
    return p.attrSet || p.attrClear;
  });
  const refuse = (problem: string, hint: string) => new ContainerError(`${field}: ${problem}`, { code: KcErrorCode.Unsupported, field, hint });
  if (support && !support.mountSetattr) {
    throw refuse(
      `${words.join(', ')} need${words.length === 1 ? 's' : ''} mount_setattr(2), which this kernel lacks (Linux 5.12+)`,
      'use ro/nosuid/noexec for the top mount only, or a newer kernel',
    );
  }
  if (support && !support.nosymfollow && (attrSet | attrClear) & MOUNT_ATTR.NOSYMFOLLOW) {
    throw refuse('rnosymfollow/rsymfollow need MOUNT_ATTR_NOSYMFOLLOW (Linux 5.14+)', 'drop the option or use a newer kernel');
  }
  return { kind: 'setattr', target: m.destination, ...(attrSet ? { set: attrSet } : {}), ...(attrClear ? { clear: attrClear } : {}), recursive: true };
}

/** Every cgroup mount in a container, fresh or bound from the host, as runc makes them. */
const CGROUP_MOUNT_FLAGS = MS.NOSUID | MS.NODEV | MS.NOEXEC;

/**
 * The container's cgroup filesystem. With a cgroup namespace a fresh mount
 * shows the container's own cgroup as `/`; without one, the container's host
 * directories are bound instead, so the host tree is never visible.
 */
function cgroupSteps(target: string, flags: number, ctx: MountContext, cgroupNs: boolean): MountStep[] {
  const mountFlags = (flags & ~MS.RDONLY) | CGROUP_MOUNT_FLAGS;
  const ro = (flags & MS.RDONLY) !== 0;
  const layout = ctx.cgroupLayout;
  if (layout.version === 2) {
    if (cgroupNs) return [{ kind: 'mount', source: 'cgroup2', target, fstype: 'cgroup2', flags: mountFlags | (ro ? MS.RDONLY : 0), create: 'dir' }];
    const dir = ctx.cgroupDirs?.[''];
    return dir ? [{ kind: 'mount', source: dir, target, flags: MS.BIND | CGROUP_MOUNT_FLAGS, readonly: ro, create: 'dir' }] : [];
  }
  const steps: MountStep[] = [
    { kind: 'mount', source: 'tmpfs', target, fstype: 'tmpfs', flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, data: 'mode=755', create: 'dir' },
  ];
  // v1 hierarchies only: like runc, the hybrid host's extra cgroup2 tree (controller-less) is not shown inside.
  const all = layout.hierarchies.map((h) => ({ dir: h.dir, fstype: 'cgroup', data: h.options }));
  for (const h of all) {
    const sub = `${target}/${h.dir}`;
    if (cgroupNs) {
      const step: MountStep = { kind: 'mount', source: 'cgroup', target: sub, fstype: h.fstype, flags: mountFlags | (ro ? MS.RDONLY : 0), create: 'dir' };
      if (h.data) step.data = h.data;
      steps.push(step);
    } else {
      const dir = ctx.cgroupDirs?.[h.dir];
      if (dir) steps.push({ kind: 'mount', source: dir, target: sub, flags: MS.BIND | CGROUP_MOUNT_FLAGS, readonly: ro, create: 'dir' });
    }
  }
  if (ro) steps.push({ kind: 'remount', target, flags: MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC });
  return steps;
}
