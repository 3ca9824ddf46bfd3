import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { release } from 'node:os';
import { Cgroup, CgroupError, type CgroupEvent } from '@kc/cgroups';
import { afterAll, describe, expect, it } from 'vitest';
import { layout, leakedGroups, probe, sleep, spawnIn, testPath, waitFor } from './helpers.js';

afterAll(() => expect(leakedGroups()).toEqual([]));

describe.runIf(probe.psi)('pressure (PSI files in a v2 hierarchy)', () => {
  it('reads *.pressure as the kernel prints it', async () => {
    await using cg = Cgroup.create(testPath('psi'));
    const p = cg.pressure('cpu');
    const text = readFileSync(join(cg.unifiedDirectory as string, 'cpu.pressure'), 'utf8');
    expect(text).toMatch(new RegExp(`^some avg10=\\S+ avg60=\\S+ avg300=\\S+ total=${p.some.total}$`, 'm'));
  });

  it.runIf(probe.cpu && probe.python)('a trigger fires while a quota throttles a busy loop (cpu controller)', async () => {
    await using cg = Cgroup.create(testPath('psitrig'), {
      resources: { cpu: { quota: 10000, period: 100000 } },
    });
    const ac = new AbortController();
    // Without CAP_SYS_RESOURCE the kernel accepts only 2 s windows.
    const events = cg.pressureEvents('cpu', { kind: 'some', stallUs: 100_000, windowUs: 2_000_000 }, { signal: ac.signal });
    const p = spawnIn(cg, ['/usr/bin/python3', '-c', 'while True: pass']);
    const first = await Promise.race([events.next(), sleep(6000).then(() => undefined)]);
    ac.abort();
    p.kill('SIGKILL');
    await p.exited;
    expect(first?.done).toBe(false);
    expect(first?.value?.file).toMatch(/cpu\.pressure$/);
    expect(cg.pressure('cpu').some.total).toBeGreaterThan(100_000);
  });
});

// Linux 6.5 made PSI triggers usable without CAP_SYS_RESOURCE, for windows that are multiples of 2 s only.
const unprivilegedPsi = (() => {
  const [major = 0, minor = 0] = release().split('.').map(Number);
  return major > 6 || (major === 6 && minor >= 5);
})();

// CAP_SYS_RESOURCE is capability 24; the development machines lack it in their bounding set.
const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0'}`);
const hasSysResource = ((capEff >> 24n) & 1n) === 1n;

describe.runIf(probe.psi && unprivilegedPsi && !hasSysResource)(
  'a refused PSI trigger says why (kernel >= 6.5 "unprivileged PSI", run without CAP_SYS_RESOURCE)',
  () => {
    it('a 500 ms window is refused by the kernel with EINVAL, and the error names CAP_SYS_RESOURCE', async () => {
      await using cg = Cgroup.create(testPath('psiwin'));
      let err: unknown;
      try {
        cg.pressureEvents('cpu', { kind: 'some', stallUs: 100_000, windowUs: 500_000 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CgroupError);
      expect(err).toMatchObject({ code: 'EINVAL', syscall: 'write', field: 'trigger.windowUs' });
      expect((err as CgroupError).message).toMatch(/500 ms needs CAP_SYS_RESOURCE/);
      expect((err as CgroupError).hint).toMatch(/CAP_SYS_RESOURCE/);
      // The same trigger with a 2 s window is accepted: the window was the cause.
      const accepted = cg.pressureEvents('cpu', { kind: 'some', stallUs: 100_000, windowUs: 2_000_000 });
      await accepted.return?.();
    });
  },
);

describe.runIf(probe.v2Core)('state events (v2 cgroup.events)', () => {
  it('reports populated 1 then 0 as a child comes and goes', async () => {
    await using cg = Cgroup.create(testPath('events'));
    const ac = new AbortController();
    const seen: CgroupEvent[] = [];
    const iter = cg.events({ signal: ac.signal, memory: false });
    const done = (async () => {
      for await (const e of iter) {
        seen.push(e);
        if (e.type === 'populated' && e.value === 0) return;
      }
    })();
    // The iterator is armed (cg.events registers its watch synchronously) before the child exists;
    // the child stays until populated 1 was seen, so the two changes cannot merge into one read.
    const p = spawnIn(cg, ['sleep', '100']);
    expect(await waitFor(() => seen.some((e) => e.type === 'populated' && e.value === 1), 5000)).toBe(true);
    p.kill('SIGKILL');
    await p.exited;
    await Promise.race([done, sleep(3000)]);
    ac.abort();
    expect(seen.filter((e) => e.type === 'populated').map((e) => e.value)).toEqual([1, 0]);
  });

  // Where a v1 freezer hierarchy is mounted (hybrid hosts) freeze() uses it, as runc does, and cgroup.events never
  // says frozen; the unified VM lane runs this.
  it.runIf(layout.controllers.get('freezer')?.version !== 1)(
    'reports frozen when the group freezes (freezing through v2 cgroup.freeze: no v1 freezer mounted)',
    async () => {
      await using cg = Cgroup.create(testPath('evfreeze'));
      const p = spawnIn(cg, ['sleep', '100']);
      const ac = new AbortController();
      const iter = cg.events({ signal: ac.signal, memory: false });
      await cg.freeze();
      const first = await Promise.race([iter.next(), sleep(3000).then(() => undefined)]);
      ac.abort();
      p.kill('SIGKILL');
      await cg.thaw();
      await p.exited;
      expect(first?.value).toMatchObject({
        type: 'frozen',
        value: 1,
        source: 'cgroup.events',
      });
    },
  );
});

describe.runIf(probe.v1Memory)('v1 memory thresholds (cgroup.event_control, v1 memory controller)', () => {
  it('signals when usage crosses a threshold, and says which one', async () => {
    await using cg = Cgroup.create(testPath('thresh'));
    const ac = new AbortController();
    const iter = cg.events({
      signal: ac.signal,
      memory: false,
      state: false,
      // The 16 MiB the child takes crosses the first only.
      memoryThresholds: [1 << 30, 8 << 20],
    });
    const p = spawnIn(cg, ['/usr/bin/python3', '-c', 'import time\na = b"x" * (16 << 20)\ntime.sleep(100)']);
    const first = await Promise.race([iter.next(), sleep(5000).then(() => undefined)]);
    ac.abort();
    p.kill('SIGKILL');
    await p.exited;
    expect(first?.value).toMatchObject({
      type: 'threshold',
      source: 'memory.usage_in_bytes',
      thresholdBytes: 8 << 20,
    });
  });
});
