// The cgroup event streams end on an AbortSignal the way Node's events.on does (docs/vocabulary.md):
// already aborted, the call throws an AbortError and opens nothing; aborted during the loop, the
// pending next() rejects with it and every fd the stream opened is closed.
import { readdirSync } from 'node:fs';
import { Cgroup } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { leakedGroups, probe, testPath } from './helpers.js';

afterAll(() => expect(leakedGroups()).toEqual([]));

const openFds = () => readdirSync('/proc/self/fd').length;
const trigger = { kind: 'some', stallUs: 100_000, windowUs: 2_000_000 } as const;

describe.runIf(probe.v2Core)('events() and AbortSignal (v2 cgroup.events)', () => {
  it('throws an AbortError (cause: the reason) for an already-aborted signal, opening nothing', async () => {
    await using cg = Cgroup.create(testPath('abort-before'));
    const before = openFds();
    const reason = new Error('before');
    expect(() => cg.events({ signal: AbortSignal.abort(reason), memory: false })).toThrow(expect.objectContaining({ name: 'AbortError', cause: reason }));
    expect(openFds()).toBe(before);
  });

  it('rejects the pending next() with an AbortError when the signal fires during the loop, and closes its fds', async () => {
    await using cg = Cgroup.create(testPath('abort-during'));
    const before = openFds();
    const ac = new AbortController();
    const iter = cg.events({ signal: ac.signal, memory: false });
    expect(openFds()).toBeGreaterThan(before); // cgroup.events is open and polled
    const pending = iter.next();
    ac.abort('during');
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: 'during' });
    expect(openFds()).toBe(before);
  });
});

describe.runIf(probe.psi)('pressureEvents() and AbortSignal (PSI triggers)', () => {
  it('takes { signal } and behaves as events(): AbortError before and during', async () => {
    await using cg = Cgroup.create(testPath('abort-psi'));
    const before = openFds();
    expect(() => cg.pressureEvents('memory', trigger, { signal: AbortSignal.abort() })).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(openFds()).toBe(before);
    const ac = new AbortController();
    const loop = (async () => {
      for await (const _ of cg.pressureEvents('memory', trigger, { signal: ac.signal })) {
        /* no memory pressure in an empty group */
      }
    })();
    expect(openFds()).toBeGreaterThan(before); // the trigger's fd
    ac.abort();
    await expect(loop).rejects.toMatchObject({ name: 'AbortError' });
    expect(openFds()).toBe(before);
  });

  it('still accepts the deprecated positional signal', async () => {
    await using cg = Cgroup.create(testPath('abort-psi-positional'));
    const ac = new AbortController();
    const iter = cg.pressureEvents('memory', trigger, ac.signal);
    const pending = iter.next();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
