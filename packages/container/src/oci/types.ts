/**
 * OCI runtime-spec 1.x `config.json` types (the subset a Linux runtime reads).
 * Field names follow https://github.com/opencontainers/runtime-spec/blob/main/config.md
 * and config-linux.md exactly, so a bundle's JSON parses into them unchanged.
 */

/** `process.user`. */
export interface OciUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  username?: string;
}

/** `process.capabilities`: capability names such as `CAP_CHOWN`, per set. */
export interface OciCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** One `process.rlimits` entry; `type` is `RLIMIT_NOFILE` and so on. */
export interface OciRlimit {
  type: string;
  soft: number;
  hard: number;
}

/** `process.consoleSize`. */
export interface OciConsoleSize {
  height: number;
  width: number;
}

/** `process`: what runs in the container. */
export interface OciProcess {
  terminal?: boolean;
  consoleSize?: OciConsoleSize;
  user: OciUser;
  args?: string[];
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: OciCapabilities;
  rlimits?: OciRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

/** `root`. */
export interface OciRoot {
  path: string;
  readonly?: boolean;
}

/** One `mounts` entry. */
export interface OciMount {
  destination: string;
  source?: string;
  type?: string;
  options?: string[];
  uidMappings?: OciIdMapping[];
  gidMappings?: OciIdMapping[];
}

/** One hook of `hooks`. */
export interface OciHook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

/** `hooks`. */
export interface OciHooks {
  prestart?: OciHook[];
  createRuntime?: OciHook[];
  createContainer?: OciHook[];
  startContainer?: OciHook[];
  poststart?: OciHook[];
  poststop?: OciHook[];
}

/** The namespace type names of `linux.namespaces[].type`. */
export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

/** One `linux.namespaces` entry: a new namespace, or one joined by `path`. */
export interface OciNamespace {
  type: OciNamespaceType;
  path?: string;
}

/** One `linux.uidMappings` / `gidMappings` entry. */
export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** One `linux.devices` entry: a device node created in the container's /dev. */
export interface OciDevice {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

/** One `linux.resources.devices` cgroup rule. */
export interface OciDeviceCgroupRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number | null;
  minor?: number | null;
  access?: string;
}

/** `linux.resources.memory` (bytes; -1 is unlimited). */
export interface OciMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
}

/** `linux.resources.cpu`. */
export interface OciCpu {
  shares?: number;
  quota?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
  idle?: number;
}

/** `linux.resources`. */
export interface OciResources {
  devices?: OciDeviceCgroupRule[];
  memory?: OciMemory;
  cpu?: OciCpu;
  pids?: { limit: number };
  blockIO?: { weight?: number };
  hugepageLimits?: { pageSize: string; limit: number }[];
  network?: { classID?: number };
  unified?: Record<string, string>;
}

/** One `linux.seccomp.syscalls` rule argument. */
export interface OciSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

/** One `linux.seccomp.syscalls` rule. */
export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[];
}

/** `linux.seccomp`. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OciSeccompSyscall[];
}

/** `linux`. */
export interface OciLinux {
  namespaces?: OciNamespace[];
  uidMappings?: OciIdMapping[];
  gidMappings?: OciIdMapping[];
  devices?: OciDevice[];
  cgroupsPath?: string;
  resources?: OciResources;
  seccomp?: OciSeccomp;
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rootfsPropagation?: string;
  mountLabel?: string;
  timeOffsets?: Record<string, { secs?: number; nanosecs?: number }>;
}

/** A whole `config.json`. */
export interface OciConfig {
  ociVersion: string;
  process?: OciProcess;
  root?: OciRoot;
  hostname?: string;
  domainname?: string;
  mounts?: OciMount[];
  hooks?: OciHooks;
  annotations?: Record<string, string>;
  linux?: OciLinux;
}

/** The container statuses of the OCI state (runtime.md), plus runc's `paused`. */
export type OciStatus = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

/** The OCI state JSON, as `kc state` prints it. */
export interface OciState {
  ociVersion: string;
  id: string;
  status: OciStatus;
  /** 0 once stopped. */
  pid: number;
  bundle: string;
  annotations?: Record<string, string>;
}
