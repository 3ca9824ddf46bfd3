import type { Limit } from "../resources/types.js";

/** CPU time and throttling, in microseconds. */
export interface CpuStats {
	usageUsec: number;
	userUsec: number;
	systemUsec: number;
	nrPeriods: number;
	nrThrottled: number;
	throttledUsec: number;
}

/** Memory use in bytes, with the kernel's `memory.stat` fields as they are named there. */
export interface MemoryStats {
	usage: number;
	/** High-water mark (v2 `memory.peak`, v1 `memory.max_usage_in_bytes`), when available. */
	peak?: number;
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
	current: number;
	max: Limit;
	/** Times a fork failed on the limit (`pids.events` max). */
	limitHits: number;
}

/** Bytes and operations per block device. */
export interface IoDeviceStats {
	major: number;
	minor: number;
	readBytes: number;
	writeBytes: number;
	readOps: number;
	writeOps: number;
}

/** Huge page use per size. */
export interface HugetlbStats {
	usage: number;
	limit: Limit;
	failcnt: number;
}

/** Typed statistics of a cgroup; a section is absent when its controller is not available. */
export interface CgroupStats {
	cpu?: CpuStats;
	memory?: MemoryStats;
	pids?: PidsStats;
	io?: IoDeviceStats[];
	hugetlb?: Record<string, HugetlbStats>;
}
