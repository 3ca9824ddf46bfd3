/**
 * `@kc/cgroups`: cgroup v1, v2 and hybrid hierarchies with one API: groups,
 * typed resources, stats, pressure, events, freeze, kill and effective limits.
 *
 * @packageDocumentation
 */

export type { CgroupOptions, DeleteOptions } from './cgroup.js';
export { Cgroup } from './cgroup.js';
export type { DelegationReport } from './delegation.js';
export { assertDelegated, checkDelegation } from './delegation.js';
export type { EffectiveLimits } from './effective-limits.js';
export { effectiveLimits } from './effective-limits.js';
export { CgroupError } from './errors.js';
export type { CgroupEvent, EventOptions } from './events/types.js';
export type { DetectOptions } from './layout/detect.js';
export { detectLayout } from './layout/detect.js';
export type {
  CgroupHierarchy,
  CgroupLayout,
  CgroupMode,
  ControllerName,
} from './layout/types.js';
export { CONTROLLER_NAMES } from './layout/types.js';
export type {
  Pressure,
  PressureLine,
  PressureResource,
} from './pressure/parse.js';
export type { PressureEvent, PressureTrigger } from './pressure/triggers.js';
export { formatTrigger } from './pressure/triggers.js';
export { releaseAgent, setReleaseAgent } from './release-agent.js';
export {
  blkioWeightToIoWeight,
  cpuSharesToWeight,
  cpuWeightToShares,
  ioWeightToBlkioWeight,
} from './resources/conversions.js';
export type {
  CpuResources,
  CpusetResources,
  DeviceRule,
  IoDeviceLimit,
  IoResources,
  Limit,
  MemoryResources,
  PidsResources,
  Resources,
} from './resources/types.js';
export type {
  CgroupStats,
  CpuStats,
  HugetlbStats,
  IoDeviceStats,
  MemoryStats,
  PidsStats,
} from './stats/types.js';
export type { CgroupType, TreeLimits } from './v2-tree.js';
export {
  cgroupType,
  makeThreaded,
  setTreeLimits,
  treeLimits,
} from './v2-tree.js';
