import { spawn as nodeSpawn, execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Criu, RestoredProcess } from '@kc/criu';
const criu = new Criu();
const first = nodeSpawn('/tmp/kc-criu-dev/counter', ['/tmp/kc-criu-dev/cnt', '50', '100'], { detached: true, stdio: 'ignore' });
const firstExit = new Promise((r) => first.once('exit', r));
await new Promise((r) => setTimeout(r, 1500));
let prev: RestoredProcess | null = null;
let prevExit: Promise<unknown> = firstExit;
for (let i = 0; i < 8; i++) {
  const kc = i % 2 === 0;
  rmSync('/dev/shm/kc-prof', { recursive: true, force: true }); mkdirSync('/dev/shm/kc-prof');
  const t0 = performance.now();
  if (kc) await criu.dump({ pid: first.pid!, imagesDir: '/dev/shm/kc-prof' });
  else execFileSync('criu', ['dump', '-t', String(first.pid), '-D', '/dev/shm/kc-prof', '-o', 'dump.log']);
  const t1 = performance.now();
  await prevExit;
  const t2 = performance.now();
  let r: RestoredProcess;
  if (kc) r = (await criu.restore({ imagesDir: '/dev/shm/kc-prof' })).process!;
  else { execFileSync('criu', ['restore', '-D', '/dev/shm/kc-prof', '-d', '-S', '-o', 'r.log', '--pidfile', '/dev/shm/kc-prof/pid']); r = new RestoredProcess(first.pid!); }
  const t3 = performance.now();
  prev = r; prevExit = r.exited;
  console.log(`${kc ? 'kc ' : 'cli'} dump ${(t1 - t0).toFixed(1)} reap ${(t2 - t1).toFixed(1)} restore ${(t3 - t2).toFixed(1)}`);
}
await prev![Symbol.asyncDispose]();
