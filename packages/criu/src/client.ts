import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { abortError, KcErrorCode, invalidArgument } from '@kc/native';
import { CriuError } from './errors.js';
import { readDumpStats, readRestoreStats } from './images/inspect.js';
import { type CriuConnection, connectService, startSwrk } from './internal/connection.js';
import { type criu_opts, type criu_req, criu_featuresSchema, criu_page_server_infoSchema, criu_reqSchema, criu_req_type } from './internal/gen/rpc_pb.js';
import { type ResolvedDirs, commonOpts, dumpOpts, preDumpOpts, restoreOpts } from './internal/request.js';
import { converse } from './internal/rpc.js';
import {
  LAZY_PAGES_SOCKET,
  requireImagesDir,
  requireLazyPagesSocket,
  requireProcess,
  requireWritableDir,
  validateCommon,
  validateLazyDump,
  validateLazyPageServerPort,
  validatePageServerAddress,
  validatePidShape,
} from './internal/validate.js';
import { type LazyPagesDaemon, startLazyPagesDaemon } from './lazy-pages.js';
import { locateCriu } from './locate.js';
import type { CommonOptions, DumpOptions, LazyPagesOptions, LogLevel, PageServerOptions, PreDumpOptions, CriuRestoreOptions } from './options.js';
import { RestoredProcess } from './restored-process.js';
import type { CriuFeatures, CriuVersion, DumpResult, PageServer, RestoreResult } from './results.js';

/** How {@link Criu} reaches CRIU. */
export interface CriuClientOptions {
  /** The `criu` binary; default: found on `$PATH` or in /usr/local/sbin. */
  binary?: string;
  /** Run `criu swrk` through this wrapper, e.g. `['nsenter', '--net=/run/netns/a']`. */
  wrapper?: readonly string[];
  /** Talk to a running `criu service --address <path>` instead of starting `criu swrk`. */
  service?: string;
}

interface Prepared extends ResolvedDirs {
  workDir: string;
  /** The log file's full path. */
  logPath: string;
  close(): void;
}

function openDir(path: string): number {
  return openSync(path, 'r');
}

/**
 * A CRIU client speaking its RPC protocol: each operation starts `criu swrk`
 * over a SOCK_SEQPACKET socketpair (or connects to `criu service`), sends one
 * protobuf request, answers notifications and returns a typed result.
 *
 * Needs root (CAP_SYS_ADMIN, CAP_CHECKPOINT_RESTORE and friends) and CRIU >= 4.0.
 *
 * @example
 * ```ts
 * const criu = new Criu();
 * await criu.dump({ pid, imagesDir: '/tmp/ckpt', shellJob: true });
 * const { process } = await criu.restore({ imagesDir: '/tmp/ckpt', shellJob: true });
 * ```
 */
export class Criu {
  readonly #opts: CriuClientOptions;
  #features: Promise<CriuFeatures> | undefined;

  /** Records how to reach CRIU; nothing runs until an operation is called. */
  constructor(options: CriuClientOptions = {}) {
    this.#opts = options;
  }

  /** The `criu` binary this client starts (resolved now). @throws {@link CriuError} `NOT_FOUND`. */
  get binary(): string {
    return locateCriu(this.#opts.binary);
  }

  /**
   * Asks CRIU whether the kernel supports checkpoint/restore (`criu check`).
   *
   * @throws {@link CriuError} when CRIU reports missing features, or is missing.
   */
  async check(options: { workDir?: string; logLevel?: LogLevel } = {}): Promise<void> {
    // CRIU's RPC check needs an images dir for its log; a temporary one by default.
    const dir = options.workDir ?? mkdtempSync(join(tmpdir(), 'kc-criu-check-'));
    try {
      const p = this.#prepare({ imagesDir: dir, logLevel: options.logLevel ?? 2 }, 'check', true);
      try {
        const req = create(criu_reqSchema, { type: criu_req_type.CHECK, opts: commonOpts({ imagesDir: dir }, p) });
        await this.#call(req, { op: 'check', logFile: p.logPath });
      } finally {
        p.close();
      }
    } finally {
      if (options.workDir === undefined) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** CRIU's version. @throws {@link CriuError} when CRIU is missing or too old to answer. */
  async version(): Promise<CriuVersion> {
    const resp = await this.#call(create(criu_reqSchema, { type: criu_req_type.VERSION }), { op: 'version' });
    const v = resp.version;
    if (!v) throw new CriuError('criu version: no version in the answer', { code: 'TOOL_FAILED' });
    const text = `${v.majorNumber}.${v.minorNumber}${v.sublevel ? `.${v.sublevel}` : ''}`;
    return {
      major: v.majorNumber,
      minor: v.minorNumber,
      sublevel: v.sublevel,
      extra: v.extra,
      gitId: v.gitid || undefined,
      name: v.name || undefined,
      text,
    };
  }

  /** Which optional kernel features CRIU can use here (asked once per client, then cached). */
  features(): Promise<CriuFeatures> {
    this.#features ??= this.#probeFeatures();
    this.#features.catch(() => {
      this.#features = undefined;
    });
    return this.#features;
  }

  async #probeFeatures(): Promise<CriuFeatures> {
    const req = create(criu_reqSchema, {
      type: criu_req_type.FEATURE_CHECK,
      features: create(criu_featuresSchema, { memTrack: true, lazyPages: true, pidfdStore: true }),
    });
    const resp = await this.#call(req, { op: 'feature check' });
    const f = resp.features;
    return { memoryTracking: f?.memTrack ?? false, lazyPages: f?.lazyPages ?? false, pidfdStore: f?.pidfdStore ?? false };
  }

  /**
   * Checkpoints the process tree rooted at `pid` into `imagesDir` (created when
   * missing). By default the tree is killed afterwards; `leaveRunning` keeps it.
   *
   * @throws {@link CriuError} `INVALID_ARGUMENT` for bad options, `ESRCH` for a
   *   missing process, `EROFS`/`EACCES` for an unwritable images dir (all before
   *   CRIU runs), `VETOED` when a notification handler said no, `TOOL_FAILED`
   *   with CRIU's message and log tail otherwise. `lazyPages` without
   *   `pageServer` is `INVALID_ARGUMENT`.
   */
  async dump(options: DumpOptions): Promise<DumpResult> {
    validateCommon(options, 'dump');
    validatePidShape(options.pid);
    validateLazyDump(options);
    requireProcess(options.pid);
    if (options.trackMemory) await this.#requireMemoryTracking('trackMemory');
    const p = this.#prepare(options, 'dump', true);
    try {
      const req = create(criu_reqSchema, { type: criu_req_type.DUMP, opts: dumpOpts(options, p) });
      await this.#call(req, { op: 'dump', logFile: p.logPath, notify: options.notify, signal: options.signal });
      return { imagesDir: resolve(options.imagesDir), logFile: p.logPath, stats: tryRead(() => readDumpStats(p.workDir)) };
    } finally {
      p.close();
    }
  }

  /**
   * Copies the tree's memory while it keeps running (`criu pre-dump`); a
   * later dump with `parentImages` pointing here writes only what changed.
   * Needs dirty-memory tracking in the kernel (see {@link Criu.features}).
   *
   * @throws {@link CriuError} as {@link Criu.dump}.
   */
  async preDump(options: PreDumpOptions): Promise<DumpResult> {
    validateCommon(options, 'preDump');
    validatePidShape(options.pid);
    if ((options as DumpOptions).lazyPages) {
      throw invalidArgument(
        CriuError,
        'lazyPages',
        'a pre-dump cannot leave memory for lazy restore (criu: "Cannot pre-dump with --lazy-pages")',
        'pass lazyPages to the final dump',
      );
    }
    if (options.pageServer !== undefined) validatePageServerAddress(options.pageServer, 'pageServer');
    requireProcess(options.pid);
    await this.#requireMemoryTracking('preDump');
    const p = this.#prepare(options, 'pre-dump', true);
    try {
      const req = create(criu_reqSchema, { type: criu_req_type.PRE_DUMP, opts: preDumpOpts(options, p) });
      await this.#call(req, { op: 'pre-dump', logFile: p.logPath, notify: options.notify, signal: options.signal });
      return { imagesDir: resolve(options.imagesDir), logFile: p.logPath, stats: tryRead(() => readDumpStats(p.workDir)) };
    } finally {
      p.close();
    }
  }

  /**
   * Restores the tree saved in `imagesDir`. By default the restored root
   * becomes a child of this process and is returned as a {@link RestoredProcess}.
   *
   * @throws {@link CriuError} `NOT_FOUND` when `imagesDir` holds no images,
   *   `INVALID_ARGUMENT` for bad options, `NOT_FOUND` with `lazyPages` when no
   *   lazy-pages daemon listens in the work dir, `TOOL_FAILED` with CRIU's log tail.
   */
  async restore(options: CriuRestoreOptions): Promise<RestoreResult> {
    validateCommon(options, 'restore');
    const inherit = options.inheritFds ?? [];
    inherit.forEach((f, i) => {
      if (!f || typeof f.key !== 'string' || !Number.isInteger(f.fd) || f.fd < 0) {
        throw invalidArgument(CriuError, `inheritFds[${i}]`, 'needs { key: string, fd: number >= 0 }');
      }
    });
    if (inherit.length > 0 && this.#opts.service) {
      throw invalidArgument(CriuError, 'inheritFds', 'CRIU accepts inherited fds only from swrk, not from criu service');
    }
    if (!options.detached && this.#opts.service) {
      throw invalidArgument(CriuError, 'detached', 'criu service cannot make the restored tree a child of the caller', 'pass detached: true');
    }
    requireImagesDir(options.imagesDir);
    if (options.lazyPages) requireLazyPagesSocket(options.workDir ?? options.imagesDir);
    const p = this.#prepare(options, 'restore', false);
    try {
      // swrk sees the caller's stdio slots 4, 5, ... as the inherited fds.
      const numbers = inherit.map((_, i) => 4 + i);
      const req = create(criu_reqSchema, { type: criu_req_type.RESTORE, opts: restoreOpts(options, p, numbers) });
      const resp = await this.#call(
        req,
        { op: 'restore', logFile: p.logPath, notify: options.notify, signal: options.signal },
        inherit.map((f) => f.fd),
      );
      const pid = resp.restore?.pid ?? 0;
      if (options.pidFile) writeFileSync(options.pidFile, `${pid}\n`);
      const child = options.detached ? null : new RestoredProcess(pid);
      return { pid, process: child, logFile: p.logPath, stats: tryRead(() => readRestoreStats(p.workDir)) };
    } finally {
      p.close();
    }
  }

  /**
   * Starts a page server receiving a dump's memory into `imagesDir` (the
   * destination side of a migration); the dump then passes `pageServer`.
   * With `lazyPages` it serves the dump already in `imagesDir` to a remote
   * {@link Criu.lazyPages} daemon instead (the source side of a lazy
   * migration). Either way it serves one client, then exits.
   *
   * @throws {@link CriuError} as {@link Criu.dump}; with `lazyPages`,
   *   `NOT_FOUND` when `imagesDir` holds no dump and `INVALID_ARGUMENT`
   *   without an explicit `port`.
   */
  async pageServer(options: PageServerOptions): Promise<PageServer> {
    validateCommon(options, 'pageServer');
    if (options.lazyPages) {
      validateLazyPageServerPort(options.port);
      requireImagesDir(options.imagesDir);
    }
    const p = this.#prepare(options, 'page-server', true);
    try {
      const { lazyPages, ...rest } = options;
      const opts: criu_opts = dumpOpts({ ...rest, pid: 0 }, p);
      opts.pid = 0;
      if (lazyPages) opts.lazyPages = true;
      opts.ps = create(criu_page_server_infoSchema, {
        ...(options.address !== undefined ? { address: options.address } : {}),
        port: options.port ?? 0,
      });
      const resp = await this.#call(create(criu_reqSchema, { type: criu_req_type.PAGE_SERVER, opts }), {
        op: 'page-server',
        logFile: p.logPath,
      });
      return { pid: resp.ps?.pid || undefined, port: resp.ps?.port ?? 0 };
    } finally {
      p.close();
    }
  }

  /**
   * Starts the `criu lazy-pages` daemon of a lazy restore (CRIU has no RPC
   * for it, so kc runs the CLI, through the client's `wrapper` when set:
   * the daemon must live in the network namespace that reaches the page
   * server). Resolves once it listens; then call
   * `restore({ imagesDir, lazyPages: true })` with the same work dir.
   * Needs userfaultfd (`await criu.features()` says `lazyPages`) and root.
   *
   * @throws {@link CriuError} `INVALID_ARGUMENT` for bad options, `NOT_FOUND`
   *   when `imagesDir` holds no dump, `UNSUPPORTED` without userfaultfd,
   *   `TOOL_FAILED` with the log's tail when the daemon stops before it is ready.
   * @example
   * ```ts
   * await using daemon = await criu.lazyPages({ imagesDir: '/ckpt', pageServer: { address: '10.0.0.1', port: 27000 } });
   * const { process } = await criu.restore({ imagesDir: '/ckpt', lazyPages: true });
   * await daemon.wait();
   * ```
   */
  async lazyPages(options: LazyPagesOptions): Promise<LazyPagesDaemon> {
    validateCommon(options, 'lazyPages');
    if (options.pageServer !== undefined) validatePageServerAddress(options.pageServer, 'pageServer');
    const imagesDir = requireImagesDir(options.imagesDir);
    const workDir = options.workDir !== undefined ? requireWritableDir(options.workDir, 'workDir') : imagesDir;
    if (!(await this.features()).lazyPages) {
      throw new CriuError('lazyPages: userfaultfd is not available on this kernel', {
        code: KcErrorCode.Unsupported,
        field: 'lazyPages',
        hint: 'lazy restore needs userfaultfd with non-cooperative events (CONFIG_USERFAULTFD=y, Linux >= 4.11); restore without lazyPages',
      });
    }
    const logName = options.logFile ?? 'lazy-pages.log';
    const criuArgs = [locateCriu(this.#opts.binary), 'lazy-pages', '-D', imagesDir, '-W', workDir, '-o', logName, `-v${options.logLevel ?? 2}`];
    if (options.pageServer) {
      criuArgs.push('--page-server', '--address', options.pageServer.address, '--port', String(options.pageServer.port));
    }
    return startLazyPagesDaemon({
      argv: [...(this.#opts.wrapper ?? []), ...criuArgs],
      workDir,
      logFile: join(workDir, logName),
      socketPath: join(workDir, LAZY_PAGES_SOCKET),
    });
  }

  // CRIU's RPC path skips the CLI's option check and hits a BUG() without
  // soft-dirty bits, so kc asks first and fails with a typed error.
  async #requireMemoryTracking(field: string): Promise<void> {
    if ((await this.features()).memoryTracking) return;
    throw new CriuError(`${field}: dirty-memory tracking is not available on this kernel`, {
      code: KcErrorCode.Unsupported,
      field,
      hint: 'pre-dump and trackMemory need soft-dirty page bits (CONFIG_MEM_SOFT_DIRTY=y); use a plain dump instead',
    });
  }

  #prepare(o: CommonOptions, op: string, writable: boolean): Prepared {
    const imagesDir = writable ? requireWritableDir(o.imagesDir, 'imagesDir') : resolve(o.imagesDir);
    const workDir = o.workDir !== undefined ? requireWritableDir(o.workDir, 'workDir') : imagesDir;
    const logName = o.logFile ?? `${op}.log`;
    const imagesDirFd = openDir(imagesDir);
    let workDirFd: number | undefined;
    try {
      workDirFd = o.workDir !== undefined ? openDir(workDir) : undefined;
    } catch (e) {
      closeSync(imagesDirFd);
      throw e;
    }
    return {
      imagesDirFd,
      workDirFd,
      workDir,
      logFile: logName,
      logPath: join(workDir, logName),
      close() {
        closeSync(imagesDirFd);
        if (workDirFd !== undefined) closeSync(workDirFd);
      },
    };
  }

  async #call(
    req: criu_req,
    ctx: { op: string; logFile?: string; notify?: CommonOptions['notify']; signal?: AbortSignal | undefined },
    extraFds: number[] = [],
  ) {
    const { signal } = ctx;
    if (signal?.aborted) throw abortError(signal);
    const conn = await this.#connect(extraFds);
    const onAbort = () => conn.kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await converse(conn, req, ctx);
    } catch (e) {
      // CRIU killed by the abort reads as "exited without answering": say what happened instead.
      if (signal?.aborted) throw abortError(signal);
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await conn.close();
    }
  }

  async #connect(extraFds: number[]): Promise<CriuConnection> {
    if (this.#opts.service) return connectService(this.#opts.service);
    return startSwrk(locateCriu(this.#opts.binary), this.#opts.wrapper ?? [], extraFds);
  }
}

function tryRead<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
