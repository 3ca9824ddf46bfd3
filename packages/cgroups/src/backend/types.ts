import type { CgroupFiles, FileWrite } from '../resources/file-io.js';
import type { Resources } from '../resources/types.js';

/** A translated write with its absolute file path. */
export interface PlannedWrite extends FileWrite {
  path: string;
  /** Done instead of writing `value` to `path`: the v2 device controller attaches an eBPF program (devices/attach.ts). */
  apply?: () => void;
}

/**
 * One cgroup interface over the mounted hierarchies (youki's CgroupManager,
 * crun's backend table): the v1 backend spans one directory per controller
 * hierarchy, the v2 backend is one directory, the hybrid backend combines
 * them. `path` is always the logical cgroup path (`/a/b`) below each mount.
 */
export interface CgroupBackend {
  readonly kind: 'v1' | 'v2' | 'hybrid';
  /** Controllers this backend can manage. */
  readonly controllers: readonly string[];
  /** The directories of the cgroup, one per hierarchy. */
  dirs(path: string): string[];
  /** True when the cgroup exists in at least one hierarchy (tools may create it in only some). */
  exists(path: string): boolean;
  /** Creates the missing directories of one level (the parent exists); returns those created. */
  mkdir(path: string, wanted: readonly string[]): string[];
  /** Removes the (empty) directories of one cgroup. */
  rmdir(path: string): void;
  /** Controllers in effect for the group: v1 hierarchies where it exists, v2 `cgroup.controllers`. */
  enabled(path: string): string[];
  /** Names of child cgroups (union over hierarchies). */
  children(path: string): string[];
  /** File access for translation and stats, by controller (`''` = core files). */
  files(path: string): CgroupFiles;
  /** Translates resources into writes, checking version support; writes nothing. */
  plan(path: string, r: Resources): PlannedWrite[];
  /** Makes sure the controllers `r` needs are enabled for `path` (v2 subtree_control); true when it changed anything. */
  prepare(path: string, r: Resources): boolean;
  /** Reads limits back. */
  readResources(path: string): Resources;
  /** Member processes (thread-group ids). */
  procs(path: string): number[];
  /** Member threads. */
  threads(path: string): number[];
  /** Moves a process (all its threads) into the cgroup. */
  addProcess(path: string, pid: number): void;
  /** Moves one thread. */
  addThread(path: string, tid: number): void;
  /** Requests freezing or thawing. */
  setFrozen(path: string, frozen: boolean): void;
  /** True when the kernel reports the cgroup fully frozen. */
  isFrozen(path: string): boolean;
  /** Kills every process in the cgroup and its descendants and resolves when none is left. */
  killAll(path: string): Promise<void>;
  /** True when any process is in the cgroup or below. */
  populated(path: string): boolean;
  /** Where a new process should be placed: a v2 dir for CLONE_INTO_CGROUP and/or procs files. */
  placement(path: string): { cloneDir?: string; procsFiles: string[] };
  /** The directory holding core v2 files (PSI, cgroup.events), if any. */
  coreDir(path: string): string | undefined;
  /** The directory of a controller, if it is mounted. */
  controllerDir(path: string, controller: string): string | undefined;
  /** The cgroup version the controller lives on. */
  versionOf(controller: string): 1 | 2 | undefined;
}
