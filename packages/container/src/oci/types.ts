/**
 * OCI runtime-spec 1.x `config.json` types (the subset a Linux runtime reads).
 * Field names follow https://github.com/opencontainers/runtime-spec/blob/main/config.md
 * and config-linux.md exactly, so a bundle's JSON parses into them unchanged.
 * `linux.seccomp` is `@kc/seccomp`'s {@link OciSeccomp}: one type for the OCI
 * profile across the SDK.
 */
import type { CapName } from '@kc/caps';
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from '@kc/seccomp';

export type { OciSeccomp, OciSeccompArg, OciSeccompSyscall };

/**
 * A capability name as runtime-spec writes it (`CAP_NET_BIND_SERVICE`): a
 * literal union so a typo does not compile; `validateConfig` still rejects an
 * unknown name in JSON read at run time.
 */
export type OciCapabilityName = `CAP_${CapName}`;

/** `process.user`. */
export interface OciUser {
  /** `process.user.uid`: the process's uid inside the container's user namespace. */
  uid: number;
  /** `process.user.gid`: the process's primary gid inside the container's user namespace. */
  gid: number;
  /** `process.user.umask`: file-mode creation mask (0..0o777), set after the mounts; absent keeps the runtime's umask. */
  umask?: number;
  /** `process.user.additionalGids`: supplementary groups set with setgroups(2); absent or empty means none. */
  additionalGids?: number[];
  /** `process.user.username`: Windows-only in the spec; ignored by kc. */
  username?: string;
}

/** `process.capabilities`: capability names such as `CAP_CHOWN`, per set. */
export interface OciCapabilities {
  /** `process.capabilities.bounding`: the bounding set, the ceiling for every later execve(2); absent or empty drops them all. */
  bounding?: OciCapabilityName[];
  /** `process.capabilities.effective`: capabilities checked by the kernel for the process; absent or empty means none. */
  effective?: OciCapabilityName[];
  /** `process.capabilities.inheritable`: capabilities kept across execve(2) for files with matching inheritable bits; absent or empty means none. */
  inheritable?: OciCapabilityName[];
  /** `process.capabilities.permitted`: the limit of the effective set; absent or empty means none. */
  permitted?: OciCapabilityName[];
  /** `process.capabilities.ambient`: kept across execve(2) of unprivileged programs (each must also be permitted and inheritable); absent or empty means none. */
  ambient?: OciCapabilityName[];
}

/** One `process.rlimits` entry; `type` is `RLIMIT_NOFILE` and so on. */
export interface OciRlimit {
  /** `process.rlimits[].type`: the resource, an `RLIMIT_*` name of setrlimit(2); each at most once. */
  type: string;
  /** `process.rlimits[].soft`: the soft limit, in the resource's own unit (bytes, seconds, count); at most `hard`. */
  soft: number;
  /** `process.rlimits[].hard`: the hard limit (ceiling for the soft one), in the resource's own unit. */
  hard: number;
}

/** `process.consoleSize`. */
export interface OciConsoleSize {
  /** `process.consoleSize.height`: terminal rows, in characters. */
  height: number;
  /** `process.consoleSize.width`: terminal columns, in characters. */
  width: number;
}

/** `process`: what runs in the container. */
export interface OciProcess {
  /** `process.terminal`: give the process a pty, its master sent to the console socket; absent means false. */
  terminal?: boolean;
  /** `process.consoleSize`: the pty's initial size, used only when `terminal` is true. */
  consoleSize?: OciConsoleSize;
  /** `process.user`: who the process runs as. */
  user: OciUser;
  /** `process.args`: argv; `args[0]` is the program, searched in `env`'s `PATH` when it has no slash; kc requires at least one element. */
  args?: string[];
  /** `process.commandLine`: Windows-only in the spec; ignored by kc. */
  commandLine?: string;
  /** `process.env`: the environment as `KEY=value` strings; absent means an empty environment. */
  env?: string[];
  /** `process.cwd`: absolute working directory inside the container. */
  cwd: string;
  /** `process.capabilities`: the five capability sets; absent leaves every set empty. */
  capabilities?: OciCapabilities;
  /** `process.rlimits`: resource limits set with setrlimit(2); absent keeps the runtime's limits. */
  rlimits?: OciRlimit[];
  /** `process.noNewPrivileges`: set PR_SET_NO_NEW_PRIVS (prctl(2)) so execve(2) cannot grant privileges; absent means false. */
  noNewPrivileges?: boolean;
  /** `process.apparmorProfile`: AppArmor profile name; kc cannot apply it, so a config that sets it is refused (UNSUPPORTED). */
  apparmorProfile?: string;
  /** `process.oomScoreAdj`: written to /proc/PID/oom_score_adj, -1000..1000; absent keeps the runtime's value. */
  oomScoreAdj?: number;
  /** `process.selinuxLabel`: SELinux process label; kc cannot apply it, so a config that sets it is refused (UNSUPPORTED). */
  selinuxLabel?: string;
}

/** `root`. */
export interface OciRoot {
  /** `root.path`: the root filesystem, absolute or relative to the bundle directory. */
  path: string;
  /** `root.readonly`: mount the root read-only; absent means false. */
  readonly?: boolean;
}

/** One `mounts` entry. */
export interface OciMount {
  /** `mounts[].destination`: absolute path inside the container (no `..`), created when missing. */
  destination: string;
  /** `mounts[].source`: device name, host path (bind mounts, required there) or a placeholder such as `proc`. */
  source?: string;
  /** `mounts[].type`: filesystem type for mount(2) (`proc`, `tmpfs`, `bind`...); absent with a `bind`/`rbind` option means a bind mount. */
  type?: string;
  /** `mounts[].options`: mount(8)-style options, split into flags, propagation and data by {@link parseOciMountOptions}. */
  options?: string[];
  /**
   * `mounts[].uidMappings`: uid mapping of an idmapped bind mount (runtime-spec
   * 1.1), in uid_map order as runc reads it: a file owned by `containerID + n`
   * on the source filesystem appears owned by `hostID + n` (and files created
   * through the mount are stored the other way round). Applied with
   * mount_setattr(2) `MOUNT_ATTR_IDMAP`; needs `gidMappings` too.
   */
  uidMappings?: OciIdMapping[];
  /** `mounts[].gidMappings`: gid mapping of an idmapped bind mount, as `uidMappings`. */
  gidMappings?: OciIdMapping[];
}

/** One hook of `hooks`. */
export interface OciHook {
  /** `hooks.*[].path`: absolute path of the program (resolved on the host, except for `startContainer`). */
  path: string;
  /** `hooks.*[].args`: argv including argv[0]; absent means `[path]`, as runc. */
  args?: string[];
  /** `hooks.*[].env`: the environment as `KEY=value` strings; absent means empty, as runc. */
  env?: string[];
  /** `hooks.*[].timeout`: seconds before the hook is killed with SIGKILL (at least 1); absent means no limit. */
  timeout?: number;
}

/** `hooks`. */
export interface OciHooks {
  /** `hooks.prestart`: deprecated by the spec, still run during `create` in the runtime namespace, before `createRuntime`. */
  prestart?: OciHook[];
  /** `hooks.createRuntime`: run during `create` in the runtime namespace, once the container's process exists. */
  createRuntime?: OciHook[];
  /** `hooks.createContainer`: run during `create` in the container's namespaces (after pivot_root in kc). */
  createContainer?: OciHook[];
  /** `hooks.startContainer`: run during `start` inside the container, before the user's program is released. */
  startContainer?: OciHook[];
  /** `hooks.poststart`: run in the runtime namespace after `start`; a failure is reported, not fatal. */
  poststart?: OciHook[];
  /** `hooks.poststop`: run in the runtime namespace after `delete`; a failure is reported, not fatal. */
  poststop?: OciHook[];
}

/** The namespace type names of `linux.namespaces[].type`. */
export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

/** One `linux.namespaces` entry: a new namespace, or one joined by `path`. */
export interface OciNamespace {
  /** `linux.namespaces[].type`: which namespace; each type at most once. */
  type: OciNamespaceType;
  /** `linux.namespaces[].path`: absolute path of a namespace file to join (setns(2), e.g. `/proc/PID/ns/net`); absent creates a new one. */
  path?: string;
}

/** One `linux.uidMappings` / `gidMappings` entry. */
export interface OciIdMapping {
  /** `containerID`: first id of the range inside the user namespace. */
  containerID: number;
  /** `hostID`: first id of the range on the host (the parent user namespace). */
  hostID: number;
  /** `size`: number of consecutive ids mapped (at least 1). */
  size: number;
}

/** One `linux.devices` entry: a device node created in the container's /dev. */
export interface OciDevice {
  /** `linux.devices[].type`: `c` character, `b` block, `u` unbuffered character, `p` FIFO. */
  type: 'c' | 'b' | 'u' | 'p';
  /** `linux.devices[].path`: absolute path of the node in the container, under `/dev/`. */
  path: string;
  /** `linux.devices[].major`: device major number (required unless `type` is `p`). */
  major?: number;
  /** `linux.devices[].minor`: device minor number (required unless `type` is `p`). */
  minor?: number;
  /** `linux.devices[].fileMode`: permission bits of the node (0..0o7777); absent means 0o666. */
  fileMode?: number;
  /** `linux.devices[].uid`: owner of the node; not applied by kc (the node stays owned by root). */
  uid?: number;
  /** `linux.devices[].gid`: group of the node; not applied by kc (the node stays owned by root). */
  gid?: number;
}

/** One `linux.resources.devices` cgroup rule. */
export interface OciDeviceCgroupRule {
  /** `allow`: true allows the matching devices, false denies them. */
  allow: boolean;
  /** `type`: `a` all, `c` character, `b` block; absent means `a`. */
  type?: 'a' | 'c' | 'b';
  /** `major`: device major number; absent, null or negative matches every major. */
  major?: number | null;
  /** `minor`: device minor number; absent, null or negative matches every minor. */
  minor?: number | null;
  /** `access`: any of `r` read, `w` write, `m` mknod; absent means `rwm`. */
  access?: string;
}

/** `linux.resources.memory` (bytes; -1 is unlimited). */
export interface OciMemory {
  /** `memory.limit`: hard memory limit in bytes (`memory.max` / `memory.limit_in_bytes`); -1 is unlimited. */
  limit?: number;
  /** `memory.reservation`: soft limit in bytes (`memory.low` / `memory.soft_limit_in_bytes`); -1 means none. */
  reservation?: number;
  /** `memory.swap`: memory + swap limit in bytes (v1 `memsw`; on v2 `swap.max = swap − limit`); -1 is unlimited; at least `limit`. */
  swap?: number;
  /** `memory.kernel`: kernel memory limit in bytes, deprecated; validated but not applied (gone from the kernel). */
  kernel?: number;
  /** `memory.kernelTCP`: kernel TCP buffer limit in bytes, deprecated; validated but not applied. */
  kernelTCP?: number;
  /** `memory.swappiness`: reclaim preference for anonymous memory, 0..100 (v1 `memory.swappiness`). */
  swappiness?: number;
  /** `memory.disableOOMKiller`: the v1 memory controller's `memory.oom_control` (cgroup v2 has none: UNSUPPORTED there). */
  disableOOMKiller?: boolean;
}

/** `linux.resources.cpu`. */
export interface OciCpu {
  /** `cpu.shares`: relative CPU weight, 2..262144 (v1 `cpu.shares`; converted to `cpu.weight` on v2). */
  shares?: number;
  /** `cpu.quota`: CPU time in microseconds the group may use per `period`; 0 or -1 is unlimited. */
  quota?: number;
  /** `cpu.period`: length of the quota period in microseconds, 1000..1000000. */
  period?: number;
  /** `cpu.realtimeRuntime`: real-time CPU time in microseconds per `realtimePeriod`; validated but not applied. */
  realtimeRuntime?: number;
  /** `cpu.realtimePeriod`: real-time scheduling period in microseconds; validated but not applied. */
  realtimePeriod?: number;
  /** `cpu.cpus`: CPUs the container may run on, a cpuset list such as `0-1,3` (`cpuset.cpus`); absent or empty inherits the parent's. */
  cpus?: string;
  /** `cpu.mems`: memory nodes the container may use, a list such as `0-1` (`cpuset.mems`); absent or empty inherits the parent's. */
  mems?: string;
  /** `cpu.idle`: non-zero gives the group SCHED_IDLE priority (`cpu.idle`); 0 means normal. */
  idle?: number;
}

/** `linux.resources`. */
export interface OciResources {
  /** `linux.resources.devices`: device cgroup rules, in order, followed by runc's always-allowed devices and `linux.devices`. */
  devices?: OciDeviceCgroupRule[];
  /** `linux.resources.memory`: memory limits; absent leaves them unset. */
  memory?: OciMemory;
  /** `linux.resources.cpu`: CPU bandwidth, weight and placement; absent leaves them unset. */
  cpu?: OciCpu;
  /** `linux.resources.pids`: limit on the number of tasks in the group. */
  pids?: {
    /** `pids.limit`: maximum number of tasks (`pids.max`); 0 or -1 is unlimited. */
    limit: number;
  };
  /** `linux.resources.blockIO`: block I/O weight (the only `blockIO` field kc reads). */
  blockIO?: {
    /** `blockIO.weight`: relative I/O weight, 10..1000 (v1 `blkio.weight`; converted to `io.weight` on v2). */
    weight?: number;
  };
  /** `linux.resources.hugepageLimits`: hugetlb limits, one per page size. */
  hugepageLimits?: {
    /** `pageSize`: the huge page size as in the hugetlb file names, e.g. `2MB`, `1GB`. */
    pageSize: string;
    /** `limit`: hugetlb usage limit in bytes; -1 is unlimited. */
    limit: number;
  }[];
  /** `linux.resources.network`: net_cls / net_prio settings; kc cannot apply them, so a config that sets them is refused (UNSUPPORTED). */
  network?: {
    /** `network.classID`: net_cls class id for tagging packets. */
    classID?: number;
    /** `network.priorities`: net_prio priority per interface. */
    priorities?: {
      /** The network interface, e.g. `eth0`. */
      name: string;
      /** Its net_prio priority. */
      priority: number;
    }[];
  };
  /** `linux.resources.unified`: raw cgroup v2 file → value pairs; a non-empty map makes `create` fail with UNSUPPORTED. */
  unified?: Record<string, string>;
}

/** `linux`. */
export interface OciLinux {
  /** `linux.namespaces`: namespaces to create or join; a type not listed is shared with the runtime. */
  namespaces?: OciNamespace[];
  /** `linux.uidMappings`: uid map of the new user namespace (needs a `user` namespace entry). */
  uidMappings?: OciIdMapping[];
  /** `linux.gidMappings`: gid map of the new user namespace (needs a `user` namespace entry). */
  gidMappings?: OciIdMapping[];
  /** `linux.devices`: device nodes to create in the container (bind-mounted from the host inside a user namespace). */
  devices?: OciDevice[];
  /** `linux.cgroupsPath`: the container's cgroup path under each hierarchy's root (cgroupfs form), or systemd's `slice:prefix:name` (a transient scope); absent means `/kc/<id>` (`system.slice:kc:<id>` with `--systemd-cgroup`). */
  cgroupsPath?: string;
  /** `linux.resources`: cgroup limits, translated by {@link toCgroupResources}; absent means no limits. */
  resources?: OciResources;
  /** `linux.seccomp`: the seccomp filter profile; absent means no filter. */
  seccomp?: OciSeccomp;
  /** `linux.sysctl`: namespaced sysctl key → value, written under /proc/sys in the container (`net.*` needs a network namespace). */
  sysctl?: Record<string, string>;
  /** `linux.maskedPaths`: absolute container paths hidden from the process: /dev/null bound over files, an empty read-only tmpfs over directories. */
  maskedPaths?: string[];
  /** `linux.readonlyPaths`: absolute container paths remounted read-only. */
  readonlyPaths?: string[];
  /** `linux.rootfsPropagation`: mount propagation of the root (`private`, `rslave`, `shared`...); absent means `rprivate`. */
  rootfsPropagation?: string;
  /** `linux.mountLabel`: SELinux context of the mounts; kc cannot apply it, so a config that sets it is refused (UNSUPPORTED). */
  mountLabel?: string;
  /** `linux.timeOffsets`: per clock (`monotonic`, `boottime`), the offset of the time namespace; applied only with a `time` namespace. */
  timeOffsets?: Record<
    string,
    {
      /** `timeOffsets.<clock>.secs`: whole seconds of the offset; absent means 0. */
      secs?: number;
      /** `timeOffsets.<clock>.nanosecs`: nanoseconds added to `secs`; absent means 0. */
      nanosecs?: number;
    }
  >;
}

/** A whole `config.json`. */
export interface OciConfig {
  /** `ociVersion`: the runtime-spec version the bundle follows, `1.x.y` (semver). */
  ociVersion: string;
  /** `process`: the container's first process; required by `create`. */
  process?: OciProcess;
  /** `root`: the container's root filesystem. */
  root?: OciRoot;
  /** `hostname`: the container's hostname (needs a `uts` namespace). */
  hostname?: string;
  /** `domainname`: the container's NIS domain name (needs a `uts` namespace). */
  domainname?: string;
  /** `mounts`: mounts made in order after the root, relative to it. */
  mounts?: OciMount[];
  /** `hooks`: programs run at points of the lifecycle. */
  hooks?: OciHooks;
  /** `annotations`: arbitrary key → value metadata, copied into the container's state. */
  annotations?: Record<string, string>;
  /** `linux`: the Linux-specific settings (namespaces, cgroups, seccomp...). */
  linux?: OciLinux;
}

/** The container statuses of the OCI state (runtime.md), plus runc's `paused`. */
export type OciStatus = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

/** The OCI state JSON, as `kc state` prints it. */
export interface OciState {
  /** `ociVersion` of state.json: the runtime-spec version kc implements. */
  ociVersion: string;
  /** `id`: the container's id, unique on this host under the state root. */
  id: string;
  /** `status`: where the container is in its lifecycle. */
  status: OciStatus;
  /** 0 once stopped. */
  pid: number;
  /** `bundle`: absolute path of the bundle directory. */
  bundle: string;
  /** `annotations`: the config's annotations; absent when it had none or they were empty. */
  annotations?: Record<string, string>;
}
