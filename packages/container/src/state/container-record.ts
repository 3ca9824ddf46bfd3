import type { OciConfig } from '../oci/types.js';

/**
 * How far an unfinished `create` (or `restore`) got; each stage is recorded
 * BEFORE its side effect (write-ahead), so `delete -f` knows what may exist:
 * - `reserved`: the id, its state directory and lock; nothing else (the
 *   caller's `overlayMount`, when given, is named from here on);
 * - `cgroup`: creating the cgroup at `cgroupPath`; `cgroupPreexisting` lists
 *   its directories that existed before (never removed);
 * - `spawning`: the cgroup exists (`cgroupCreated`), the first process is
 *   being spawned into it (it dies with kc until the hand-off);
 * - `spawned`: the process exists (`pid`, `pidStartTime`), held by kc-init;
 *   hooks run now.
 * A record without a stage is a finished create.
 */
export type CreateStage = 'reserved' | 'cgroup' | 'spawning' | 'spawned';

/** What kc persists about a container under its state root (`<root>/<id>/state.json`). */
export interface ContainerRecord {
  /** Set while `create` or `restore` has not finished (see {@link CreateStage}); absent once it has. */
  stage?: CreateStage;
  /** Directories of the group at `cgroupPath` that existed before create made it (write-ahead at stage `cgroup`). */
  cgroupPreexisting?: string[];
  /** The runtime-spec version kc implements, reported as the state's `ociVersion`. */
  ociVersion: string;
  /** The container id (the state's `id`), also the name of its directory under the state root. */
  id: string;
  /** Absolute bundle directory. */
  bundle: string;
  /** Host pid of the container's first process, 0 before it exists. */
  pid: number;
  /** Field 22 of /proc/PID/stat when created: tells a reused pid apart. */
  pidStartTime: number;
  /** ISO time of creation. */
  created: string;
  /** Set once `start` ran (the exec fifo is gone). */
  started: boolean;
  /** The validated config the container was created from. */
  config: OciConfig;
  /** The container's logical cgroup path in `@kc/cgroups` terms (`/kc/<id>`); absent in records of older kc versions. */
  cgroupPath?: string;
  /**
   * Set when systemd manages the container's cgroup (a `slice:prefix:name`
   * path, or `--systemd-cgroup`): the driver's path and the transient scope
   * unit. Written ahead, at stage `cgroup`, before systemd is asked to start
   * the unit, so `delete -f` stops it by name whatever create reached.
   * `cgroupPath` is then the scope's cgroup below the v2 mount.
   */
  systemdScope?: {
    /** The `linux.cgroupsPath` in systemd's form, `slice:prefix:name`. */
    path: string;
    /** The transient scope unit, e.g. `kc-demo.scope`: what delete stops. */
    unit: string;
  };
  /** Host cgroup directories, per hierarchy dir name (`''` for a unified host). */
  cgroupDirs: Record<string, string>;
  /**
   * The host cgroup directories kc made at create (`@kc/cgroups`'
   * `createdDirectories`): delete removes only these, never a group that
   * existed before in some hierarchy. Absent in records of older kc versions
   * (delete then removes every directory of the group).
   */
  cgroupCreated?: string[];
  /** Rootless without a cgroup (none was writable and no limits were asked, see rootless-cgroup.ts): nothing to join, signal or remove there. */
  noCgroup?: boolean;
  /** The container's absolute root directory. */
  rootfs: string;
  /** Overlay mount kc made for the root (unmounted on delete), if any. */
  overlayMount?: string;
  /** The config's `annotations`, reported in the state; absent when the config has none. */
  annotations?: Record<string, string>;
}

/** What {@link reservedRecord} needs. */
export interface ReservedRecordInit {
  /** The container id. */
  id: string;
  /** Absolute bundle directory. */
  bundle: string;
  /** The validated config. */
  config: OciConfig;
  /** The logical cgroup path the container will use. */
  cgroupPath: string;
  /** Absolute root filesystem path. */
  rootfs: string;
  /** Whether the process already runs its program (restore) or waits for `start` (create). */
  started: boolean;
}

/**
 * The first, write-ahead record of `create` and `restore` (stage `reserved`:
 * nothing exists yet but the id), saved before any side effect.
 */
export function reservedRecord(init: ReservedRecordInit, ociVersion: string): ContainerRecord {
  return {
    stage: 'reserved',
    ociVersion,
    id: init.id,
    bundle: init.bundle,
    pid: 0,
    pidStartTime: 0,
    created: new Date().toISOString(),
    started: init.started,
    config: init.config,
    cgroupPath: init.cgroupPath,
    cgroupDirs: {},
    rootfs: init.rootfs,
    annotations: init.config.annotations,
  };
}
