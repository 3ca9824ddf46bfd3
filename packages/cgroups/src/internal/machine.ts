import type { MachineFacts } from '../resources/validate.js';
import { readCgroupFileIfAny } from './fs.js';

let cached: { facts: MachineFacts; at: number } | undefined;
/** CPU hotplug is rare; re-read at most once a second. */
const MAX_AGE_MS = 1000;

/** Online CPUs and memory nodes (sysfs devices/system), for cpuset validation. */
export function machineFacts(): MachineFacts {
  const now = Date.now();
  if (!cached || now - cached.at > MAX_AGE_MS) {
    cached = {
      at: now,
      facts: {
        onlineCpus: (readCgroupFileIfAny('/sys/devices/system/cpu/online') ?? '0').trim(),
        onlineMems: (readCgroupFileIfAny('/sys/devices/system/node/online') ?? '0').trim(),
      },
    };
  }
  return cached.facts;
}
