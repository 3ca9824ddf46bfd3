import type { SpawnStep } from './steps.js';

/**
 * Steps whose EPERM/EACCES means "not privileged enough": creating or joining
 * namespaces, mounting, naming the host, writing id maps or cgroup files.
 * A plain user gets them from the kernel as bare errnos; the error should say
 * what would make the call work instead.
 */
const NEEDS: Partial<Record<SpawnStep, string>> = {
  clone: 'a user namespace / a delegated cgroup', // CLONE_INTO_CGROUP needs write access to the cgroup
  unshare: 'a user namespace',
  setns: 'a user namespace that owns the target',
  timens: 'a user namespace',
  hostname: 'a user namespace',
  domainname: 'a user namespace',
  mounts: 'a user namespace',
  uid_map: 'a single-id map of your own uid, or idMapHelper',
  gid_map: 'a single-id map of your own gid with setgroups deny, or idMapHelper',
  cgroup: 'a delegated cgroup',
};

/**
 * The "needs root (or ...)" prefix for a permission error at `step`, or ''
 * when the failure is not a privilege problem.
 */
export function privilegeNote(step: SpawnStep | undefined, code: string | undefined): string {
  if (!step || (code !== 'EPERM' && code !== 'EACCES')) return '';
  const alt = NEEDS[step];
  return alt ? `needs root (or ${alt}): ` : '';
}
