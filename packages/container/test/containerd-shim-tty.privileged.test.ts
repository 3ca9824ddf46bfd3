/**
 * Terminals through kc's containerd shim (issue #17): `ctr run -t` and
 * `ctr task exec -t` get a pty made inside the container by kc-init and sent
 * to the shim's console socket; the shim copies containerd's fifos through
 * its master, and ResizePty sets its size. ctr itself wants a terminal, so
 * each ctr call runs under util-linux `script` (which gives it a pty of its
 * own). Checked from outside: what the process prints about its stdio, its
 * exit code, the size `stty` reads from the slave, and that nothing is left.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResizePtyRequestSchema } from '../src/shim/gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';
import { kcShimDaemons, startShimContainerd, stopShimContainerd, type TestContainerd } from './containerd-daemon.js';
import { waitUntil } from './crash-helpers.js';
import { probe, tempDir } from './helpers.js';
import { ttrpcConnect } from './ttrpc-client.js';

const dir = tempDir('kc-shim-tty-');
const ns = `kc-shim-tty-${process.pid}`;
const socketDir = join(dir, 's');
const kcRoot = join(dir, 'kc');
const fifo = join(dir, 'fifo');
const RUNTIME = ['--runtime', 'io.containerd.kc.v2', '--fifo-dir', fifo];
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
let cd: TestContainerd;

/** A shell word in single quotes. */
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
/** Runs ctr on a pty of its own (`script -qec`), with `input` typed into it; script passes ctr's exit code through. */
function ctrOnTty(args: readonly string[], input = '') {
  const cmd = ['ctr', '--address', cd.sock, '--namespace', ns, ...args].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: (r.stdout ?? '').replaceAll('\r', ''), err: r.stderr ?? '' };
}
/** The shim daemons serving `id`. */
const shimsOf = (id: string) => kcShimDaemons(socketDir, id);
/** The console sockets kc's shim made in its state dir (each is removed once kc-init connected). */
const consoleSockets = () => (isDir(join(kcRoot, ns)) ? readdirSync(join(kcRoot, ns)).filter((f) => f.startsWith('.pty-')) : []);

/** Ends a detached task with SIGKILL, deletes it and its container; its shim exits and no console socket is left. */
async function killAndRemove(id: string): Promise<void> {
  const [shim] = shimsOf(id);
  expect(cd.ctr(['task', 'kill', '-s', 'SIGKILL', id]).status).toBe(0);
  await waitUntil(
    () =>
      cd
        .ctr(['task', 'ls'])
        .stdout.split('\n')
        .some((l) => l.startsWith(id) && l.includes('STOPPED')),
    `${id} stopped`,
  );
  expect(cd.ctr(['task', 'delete', id]).status).toBe(0);
  expect(cd.ctr(['container', 'rm', id]).status).toBe(0);
  await waitUntil(() => !existsSync(`/proc/${shim}`), `the shim of ${id} has exited`);
  expect(consoleSockets()).toEqual([]);
}

describe.runIf(probe.root)('containerd-shim-kc-v2 gives tasks and execs a terminal (needs root)', () => {
  beforeAll(async () => {
    cd = await startShimContainerd(dir, ns);
  }, 120_000);

  afterAll(async () => {
    expect(await stopShimContainerd(cd, dir, ns)).toEqual([]);
  }, 60_000);

  it('run -t --rm: stdin, stdout and stderr are one pty inside, typed input arrives, output and exit code 4 come back', async () => {
    const id = `tty-run-${process.pid}`;
    const script = 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys; read line; echo "got:$line"; echo to-stderr >&2; exit 4';
    const r = ctrOnTty(['run', '-t', '--rm', ...RUNTIME, cd.image, id, 'sh', '-c', script], 'typed\n');
    expect(r.out, `${r.err}\n${cd.logTail()}`).toMatch(/\/dev\/pts\/\d+$/m);
    expect(r.out).toContain('all-ttys\n');
    expect(r.out).toContain('got:typed\n');
    // No stderr fifo with a terminal: the pty carries it with stdout.
    expect(r.out).toContain('to-stderr\n');
    expect(r.status).toBe(4);
    expect(cd.ctr(['task', 'ls', '-q']).stdout).not.toContain(id);
    // The shim exits once containerd has deleted its last task: wait for it rather than catch it on its way out.
    await waitUntil(() => shimsOf(id).length === 0, `the shim of ${id} has exited`);
    expect(consoleSockets()).toEqual([]);
  });

  it('task exec -t into a detached task gets its own pty (exit code 5), beside an exec without one', async () => {
    const id = `tty-exec-${process.pid}`;
    const run = cd.ctr(['run', '-d', ...RUNTIME, cd.image, id, 'sleep', '1000']);
    expect(run.status, run.stderr).toBe(0);
    const r = ctrOnTty(['task', 'exec', '-t', '--exec-id', 'e1', id, 'sh', '-c', 'tty; test -t 0 && test -t 1 && echo both-ttys; exit 5']);
    expect(r.out, `${r.err}\n${cd.logTail()}`).toMatch(/\/dev\/pts\/\d+$/m);
    expect(r.out).toContain('both-ttys\n');
    expect(r.status).toBe(5);
    // Without -t the same shim still hands the fifos to the process: no terminal there.
    const plain = cd.ctr(['task', 'exec', '--exec-id', 'e2', id, 'sh', '-c', 'test -t 1 || echo no-tty']);
    expect(plain.stdout).toBe('no-tty\n');
    // A resize of an exec: ctr sends its own terminal's size first (script's pty, set by stty), then ResizePty from outside.
    const ctrCmd = ['ctr', '--address', cd.sock, '--namespace', ns, 'task', 'exec', '-t', '--exec-id', 'r1', id, 'sleep', '777'].map(quote).join(' ');
    const bg = spawn('script', ['-qec', `stty rows 20 cols 30; ${ctrCmd}`, '/dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const bgExit = new Promise<number | null>((r) => bg.once('exit', r));
    // The exec's pty, read from a second exec: the one process whose command line has 777 (the pattern itself does not match).
    const execSize = () =>
      cd.ctr([
        'task',
        'exec',
        '--exec-id',
        `p${Date.now()}`,
        id,
        'sh',
        '-c',
        'p=$(grep -l "77[7]" /proc/[0-9]*/cmdline); stty -F "$(readlink "$(dirname "$p")/fd/0")" size',
      ]).stdout;
    try {
      await waitUntil(() => execSize() === '20 30\n', 'ctr set the exec’s pty to its own size (20x30)');
      const [socket] = readdirSync(socketDir);
      const client = await ttrpcConnect(join(socketDir, socket as string));
      try {
        const r = await client.call(
          1,
          'containerd.task.v2.Task',
          'ResizePty',
          ResizePtyRequestSchema,
          create(ResizePtyRequestSchema, { id, execId: 'r1', width: 77, height: 33 }),
        );
        expect(r.status).toBeUndefined();
      } finally {
        client.close();
      }
      expect(execSize()).toBe('33 77\n');
      expect(cd.ctr(['task', 'kill', '--exec-id', 'r1', '-s', 'SIGKILL', id]).status).toBe(0);
      expect(await bgExit).toBe(137);
    } finally {
      bg.kill('SIGKILL');
    }
    await killAndRemove(id);
  });

  it('ResizePty sets the size stty reads on the task’s pty (twice), and answers NotFound for an unknown task', async () => {
    const id = `tty-size-${process.pid}`;
    // ctr run -d -t leaves the task running on its pty after ctr returns.
    const run = ctrOnTty(['run', '-d', '-t', ...RUNTIME, cd.image, id, 'sleep', '1000']);
    expect(run.status, `${run.out}${run.err}\n${cd.logTail()}`).toBe(0);
    const [socket] = readdirSync(socketDir);
    const client = await ttrpcConnect(join(socketDir, socket as string));
    const size = () => cd.ctr(['task', 'exec', '--exec-id', `s${Date.now()}`, id, 'sh', '-c', 'stty -F "$(readlink /proc/1/fd/0)" size']);
    try {
      const task = 'containerd.task.v2.Task';
      const resized = await client.call(1, task, 'ResizePty', ResizePtyRequestSchema, create(ResizePtyRequestSchema, { id, width: 77, height: 33 }));
      expect(resized.status).toBeUndefined();
      expect(size().stdout).toBe('33 77\n');
      const again = await client.call(3, task, 'ResizePty', ResizePtyRequestSchema, create(ResizePtyRequestSchema, { id, width: 120, height: 9 }));
      expect(again.status).toBeUndefined();
      expect(size().stdout).toBe('9 120\n');
      const unknown = await client.call(
        5,
        task,
        'ResizePty',
        ResizePtyRequestSchema,
        create(ResizePtyRequestSchema, { id: 'no-such-task', width: 1, height: 1 }),
      );
      expect(unknown.status?.code).toBe(5); // NotFound
    } finally {
      client.close();
    }
    await killAndRemove(id);
    expect(isDir(join(kcRoot, ns, id))).toBe(false);
  });
});
