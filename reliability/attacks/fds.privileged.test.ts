import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, judge, Lab, type Outcome, probe, RUNTIMES, type Runtime } from './harness.js';

// Leaked host fds: the entrypoint and an exec'd process list /proc/self/fd;
// beyond stdio, no fd may name a host path (the runtime's cgroup directory,
// state dir, bundle, its own binary...).

describe.runIf(probe.root)('attack: host fds left open in the container (needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  it('the entrypoint starts with stdio only', () => {
    const bundle = lab.bundle([at('fds')]);
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) out[rt] = lab.run(rt, bundle, 'fds');
    judge('fds: entrypoint', out.runc, out.kc);
  });

  it("an exec'd process starts with stdio only", () => {
    const bundle = lab.bundle(['sleep', '600']);
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) {
      const id = lab.detach(rt, bundle, 'fdsexec');
      try {
        out[rt] = lab.exec(rt, id, [at('fds')]);
      } finally {
        lab.remove(rt, id);
      }
    }
    judge('fds: exec', out.runc, out.kc);
  });
});
