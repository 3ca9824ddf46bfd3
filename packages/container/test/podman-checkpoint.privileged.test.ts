import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildBusyboxRootfs } from '@kc/container';
import { Criu } from '@kc/criu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '../../../test-support/tools.js';
import { alive } from './crash-helpers.js';
import { KC, probe, tempDir, uniqueId } from './helpers.js';
import { counter, readCount, tokenOf, until } from './podman-counter.js';

// podman on this machine: cgroupfs manager, file events, rlimits within the hard limits (see podman.privileged.test.ts).
const COMMON = ['--cgroup-manager=cgroupfs', '--events-backend=file'];
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
const RUNTIMES = [
  { name: 'kc', path: KC },
  { name: 'runc', path: 'runc' },
] as const;
type Runtime = (typeof RUNTIMES)[number];

const image = `localhost/kc-test-ckpt-busybox:${process.pid}`;
const names: string[] = [];
// Probed before the tests are collected, so a skip names the missing kernel feature (soft-dirty bits, CONFIG_MEM_SOFT_DIRTY).
const memoryTracking = probe.root && tool('criu') ? (await new Criu().features()).memoryTracking : false;
const dirs: string[] = [];

/** podman with `rt` as the OCI runtime (podman then keeps using it for that container). */
function podman(rt: Runtime, ...args: string[]) {
  const r = spawnSync('podman', ['--runtime', rt.path, ...COMMON, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function ok(rt: Runtime, ...args: string[]): string {
  const r = podman(rt, ...args);
  expect(r.status, `${rt.name}: podman ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}
function name(rt: Runtime, tag: string): string {
  const n = uniqueId(`${tag}-${rt.name}`);
  names.push(n);
  return n;
}
function pidOf(rt: Runtime, n: string): number {
  return Number(ok(rt, 'inspect', '--format', '{{.State.Pid}}', n));
}
/** Run state of `pid` and its children and its v1 freezer state, for a failure message. */
function treeState(pid: number): string {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  const kids = read(`/proc/${pid}/task/${pid}/children`).split(' ').filter(Boolean);
  const states = [pid, ...kids].map((p) => `${p}:${/^State:\s*(.*)$/m.exec(read(`/proc/${p}/status`))?.[1] ?? 'gone'}`);
  const freezer = /^\d+:freezer:(.*)$/m.exec(read(`/proc/${pid}/cgroup`))?.[1];
  return `[tree ${states.join(', ')}; freezer ${freezer ? read(`/sys/fs/cgroup/freezer${freezer}/freezer.state`) : '?'}]`;
}
describe.runIf(probe.root && probe.busybox && probe.podman && probe.runc && tool('criu'))(
  'podman container checkpoint/restore with kc as the runtime, runc as the oracle (needs root, podman, runc, criu, busybox-static)',
  () => {
    beforeAll(() => {
      const dir = tempDir('kc-podman-ckpt-img-');
      try {
        buildBusyboxRootfs(join(dir, 'rootfs'));
        expect(spawnSync('tar', ['-C', join(dir, 'rootfs'), '-cf', join(dir, 'rootfs.tar'), '.']).status).toBe(0);
        const imp = spawnSync('podman', ['import', join(dir, 'rootfs.tar'), image], { encoding: 'utf8' });
        expect(imp.status, imp.stderr).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    afterAll(() => {
      for (const n of names) spawnSync('podman', [...COMMON, 'rm', '-f', '-t', '0', n]);
      spawnSync('podman', ['rmi', '-f', image]);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it.each(RUNTIMES)(
      '$name: checkpoint stops the counter, restore continues it in the same bind mount and podman network namespace, podman logs keeps receiving',
      async (rt) => {
        const data = tempDir('kc-podman-ckpt-data-');
        dirs.push(data);
        const n = name(rt, 'ck');
        ok(rt, 'run', '-d', '--name', n, ...LIMITS, '-v', `${data}:/data`, image, 'sh', '-c', counter('/data/count'));
        const count = join(data, 'count');
        await until(count, (c) => c >= 3, 'the counter to start');
        const before = pidOf(rt, n);

        ok(rt, 'container', 'checkpoint', n);
        expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n)).toBe('exited');
        expect(alive(before)).toBe(false);
        const frozen = readCount(count) as number;
        const token = tokenOf(count);
        expect(frozen).toBeGreaterThanOrEqual(3);

        ok(rt, 'container', 'restore', n);
        expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n)).toBe('running');
        const pid = pidOf(rt, n);
        // Continued, not restarted: the same process state (its start token) counts on from the checkpointed value.
        const next = await until(count, (c) => c !== frozen, 'the restored counter to move');
        expect(tokenOf(count)).toBe(token);
        expect(next).toBeGreaterThan(frozen);
        // The bind mount is the host directory again, seen through the restored process's root.
        const inside = statSync(`/proc/${pid}/root/data`);
        expect([inside.dev, inside.ino]).toEqual([statSync(data).dev, statSync(data).ino]);
        // The restored tree sits in the network namespace podman made for the container, not one CRIU created.
        const sandbox = ok(rt, 'inspect', '--format', '{{.NetworkSettings.SandboxKey}}', n);
        expect(statSync(`/proc/${pid}/ns/net`).ino).toBe(statSync(sandbox).ino);
        // stdout reaches conmon again: a value written only after the restore is in `podman logs`.
        // frozen + 1 may have been echoed just before the dump; frozen + 2 was echoed by the restored process, a count before the file shows frozen + 3.
        await until(count, (c) => c >= frozen + 3, 'three more counts');
        const logs = ok(rt, 'logs', n).split('\n');
        expect(logs).toContain(String(frozen + 2));
        expect(podman(rt, 'rm', '-f', '-t', '0', n).status).toBe(0);
      },
    );

    it.each(RUNTIMES)(
      '$name: --leave-running --export keeps the original counting; --import restores a second container that continues the count',
      async (rt) => {
        const n = name(rt, 'ex');
        const copy = name(rt, 'im');
        const dir = tempDir('kc-podman-ckpt-tar-');
        dirs.push(dir);
        const tar = join(dir, 'ckpt.tar.gz');
        ok(rt, 'run', '-d', '--name', n, ...LIMITS, image, 'sh', '-c', counter('/tmp/count'));
        const pid = pidOf(rt, n);
        const count = `/proc/${pid}/root/tmp/count`;
        const atDump = await until(count, (c) => c >= 3, 'the counter to start');

        ok(rt, 'container', 'checkpoint', '--leave-running', '-e', tar, n);
        expect(existsSync(tar)).toBe(true);
        expect(ok(rt, 'inspect', '--format', '{{.State.Status}} {{.State.Pid}}', n)).toBe(`running ${pid}`);
        const afterDump = readCount(count) as number;
        await until(
          count,
          (c) => c > afterDump,
          'the original to keep counting',
          () => treeState(pid),
        );

        ok(rt, 'container', 'restore', '-i', tar, '--name', copy);
        const copyPid = pidOf(rt, copy);
        expect(copyPid).not.toBe(pid);
        expect(alive(pid)).toBe(true);
        const copyCount = `/proc/${copyPid}/root/tmp/count`;
        const first = await until(copyCount, () => true, 'the restored copy to write');
        // The copy is the checkpointed process (same start token), counting on from the checkpointed value, not from 1.
        expect(tokenOf(copyCount)).toBe(tokenOf(count));
        expect(first).toBeGreaterThanOrEqual(atDump);
        await until(copyCount, (c) => c > first, 'the copy to count on');
        for (const c of [n, copy]) expect(podman(rt, 'rm', '-f', '-t', '0', c).status).toBe(0);
      },
    );

    it.each(RUNTIMES)('$name: an established TCP connection needs --tcp-established, and with it survives checkpoint and restore', async (rt) => {
      const n = name(rt, 'tcp');
      // A listener and a client connected to it over loopback in the container's netns; the client streams the counter through the connection.
      const script = `sleep 100000 | busybox nc -l -p 8080 > /tmp/recv & while ! busybox netstat -ltn | grep -q :8080; do sleep 0.05; done; ${counter('/tmp/count')} | busybox nc 127.0.0.1 8080`;
      ok(rt, 'run', '-d', '--name', n, ...LIMITS, image, 'sh', '-c', script);
      const recv = () => `/proc/${pidOf(rt, n)}/root/tmp/recv`;
      const lastReceived = (file: string) => Number(readFileSync(file, 'utf8').trim().split('\n').pop() ?? 0);
      await until(`/proc/${pidOf(rt, n)}/root/tmp/count`, (c) => c >= 3, 'the counter to start');

      const refused = podman(rt, 'container', 'checkpoint', n);
      expect(refused.status).not.toBe(0);
      expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n)).toBe('running');

      ok(rt, 'container', 'checkpoint', '--tcp-established', n);
      ok(rt, 'container', 'restore', '--tcp-established', n);
      const file = recv();
      const resumed = lastReceived(file);
      // Bytes still flow over the restored connection: the receiver's file grows past what it held at restore.
      const deadline = Date.now() + 15_000;
      while (lastReceived(file) <= resumed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(lastReceived(file)).toBeGreaterThan(resumed);
      expect(podman(rt, 'rm', '-f', '-t', '0', n).status).toBe(0);
    });

    describe.runIf(memoryTracking)('iterative checkpoints (needs soft-dirty memory tracking, CONFIG_MEM_SOFT_DIRTY)', () => {
      it.each(RUNTIMES)('$name: --pre-checkpoint then --with-previous stops the counter and restore continues it', async (rt) => {
        const n = name(rt, 'pre');
        const data = tempDir('kc-podman-ckpt-pre-');
        dirs.push(data);
        const count = join(data, 'count');
        ok(rt, 'run', '-d', '--name', n, ...LIMITS, '-v', `${data}:/data`, image, 'sh', '-c', counter('/data/count'));
        await until(count, (c) => c >= 3, 'the counter to start');
        ok(rt, 'container', 'checkpoint', '--pre-checkpoint', n);
        expect(ok(rt, 'inspect', '--format', '{{.State.Status}}', n)).toBe('running');
        ok(rt, 'container', 'checkpoint', '--with-previous', n);
        const frozen = readCount(count) as number;
        const token = tokenOf(count);
        ok(rt, 'container', 'restore', n);
        const next = await until(count, (c) => c !== frozen, 'the restored counter to move');
        expect(tokenOf(count)).toBe(token);
        expect(next).toBeGreaterThan(frozen);
        expect(podman(rt, 'rm', '-f', '-t', '0', n).status).toBe(0);
      });
    });

    describe.runIf(!memoryTracking)('iterative checkpoints on a kernel without soft-dirty memory tracking (CONFIG_MEM_SOFT_DIRTY)', () => {
      it.each(RUNTIMES)('$name: --pre-checkpoint fails and the container runs on untouched', async (rt) => {
        const n = name(rt, 'nopre');
        ok(rt, 'run', '-d', '--name', n, ...LIMITS, image, 'sh', '-c', counter('/tmp/count'));
        const pid = pidOf(rt, n);
        const count = `/proc/${pid}/root/tmp/count`;
        await until(count, (c) => c >= 1, 'the counter to start');
        const r = podman(rt, 'container', 'checkpoint', '--pre-checkpoint', n);
        expect(r.status).not.toBe(0);
        if (rt.name === 'kc') expect(r.stderr).toMatch(/soft-dirty|memory tracking/);
        expect(ok(rt, 'inspect', '--format', '{{.State.Status}} {{.State.Pid}}', n)).toBe(`running ${pid}`);
        // kc undoes all of a failed pre-dump. runc 1.1.5 here at times leaves the tree stopped after it (seen once in several runs), so the
        // oracle is held to the failure and podman's view only.
        if (rt.name === 'kc') {
          const at = readCount(count) as number;
          await until(count, (c) => c > at, 'the container to keep counting');
        }
        expect(podman(rt, 'rm', '-f', '-t', '0', n).status).toBe(0);
      });
    });

    it('kc refuses a checkpoint flag it cannot honour, naming it, before touching the container', async () => {
      const rt = RUNTIMES[0];
      const n = name(rt, 'refuse');
      ok(rt, 'run', '-d', '--name', n, ...LIMITS, image, 'sh', '-c', counter('/tmp/count'));
      const id = ok(rt, 'inspect', '--format', '{{.Id}}', n);
      const pid = pidOf(rt, n);
      const dir = tempDir('kc-ckpt-refused-');
      dirs.push(dir);
      for (const args of [['--lazy-pages'], ['--page-server', '127.0.0.1:9999'], ['--manage-cgroups-mode', 'full'], ['--empty-ns', 'network']]) {
        const r = spawnSync(KC, ['checkpoint', '--image-path', dir, ...args, id], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(1);
        expect(r.stderr).toContain(args[0]);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
      expect(existsSync(join(dir, 'inventory.img'))).toBe(false);
      expect(alive(pid)).toBe(true);
      expect(ok(rt, 'inspect', '--format', '{{.State.Status}} {{.State.Pid}}', n)).toBe(`running ${pid}`);
      expect(podman(rt, 'rm', '-f', '-t', '0', n).status).toBe(0);
    });
  },
);
