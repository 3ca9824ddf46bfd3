import type { OciConfig } from '../oci/types.js';

/** What kc persists about a container under its state root (`<root>/<id>/state.json`). */
export interface ContainerRecord {
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
  /** Host cgroup directories, per hierarchy dir name (`''` for a unified host). */
  cgroupDirs: Record<string, string>;
  /** The container's absolute root directory. */
  rootfs: string;
  /** Overlay mount kc made for the root (unmounted on delete), if any. */
  overlayMount?: string;
  /** The config's `annotations`, reported in the state; absent when the config has none. */
  annotations?: Record<string, string>;
}
