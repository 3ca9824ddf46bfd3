// Runs a program that allocates memory without end under a 32 MiB limit and
// watches the cgroup's events: the kernel's OOM killer ends it, and the OOM
// event arrives (v2 memory.events, or v1 cgroup.event_control + eventfd:
// the same code on either).
//
//   pnpm exec tsx examples/cgroups-oom-watch.ts   (as root)
import { Cgroup } from '@kc/cgroups';
import { spawn } from '@kc/native';

await using group = Cgroup.create(`kc-example-oom-${process.pid}`, {
  resources: { memory: { max: 32 * 2 ** 20 } },
});
try {
  group.set({ memory: { swapMax: 0 } }); // no escape into swap, where the kernel accounts it
} catch {
  // swap accounting is off: nothing to limit
}
console.log(`group ${group.path} (${group.mode}): memory.max = ${group.resources().memory?.max}`);

const stop = new AbortController();
const watching = (async () => {
  for await (const event of group.events({
    signal: stop.signal,
    state: false,
  })) {
    console.log(`event: ${event.type} = ${event.value} (from ${event.source})`);
    if (event.type === 'oom' || event.type === 'oom_kill') return;
  }
})();

const hog = spawn({
  argv: ['/usr/bin/python3', '-c', 'a = []\nwhile True:\n    a.append(b"x" * (4 << 20))'],
  cgroup: group.spawnPlacement(),
  stdio: ['ignore', 'ignore', 'ignore'],
});
const status = await hog.exited;
console.log(`child ended by ${status.signal ?? `exit ${status.exitCode}`}`);
await Promise.race([watching, new Promise((r) => setTimeout(r, 5000))]);
stop.abort();
// Had the loop not ended on its own, the abort ends it with an AbortError, as Node's events.on does.
await watching.catch((e: unknown) => {
  if ((e as Error).name !== 'AbortError') throw e;
});
const memory = group.stats().memory;
console.log(`oom kills: ${memory?.oomKills}; peak usage ${Math.round((memory?.peak ?? 0) / 2 ** 20)} MiB`);
