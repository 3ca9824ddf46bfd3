import type { DumpStats, RestoreStats } from './images/inspect.js';
import type { RestoredProcess } from './restored-process.js';

/** CRIU's version, from a VERSION request. */
export interface CriuVersion {
  major: number;
  minor: number;
  sublevel: number;
  extra: number;
  gitId: string | undefined;
  name: string | undefined;
  /** `major.minor[.sublevel]`. */
  text: string;
}

/** Kernel features CRIU can use here, from a FEATURE_CHECK request. */
export interface CriuFeatures {
  /** Dirty-memory tracking (soft-dirty bits): needed for pre-dump and `trackMemory`. */
  memoryTracking: boolean;
  /** userfaultfd: needed for lazy pages. */
  lazyPages: boolean;
  /** pidfd_store (pidfd_open + pidfd_getfd). */
  pidfdStore: boolean;
}

/** What a dump or pre-dump did. */
export interface DumpResult {
  /** The images directory, absolute. */
  imagesDir: string;
  /** CRIU's log file. */
  logFile: string;
  /** The stats CRIU wrote (`stats-dump`), or null when absent. */
  stats: DumpStats | null;
}

/** What a restore did. */
export interface RestoreResult {
  /** The restored root's pid, as this process sees it. */
  pid: number;
  /** The restored root as a child of this process, or null when `detached`. */
  process: RestoredProcess | null;
  logFile: string;
  stats: RestoreStats | null;
}

/** A page server started by {@link Criu.pageServer}. */
export interface PageServer {
  /** The page server daemon's pid when CRIU reports it (it exits after serving one dump). */
  pid: number | undefined;
  /** The port it listens on. */
  port: number;
}
