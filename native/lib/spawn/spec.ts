/**
 * The typed description of a process to create: what {@link spawn} takes.
 * Other kc packages fill its slots (`cgroup`, `mounts`, `capabilities`,
 * `seccomp`) through their public helpers; users may also fill them by hand.
 */

/** The eight Linux namespace kinds, named as in `/proc/PID/ns/`. */
export type NamespaceKind = 'mnt' | 'pid' | 'net' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

/** All namespace kinds, in the order a child joins them (user first, mnt last). */
export const NAMESPACE_KINDS: readonly NamespaceKind[] = ['user', 'cgroup', 'ipc', 'uts', 'net', 'pid', 'time', 'mnt'];

/** One line of a uid or gid map: `size` ids from `containerId` map to `hostId`. */
export interface IdMapEntry {
  /** First id of the range inside the new user namespace (the first column of `/proc/PID/uid_map`), 0..4294967295. */
  containerId: number;
  /** First id of the range in the parent user namespace (second column of `uid_map`/`gid_map`), 0..4294967295. */
  hostId: number;
  /** Number of consecutive ids mapped (third column), at least 1; a range may not run past 4294967295. */
  size: number;
}

/**
 * How a standard stream of the child is connected. A number is an open fd of
 * the caller. `'ignore'` is `/dev/null` opened by the child itself, in its own
 * root after the mounts (spawn step `dev_null`), so the fd belongs to the
 * child's mount namespace and CRIU can dump it. A `/dev/null` there must be
 * the null device 1:3 reached without a symlink, else the spawn fails; a root
 * with no `/dev/null` at all gets the caller's (on a host mount: not dumpable).
 */
export type StdioOption = 'pipe' | 'inherit' | 'ignore' | number;

/** A namespace to join: an open fd of a namespace file (`/proc/PID/ns/net`, a bind-mounted file) or a path. */
export interface NamespaceJoin {
  /** Which namespace the fd or path refers to; passed to setns(2) as the matching CLONE_NEW* nstype, so a mismatch fails with EINVAL. */
  kind: NamespaceKind;
  /** An open namespace fd (kept open by the caller until spawn returns). */
  fd?: number;
  /** A namespace file path, opened for the duration of spawn. */
  path?: string;
}

/** Joins several namespaces of one process at once through its pidfd (`setns(pidfd, flags)`, Linux 5.8+). */
export interface PidfdJoin {
  /** An open pidfd (pidfd_open(2)) of the process whose namespaces are joined; kept open by the caller until spawn returns. */
  pidfd: number;
  /** The namespaces of that process to join, OR-ed into the setns(2) flags; at least one, none also listed in `namespaces`. */
  kinds: readonly NamespaceKind[];
}

/**
 * One step of mount-namespace setup, run in the child in array order.
 * Before a `pivot` step, targets are resolved inside the `rootfs` with
 * `openat2(RESOLVE_IN_ROOT)`, so a symlink in the rootfs cannot point a mount
 * outside it; after `pivot`, paths are in the new root.
 */
export type MountStep =
  /** Marks `path` as the container's root: bind-mounted onto itself; later steps resolve inside it. */
  | {
      /** Discriminant: the rootfs step (at most one, before any `pivot`/`chroot`). */
      kind: 'rootfs';
      /** Absolute host path of the root directory; bind-mounted recursively onto itself, or onto `mountPoint` when given. */
      path: string;
      /**
       * A fresh, empty directory (absolute host path) that `path` is bound
       * onto recursively and that becomes the root. Required when `path` is
       * `/`: pivot_root(2) cannot pivot into the current root mount (EBUSY).
       */
      mountPoint?: string;
      /** MS_* propagation flags (e.g. `MS.PRIVATE | MS.REC`) applied to the root bind mount; absent leaves it private (the child first makes `/` MS_REC|MS_PRIVATE). */
      propagation?: number;
      /**
       * Bind the mounts below `path` too (MS_REC; default true). `false`: the
       * root alone, so none of the host's other mounts (other containers',
       * /proc, /dev...) come into the new mount namespace; what CRIU needs
       * to dump it (see `minimalMounts` in `@kc/namespaces`).
       */
      recursive?: boolean;
    }
  /** mount(2). `flags` are MS_* bits; `propagation` (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, with MS_REC) is applied after. `readonly` on a bind remounts it read-only. */
  | {
      /** Discriminant: a mount(2) call. */
      kind: 'mount';
      /** mount(2) `source`: a host path for a bind (inside the rootfs with `sourceInRoot`), a device, or a label such as `proc`; absent means `"none"`. */
      source?: string;
      /** Mount point; resolved inside the rootfs before `pivot`, an absolute path in the new root after. */
      target: string;
      /** Filesystem type as in `/proc/filesystems` (`proc`, `tmpfs`, `sysfs`...); absent for a bind mount. */
      fstype?: string;
      /** MS_* bits (see {@link MS}); for an `MS_BIND` mount the per-mount bits (RDONLY, NOSUID, NODEV, NOEXEC, *ATIME) are applied by a second MS_REMOUNT. Default 0. */
      flags?: number;
      /** Filesystem-specific option string passed as mount(2) `data`, e.g. `mode=755,size=65536k` for tmpfs. */
      data?: string;
      /** MS_* propagation bits (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, with MS_REC) set on the new mount after it is made. */
      propagation?: number;
      /** Adds MS_RDONLY to the remount of a bind mount (a bind ignores MS_RDONLY at creation). */
      readonly?: boolean;
      /** Create the target first, as a directory or an empty file (inside the root). */
      create?: 'dir' | 'file';
      /** The bind source is a path inside the rootfs rather than on the host. */
      sourceInRoot?: boolean;
    }
  /** An idmapped bind mount (Linux 5.12+): `source` mounted at `target` with ids shifted through the user namespace `usernsFd`. */
  | {
      /** Discriminant: an idmapped bind mount made with open_tree(2), mount_setattr(2) MOUNT_ATTR_IDMAP and move_mount(2). */
      kind: 'idmap';
      /** Host path to clone (opened relative to the caller's cwd, not inside the rootfs). */
      source: string;
      /** Mount point, resolved like `mount.target`. */
      target: string;
      /** An open fd of a user namespace (`/proc/PID/ns/user`) whose uid/gid maps shift the ids; kept open until spawn returns. */
      usernsFd: number;
      /** Clone and idmap the whole subtree (AT_RECURSIVE) instead of the top mount only. */
      recursive?: boolean;
      /** Create the target first, as a directory (mode 0755) or an empty file (0644). */
      create?: 'dir' | 'file';
    }
  /**
   * Moves a detached mount (an fd from open_tree(2) `OPEN_TREE_CLONE`, such as
   * `idmappedTree()` of `@kc/namespaces` returns) onto `target` with
   * move_mount(2). How an idmapped mount reaches a child in a new user
   * namespace: the caller idmaps the tree (which needs CAP_SYS_ADMIN over the
   * filesystem, i.e. root for ext4 or tmpfs), the child only attaches it.
   */
  | {
      /** Discriminant: move_mount(2) of a detached tree. */
      kind: 'attach';
      /** The detached mount's fd; kept open by the caller until spawn returns (the child gets its own copy). */
      treeFd: number;
      /** Mount point, resolved like `mount.target`. */
      target: string;
      /** Create the target first, as a directory (mode 0755) or an empty file (0644). */
      create?: 'dir' | 'file';
    }
  /** pivot_root(2) into the rootfs, then detach the old root. */
  | {
      /** Discriminant: pivot_root(".", ".") in the rootfs, then umount2(MNT_DETACH) of the old root; sysctls are written right after. */
      kind: 'pivot';
    }
  /** chroot(2) into the rootfs after moving it to / (for roots where pivot_root is impossible, such as initramfs). */
  | {
      /** Discriminant: MS_MOVE of the rootfs onto `/`, then chroot(2); sysctls are written right after. */
      kind: 'chroot';
    }
  /** Creates a directory and its missing parents (0755); an existing one is kept. */
  | {
      /** Discriminant: mkdir -p. */
      kind: 'mkdir';
      /** Directory to create, resolved inside the rootfs before `pivot`. */
      path: string;
      /** Permission bits of the last component; 0 or absent means 0755. The inherited umask applies (`ProcessSpec.umask` is set only after mounts), so `0o1777` becomes `0o1755` under umask 022. */
      mode?: number;
    }
  /** Creates a symbolic link (symlinkat(2)) and its missing parent directories; an existing `path` is kept. */
  | {
      /** Discriminant: symlinkat(2). */
      kind: 'symlink';
      /** The link's content, stored verbatim (not resolved), e.g. `/proc/self/fd`. */
      target: string;
      /** Where the link is created, resolved inside the rootfs before `pivot`. */
      path: string;
    }
  /** Creates a device node (mknodat(2)) and its missing parent directories; an existing `path` is kept. */
  | {
      /** Discriminant: mknodat(2). */
      kind: 'mknod';
      /** Node to create, resolved inside the rootfs before `pivot`. */
      path: string;
      /** File type and permission bits as in mknod(2), e.g. `S_IFCHR | 0o666` = `0o20666`; the inherited umask applies (not `ProcessSpec.umask`, set later). */
      mode: number;
      /** Device major number (e.g. 1 for /dev/null), see Documentation/admin-guide/devices.txt. */
      major: number;
      /** Device minor number (e.g. 3 for /dev/null). */
      minor: number;
    }
  /** Hides `path`: /dev/null over a file, an empty read-only tmpfs over a directory. Missing paths are skipped. */
  | {
      /** Discriminant: masks a path. */
      kind: 'mask';
      /** File or directory to hide. */
      path: string;
    }
  /** Makes `path` read-only: a recursive bind onto itself, then a read-only remount of it (or of its whole subtree with `recursive`). Missing paths are skipped. */
  | {
      /** Discriminant: a recursive bind of a path onto itself, made read-only. */
      kind: 'readonly';
      /** File or directory made read-only. */
      path: string;
      /**
       * Make every mount under `path` read-only too, with mount_setattr(2)
       * `MOUNT_ATTR_RDONLY` and `AT_RECURSIVE` (Linux 5.12+; {@link spawn}
       * refuses the step on an older kernel). Without it only the top mount is
       * read-only (a bind remount) and submounts keep their own flags, as with
       * runc's `readonlyPaths`.
       */
      recursive?: boolean;
    }
  /**
   * mount_setattr(2) on the mount at `target` (Linux 5.12+): sets and clears
   * MOUNT_ATTR_* bits, on the whole subtree with `recursive`, as runtime-spec
   * 1.1's recursive options (`rro`, `rnosuid`, `rnoexec`...) do. `target`
   * must be the root of a mount (e.g. the target of an earlier `mount` step).
   */
  | {
      /** Discriminant: mount_setattr(2). */
      kind: 'setattr';
      /** A mount point; resolved like `mount.target`. */
      target: string;
      /** MOUNT_ATTR_* bits to set (`attr_set`): RDONLY 0x1, NOSUID 0x2, NODEV 0x4, NOEXEC 0x8, one atime mode (RELATIME 0, NOATIME 0x10, STRICTATIME 0x20), NODIRATIME 0x80, NOSYMFOLLOW 0x200000 (5.14+). An atime mode needs MOUNT_ATTR__ATIME (0x70) in `clear`. */
      set?: number;
      /** MOUNT_ATTR_* bits to clear (`attr_clr`); the atime bits only all together (MOUNT_ATTR__ATIME, 0x70). */
      clear?: number;
      /** Apply to every mount under `target` too (AT_RECURSIVE). */
      recursive?: boolean;
    }
  /** mount(NULL, target, NULL, MS_REMOUNT | flags): e.g. a read-only root. */
  | {
      /** Discriminant: MS_REMOUNT. */
      kind: 'remount';
      /** Existing mount point to change. */
      target: string;
      /** MS_* bits OR-ed with MS_REMOUNT; with MS_BIND the mount's locked flags (nosuid, nodev...) are kept so the remount is allowed. */
      flags: number;
    }
  /** Changes propagation of `target` (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, optionally MS_REC). */
  | {
      /** Discriminant: a propagation change. */
      kind: 'propagation';
      /** Existing mount point to change. */
      target: string;
      /** Exactly one of MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, optionally with MS_REC. */
      flags: number;
    }
  /** umount2(2) of a mount point. */
  | {
      /** Discriminant: umount2(2). */
      kind: 'umount';
      /** Mount point to detach. */
      target: string;
      /** umount2(2) flags: MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8. Default 0. */
      flags?: number;
    };

/** Resource names accepted by {@link RlimitSpec}, as in setrlimit(2) without `RLIMIT_`. */
export type RlimitName =
  | 'as'
  | 'core'
  | 'cpu'
  | 'data'
  | 'fsize'
  | 'locks'
  | 'memlock'
  | 'msgqueue'
  | 'nice'
  | 'nofile'
  | 'nproc'
  | 'rss'
  | 'rtprio'
  | 'rttime'
  | 'sigpending'
  | 'stack';

/** A resource limit; `'unlimited'` is RLIM_INFINITY. */
export interface RlimitSpec {
  /** Which limit (`nofile` is RLIMIT_NOFILE); units are the resource's own: bytes for `as`/`data`/`stack`/`memlock`, seconds for `cpu`, microseconds for `rttime`, counts for `nofile`/`nproc`. */
  resource: RlimitName;
  /** Soft limit (`rlim_cur`), enforced by the kernel; must not exceed `hard`. */
  soft: number | bigint | 'unlimited';
  /** Hard limit (`rlim_max`), the ceiling for the soft limit; raising it above the current value needs CAP_SYS_RESOURCE. */
  hard: number | bigint | 'unlimited';
}

/** The identity the program runs as. */
export interface UserSpec {
  /** Real, effective and saved uid set with setresuid(2), as seen inside the child's user namespace; 0..4294967294. */
  uid: number;
  /** Real, effective and saved gid set with setresgid(2), as seen inside the child's user namespace; 0..4294967294. */
  gid: number;
  /** Supplementary groups; `[]` clears them (the default when a user is given). */
  groups?: readonly number[];
}

/**
 * Capability masks (bit N = capability N), as `@kc/caps` produces them.
 * Applied after the user switch with SECBIT_KEEP_CAPS, in the order:
 * bounding drops, securebits, effective/permitted/inheritable, ambient.
 */
export interface CapabilitySpec {
  /** Capabilities kept in the bounding set; every other one up to `/proc/sys/kernel/cap_last_cap` is dropped with PR_CAPBSET_DROP. */
  bounding: bigint;
  /** Effective set (capset(2)); must be a subset of `permitted`. */
  effective: bigint;
  /** Permitted set (capset(2)). */
  permitted: bigint;
  /** Inheritable set (capset(2)), kept across execve for files with matching inheritable file capabilities. */
  inheritable: bigint;
  /** Ambient set (PR_CAP_AMBIENT_RAISE, Linux 4.3+), kept across execve of unprivileged programs; must be a subset of permitted and inheritable. */
  ambient: bigint;
  /** SECBIT_* flags to set with PR_SET_SECUREBITS. */
  securebits?: number;
}

/** A compiled seccomp filter, as `@kc/seccomp` produces it. */
export interface SeccompSpec {
  /** `struct sock_filter[]`, 8 bytes per instruction, native endianness. */
  filter: Uint8Array;
  /** SECCOMP_FILTER_FLAG_* bits (LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV, TSYNC...). */
  flags?: number;
  /** Ask for a user-notification listener fd (SECCOMP_FILTER_FLAG_NEW_LISTENER); it is returned as `seccompListenerFd`. */
  listener?: boolean;
}

/** Where the child starts: a cgroup v2 directory fd for CLONE_INTO_CGROUP, and/or v1 `cgroup.procs` files the parent writes the pid to before the child runs. */
export interface CgroupPlacement {
  /** An open fd of a cgroup v2 directory (CLONE_INTO_CGROUP). */
  fd?: number;
  /** v1 (or v2 without CLONE_INTO_CGROUP) `cgroup.procs` files to write the new pid into before the child continues. */
  procsFiles?: readonly string[];
}

/** Offsets of a new time namespace (CLONE_NEWTIME), in seconds (fractions allowed). */
export interface TimeOffsets {
  /** Seconds added to CLOCK_MONOTONIC inside the namespace (may be negative); written to `/proc/self/timens_offsets`. */
  monotonic?: number;
  /** Seconds added to CLOCK_BOOTTIME inside the namespace (may be negative); written to `/proc/self/timens_offsets`. */
  boottime?: number;
}

/** Everything about a process to create; validated by {@link validateSpec} before the kernel is touched. */
export interface ProcessSpec {
  /** Program and arguments; argv[0] without `/` is searched in the child's PATH (inside the new root). */
  argv: readonly string[];
  /** Explicit executable path (else argv[0]). */
  path?: string;
  /** Environment. Default: a copy of `process.env`. */
  env?: Record<string, string | undefined>;
  /** Working directory, entered after the user switch (so permissions are the user's). */
  cwd?: string;
  /** File mode creation mask (umask(2)) of the program, e.g. `0o022`. Default: inherited. */
  umask?: number;
  /** Namespaces to create. */
  namespaces?: readonly NamespaceKind[];
  /** Namespaces to join by fd or path. */
  join?: readonly NamespaceJoin[];
  /** Namespaces to join at once through a pidfd. */
  joinPidfd?: PidfdJoin;
  /** uid map of a new user namespace. */
  uidMap?: readonly IdMapEntry[];
  /** gid map of a new user namespace. */
  gidMap?: readonly IdMapEntry[];
  /** `setgroups` of a new user namespace; `'deny'` is required for an unprivileged gid map. Default: `'allow'`. */
  setgroups?: 'allow' | 'deny';
  /** Write id maps with `newuidmap`/`newgidmap` (setuid helpers, for unprivileged callers) instead of directly. */
  idMapHelper?: boolean;
  /** Hostname set with sethostname(2) in the child; at most 64 bytes and needs a created or joined `uts` namespace. */
  hostname?: string;
  /** NIS domain name set with setdomainname(2); at most 64 bytes and needs a `uts` namespace. */
  domainname?: string;
  /** Clock offsets of a new `time` namespace (which must be in `namespaces`). */
  timeOffsets?: TimeOffsets;
  /** Where the child starts in the cgroup tree (from `@kc/cgroups`). */
  cgroup?: CgroupPlacement;
  /** Mount-namespace setup (from `@kc/namespaces` / `@kc/container`). */
  mounts?: readonly MountStep[];
  /** `/proc/sys` keys (dotted, e.g. `net.ipv4.ip_forward`) written after mounts. */
  sysctl?: Record<string, string>;
  /** Resource limits set with setrlimit(2) in the child, in array order. */
  rlimits?: readonly RlimitSpec[];
  /** Written to /proc/self/oom_score_adj before the user switch. */
  oomScoreAdj?: number;
  /** Identity to switch to before execve; absent keeps the caller's credentials. */
  user?: UserSpec;
  /** Capability sets (from `@kc/caps`). */
  capabilities?: CapabilitySpec;
  /** Set PR_SET_NO_NEW_PRIVS. Default false. */
  noNewPrivileges?: boolean;
  /** Seccomp filter (from `@kc/seccomp`), installed last before execve. */
  seccomp?: SeccompSpec;
  /** stdin, stdout, stderr. Default `['pipe', 'pipe', 'pipe']`. */
  stdio?: readonly [StdioOption, StdioOption, StdioOption];
  /** Extra fds of the caller passed to the child as fd 3, 4, ... */
  extraFds?: readonly number[];
  /** Start a new session (setsid). */
  setsid?: boolean;
  /** Make stdin the controlling terminal (needs setsid and a tty on stdin). */
  controllingTerminal?: boolean;
  /** Signal the child gets when the spawning thread dies (PR_SET_PDEATHSIG). */
  parentDeathSignal?: NodeJS.Signals | number;
  /** Kill the process (SIGKILL) after this many milliseconds; its exit status then says `timedOut: true`. */
  timeoutMs?: number;
  /**
   * Kill the process (SIGKILL) when this aborts: `exited` then rejects with an
   * `AbortError` whose `cause` is the signal's reason. An already aborted
   * signal makes `spawn` throw that error before the kernel is touched.
   */
  signal?: AbortSignal;
}
