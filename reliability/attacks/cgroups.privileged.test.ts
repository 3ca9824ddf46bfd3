import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, judge, Lab, type Outcome, probe, RUNTIMES, type Runtime } from './harness.js';

// Cgroup escapes: from inside (writes to the read-only cgroup mount,
// release_agent, mounting a hierarchy to join the host's root group), and
// from outside: `delete --force` of a container whose linux.cgroupsPath
// already holds a host process must leave that process alone (runc: "the
// container's cgroup is not empty" or it signals only its own). Needs only a
// kernel and busybox (runs in the VM lanes too).

/** A host process's state letter from /proc/PID/stat ('Z' or missing: dead). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** The cgroup layout decides where a pre-existing group can be made: v1 hierarchies, or the unified root. */
const v1 = (c: string) => existsSync(`/sys/fs/cgroup/${c}/cgroup.procs`);
const unified = existsSync('/sys/fs/cgroup/cgroup.controllers');
/** Generous: the VM lanes run this under software emulation, 15-20x slower. */
const SLOW = 300_000;

describe.runIf(probe.root)('attack: cgroup escapes (needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  it(
    'writes to /sys/fs/cgroup, release_agent, and a fresh cgroup mount from inside',
    () => {
      const bundle = lab.bundle([at('cgroup'), '/dev/shm']);
      const out = {} as Record<Runtime, Outcome>;
      for (const rt of RUNTIMES) out[rt] = lab.run(rt, bundle, 'cg');
      judge('cgroup: write, release_agent, mount from inside', out.runc, out.kc);
    },
    SLOW,
  );

  /**
   * Puts a host `sleep` in a new group of `hierarchies`, points the container's
   * cgroupsPath at it, runs and force-deletes the container, and reports
   * whether the host process survived.
   */
  async function preexisting(hierarchies: string[], tag: string): Promise<Record<Runtime, Outcome>> {
    const group = `kc-attack-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const host: ChildProcess = spawn('sleep', ['600'], { stdio: 'ignore' });
    const exited = new Promise((r) => host.once('exit', r));
    const out = {} as Record<Runtime, Outcome>;
    try {
      for (const h of hierarchies) {
        mkdirSync(join('/sys/fs/cgroup', h, group));
        writeFileSync(join('/sys/fs/cgroup', h, group, 'cgroup.procs'), String(host.pid));
      }
      const bundle = lab.bundle(['sleep', '600'], (c) => {
        c.linux!.cgroupsPath = `/${group}`;
      });
      for (const rt of RUNTIMES) {
        const { id, why } = lab.start(rt, bundle, tag);
        lab.remove(rt, id);
        const record = lab.cli(rt, ['state', id]).status === 0;
        if (!alive(host.pid!)) out[rt] = { verdict: 'escaped', detail: `${why}; delete --force killed the host process` };
        else if (record) out[rt] = { verdict: 'escaped', detail: `${why}; delete --force left a stale record` };
        else out[rt] = { verdict: 'blocked', detail: `${why}; host process alive, no record` };
        if (!alive(host.pid!)) break; // nothing left to test for the next runtime
      }
      out.kc ??= { verdict: 'escaped', detail: 'not run: the host process died under runc' };
      return out;
    } finally {
      host.kill('SIGKILL');
      await exited;
      // Remove the group in every hierarchy where it exists (a runtime may have added it to others).
      for (const d of [join('/sys/fs/cgroup', group), ...readdirSync('/sys/fs/cgroup').map((h) => join('/sys/fs/cgroup', h, group))]) {
        if (existsSync(d)) rmdirSync(d);
      }
    }
  }

  it.runIf(v1('pids') && v1('freezer'))(
    'delete --force spares a host process already in cgroupsPath (v1 pids + freezer)',
    async () => {
      const r = await preexisting(['pids', 'freezer'], 'cgpre');
      judge('cgroup: delete -f with a host process in cgroupsPath (pids+freezer)', r.runc, r.kc);
    },
    SLOW,
  );

  it.runIf(v1('pids'))(
    'delete --force spares a host process already in cgroupsPath (v1 pids only) and leaves no record',
    async () => {
      const r = await preexisting(['pids'], 'cgpre1');
      judge('cgroup: delete -f with a host process in cgroupsPath (pids only)', r.runc, r.kc);
    },
    SLOW,
  );

  it.runIf(unified)(
    'delete --force spares a host process already in cgroupsPath (cgroup v2)',
    async () => {
      const r = await preexisting([''], 'cgpre2');
      judge('cgroup: delete -f with a host process in cgroupsPath (cgroup v2)', r.runc, r.kc);
    },
    SLOW,
  );
});
