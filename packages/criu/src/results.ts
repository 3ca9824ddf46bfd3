import type { DumpStats, RestoreStats } from './images/inspect.js';
import type { RestoredProcess } from './restored-process.js';

/** CRIU's version, from a VERSION request. */
export interface CriuVersion {
  /** CRIU_VERSION_MAJOR, e.g. 4 for 4.1.1. */
  major: number;
  /** CRIU_VERSION_MINOR, e.g. 1 for 4.1.1. */
  minor: number;
  /** CRIU_VERSION_SUBLEVEL, e.g. 1 for 4.1.1; 0 when the release has none. */
  sublevel: number;
  /** CRIU_VERSION_EXTRA, a fourth number some builds carry; 0 when none. */
  extra: number;
  /** The git revision CRIU was built from (`git describe`), for builds from a git tree; undefined for release tarballs. */
  gitId: string | undefined;
  /** The release's code name (CRIU_VERSION_NAME); undefined when CRIU sent none. */
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
  /** CRIU's log file of the restore, absolute (in the work dir). */
  logFile: string;
  /** The stats CRIU wrote (`stats-restore` in the work dir), or null when absent. */
  stats: RestoreStats | null;
}

/** A page server started by {@link Criu.pageServer}. */
export interface PageServer {
  /** The page server daemon's pid when CRIU reports it (it exits after serving one dump). */
  pid: number | undefined;
  /** The port it listens on. */
  port: number;
}
