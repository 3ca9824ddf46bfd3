import { checkArray, checkBoolean, checkInteger, checkObject, checkString, reject } from '../internal/field-check.js';

const I64 = Number.MAX_SAFE_INTEGER;

/** Validates `linux.resources` (memory, cpu, pids, devices, unified); throws ContainerError INVALID_ARGUMENT. */
export function validateResources(r: unknown): void {
  checkObject(r, 'linux.resources');
  const res = r as Record<string, unknown>;
  if (res.memory !== undefined) {
    checkObject(res.memory, 'linux.resources.memory');
    const m = res.memory as Record<string, unknown>;
    for (const k of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP']) checkInteger(m[k], `linux.resources.memory.${k}`, -1, I64);
    checkInteger(m.swappiness, 'linux.resources.memory.swappiness', 0, 100);
    checkBoolean(m.disableOOMKiller, 'linux.resources.memory.disableOOMKiller');
    if (typeof m.limit === 'number' && typeof m.swap === 'number' && m.swap !== -1 && m.limit !== -1 && m.swap < m.limit) {
      reject('linux.resources.memory.swap', 'must be >= memory.limit (it counts memory + swap)');
    }
  }
  if (res.cpu !== undefined) {
    checkObject(res.cpu, 'linux.resources.cpu');
    const c = res.cpu as Record<string, unknown>;
    checkInteger(c.shares, 'linux.resources.cpu.shares', 2, 262144);
    checkInteger(c.quota, 'linux.resources.cpu.quota', -1, I64);
    checkInteger(c.period, 'linux.resources.cpu.period', 1000, 1_000_000);
    checkInteger(c.realtimeRuntime, 'linux.resources.cpu.realtimeRuntime', -1, I64);
    checkInteger(c.realtimePeriod, 'linux.resources.cpu.realtimePeriod', 0, I64);
    for (const k of ['cpus', 'mems']) {
      checkString(c[k], `linux.resources.cpu.${k}`);
      if (typeof c[k] === 'string' && c[k] !== '' && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(c[k] as string)) {
        reject(`linux.resources.cpu.${k}`, `is not a cpu list: "${c[k] as string}"`, 'e.g. "0-1,3"');
      }
    }
  }
  if (res.pids !== undefined) {
    checkObject(res.pids, 'linux.resources.pids');
    checkInteger((res.pids as Record<string, unknown>).limit, 'linux.resources.pids.limit', -1, I64, false);
  }
  checkArray(res.devices, 'linux.resources.devices').forEach((d, i) => {
    const f = `linux.resources.devices[${i}]`;
    checkObject(d, f, false);
    const dev = d as Record<string, unknown>;
    checkBoolean(dev.allow, `${f}.allow`);
    if (typeof dev.allow !== 'boolean') reject(`${f}.allow`, 'is required');
    if (dev.type !== undefined && !['a', 'b', 'c'].includes(dev.type as string)) reject(`${f}.type`, 'must be a, b or c');
    if (dev.major !== undefined && dev.major !== null) checkInteger(dev.major, `${f}.major`, -1, 4095);
    if (dev.minor !== undefined && dev.minor !== null) checkInteger(dev.minor, `${f}.minor`, -1, 2 ** 20 - 1);
    if (dev.access !== undefined && !/^[rwm]*$/.test(String(dev.access))) reject(`${f}.access`, 'must be a combination of r, w, m');
  });
  if (res.unified !== undefined) {
    checkObject(res.unified, 'linux.resources.unified');
    for (const [k, v] of Object.entries(res.unified as object)) {
      if (k.includes('/') || k.startsWith('.')) reject(`linux.resources.unified.${k}`, 'is not a cgroup file name');
      checkString(v, `linux.resources.unified.${k}`, false);
    }
  }
}
