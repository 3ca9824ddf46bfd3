import { existsSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Container, ContainerError } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupDir, leftoverCgroups, makeBundle, probe, tempDir, uniqueId, v1Controller } from './helpers.js';

const root = tempDir('kc-state-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readAll(s: NodeJS.ReadableStream | null): Promise<string> {
  let out = '';
  for await (const chunk of s ?? []) out += chunk;
  return out;
}

describe.runIf(probe.root && probe.busybox)('Container lifecycle (needs root and busybox-static)', () => {
  it('holds the process at create, runs it at start, reports the exit code, and deletes without leaks', async () => {
    const { bundle, cleanup } = makeBundle(['sh', '-c', 'exit 7']);
    const id = uniqueId('life');
    try {
      const c = await Container.create({ id, bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
      expect(c.status).toBe('created');
      expect(c.state()).toMatchObject({ id, status: 'created', bundle, ociVersion: '1.0.2' });
      // Held by kc-init, executed from a sealed memfd, not yet the user's program.
      expect(readlinkSync(`/proc/${c.pid}/exe`)).toMatch(/memfd:kc-init/);
      expect(readFileSync(join(cgroupDir(id, 'memory'), 'cgroup.procs'), 'utf8').trim()).toBe(String(c.pid));
      expect(Container.load(id, root).state().status).toBe('created');
      await c.start();
      expect((await c.wait()).exitCode).toBe(7);
      // The handle shape of KcProcess: `exited` is the same status as wait(), and kill after the exit says false.
      expect(await c.exited).toEqual(await c.wait());
      expect(c.status).toBe('stopped');
      expect(c.state().pid).toBe(0);
      expect(c.kill('SIGKILL')).toBe(false);
      expect(c.kill('SIGKILL', { all: true })).toBe(false);
      expect(Container.load(id, root).kill('SIGKILL')).toBe(false);
      await expect(Container.load(id, root).exited).rejects.toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
      await c.delete();
      expect(leftoverCgroups(id)).toEqual([]);
      expect(existsSync(join(root, id))).toBe(false);
      expect(() => Container.load(id, root)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    } finally {
      cleanup();
    }
  });

  it('execs a second process in the same namespaces and cgroup, with the same caps and seccomp', async () => {
    const { bundle, cleanup } = makeBundle(['sleep', '30']);
    const id = uniqueId('exec');
    try {
      await using c = await Container.create({ id, bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
      await c.start();
      const p = c.exec(
        {
          args: [
            'sh',
            '-c',
            'for n in pid mnt net uts ipc cgroup; do readlink /proc/self/ns/$n; done; grep -E "^(CapEff|Seccomp):" /proc/self/status; echo $$',
          ],
        },
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const [out] = await Promise.all([readAll(p.stdout), p.exited]);
      const lines = out.trim().split('\n');
      const hostView = ['pid', 'mnt', 'net', 'uts', 'ipc', 'cgroup'].map((n) => readlinkSync(`/proc/${c.pid}/ns/${n}`));
      expect(lines.slice(0, 6)).toEqual(hostView);
      expect(lines[6]).toBe(readFileSync(`/proc/${c.pid}/status`, 'utf8').match(/^CapEff:.*$/m)?.[0]);
      expect(lines[7]).toMatch(/^Seccomp:\s+2$/);
      expect(Number(lines[8])).toBeGreaterThan(1); // a pid inside the container's pid namespace
      expect(c.pids()).toContain(c.pid);
    } finally {
      cleanup();
    }
    expect(leftoverCgroups(id)).toEqual([]);
  });

  it.runIf(probe.v1Freezer || probe.v2Freezer)(
    'pauses and resumes through the freezer (the v1 freezer where mounted, else v2 cgroup.freeze); a paused container can be force-deleted',
    async () => {
      const { bundle, cleanup } = makeBundle(['sleep', '30']);
      const id = uniqueId('frz');
      try {
        await using c = await Container.create({ id, bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
        await c.start();
        await c.pause();
        expect(c.status).toBe('paused');
        // @kc/cgroups freezes through the v1 freezer where the group has one (hybrid and legacy hosts: the freezer.state
        // runc, tools and CRIU read), else through v2 cgroup.freeze.
        const v1 = `/sys/fs/cgroup/freezer/kc/${id}/freezer.state`;
        if (existsSync(v1)) expect(readFileSync(v1, 'utf8').trim()).toBe('FROZEN');
        else expect(readFileSync(join(cgroupDir(id, 'freezer'), 'cgroup.events'), 'utf8')).toMatch(/^frozen 1$/m);
        expect(readFileSync(`/proc/${c.pid}/status`, 'utf8')).toMatch(/^State:\s+[DS]/m);
        await expect(c.pause()).rejects.toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
        await c.resume();
        expect(c.status).toBe('running');
        // Paused again, it is force-deleted at once: the kill is queued, then the group thawed (as runc does).
        await c.pause();
        await c.delete({ force: true });
        expect((await c.wait()).signal).toBe('SIGKILL');
      } finally {
        cleanup();
      }
      expect(leftoverCgroups(id)).toEqual([]);
    },
  );

  it('applies limits visible from the cgroup and refuses to delete a running container without force', async () => {
    const { bundle, cleanup } = makeBundle(['sleep', '30'], (cfg) => {
      cfg.linux!.resources = { ...cfg.linux!.resources, memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 20 } };
    });
    const id = uniqueId('lim');
    try {
      const c = await Container.create({ id, bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
      await c.start();
      const limitFile = v1Controller('memory') ? 'memory.limit_in_bytes' : 'memory.max';
      expect(readFileSync(join(cgroupDir(id, 'memory'), limitFile), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
      expect(c.stats()).toMatchObject({ pids: 1, pidsLimit: 20, memoryLimitBytes: 64 * 1024 * 1024 });
      await expect(c.delete()).rejects.toThrow(ContainerError);
      await c.delete({ force: true });
      expect(leftoverCgroups(id)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('undoes everything when setup fails halfway (missing rootfs): no state, cgroup or process left', async () => {
    const { bundle, cleanup } = makeBundle(['true'], (cfg) => {
      cfg.root = { path: '/nonexistent-kc-rootfs' };
    });
    const id = uniqueId('undo');
    try {
      await expect(Container.create({ id, bundle, root, stdio: ['ignore', 'ignore', 'ignore'] })).rejects.toThrow(expect.objectContaining({ step: 'mounts' }));
      expect(existsSync(join(root, id))).toBe(false);
      expect(leftoverCgroups(id)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('rejects an invalid config before touching the kernel', async () => {
    const { bundle, cleanup } = makeBundle(['true'], (cfg) => {
      cfg.linux!.namespaces![0] = { type: 'bogus' as never };
    });
    const id = uniqueId('inv');
    try {
      await expect(Container.create({ id, bundle, root })).rejects.toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'linux.namespaces[0].type' }),
      );
      expect(existsSync(join(root, id))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('applies process.user.umask: the program starts with it and files it creates get it (seen from the host)', async () => {
    const hostTmp = tempDir('kc-umask-');
    const { bundle, cleanup } = makeBundle(['sh', '-c', 'grep ^Umask: /proc/self/status; touch /tmp/f; mkdir /tmp/d'], (cfg) => {
      cfg.process!.user.umask = 0o027;
      cfg.mounts!.push({ destination: '/tmp', source: hostTmp, type: 'bind', options: ['rbind', 'rw'] });
    });
    const id = uniqueId('umask');
    try {
      const c = await Container.create({ id, bundle, root, stdio: ['ignore', 'pipe', 'ignore'] });
      await c.start();
      const [out, exit] = await Promise.all([readAll(c.process!.stdout), c.wait()]);
      expect(exit.exitCode).toBe(0);
      expect(out).toMatch(/^Umask:\s+0027$/m);
      expect(statSync(join(hostTmp, 'f')).mode & 0o777).toBe(0o640);
      expect(statSync(join(hostTmp, 'd')).mode & 0o777).toBe(0o750);
      await c.delete();
    } finally {
      cleanup();
      rmSync(hostTmp, { recursive: true, force: true });
    }
  });

  it('with init, keeps kc-init as PID 1 that forwards signals to the program', async () => {
    const { bundle, cleanup } = makeBundle(['sh', '-c', 'trap "exit 42" TERM; echo ready; while true; do sleep 0.1; done']);
    const id = uniqueId('init');
    try {
      await using c = await Container.create({ id, bundle, root, init: true, stdio: ['ignore', 'pipe', 'ignore'] });
      await c.start();
      const it = c.process!.stdout![Symbol.asyncIterator]();
      expect(String((await it.next()).value)).toMatch(/ready/);
      expect(readlinkSync(`/proc/${c.pid}/exe`)).toMatch(/memfd:kc-init/);
      expect(c.kill('SIGTERM')).toBe(true);
      expect((await c.exited).exitCode).toBe(42);
    } finally {
      cleanup();
    }
  });
});
