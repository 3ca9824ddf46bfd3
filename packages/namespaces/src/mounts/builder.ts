import type { MountStep } from '@kc/native';
import { MOUNT_ATTR, MS } from './flags.js';
import { validateMountSteps } from './validate.js';

/** Propagation types by name, as mount(8) spells them (`r` = recursive). */
export type PropagationName = 'private' | 'rprivate' | 'slave' | 'rslave' | 'shared' | 'rshared' | 'unbindable' | 'runbindable';

/** The MS_* value of a propagation name. */
export function propagationFlags(name: PropagationName): number {
  const base = { private: MS.PRIVATE, slave: MS.SLAVE, shared: MS.SHARED, unbindable: MS.UNBINDABLE }[
    name.replace(/^r/, '') as 'private' | 'slave' | 'shared' | 'unbindable'
  ];
  return name.startsWith('r') ? base | MS.REC : base;
}

/** Paths runc and the OCI default spec hide from containers (masked with /dev/null or an empty tmpfs). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Paths runc and the OCI default spec make read-only. */
export const DEFAULT_READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Options common to filesystem mounts in {@link MountPlan}. */
export interface FsMountOptions {
  /** MS_* flags (default: nosuid|nodev|noexec for proc, sysfs, mqueue; nosuid for tmpfs and devpts). */
  flags?: number;
  /** Filesystem data such as `mode=755,size=65536k`. */
  data?: string;
  /** Create the target directory first (default true). */
  create?: boolean;
  /** Mount read-only. */
  readonly?: boolean;
}

/**
 * Builds the `mounts` of a {@link @kc/native!ProcessSpec} step by step, in the order the
 * child runs them; {@link MountPlan.steps} validates the whole plan. Targets
 * after `rootfs()` are resolved inside the rootfs with
 * `openat2(RESOLVE_IN_ROOT)`, so symlinks in the image cannot point a mount
 * at the host.
 *
 * Privileges: the steps run in the spawned child, which needs CAP_SYS_ADMIN
 * over its mount namespace: root, or, for a plain user, a new `user`
 * namespace in the same spec (then only what a user namespace may mount:
 * binds, tmpfs, proc of its own pid namespace, no devices; see
 * examples/unprivileged-sandbox.ts). A refused step's error says "needs root
 * (or a user namespace)".
 *
 * @example
 * ```ts
 * const mounts = new MountPlan()
 *   .rootfs('/var/lib/box/rootfs')
 *   .proc().sysfs().tmpfs('/dev', { data: 'mode=755' }).devpts().tmpfs('/tmp')
 *   .bind('/etc/resolv.conf', '/etc/resolv.conf', { readonly: true, file: true })
 *   .pivot().mask(DEFAULT_MASKED_PATHS).readonly(DEFAULT_READONLY_PATHS)
 *   .steps();
 * spawn({ argv: ['/bin/sh'], namespaces: ['mnt', 'pid'], mounts });
 * ```
 */
export class MountPlan {
  readonly #steps: MountStep[] = [];

  /**
   * Makes `path` the container root (bind-mounted recursively onto itself,
   * private); must come first. The host root `/` becomes the root through a
   * fresh mount point, since pivot_root(2) cannot pivot into the current root
   * mount: `mountPoint` (an empty directory), by default `/tmp` of the new
   * mount namespace (as bubblewrap does; the host's `/tmp` is untouched).
   * Follow with `.pivot().remountReadonly('/')` for a read-only host root.
   *
   * @example
   * ```ts
   * new MountPlan().rootfs('/').pivot().remountReadonly('/').tmpfs('/tmp', { create: false }).proc().steps();
   * ```
   */
  rootfs(
    path: string,
    options:
      | PropagationName
      | {
          /** Propagation of the root mount (default `rprivate`). */
          propagation?: PropagationName;
          /** A fresh empty directory `path` is bound onto and that becomes the root (default: itself; `/tmp` for `path` `/`). */
          mountPoint?: string;
          /** Bring the mounts below `path` along (MS_REC; default true). false: the root mount alone (see {@link minimalMounts}). */
          recursive?: boolean;
        } = {},
  ): this {
    const o = typeof options === 'string' ? { propagation: options } : options;
    const mountPoint = o.mountPoint ?? (path.split('/').every((c) => c === '' || c === '.') ? '/tmp' : undefined);
    this.#steps.push({
      kind: 'rootfs',
      path,
      propagation: propagationFlags(o.propagation ?? 'rprivate'),
      ...(mountPoint ? { mountPoint } : {}),
      ...(o.recursive === false ? { recursive: false } : {}),
    });
    return this;
  }

  /**
   * Bind-mounts `source` (a host path, or a rootfs path with `sourceInRoot`)
   * at `target`, with its submounts unless `recursive: false`.
   *
   * `readonly` makes the whole bound tree read-only: the top mount and every
   * submount the bind carried along (mount_setattr(2) `MOUNT_ATTR_RDONLY`
   * with `AT_RECURSIVE`, Linux 5.12+, like OCI's `rro`). A plain read-only
   * remount would leave the submounts writable (MS_REC does not apply to a
   * remount). `recursiveReadonly: false` opts out: only the top mount is
   * read-only, as with mount(8)'s or OCI's plain `ro`, and no 5.12 kernel is
   * needed.
   *
   * @example
   * ```ts
   * new MountPlan().rootfs(root).bind('/srv/data', '/data', { readonly: true }); // /data and all below it read-only
   * ```
   */
  bind(
    source: string,
    target: string,
    options: {
      /** Make the bound tree read-only (the whole tree unless `recursiveReadonly: false`). */
      readonly?: boolean;
      /** With `readonly`: also every submount (default true; needs mount_setattr(2), Linux 5.12+). false: the top mount only. */
      recursiveReadonly?: boolean;
      /** Bind the submounts too (MS_REC, `rbind`; default true). false: a plain `bind`, which carries no submounts. */
      recursive?: boolean;
      /** The source is a file: the target is created as an empty file. */
      file?: boolean;
      /** `source` is a path inside the rootfs, not on the host. */
      sourceInRoot?: boolean;
      /** Extra MS_* flags (NOSUID, NODEV, NOEXEC...), applied to the top mount by a bind remount. */
      flags?: number;
      /** Propagation of the new mount. */
      propagation?: PropagationName;
    } = {},
  ): this {
    const rec = options.recursive !== false;
    this.#steps.push({
      kind: 'mount',
      source,
      target,
      flags: (MS.BIND | (rec ? MS.REC : 0) | (options.flags ?? 0)) >>> 0,
      create: options.file ? 'file' : 'dir',
      ...(options.readonly ? { readonly: true } : {}),
      ...(options.sourceInRoot ? { sourceInRoot: true } : {}),
      ...(options.propagation ? { propagation: propagationFlags(options.propagation) } : {}),
    });
    // A plain bind carries no submounts: the remount above already covers all of it.
    if (options.readonly && rec && options.recursiveReadonly !== false) {
      this.#steps.push({ kind: 'setattr', target, set: MOUNT_ATTR.RDONLY, recursive: true });
    }
    return this;
  }

  /**
   * Sets and clears mount attributes (MOUNT_ATTR_*) of the mount at `target`
   * with mount_setattr(2) (Linux 5.12+), on every mount below it too unless
   * `recursive: false`: what OCI's `rro`, `rnosuid`, `rnoexec`... do.
   * `target` must be a mount point made by an earlier step.
   *
   * @example
   * ```ts
   * plan.bind('/srv', '/srv').setattr('/srv', { set: MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOEXEC });
   * ```
   */
  setattr(
    target: string,
    attrs: {
      /** MOUNT_ATTR_* bits to set (an atime mode needs `MOUNT_ATTR._ATIME` in `clear`). */
      set?: number;
      /** MOUNT_ATTR_* bits to clear. */
      clear?: number;
      /** Every mount below `target` too (AT_RECURSIVE; default true). */
      recursive?: boolean;
    },
  ): this {
    this.#steps.push({
      kind: 'setattr',
      target,
      ...(attrs.set ? { set: attrs.set >>> 0 } : {}),
      ...(attrs.clear ? { clear: attrs.clear >>> 0 } : {}),
      recursive: attrs.recursive !== false,
    });
    return this;
  }

  /** Mounts a filesystem of `fstype` at `target`. */
  filesystem(fstype: string, target: string, source: string, options: FsMountOptions = {}): this {
    const flags = ((options.flags ?? 0) | (options.readonly ? MS.RDONLY : 0)) >>> 0;
    this.#steps.push({
      kind: 'mount',
      source,
      target,
      fstype,
      flags,
      ...(options.data ? { data: options.data } : {}),
      ...(options.create === false ? {} : { create: 'dir' as const }),
    });
    return this;
  }

  /** A fresh procfs for the (new) pid namespace. */
  proc(target = '/proc', options: FsMountOptions = {}): this {
    return this.filesystem('proc', target, 'proc', { flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, ...options });
  }

  /** sysfs (read-only by default: a container without its own net namespace must not write it). */
  sysfs(target = '/sys', options: FsMountOptions = {}): this {
    return this.filesystem('sysfs', target, 'sysfs', { flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, readonly: true, ...options });
  }

  /** A tmpfs. */
  tmpfs(target: string, options: FsMountOptions = {}): this {
    return this.filesystem('tmpfs', target, 'tmpfs', { flags: MS.NOSUID | MS.NODEV, ...options });
  }

  /** A private devpts instance (`newinstance,ptmxmode=0666`). */
  devpts(target = '/dev/pts', options: FsMountOptions = {}): this {
    return this.filesystem('devpts', target, 'devpts', {
      flags: MS.NOSUID | MS.NOEXEC,
      data: 'newinstance,ptmxmode=0666,mode=0620',
      ...options,
    });
  }

  /** POSIX message queues of the (new) ipc namespace. */
  mqueue(target = '/dev/mqueue', options: FsMountOptions = {}): this {
    return this.filesystem('mqueue', target, 'mqueue', { flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, ...options });
  }

  /** An overlay of read-only `lower` layers (top first) under a writable `upper` with its `work` dir (same filesystem). */
  overlay(target: string, layers: { lower: readonly string[]; upper?: string; work?: string }, options: FsMountOptions = {}): this {
    const data = [`lowerdir=${layers.lower.map(escapeOverlayPath).join(':')}`];
    if (layers.upper) data.push(`upperdir=${escapeOverlayPath(layers.upper)}`, `workdir=${escapeOverlayPath(layers.work ?? '')}`);
    return this.filesystem('overlay', target, 'overlay', { ...options, data: [...data, options.data ?? ''].filter(Boolean).join(',') });
  }

  /** An idmapped bind mount (Linux 5.12+): files owned by host ids appear shifted through `usernsFd`'s maps. */
  idmapped(source: string, target: string, usernsFd: number, options: { recursive?: boolean; file?: boolean } = {}): this {
    this.#steps.push({
      kind: 'idmap',
      source,
      target,
      usernsFd,
      ...(options.recursive ? { recursive: true } : {}),
      create: options.file ? 'file' : 'dir',
    });
    return this;
  }

  /**
   * Moves a detached mount (an fd from `idmappedTree()` or open_tree(2)
   * `OPEN_TREE_CLONE`) onto `target` with move_mount(2): how an idmapped
   * mount reaches a child in a new user namespace. Keep the fd open until
   * spawn returns.
   */
  attach(treeFd: number, target: string, options: { /** The tree is a file: the target is created as an empty file. */ file?: boolean } = {}): this {
    this.#steps.push({ kind: 'attach', treeFd, target, create: options.file ? 'file' : 'dir' });
    return this;
  }

  /** Remounts `target` with `flags` (MS_REMOUNT is added; add MS.BIND to change only per-mount flags). */
  remount(target: string, flags: number): this {
    this.#steps.push({ kind: 'remount', target, flags: flags >>> 0 });
    return this;
  }

  /**
   * Makes `target` read-only, with every mount below it (bind onto itself,
   * then mount_setattr(2) `MOUNT_ATTR_RDONLY` with `AT_RECURSIVE`, Linux
   * 5.12+): after `pivot()`, `remountReadonly('/')` leaves nothing writable,
   * not /dev/shm nor /tmp; mount a writable tmpfs after it where one is
   * wanted. nosuid/nodev/noexec stay as they are. `recursive: false` opts
   * out: only the top mount becomes read-only (a bind remount, as runc does
   * for `root.readonly`), submounts keep their flags.
   *
   * @example
   * ```ts
   * plan.pivot().remountReadonly('/').tmpfs('/tmp', { create: false }); // all read-only but a private /tmp
   * ```
   */
  remountReadonly(target: string, options: { /** Also every mount below `target` (default true). */ recursive?: boolean } = {}): this {
    this.#steps.push({ kind: 'readonly', path: target, ...(options.recursive === false ? {} : { recursive: true }) });
    return this;
  }

  /** Changes propagation of `target`. */
  propagation(target: string, type: PropagationName): this {
    this.#steps.push({ kind: 'propagation', target, flags: propagationFlags(type) });
    return this;
  }

  /** Creates a directory (inside the root). */
  mkdir(path: string, mode?: number): this {
    this.#steps.push({ kind: 'mkdir', path, ...(mode === undefined ? {} : { mode }) });
    return this;
  }

  /** Creates a symlink at `path` whose text is `target`. */
  symlink(target: string, path: string): this {
    this.#steps.push({ kind: 'symlink', target, path });
    return this;
  }

  /** Creates a device node (`mode` includes S_IFCHR or S_IFBLK). */
  mknod(path: string, mode: number, major: number, minor: number): this {
    this.#steps.push({ kind: 'mknod', path, mode, major, minor });
    return this;
  }

  /** Unmounts `target`. */
  umount(target: string, flags?: number): this {
    this.#steps.push({ kind: 'umount', target, ...(flags === undefined ? {} : { flags }) });
    return this;
  }

  /** pivot_root(2) into the rootfs and detach the old root. */
  pivot(): this {
    this.#steps.push({ kind: 'pivot' });
    return this;
  }

  /** chroot into the rootfs (only where pivot_root is impossible, such as an initramfs root). */
  chroot(): this {
    this.#steps.push({ kind: 'chroot' });
    return this;
  }

  /** Hides paths (missing ones are skipped by the child). */
  mask(paths: readonly string[]): this {
    for (const path of paths) this.#steps.push({ kind: 'mask', path });
    return this;
  }

  /**
   * Makes paths read-only, each with every mount below it unless
   * `recursive: false` (see {@link MountPlan.remountReadonly}); missing
   * paths are skipped by the child.
   */
  readonly(paths: readonly string[], options: { /** Also every mount below each path (default true; Linux 5.12+). */ recursive?: boolean } = {}): this {
    for (const path of paths) this.remountReadonly(path, options);
    return this;
  }

  /** Appends steps built elsewhere (checked with the rest). */
  append(steps: readonly MountStep[]): this {
    this.#steps.push(...steps);
    return this;
  }

  /**
   * The validated steps, ready for `ProcessSpec.mounts`.
   *
   * @throws {@link NamespaceError} `INVALID_ARGUMENT` naming the bad step.
   */
  steps(): MountStep[] {
    const out = this.#steps.map((s) => ({ ...s }));
    validateMountSteps(out);
    return out;
  }
}

/** overlayfs separates layers with `:` and options with `,`; both are escaped with a backslash. */
function escapeOverlayPath(p: string): string {
  return p.replace(/([\\:,])/g, '\\$1');
}
