import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { abortError, invalidArgument, PollEvent, watchFd } from '@kc/native';
import { CgroupError } from '../errors.js';
import { EventQueue } from '../internal/event-queue.js';
import { fsError } from '../internal/fs.js';
import { hasSysResource, triggerRefusedHint } from './trigger-hint.js';

/** A PSI trigger (psi.rst "Monitoring for pressure thresholds"): notify when tasks stall `stallUs` within any `windowUs`. */
export interface PressureTrigger {
  /** Which line the threshold applies to: `some` (any task stalled) or `full` (all non-idle tasks stalled). */
  kind: 'some' | 'full';
  /** Stall time threshold in microseconds (less than the window). */
  stallUs: number;
  /**
   * Window in microseconds, 500 ms .. 10 s. Without CAP_SYS_RESOURCE the
   * kernel only accepts multiples of 2 s (Linux 6.5+, "unprivileged PSI").
   */
  windowUs: number;
}

/** One trigger firing. */
export interface PressureEvent {
  /** The `*.pressure` file that fired. */
  file: string;
  /** Milliseconds since the epoch when the event was read. */
  at: number;
}

/** Options of {@link Cgroup.pressureEvents}. */
export interface PressureEventOptions {
  /** Ends the iteration: the pending `next()` rejects with an `AbortError` (`cause` = the signal's reason); already aborted, the call throws it. */
  signal?: AbortSignal;
}

/** Formats a trigger for writing. @throws {@link CgroupError} `INVALID_ARGUMENT` */
export function formatTrigger(t: PressureTrigger): string {
  if (t.kind !== 'some' && t.kind !== 'full') throw invalidArgument(CgroupError, 'trigger.kind', 'must be "some" or "full"');
  if (!Number.isInteger(t.windowUs) || t.windowUs < 500_000 || t.windowUs > 10_000_000) {
    throw invalidArgument(CgroupError, 'trigger.windowUs', `must be an integer in 500000..10000000, got ${t.windowUs}`);
  }
  if (!Number.isInteger(t.stallUs) || t.stallUs <= 0 || t.stallUs > t.windowUs) {
    throw invalidArgument(CgroupError, 'trigger.stallUs', `must be a positive integer up to windowUs, got ${t.stallUs}`);
  }
  return `${t.kind} ${t.stallUs} ${t.windowUs}`;
}

/**
 * Registers a PSI trigger on `file` and yields an event each time it fires.
 * The trigger lives as long as the fd kc keeps open: write the trigger, then
 * poll the same fd for POLLPRI (psi.rst). Ends on `break`; an abort of
 * `signal` rejects the pending `next()` with an `AbortError` (as Node's
 * `events.on`), and an already-aborted one throws it before the file is opened.
 *
 * @throws {@link CgroupError} when the kernel rejects the trigger (EINVAL: bad window for an unprivileged caller,
 *   whose message and `hint` name CAP_SYS_RESOURCE; EOPNOTSUPP: PSI disabled).
 */
export function watchPressureFile(file: string, trigger: PressureTrigger, signal?: AbortSignal): AsyncIterableIterator<PressureEvent> {
  const line = formatTrigger(trigger);
  if (signal?.aborted) throw abortError(signal);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (e) {
    throw fsError(e, 'open', file, 'opening a pressure file failed');
  }
  try {
    writeSync(fd, `${line}\0`);
  } catch (e) {
    closeSync(fd);
    const err = fsError(e, 'write', file, `registering PSI trigger "${line}" failed`);
    const hint = triggerRefusedHint(err.code, trigger.windowUs, hasSysResource());
    throw hint
      ? new CgroupError(`${err.message}: ${hint}`, {
          errno: err.errno,
          code: err.code,
          syscall: 'write',
          path: file,
          field: 'trigger.windowUs',
          hint,
          cause: e,
        })
      : err;
  }
  let watch: { stop(): void } | undefined;
  const queue = new EventQueue<PressureEvent>(() => {
    watch?.stop();
    closeSync(fd);
  }, signal);
  watch = watchFd(
    fd,
    PollEvent.Priority,
    () => queue.push({ file, at: Date.now() }),
    (e) => queue.fail(e),
  );
  return queue;
}
