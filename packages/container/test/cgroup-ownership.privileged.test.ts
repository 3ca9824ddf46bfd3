/**
 * Issue #13 finding 4: kc never signals or removes what it did not create.
 * `create` refuses a `linux.cgroupsPath` that already holds a host process
 * (in any hierarchy), before anything is made; the host process and its
 * group are left as they were. runc 1.1.5 on the same bundle is recorded
 * beside it (it only warns) and must leave the host process alive too. And a
 * delete that finds the group half gone finishes and leaves no record.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Container, ContainerError } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { kc, kcDetached, leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const stateRoot = tempDir('kc-owner-');
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

const CG = '/sys/fs/cgroup';
const v1 = (h: string) => existsSync(join(CG, h, 'cgroup.procs')) && !existsSync(join(CG, h, 'cgroup.controllers'));
const hasV1 = v1('pids') && v1('freezer') && v1('memory');
/** A unified host: one cgroup2 tree at /sys/fs/cgroup (its hierarchy is named '' below). */
const unifiedOnly = existsSync(join(CG, 'cgroup.controllers'));
/** The hierarchies to pre-populate: v1 pairs and single ones, the v2 tree of a hybrid host (kc places the container there too), or the one tree of a unified host. */
const OCCUPIED: string[][] = unifiedOnly
  ? [['']]
  : hasV1
    ? [['pids', 'freezer'], ['pids'], ...(existsSync(join(CG, 'unified', 'cgroup.procs')) ? [['unified']] : [])]
    : [];

const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};
const procsOf = (dir: string) => readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);

/** Resolves once `check()` holds (polled: the kernel gives no event for these), or false after `ms`. */
async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return check();
}

/** A host `sleep` placed in a new group `path` of the given hierarchies: what kc must never touch. */
function hostGroup(path: string, hierarchies: string[]): { pid: number; dirs: string[]; child: ChildProcess; remove: () => Promise<void> } {
  const dirs = hierarchies.map((h) => join(CG, h, path));
  for (const d of dirs) mkdirSync(d);
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const pid = child.pid as number;
  for (const d of dirs) writeFileSync(join(d, 'cgroup.procs'), String(pid));
  return {
    pid,
    dirs,
    child,
    remove: async () => {
      child.kill('SIGKILL');
      await until(() => dirs.every((d) => !existsSync(d) || procsOf(d).length === 0));
      // Whatever a runtime added below or beside it (runc makes the other hierarchies), then the group itself.
      for (const h of [...readdirSync(CG), '']) {
        const d = join(CG, h, path);
        if (existsSync(d)) rmdirSync(d);
      }
    },
  };
}

describe.runIf(probe.root && probe.busybox && probe.runc && OCCUPIED.length > 0)(
  'a linux.cgroupsPath that holds a host process (needs root, busybox-static, runc, cgroup v1 pids/freezer/memory or cgroup2)',
  () => {
    for (const hierarchies of OCCUPIED) {
      it(`kc create refuses it with EBUSY naming linux.cgroupsPath, touches nothing, and runc leaves the host process alive (group in ${hierarchies.join('+') || 'the cgroup2 tree'})`, async () => {
        const path = `/kc-test-${process.pid}-owner-${Math.random().toString(36).slice(2, 8)}`;
        const host = hostGroup(path, hierarchies);
        const { bundle, cleanup } = makeBundle(['sleep', '1000'], (c) => {
          c.linux!.cgroupsPath = path;
          c.linux!.resources = { ...c.linux!.resources, pids: { limit: 7 } };
        });
        const kcId = uniqueId('kc-own');
        const runcId = uniqueId('runc-own');
        try {
          // The SDK: a typed error before anything is made.
          const err = await Container.create({ id: kcId, bundle, root: `${stateRoot}/kc`, stdio: ['ignore', 'ignore', 'ignore'] }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(ContainerError);
          expect(err).toMatchObject({ code: 'EBUSY', field: 'linux.cgroupsPath' });
          expect((err as ContainerError).message).toContain("container's cgroup is not empty: 1 process(es)");
          expect((err as ContainerError).hint).toContain(String(host.pid));
          // The CLI: same refusal, no record left.
          const created = kc(['--root', `${stateRoot}/kc`, 'create', '--bundle', bundle, kcId]);
          expect(created.status).not.toBe(0);
          expect(created.stderr).toContain("container's cgroup is not empty");
          expect(kc(['--root', `${stateRoot}/kc`, 'state', kcId]).status).not.toBe(0);
          // The host's group is as it was: same directories, the sleep alone in them, no limit written, nothing made beside it.
          expect(alive(host.pid)).toBe(true);
          for (const d of host.dirs) expect(procsOf(d)).toEqual([host.pid]);
          if (hierarchies.includes('pids')) expect(readFileSync(join(CG, 'pids', path, 'pids.max'), 'utf8').trim()).toBe('max');
          for (const h of ['memory', 'devices', 'cpu,cpuacct', 'unified'].filter((x) => !hierarchies.includes(x)))
            expect(existsSync(join(CG, h, path)), h).toBe(false);

          // runc 1.1.5, the control on the same bundle: it looks only at the devices hierarchy (and would only warn), so it runs in the group; its delete -f must leave the host process alive.
          const errFile = join(stateRoot, `${runcId}.stderr`);
          const errFd = openSync(errFile, 'w'); // a file, not a pipe: the container holds it open
          const rc = spawnSync('runc', ['--root', `${stateRoot}/runc`, 'create', '--bundle', bundle, runcId], {
            stdio: ['ignore', 'ignore', errFd],
            timeout: 30_000,
          });
          closeSync(errFd);
          console.info(
            `runc create in a non-empty cgroup (${hierarchies.join('+')}): exit ${rc.status}; ${readFileSync(errFile, 'utf8').trim().split('\n').join(' | ')}`,
          );
          expect(rc.status).toBe(0);
          const rd = spawnSync('runc', ['--root', `${stateRoot}/runc`, 'delete', '--force', runcId], { encoding: 'utf8', timeout: 30_000 });
          console.info(`runc delete --force: exit ${rd.status}; ${rd.stderr.trim().split('\n').join(' | ')}`);
          expect(alive(host.pid)).toBe(true);
        } finally {
          spawnSync('runc', ['--root', `${stateRoot}/runc`, 'delete', '--force', runcId]);
          await host.remove();
          cleanup();
        }
        expect(host.dirs.some((d) => existsSync(d))).toBe(false);
      });
    }

    it.runIf(hasV1)('kc create reuses an existing empty group, and delete leaves the directories kc did not make (cgroup v1 pids and memory)', async () => {
      const path = `/kc-test-${process.pid}-empty-${Math.random().toString(36).slice(2, 8)}`;
      const pre = join(CG, 'pids', path);
      mkdirSync(pre);
      const { bundle, cleanup } = makeBundle(['sleep', '1000'], (c) => {
        c.linux!.cgroupsPath = path;
      });
      const id = uniqueId('kc-empty');
      try {
        expect(kcDetached(['--root', `${stateRoot}/kc`, 'run', '--detach', '--bundle', bundle, id])).toBe(0);
        const record = JSON.parse(readFileSync(join(stateRoot, 'kc', id, 'state.json'), 'utf8'));
        expect(record.cgroupCreated).not.toContain(pre);
        expect(record.cgroupCreated).toContain(join(CG, 'memory', path));
        const pid = record.pid as number;
        expect(procsOf(pre)).toContain(pid);
        expect(kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]).status).toBe(0);
        expect(await until(() => !alive(pid))).toBe(true);
        expect(existsSync(pre)).toBe(true); // not made by kc: left
        expect(existsSync(join(CG, 'memory', path))).toBe(false); // made by kc: removed
      } finally {
        kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]);
        for (const h of readdirSync(CG)) {
          const d = join(CG, h, path);
          if (existsSync(d)) rmdirSync(d);
        }
        cleanup();
      }
    });
  },
);

describe.runIf(probe.root && probe.busybox && hasV1)(
  'delete -f of a container whose cgroup lost hierarchies (needs root, busybox-static, v1 pids/freezer/memory)',
  () => {
    it('a running container whose pids and freezer directories were removed: delete -f exits 0, kills it, leaves no record and no cgroup; a retry exits 0', async () => {
      const { bundle, cleanup } = makeBundle(['sleep', '1000']);
      const id = uniqueId('kc-lost');
      try {
        expect(kcDetached(['--root', `${stateRoot}/kc`, 'run', '--detach', '--bundle', bundle, id])).toBe(0);
        const pid = JSON.parse(readFileSync(join(stateRoot, 'kc', id, 'state.json'), 'utf8')).pid as number;
        for (const h of ['pids', 'freezer']) {
          const dir = join(CG, h, 'kc', id);
          for (const p of procsOf(dir)) writeFileSync(join(CG, h, 'cgroup.procs'), String(p));
          rmdirSync(dir);
        }
        const del = kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]);
        expect(del.status, del.stderr).toBe(0);
        expect(await until(() => !alive(pid))).toBe(true);
        expect(existsSync(join(stateRoot, 'kc', id))).toBe(false);
        expect(leftoverCgroups(id)).toEqual([]);
        expect(kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]).status).toBe(0);
      } finally {
        kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]);
        cleanup();
      }
    });

    it('a delete interrupted after removing part of the group: delete -f finishes it (exit 0, no record, no cgroup), like runc', async () => {
      const { bundle, cleanup } = makeBundle(['sleep', '1000']);
      const id = uniqueId('kc-half');
      try {
        expect(kcDetached(['--root', `${stateRoot}/kc`, 'run', '--detach', '--bundle', bundle, id])).toBe(0);
        const pid = JSON.parse(readFileSync(join(stateRoot, 'kc', id, 'state.json'), 'utf8')).pid as number;
        // What a delete killed halfway did: the container killed, some hierarchies' directories removed, the record still there.
        process.kill(pid, 'SIGKILL');
        expect(await until(() => !alive(pid))).toBe(true);
        const dirs = leftoverCgroups(id);
        expect(await until(() => dirs.every((d) => procsOf(d).length === 0))).toBe(true);
        for (const d of dirs.slice(0, Math.ceil(dirs.length / 2))) rmdirSync(d);
        expect(kc(['--root', `${stateRoot}/kc`, 'state', id]).stdout).toContain('"stopped"');
        const del = kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]);
        expect(del.status, del.stderr).toBe(0);
        expect(existsSync(join(stateRoot, 'kc', id))).toBe(false);
        expect(leftoverCgroups(id)).toEqual([]);
        expect(kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]).status).toBe(0);
      } finally {
        kc(['--root', `${stateRoot}/kc`, 'delete', '--force', id]);
        cleanup();
      }
    });
  },
);
