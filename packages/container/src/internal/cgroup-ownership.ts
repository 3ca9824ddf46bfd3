/**
 * Which cgroup directories are the container's to remove, whatever stage its
 * create reached (issue #19): kc removes only directories it made, never a
 * group that existed before (DESIGN.md "kc never signals or removes what it
 * did not create").
 */
import { existsSync } from 'node:fs';
import type { Cgroup } from '@kc/cgroups';
import type { ContainerRecord } from '../state/container-record.js';
import { openContainerCgroup } from './container-cgroup.js';

/** The directories of the group at `path` that exist now (written ahead of its creation). */
export function existingCgroupDirectories(path: string): string[] {
  return openContainerCgroup(path)?.directories.filter((d) => existsSync(d)) ?? [];
}

/**
 * What a record says about its cgroup: `none` before kc started to create it
 * (a group at that path is someone else's), else the open group (undefined
 * when it is gone), the directories kc made (undefined in records of older
 * kc versions: all of them), and whether its members may be killed (only
 * once create made or verified the group: until then no container process
 * can be in it).
 */
export type RecordedCgroup = { kind: 'none' } | { kind: 'group'; group: Cgroup | undefined; made: readonly string[] | undefined; killMembers: boolean };

/** Reads {@link RecordedCgroup} from a record, by its stage (see CreateStage). */
export function recordedCgroup(record: ContainerRecord, path: string): RecordedCgroup {
  if (record.stage === 'reserved' || record.noCgroup) return { kind: 'none' }; // noCgroup: rootless, the group at that path is not the container's
  const group = openContainerCgroup(path);
  if (record.stage === 'cgroup') {
    // Cut short inside Cgroup.create: what exists now minus what existed before is what kc made.
    const before = new Set(record.cgroupPreexisting ?? []);
    const made = (group?.directories ?? []).filter((d) => existsSync(d) && !before.has(d));
    return { kind: 'group', group, made, killMembers: false };
  }
  return { kind: 'group', group, made: record.cgroupCreated, killMembers: true };
}
