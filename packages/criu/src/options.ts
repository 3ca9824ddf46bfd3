import type { NotifyHandler, NotifyHandlers } from './notifications.js';

/** How CRIU treats cgroups (criu(8) `--manage-cgroups`). */
export type CgroupMode = 'ignore' | 'none' | 'props' | 'soft' | 'full' | 'strict' | 'default';

/** How CRIU locks the network while tasks are frozen (`--network-lock`). */
export type NetworkLockMethod = 'iptables' | 'nftables' | 'skip';

/** CRIU's log verbosity: 0 (none) to 4 (debug), criu(8) `-v`. */
export type LogLevel = 0 | 1 | 2 | 3 | 4;

/** Options shared by every operation that works on an images directory. */
export interface CommonOptions {
  /** Directory of the image files (must exist for restore; created for dump). */
  imagesDir: string;
  /** Where CRIU writes its log and stats (`--work-dir`); defaults to `imagesDir`. */
  workDir?: string;
  /** Log verbosity; default 2 (errors and warnings), as the CLI. */
  logLevel?: LogLevel;
  /** Log file name inside the work dir (no `/`); default `<operation>.log`. */
  logFile?: string;
  /** Notification handlers; setting this turns on CRIU's notify messages. */
  notify?: NotifyHandler | NotifyHandlers;
  /** Externals (`--external`), e.g. `'mnt[/data]:data'`, `'net[4026532008]:extnet'`. */
  external?: string[];
  /** External bind mounts, mountpoint → key (`--ext-mount-map`). */
  extMounts?: Record<string, string>;
  /** Treat unknown bind mounts as external automatically (`--ext-mount-map auto`). */
  autoExtMounts?: boolean;
  /** Allow external mounts shared with the outside (`--ext-sharing`). */
  extSharing?: boolean;
  /** Allow external mounts with masters (`--ext-masters`). */
  extMasters?: boolean;
  /** Mount points to skip (`--skip-mnt`). */
  skipMounts?: string[];
  /** Keep established TCP connections (`--tcp-established`). */
  tcpEstablished?: boolean;
  /** The task is a shell job: its session is outside the tree (`--shell-job`). */
  shellJob?: boolean;
  /** Dump and restore file locks (`--file-locks`). */
  fileLocks?: boolean;
  /** Allow connected external unix sockets (`--ext-unix-sk`). */
  extUnixSockets?: boolean;
  /** Cgroup handling (`--manage-cgroups`). */
  manageCgroups?: CgroupMode;
  /** Cgroup roots per controller (`--cgroup-root [ctrl:]path`). */
  cgroupRoots?: {
    /** Controller name (`memory`, `cpu,cpuacct`...); absent applies the root to every controller. */
    controller?: string;
    /** The cgroup path, relative to the hierarchy's mount point, that replaces the dumped tree's root cgroup. */
    path: string;
  }[];
  /** How the network is locked (`--network-lock`). */
  networkLock?: NetworkLockMethod;
  /** Filesystem root of the tasks (`--root`). */
  root?: string;
  /** Give up after this many seconds (`--timeout`). */
  timeoutSeconds?: number;
  /** Link-remap unlinked files (`--link-remap`). */
  linkRemap?: boolean;
}

/** Where a page server listens or is reached (`--page-server --address --port`). */
export interface PageServerAddress {
  /** Host name or IP address of the page server (`--address`). */
  address: string;
  /** TCP port of the page server (`--port`), 1..65535. */
  port: number;
}

/** Options of {@link Criu.dump}. */
export interface DumpOptions extends CommonOptions {
  /** The root of the process tree to dump. */
  pid: number;
  /** Keep the tasks running after the dump (`--leave-running`); default false: CRIU kills them. */
  leaveRunning?: boolean;
  /** Leave the tasks stopped after the dump (`--leave-stopped`). */
  leaveStopped?: boolean;
  /** Previous pre-dump's images, relative to `imagesDir` (`--prev-images-dir`), e.g. `'../1'`. */
  parentImages?: string;
  /** Track dirty memory (`--track-mem`; needs the kernel's soft-dirty bits). */
  trackMemory?: boolean;
  /** Punch holes in parent images' pages already written (`--auto-dedup`). */
  autoDedup?: boolean;
  /** Send memory pages to a page server instead of writing them. */
  pageServer?: PageServerAddress;
  /** Leave memory for lazy restore: pages are served on demand (`--lazy-pages`). */
  lazyPages?: boolean;
  /** Freeze the tasks with this freezer cgroup instead of ptrace (`--freeze-cgroup`). */
  freezeCgroup?: string;
}

/** Options of {@link Criu.preDump}. */
export interface PreDumpOptions extends Omit<DumpOptions, 'leaveRunning' | 'leaveStopped' | 'lazyPages'> {
  /** How memory is read: `splice` (default) or `vm_read` (process_vm_readv). */
  mode?: 'splice' | 'vm_read';
}

/** A namespace for restored tasks to join instead of creating (`--join-ns`). */
export interface JoinNamespace {
  /** Namespace kind: `net`, `uts`, `ipc`, `pid`, `mnt`, `time`, `user`, `cgroup`. */
  kind: 'net' | 'uts' | 'ipc' | 'pid' | 'mnt' | 'time' | 'user' | 'cgroup';
  /** A namespace file (`/proc/<pid>/ns/net`, `/run/netns/x`) or a pid. */
  path: string;
  /** Extra option CRIU accepts for some kinds (user: `uid,gid`). */
  extra?: string;
}

/** Options of {@link Criu.restore}. */
export interface RestoreOptions extends CommonOptions {
  /**
   * `false` (default): the restored root becomes a child of this Node process
   * (`rst_sibling`), so kc reaps it and {@link RestoredProcess.exited} works.
   * `true`: it is left as an orphan, like `criu restore -d`.
   */
  detached?: boolean;
  /** Write the restored root's pid to this file (`--pidfile`). */
  pidFile?: string;
  /** Fds of this process handed to the restored tasks (`--inherit-fd fd[N]:key`). */
  inheritFds?: {
    /** The key the dump recorded for the resource, e.g. `pipe:[12345]` or an `--external` key. */
    key: string;
    /** An open fd of this Node process; kc passes it to CRIU, which installs it in place of the resource. */
    fd: number;
  }[];
  /** Existing namespaces to restore into (`--join-ns`). */
  joinNamespaces?: JoinNamespace[];
  /** Leave the restored tasks stopped (`--leave-stopped`). */
  leaveStopped?: boolean;
  /** Restore memory lazily through userfaultfd (`--lazy-pages`); a `criu lazy-pages` daemon must already serve these images (kc does not start one). */
  lazyPages?: boolean;
}

/** Options of {@link Criu.pageServer}. */
export interface PageServerOptions {
  /** Where received pages are written. */
  imagesDir: string;
  /** Listen address, default all. */
  address?: string;
  /** Listen port; 0 picks one (reported back). */
  port?: number;
  /** Where CRIU writes the page server's log (`--work-dir`); defaults to `imagesDir`. */
  workDir?: string;
  /** Log verbosity 0..4; default 2 (errors and warnings). */
  logLevel?: LogLevel;
  /** Log file name inside the work dir (no `/`); default `page-server.log`. */
  logFile?: string;
}
