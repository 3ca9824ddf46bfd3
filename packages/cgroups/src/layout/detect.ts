import { readFileSync } from 'node:fs';
import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';
import { parseCgroupMounts } from './mountinfo.js';
import { cgroupPathsByKey, parseProcCgroup } from './proc-cgroup.js';
import type { CgroupHierarchy, CgroupLayout, CgroupMode } from './types.js';

/** Inputs of {@link detectLayout}; each defaults to the running system. */
export interface DetectOptions {
  /** A prefix under which mount points are read (a tmpdir tree in tests). Default `''`. */
  fsRoot?: string;
  /** `/proc/self/mountinfo` text. */
  mountinfo?: string;
  /** `/proc/self/cgroup` text. */
  procCgroup?: string;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Strips a mount's root from a `/proc/PID/cgroup` path, giving the path below the mount point. */
export function relativeToMount(path: string, mountRoot: string): string {
  if (mountRoot === '/' || mountRoot === '') return path;
  if (path === mountRoot) return '/';
  if (path.startsWith(`${mountRoot}/`)) return path.slice(mountRoot.length);
  return path;
}

/** Decides the mode from the hierarchies found (see cgroups(7), "cgroups version 1 and version 2 coexistence"). */
export function modeOf(v1: CgroupHierarchy[], unified: CgroupHierarchy | undefined): CgroupMode {
  const v1WithControllers = v1.some((h) => h.controllers.length > 0);
  if (unified && v1WithControllers) return 'hybrid';
  if (unified) return 'unified';
  return 'legacy';
}

/**
 * Detects how cgroups are mounted for the calling process: the mode
 * (legacy/hybrid/unified), each hierarchy and its controllers, and the
 * caller's own cgroup in each. Reads `/proc/self/mountinfo`,
 * `/proc/self/cgroup` and the v2 root's `cgroup.controllers`.
 *
 * Privileges: none (all files are world-readable).
 * @throws {@link CgroupError} `UNSUPPORTED` when no cgroup filesystem is mounted.
 * @example
 * ```ts
 * const layout = detectLayout();
 * console.log(layout.mode, [...layout.controllers.keys()]);
 * ```
 */
export function detectLayout(options: DetectOptions = {}): CgroupLayout {
  const fsRoot = options.fsRoot ?? '';
  const mountinfo = options.mountinfo ?? readOr('/proc/self/mountinfo', '');
  const procCgroup = options.procCgroup ?? readOr('/proc/self/cgroup', '');
  const mounts = parseCgroupMounts(mountinfo);
  const v1 = mounts.filter((m) => m.version === 1);
  const unified = mounts.find((m) => m.version === 2);
  if (!unified && v1.length === 0) {
    throw new CgroupError('no cgroup filesystem is mounted', {
      code: KcErrorCode.Unsupported,
      hint: 'mount cgroup2 at /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup)',
    });
  }
  if (unified) {
    const text = readOr(`${fsRoot}${unified.mountPoint}/cgroup.controllers`, '');
    unified.controllers = text.split(/\s+/).filter(Boolean);
  }
  const controllers = new Map<string, CgroupHierarchy>();
  for (const h of v1) for (const c of h.controllers) controllers.set(c, h);
  if (unified) for (const c of unified.controllers) if (!controllers.has(c)) controllers.set(c, unified);

  const paths = cgroupPathsByKey(parseProcCgroup(procCgroup));
  const self = new Map<string, string>();
  for (const h of v1) {
    const key = h.name !== undefined ? `name=${h.name}` : h.controllers[0];
    const p = key === undefined ? undefined : paths.get(key);
    if (p !== undefined) {
      const rel = relativeToMount(p, h.mountRoot);
      for (const c of h.controllers) self.set(c, rel);
      if (h.name !== undefined) self.set(`name=${h.name}`, rel);
    }
  }
  const v2path = paths.get('');
  if (unified && v2path !== undefined) self.set('', relativeToMount(v2path, unified.mountRoot));
  const layout: CgroupLayout = {
    mode: modeOf(v1, unified),
    v1,
    controllers,
    self,
    fsRoot,
  };
  if (unified) layout.unified = unified;
  return layout;
}

let cachedLayout: CgroupLayout | undefined;

/** The running system's layout, detected once and cached (mounts rarely change under a process). */
export function systemLayout(): CgroupLayout {
  cachedLayout ??= detectLayout();
  return cachedLayout;
}
