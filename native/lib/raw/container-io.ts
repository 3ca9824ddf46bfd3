import { loadAddon } from '../addon.js';

/**
 * Raw functions of binding/container_io.cc: the fd helpers a container
 * runtime needs (memfd(2) sealing, pty(7), SCM_RIGHTS to a console socket).
 */
export interface RawContainerIo {
  /** mkfifo(3): creates a named pipe (mode is masked by the umask). */
  mkfifo(path: string, mode: number): void;
  /** Copies `path` into a sealed, close-on-exec memfd named `name` (CVE-2019-5736 defence); returns the fd. */
  memfdSealedCopy(path: string, name: string): number;
  /** Opens a pty pair (master close-on-exec, slave not); rows/cols 0 keep the default size. */
  ptyOpen(rows: number, cols: number): { master: number; slave: number };
  /** Connects to the SOCK_STREAM unix socket at `path` and sends `fd` with SCM_RIGHTS and `name` as payload. */
  sendFdToSocket(path: string, fd: number, name: string): void;
}

/** The container-io raw binding, loaded lazily. */
export function rawContainerIo(): RawContainerIo {
  return loadAddon<RawContainerIo>();
}
