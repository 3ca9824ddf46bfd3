import type { Limit } from '../resources/types.js';

/** CPU time and throttling, in microseconds. */
export interface CpuStats {
  /** Total CPU time consumed: v2 `cpu.stat` usage_usec, v1 `cpuacct.usage` (nanoseconds) / 1000. */
  usageUsec: number;
  /** User-mode CPU time: v2 `cpu.stat` user_usec, v1 `cpuacct.stat` user (USER_HZ ticks × 10000, so 10 ms resolution). */
  userUsec: number;
  /** Kernel-mode CPU time: v2 `cpu.stat` system_usec, v1 `cpuacct.stat` system (10 ms resolution). */
  systemUsec: number;
  /** Enforcement periods that have elapsed while a quota was set (`cpu.stat` nr_periods); 0 without a quota. */
  nrPeriods: number;
  /** Periods in which the group was throttled (`cpu.stat` nr_throttled). */
  nrThrottled: number;
  /** Total time throttled: v2 `cpu.stat` throttled_usec, v1 `cpu.stat` throttled_time (nanoseconds) / 1000. */
  throttledUsec: number;
}

/** Memory use in bytes, with the kernel's `memory.stat` fields as they are named there. */
export interface MemoryStats {
  /** Current usage in bytes, page cache included: v2 `memory.current`, v1 `memory.usage_in_bytes`. */
  usage: number;
  /** High-water mark (v2 `memory.peak`, v1 `memory.max_usage_in_bytes`), when available. */
  peak?: number;
  /** Hard limit in bytes: v2 `memory.max`, v1 `memory.limit_in_bytes` (`'max'` when unlimited). */
  limit: Limit;
  /** Times the limit was hit (v1 `memory.failcnt`, v2 `memory.events` max). */
  failcnt: number;
  /** OOM kills in this cgroup (v1 `memory.oom_control` oom_kill, v2 `memory.events` oom_kill). */
  oomKills: number;
  /** v2 `memory.events` (low, high, max, oom, oom_kill, oom_group_kill) or v1's equivalents. */
  events: Record<string, number>;
  /** `memory.stat`, raw. */
  stat: Record<string, number>;
}

/** Process counts. */
export interface PidsStats {
  /** Tasks (processes and threads) now in the cgroup and its descendants (`pids.current`). */
  current: number;
  /** The configured `pids.max`. */
  max: Limit;
  /** Times a fork failed on the limit (`pids.events` max). */
  limitHits: number;
}

/** Bytes and operations per block device. */
export interface IoDeviceStats {
  /** Block device major number. */
  major: number;
  /** Block device minor number. */
  minor: number;
  /** Bytes read: v2 `io.stat` rbytes, v1 `blkio.throttle.io_service_bytes_recursive` Read. */
  readBytes: number;
  /** Bytes written: v2 `io.stat` wbytes, v1 `blkio.throttle.io_service_bytes_recursive` Write. */
  writeBytes: number;
  /** Read operations: v2 `io.stat` rios, v1 `blkio.throttle.io_serviced_recursive` Read. */
  readOps: number;
  /** Write operations: v2 `io.stat` wios, v1 `blkio.throttle.io_serviced_recursive` Write. */
  writeOps: number;
}

/** Huge page use per size. */
export interface HugetlbStats {
  /** Bytes of huge pages of this size in use: v2 `hugetlb.<size>.current`, v1 `hugetlb.<size>.usage_in_bytes`. */
  usage: number;
  /** Limit in bytes: v2 `hugetlb.<size>.max`, v1 `hugetlb.<size>.limit_in_bytes`. */
  limit: Limit;
  /** Allocations that failed on the limit: v2 `hugetlb.<size>.events` max, v1 `hugetlb.<size>.failcnt`. */
  failcnt: number;
}

/** Typed statistics of a cgroup; a section is absent when its controller is not available. */
export interface CgroupStats {
  /** CPU usage and throttling (v2 `cpu.stat`, always present there; v1 `cpuacct` + `cpu`). */
  cpu?: CpuStats;
  /** Memory usage, limit and OOM counts (`memory` controller). */
  memory?: MemoryStats;
  /** Task count and limit (`pids` controller). */
  pids?: PidsStats;
  /** Per-device IO totals (v2 `io.stat`, v1 `blkio`); only devices that saw IO are listed. */
  io?: IoDeviceStats[];
  /** Per huge page size (`2MB`, `1GB`), as the kernel names it in the file names. */
  hugetlb?: Record<string, HugetlbStats>;
}
