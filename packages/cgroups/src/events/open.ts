import { abortError } from '@kc/native';
import { EventQueue } from '../internal/event-queue.js';
import type { CgroupEvent, EventSource } from './types.js';

/**
 * Starts every source feeding one queue and returns it as the async
 * iterator; all sources stop together on abort, `break` or a failure. An
 * already-aborted `signal` throws an `AbortError` before any source starts;
 * one that fires later rejects the pending `next()` with it.
 */
export function openEvents(sources: readonly EventSource[], signal?: AbortSignal): AsyncIterableIterator<CgroupEvent> {
  if (signal?.aborted) throw abortError(signal);
  const cleanups: (() => void)[] = [];
  const queue = new EventQueue<CgroupEvent>(() => {
    for (const c of cleanups.splice(0)) c();
  });
  try {
    for (const src of sources) {
      cleanups.push(
        src(
          (e) => queue.push(e),
          (e) => queue.fail(e),
        ),
      );
    }
  } catch (e) {
    queue.close();
    throw e;
  }
  signal?.addEventListener('abort', () => queue.fail(abortError(signal)), { once: true });
  return queue;
}
