import { loadAddon } from '../addon.js';

/**
 * Raw functions of binding/container_io.cc: the fd helpers a container
 * runtime needs (memfd(2) sealing, mkfifo(3), both ends of a console socket, a pty's size).
 */
export interface RawContainerIo {
  /** mkfifo(3): creates a named pipe (mode is masked by the umask). */
  mkfifo(path: string, mode: number): void;
  /** Copies `path` into a sealed, close-on-exec memfd named `name` (CVE-2019-5736 defence); returns the fd. */
  memfdSealedCopy(path: string, name: string): number;
  /** Connects a close-on-exec SOCK_STREAM unix socket to `path` (an engine's console socket); returns the fd. */
  connectUnixStream(path: string): number;
  /** Binds and listens on a close-on-exec, non-blocking SOCK_STREAM unix socket at `path` (the engine's console socket); returns the fd. */
  unixStreamListen(path: string): number;
  /** accept4(2) of one pending connection (close-on-exec, non-blocking); returns the fd, or -1 when none is pending. */
  unixStreamAccept(listenFd: number): number;
  /** TIOCSWINSZ on a pty master (ioctl_tty(2)): the terminal's new size; rows and cols at most 65535. */
  setWindowSize(fd: number, rows: number, cols: number): void;
}

/** The container-io raw binding, loaded lazily. */
export function rawContainerIo(): RawContainerIo {
  return loadAddon<RawContainerIo>();
}
