import { closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KcErrorCode } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { OciConfig } from '../oci/types.js';
import type { CgroupMountLayout } from '../translate/cgroup-layout.js';

/** A host path bind-mounted into the container: CRIU records it by `destination` (its key) and restore maps the key back to `source`. */
export interface ExternalMount {
  /** Mount point inside the container; also CRIU's external key, as runc uses it. */
  destination: string;
  /** Host path bound there (at restore: the path to bind again). */
  source: string;
}

/**
 * The container's own cgroup directories, bound into `/sys/fs/cgroup` when it
 * has no cgroup namespace (see translate/mounts.ts cgroupSteps). CRIU refuses
 * such a mount ("doesn't have a proper root mount": its root is a
 * subdirectory of a hierarchy no mount of the container shows whole), so,
 * like runc's getCgroupMounts, each is external, keyed by its mount point.
 * With a cgroup namespace the mounts are fresh cgroup filesystems CRIU dumps
 * itself. `cgroupDirs` are the container's directories (record.cgroupDirs):
 * at restore, the newly created ones.
 */
export function cgroupBindMounts(config: OciConfig, cgroupDirs: Record<string, string> | undefined, layout: CgroupMountLayout): ExternalMount[] {
  const ownCgroupNs = (config.linux?.namespaces ?? []).some((n) => n.type === 'cgroup' && !n.path);
  if (ownCgroupNs || !cgroupDirs) return [];
  const out: ExternalMount[] = [];
  for (const m of config.mounts ?? []) {
    if (m.type !== 'cgroup' && m.type !== 'cgroup2') continue;
    if (layout.version === 2) {
      const dir = cgroupDirs[''];
      if (dir) out.push({ destination: m.destination, source: dir });
      continue;
    }
    for (const h of layout.hierarchies) {
      const dir = cgroupDirs[h.dir];
      if (dir) out.push({ destination: `${m.destination}/${h.dir}`, source: dir });
    }
  }
  return out;
}

/** A namespace the container joined by path that CRIU must not recreate. */
export interface ExternalNamespace {
  /** CRIU's name of the kind. */
  kind: 'net' | 'pid';
  /** The namespace file from config.json (`/run/netns/…` under podman). */
  path: string;
  /** CRIU's external key; runc's spelling, so images interoperate. */
  key: string;
}

/** Namespaces joined by path that restore joins as they are (criu(8) `--join-ns`). */
export interface JoinedNamespace {
  /** CRIU's name of the kind. */
  kind: 'ipc' | 'uts' | 'time';
  /** The namespace file from config.json. */
  path: string;
}

const CRIU_KIND = { network: 'net', pid: 'pid', ipc: 'ipc', uts: 'uts', time: 'time' } as const;

/**
 * How each namespace the config joins by path is carried over a
 * checkpoint, as runc does: net and pid are external (dumped as
 * `--external net[INODE]:extRootNetNS`, given back at restore as an
 * inherited fd of the namespace file, which must then exist); ipc, uts and
 * time are joined at restore (`--join-ns`). A joined mount, user or cgroup
 * namespace has no CRIU equivalent kc can apply (runc refuses cgroup too):
 * refused, naming the field, instead of restoring into a new namespace.
 * @throws {@link ContainerError} UNSUPPORTED for such a namespace.
 */
export function namespacesByPath(config: OciConfig): { external: ExternalNamespace[]; joined: JoinedNamespace[] } {
  const external: ExternalNamespace[] = [];
  const joined: JoinedNamespace[] = [];
  (config.linux?.namespaces ?? []).forEach((n, i) => {
    if (!n.path) return;
    if (n.type === 'network' || n.type === 'pid') {
      const kind = CRIU_KIND[n.type];
      external.push({ kind, path: n.path, key: n.type === 'network' ? 'extRootNetNS' : 'extRootPidNS' });
    } else if (n.type === 'ipc' || n.type === 'uts' || n.type === 'time') {
      joined.push({ kind: CRIU_KIND[n.type], path: n.path });
    } else {
      const field = `linux.namespaces[${i}].path`;
      throw new ContainerError(`${field}: checkpoint/restore cannot keep a joined ${n.type} namespace`, {
        code: KcErrorCode.Unsupported,
        field,
        hint: `let the container create its own ${n.type} namespace to checkpoint it`,
      });
    }
  });
  return { external, joined };
}

/** `--external` value of a namespace at dump: `net[INODE]:extRootNetNS` (criu(8) EXTERNAL RESOURCES). */
export function namespaceExternal(ns: ExternalNamespace): string {
  return `${ns.kind}[${statSync(ns.path).ino}]:${ns.key}`;
}

/** A standard stream of the container that CRIU cannot recreate by itself. */
export interface OutsideFd {
  /** 0, 1 or 2 in the container's first process. */
  fd: number;
  /**
   * CRIU's key: `file[MNT_ID:INODE]` in hex for a host file (criu/files-reg.c),
   * `pipe:[INODE]` for a pipe (whose other end, e.g. conmon's, is outside the tree).
   */
  key: string;
  /** The host path to re-open for a file; the `/proc/PID/fd` link text for a pipe. */
  path: string;
}

/**
 * Stdio fds of `pid` that reach outside the container. Host files (e.g.
 * /dev/null) cannot be dumped, so they are declared external at dump and
 * re-opened at restore. Pipes are dumped, but their other end belongs to
 * whoever started the container (conmon reads them for `podman logs`): like
 * runc, restore hands the restoring process's own fd of the same number in
 * their place (`--inherit-fd fd[N]:pipe:[INODE]`), so the new reader gets
 * the output.
 */
export function outsideStdio(pid: number): OutsideFd[] {
  const out: OutsideFd[] = [];
  for (const fd of [0, 1, 2]) {
    let path: string;
    try {
      path = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (/^pipe:\[\d+\]$/.test(path)) {
      // One pipe on two fds (2>&1) is one resource to CRIU: handed over once.
      if (!out.some((o) => o.key === path)) out.push({ fd, key: path, path });
      continue;
    }
    if (!path.startsWith('/')) continue;
    const mnt = /^mnt_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    if (!mnt) continue;
    const ino = statSync(`/proc/${pid}/fd/${fd}`).ino;
    const key = `file[${Number(mnt[1]).toString(16)}:${ino.toString(16)}]`;
    if (!out.some((o) => o.key === key)) out.push({ fd, key, path });
  }
  return out;
}

/** Whether an {@link OutsideFd} is a pipe (handed over from the restoring process's own stdio). */
export function isPipe(d: OutsideFd): boolean {
  return d.key.startsWith('pipe:[');
}

/**
 * Creates the mount point of every external bind mount in `rootfs` before a
 * restore, as runc's prepareCriuRestoreMounts does: CRIU binds each external
 * onto its destination but never creates it, and a fresh rootfs (podman's
 * `restore --import` into a new container) lacks what create made the first
 * time (`/etc/resolv.conf`, a volume's directory). Destinations under another
 * configured filesystem (/dev's tmpfs, /proc, /sys) are skipped: CRIU
 * restores those filesystems with their contents. Every component is
 * checked with lstat, so a symlink in the container's rootfs cannot steer
 * the creation out of it.
 * @throws {@link ContainerError} INVALID_ARGUMENT naming the mount when a component is a symlink or not a directory.
 */
export function createRestoreMountpoints(rootfs: string, config: OciConfig, binds: readonly ExternalMount[]): void {
  const filesystems = (config.mounts ?? []).filter((m) => m.type !== 'bind' && !(m.options ?? []).some((o) => o === 'bind' || o === 'rbind'));
  for (const b of binds) {
    if (filesystems.some((f) => b.destination.startsWith(`${f.destination.replace(/\/$/, '')}/`))) continue;
    const parts = b.destination.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) continue; // validateConfig refuses these already; never walk up
    let at = rootfs;
    parts.forEach((part, i) => {
      at = join(at, part);
      const last = i === parts.length - 1;
      let st: ReturnType<typeof lstatSync> | undefined;
      try {
        st = lstatSync(at);
      } catch {
        st = undefined;
      }
      if (st?.isSymbolicLink() || (st && !last && !st.isDirectory())) {
        throw new ContainerError(`mount point ${b.destination}: ${at} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'} in the rootfs`, {
          code: KcErrorCode.InvalidArgument,
          field: 'mounts',
          path: at,
        });
      }
      if (st) return;
      if (!last || isDirectory(b.source)) mkdirSync(at, { mode: 0o755 });
      else closeSync(openSync(at, constants.O_CREAT | constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_EXCL, 0o644));
    });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
