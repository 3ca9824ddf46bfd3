/**
 * containerd 1.6 runs kc through kc's own shim v2 (`ctr run --runtime
 * io.containerd.kc.v2`, bin/containerd-shim-kc-v2 found on containerd's
 * PATH), issue #17. The test starts its own containerd (own root, state,
 * socket; shim sockets and kc state under its temp dir) and checks every
 * task operation from outside: output, exit codes, /proc, the freezer files,
 * and, after a shim is SIGKILLed, that containerd's `delete` call to the shim
 * binary leaves no process, cgroup, mount, socket or kc state behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CheckpointOptionsSchema as LinuxRuncCheckpointOptionsSchema } from '../src/shim/gen/github.com/containerd/containerd/runtime/linux/runctypes/runc_pb.js';
import {
  CheckpointTaskRequestSchema,
  StateRequestSchema,
  StateResponseSchema,
  UpdateTaskRequestSchema,
} from '../src/shim/gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';
import { GrpcCode } from '../src/shim/ttrpc/status.js';
import { ttrpcConnect } from './ttrpc-client.js';
import { kcShimDaemons, startShimContainerd, stopShimContainerd, type TestContainerd } from './containerd-daemon.js';
import { waitUntil } from './crash-helpers.js';
import { probe, tempDir, UNIFIED_ROOT } from './helpers.js';

const dir = tempDir('kc-shim-');
const ns = `kc-shim-${process.pid}`;
const socketDir = join(dir, 's');
const kcRoot = join(dir, 'kc');
const fifo = join(dir, 'fifo');
const RUNTIME = ['--runtime', 'io.containerd.kc.v2', '--fifo-dir', fifo];
const v1Freezer = existsSync('/sys/fs/cgroup/freezer/cgroup.procs');
/** A cgroup v2 only host (cgroup2 mounted at /sys/fs/cgroup itself). */
const unifiedHost = existsSync('/sys/fs/cgroup/cgroup.controllers');
let cd: TestContainerd;

const taskRow = (id: string) =>
  cd
    .ctr(['task', 'ls'])
    .stdout.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[0] === id);
const taskStatus = (id: string) => taskRow(id)?.[2];
const taskPid = (id: string) => Number(taskRow(id)?.[1]);
/** The shim daemons serving `id`. */
const shimsOf = (id: string) => kcShimDaemons(socketDir, id);
function frozen(id: string): boolean {
  if (v1Freezer) return readFileSync(join('/sys/fs/cgroup/freezer', ns, id, 'freezer.state'), 'utf8').trim() === 'FROZEN';
  return /^frozen 1$/m.test(readFileSync(join(UNIFIED_ROOT, ns, id, 'cgroup.events'), 'utf8'));
}
const taskCgroups = (id: string) =>
  (v1Freezer ? ['/sys/fs/cgroup/freezer', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids'] : [UNIFIED_ROOT]).map((h) => join(h, ns, id));
/** The task's memory limit file: cgroup v1's memory controller, or memory.max in cgroup2. */
const memoryLimitFile = (id: string) =>
  existsSync('/sys/fs/cgroup/memory/cgroup.procs') ? join('/sys/fs/cgroup/memory', ns, id, 'memory.limit_in_bytes') : join(UNIFIED_ROOT, ns, id, 'memory.max');
const mountedUnder = (p: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4]?.startsWith(p));

describe.runIf(probe.root)('containerd runs kc through containerd-shim-kc-v2 (needs root)', () => {
  beforeAll(async () => {
    cd = await startShimContainerd(dir, ns);
  }, 120_000);

  afterAll(async () => {
    expect(await stopShimContainerd(cd, dir, ns)).toEqual([]);
  }, 60_000);

  it('run --rm feeds stdin (EOF included), prints stdout and stderr, and passes exit codes 0 and 3 through', async () => {
    const id = `rm-${process.pid}`;
    const zero = cd.ctr(['run', '--rm', ...RUNTIME, cd.image, `${id}-0`, '/bin/sh', '-c', 'echo ok']);
    expect(zero.stderr).toBe('');
    expect(zero.stdout).toBe('ok\n');
    expect(zero.status).toBe(0);
    const three = cd.ctr(['run', '--rm', ...RUNTIME, cd.image, `${id}-3`, '/bin/sh', '-c', 'echo hi; echo err >&2; exit 3']);
    expect(three.stdout).toBe('hi\n');
    expect(three.stderr).toBe('err\n');
    expect(three.status).toBe(3);
    // stdin through the fifo, with EOF when ctr's input ends.
    const cat = spawnSync('ctr', ['--address', cd.sock, '--namespace', ns, 'run', '--rm', ...RUNTIME, cd.image, `${id}-cat`, 'sh', '-c', 'cat; echo done'], {
      input: 'from stdin\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cat.stdout).toBe('from stdin\ndone\n');
    expect(cat.status, cat.stderr).toBe(0);
    for (const suffix of ['0', '3', 'cat']) expect(taskStatus(`${id}-${suffix}`)).toBeUndefined();
    expect(cd.ctr(['container', 'ls', '-q']).stdout).not.toContain(id);
    // Each shim exits after its task was deleted (asynchronously, after ctr returned) and takes its socket with it.
    await waitUntil(() => readdirSync(socketDir).length === 0, 'every shim has exited and removed its socket');
  });

  it('run --rm of a task killed with SIGKILL from outside exits 137', async () => {
    const id = `rm137-${process.pid}`;
    // ctr stays attached (Wait over the shim) while another ctr kills the task; SIGKILL from inside would not do: pid 1 ignores it.
    const run = spawn('ctr', ['--address', cd.sock, '--namespace', ns, 'run', '--rm', ...RUNTIME, cd.image, id, 'sleep', '1000'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => run.once('exit', (code) => r(code)));
    await waitUntil(() => taskStatus(id) === 'RUNNING', `${id} runs`, 30_000);
    expect(cd.ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
    expect(await exited).toBe(137);
    expect(taskStatus(id)).toBeUndefined();
  }, 60_000);

  it('a task over its memory limit is OOM-killed: run --rm exits 137 and containerd gets /tasks/oom', async () => {
    const id = `oom-${process.pid}`;
    const events = spawn('ctr', ['--address', cd.sock, 'events'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    events.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    try {
      // The string doubles until the 32 MiB limit stops it (no swap on these hosts, so the OOM killer acts).
      const args = ['run', '--rm', ...RUNTIME, '--memory-limit', String(32 << 20), cd.image, id, 'sh', '-c', 'x=0123456789abcdef; while true; do x=$x$x; done'];
      const r = cd.ctr(args);
      expect(r.status, r.stderr).toBe(137);
      await waitUntil(() => seen.split('\n').some((l) => l.includes(' /tasks/oom ') && l.includes(id)), `containerd received /tasks/oom for ${id}`);
    } finally {
      events.kill();
    }
  }, 60_000);

  it('a detached task takes exec, ps, pause/resume, metrics and kill (137), and delete leaves nothing', async () => {
    const id = `d-${process.pid}`;
    // The shim publishes through `containerd publish`; ctr events shows what containerd received.
    const events = spawn('ctr', ['--address', cd.sock, 'events'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let seen = '';
    events.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
    });
    await waitUntil(() => cd.ctr(['version']).status === 0, 'ctr answers');
    const run = cd.ctr(['run', '-d', ...RUNTIME, cd.image, id, 'sleep', '1000']);
    expect(run.status, run.stderr).toBe(0);
    expect(taskStatus(id)).toBe('RUNNING');
    const pid = taskPid(id);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\x001000\x00');
    const [shim] = shimsOf(id);
    expect(shim).toBeGreaterThan(0);

    const exec = cd.ctr(['task', 'exec', '--exec-id', 'e1', '--fifo-dir', fifo, id, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; exit 4']);
    expect(exec.stdout).toBe('sleep 1000 \n');
    expect(exec.status, exec.stderr).toBe(4);

    const ps = cd.ctr(['task', 'ps', id]);
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toContain(String(pid));

    expect(cd.ctr(['task', 'pause', id]).status).toBe(0);
    expect(taskStatus(id)).toBe('PAUSED');
    expect(frozen(id)).toBe(true);
    expect(cd.ctr(['task', 'resume', id]).status).toBe(0);
    expect(taskStatus(id)).toBe('RUNNING');
    expect(frozen(id)).toBe(false);

    const metrics = cd.ctr(['task', 'metrics', id]);
    expect(metrics.status, metrics.stderr).toBe(0);
    expect(metrics.stdout).toMatch(/^pids\.current\s+1\s*$/m);
    // On a unified host the task's group is v2 only: the shim answers io.containerd.cgroups.v2.Metrics, which ctr prints as its v2 table.
    if (unifiedHost) {
      expect(metrics.stdout).toMatch(/^cpu\.user_usec\s+\d+\s*$/m);
      expect(metrics.stdout).toMatch(/^cpu\.system_usec\s+\d+\s*$/m);
      expect(metrics.stdout).toMatch(/^memory\.usage\s+[1-9]\d*\s*$/m);
      const limit = readFileSync(memoryLimitFile(id), 'utf8').trim();
      expect(metrics.stdout).toMatch(new RegExp(`^memory\\.usage_limit\\s+${limit === 'max' ? '18446744073709551615' : limit}\\s*$`, 'm'));
    } else expect(metrics.stdout).not.toMatch(/^cpu\.user_usec/m);

    expect(cd.ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
    await waitUntil(() => taskStatus(id) === 'STOPPED', `${id} is stopped`);
    const del = cd.ctr(['task', 'delete', id]);
    expect(del.status, del.stderr).toBe(0);
    expect(del.stderr).toMatch(/exit code 137/);
    expect(cd.ctr(['container', 'rm', id]).status).toBe(0);

    expect(existsSync(`/proc/${pid}`)).toBe(false);
    const topics = [
      '/tasks/create',
      '/tasks/start',
      '/tasks/exec-added',
      '/tasks/exec-started',
      '/tasks/paused',
      '/tasks/resumed',
      '/tasks/exit',
      '/tasks/delete',
    ];
    const ofTask = () => seen.split('\n').filter((l) => l.includes(`"${id}"`) || l.includes(id));
    await waitUntil(() => topics.every((t) => ofTask().some((l) => l.includes(` ${t} `))), `containerd received the task events of ${id}`);
    events.kill();
    // In order: create, start, exec-added, exec-started (the exec's exit), paused, resumed, the init's exit, delete.
    const order = ofTask()
      .map((l) => topics.find((t) => l.includes(` ${t} `)))
      .filter(Boolean);
    expect(order).toEqual([
      '/tasks/create',
      '/tasks/start',
      '/tasks/exec-added',
      '/tasks/exec-started',
      '/tasks/exit',
      '/tasks/paused',
      '/tasks/resumed',
      '/tasks/exit',
      '/tasks/delete',
    ]);
    await waitUntil(() => shimsOf(id).length === 0, `the shim of ${id} has exited`);
    expect(taskCgroups(id).filter(existsSync)).toEqual([]);
    expect(existsSync(join(kcRoot, ns, id))).toBe(false);
  }, 60_000);

  it('the containers of one pod (io.kubernetes.cri.sandbox-id) share one shim process', async () => {
    const pod = `pod-${process.pid}`;
    const member = `member-${process.pid}`;
    expect(cd.ctr(['run', '-d', ...RUNTIME, cd.image, pod, 'sleep', '1000']).status).toBe(0);
    const run = cd.ctr(['run', '-d', ...RUNTIME, '--annotation', `io.kubernetes.cri.sandbox-id=${pod}`, cd.image, member, 'sleep', '1001']);
    expect(run.status, run.stderr).toBe(0);
    const [shim] = shimsOf(pod);
    expect(shim).toBeGreaterThan(0);
    expect(shimsOf(member)).toEqual([]);
    // Both tasks are children of the one shim (kc spawns each container from the shim's Node process).
    const ppid = (pid: number) => Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    expect(ppid(taskPid(pod))).toBe(shim);
    expect(ppid(taskPid(member))).toBe(shim);
    expect(readdirSync(socketDir)).toHaveLength(1);
    // Deleting one task leaves the shim serving the other; the last one's delete ends it.
    for (const id of [member, pod]) {
      expect(cd.ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
      await waitUntil(() => taskStatus(id) === 'STOPPED', `${id} is stopped`);
      expect(cd.ctr(['task', 'delete', id]).status).toBe(0);
      expect(cd.ctr(['container', 'rm', id]).status).toBe(0);
      if (id === member) expect(existsSync(`/proc/${shim}`)).toBe(true);
    }
    await waitUntil(() => !existsSync(`/proc/${shim}`), 'the shared shim has exited');
    expect(readdirSync(socketDir)).toEqual([]);
  }, 60_000);

  it('the shim answers malformed frames and unknown methods with ttrpc errors, applies Update, and keeps serving', async () => {
    const id = `bad-${process.pid}`;
    const run = cd.ctr(['run', '-d', ...RUNTIME, cd.image, id, 'sleep', '1000']);
    expect(run.status, run.stderr).toBe(0);
    const [socket] = readdirSync(socketDir);
    const client = await ttrpcConnect(join(socketDir, socket as string));
    try {
      const task = 'containerd.task.v2.Task';
      const unknown = await client.call(1, task, 'Frobnicate', StateRequestSchema, create(StateRequestSchema, { id }));
      expect(unknown.status).toMatchObject({ code: GrpcCode.Unimplemented, message: 'method Frobnicate' });
      const service = await client.call(3, 'containerd.task.v9.Task', 'State', StateRequestSchema, create(StateRequestSchema, { id }));
      expect(service.status?.code).toBe(GrpcCode.Unimplemented);
      client.raw(Buffer.from([0, 0, 0, 3, 0, 0, 0, 5, 1, 0, 0x0a, 0x7f, 0x01])); // a Request cut short
      expect((await client.response(5)).status?.code).toBe(GrpcCode.InvalidArgument);
      client.raw(Buffer.from([0, 0, 0, 0, 0, 0, 0, 6, 1, 0])); // an even stream id
      expect((await client.response(6)).status?.code).toBe(GrpcCode.InvalidArgument);
      const missing = await client.call(7, task, 'State', StateRequestSchema, create(StateRequestSchema, { id: 'no-such-task' }));
      expect(missing.status?.code).toBe(GrpcCode.NotFound);
      const checkpoint = await client.call(
        9,
        task,
        'Checkpoint',
        CheckpointTaskRequestSchema,
        create(CheckpointTaskRequestSchema, { id, path: join(dir, 'cp'), options: { typeUrl: 'containerd.runc.v9.Unknown', value: Buffer.alloc(0) } }),
      );
      // Options of a type kc does not know: refused before CRIU runs.
      expect(checkpoint.status?.code).toBe(GrpcCode.InvalidArgument);
      expect(existsSync(join(dir, 'cp'))).toBe(false);

      // Update: the LinuxResources JSON containerd sends, applied to the task's cgroup.
      const limit = 48 << 20;
      const resources = {
        typeUrl: 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources',
        value: Buffer.from(JSON.stringify({ memory: { limit } })),
      };
      const update = await client.call(11, task, 'Update', UpdateTaskRequestSchema, create(UpdateTaskRequestSchema, { id, resources }));
      expect(update.status).toBeUndefined();
      expect(Number(readFileSync(memoryLimitFile(id), 'utf8').trim())).toBe(limit);

      // Still serving: containerd's own calls on its own connection, and this connection.
      const state = await client.call(13, task, 'State', StateRequestSchema, create(StateRequestSchema, { id }));
      expect(fromBinary(StateResponseSchema, state.payload).pid).toBe(taskPid(id));
      expect(taskStatus(id)).toBe('RUNNING');
    } finally {
      client.close();
    }
    expect(cd.ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
    await waitUntil(() => taskStatus(id) === 'STOPPED', `${id} is stopped`);
    expect(cd.ctr(['task', 'delete', id]).status).toBe(0);
    expect(cd.ctr(['container', 'rm', id]).status).toBe(0);
  }, 60_000);

  it('checkpoint: ctr task checkpoint stores CRIU images as a checkpoint image, the task runs on; exit + image_path stop it', async () => {
    const id = `cp-${process.pid}`;
    const run = cd.ctr(['run', '-d', ...RUNTIME, cd.image, id, 'sleep', '1000']);
    expect(run.status, run.stderr).toBe(0);
    const pid = taskPid(id);
    // ctr pauses the task, the shim dumps it into containerd's directory, containerd makes an image of it, ctr resumes it.
    const cp = cd.ctr(['task', 'checkpoint', id]);
    expect(cp.status, cp.stderr).toBe(0);
    const ref = cp.stdout.trim();
    expect(ref).toMatch(/checkpoint/);
    expect(cd.ctr(['images', 'ls', '-q']).stdout.split('\n')).toContain(ref);
    // The image's index names the CRIU image tarball containerd made from what the shim dumped.
    const digest = cd
      .ctr(['images', 'ls'])
      .stdout.split('\n')
      .find((l) => l.startsWith(`${ref} `))
      ?.match(/sha256:[0-9a-f]{64}/)?.[0];
    expect(digest).toBeDefined();
    expect(cd.ctr(['content', 'get', digest as string]).stdout).toContain('application/vnd.containerd.container.criu.checkpoint.criu.tar');
    expect(taskStatus(id)).toBe('RUNNING');
    expect(taskPid(id)).toBe(pid);
    expect(frozen(id)).toBe(false);

    // ctr sends checkpoint options only to runc runtimes: the options containerd's client would send, over ttrpc.
    const images = join(dir, `images-${id}`);
    const [socket] = readdirSync(socketDir);
    const client = await ttrpcConnect(join(socketDir, socket as string));
    try {
      const value = toBinary(LinuxRuncCheckpointOptionsSchema, create(LinuxRuncCheckpointOptionsSchema, { exit: true, imagePath: images }));
      const options = { typeUrl: LinuxRuncCheckpointOptionsSchema.typeName, value };
      const res = await client.call(
        1,
        'containerd.task.v2.Task',
        'Checkpoint',
        CheckpointTaskRequestSchema,
        create(CheckpointTaskRequestSchema, { id, path: join(dir, 'unused'), options }),
      );
      expect(res.status).toBeUndefined();
    } finally {
      client.close();
    }
    expect(readdirSync(images)).toEqual(expect.arrayContaining(['inventory.img', 'pstree.img', expect.stringMatching(/^core-\d+\.img$/)]));
    expect(existsSync(join(dir, 'unused'))).toBe(false);
    await waitUntil(() => !existsSync(`/proc/${pid}`), `${id} stopped after the checkpoint`);
    await waitUntil(() => taskStatus(id) === 'STOPPED', `containerd sees ${id} stopped`);
    expect(cd.ctr(['task', 'delete', id]).status).toBe(0);
    expect(cd.ctr(['container', 'rm', id]).status).toBe(0);
    expect(cd.ctr(['images', 'rm', ref]).status).toBe(0);
  }, 90_000);

  it('a SIGKILLed shim: containerd runs its delete, which kills the task and removes its cgroup, mount, socket and state', async () => {
    const id = `crash-${process.pid}`;
    const run = cd.ctr(['run', '-d', ...RUNTIME, cd.image, id, 'sleep', '1000']);
    expect(run.status, run.stderr).toBe(0);
    const pid = taskPid(id);
    const [shim] = shimsOf(id);
    expect(shim).toBeGreaterThan(0);
    expect(existsSync(join(kcRoot, ns, id))).toBe(true);
    const bundles = join(dir, 'state', 'io.containerd.runtime.v2.task', ns, id);
    expect(mountedUnder(join(bundles, 'rootfs'))).toBe(true);

    process.kill(shim as number, 'SIGKILL');
    try {
      await waitUntil(() => !existsSync(`/proc/${pid}`), `the task ${id} (pid ${pid}) is gone`, 60_000);
      await waitUntil(() => taskStatus(id) === undefined, `containerd dropped the task ${id}`, 30_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}; containerd's log ends:\n${cd.logTail()}`);
    }
    expect(taskCgroups(id).filter(existsSync)).toEqual([]);
    expect(existsSync(join(kcRoot, ns, id))).toBe(false);
    expect(mountedUnder(bundles)).toBe(false);
    expect(readdirSync(socketDir)).toEqual([]);
    expect(cd.ctr(['container', 'rm', id]).status).toBe(0);
  }, 120_000);
});
