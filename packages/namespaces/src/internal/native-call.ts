import { closeSync } from 'node:fs';
import { translateNative, type KcErrorOptions } from '@kc/native';
import { NamespaceError } from '../errors.js';

/** Runs a raw addon call, turning its error into a {@link NamespaceError}. */
export function nsCall<T>(fn: () => T, extra: KcErrorOptions = {}): T {
  return translateNative(NamespaceError, fn, extra);
}

/** Closes an fd, ignoring EBADF (used on cleanup paths that must not throw). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed: nothing to undo
  }
}
