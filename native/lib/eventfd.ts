import { KcError, translateNative } from './errors.js';
import { rawEventfd } from './raw/eventfd.js';

/**
 * Creates an eventfd (eventfd(2)), non-blocking and close-on-exec. Read its
 * 8-byte counter with `fs.readSync(fd, buf)` after {@link watchFd} reports it
 * readable; close it with `fs.closeSync(fd)`. cgroup v1 uses it for OOM and
 * memory-threshold notifications (`cgroup.event_control`).
 *
 * @param initval - the counter's initial value (default 0)
 * @returns the new fd
 * @throws {@link KcError} with the errno of eventfd(2) (e.g. `EMFILE`)
 * @example
 * ```ts
 * const efd = createEventfd();
 * ```
 */
export function createEventfd(initval = 0): number {
  return translateNative(KcError, () => rawEventfd().eventfdCreate(initval));
}
