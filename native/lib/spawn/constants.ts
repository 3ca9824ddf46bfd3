/** clone(2) namespace flags by kind (linux/sched.h). */
export const CLONE_FLAGS = {
  /** CLONE_NEWNS: a new mount namespace. */
  mnt: 0x00020000,
  /** CLONE_NEWUTS: a new hostname/domainname namespace. */
  uts: 0x04000000,
  /** CLONE_NEWIPC: new System V IPC objects and POSIX message queues. */
  ipc: 0x08000000,
  /** CLONE_NEWUSER: a new user namespace (uid/gid maps, capabilities). */
  user: 0x10000000,
  /** CLONE_NEWPID: a new pid namespace; the child is its pid 1. */
  pid: 0x20000000,
  /** CLONE_NEWNET: a new network namespace (only a down `lo`). */
  net: 0x40000000,
  /** CLONE_NEWCGROUP: a new cgroup namespace rooted at the child's cgroup (Linux 4.6+). */
  cgroup: 0x02000000,
  /** CLONE_NEWTIME: a new time namespace with its own monotonic/boottime offsets (Linux 5.6+). */
  time: 0x00000080,
} as const;

/** RLIMIT_* numbers on Linux (asm-generic/resource.h; the same on x86_64 and arm64). */
export const RLIMIT_NUMBERS = {
  /** RLIMIT_CPU: CPU time in seconds (SIGXCPU at the soft limit). */
  cpu: 0,
  /** RLIMIT_FSIZE: largest file the process may create, in bytes. */
  fsize: 1,
  /** RLIMIT_DATA: data segment and heap size, in bytes. */
  data: 2,
  /** RLIMIT_STACK: main thread stack size, in bytes. */
  stack: 3,
  /** RLIMIT_CORE: largest core dump, in bytes (0 disables them). */
  core: 4,
  /** RLIMIT_RSS: resident set size in bytes (no effect since Linux 2.6). */
  rss: 5,
  /** RLIMIT_NPROC: number of threads of the real uid. */
  nproc: 6,
  /** RLIMIT_NOFILE: one more than the highest fd number that can be opened. */
  nofile: 7,
  /** RLIMIT_MEMLOCK: bytes of memory that may be locked (mlock, SHM_LOCK). */
  memlock: 8,
  /** RLIMIT_AS: virtual address space, in bytes. */
  as: 9,
  /** RLIMIT_LOCKS: flock/fcntl locks (no effect since Linux 2.4.25). */
  locks: 10,
  /** RLIMIT_SIGPENDING: queued signals of the real uid. */
  sigpending: 11,
  /** RLIMIT_MSGQUEUE: bytes of POSIX message queues of the real uid. */
  msgqueue: 12,
  /** RLIMIT_NICE: ceiling of the nice value, as 20 - nice (1..40). */
  nice: 13,
  /** RLIMIT_RTPRIO: ceiling of the real-time priority (0..99). */
  rtprio: 14,
  /** RLIMIT_RTTIME: CPU time in microseconds a real-time task may use without blocking. */
  rttime: 15,
} as const;

/**
 * mount(2) flags (MS_*) from <linux/mount.h>, for `flags` and `propagation`
 * of mount steps. The SDK's one MS table: `@kc/namespaces` and
 * `@kc/container` re-export it.
 *
 * @example
 * ```ts
 * const ro = MS.BIND | MS.REMOUNT | MS.RDONLY;
 * ```
 */
export const MS = {
  /** Read-only mount. */
  RDONLY: 0x1,
  /** Ignore set-user-ID/set-group-ID bits and file capabilities on execve. */
  NOSUID: 0x2,
  /** Disallow access to device nodes. */
  NODEV: 0x4,
  /** Disallow execve of programs on this mount. */
  NOEXEC: 0x8,
  /** Write synchronously, as with O_SYNC on every file. */
  SYNCHRONOUS: 0x10,
  /** Change the flags of an existing mount. */
  REMOUNT: 0x20,
  /** Allow mandatory locks (removed in Linux 5.15; ignored). */
  MANDLOCK: 0x40,
  /** Make directory changes synchronous. */
  DIRSYNC: 0x80,
  /** Do not follow symlinks when resolving paths on this mount (Linux 5.10+). */
  NOSYMFOLLOW: 0x100,
  /** Do not update access times. */
  NOATIME: 0x400,
  /** Do not update directory access times. */
  NODIRATIME: 0x800,
  /** Bind mount: make a file or subtree visible at another place. */
  BIND: 0x1000,
  /** Move an existing mount to a new place. */
  MOVE: 0x2000,
  /** With BIND or a propagation flag: apply to the whole subtree. */
  REC: 0x4000,
  /** Suppress some kernel log messages (formerly MS_VERBOSE). */
  SILENT: 0x8000,
  /** Kernel-internal (set by filesystems supporting POSIX ACLs); not meant for mount(2) callers. */
  POSIXACL: 0x10000,
  /** Propagation: private, and cannot be bind-mounted. */
  UNBINDABLE: 0x20000,
  /** Propagation: neither receives nor sends mount events. */
  PRIVATE: 0x40000,
  /** Propagation: receives mount events from its master, sends none. */
  SLAVE: 0x80000,
  /** Propagation: shares mount events with its peer group. */
  SHARED: 0x100000,
  /** Update access times only when older than mtime/ctime or than 24 h (the default since 2.6.30). */
  RELATIME: 0x200000,
  /** Kernel-internal (a mount made by the kernel itself); rejected or ignored from user space. */
  KERNMOUNT: 0x400000,
  /** Update the inode i_version field on every change (used by NFS and IMA; `iversion` option). */
  I_VERSION: 0x800000,
  /** Always update access times. */
  STRICTATIME: 0x1000000,
  /** Keep timestamp updates in memory, written back lazily (Linux 4.0+). */
  LAZYTIME: 0x2000000,
} as const;

/** MOUNT_ATTR_* of mount_setattr(2) (linux/mount.h), for `setattr` mount steps. */
export const MOUNT_ATTR = {
  /** Read-only mount. */
  RDONLY: 0x1,
  /** Ignore set-user-ID/set-group-ID bits and file capabilities on execve. */
  NOSUID: 0x2,
  /** Disallow access to device nodes. */
  NODEV: 0x4,
  /** Disallow execve of programs on this mount. */
  NOEXEC: 0x8,
  /** The atime mode bits (MOUNT_ATTR__ATIME): an enum inside a bitmask, so setting a mode needs all of them in `attr_clr`. */
  _ATIME: 0x70,
  /** Atime mode: relative atime (the value 0 of the mode). */
  RELATIME: 0x0,
  /** Atime mode: never update access times. */
  NOATIME: 0x10,
  /** Atime mode: always update access times. */
  STRICTATIME: 0x20,
  /** Do not update directory access times. */
  NODIRATIME: 0x80,
  /** Do not follow symlinks on this mount (Linux 5.14+). */
  NOSYMFOLLOW: 0x200000,
} as const;
