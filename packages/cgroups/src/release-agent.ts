import { join } from 'node:path';
import { invalidArgument, KcErrorCode } from '@kc/native';
import { CgroupError } from './errors.js';
import { readCgroupFile, writeCgroupFile } from './internal/fs.js';
import { systemLayout } from './layout/detect.js';
import type { CgroupLayout } from './layout/types.js';

function hierarchyRoot(controllerOrName: string, layout: CgroupLayout): string {
  const h = layout.v1.find((x) => x.controllers.includes(controllerOrName) || x.name === controllerOrName);
  if (!h)
    throw new CgroupError(`no v1 hierarchy holds ${controllerOrName}`, {
      code: KcErrorCode.NotFound,
      hint: 'release agents exist only on cgroup v1',
    });
  if (h.mountRoot !== '/')
    throw new CgroupError('release_agent lives only at the hierarchy root', {
      code: KcErrorCode.Unsupported,
      path: h.mountPoint,
    });
  return layout.fsRoot + h.mountPoint;
}

/**
 * Sets the v1 release agent of the hierarchy holding `controllerOrName`
 * (cgroup-v1/cgroups.rst §1.4): the kernel runs `agent` with the group's
 * path when a group with `notify_on_release` becomes empty. This is global
 * for the hierarchy; the agent runs as root in the initial namespaces.
 *
 * Privileges: root in the initial user namespace.
 * @throws {@link CgroupError} `INVALID_ARGUMENT` when `agent` is not an absolute path.
 */
export function setReleaseAgent(controllerOrName: string, agent: string, layout: CgroupLayout = systemLayout()): void {
  if (agent !== '' && !agent.startsWith('/')) throw invalidArgument(CgroupError, 'agent', 'must be an absolute path (or "" to clear)');
  if (/[\n\0]/.test(agent)) throw invalidArgument(CgroupError, 'agent', 'contains a newline or NUL');
  writeCgroupFile(join(hierarchyRoot(controllerOrName, layout), 'release_agent'), agent === '' ? '\n' : agent);
}

/** Reads the v1 release agent of the hierarchy holding `controllerOrName` (`''` when none). */
export function releaseAgent(controllerOrName: string, layout: CgroupLayout = systemLayout()): string {
  return readCgroupFile(join(hierarchyRoot(controllerOrName, layout), 'release_agent')).trim();
}
