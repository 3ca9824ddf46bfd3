import { type ArchName, nativeArch } from '../arch.js';
import { Act, type Policy, type Rule } from '../policy/model.js';

/**
 * kc's default allow-list, grouped by what a containerised program needs them
 * for. Everything else returns EPERM; calls newer than the newest one kc's
 * tables know (Linux 6.1) return ENOSYS so libc falls back. Left out on
 * purpose (each needs a capability a container does not get, or reaches
 * kernel state shared with the host): mount/umount/pivot_root/move_mount and
 * the new mount API (CAP_SYS_ADMIN, escape), unshare/setns (new namespaces
 * widen kernel attack surface), bpf/perf_event_open (kernel exploits' favourite
 * doors), kexec_*, *_module, reboot, swapon/swapoff, acct, quotactl,
 * settimeofday/clock_settime/adjtimex writes (host clock), keyctl/add_key/
 * request_key (the keyring is not namespaced), userfaultfd (race exploitation
 * aid), ptrace/process_vm_* (cross-process access), open_by_handle_at
 * (shocker escape), lookup_dcookie, iopl/ioperm, syslog, vhangup, nfsservctl,
 * fanotify_init, name_to_handle_at.
 */
const ALLOWED: [reason: string, names: string[]][] = [
  ['file I/O on open descriptors', ['read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'lseek', '_llseek', 'sendfile', 'sendfile64', 'copy_file_range', 'splice', 'tee', 'vmsplice', 'fsync', 'fdatasync', 'sync_file_range', 'syncfs', 'sync', 'fallocate', 'ftruncate', 'ftruncate64', 'fadvise64', 'fadvise64_64', 'readahead', 'flock']],
  ['descriptor management', ['close', 'close_range', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'ioctl', 'pipe', 'pipe2']],
  ['paths: open, stat, create, remove inside the container root', ['open', 'openat', 'openat2', 'creat', 'access', 'faccessat', 'faccessat2', 'stat', 'lstat', 'fstat', 'newfstatat', 'stat64', 'lstat64', 'fstat64', 'fstatat64', 'statx', 'statfs', 'fstatfs', 'statfs64', 'fstatfs64', 'getdents', 'getdents64', 'readlink', 'readlinkat', 'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat', 'mknod', 'mknodat', 'truncate', 'truncate64', 'chdir', 'fchdir', 'getcwd', 'chroot', 'umask', 'utime', 'utimes', 'utimensat', 'futimesat', 'utimensat_time64']],
  ['ownership and modes (checked by the kernel against the container user)', ['chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'lchown', 'fchownat', 'chown32', 'fchown32', 'lchown32']],
  ['extended attributes', ['getxattr', 'lgetxattr', 'fgetxattr', 'setxattr', 'lsetxattr', 'fsetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr']],
  ['memory', ['brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'mlock', 'mlock2', 'munlock', 'mlockall', 'munlockall', 'memfd_create', 'membarrier', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'remap_file_pages']],
  ['processes and threads (clone without namespace flags is filtered below)', ['fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'waitpid', 'getpid', 'getppid', 'gettid', 'set_tid_address', 'set_robust_list', 'get_robust_list', 'futex', 'futex_waitv', 'futex_time64', 'rseq', 'arch_prctl', 'set_thread_area', 'get_thread_area', 'prctl', 'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_getattr', 'sched_setattr', 'getpriority', 'setpriority', 'ioprio_get', 'ioprio_set', 'getrlimit', 'ugetrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times', 'capget', 'capset', 'personality', 'pidfd_open', 'pidfd_send_signal', 'restart_syscall']],
  ['signals', ['kill', 'tkill', 'tgkill', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigpending', 'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack', 'signalfd', 'signalfd4', 'sigreturn', 'sigaction', 'sigprocmask', 'sigpending', 'sigsuspend', 'signal', 'pause', 'alarm']],
  ['credentials (bounded by the container user namespace and capabilities)', ['getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups', 'setuid', 'setgid', 'setreuid', 'setregid', 'setresuid', 'setresgid', 'setgroups', 'setfsuid', 'setfsgid', 'getuid32', 'geteuid32', 'getgid32', 'getegid32', 'getresuid32', 'getresgid32', 'getgroups32', 'setuid32', 'setgid32', 'setreuid32', 'setregid32', 'setresuid32', 'setresgid32', 'setgroups32', 'setfsuid32', 'setfsgid32', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid']],
  ['time (reading only; setting the clock is the host\'s)', ['clock_gettime', 'clock_getres', 'clock_nanosleep', 'clock_gettime64', 'clock_getres_time64', 'clock_nanosleep_time64', 'gettimeofday', 'time', 'nanosleep', 'getitimer', 'setitimer', 'timer_create', 'timer_delete', 'timer_gettime', 'timer_settime', 'timer_getoverrun', 'timer_gettime64', 'timer_settime64', 'timerfd_create', 'timerfd_gettime', 'timerfd_settime', 'timerfd_gettime64', 'timerfd_settime64']],
  ['event loops', ['poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2', 'eventfd', 'eventfd2', 'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'io_uring_setup', 'io_uring_enter', 'io_uring_register']],
  ['networking in the container\'s network namespace (socket is filtered below)', ['socketpair', 'bind', 'connect', 'listen', 'accept', 'accept4', 'getsockname', 'getpeername', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg', 'recvmmsg_time64', 'shutdown', 'setsockopt', 'getsockopt', 'socketcall', 'send', 'recv']],
  ['System V and POSIX IPC (namespaced by the IPC namespace)', ['ipc', 'shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'semctl', 'msgget', 'msgsnd', 'msgrcv', 'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr', 'mq_timedsend_time64', 'mq_timedreceive_time64']],
  ['system information', ['uname', 'olduname', 'sysinfo', 'getrandom', 'getcpu', 'sethostname', 'setdomainname']],
  ['arch-specific helpers libc needs', ['cacheflush', 'set_tls', 'breakpoint', 'riscv_flush_icache', 'sync_file_range2', 'arm_fadvise64_64', 'arm_sync_file_range', 'modify_ldt']],
];

/** clone's namespace flags (CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET, 0x7e020000): a plain fork or thread is fine, a new namespace is not. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000n;

/**
 * kc's default seccomp profile for containers: an allow-list justified
 * group by group in its source (packages/seccomp/src/profiles/kc-default.ts),
 * EPERM for the rest, ENOSYS for calls newer than Linux 6.1, clone without
 * namespace flags, clone3 answered with ENOSYS (its flags are in memory a
 * filter cannot read, so glibc must fall back to clone), socket for every
 * family but AF_VSOCK (40, host-side services).
 *
 * @param arches - default: the native arch
 * @example
 * ```ts
 * const filter = compile(kcDefaultPolicy());
 * ```
 */
export function kcDefaultPolicy(arches: ArchName[] = [nativeArch() ?? 'x86_64']): Policy {
  const rules: Rule[] = [];
  for (const [, names] of ALLOWED) for (const n of names) rules.push({ syscall: n, action: Act.allow });
  rules.push({ syscall: 'clone', action: Act.allow, args: [{ index: 0, op: 'masked_eq', mask: CLONE_NAMESPACE_FLAGS, value: 0n }] });
  rules.push({ syscall: 'clone3', action: Act.errno(38) });
  rules.push({ syscall: 'socket', action: Act.allow, args: [{ index: 0, op: 'ne', value: 40n }] });
  return { defaultAction: Act.errno(1), arches, rules, enosysAfter: 'set_mempolicy_home_node', unknownSyscalls: 'skip' };
}
