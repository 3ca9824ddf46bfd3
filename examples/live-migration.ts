/**
 * Live migration of a running process between two "hosts" with CRIU: two
 * persisted network namespaces joined by a veth pair stand for two machines on
 * one link. A counter starts on host A; CRIU dumps it there and streams its
 * memory over the veth to a page server on host B; the remaining (small)
 * images are copied across, CRIU restores the process on host B, and the
 * counter carries on from where it stopped. Everything is removed at the end,
 * also on failure.
 *
 * Run as root (CRIU >= 4: bash scripts/install-criu.sh): pnpm exec tsx examples/live-migration.ts
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RestoreResult, Criu } from '@kc/criu';
import { connectWithVeth, Namespace, netnsPath, persistNetns, removePersisted } from '@kc/namespaces';
import { type KcProcess, spawn } from '@kc/native';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tag = `kcmig${process.pid % 100000}`; // interface names are at most 15 bytes
const hostA = { name: `${tag}-a`, address: '10.231.9.1' };
const hostB = { name: `${tag}-b`, address: '10.231.9.2' };

/** A network namespace that outlives its first process, like `ip netns add`: a short-lived holder creates it, a bind mount keeps it. */
async function createHost(name: string): Promise<void> {
  await using holder = spawn({ argv: ['/bin/busybox', 'sleep', '60'], namespaces: ['net'], stdio: ['ignore', 'ignore', 'ignore'] });
  using ns = Namespace.fromPid(holder.pid, 'net');
  persistNetns(name, ns);
}

const dir = mkdtempSync(join(tmpdir(), 'kc-example-migration-'));
const countFile = join(dir, 'count'); // one filesystem on both "hosts", as with shared storage
const count = () => Number.parseInt(readFileSync(countFile, 'utf8'), 10);
const created: string[] = [];
let counter: KcProcess | undefined;
let restored: RestoreResult | undefined;
try {
  for (const host of [hostA, hostB]) {
    await createHost(host.name);
    created.push(host.name);
  }
  using netA = Namespace.fromPath(netnsPath(hostA.name), 'net');
  using netB = Namespace.fromPath(netnsPath(hostB.name), 'net');
  using link = connectWithVeth(
    { name: `${tag}a`, netns: netA, address: `${hostA.address}/24`, loopback: true },
    { name: `${tag}b`, netns: netB, address: `${hostB.address}/24`, loopback: true },
  );
  console.log(`hosts: ${hostA.name} (${hostA.address}) <-veth-> ${hostB.name} (${hostB.address})`);

  // A C counter that keeps its count only in memory (and touches 8 MiB, so there are pages to move).
  const binary = join(dir, 'counter');
  execFileSync('cc', ['-O2', '-o', binary, fileURLToPath(new URL('../packages/criu/test/fixtures/counter.c', import.meta.url))]);
  counter = spawn({
    argv: [binary, countFile, '20', '8'],
    join: [{ kind: 'net', path: netnsPath(hostA.name) }],
    setsid: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await sleep(400);
  const netOf = (pid: number) => statSync(`/proc/${pid}/ns/net`).ino;
  console.log(`counter pid ${counter.pid} runs on host A: ${netOf(counter.pid) === netA.inode}; count ${count() > 0 ? 'rising' : count()}`);

  // CRIU runs inside each host's network namespace (nsenter), as it would on that machine;
  // the process's netns is then CRIU's own, so it is neither dumped nor recreated.
  const onA = new Criu({ wrapper: ['nsenter', `--net=${netnsPath(hostA.name)}`] });
  const onB = new Criu({ wrapper: ['nsenter', `--net=${netnsPath(hostB.name)}`] });
  const src = join(dir, 'images-a');
  const dst = join(dir, 'images-b');
  mkdirSync(src);
  mkdirSync(dst);

  // Destination first: a page server on B's address, which takes one dump and exits.
  const pageServer = await onB.pageServer({ imagesDir: dst, address: hostB.address, port: 0 });
  console.log(`page server on host B at ${hostB.address}:${pageServer.port}`);
  const dump = await onA.dump({ pid: counter.pid, imagesDir: src, pageServer: { address: hostB.address, port: pageServer.port } });
  const stopped = await counter.exited; // dump without leaveRunning ends the source process
  const atDump = count();
  const pages = (d: string) => readdirSync(d).filter((f) => f.startsWith('pages-')).length;
  console.log(`dumped on A: ${dump.stats?.pagesWritten} pages sent over the veth; page images on A: ${pages(src)}, on B: ${pages(dst)}`);
  console.log(`source process ended by ${stopped.signal}`);

  // The rest of the images (process tree, fds, registers: a few KiB) travel out of band, like scp.
  for (const f of readdirSync(src)) if (f.endsWith('.img')) copyFileSync(join(src, f), join(dst, f));
  restored = await onB.restore({ imagesDir: dst });
  console.log(
    `restored as pid ${restored.pid} (${restored.pid === counter.pid ? 'the same pid' : 'a new pid'}) on host B: ${netOf(restored.pid) === netB.inode}`,
  );
  // The first value written after the restore: a restarted counter would write 0, 1, ...;
  // the migrated one writes the dumped count + 1 (+ more if we polled late).
  const deadline = Date.now() + 3000;
  while (count() === atDump && Date.now() < deadline) await sleep(5);
  const next = count();
  console.log(`counter continued: ${next > atDump} (${atDump} at dump, ${next} next)`);
  link.remove();
} finally {
  // Undo in reverse order; each step tolerates what an earlier failure never created.
  restored?.process?.kill('SIGKILL');
  await restored?.process?.exited;
  counter?.kill('SIGKILL');
  await counter?.exited;
  rmSync(dir, { recursive: true, force: true });
  for (const name of created) removePersisted(name); // the veth goes with its namespaces
}
console.log(`cleaned up: hosts gone ${![hostA, hostB].some((h) => existsSync(netnsPath(h.name)))}, images gone ${!existsSync(dir)}`);
