import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { KcErrorCode } from '@kc/native';
import { CriuError } from './errors.js';
import { readLogTail } from './internal/log-tail.js';

/** How a `criu lazy-pages` daemon ended: exactly one of `exitCode` and `signal` is set. */
export interface LazyPagesExit {
  /** The exit status; 0 once every page was delivered. Null when a signal ended it. */
  exitCode: number | null;
  /** The signal that ended it (`'SIGKILL'` after {@link LazyPagesDaemon.close}); null on a normal exit. */
  signal: NodeJS.Signals | null;
}

/** What {@link startLazyPagesDaemon} runs. */
export interface LazyPagesLaunch {
  /** The command and its arguments (the `criu` binary, or a wrapper such as `nsenter` first). */
  argv: string[];
  /** The daemon's work dir, absolute: its socket and log are there. */
  workDir: string;
  /** The log file, absolute. */
  logFile: string;
  /** The socket the restore connects to, absolute. */
  socketPath: string;
}

/**
 * A running `criu lazy-pages` daemon (from {@link Criu.lazyPages}): it
 * listens on `lazy-pages.socket` in its work dir, receives the restored
 * tasks' userfaultfds from `criu restore --lazy-pages`, fills pages on first
 * touch (fetching them from a page server or reading `pages-*.img`) and
 * copies the rest in the background. It exits by itself, with status 0,
 * once every page is in place.
 *
 * @example
 * ```ts
 * await using daemon = await criu.lazyPages({ imagesDir, pageServer: { address: '10.0.0.1', port: 27000 } });
 * const { process } = await criu.restore({ imagesDir, lazyPages: true });
 * await daemon.wait(); // every page arrived
 * ```
 */
export class LazyPagesDaemon implements AsyncDisposable {
  /** The daemon's pid (of the wrapper, when the client has one). */
  readonly pid: number;
  /** The unix socket the restore connects to (`<workDir>/lazy-pages.socket`). */
  readonly socketPath: string;
  /** The daemon's log file. */
  readonly logFile: string;
  /** Resolves when the daemon exited (it is reaped by Node); never rejects. */
  readonly exited: Promise<LazyPagesExit>;
  readonly #child: ChildProcess;
  readonly #stderr: () => string;

  /** @internal Use {@link Criu.lazyPages}. */
  constructor(child: ChildProcess, launch: LazyPagesLaunch, exited: Promise<LazyPagesExit>, stderr: () => string) {
    this.#child = child;
    this.pid = child.pid as number;
    this.socketPath = launch.socketPath;
    this.logFile = launch.logFile;
    this.#stderr = stderr;
    // The daemon leaves its socket file behind; a later restore must not find a dead one.
    this.exited = exited.then((e) => {
      rmSync(launch.socketPath, { force: true });
      return e;
    });
  }

  /** True until the daemon exited. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Waits until the daemon delivered every page and exited.
   *
   * @throws {@link CriuError} `TOOL_FAILED` with the log's tail when it exited
   *   with a non-zero status or was killed.
   */
  async wait(): Promise<void> {
    const e = await this.exited;
    if (e.exitCode === 0) return;
    throw daemonFailure(`criu lazy-pages ${e.signal ? `was killed by ${e.signal}` : `exited with status ${e.exitCode}`}`, this.logFile, this.#stderr());
  }

  /** Kills the daemon (SIGKILL) if it still runs, and waits for it; removes its socket. */
  async close(): Promise<void> {
    if (this.running) this.#child.kill('SIGKILL');
    await this.exited;
  }

  /** Same as {@link LazyPagesDaemon.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function daemonFailure(message: string, logFile: string, stderr: string): CriuError {
  const logTail = readLogTail(logFile);
  const cause = logTail.find((l) => /\bError \(/.test(l) && !/RLIMIT_NOFILE/.test(l))?.replace(/^\([\d.]+\)\s*/, '');
  const err = stderr.trim().split('\n').slice(-3).join(' | ');
  return new CriuError(`${message}${cause ? `: ${cause}` : err ? `: ${err}` : ''}`, {
    code: KcErrorCode.ToolFailed,
    logTail,
    logFile,
    hint: `see logTail (${logFile}); raise logLevel to 4 for detail`,
  });
}

/**
 * Starts the daemon with `--status-fd 3` and resolves once CRIU wrote the
 * ready byte there (criu(8): written when the socket listens), so a restore
 * started afterwards finds it.
 *
 * @throws {@link CriuError} `TOOL_FAILED` with the log's tail when the daemon
 *   exits before it is ready (no userfaultfd, images missing, bad address).
 */
export function startLazyPagesDaemon(launch: LazyPagesLaunch): Promise<LazyPagesDaemon> {
  rmSync(launch.socketPath, { force: true });
  const [command, ...args] = launch.argv as [string, ...string[]];
  // fd 3 is a socket Node creates; CRIU writes one \0 to it and closes it when ready.
  const child = spawn(command, [...args, '--status-fd', '3'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    if (stderr.length < 64 * 1024) stderr += s;
  });
  const exited = new Promise<LazyPagesExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ exitCode: code, signal }));
  });
  const status = child.stdio[3] as Readable;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: CriuError) => {
      if (settled) return;
      settled = true;
      reject(e);
    };
    child.once('error', (e) =>
      fail(new CriuError(`cannot start criu lazy-pages: ${e.message}`, { code: KcErrorCode.ToolFailed, cause: e, logFile: launch.logFile })),
    );
    status.once('data', () => {
      if (settled) return;
      settled = true;
      status.destroy();
      resolve(new LazyPagesDaemon(child, launch, exited, () => stderr));
    });
    void exited.then((e) => {
      rmSync(launch.socketPath, { force: true });
      fail(daemonFailure(`criu lazy-pages stopped before it was ready (${e.signal ?? `status ${e.exitCode}`})`, launch.logFile, stderr));
    });
  });
}
