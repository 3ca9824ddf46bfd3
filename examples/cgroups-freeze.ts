// Freezes a counting child, shows the count standing still, thaws it, then
// kills the whole group at once and deletes it.
//
//   pnpm exec tsx examples/cgroups-freeze.ts   (as root)
import { Cgroup } from '@kc/cgroups';
import { spawn } from '@kc/native';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const group = Cgroup.create(`kc-example-freeze-${process.pid}`);
const counter = spawn({
  argv: ['/usr/bin/python3', '-u', '-c', 'import time\ni = 0\nwhile True:\n    i += 1\n    print(i, flush=True)\n    time.sleep(0.01)'],
  cgroup: group.spawnPlacement(),
  stdio: ['ignore', 'pipe', 'ignore'],
});
let count = 0;
counter.stdout?.on('data', (b: Buffer) => {
  count = Number(b.toString().trim().split('\n').pop()) || count;
});

await sleep(300);
await group.freeze();
const frozenAt = count;
await sleep(300);
console.log(`frozen: ${group.frozen}; count did not move while frozen: ${count === frozenAt}`);
await group.thaw();
await sleep(300);
console.log(`thawed: count moved on: ${count > frozenAt}`);
await group.kill();
console.log(`after kill: populated ${group.populated}; child ended by ${(await counter.exited).signal}`);
await group.delete();
console.log('group deleted');
