/**
 * The shapes detection produces: the mode, every mounted cgroup hierarchy and
 * the caller's own cgroup.
 */

/** How cgroups are mounted: v1 only, v1 beside a v2 hierarchy, or v2 only. */
export type CgroupMode = 'legacy' | 'hybrid' | 'unified';

/** Controller names, as in `/proc/cgroups` (v1) and `cgroup.controllers` (v2). */
export type ControllerName =
  | 'cpu'
  | 'cpuacct'
  | 'cpuset'
  | 'memory'
  | 'devices'
  | 'freezer'
  | 'net_cls'
  | 'net_prio'
  | 'blkio'
  | 'io'
  | 'perf_event'
  | 'hugetlb'
  | 'pids'
  | 'rdma'
  | 'misc';

/** Every controller name kc knows, v1 and v2. */
export const CONTROLLER_NAMES: readonly ControllerName[] = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'blkio',
  'io',
  'perf_event',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
];

/** One mounted cgroup hierarchy. */
export interface CgroupHierarchy {
  /** 1 for a `cgroup` mount, 2 for `cgroup2`. */
  version: 1 | 2;
  /** Where it is mounted, e.g. `/sys/fs/cgroup/memory`. */
  mountPoint: string;
  /** The mount's root inside the hierarchy (mountinfo field 4; `/` unless in a cgroup namespace or bind). */
  mountRoot: string;
  /** Controllers attached: v1 from the mount options, v2 from the root's `cgroup.controllers`. */
  controllers: string[];
  /** A v1 named hierarchy (`name=systemd` → `systemd`), if any. */
  name?: string;
}

/** The cgroup mode and hierarchies of a machine as seen by one process. */
export interface CgroupLayout {
  /** `legacy` (v1 only), `hybrid` (v1 controllers plus a cgroup2 mount such as `/sys/fs/cgroup/unified`) or `unified` (v2 only). */
  mode: CgroupMode;
  /** The v1 hierarchies (one per controller set, plus named ones). */
  v1: CgroupHierarchy[];
  /** The v2 hierarchy, if mounted. */
  unified?: CgroupHierarchy;
  /** Each controller present, mapped to the hierarchy that holds it (v1 wins over v2, as the kernel binds a controller to one only). */
  controllers: Map<string, CgroupHierarchy>;
  /** The caller's cgroup path in each hierarchy, relative to its mount point (`''` key for v2). */
  self: Map<string, string>;
  /** The filesystem prefix the layout was read under (`''` on a real system; a tmpdir in tests). */
  fsRoot: string;
}
