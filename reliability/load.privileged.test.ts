import { readdirSync, readFileSync } from 'node:fs';
import { Cgroup } from '@kc/cgroups';
import { spawn } from '@kc/native';
import { compile, kcDefaultPolicy, toSpawnSeccomp } from '@kc/seccomp';
import { describe, expect, it } from 'vitest';

// Load with limits and seccomp, from one Node process: every child starts in a
// test cgroup (pids.max, memory.max) under kc's default seccomp profile with
// no_new_privs. Leak checks are seen from outside: our fd table, our zombie
// children, our RSS, and the cgroup being empty at the end.
const openFds = () => readdirSync('/proc/self/fd').length;
function zombies(): number {
  let n = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z' && Number(f[1]) === process.pid) n++;
    } catch {
      /* gone */
    }
  }
  return n;
}
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
const id = `kc-rel-load-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const seccomp = toSpawnSeccomp(compile(kcDefaultPolicy()));

describe('load with limits and seccomp', () => {
  it('200 concurrent and 5,000 sequential limited, filtered spawns: no errors, fd growth, zombies or RSS growth over 48 MiB', async () => {
    await using cg = Cgroup.create(id, { resources: { pids: { max: 512 }, memory: { max: 256 * 2 ** 20 } } });
    const placement = cg.spawnPlacement();
    const one = async () => {
      const p = spawn({
        argv: ['/bin/true'],
        cgroup: placement,
        seccomp,
        noNewPrivileges: true,
        namespaces: ['pid', 'ipc', 'uts'],
        stdio: ['ignore', 'ignore', 'ignore'],
      });
      const s = await p.exited;
      if (s.exitCode !== 0) throw new Error(`exit ${s.exitCode} ${s.signal}`);
    };
    for (let i = 0; i < 50; i++) await one(); // warm-up: JIT, allocator, addon
    await settle();
    const fds0 = openFds();
    const rss0 = process.memoryUsage().rss;

    let t0 = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 200 }, one));
    const concMs = performance.now() - t0;
    const failed = results.filter((r) => r.status === 'rejected');
    await settle();
    console.log(
      `load: 200 concurrent: ${concMs.toFixed(0)} ms total, ${(concMs / 200).toFixed(2)} ms/spawn, ${failed.length} failed, fds ${fds0} -> ${openFds()}`,
    );
    expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);

    t0 = performance.now();
    for (let i = 0; i < 5000; i++) await one();
    const seqMs = performance.now() - t0;
    await settle();
    const fds1 = openFds();
    const rssGrowth = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.log(
      `load: 5000 sequential: ${seqMs.toFixed(0)} ms total, ${(seqMs / 5000).toFixed(2)} ms/spawn, fds ${fds0} -> ${fds1}, rss growth ${rssGrowth.toFixed(1)} MiB, zombies ${zombies()}, procs left in cgroup ${cg.procs().length}`,
    );
    expect(fds1).toBe(fds0);
    expect(zombies()).toBe(0);
    expect(cg.procs()).toEqual([]);
    // 5,200 spawns: a leak of 10 KiB per spawn would be ~50 MiB.
    expect(rssGrowth).toBeLessThan(48);
  }, 150_000);
});
