import { loadAddon } from '../addon.js';

/**
 * Raw functions of binding/container_io.cc: the fd helpers a container
 * runtime needs (memfd(2) sealing, mkfifo(3), connecting to a console socket).
 */
export interface RawContainerIo {
  /** mkfifo(3): creates a named pipe (mode is masked by the umask). */
  mkfifo(path: string, mode: number): void;
  /** Copies `path` into a sealed, close-on-exec memfd named `name` (CVE-2019-5736 defence); returns the fd. */
  memfdSealedCopy(path: string, name: string): number;
  /** Connects a close-on-exec SOCK_STREAM unix socket to `path` (an engine's console socket); returns the fd. */
  connectUnixStream(path: string): number;
}

/** The container-io raw binding, loaded lazily. */
export function rawContainerIo(): RawContainerIo {
  return loadAddon<RawContainerIo>();
}
