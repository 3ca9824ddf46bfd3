import { chmodSync, closeSync, mkdirSync, openSync, readSync, rmSync, constants as fsc } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { type OnReadOpts, Socket, type SocketConstructorOpts } from 'node:net';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { PollEvent, rawContainerIo, rawSocket, watchFd } from '@kc/native';
import type { StdioPaths } from './stdio.js';

let seq = 0;

/**
 * Writes all of `data` to a blocking fd. One write(2) to a pipe can return
 * short: a signal (the shim's SIGCHLD, as a container exits) that interrupts
 * it after part of the data went in ends it with that count, and the rest
 * would be lost (a terminal's output tail, seen under load).
 */
async function writeAll(h: FileHandle, data: Buffer): Promise<void> {
  for (let off = 0; off < data.length; ) off += (await h.write(data, off, data.length - off)).bytesWritten;
}

/** Closes an fd the shim owns, ignoring one already closed. */
const closeQuietly = (fd: number) => {
  try {
    closeSync(fd);
  } catch {
    /* closed */
  }
};

/**
 * How long after its process exited a terminal's output may still take to
 * reach EOF (EIO on the master once every slave fd is closed). An exec'd
 * process can leave a background child holding the slave; then the exit is
 * published after this bound instead of never.
 */
export const TERMINAL_DRAIN_BOUND_MS = 5000;

/** Output read from a pty and not yet taken by containerd's reader, above which the shim stops reading. */
const OUTPUT_BACKLOG_BYTES = 8 * 1024 * 1024;

/**
 * A process's terminal in the shim: a console socket (runc's
 * `--console-socket`, a listening unix stream socket, mode 0600) handed to
 * kc's create/exec, the pty master kc-init sends over it (SCM_RIGHTS), and the
 * copies between containerd's fifos and that master. With a terminal there is
 * no stderr: the pty carries both output streams.
 */
export class ShimConsole {
  /** The socket kc connects to (`consoleSocket` of create/exec). */
  readonly path: string;
  #listenFd: number;
  #watch: { stop(): void } | undefined;
  #connFd = -1;
  #masterFd = -1;
  #master: ReadStream | undefined;
  #stdinFifo: Socket | undefined;
  #out: FileHandle | undefined;
  #size: { rows: number; cols: number } | undefined;
  #closed = false;
  readonly #drained: Promise<void>;
  #resolveDrained!: () => void;

  constructor(
    stateRoot: string,
    readonly paths: StdioPaths,
    readonly log: (line: string) => void,
  ) {
    mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
    // A short name of our own: a unix socket path has at most 107 bytes, and task ids can be 64 characters.
    this.path = join(stateRoot, `.pty-${process.pid}-${++seq}.sock`);
    rmSync(this.path, { force: true });
    this.#listenFd = rawContainerIo().unixStreamListen(this.path);
    try {
      chmodSync(this.path, 0o600);
    } catch (e) {
      closeQuietly(this.#listenFd);
      rmSync(this.path, { force: true });
      throw e;
    }
    this.#drained = new Promise((resolve) => {
      this.#resolveDrained = resolve;
    });
    this.#watch = watchFd(
      this.#listenFd,
      PollEvent.Readable,
      () => this.#accept(),
      (e) => this.#fail(e),
    );
  }

  #accept(): void {
    const fd = rawContainerIo().unixStreamAccept(this.#listenFd);
    if (fd < 0) return;
    this.#watch?.stop();
    this.#stopListening();
    this.#connFd = fd;
    this.#watch = watchFd(
      fd,
      PollEvent.Readable | PollEvent.Disconnect,
      () => this.#receive(),
      (e) => this.#fail(e),
    );
  }

  /** kc-init sends the pty's name with the master; a stream socket hands the fd over with the first byte read. */
  #receive(): void {
    const m = rawSocket().seqpacketReceive(this.#connFd);
    if (!m) return;
    this.#watch?.stop();
    this.#watch = undefined;
    closeQuietly(this.#connFd);
    this.#connFd = -1;
    const [master, ...extra] = m.fds;
    for (const fd of extra) closeQuietly(fd);
    if (master === undefined) {
      this.#fail(new Error('console socket: closed without a pty master'));
      return;
    }
    if (this.#closed) {
      closeQuietly(master);
      return;
    }
    this.#attach(master);
  }

  #attach(fd: number): void {
    this.#masterFd = fd;
    if (this.#size) this.resize(this.#size.rows, this.#size.cols);
    const outPath = this.paths.stdout;
    // Waits on libuv's pool until containerd's reader opened the fifo (it normally has, before Create).
    const opened = outPath
      ? open(outPath, fsc.O_WRONLY | fsc.O_NOCTTY).then(
          (h) => {
            this.#out = h;
            return h;
          },
          () => undefined,
        )
      : Promise.resolve(undefined);
    let writing: Promise<void> = Promise.resolve();
    let queued = 0;
    let paused = false;
    let ended = false;
    // Read as fast as the pty gives, into `onread`'s callback: a chunk never waits in the Readable's buffer,
    // which the EIO at the end would destroy with it; the backlog waits here, up to a bound, for containerd's
    // reader. (`onread` is net.Socket's option; tty.ReadStream passes its options on, though its typing
    // leaves it out.)
    const take = (data: Buffer) => {
      queued += data.length;
      writing = writing.then(async () => {
        const h = await opened;
        if (h) await writeAll(h, data).catch(() => undefined); // the reader is gone: nobody to give the rest to
        queued -= data.length;
        if (paused && queued < OUTPUT_BACKLOG_BYTES / 2 && !ended) {
          paused = false;
          master.resume();
        }
      });
      paused = queued >= OUTPUT_BACKLOG_BYTES;
      return !paused;
    };
    const options: SocketConstructorOpts & { onread: OnReadOpts } = {
      // A read of 0 bytes is not the end of a pty's output (see below): the fd must stay open after it.
      allowHalfOpen: true,
      onread: {
        buffer: Buffer.alloc(64 * 1024),
        callback: (n: number, buf: Uint8Array) => (outPath ? take(Buffer.from(buf.subarray(0, n))) : true),
      },
    };
    const master = new ReadStream(fd, options);
    this.#master = master;
    this.#pendingWrites = () => writing;
    const end = () => {
      if (ended) return;
      ended = true;
      void this.#finishOutput();
    };
    // EIO is how a pty master says every slave fd is closed: the end of the output, not a failure.
    master.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EIO') this.log(`pty ${this.path}: ${e.message}`);
      end();
    });
    // As the last slave fd closes, read(2) on the master can return 0 while output is still on its way
    // (seen under load: the rest, up to 8 KiB, came in reads after it, then EIO). Node takes the 0 for EOF
    // and stops reading; the rest is read here until EIO, polled (the fd is non-blocking), within the drain bound.
    master.on('end', () => this.#readToEio(fd, outPath ? take : () => true, end));
    master.on('close', end);
    master.resume();
    if (this.paths.stdin) {
      // As in stdio.ts: O_NONBLOCK so the open does not wait for containerd's writer.
      const inFd = openSync(this.paths.stdin, fsc.O_RDONLY | fsc.O_NONBLOCK);
      this.#stdinFifo = new Socket({ fd: inFd, readable: true, writable: false });
      this.#stdinFifo.on('error', () => undefined);
      // The master stays open at stdin's EOF: the process may still write output.
      this.#stdinFifo.pipe(master, { end: false });
    }
  }

  #pendingWrites: () => Promise<void> = () => Promise.resolve();

  /** Reads the master `fd` until EIO (the real end of the output), giving each chunk to `take`; then, or after the drain bound, `end`. */
  #readToEio(fd: number, take: (data: Buffer) => boolean, end: () => void): void {
    const deadline = Date.now() + TERMINAL_DRAIN_BOUND_MS;
    const chunk = Buffer.alloc(64 * 1024);
    const poll = () => {
      if (this.#masterFd !== fd) return; // closed meanwhile (delete)
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, chunk);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          end(); // EIO: every slave fd is closed and everything was read
          return;
        }
        if (n === 0) break;
        take(Buffer.from(chunk.subarray(0, n)));
      }
      if (Date.now() >= deadline) end();
      else setTimeout(poll, 2);
    };
    poll();
  }

  async #finishOutput(): Promise<void> {
    // The output has ended: no resize from here on (the stream may have closed the fd already, on EIO).
    this.#masterFd = -1;
    await this.#pendingWrites();
    this.closeStdin();
    this.#master?.destroy();
    this.#master = undefined;
    await this.#out?.close().catch(() => undefined);
    this.#out = undefined;
    this.#resolveDrained();
  }

  #fail(e: Error): void {
    this.log(`console ${this.path}: ${e.message}`);
    this.close();
  }

  #stopListening(): void {
    if (this.#listenFd < 0) return;
    closeQuietly(this.#listenFd);
    this.#listenFd = -1;
    rmSync(this.path, { force: true });
  }

  /** ResizePty: the terminal's new size (kept until the master arrives when it has not yet). */
  resize(rows: number, cols: number): void {
    this.#size = { rows, cols };
    if (this.#masterFd >= 0) rawContainerIo().setWindowSize(this.#masterFd, rows, cols);
  }

  /** CloseIO: stops copying containerd's stdin to the terminal (the pty itself stays, so output goes on). */
  closeStdin(): void {
    this.#stdinFifo?.unpipe();
    this.#stdinFifo?.destroy();
    this.#stdinFifo = undefined;
  }

  /**
   * Resolves once the output is copied to the end (the master read EOF/EIO and
   * the fifo got every byte), or {@link TERMINAL_DRAIN_BOUND_MS} after this call
   * when the pty never reaches its end; then publishing the exit is safe.
   */
  drained(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, TERMINAL_DRAIN_BOUND_MS);
      timer.unref();
    });
    return Promise.race([this.#drained, bound]).finally(() => clearTimeout(timer));
  }

  /** At delete or when create/exec failed: closes the socket, the master and the copies. */
  close(): void {
    this.#closed = true;
    this.#watch?.stop();
    this.#watch = undefined;
    this.#stopListening();
    if (this.#connFd >= 0) closeQuietly(this.#connFd);
    this.#connFd = -1;
    this.closeStdin();
    // A pending writer open waits for a reader: a read-side open completes it (as ProcessStdio.release does).
    if (this.paths.stdout && !this.#out) {
      try {
        closeSync(openSync(this.paths.stdout, fsc.O_RDONLY | fsc.O_NONBLOCK));
      } catch {
        /* gone with the bundle */
      }
    }
    if (this.#master) void this.#finishOutput();
    else this.#resolveDrained();
  }
}
