/**
 * A rootless container's cgroup (issue #14), as runc's rootless mode: made
 * and used when the caller may write there (a delegated subtree), else left
 * out. Left out is fine when no limits are asked (a warning says so); with
 * limits asked it is a typed error naming the fields, since a limit kc cannot
 * apply fails closed (DESIGN.md "Security"). Device rules are never written:
 * an unprivileged caller can neither write a v1 devices controller nor
 * attach a v2 device program, and its devices are bind mounts of the host's
 * nodes anyway (user_namespaces(7): mknod is refused).
 */
import type { Cgroup, Resources } from '@kc/cgroups';
import { ContainerError } from '../errors.js';
import type { OciResources } from '../oci/types.js';
import type { CgroupMountLayout } from '../translate/cgroup-layout.js';
import { createContainerCgroup } from './container-cgroup.js';

/** The `linux.resources` fields that ask for limits (`linux.resources.memory`...): anything set but device rules. */
export function askedLimits(resources: OciResources | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(resources ?? {})) {
    if (key === 'devices' || value === undefined || value === null) continue;
    if (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && Object.keys(value).length === 0) continue;
    out.push(`linux.resources.${key}`);
  }
  return out;
}

/** Error codes of a cgroup the caller may not make. */
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Creates the container's group at `path` when the caller may; returns
 * undefined when it may not and `asked` (see {@link askedLimits}) is empty,
 * after `warn`.
 * @throws {ContainerError} with the cgroup's code (EACCES...) and field
 *   `linux.resources.*` when limits are asked and no cgroup can be made.
 */
export function createRootlessCgroup(path: string, resources: Resources, asked: readonly string[], warn: (message: string) => void): Cgroup | undefined {
  const { devices: _deviceRules, ...limits } = resources;
  try {
    return createContainerCgroup(path, limits);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (!(e instanceof ContainerError) || typeof code !== 'string' || !DENIED.has(code)) throw e;
    if (asked.length > 0) {
      throw new ContainerError(`${asked.join(', ')} needs root or a delegated cgroup: ${e.message}`, {
        code,
        field: asked[0],
        ...(e.path !== undefined ? { path: e.path } : {}),
        hint: 'run kc as root, or set linux.cgroupsPath to a cgroup v2 subtree delegated to you (systemd: user@.service with Delegate=yes), or drop the limits',
        cause: e,
      });
    }
    warn(`rootless: no cgroup for this container (${e.message}); it runs in kc's own cgroup, without limits`);
    return undefined;
  }
}

/**
 * This process's own cgroup directories per hierarchy directory name (`''` on
 * a unified host), from `/proc/self/cgroup` text: what a container without a
 * cgroup of its own shows at /sys/fs/cgroup, as runc binds the init's
 * current cgroup there. Pure.
 */
export function ownCgroupDirs(procSelfCgroup: string, layout: CgroupMountLayout): Record<string, string> {
  const byControllers = new Map<string, string>();
  for (const line of procSelfCgroup.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) byControllers.set((m[1] as string).split(',').sort().join(','), m[2] as string);
  }
  const dir = (sub: string, rel: string | undefined) => (rel === undefined ? undefined : `/sys/fs/cgroup${sub ? `/${sub}` : ''}${rel === '/' ? '' : rel}`);
  const out: Record<string, string> = {};
  if (layout.version === 2) {
    const d = dir('', byControllers.get(''));
    if (d) out[''] = d;
    return out;
  }
  for (const h of layout.hierarchies) {
    const d = dir(h.dir, byControllers.get(h.options.split(',').sort().join(',')));
    if (d) out[h.dir] = d;
  }
  return out;
}
