/**
 * `update`: new limits for a live container, with runc 1.1's meaning
 * (update.go): a field left out, 0 or "" leaves the current value alone;
 * -1 for memory, swap or reservation means unlimited; quota and period may
 * be changed one at a time, the other keeping its value. Devices are never
 * touched (runc's `SkipDevices`). Fields runc would apply that kc cannot
 * (real-time CPU, `unified`, and the fields runc's update never reads but a
 * caller might expect to act) fail closed with UNSUPPORTED, before any write.
 */
import type { Resources } from '@kc/cgroups';
import { ContainerError } from '../errors.js';
import type { OciCpu, OciMemory, OciResources } from '../oci/types.js';
import { toCgroupResources } from '../translate/resources.js';

/** What {@link planUpdate} decided: the limits to write now, and the config's resources once written. */
export interface UpdatePlan {
  /** The `@kc/cgroups` resources to write (only the fields that change). */
  readonly write: Resources;
  /** The container's `linux.resources` after the update (saved into its record). */
  readonly merged: OciResources;
  /** Set fields kc accepts but ignores, as runc 1.1 does (`memory.kernel`, `memory.kernelTCP`): the caller warns. */
  readonly ignored: string[];
}

const unsupported = (field: string, why: string) => new ContainerError(`${field}: ${why}`, { code: 'UNSUPPORTED', field, hint: 'leave it out of the update' });

const badValue = (field: string, why: string) => new ContainerError(`${field}: ${why}`, { code: 'INVALID_ARGUMENT', field });

/** runc reads 0 as "unchanged": keep only the set values. */
const setNumber = (v: number | undefined | null): v is number => typeof v === 'number' && v !== 0;

function checkInteger(field: string, v: unknown): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw badValue(field, `must be an integer, got ${JSON.stringify(v)}`);
}

/** The fields of `patch` that update refuses, checked before anything is written. */
function refuseUnsupported(patch: OciResources): void {
  if (patch.devices?.length) throw unsupported('linux.resources.devices', 'device rules cannot be changed by update (as runc)');
  if (patch.hugepageLimits?.length) throw unsupported('linux.resources.hugepageLimits', 'not changed by update (as runc)');
  if (patch.network && (patch.network.classID || patch.network.priorities?.length)) throw unsupported('linux.resources.network', 'kc cannot apply it');
  if (patch.unified && Object.keys(patch.unified).length) throw unsupported('linux.resources.unified', "not supported by kc's cgroup layer (@kc/cgroups)");
  const c = patch.cpu;
  if (c && (setNumber(c.realtimeRuntime) || setNumber(c.realtimePeriod)))
    throw unsupported('linux.resources.cpu.realtimeRuntime', 'real-time CPU limits are not supported by kc');
  if (c && setNumber(c.idle)) throw unsupported('linux.resources.cpu.idle', 'not changed by update (as runc)');
  const m = patch.memory;
  if (m && setNumber(m.swappiness)) throw unsupported('linux.resources.memory.swappiness', 'not changed by update (as runc)');
  if (m?.disableOOMKiller) throw unsupported('linux.resources.memory.disableOOMKiller', 'not changed by update (as runc)');
}

function checkTypes(patch: OciResources): void {
  const m = patch.memory ?? {};
  for (const k of ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP'] as const) checkInteger(`linux.resources.memory.${k}`, m[k]);
  const c = patch.cpu ?? {};
  for (const k of ['shares', 'quota', 'period'] as const) checkInteger(`linux.resources.cpu.${k}`, c[k]);
  for (const k of ['shares', 'period'] as const) if ((c[k] ?? 0) < 0) throw badValue(`linux.resources.cpu.${k}`, 'must not be negative');
  for (const k of ['cpus', 'mems'] as const) {
    if (c[k] !== undefined && c[k] !== null && typeof c[k] !== 'string') throw badValue(`linux.resources.cpu.${k}`, 'must be a string');
  }
  checkInteger('linux.resources.pids.limit', patch.pids?.limit);
  checkInteger('linux.resources.blockIO.weight', patch.blockIO?.weight);
  for (const k of ['limit', 'reservation', 'swap'] as const) {
    const v = m[k];
    if (typeof v === 'number' && v < -1) throw badValue(`linux.resources.memory.${k}`, 'must be -1 (unlimited) or a size in bytes');
  }
}

/**
 * Plans an update of a container whose resources are `current` (its config's
 * `linux.resources`) with `patch` (OCI `LinuxResources`, as `runc update -r`
 * reads it). Pure.
 * @throws {ContainerError} UNSUPPORTED for a field kc cannot change; INVALID_ARGUMENT for a malformed value.
 */
export function planUpdate(current: OciResources | undefined, patch: OciResources): UpdatePlan {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badValue('linux.resources', 'must be a JSON object');
  checkTypes(patch);
  refuseUnsupported(patch);
  const ignored: string[] = [];
  const pm = patch.memory ?? {};
  if (setNumber(pm.kernel)) ignored.push('memory.kernel');
  if (setNumber(pm.kernelTCP)) ignored.push('memory.kernelTCP');

  const old = current ?? {};
  const memory: OciMemory = {};
  for (const k of ['limit', 'reservation', 'swap'] as const) if (setNumber(pm[k])) memory[k] = pm[k];
  const pc = patch.cpu ?? {};
  const cpu: OciCpu = {};
  for (const k of ['shares', 'quota', 'period'] as const) if (setNumber(pc[k])) cpu[k] = pc[k];
  if (pc.cpus) cpu.cpus = pc.cpus;
  if (pc.mems) cpu.mems = pc.mems;
  const pids = setNumber(patch.pids?.limit) ? { limit: patch.pids.limit } : undefined;
  const weight = setNumber(patch.blockIO?.weight) ? patch.blockIO.weight : undefined;

  const merged: OciResources = { ...old };
  if (Object.keys(memory).length) merged.memory = { ...old.memory, ...memory };
  if (Object.keys(cpu).length) merged.cpu = { ...old.cpu, ...cpu };
  if (pids) merged.pids = pids;
  if (weight !== undefined) merged.blockIO = { ...old.blockIO, weight };

  // What to write: the changed fields, plus what a conversion needs from the rest (swap is counted on top of the memory limit).
  const toWrite: OciResources = {};
  if (Object.keys(memory).length) {
    const m: OciMemory = { ...memory };
    if (m.swap !== undefined && m.limit === undefined) {
      const limit = merged.memory?.limit;
      if (m.swap > 0 && (limit === undefined || limit < 0)) throw badValue('linux.resources.memory.swap', 'unable to set swap limit without memory limit');
      m.limit = limit;
    }
    if (m.limit !== undefined && m.swap !== undefined && m.swap > 0 && m.limit > 0 && m.swap < m.limit) {
      throw badValue('linux.resources.memory.swap', `memory+swap limit (${m.swap}) should be greater than memory limit (${m.limit})`);
    }
    // runc: unlimited memory without a swap value means unlimited swap too (v1 needs memory <= memory+swap).
    if (m.limit === -1 && m.swap === undefined) {
      m.swap = -1;
      if (merged.memory) merged.memory.swap = -1;
    }
    toWrite.memory = m;
  }
  if (Object.keys(cpu).length) {
    const c: OciCpu = { ...cpu };
    // v2's cpu.max holds both: one given alone keeps the other's value (runc's rule).
    if (c.quota !== undefined && c.period === undefined && merged.cpu?.period !== undefined) c.period = merged.cpu.period;
    if (c.period !== undefined && c.quota === undefined && merged.cpu?.quota !== undefined) c.quota = merged.cpu.quota;
    toWrite.cpu = c;
  }
  if (pids) toWrite.pids = pids;
  if (weight !== undefined) toWrite.blockIO = { weight };
  return { write: toCgroupResources(toWrite, { deviceCgroup: false }), merged, ignored };
}

/**
 * The recorded values (`current`) of the controllers `written` touches, to
 * put back after a write the kernel refused halfway. Pure.
 */
export function rollbackResources(current: OciResources | undefined, written: Resources): Resources {
  const c = current ?? {};
  const back: OciResources = {};
  if (written.memory && c.memory) back.memory = { limit: c.memory.limit ?? -1, swap: c.memory.swap ?? -1, reservation: c.memory.reservation };
  else if (written.memory) back.memory = { limit: -1, swap: -1 };
  if (written.cpu) back.cpu = { shares: c.cpu?.shares, quota: c.cpu?.quota ?? -1, period: c.cpu?.period };
  if (written.cpuset && c.cpu) back.cpu = { ...back.cpu, cpus: c.cpu.cpus, mems: c.cpu.mems };
  if (written.pids) back.pids = { limit: c.pids?.limit ?? 0 };
  if (written.io && c.blockIO?.weight !== undefined) back.blockIO = { weight: c.blockIO.weight };
  return toCgroupResources(back, { deviceCgroup: false });
}

/**
 * What puts a group back after a refused update: for each field `written`
 * sets, the value the kernel held `before` (read with `Cgroup.resources()`),
 * else the recorded config's (`fallback`, from {@link rollbackResources}).
 * The kernel's value wins because the record can disagree with it: an update
 * of the memory limit alone leaves v2's `memory.swap.max` as it was, while
 * the record's combined limit+swap would recompute it. Pure.
 */
export function restoreWritten(before: Resources, written: Resources, fallback: Resources): Resources {
  type Section = Record<string, unknown>;
  const was = before as Record<string, Section | undefined>;
  const back = fallback as Record<string, Section | undefined>;
  const out: Record<string, Section> = {};
  for (const [key, fields] of Object.entries(written as Record<string, Section | undefined>)) {
    if (!fields || typeof fields !== 'object') continue;
    const section: Section = {};
    for (const f of Object.keys(fields)) {
      const value = was[key]?.[f] ?? back[key]?.[f];
      if (value !== undefined) section[f] = value;
    }
    if (Object.keys(section).length) out[key] = section;
  }
  return out as Resources;
}

/**
 * `write` in two steps: the memory limit and swap first, alone, as the
 * kernel's usual refusal is a limit below what the group uses (EBUSY), and
 * then nothing else has been written yet; everything else after. Empty
 * steps are left out. Pure.
 */
export function writeSteps(write: Resources): Resources[] {
  const { memory, ...rest } = write;
  const { max, swapMax, ...otherMemory } = memory ?? {};
  const first: Resources = {};
  if (max !== undefined || swapMax !== undefined) first.memory = { ...(max !== undefined ? { max } : {}), ...(swapMax !== undefined ? { swapMax } : {}) };
  const second: Resources = { ...rest };
  if (Object.keys(otherMemory).length) second.memory = otherMemory;
  return [first, second].filter((s) => Object.keys(s).length > 0);
}
