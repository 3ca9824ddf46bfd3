import { defaultSeccompProfile } from '../internal/seccomp-adapter.js';
import { DEFAULT_CAPABILITIES } from './capability-names.js';
import type { OciConfig, OciMount } from './types.js';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from '@kc/namespaces';

/** The runtime-spec version kc writes and reports. */
export const OCI_VERSION = '1.0.2';

// The masked and read-only path lists are runc's and Docker's defaults, kept once in @kc/namespaces.
export { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS };

/** The default mounts of `runc spec`: proc, a small /dev tmpfs, devpts, shm, mqueue, read-only sysfs and cgroup. */
export const DEFAULT_MOUNTS: readonly OciMount[] = [
  { destination: '/proc', type: 'proc', source: 'proc' },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
  { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
];

/** Options of {@link defaultConfig}. */
export interface DefaultConfigOptions {
  /** Command to run. Default `['sh']`, as `runc spec`. */
  args?: readonly string[];
  /** `root.path`. Default `'rootfs'` (relative to the bundle). */
  rootfs?: string;
  /** Allocate a terminal (`process.terminal`). Default false. */
  terminal?: boolean;
  /** Hostname. Default `'kc'`. */
  hostname?: string;
  /** Mount the root read-only. Default true, as `runc spec`. */
  readonlyRoot?: boolean;
  /** Include kc's default seccomp profile (from `@kc/seccomp`) as `linux.seccomp`. Default true. */
  seccomp?: boolean;
}

/**
 * The default `config.json` that `kc spec` writes: secure defaults equal to
 * Docker's (new pid, mnt, uts, ipc, net and cgroup namespaces; Docker's
 * capability set; kc's default seccomp profile; no_new_privs; masked and read-only /proc and /sys paths; a
 * minimal /dev; `RLIMIT_NOFILE` 1024). A pure function.
 *
 * @example
 * ```ts
 * writeFileSync('bundle/config.json', JSON.stringify(defaultConfig({ args: ['/bin/true'] }), null, 2));
 * ```
 */
export function defaultConfig(options: DefaultConfigOptions = {}): OciConfig {
  const caps = [...DEFAULT_CAPABILITIES];
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: options.terminal ?? false,
      user: { uid: 0, gid: 0 },
      args: [...(options.args ?? ['sh'])],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: [], inheritable: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: options.rootfs ?? 'rootfs', readonly: options.readonlyRoot ?? true },
    hostname: options.hostname ?? 'kc',
    mounts: DEFAULT_MOUNTS.map((m) => ({ ...m, options: m.options ? [...m.options] : undefined })),
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
      ...(options.seccomp === false ? {} : { seccomp: defaultSeccompProfile() }),
    },
  };
}
