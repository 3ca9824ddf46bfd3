/**
 * The steps of the spawn pipeline, in the fixed order the child runs them
 * (the same order as `enum kc_step` in native/include/kc/plan.h). A
 * {@link SpawnError}'s `step` is one of these names, so callers can `switch`.
 */
export const SPAWN_STEPS = [
  'clone',
  'sync',
  'setgroups_file',
  'uid_map',
  'gid_map',
  'cgroup',
  'signals',
  'dumpable',
  'close_fds',
  'oom_score_adj',
  'setns',
  'unshare',
  'pid_fork',
  'pdeathsig',
  'setsid',
  'timens',
  'userns_root',
  'hostname',
  'domainname',
  'mounts',
  'sysctl',
  'rlimits',
  'keep_caps',
  'groups',
  'gid',
  'uid',
  'cap_bounding',
  'securebits',
  'capset',
  'cap_ambient',
  'no_new_privs',
  'cwd',
  'dev_null',
  'stdio',
  'ctty',
  'seccomp',
  'execve',
] as const;

/** One of {@link SPAWN_STEPS}. */
export type SpawnStep = (typeof SPAWN_STEPS)[number];

/** What to check when a step fails: shown as the error's `hint`. */
export const SPAWN_STEP_HINTS: Readonly<Record<SpawnStep, string>> = {
  clone:
    'clone3 refused: creating namespaces needs CAP_SYS_ADMIN (or a user namespace); check /proc/sys/user/max_*_namespaces, and that a cgroup fd is a cgroup v2 directory',
  sync: 'the child died or hung during setup before reporting (killed by a signal, OOM, or a seccomp filter installed early)',
  setgroups_file: 'writing /proc/PID/setgroups failed: it exists only for a new user namespace and must be written before gid_map',
  uid_map:
    'writing uid_map failed: each line is "inside outside count"; without CAP_SETUID in the parent namespace only your own uid may be mapped (or use idMapHelper with /etc/subuid)',
  gid_map: 'writing gid_map failed: an unprivileged gid map needs setgroups "deny"; or use idMapHelper with /etc/subgid',
  cgroup: 'writing the pid to cgroup.procs failed: does the cgroup exist, and is the controller mounted?',
  signals: 'resetting signal dispositions failed',
  dumpable: 'prctl(PR_SET_DUMPABLE, 0) failed: the child must not be dumpable (ptrace-readable) while it joins namespaces and applies the config',
  userns_root:
    'becoming root (uid and gid 0) of the new user namespace failed: both uidMap and gidMap must map id 0, and setgroups must be allowed to drop the host groups',
  close_fds: 'closing the fds inherited from the host failed: the plan names more than 1024 fds (stdio, extraFds, joins, idmap user namespaces)',
  pdeathsig: 'prctl(PR_SET_PDEATHSIG) failed: is the signal number valid?',
  setsid: 'setsid failed',
  setns: "setns failed: the fd must be a namespace file of the given kind; joining needs CAP_SYS_ADMIN in the target namespace's user namespace",
  unshare: 'creating namespaces after joining failed: the joined user namespace must grant CAP_SYS_ADMIN',
  pid_fork: 'forking into the joined/new pid namespace failed: is the pid namespace still alive (its init running)?',
  timens: 'time namespace setup failed: needs Linux 5.6+ and CAP_SYS_TIME; offsets must be "monotonic|boottime SECS NSECS"',
  hostname: 'sethostname failed: needs a new or joined uts namespace and CAP_SYS_ADMIN in it; at most 64 bytes',
  domainname: 'setdomainname failed: needs a uts namespace; at most 64 bytes',
  mounts:
    'a mount step failed: check the step at `path` (source exists? target inside the rootfs? filesystem type supported? in a user namespace only some filesystems can be mounted)',
  sysctl: 'writing /proc/sys failed: only namespaced keys can be set, and /proc must be mounted in the new root',
  rlimits: 'setrlimit failed: a hard limit cannot be raised above the current one without CAP_SYS_RESOURCE',
  oom_score_adj: 'writing oom_score_adj failed: lowering it needs CAP_SYS_RESOURCE',
  keep_caps: 'prctl(PR_SET_KEEPCAPS) failed',
  groups: 'setgroups failed: in a user namespace setgroups may be denied; groups must be mapped',
  gid: 'setresgid failed: the gid must be mapped in the user namespace',
  uid: 'setresuid failed: the uid must be mapped in the user namespace',
  cap_bounding: 'dropping from the bounding set failed: needs CAP_SETPCAP',
  securebits: 'prctl(PR_SET_SECUREBITS) failed: needs CAP_SETPCAP, and locked bits cannot be changed',
  capset: 'capset failed: the sets must be subsets of what the process holds (permitted) and of the bounding set (inheritable)',
  cap_ambient: 'raising an ambient capability failed: it must be in both permitted and inheritable, and not forbidden by SECBIT_NO_CAP_AMBIENT_RAISE',
  no_new_privs: 'prctl(PR_SET_NO_NEW_PRIVS) failed',
  cwd: 'chdir failed, or the directory lies outside the new root (EXDEV: a cwd through /proc/self/fd or a host path reached through a symlink is refused): does the directory exist inside the new root, and may the target user enter it?',
  dev_null:
    "opening /dev/null for stdio 'ignore' failed: the child opens it in its own root after the mounts, and a /dev/null there must be the null character device 1:3 (a symlink is refused with ELOOP, another file or device with EPERM; a root without any /dev/null gets the caller's); fix the root's /dev (a tmpfs with that node, or minimalMounts() of @kc/namespaces), or pass an open fd instead of 'ignore'",
  stdio: 'setting up stdio/extra fds failed: are the fds open?',
  ctty: 'TIOCSCTTY failed: stdin must be a terminal and setsid must be set',
  seccomp: 'installing the seccomp filter failed: without noNewPrivileges it needs CAP_SYS_ADMIN; EINVAL means an invalid program or unsupported flag',
  execve: 'execve failed: does the program exist in the new root (and its interpreter / dynamic loader), is it executable, is PATH right?',
};
