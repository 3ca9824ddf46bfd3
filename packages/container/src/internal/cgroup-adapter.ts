/**
 * The container's cgroups, written against the cgroup filesystem directly
 * (cgroups(7), Documentation/admin-guide/cgroup-v1 and cgroup-v2.rst) until
 * `@kc/cgroups` exports groups with create/limits/freeze/kill/stats. Every
 * function here maps onto one call of that package, so switching is local.
 */
import { existsSync, mkdirSync, openSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupPlacement } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { CgroupMountLayout } from '../translate/cgroup-layout.js';
import type { CgroupWrite } from '../translate/resources.js';

const ROOT = '/sys/fs/cgroup';

/** The host directory of the container's cgroup in every hierarchy (`''` = the v2 root). */
export function cgroupDirsFor(layout: CgroupMountLayout, cgroupsPath: string): Record<string, string> {
  const rel = cgroupsPath.replace(/^\/+/, '');
  if (layout.version === 2) return { '': join(ROOT, rel) };
  const dirs: Record<string, string> = {};
  for (const h of layout.hierarchies) dirs[h.dir] = join(ROOT, h.dir, rel);
  if (layout.unifiedDir) dirs[layout.unifiedDir] = join(ROOT, layout.unifiedDir, rel);
  return dirs;
}

/** v1 cpuset groups start empty; copy cpus and mems down from the parent so tasks may join (cgroup-v1/cpusets.rst). */
function initCpuset(dir: string): void {
  const parts = dir.split('/');
  const base = parts.indexOf('cpuset');
  for (let i = base + 2; i <= parts.length; i++) {
    const d = parts.slice(0, i).join('/');
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      if (readFileSync(join(d, f), 'utf8').trim() === '') {
        writeFileSync(join(d, f), readFileSync(join(d, '..', f), 'utf8').trim());
      }
    }
  }
}

/**
 * Creates the directories, applies the writes, and returns where the process
 * starts. Undoes what it created if a write fails.
 * @throws {ContainerError} with the errno of the failed mkdir/write and its path.
 */
export function createCgroups(dirs: Record<string, string>, writes: CgroupWrite[], layout: CgroupMountLayout): CgroupPlacement {
  const created: string[] = [];
  try {
    for (const [hier, dir] of Object.entries(dirs)) {
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        created.push(dir);
      }
      if (hier === 'cpuset') initCpuset(dir);
    }
    for (const w of writes) {
      const dir = layout.version === 2 ? dirs[''] : dirs[w.controller];
      if (!dir) continue;
      const file = join(dir, w.file);
      if (w.optional && !existsSync(file)) continue;
      try {
        writeFileSync(file, w.value);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new ContainerError(`cannot set ${w.file} to ${w.value}: ${err.code}`, { errno: err.errno ? -err.errno : undefined, code: err.code, path: file, hint: 'check the limit is valid for this kernel and below the parent group\'s', cause: e });
      }
    }
  } catch (e) {
    for (const d of created.reverse()) removeDir(d);
    throw e;
  }
  if (layout.version === 2) return { fd: openSync(dirs[''] as string, 'r') };
  return { procsFiles: Object.values(dirs).map((d) => join(d, 'cgroup.procs')) };
}

function removeDir(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      rmdirSync(dir);
      return;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') return;
      if (err.code !== 'EBUSY') throw e;
      if (i >= 500) {
        throw new ContainerError(`cgroup ${dir} is still busy`, { code: 'EBUSY', path: dir, hint: 'a process of the container is still alive: see its cgroup.procs', cause: e });
      }
      // A dying task still counts as a member for a moment after exit (longer on a loaded machine).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** Removes the container's cgroup directories (its processes must be gone). */
export function destroyCgroups(dirs: Record<string, string>): void {
  for (const d of Object.values(dirs)) removeDir(d);
}

/** Pids in the container's cgroup (from the first hierarchy that lists them). */
export function cgroupPids(dirs: Record<string, string>): number[] {
  for (const d of Object.values(dirs)) {
    try {
      return readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      /* try the next hierarchy */
    }
  }
  return [];
}

/** The freezer of the group: v1 `freezer.state`, else v2 `cgroup.freeze`. */
function freezerOf(dirs: Record<string, string>): { kind: 1 | 2; dir: string } | null {
  if (dirs.freezer) return { kind: 1, dir: dirs.freezer };
  const v2 = Object.values(dirs).find((d) => existsSync(join(d, 'cgroup.freeze')));
  return v2 ? { kind: 2, dir: v2 } : null;
}

/** Freezes (true) or thaws (false) every process of the container and waits until the kernel reports it done. */
export async function setFrozen(dirs: Record<string, string>, frozen: boolean): Promise<void> {
  const f = freezerOf(dirs);
  if (!f) throw new ContainerError('no freezer for this container', { code: 'UNSUPPORTED', hint: 'mount the v1 freezer controller or use cgroup v2' });
  for (let i = 0; i < 1000; i++) {
    if (f.kind === 1) writeFileSync(join(f.dir, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
    else if (i === 0) writeFileSync(join(f.dir, 'cgroup.freeze'), frozen ? '1' : '0');
    if (isFrozen(dirs) === frozen) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new ContainerError(`the container did not ${frozen ? 'freeze' : 'thaw'} in time`, { code: 'ETIMEDOUT', path: f.dir });
}

/** True when the container's freezer reports frozen. */
export function isFrozen(dirs: Record<string, string>): boolean {
  const f = freezerOf(dirs);
  if (!f) return false;
  try {
    if (f.kind === 1) return readFileSync(join(f.dir, 'freezer.state'), 'utf8').trim() === 'FROZEN';
    return /^frozen 1$/m.test(readFileSync(join(f.dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/** Sends `signal` to every process of the container (v2 `cgroup.kill` for SIGKILL when present). */
export function signalAll(dirs: Record<string, string>, signal: number): void {
  const v2 = Object.values(dirs).find((d) => existsSync(join(d, 'cgroup.kill')));
  if (signal === 9 && v2) {
    writeFileSync(join(v2, 'cgroup.kill'), '1');
    return;
  }
  for (const pid of cgroupPids(dirs)) {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Resource usage of the container, as `kc events --stats` reports it. */
export interface CgroupStats {
  memoryBytes?: number;
  memoryLimitBytes?: number;
  cpuNanoseconds?: number;
  pids?: number;
  pidsLimit?: number | 'max';
  oomKills?: number;
}

const readNumber = (file: string): number | undefined => {
  try {
    const v = readFileSync(file, 'utf8').trim();
    return v === 'max' ? undefined : Number(v.split(/\s/)[0]);
  } catch {
    return undefined;
  }
};

/** Reads usage counters from whichever hierarchy has them. */
export function cgroupStats(dirs: Record<string, string>): CgroupStats {
  const s: CgroupStats = {};
  const v2 = dirs[''];
  if (v2) {
    s.memoryBytes = readNumber(join(v2, 'memory.current'));
    s.memoryLimitBytes = readNumber(join(v2, 'memory.max'));
    s.pids = readNumber(join(v2, 'pids.current'));
    const usage = /usage_usec (\d+)/.exec(safeRead(join(v2, 'cpu.stat')));
    if (usage) s.cpuNanoseconds = Number(usage[1]) * 1000;
    const oom = /oom_kill (\d+)/.exec(safeRead(join(v2, 'memory.events')));
    if (oom) s.oomKills = Number(oom[1]);
    return s;
  }
  if (dirs.memory) {
    s.memoryBytes = readNumber(join(dirs.memory, 'memory.usage_in_bytes'));
    s.memoryLimitBytes = readNumber(join(dirs.memory, 'memory.limit_in_bytes'));
    const oom = /oom_kill (\d+)/.exec(safeRead(join(dirs.memory, 'memory.oom_control')));
    if (oom) s.oomKills = Number(oom[1]);
  }
  if (dirs.cpuacct) s.cpuNanoseconds = readNumber(join(dirs.cpuacct, 'cpuacct.usage'));
  if (dirs.pids) {
    s.pids = readNumber(join(dirs.pids, 'pids.current'));
    const max = safeRead(join(dirs.pids, 'pids.max')).trim();
    s.pidsLimit = max === 'max' ? 'max' : Number(max);
  }
  return s;
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
