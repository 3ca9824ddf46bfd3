import type { MachineFacts } from '../resources/validate.js';
import { readCgroupFileIfAny } from './fs.js';

/** Online CPUs and memory nodes (sysfs devices/system), for cpuset validation. */
export function machineFacts(): MachineFacts {
  return {
    onlineCpus: (readCgroupFileIfAny('/sys/devices/system/cpu/online') ?? '0').trim(),
    onlineMems: (readCgroupFileIfAny('/sys/devices/system/node/online') ?? '0').trim(),
  };
}
