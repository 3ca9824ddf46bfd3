import { rawContainerIo, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { OciConsoleSize } from '../oci/types.js';

/**
 * Connects to the engine's console socket (runc's `--console-socket`). The
 * connected fd is handed to kc-init, which opens the pty inside the
 * container's own devpts instance (so `tty` and ttyname work there, as with
 * runc) and sends the master back over it with SCM_RIGHTS.
 */
export function connectConsoleSocket(socketPath: string): number {
  return translateNative(ContainerError, () => rawContainerIo().connectUnixStream(socketPath), {
    path: socketPath,
    hint: 'is the engine listening on the console socket?',
  });
}

/** kc-init's CONSOLE argument: `FD:ROWS:COLS`, or `-` for none. */
export function consoleArg(fd: number | undefined, size: OciConsoleSize | undefined): string {
  return fd === undefined ? '-' : `${fd}:${size?.height ?? 0}:${size?.width ?? 0}`;
}
