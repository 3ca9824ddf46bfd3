import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, judge, Lab, type Outcome, probe, RUNTIMES, type Runtime } from './harness.js';

// CVE-2016-9962 / CVE-2019-5736: a root process inside the container watches
// ns_last_pid while the runtime sends processes in with `exec`, and tries to
// open /proc/PID/exe (read and write), /proc/PID/fd/* and PTRACE_SEIZE them
// before they execve. runc makes its joining process non-dumpable (and runs
// from a sealed memfd copy), so none of it works. Half of the execs run a
// `#!/proc/self/exe` script, the classic way to make the runtime's own binary
// the container's process.

const EXECS = 60;
const RESULT = '/dev/shm/race';

describe.runIf(probe.root)('attack: the exec race on /proc/PID/exe and fds (CVE-2016-9962, CVE-2019-5736, needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  /** Starts the watcher as the container's init, runs EXECS execs, and reads what the watcher saw. */
  function race(rt: Runtime, bundle: string): { outcome: Outcome; pids: number } {
    const id = lab.detach(rt, bundle, 'race');
    try {
      // The watcher publishes RESULT before its loop: wait for that observable state.
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) ready = lab.cli(rt, ['exec', id, 'cat', RESULT]).status === 0;
      expect(ready, `${rt}: the watcher never started`).toBe(true);
      for (let i = 0; i < EXECS; i++) lab.cli(rt, ['exec', id, ...(i % 2 ? ['/evil'] : ['true'])]);
      const r = lab.cli(rt, ['exec', id, 'cat', RESULT]);
      const pids = Number(/pids=(\d+)/.exec(r.stdout)?.[1] ?? 0);
      const hits = Number(/hits=(\d+)/.exec(r.stdout)?.[1] ?? 0);
      const line = r.stdout.split('\n').find((l) => /^(ESCAPED|BLOCKED)/.test(l)) ?? 'BLOCKED no result';
      return { outcome: { verdict: line.startsWith('ESCAPED') ? 'escaped' : 'blocked', detail: `pids=${pids} hits=${hits} ${line}` }, pids };
    } finally {
      lab.remove(rt, id);
    }
  }

  it(`${EXECS} execs under a watcher that grabs every new pid`, () => {
    const bundle = lab.bundle([at('race'), RESULT, '120'], undefined, (rootfs) => {
      writeFileSync(join(rootfs, 'evil'), '#!/proc/self/exe\n', { mode: 0o755 });
    });
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) {
      const r = race(rt, bundle);
      // The control of the control: the watcher saw the runtime's processes come in.
      expect(r.pids, `suite bug: the watcher saw only ${r.pids} pids under ${rt}`).toBeGreaterThanOrEqual(EXECS);
      out[rt] = r.outcome;
    }
    judge(`exec race /proc/PID/exe, fds, ptrace (${EXECS} execs)`, out.runc, out.kc);
  });
});
