/**
 * The typed resource limits of a cgroup, one object for cgroup v1 and v2.
 * Field names follow v2; v1-only knobs are marked. Numbers are bytes,
 * microseconds or counts as noted; `'max'` means no limit.
 */

/** A limit that may be lifted. */
export type Limit = number | 'max';

/** Memory controller (v2 `memory.*`, v1 `memory.*_in_bytes`). */
export interface MemoryResources {
  /** Hard limit in bytes: v2 `memory.max`, v1 `memory.limit_in_bytes`. */
  max?: Limit;
  /** Throttling threshold in bytes: v2 `memory.high` (v2 only). */
  high?: Limit;
  /** Best-effort protection in bytes: v2 `memory.low`, v1 `memory.soft_limit_in_bytes`. */
  low?: number;
  /** Hard protection in bytes: v2 `memory.min` (v2 only). */
  min?: number;
  /** Swap allowed on top of `max`, in bytes: v2 `memory.swap.max`, v1 `memory.memsw.limit_in_bytes` minus `max`. */
  swapMax?: Limit;
  /** v1 `memory.swappiness` (0..100; v1 only). */
  swappiness?: number;
  /** Kill the whole group on OOM: v2 `memory.oom.group` (v2 only). */
  oomGroup?: boolean;
  /** v1 `memory.oom_control` = 1: the OOM killer leaves the group alone and its tasks wait for memory instead (v1 only; runc's `disableOOMKiller`). */
  oomKillDisable?: boolean;
}

/** CPU controller. Give `weight` (v2 scale) or `shares` (v1 scale); the other version gets the runc/crun conversion. */
export interface CpuResources {
  /** v2 `cpu.weight`, 1..10000 (default 100). */
  weight?: number;
  /** v1 `cpu.shares`, 2..262144 (default 1024). */
  shares?: number;
  /** Microseconds of CPU per period, or `'max'`: v2 `cpu.max` first field, v1 `cpu.cfs_quota_us`. */
  quota?: Limit;
  /** Period in microseconds (1000..1000000): v2 `cpu.max` second field, v1 `cpu.cfs_period_us`. */
  period?: number;
  /** Burst in microseconds: v2 `cpu.max.burst`, v1 `cpu.cfs_burst_us`. */
  burst?: number;
  /** SCHED_IDLE-like group: `cpu.idle` (both versions, Linux 5.15+). */
  idle?: boolean;
}

/** Cpuset controller. Lists in cpuset(7) "List format", e.g. `0-3,6`. */
export interface CpusetResources {
  /** CPUs the tasks may run on (`cpuset.cpus`, both versions), a subset of the parent's, e.g. `0-1`. */
  cpus?: string;
  /** NUMA memory nodes the tasks may allocate from (`cpuset.mems`, both versions), e.g. `0`. */
  mems?: string;
}

/** Pids controller: `pids.max`. */
export interface PidsResources {
  /** Most tasks (processes and threads) in the cgroup subtree; fork/clone fails with EAGAIN beyond it. `'max'` lifts it. */
  max?: Limit;
}

/** Throttles for one block device (v2 `io.max`, v1 `blkio.throttle.*_device`). */
export interface IoDeviceLimit {
  /** Block device major number (as in `/proc/partitions` or `ls -l /dev/sda`). */
  major: number;
  /** Block device minor number. */
  minor: number;
  /** Read bytes per second: v2 `io.max` `rbps=`, v1 `blkio.throttle.read_bps_device`; `'max'` removes it (writes 0 on v1). */
  readBps?: Limit;
  /** Write bytes per second: v2 `io.max` `wbps=`, v1 `blkio.throttle.write_bps_device`. */
  writeBps?: Limit;
  /** Read operations per second: v2 `io.max` `riops=`, v1 `blkio.throttle.read_iops_device`. */
  readIops?: Limit;
  /** Write operations per second: v2 `io.max` `wiops=`, v1 `blkio.throttle.write_iops_device`. */
  writeIops?: Limit;
}

/** IO controller (v2 `io`, v1 `blkio`). Give `weight` (v2 scale) or `blkioWeight` (v1 scale). */
export interface IoResources {
  /** v2 `io.weight` (or `io.bfq.weight`), 1..10000. */
  weight?: number;
  /** v1 `blkio.weight` (or `blkio.bfq.weight`), 10..1000. */
  blkioWeight?: number;
  /** Per-device throttles. */
  devices?: readonly IoDeviceLimit[];
}

/** One v1 device-cgroup rule (`devices.allow` / `devices.deny`; v1 only, v2 needs eBPF). */
export interface DeviceRule {
  /** true writes the rule to `devices.allow`, false to `devices.deny`. */
  allow: boolean;
  /** `a` all devices (major, minor and access are then ignored), `b` block, `c` character. */
  type: 'a' | 'b' | 'c';
  /** Device major number, or `'*'` for any. */
  major: number | '*';
  /** Device minor number, or `'*'` for any. */
  minor: number | '*';
  /** Any of `r`, `w`, `m`. */
  access: string;
}

/** Everything a cgroup can limit. Absent fields are left as they are. */
export interface Resources {
  /** Memory limits and protections (`memory` controller). */
  memory?: MemoryResources;
  /** CPU weight and bandwidth (`cpu` controller). */
  cpu?: CpuResources;
  /** CPU and NUMA node placement (`cpuset` controller). */
  cpuset?: CpusetResources;
  /** Task count limit (`pids` controller). */
  pids?: PidsResources;
  /** Block IO weight and per-device throttles (`io` on v2, `blkio` on v1). */
  io?: IoResources;
  /** Huge page limits in bytes, keyed by size as the kernel names it (`2MB`, `1GB`). */
  hugetlb?: Record<string, Limit>;
  /** v1 device rules, applied in order. */
  devices?: readonly DeviceRule[];
  /** `rdma.max` per device: `{ mlx4_0: { hcaHandle: 2, hcaObject: 2000 } }`. */
  rdma?: Record<
    string,
    {
      /** Most HCA handles (`hca_handle=` in `rdma.max`). */
      hcaHandle?: Limit;
      /** Most HCA objects (`hca_object=` in `rdma.max`). */
      hcaObject?: Limit;
    }
  >;
  /** v2 `misc.max` per resource (`sev`, `sev_es`...). */
  misc?: Record<string, Limit>;
}

/** The top-level keys of {@link Resources} and the controller each needs. */
export const RESOURCE_CONTROLLERS = {
  memory: 'memory',
  cpu: 'cpu',
  cpuset: 'cpuset',
  pids: 'pids',
  io: 'io',
  hugetlb: 'hugetlb',
  devices: 'devices',
  rdma: 'rdma',
  misc: 'misc',
} as const;
