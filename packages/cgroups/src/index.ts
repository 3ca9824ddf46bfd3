/**
 * `@kc/cgroups`: cgroup v1, v2 and hybrid hierarchies with one API: groups,
 * typed resources, stats, pressure, events, freeze, kill and effective limits.
 *
 * @packageDocumentation
 */

export type { CgroupChildOptions, CgroupDeleteOptions, CgroupOptions, DeleteOptions } from './cgroup.js';
export { Cgroup } from './cgroup.js';
export type { DelegationReport } from './delegation.js';
export { assertDelegated, checkDelegation } from './delegation.js';
export type { EffectiveLimits } from './effective-limits.js';
export { effectiveLimits } from './effective-limits.js';
export type { CgroupDriver, CgroupDriverOptions } from './driver.js';
export { createCgroupDriver } from './driver.js';
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
export type { PressureEvent, PressureEventOptions, PressureTrigger } from './pressure/triggers.js';
export { formatTrigger } from './pressure/triggers.js';
export { releaseAgent, setReleaseAgent } from './release-agent.js';
export {
  blkioWeightToIoWeight,
  cpuSharesToWeight,
  cpuWeightToShares,
  ioWeightToBlkioWeight,
} from './resources/conversions.js';
export { attachDeviceRules, attachedDevicePrograms } from './devices/attach.js';
export { emulateDeviceProgram } from './devices/emulator.js';
export { decodeEbpf, deviceProgram, EBPF_OP, encodeEbpf, MAX_DEVICE_MAJOR, MAX_DEVICE_MINOR } from './devices/program.js';
export type { EbpfInsn } from './devices/program.js';
export { DEVICE_ACCESS, DEVICE_TYPE, deviceAllowed, deviceState } from './devices/state.js';
export type { DeviceException, DeviceRequest, DeviceState } from './devices/state.js';
export type { DefaultDeviceOptions, DefaultDeviceRule } from './resources/default-devices.js';
export { DEFAULT_DEVICE_RULES, withDefaultDeviceRules } from './resources/default-devices.js';
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
export { SYSTEM_BUS_SOCKET } from './systemd/bus-address.js';
export type { SystemdErrorDetails } from './systemd/errors.js';
export { SystemdError } from './systemd/errors.js';
export type { TranslatedResources, UnitProperty } from './systemd/properties.js';
export { cpuListToMask, unitProperties } from './systemd/properties.js';
export type { SystemdCgroupOptions, SystemdDeleteOptions } from './systemd/scope.js';
export { SystemdCgroup } from './systemd/scope.js';
export type { SystemdScopePath } from './systemd/unit-name.js';
export { expandSlice, isSystemdCgroupPath, parseSystemdCgroupPath } from './systemd/unit-name.js';
