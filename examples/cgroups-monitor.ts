// A cgroup monitor: three `for await` loops watch one group at once (its
// events, its CPU pressure, its stats sampled twice a second) while a
// workload takes 24 MiB (past a 16 MiB mark), spins under a half-CPU quota
// and forks past its pids limit. One AbortController stops all three: once
// each budget was seen hit, or when a 30 s timer fires first. Each loop then
// ends with an AbortError whose `cause` is the abort's reason, as Node's
// `events.on` does, and says so.
//
// The memory mark is the same idea on either cgroup version: a v1 usage
// threshold (cgroup.event_control; the event says which threshold) or the v2
// `memory.high` limit (its "high" count in memory.events).
//
//   pnpm exec tsx examples/cgroups-monitor.ts   (as root)
import { setInterval as every } from 'node:timers/promises';
import { Cgroup, type CgroupEvent, CgroupError } from '@kc/cgroups';
import { spawn } from '@kc/native';

const MARK_BYTES = 16 * 2 ** 20;
const PIDS_MAX = 8;
const TIMEOUT_MS = 30_000;

await using group = Cgroup.create(`kc-example-monitor-${process.pid}`, {
  resources: { cpu: { quota: 50_000, period: 100_000 }, pids: { max: PIDS_MAX }, memory: { max: 128 * 2 ** 20 } },
});
const memoryV1 = group.versionOf('memory') === 1;
if (!memoryV1) group.set({ memory: { high: MARK_BYTES } });
console.log(
  `group ${group.path} (${group.mode}): cpu 50%, pids.max ${PIDS_MAX}, memory mark ${MARK_BYTES / 2 ** 20} MiB (${memoryV1 ? 'v1 threshold' : 'v2 memory.high'})`,
);

const stop = new AbortController();
const { signal } = stop;
// Whichever comes first ends the monitor: every budget seen hit (checkEnough), or this timer. (Not AbortSignal.any with
// AbortSignal.timeout: Node 20 may collect the timeout signal, which then never fires.)
const timer = setTimeout(() => stop.abort('timeout'), TIMEOUT_MS);
// Ctrl-C stops it the same way, so the group is still cleaned up.
const onInterrupt = () => stop.abort('SIGINT');
process.once('SIGINT', onInterrupt);
const seen = { events: 0, pressure: 0, samples: 0, memoryMark: false, forkRefused: false };
let pressureWatched = true;

/** Aborts once each budget was seen hit: the memory mark (an event), CPU (a pressure event, where PSI is), pids (a sample). */
function checkEnough(): void {
  if (seen.memoryMark && (seen.pressure >= 1 || !pressureWatched) && seen.forkRefused) stop.abort('enough events seen');
}

/** Runs one watcher loop; an abort is its normal end, reported with its reason. */
async function watch(name: string, loop: () => Promise<void>): Promise<void> {
  try {
    await loop();
    console.log(`${name}: ended by itself`);
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
    console.log(`${name}: stopped by abort (${String((e as Error).cause)})`);
  }
}

const describeEvent = (e: CgroupEvent) =>
  `${e.type} = ${e.value} (from ${e.source}${e.thresholdBytes !== undefined ? `, threshold ${e.thresholdBytes / 2 ** 20} MiB` : ''})`;

// Registered before the workload starts, so nothing it does is missed.
const events = group.events({ signal, memoryThresholds: memoryV1 ? [MARK_BYTES] : [] });
let pressure: AsyncIterableIterator<unknown> | undefined;
try {
  // 2 s is the smallest window a process without CAP_SYS_RESOURCE may use (Linux 6.5+).
  pressure = group.pressureEvents('cpu', { kind: 'some', stallUs: 100_000, windowUs: 2_000_000 }, { signal });
} catch (e) {
  if (!(e instanceof CgroupError)) throw e;
  pressureWatched = false;
  console.log(`pressure: not watched (${e.message})`);
}

const workload = spawn({
  argv: [
    '/bin/sh',
    '-c',
    // One process holds 24 MiB and then spins (one, so the quota does not slow the allocation down behind a
    // spinner); then forks past pids.max (the shell says "can't fork" on stderr, ignored).
    `/usr/bin/python3 -c 'a = b"x" * (24 << 20)\nwhile True: pass' & ` + `for i in $(seq ${PIDS_MAX * 2}); do sleep 60 & done; wait`,
  ],
  cgroup: group.spawnPlacement(),
  stdio: ['ignore', 'ignore', 'ignore'],
});

await Promise.all([
  watch('events', async () => {
    for await (const e of events) {
      seen.events++;
      if (e.type === 'threshold' || e.type === 'high') seen.memoryMark = true;
      console.log(`event: ${describeEvent(e)}`);
      checkEnough();
    }
  }),
  pressure &&
    watch('pressure', async () => {
      for await (const _ of pressure) {
        seen.pressure++;
        const { some } = group.pressure('cpu');
        console.log(`pressure: cpu some avg10=${some.avg10} total=${Math.round(some.total / 1000)} ms`);
        checkEnough();
      }
    }),
  watch('stats', async () => {
    for await (const _ of every(500, undefined, { signal })) {
      seen.samples++;
      const { cpu, memory, pids } = group.stats();
      if ((pids?.limitHits ?? 0) > 0) seen.forkRefused = true;
      console.log(
        `stats: cpu ${Math.round((cpu?.usageUsec ?? 0) / 1000)} ms (throttled ${cpu?.nrThrottled ?? 0} times), ` +
          `memory ${Math.round((memory?.usage ?? 0) / 2 ** 20)} MiB, pids ${pids?.current ?? 0}/${pids?.max ?? '?'} (fork refused ${pids?.limitHits ?? 0} times)`,
      );
      checkEnough();
    }
  }),
]);

clearTimeout(timer);
process.off('SIGINT', onInterrupt);
console.log(`monitor stopped by abort (${String(signal.reason)}) after ${seen.events} events, ${seen.pressure} pressure events, ${seen.samples} samples`);
const { memory, pids } = group.stats();
console.log(`at the end: memory ${Math.round((memory?.usage ?? 0) / 2 ** 20)} MiB, fork refused ${pids?.limitHits ?? 0} times`);
workload.kill('SIGKILL'); // the shell; `await using group` then kills what is left in the group and removes it
await workload.exited;
