import type { NotifyHandler, NotifyHandlers } from './notifications.js';

/** How CRIU treats cgroups (criu(8) `--manage-cgroups`). */
export type CriuCgroupMode = 'ignore' | 'none' | 'props' | 'soft' | 'full' | 'strict' | 'default';

/**
 * How CRIU treats cgroups.
 * @deprecated use {@link CriuCgroupMode}: `CgroupMode` of `@kc/cgroups` is the hierarchy mode.
 */
export type CgroupMode = CriuCgroupMode;

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
  /**
   * Cancels the call: an already-aborted signal rejects with an `AbortError`
   * before CRIU starts; an abort while CRIU works kills its worker (SIGKILL)
   * and rejects with an `AbortError`. A dump cancelled so leaves the tree
   * running (CRIU's hold on it ends with CRIU) and partial images behind; a
   * restore cancelled before CRIU answered may leave part of the tree
   * restored, outside any handle: cancel restores only as a last resort.
   */
  signal?: AbortSignal;
  /** Externals (`--external`), e.g. `'mnt[/data]:data'`, `'net[4026532008]:extnet'`. */
  external?: readonly string[];
  /** External bind mounts, mountpoint → key (`--ext-mount-map`). */
  extMounts?: Record<string, string>;
  /** Treat unknown bind mounts as external automatically (`--ext-mount-map auto`). */
  autoExtMounts?: boolean;
  /** Allow external mounts shared with the outside (`--ext-sharing`). */
  extSharing?: boolean;
  /** Allow external mounts with masters (`--ext-masters`). */
  extMasters?: boolean;
  /** Mount points to skip (`--skip-mnt`). */
  skipMounts?: readonly string[];
  /** Keep established TCP connections (`--tcp-established`). */
  tcpEstablished?: boolean;
  /** The task is a shell job: its session is outside the tree (`--shell-job`). */
  shellJob?: boolean;
  /** Dump and restore file locks (`--file-locks`). */
  fileLocks?: boolean;
  /** Allow connected external unix sockets (`--ext-unix-sk`). */
  extUnixSockets?: boolean;
  /** Cgroup handling (`--manage-cgroups`). */
  manageCgroups?: CriuCgroupMode;
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
  /**
   * Send memory pages to a page server instead of writing them. With
   * `lazyPages` it is where this dump itself serves the pages instead: CRIU
   * listens on `port` on every address of its network namespace (its RPC
   * ignores `address`).
   */
  pageServer?: PageServerAddress;
  /**
   * Post-copy migration (`--lazy-pages`): write every image but the memory,
   * then keep the tree frozen and serve its pages on `pageServer.port` until a
   * remote `criu lazy-pages` daemon ({@link Criu.lazyPages}) fetched them all;
   * only then is the tree killed and the dump resolves. Needs `pageServer`.
   * The `'status-ready'` notification says the images are written and the
   * server listens; its handler must return promptly (CRIU waits for the
   * answer before serving).
   */
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
export interface CriuRestoreOptions extends CommonOptions {
  /**
   * `false` (default): the restored root becomes a child of this Node process
   * (`rst_sibling`), so kc reaps it and {@link RestoredProcess.exited} works.
   * `true`: it is left as an orphan, like `criu restore -d`.
   */
  detached?: boolean;
  /** Write the restored root's pid to this file (`--pidfile`). */
  pidFile?: string;
  /** Fds of this process handed to the restored tasks (`--inherit-fd fd[N]:key`). */
  inheritFds?: readonly {
    /** The key the dump recorded for the resource, e.g. `pipe:[12345]` or an `--external` key. */
    key: string;
    /** An open fd of this Node process; kc passes it to CRIU, which installs it in place of the resource. */
    fd: number;
  }[];
  /** Existing namespaces to restore into (`--join-ns`). */
  joinNamespaces?: readonly JoinNamespace[];
  /** Leave the restored tasks stopped (`--leave-stopped`). */
  leaveStopped?: boolean;
  /**
   * Restore memory lazily through userfaultfd (`--lazy-pages`): the tasks
   * resume at once and pages arrive on first touch. A daemon from
   * {@link Criu.lazyPages} must already listen in the same work dir
   * (`lazy-pages.socket` there); kc checks before CRIU runs.
   */
  lazyPages?: boolean;
}

/**
 * Options of {@link Criu.restore}.
 * @deprecated use {@link CriuRestoreOptions}: `RestoreOptions` of `@kc/container` restores a container.
 */
export type RestoreOptions = CriuRestoreOptions;

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
  /**
   * Serve the pages of the dump already in `imagesDir` to a remote
   * `criu lazy-pages` daemon, in any order it asks (`page-server --lazy-pages`),
   * instead of receiving a dump. CRIU then listens on every address (its RPC
   * ignores `address`) and needs an explicit `port`.
   */
  lazyPages?: boolean;
}

/** Options of {@link Criu.lazyPages}: the `criu lazy-pages` daemon of a lazy restore. */
export interface LazyPagesOptions {
  /** The dump's images (pstree, mm, pagemap...): they must be here before the daemon starts. */
  imagesDir: string;
  /**
   * Fetch pages from this page server (`--page-server --address --port`): a
   * dump with `lazyPages`, or `pageServer({ lazyPages: true })`, on the
   * source host. Absent: pages are read from `pages-*.img` in `imagesDir`.
   */
  pageServer?: PageServerAddress;
  /**
   * Where the daemon creates `lazy-pages.socket` and its log (`--work-dir`);
   * defaults to `imagesDir`. The restore must use the same work dir.
   */
  workDir?: string;
  /** Log verbosity 0..4; default 2 (errors and warnings). */
  logLevel?: LogLevel;
  /** Log file name inside the work dir (no `/`); default `lazy-pages.log`. */
  logFile?: string;
}
