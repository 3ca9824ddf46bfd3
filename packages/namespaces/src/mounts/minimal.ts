import { invalidArgument, type MountStep } from '@kc/native';
import { NamespaceError } from '../errors.js';
import { MountPlan } from './builder.js';
import { MS } from './flags.js';

/** A host mount to bring into a {@link minimalMounts} namespace, at the same path. */
export interface KeptMount {
  /** Absolute host path: a mount point (e.g. `/tmp` when it is a tmpfs) or a directory of the root filesystem. It must exist in the new root (on the root filesystem, or in a kept mount above it): nothing is created on the host's disk. */
  path: string;
  /** Bind it read-only. Default false. */
  readonly?: boolean;
}

/** Options of {@link minimalMounts}. */
export interface MinimalMountsOptions {
  /**
   * Host mounts to bind back at the same path, each alone (a plain bind:
   * the mounts below it stay out; list them too, in any order: parents are
   * bound first). Anything on the root filesystem itself is there without
   * being kept. Not `/`, nor under `/proc`/`/dev` while those are fresh, nor
   * under `mountPoint`.
   */
  keep?: readonly (string | KeptMount)[];
  /** Mount a fresh procfs on /proc (of the new pid namespace, when the spec has one). Default true. */
  proc?: boolean;
  /**
   * A tmpfs on /dev with the nodes programs expect: null, zero, full,
   * random, urandom (0666) and the fd, stdin, stdout, stderr links. Default
   * true. stdio `'ignore'` opens /dev/null in the child's root, so without
   * /dev it needs the root filesystem to have one.
   */
  dev?: boolean;
  /** Remount the root read-only (the root mount only; /proc, /dev and kept mounts keep their own flags). Default false. */
  readonly?: boolean;
  /**
   * An empty directory of the host where the root filesystem is bound
   * before the pivot, in the new namespace only (the host sees nothing).
   * Host paths under it cannot be kept. Default `/mnt`.
   */
  mountPoint?: string;
}

const S_IFCHR = 0o020000;
/** Devices as runc's default /dev has them (runtime-spec "Default Devices"), minus the tty. */
const DEVICES: readonly [name: string, major: number, minor: number][] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
];
const DEV_LINKS: readonly [path: string, target: string][] = [
  ['/dev/fd', '/proc/self/fd'],
  ['/dev/stdin', '/proc/self/fd/0'],
  ['/dev/stdout', '/proc/self/fd/1'],
  ['/dev/stderr', '/proc/self/fd/2'],
];

/** Whether `path` is `dir` or lies below it (both normalised, absolute). */
const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

function normalisedPath(p: unknown, field: string): string {
  if (typeof p !== 'string' || !p.startsWith('/')) throw invalidArgument(NamespaceError, field, `${JSON.stringify(p)} is not an absolute path`);
  if (p.includes('\0')) throw invalidArgument(NamespaceError, field, 'contains a NUL byte');
  const parts = p.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw invalidArgument(NamespaceError, field, `${p} has a '..' component`, 'write the path without ..');
  return `/${parts.join('/')}`;
}

/**
 * Mount steps for a minimal mount namespace over the host's own root: the
 * root filesystem alone (a plain, non-recursive bind of `/`, pivoted into),
 * the mounts asked to be kept, a fresh /proc and a small /dev. Nothing else
 * of the host's mount table comes along: no other container's overlay,
 * tmpfs, nsfs (a persisted network namespace) or bind, which a copied mount
 * table would carry and CRIU cannot dump ("doesn't have a proper root
 * mount"). With `stdio: 'ignore'` (the child opens the new root's
 * /dev/null) and `namespaces: ['pid', 'mnt']`, the process can be
 * checkpointed with `Criu.dump` and restored with `root: '/'`.
 *
 * Privileges: root (CAP_SYS_ADMIN), as the spawn's mount steps.
 *
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` (with `field`) for a
 * path that is not absolute, has `..` or NUL, a kept path that is `/`,
 * repeated, under `mountPoint`, or under a fresh /proc or /dev; before
 * anything is mounted.
 * @example
 * ```ts
 * import { spawn } from '@kc/native';
 * import { minimalMounts } from '@kc/namespaces';
 * const p = spawn({
 *   argv: ['/usr/local/bin/counter'],
 *   namespaces: ['pid', 'mnt'],
 *   mounts: minimalMounts({ keep: ['/var/lib/counter'] }),
 *   stdio: ['ignore', 'ignore', 'ignore'],
 *   setsid: true,
 * });
 * ```
 */
export function minimalMounts(options: MinimalMountsOptions = {}): MountStep[] {
  if (typeof options !== 'object' || options === null) throw invalidArgument(NamespaceError, 'options', 'must be an object');
  const proc = options.proc ?? true;
  const dev = options.dev ?? true;
  const mountPoint = normalisedPath(options.mountPoint ?? '/mnt', 'mountPoint');
  if (mountPoint === '/') throw invalidArgument(NamespaceError, 'mountPoint', 'must be a directory other than /', 'give an empty directory such as /mnt');
  if (options.keep !== undefined && !Array.isArray(options.keep)) throw invalidArgument(NamespaceError, 'keep', 'must be an array of paths');
  const kept: KeptMount[] = [];
  (options.keep ?? []).forEach((k, i) => {
    const field = typeof k === 'string' ? `keep[${i}]` : `keep[${i}].path`;
    const path = normalisedPath(typeof k === 'string' ? k : k?.path, field);
    if (path === '/') throw invalidArgument(NamespaceError, field, 'the root is always there', 'use readonly for a read-only root');
    if (within(path, mountPoint) || within(mountPoint, path)) {
      throw invalidArgument(
        NamespaceError,
        field,
        `${path} overlaps the mount point ${mountPoint}, where the root is bound during setup`,
        'pass another mountPoint',
      );
    }
    if (proc && within(path, '/proc'))
      throw invalidArgument(NamespaceError, field, 'a fresh /proc is mounted over it', 'pass proc: false to keep the host /proc');
    if (dev && within(path, '/dev')) throw invalidArgument(NamespaceError, field, 'a fresh /dev is mounted over it', 'pass dev: false to keep the host /dev');
    if (kept.some((o) => o.path === path)) throw invalidArgument(NamespaceError, field, `${path} is kept twice`);
    kept.push({ path, readonly: typeof k === 'object' && k.readonly === true });
  });

  const plan = new MountPlan().rootfs('/', { mountPoint, propagation: 'rprivate', recursive: false });
  // Before the pivot: the sources are host paths, the targets are resolved inside the new root, where a kept
  // parent (bound first: fewer components first) provides the mount point of a kept child. A plain bind
  // (no MS_REC) carries no submount; no `create`, which would make directories on the host's disk.
  kept.sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  plan.append(kept.map((k): MountStep => ({ kind: 'mount', source: k.path, target: k.path, flags: MS.BIND, ...(k.readonly ? { readonly: true } : {}) })));
  plan.pivot();
  // A remount of the root bind in place: a bind onto itself (remountReadonly) would stack a second root over it.
  if (options.readonly) plan.remount('/', MS.BIND | MS.RDONLY);
  if (proc) plan.proc('/proc', { create: false });
  if (dev) {
    plan.tmpfs('/dev', { data: 'mode=755,size=64k', create: false, flags: MS.NOSUID | MS.NOEXEC });
    for (const [name, major, minor] of DEVICES) plan.mknod(`/dev/${name}`, S_IFCHR | 0o666, major, minor);
    for (const [path, target] of DEV_LINKS) plan.symlink(target, path);
  }
  return plan.steps();
}
