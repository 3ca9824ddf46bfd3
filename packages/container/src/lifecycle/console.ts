import { closeSync } from 'node:fs';
import { rawContainerIo, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';

/** A pty for the container's terminal: the slave becomes its stdio, the master goes to the console socket. */
export interface ConsolePty {
  master: number;
  slave: number;
  close(): void;
}

/** Opens a pty pair with the given size (0 keeps the default). */
export function openConsole(rows = 0, cols = 0): ConsolePty {
  const { master, slave } = translateNative(ContainerError, () => rawContainerIo().ptyOpen(rows, cols));
  return {
    master,
    slave,
    close() {
      for (const fd of [master, slave]) {
        try {
          closeSync(fd);
        } catch {
          /* closed */
        }
      }
    },
  };
}

/**
 * Sends the pty master to the engine's console socket (runc's
 * `--console-socket` protocol: one SCM_RIGHTS message on a SOCK_STREAM
 * unix socket).
 */
export function sendConsole(socketPath: string, master: number): void {
  translateNative(ContainerError, () => rawContainerIo().sendFdToSocket(socketPath, master, '/dev/ptmx'), {
    path: socketPath,
    hint: 'is the engine listening on the console socket?',
  });
}
