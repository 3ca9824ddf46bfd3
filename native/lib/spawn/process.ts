import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { KcError, type SpawnError } from '../errors.js';
import { PollEvent, watchFd, type FdWatch } from '../fd-watcher.js';
import { type RawExit, rawCore } from '../raw/core.js';

/** How a process ended: exactly one of `exitCode` and `signal` is set. */
export interface ExitStatus {
  /** The exit status 0..255 passed to exit(2); null when a signal ended the process. */
  exitCode: number | null;
  /** Name of the signal that killed the process (`'SIGKILL'`); null when it exited normally. */
  signal: NodeJS.Signals | null;
  /** True when a core dump was written. */
  core: boolean;
  /** CPU time the process (and the children it waited for) spent in user mode, in microseconds (waitid(2) rusage). */
  userCpuUs: number;
  /** CPU time it spent in the kernel, in microseconds. */
  systemCpuUs: number;
  /**
   * Its largest resident set size (or that of a child it waited for), in
   * bytes, as getrusage(2) counts it. Linux carries the high-water mark across
   * execve(2), and a spawned child starts as a copy of this Node process, so
   * the value is at least Node's own RSS at the spawn: use it to compare runs,
   * and a cgroup's `memory.peak` (`Cgroup.stats().memory.peak`) for the memory
   * the program itself used.
   */
  maxRssBytes: number;
  /** True when {@link ProcessSpec.timeoutMs} ran out and kc killed the process. */
  timedOut: boolean;
}

/** What {@link KcProcess.output} collects. */
export interface ProcessOutput {
  /** Everything the process wrote to stdout (`''` when stdout was not `'pipe'`), decoded as UTF-8. */
  stdout: string;
  /** Everything it wrote to stderr, the same way. */
  stderr: string;
  /** How it ended. */
  status: ExitStatus;
  /** True when a stream passed `maxBytes` and the rest was dropped. */
  truncated: boolean;
}

/** Options of {@link KcProcess.output}. */
export interface OutputOptions {
  /** Keep at most this many bytes of each stream; the rest is read and dropped. Default 16 MiB. */
  maxBytes?: number;
}

/** A raw exit record as the {@link ExitStatus} kc reports. */
export function exitStatusFromRaw(raw: RawExit, timedOut = false): ExitStatus {
  return {
    exitCode: raw.exitCode,
    signal: raw.signal === null ? null : (signalNames.get(raw.signal) ?? (`SIG${raw.signal}` as NodeJS.Signals)),
    core: raw.core,
    userCpuUs: raw.userUsec,
    systemCpuUs: raw.systemUsec,
    maxRssBytes: raw.maxRssKib * 1024,
    timedOut,
  };
}

const signalNames = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n as number, name as NodeJS.Signals]));

/** The error an aborted operation ends with, as Node's own (`AbortError`, `cause` = the signal's reason). */
export function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Resolves a signal name or number to its number. */
export function signalNumber(signal: NodeJS.Signals | number): number {
  if (typeof signal === 'number') return signal;
  const n = constants.signals[signal];
  if (n === undefined) throw new KcError(`unknown signal ${signal}`, { code: 'INVALID_ARGUMENT', field: 'signal' });
  return n;
}

/** What {@link spawn} hands over to a {@link KcProcess}. */
export interface KcProcessInit {
  /** The child's pid in the caller's pid namespace. */
  pid: number;
  /** An open pidfd of the child; the {@link KcProcess} takes ownership and closes it after reaping. */
  pidfd: number;
  /** Write end of the child's stdin pipe; null unless stdio[0] was `'pipe'`. */
  stdin: Writable | null;
  /** Read end of the child's stdout pipe; null unless stdio[1] was `'pipe'`. */
  stdout: Readable | null;
  /** Read end of the child's stderr pipe; null unless stdio[2] was `'pipe'`. */
  stderr: Readable | null;
  /** Seccomp user-notification fd received from the child; null unless `seccomp.listener` was set. */
  seccompListenerFd: number | null;
  /** Rejects the exit promise when the child failed after spawn returned (listener mode). */
  lateError?: () => SpawnError | null;
  /** Kill the process (SIGKILL) after this many milliseconds; its status then says `timedOut`. */
  timeoutMs?: number;
  /** Kill the process (SIGKILL) when this aborts; `exited` then rejects with an `AbortError` whose `cause` is the reason. */
  signal?: AbortSignal;
}

/**
 * A process created by {@link spawn}. Its exit is observed by polling its
 * pidfd in libuv: no SIGCHLD handler, no blocking thread, no pid reuse races.
 * Dispose it (`await using`) to kill it if it still runs and reap it.
 */
export class KcProcess implements AsyncDisposable {
  /** The pid in the caller's pid namespace. */
  readonly pid: number;
  /** A pidfd for the process, owned by this object and closed once it is reaped. */
  readonly pidfd: number;
  /** The child's stdin when it was `'pipe'`. */
  readonly stdin: Writable | null;
  /** The child's stdout when it was `'pipe'`. */
  readonly stdout: Readable | null;
  /** The child's stderr when it was `'pipe'`. */
  readonly stderr: Readable | null;
  /** The seccomp user-notification listener fd, when the filter asked for one (owned by the caller). */
  readonly seccompListenerFd: number | null;
  /** Resolves once the process has exited and been reaped. */
  readonly exited: Promise<ExitStatus>;
  #status: ExitStatus | null = null;
  #watch: FdWatch | null = null;

  constructor(init: KcProcessInit) {
    this.pid = init.pid;
    this.pidfd = init.pidfd;
    this.stdin = init.stdin;
    this.stdout = init.stdout;
    this.stderr = init.stderr;
    this.seccompListenerFd = init.seccompListenerFd;
    let timedOut = false;
    const timer =
      init.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = this.kill('SIGKILL');
          }, init.timeoutMs);
    const onAbort = () => this.kill('SIGKILL');
    init.signal?.addEventListener('abort', onAbort, { once: true });
    this.exited = new Promise<ExitStatus>((resolve, reject) => {
      this.#watch = watchFd(this.pidfd, PollEvent.Readable, () => {
        const raw = rawCore().pidfdWait(this.pidfd, true);
        if (!raw) return;
        this.#watch?.stop();
        this.#watch = null;
        rawCore().closeFd(this.pidfd);
        clearTimeout(timer);
        init.signal?.removeEventListener('abort', onAbort);
        // A zombie not yet reaped still takes a signal: the timer may have fired after the process had
        // exited on its own. It timed out only if that SIGKILL is what ended it.
        this.#status = exitStatusFromRaw(raw, timedOut && raw.signal === constants.signals.SIGKILL);
        const late = init.lateError?.();
        if (late) reject(late);
        else if (init.signal?.aborted) reject(abortError(init.signal));
        else resolve(this.#status);
      });
    });
  }

  /**
   * Collects stdout and stderr (those that are `'pipe'`) until the process
   * exits, with its exit status: the one-call way to run a program and read
   * what it said.
   * @example
   * ```ts
   * const { stdout, status } = await spawn({ argv: ['uname', '-r'], timeoutMs: 5000 }).output();
   * ```
   */
  async output(options: OutputOptions = {}): Promise<ProcessOutput> {
    const max = options.maxBytes ?? 16 * 1024 * 1024;
    let truncated = false;
    const collect = async (stream: Readable | null): Promise<string> => {
      if (!stream) return '';
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (size >= max) {
          truncated = true;
          continue;
        }
        const part = chunk.subarray(0, max - size);
        if (part.length < chunk.length) truncated = true;
        chunks.push(part);
        size += part.length;
      }
      return Buffer.concat(chunks).toString('utf8');
    };
    this.stdin?.end();
    const [stdout, stderr, status] = await Promise.all([collect(this.stdout), collect(this.stderr), this.exited]);
    return { stdout, stderr, status, truncated };
  }

  /** The exit status once known, else null. */
  get exitStatus(): ExitStatus | null {
    return this.#status;
  }

  /**
   * Sends a signal through the pidfd (no pid-reuse race). Returns false when the process is already gone.
   * Note: PID 1 of a new pid namespace ignores signals it has no handler for (SIGTERM included, see
   * pid_namespaces(7)); use SIGKILL, or run an init that forwards signals.
   */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    if (this.#status) return false;
    try {
      rawCore().pidfdSendSignal(this.pidfd, signalNumber(signal));
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ESRCH') return false;
      throw e;
    }
  }

  /** Waits for exit; the same as awaiting {@link KcProcess.exited}. */
  wait(): Promise<ExitStatus> {
    return this.exited;
  }

  /** Lets the Node process exit while this child still runs. */
  unref(): void {
    this.#watch?.unref();
  }

  /** Kills the process (SIGKILL) if it still runs, and waits until it is reaped. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill('SIGKILL');
    await this.exited.catch(() => undefined);
    this.stdin?.destroy();
    this.stdout?.destroy();
    this.stderr?.destroy();
  }
}
