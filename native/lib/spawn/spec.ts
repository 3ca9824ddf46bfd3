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
  containerId: number;
  hostId: number;
  size: number;
}

/** How a standard stream of the child is connected. A number is an open fd of the caller. */
export type StdioOption = 'pipe' | 'inherit' | 'ignore' | number;

/** A namespace to join: an open fd of a namespace file (`/proc/PID/ns/net`, a bind-mounted file) or a path. */
export interface NamespaceJoin {
  kind: NamespaceKind;
  /** An open namespace fd (kept open by the caller until spawn returns). */
  fd?: number;
  /** A namespace file path, opened for the duration of spawn. */
  path?: string;
}

/** Joins several namespaces of one process at once through its pidfd (`setns(pidfd, flags)`, Linux 5.8+). */
export interface PidfdJoin {
  pidfd: number;
  kinds: NamespaceKind[];
}

/**
 * One step of mount-namespace setup, run in the child in array order.
 * Before a `pivot` step, targets are resolved inside the `rootfs` with
 * `openat2(RESOLVE_IN_ROOT)`, so a symlink in the rootfs cannot point a mount
 * outside it; after `pivot`, paths are in the new root.
 */
export type MountStep =
  /** Marks `path` as the container's root: bind-mounted onto itself; later steps resolve inside it. */
  | { kind: 'rootfs'; path: string; propagation?: number }
  /** mount(2). `flags` are MS_* bits; `propagation` (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, with MS_REC) is applied after. `readonly` on a bind remounts it read-only. */
  | {
      kind: 'mount';
      source?: string;
      target: string;
      fstype?: string;
      flags?: number;
      data?: string;
      propagation?: number;
      readonly?: boolean;
      /** Create the target first, as a directory or an empty file (inside the root). */
      create?: 'dir' | 'file';
      /** The bind source is a path inside the rootfs rather than on the host. */
      sourceInRoot?: boolean;
    }
  /** An idmapped bind mount (Linux 5.12+): `source` mounted at `target` with ids shifted through the user namespace `usernsFd`. */
  | { kind: 'idmap'; source: string; target: string; usernsFd: number; recursive?: boolean; create?: 'dir' | 'file' }
  /** pivot_root(2) into the rootfs, then detach the old root. */
  | { kind: 'pivot' }
  /** chroot(2) into the rootfs after moving it to / (for roots where pivot_root is impossible, such as initramfs). */
  | { kind: 'chroot' }
  | { kind: 'mkdir'; path: string; mode?: number }
  | { kind: 'symlink'; target: string; path: string }
  | { kind: 'mknod'; path: string; mode: number; major: number; minor: number }
  /** Hides `path`: /dev/null over a file, an empty read-only tmpfs over a directory. Missing paths are skipped. */
  | { kind: 'mask'; path: string }
  /** Makes `path` read-only with a bind remount. Missing paths are skipped. */
  | { kind: 'readonly'; path: string }
  /** mount(NULL, target, NULL, MS_REMOUNT | flags): e.g. a read-only root. */
  | { kind: 'remount'; target: string; flags: number }
  /** Changes propagation of `target` (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, optionally MS_REC). */
  | { kind: 'propagation'; target: string; flags: number }
  | { kind: 'umount'; target: string; flags?: number };

/** Resource names accepted by {@link RlimitSpec}, as in setrlimit(2) without `RLIMIT_`. */
export type RlimitName =
  | 'as' | 'core' | 'cpu' | 'data' | 'fsize' | 'locks' | 'memlock' | 'msgqueue'
  | 'nice' | 'nofile' | 'nproc' | 'rss' | 'rtprio' | 'rttime' | 'sigpending' | 'stack';

/** A resource limit; `'unlimited'` is RLIM_INFINITY. */
export interface RlimitSpec {
  resource: RlimitName;
  soft: number | bigint | 'unlimited';
  hard: number | bigint | 'unlimited';
}

/** The identity the program runs as. */
export interface UserSpec {
  uid: number;
  gid: number;
  /** Supplementary groups; `[]` clears them (the default when a user is given). */
  groups?: number[];
}

/**
 * Capability masks (bit N = capability N), as `@kc/caps` produces them.
 * Applied after the user switch with SECBIT_KEEP_CAPS, in the order:
 * bounding drops, securebits, effective/permitted/inheritable, ambient.
 */
export interface CapabilitySpec {
  bounding: bigint;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
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
  procsFiles?: string[];
}

/** Offsets of a new time namespace (CLONE_NEWTIME), in seconds (fractions allowed). */
export interface TimeOffsets {
  monotonic?: number;
  boottime?: number;
}

/** Everything about a process to create; validated by {@link validateSpec} before the kernel is touched. */
export interface ProcessSpec {
  /** Program and arguments; argv[0] without `/` is searched in the child's PATH (inside the new root). */
  argv: string[];
  /** Explicit executable path (else argv[0]). */
  path?: string;
  /** Environment. Default: a copy of `process.env`. */
  env?: Record<string, string | undefined>;
  /** Working directory, entered after the user switch (so permissions are the user's). */
  cwd?: string;
  /** File mode creation mask (umask(2)) of the program, e.g. `0o022`. Default: inherited. */
  umask?: number;
  /** Namespaces to create. */
  namespaces?: NamespaceKind[];
  /** Namespaces to join by fd or path. */
  join?: NamespaceJoin[];
  /** Namespaces to join at once through a pidfd. */
  joinPidfd?: PidfdJoin;
  /** uid map of a new user namespace. */
  uidMap?: IdMapEntry[];
  /** gid map of a new user namespace. */
  gidMap?: IdMapEntry[];
  /** `setgroups` of a new user namespace; `'deny'` is required for an unprivileged gid map. Default: `'allow'`. */
  setgroups?: 'allow' | 'deny';
  /** Write id maps with `newuidmap`/`newgidmap` (setuid helpers, for unprivileged callers) instead of directly. */
  idMapHelper?: boolean;
  hostname?: string;
  domainname?: string;
  timeOffsets?: TimeOffsets;
  /** Where the child starts in the cgroup tree (from `@kc/cgroups`). */
  cgroup?: CgroupPlacement;
  /** Mount-namespace setup (from `@kc/namespaces` / `@kc/container`). */
  mounts?: MountStep[];
  /** `/proc/sys` keys (dotted, e.g. `net.ipv4.ip_forward`) written after mounts. */
  sysctl?: Record<string, string>;
  rlimits?: RlimitSpec[];
  /** Written to /proc/self/oom_score_adj before the user switch. */
  oomScoreAdj?: number;
  user?: UserSpec;
  /** Capability sets (from `@kc/caps`). */
  capabilities?: CapabilitySpec;
  /** Set PR_SET_NO_NEW_PRIVS. Default false. */
  noNewPrivileges?: boolean;
  /** Seccomp filter (from `@kc/seccomp`), installed last before execve. */
  seccomp?: SeccompSpec;
  /** stdin, stdout, stderr. Default `['pipe', 'pipe', 'pipe']`. */
  stdio?: [StdioOption, StdioOption, StdioOption];
  /** Extra fds of the caller passed to the child as fd 3, 4, ... */
  extraFds?: number[];
  /** Start a new session (setsid). */
  setsid?: boolean;
  /** Make stdin the controlling terminal (needs setsid and a tty on stdin). */
  controllingTerminal?: boolean;
  /** Signal the child gets when the spawning thread dies (PR_SET_PDEATHSIG). */
  parentDeathSignal?: NodeJS.Signals | number;
}
