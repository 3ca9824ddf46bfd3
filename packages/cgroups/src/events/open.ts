import { EventQueue } from '../internal/event-queue.js';
import type { CgroupEvent, EventSource } from './types.js';

/**
 * Starts every source feeding one queue and returns it as the async
 * iterator; all sources stop together on abort, `break` or a failure.
 */
export function openEvents(sources: EventSource[], signal?: AbortSignal): AsyncIterableIterator<CgroupEvent> {
  signal?.throwIfAborted();
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
  signal?.addEventListener('abort', () => queue.close(), { once: true });
  return queue;
}
