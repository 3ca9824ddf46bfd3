import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kc, kcDetached, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-cli-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.runIf(probe.root && probe.busybox)('the kc CLI (needs root and busybox-static)', () => {
  it('kc run --rootfs applies --memory, --cpus and --pids, and returns the exit code', () => {
    const { bundle, cleanup } = makeBundle(['true']);
    try {
      const r = kc([
        '--root',
        root,
        'run',
        '--rootfs',
        join(bundle, 'rootfs'),
        '--memory',
        '256M',
        '--cpus',
        '0.5',
        '--pids',
        '64',
        '--',
        'sh',
        '-c',
        // v1 files on a hybrid host; on a unified one the v2 files at the cgroup namespace root (cpu.max is "quota period").
        'if [ -e /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max; cut -d" " -f1 /sys/fs/cgroup/cpu.max; cat /sys/fs/cgroup/pids.max; ' +
          'else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max; fi; exit 3',
      ]);
      expect(r.stdout.split('\n').slice(0, 3)).toEqual(['268435456', '50000', '64']);
      expect(r.status, r.stderr).toBe(3);
      expect(kc(['--root', root, 'list', '--format', 'json']).stdout.trim()).toBe('[]');
    } finally {
      cleanup();
    }
  });

  it('create, state, start, ps, events --stats, pause, resume, kill and delete work as separate invocations', async () => {
    const { bundle, cleanup } = makeBundle(['sleep', '30']);
    const id = uniqueId('cli');
    const pidFile = join(bundle, 'pid');
    try {
      expect(kcDetached(['--root', root, 'create', '--bundle', bundle, '--pid-file', pidFile, id])).toBe(0);
      const state = JSON.parse(kc(['--root', root, 'state', id]).stdout);
      expect(state).toMatchObject({ ociVersion: '1.0.2', id, status: 'created', bundle });
      expect(String(state.pid)).toBe(readFileSync(pidFile, 'utf8'));
      expect(kc(['--root', root, 'start', id]).status).toBe(0);
      expect(JSON.parse(kc(['--root', root, 'state', id]).stdout).status).toBe('running');
      expect(JSON.parse(kc(['--root', root, 'ps', '--format', 'json', id]).stdout)).toEqual([state.pid]);
      const stats = JSON.parse(kc(['--root', root, 'events', '--stats', id]).stdout);
      expect(stats).toMatchObject({ type: 'stats', id, data: { pids: 1 } });
      expect(kc(['--root', root, 'pause', id]).status).toBe(0);
      expect(JSON.parse(kc(['--root', root, 'state', id]).stdout).status).toBe('paused');
      expect(kc(['--root', root, 'resume', id]).status).toBe(0);
      const refused = kc(['--root', root, 'delete', id]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/it is running/);
      expect(kc(['--root', root, 'kill', id, 'KILL']).status).toBe(0);
      for (let i = 0; i < 500 && existsSync(`/proc/${state.pid}/stat`) && !/\) Z /.test(readFileSync(`/proc/${state.pid}/stat`, 'utf8')); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(JSON.parse(kc(['--root', root, 'state', id]).stdout)).toMatchObject({ status: 'stopped', pid: 0 });
      // Container.kill returns false for a stopped container; the CLI keeps runc's answer: an error, exit 1.
      const again = kc(['--root', root, 'kill', id, 'KILL']);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/it is stopped/);
      expect(kc(['--root', root, 'delete', id]).status).toBe(0);
      expect(leftoverCgroups(id)).toEqual([]);
      expect(kc(['--root', root, 'state', id]).stderr).toMatch(/does not exist/);
    } finally {
      kc(['--root', root, 'delete', '--force', id]);
      cleanup();
    }
  });

  it('exec --process runs a process.json in a running container', () => {
    const { bundle, cleanup } = makeBundle(['sleep', '30']);
    const id = uniqueId('exec');
    try {
      expect(kcDetached(['--root', root, 'run', '--detach', '--bundle', bundle, id])).toBe(0);
      const proc = join(bundle, 'process.json');
      writeFileSync(proc, JSON.stringify({ args: ['sh', '-c', 'hostname; exit 4'], cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin'] }));
      const r = kc(['--root', root, 'exec', '--process', proc, id]);
      expect(r.stdout.trim()).toBe('kc');
      expect(r.status).toBe(4);
      expect(kc(['--root', root, 'exec', id, 'sh', '-c', 'echo $((6*7))']).stdout.trim()).toBe('42');
    } finally {
      expect(kc(['--root', root, 'delete', '--force', id]).status).toBe(0);
      cleanup();
    }
    expect(leftoverCgroups(id)).toEqual([]);
  });

  it('spec writes a valid default config, features describes the runtime, bad input is explained', () => {
    const dir = tempDir('kc-spec-');
    try {
      expect(kc(['spec', '--bundle', dir]).status).toBe(0);
      const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      expect(cfg.process.noNewPrivileges).toBe(true);
      expect(kc(['spec', '--bundle', dir]).stderr).toMatch(/exists/);
      const features = JSON.parse(kc(['features']).stdout);
      expect(features.linux.namespaces).toContain('cgroup');
      expect(features.linux.cgroup.systemd).toBe(true);
      // Accepted as a global flag (it matters to create, run and restore): state of an unknown id fails on the id alone.
      expect(kc(['--systemd-cgroup', 'state', 'x']).stderr).toMatch(/container "x" does not exist/);
      cfg.linux.namespaces[1].type = 'nett';
      writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
      const log = join(dir, 'log.json');
      const bad = kc(['--root', root, '--log', log, '--log-format', 'json', 'create', '--bundle', dir, uniqueId('bad')]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/linux\.namespaces\[1\]\.type: unknown namespace type "nett"/);
      expect(JSON.parse(readFileSync(log, 'utf8').trim().split('\n').at(-1) as string)).toMatchObject({ level: 'error', msg: expect.stringMatching(/nett/) });
      expect(existsSync(join(root, 'bad'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
