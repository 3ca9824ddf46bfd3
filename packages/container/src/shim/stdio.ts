import { closeSync, openSync, constants as fsc } from 'node:fs';
import { open } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { StdioOption } from '@kc/native';

/** The fifos containerd names for a process (empty: none). */
export interface StdioPaths {
  readonly stdin: string;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A process's stdio opened from containerd's fifos. stdout and stderr are
 * handed to the process itself (no copy through the shim), opened O_RDWR,
 * which never blocks on a fifo whatever the reader does. The shim keeps its
 * copies until containerd's reader has opened the fifo (a blocking O_WRONLY
 * open on libuv's pool returns then): a fifo nobody holds loses what was
 * written to it, so a process that writes and exits before the reader comes
 * must not take the last open end with it. Then the shim lets go, and the
 * reader sees EOF at the process's exit. stdin goes through a pipe the shim
 * feeds from the fifo, so both the writer closing the fifo and CloseIO end it.
 */
export class ProcessStdio {
  readonly options: [StdioOption, StdioOption, StdioOption];
  readonly #fds: number[] = [];
  /** Per output fifo: resolves once containerd's reader has opened it. */
  readonly #readers = new Map<string, Promise<void>>();
  #stdinFifo: Socket | undefined;
  #stdinPipe: Writable | null = null;

  constructor(readonly paths: StdioPaths) {
    const out = this.#open(paths.stdout);
    const err = paths.stderr === paths.stdout && out !== 'ignore' ? out : this.#open(paths.stderr);
    this.options = [paths.stdin ? 'pipe' : 'ignore', out, err];
  }

  #open(path: string): StdioOption {
    if (!path) return 'ignore';
    const fd = openSync(path, fsc.O_RDWR | fsc.O_NOCTTY);
    this.#fds.push(fd);
    this.#readers.set(
      path,
      open(path, fsc.O_WRONLY | fsc.O_NOCTTY).then(
        (h) => h.close(),
        () => undefined,
      ),
    );
    return fd;
  }

  /** After spawn: the process holds its own copies (the shim's go once the readers came); feed its stdin from the fifo. */
  attach(stdin: Writable | null): void {
    void Promise.all(this.#readers.values()).then(() => this.closeFds());
    if (!stdin || !this.paths.stdin) return;
    this.#stdinPipe = stdin;
    stdin.on('error', () => undefined);
    // O_NONBLOCK: the open does not wait for containerd's writer. Linux reports no hang-up on a fifo whose
    // writer has not come yet (pipe_poll compares the writer count seen at open), so libuv reads EOF only
    // once the writer connected and closed: then the process reads EOF, as with runc's shim.
    const fd = openSync(this.paths.stdin, fsc.O_RDONLY | fsc.O_NONBLOCK);
    this.#stdinFifo = new Socket({ fd, readable: true, writable: false });
    this.#stdinFifo.on('error', () => undefined);
    this.#stdinFifo.pipe(stdin);
  }

  /** CloseIO: the process reads EOF on stdin. */
  closeStdin(): void {
    this.#stdinFifo?.unpipe();
    this.#stdinFifo?.destroy();
    this.#stdinFifo = undefined;
    this.#stdinPipe?.end();
    this.#stdinPipe = null;
  }

  /**
   * At delete: lets go of everything, reader or not. A read-side open of
   * each fifo completes the pending writer open (so no pool thread stays
   * blocked on a reader that will never come).
   */
  release(): void {
    this.closeStdin();
    for (const path of this.#readers.keys()) {
      try {
        closeSync(openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK));
      } catch {
        /* gone with the bundle */
      }
    }
    this.closeFds();
  }

  /** Closes the shim's copies of stdout/stderr (once the readers came, at release, or when spawn failed). */
  closeFds(): void {
    for (const fd of this.#fds.splice(0)) {
      try {
        closeSync(fd);
      } catch {
        /* closed */
      }
    }
  }
}
