// What can this process really use? Node's os.availableParallelism() counts
// CPUs in the affinity mask and ignores cgroup quotas and memory limits; kc
// walks every enclosing cgroup. Then the same question for a child started
// inside a group limited to 256 MiB and half a CPU.
//
//   pnpm exec tsx examples/cgroups-effective-limits.ts   (as root for the second part)
import { availableParallelism } from 'node:os';
import { Cgroup, detectLayout, effectiveLimits } from '@kc/cgroups';
import { spawn } from '@kc/native';

const mib = (n: number | 'max') => (n === 'max' ? 'max' : `${Math.round(n / 2 ** 20)} MiB`);

const layout = detectLayout();
console.log(`cgroup mode: ${layout.mode}; controllers: ${[...layout.controllers.keys()].join(' ')}`);

const self = effectiveLimits();
console.log(
  `this process: memory limit ${mib(self.memoryLimit)}, host memory ${mib(self.hostMemory)}, cpus ${self.cpus} (node says ${availableParallelism()})`,
);

await using group = Cgroup.create(`kc-example-${process.pid}`, {
  resources: {
    memory: { max: 256 * 2 ** 20 },
    cpu: { quota: 50_000, period: 100_000 },
  },
});
const child = spawn({
  argv: ['sleep', '10'],
  cgroup: group.spawnPlacement(),
  stdio: ['ignore', 'ignore', 'ignore'],
});
const limits = effectiveLimits(child.pid);
console.log(
  `child in ${group.path}: memory limit ${mib(limits.memoryLimit)} (from ${limits.memoryLimitFrom}), cpus ${limits.cpus}, use ${limits.parallelism} worker(s)`,
);
child.kill('SIGKILL');
await child.exited;
