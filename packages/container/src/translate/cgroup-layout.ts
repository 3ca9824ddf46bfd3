/**
 * How cgroup filesystems are laid out on the host, as far as building the
 * container's `/sys/fs/cgroup` needs to know: one cgroup2 mount (unified), or
 * v1 hierarchies (legacy) with optionally a cgroup2 one beside them (hybrid).
 */
export type CgroupMountLayout =
  | {
      /** Unified: one cgroup2 filesystem mounted at /sys/fs/cgroup. */
      version: 2;
    }
  | {
      /** Legacy or hybrid: cgroup v1 hierarchies under /sys/fs/cgroup. */
      version: 1;
      /** v1 hierarchies: directory name under /sys/fs/cgroup and its mount options (`cpu,cpuacct`, `name=systemd`). */
      hierarchies: {
        /** Mount point name under /sys/fs/cgroup, e.g. `cpu,cpuacct` or `systemd`. */
        dir: string;
        /** The hierarchy's controllers and `name=` option from the superblock options, comma-joined (`rw`, `release_agent`... dropped). */
        options: string;
      }[];
      /** Directory name of the cgroup2 hierarchy beside them (hybrid), e.g. `unified`. */
      unifiedDir?: string;
    };

/**
 * Reads the layout from `/proc/self/mountinfo` text. Pure (takes the text).
 * Only mounts directly under /sys/fs/cgroup count.
 */
export function parseCgroupLayout(mountinfo: string): CgroupMountLayout {
  const hierarchies: { dir: string; options: string }[] = [];
  let unifiedDir: string | undefined;
  let v2Root = false;
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const mountPoint = pre.split(' ')[4] ?? '';
    const [fstype, , superOptions = ''] = post.split(' ');
    if (fstype === 'cgroup2') {
      if (mountPoint === '/sys/fs/cgroup') v2Root = true;
      else if (mountPoint.startsWith('/sys/fs/cgroup/')) unifiedDir = mountPoint.slice('/sys/fs/cgroup/'.length);
    } else if (fstype === 'cgroup' && mountPoint.startsWith('/sys/fs/cgroup/')) {
      const options = superOptions
        .split(',')
        .filter((o) => o !== 'rw' && o !== 'ro' && !o.startsWith('release_agent') && o !== 'clone_children' && o !== 'noprefix' && o !== 'xattr')
        .join(',');
      hierarchies.push({ dir: mountPoint.slice('/sys/fs/cgroup/'.length), options });
    }
  }
  if (v2Root && hierarchies.length === 0) return { version: 2 };
  return unifiedDir === undefined ? { version: 1, hierarchies } : { version: 1, hierarchies, unifiedDir };
}
