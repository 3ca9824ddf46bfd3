import type { Cgroup } from '@kc/cgroups';
import { containerCgroupPath, openContainerCgroup } from '../internal/container-cgroup.js';
import type { ContainerRecord } from '../state/container-record.js';

/**
 * Whether the cgroup a container's record names is the container's to act
 * on: before stage `spawning` a group at that path is not (yet) the
 * container's, and a rootless container may run without one.
 */
export function recordOwnsCgroup(record: ContainerRecord): boolean {
  return !(record.stage === 'reserved' || record.stage === 'cgroup' || record.noCgroup);
}

/** Opens the cgroup a container's record names; undefined when it does not own one (see {@link recordOwnsCgroup}) or it is gone. */
export function openRecordCgroup(record: ContainerRecord): Cgroup | undefined {
  if (!recordOwnsCgroup(record)) return undefined;
  return openContainerCgroup(record.cgroupPath ?? containerCgroupPath(record.config.linux?.cgroupsPath, record.id));
}
