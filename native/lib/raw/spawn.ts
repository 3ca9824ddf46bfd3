import { loadAddon } from '../addon.js';

/** What binding/spawn.cc returns. */
export interface RawSpawnResult {
  pid: number;
  pidfd: number;
  listenerFd: number;
  syncFd: number;
}

/** Raw functions of binding/spawn.cc (and pipe from binding/proc.cc). */
export interface RawSpawn {
  spawn(plan: Uint8Array): RawSpawnResult;
  spawnLateError(syncFd: number): void;
  spawnStepCount: number;
  pipe(): [number, number];
  closeFd(fd: number): void;
}

/** The spawn binding, loaded lazily. */
export function rawSpawn(): RawSpawn {
  return loadAddon<RawSpawn>();
}
