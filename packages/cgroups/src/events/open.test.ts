// An AbortSignal ends every kc event stream the way Node's events.on does: already aborted, the call
// throws an AbortError before any source starts; aborted later, the pending (or next) next() rejects
// with it, once, after the events already queued, and every source is stopped.
import { describe, expect, it } from 'vitest';
import type { CgroupEvent, EventSource } from './types.js';
import { openEvents } from './open.js';

/** A source the test drives by hand; counts how often it was started and stopped. */
function manualSource() {
  const state = { started: 0, stopped: 0, push: (_e: CgroupEvent) => {} };
  const source: EventSource = (push) => {
    state.started++;
    state.push = push;
    return () => {
      state.stopped++;
    };
  };
  return { state, source };
}

const event = (value: number): CgroupEvent => ({ type: 'populated', value, source: 'cgroup.events' });

describe('openEvents and AbortSignal (as events.on)', () => {
  it('throws an AbortError carrying the reason when the signal is already aborted, before any source starts', () => {
    const { state, source } = manualSource();
    const reason = new Error('before');
    expect(() => openEvents([source], AbortSignal.abort(reason))).toThrow(expect.objectContaining({ name: 'AbortError', code: 'ABORT_ERR', cause: reason }));
    expect(state.started).toBe(0);
  });

  it('rejects the pending next() with an AbortError when the signal fires during the loop, and stops every source', async () => {
    const a = manualSource();
    const b = manualSource();
    const ac = new AbortController();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const e of openEvents([a.source, b.source], ac.signal)) {
        seen.push(e.value);
        if (seen.length === 1) queueMicrotask(() => ac.abort('during'));
      }
    })();
    a.state.push(event(1));
    await expect(loop).rejects.toMatchObject({ name: 'AbortError', cause: 'during' });
    expect(seen).toEqual([1]);
    expect([a.state.stopped, b.state.stopped]).toEqual([1, 1]);
  });

  it('delivers the events queued before the abort, then the AbortError once, then done', async () => {
    const { state, source } = manualSource();
    const ac = new AbortController();
    const iter = openEvents([source], ac.signal);
    state.push(event(1));
    state.push(event(0));
    ac.abort();
    expect(await iter.next()).toEqual({ value: event(1), done: false });
    expect(await iter.next()).toEqual({ value: event(0), done: false });
    await expect(iter.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(await iter.next()).toEqual({ value: undefined, done: true });
    expect(state.stopped).toBe(1);
  });

  it('ends quietly on break, and a later abort changes nothing', async () => {
    const { state, source } = manualSource();
    const ac = new AbortController();
    const iter = openEvents([source], ac.signal);
    state.push(event(1));
    for await (const _ of iter) break;
    ac.abort();
    expect(await iter.next()).toEqual({ value: undefined, done: true });
    expect(state.stopped).toBe(1);
  });
});
