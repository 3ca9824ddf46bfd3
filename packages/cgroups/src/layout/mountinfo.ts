import type { CgroupHierarchy } from './types.js';

/** Undoes the octal escapes (`\040` for space...) of proc_pid_mountinfo(5). */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/**
 * Parses `/proc/PID/mountinfo` text (proc_pid_mountinfo(5)) and returns its
 * `cgroup` and `cgroup2` mounts. v1 controllers come from the super options
 * (the last field), e.g. `rw,cpu,cpuacct` or `rw,name=systemd`; v2 mounts get
 * an empty controller list, filled later from `cgroup.controllers`.
 * When a hierarchy is mounted twice, the first mount wins.
 */
export function parseCgroupMounts(mountinfo: string): CgroupHierarchy[] {
  const found: CgroupHierarchy[] = [];
  const seenMajMin = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    if (!line.trim()) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const fstype = post[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const majMin = pre[2] ?? '';
    if (seenMajMin.has(majMin)) continue;
    seenMajMin.add(majMin);
    const mountRoot = unescapeMountField(pre[3] ?? '/');
    const mountPoint = unescapeMountField(pre[4] ?? '');
    if (fstype === 'cgroup2') {
      found.push({ version: 2, mountPoint, mountRoot, controllers: [] });
      continue;
    }
    const superOptions = (post[2] ?? '').split(',');
    const controllers: string[] = [];
    let name: string | undefined;
    for (const opt of superOptions) {
      if (opt.startsWith('name=')) name = opt.slice(5);
      else if (
        opt === 'rw' ||
        opt === 'ro' ||
        opt.includes('=') ||
        opt === 'noprefix' ||
        opt === 'clone_children' ||
        opt === 'xattr' ||
        opt === 'cpuset_v2_mode' ||
        opt === 'favordynmods'
      )
        continue;
      else controllers.push(opt);
    }
    found.push(name === undefined ? { version: 1, mountPoint, mountRoot, controllers } : { version: 1, mountPoint, mountRoot, controllers, name });
  }
  return found;
}
