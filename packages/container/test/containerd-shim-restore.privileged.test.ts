/**
 * Create from a checkpoint through kc's containerd shim (issue #17): a
 * counting task is dumped by the shim's Checkpoint (exit + image_path, the
 * options containerd's client sends), then created again from those images
 * with CreateTaskRequest.checkpoint on the same bundle. The restored task
 * continues counting past the checkpointed value, containerd reports it
 * RUNNING, and ctr's kill/delete leave no process, cgroup or kc state.
 * ctr 1.6 offers no `run --checkpoint`, and its task checkpoint sends no
 * options to a non-runc runtime, so the shim is called over ttrpc as
 * containerd would call it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointOptionsSchema as LinuxRuncCheckpointOptionsSchema } from '../src/shim/gen/github.com/containerd/containerd/runtime/linux/runctypes/runc_pb.js';
import {
  CheckpointTaskRequestSchema,
  CreateTaskRequestSchema,
  DeleteRequestSchema,
  StartRequestSchema,
} from '../src/shim/gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';
import { startShimContainerd, stopShimContainerd, type TestContainerd } from './containerd-daemon.js';
import { waitUntil } from './crash-helpers.js';
import { probe, tempDir, UNIFIED_ROOT } from './helpers.js';
import { ttrpcConnect } from './ttrpc-client.js';

const dir = tempDir('kc-shim-restore-');
const ns = `kc-shim-restore-${process.pid}`;
const socketDir = join(dir, 's');
const kcRoot = join(dir, 'kc');
const fifo = join(dir, 'fifo');
const TASK = 'containerd.task.v2.Task';
let cd: TestContainerd;

const taskRow = (id: string) =>
  cd
    .ctr(['task', 'ls'])
    .stdout.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === id);
const taskStatus = (id: string) => taskRow(id)?.[2];
const taskPid = (id: string) => Number(taskRow(id)?.[1]);
/** The loop's last value; 0 while the file is missing or caught between `>` truncating it and echo writing. */
const count = (file: string) => {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
};
const gone = (pid: number) => {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
};
const taskCgroups = (id: string) =>
  (existsSync('/sys/fs/cgroup/freezer/cgroup.procs') ? ['/sys/fs/cgroup/freezer', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids'] : [UNIFIED_ROOT]).map((h) =>
    join(h, ns, id),
  );

describe.runIf(probe.root)('containerd-shim-kc-v2 creates a task from a checkpoint (needs root, CRIU)', () => {
  beforeAll(async () => {
    cd = await startShimContainerd(dir, ns);
  }, 120_000);

  afterAll(async () => {
    expect(await stopShimContainerd(cd, dir, ns)).toEqual([]);
  }, 60_000);

  it('a checkpointed counting task, created again from its images, counts on past the checkpoint; kill and delete leave nothing', async () => {
    const id = `rs-${process.pid}`;
    const data = join(dir, 'data');
    mkdirSync(data);
    const file = join(data, 'n');
    // The write redirects in a subshell: the shell's own fd 1 stays the stdout fifo, which kc records (unfrozen) before CRIU dumps it.
    const loop = 'i=0; while true; do i=$((i+1)); (echo $i > /data/n); sleep 0.05; done';
    const mount = `type=bind,src=${data},dst=/data,options=rbind:rw`;
    const run = cd.ctr(['run', '-d', '--runtime', 'io.containerd.kc.v2', '--fifo-dir', fifo, '--mount', mount, cd.image, id, 'sh', '-c', loop]);
    expect(run.status, run.stderr).toBe(0);
    const pid = taskPid(id);
    let before = 0;
    await waitUntil(() => {
      before = count(file);
      return before >= 3;
    }, `${id} counts`);

    const images = join(dir, 'images');
    const bundle = join(dir, 'state', 'io.containerd.runtime.v2.task', ns, id);
    const [socket] = readdirSync(socketDir);
    const client = await ttrpcConnect(join(socketDir, socket as string));
    let restoredPid = 0;
    let checkpointed = 0;
    try {
      const value = toBinary(LinuxRuncCheckpointOptionsSchema, create(LinuxRuncCheckpointOptionsSchema, { exit: true, imagePath: images }));
      const options = { typeUrl: LinuxRuncCheckpointOptionsSchema.typeName, value };
      const cp = await client.call(1, TASK, 'Checkpoint', CheckpointTaskRequestSchema, create(CheckpointTaskRequestSchema, { id, path: images, options }));
      expect(cp.status).toBeUndefined();
      await waitUntil(() => !existsSync(`/proc/${pid}`), `${id} stopped after the checkpoint`);
      // 0 when the dump caught the loop between truncating and writing: the restored loop then finishes that echo.
      checkpointed = count(file);
      // The shim lets go of the dumped task (its cgroup, state and rootfs mount), as containerd's delete would.
      const del = await client.call(3, TASK, 'Delete', DeleteRequestSchema, create(DeleteRequestSchema, { id }));
      expect(del.status).toBeUndefined();
      expect(existsSync(join(kcRoot, ns, id))).toBe(false);
      // The container's snapshot back at <bundle>/rootfs, as containerd mounts it before Create.
      const mounts = cd.ctr(['snapshots', 'mounts', join(bundle, 'rootfs'), id]);
      expect(mounts.status, mounts.stderr).toBe(0);
      const sh = spawnSync('sh', ['-c', mounts.stdout], { encoding: 'utf8' });
      expect(sh.status, sh.stderr).toBe(0);

      // New fifos for the new task, as containerd makes them (mode 0700; CRIU checks the reopened file's mode against the dump's).
      const out = join(dir, 'restored-stdout');
      const err = join(dir, 'restored-stderr');
      expect(spawnSync('mkfifo', ['-m', '700', out, err]).status).toBe(0);
      const created = await client.call(
        5,
        TASK,
        'Create',
        CreateTaskRequestSchema,
        create(CreateTaskRequestSchema, { id, bundle, checkpoint: images, stdout: out, stderr: err }),
      );
      expect(created.status, JSON.stringify(created.status)).toBeUndefined();
      const started = await client.call(7, TASK, 'Start', StartRequestSchema, create(StartRequestSchema, { id }));
      expect(started.status).toBeUndefined();
      restoredPid = taskPid(id);
    } finally {
      client.close();
    }
    expect(taskStatus(id)).toBe('RUNNING');
    expect(restoredPid).toBeGreaterThan(0);
    // The tree CRIU restored is the task: it sits in the task's cgroup and continues from its own counter.
    expect(readFileSync(`/proc/${restoredPid}/cgroup`, 'utf8')).toContain(`/${ns}/${id}`);
    // A fresh start would write 1 first (below `before`, >= 3); the restored loop goes on from its own counter.
    let next = 0;
    await waitUntil(() => {
      next = count(file);
      return next !== 0 && next !== checkpointed;
    }, `the restored ${id} writes again`);
    expect(next).toBeGreaterThanOrEqual(before);
    expect(next).toBeGreaterThan(checkpointed);
    await waitUntil(() => count(file) > checkpointed + 3, `the restored ${id} counts on past ${checkpointed}`);

    expect(cd.ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
    await waitUntil(() => taskStatus(id) === 'STOPPED', `${id} is stopped`);
    // Gone, or a zombie left to whoever reaps it: CRIU restores the tree detached, not as the shim's child.
    expect(gone(restoredPid)).toBe(true);
    const del = cd.ctr(['task', 'delete', id]);
    expect(del.status, del.stderr).toBe(0);
    // The restored init is not the shim's child: the exit it reports is the SIGKILL the shim sent (128 + 9).
    expect(del.stderr).toMatch(/exit code 137/);
    expect(cd.ctr(['container', 'rm', id]).status).toBe(0);
    expect(taskCgroups(id).filter(existsSync)).toEqual([]);
    expect(existsSync(join(kcRoot, ns, id))).toBe(false);
  }, 120_000);
});
