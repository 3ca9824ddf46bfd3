import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromBinary } from '@bufbuild/protobuf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeleteResponseSchema } from './gen/github.com/containerd/containerd/runtime/v2/task/shim_pb.js';

// bin/containerd-shim-kc-v2, the shell launcher containerd runs, with a PATH of the tools it uses and a
// `node` that only records its arguments (in node-calls), writes $FAKE_READY to fd 3 (a daemon's readiness) and
// exits 99: what the launcher answers itself never reaches it.
const launcher = fileURLToPath(new URL('../../bin/containerd-shim-kc-v2', import.meta.url));
const tools = ['sed', 'awk', 'mountpoint', 'setsid', 'date', 'readlink'];
const NODE_RAN = 99;

let dir: string;
let server: Server | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kc-shim-launcher-'));
  mkdirSync(join(dir, 'bin'));
  for (const t of tools) symlinkSync(spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim(), join(dir, 'bin', t));
  const node = join(dir, 'bin', 'node');
  writeFileSync(node, `#!/bin/sh\necho "$*" >>'${dir}/node-calls'\n[ -z "$FAKE_READY" ] || printf %s "$FAKE_READY" >&3\nexit ${NODE_RAN}\n`);
  chmodSync(node, 0o755);
});

/** The argument lines the fake node was run with. */
const nodeCalls = () => (existsSync(join(dir, 'node-calls')) ? readFileSync(join(dir, 'node-calls'), 'utf8').split('\n').filter(Boolean) : []);
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the launcher in `cwd` with containerd's flags for task `id`, then `action`. */
function launch(cwd: string, id: string, action: string, extra: string[] = [], ready = '') {
  const args = ['-namespace', 'k8s.io', '-address', '/run/c.sock', '-publish-binary', '/usr/bin/containerd', '-id', id, ...extra, action];
  return spawnSync(launcher, args, { cwd, env: { PATH: join(dir, 'bin'), KC_SHIM_ROOT: join(dir, 'kc'), FAKE_READY: ready }, encoding: 'buffer' });
}

/** A bundle directory `<dir>/<id>`, with a config.json naming `sandbox` as its pod's when given. */
function bundle(id: string, sandbox?: string): string {
  const b = join(dir, id);
  mkdirSync(b);
  const annotations = sandbox ? { 'io.kubernetes.cri.sandbox-id': sandbox } : {};
  writeFileSync(join(b, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', process: { args: ['true'] }, annotations }));
  return b;
}

/** A process (this one) listening on `path`. */
async function listen(path: string): Promise<void> {
  const s = createServer((c) => c.destroy());
  await new Promise<void>((r) => s.listen(path, r));
  server = s;
}

describe('shim launcher (bin/containerd-shim-kc-v2)', () => {
  it('start of a pod member whose sandbox shim listens: prints and records the sandbox bundle’s address', async () => {
    const pod = bundle('pod1');
    const socket = join(dir, 'pod1.sock');
    await listen(socket);
    writeFileSync(join(pod, 'address'), `unix://${socket}`);
    writeFileSync(join(pod, 'kc-shim-address'), `unix://${socket}`);
    const member = bundle('c1', 'pod1');
    const r = launch(member, 'c1', 'start');
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(`unix://${socket}`);
    expect(readFileSync(join(member, 'address'), 'utf8')).toBe(`unix://${socket}`);
    expect(readFileSync(join(member, 'kc-shim-address'), 'utf8')).toBe(`unix://${socket}`);
    expect(nodeCalls()).toEqual([]);
  });

  it('start never joins a sandbox served by another shim (runc’s: an address, no kc-shim-address), however live', async () => {
    const pod = bundle('runcpod');
    const socket = join(dir, 'runc.sock');
    await listen(socket);
    writeFileSync(join(pod, 'address'), `unix://${socket}`);
    const own = `unix://${join(dir, 'own.sock')}`;
    const r = launch(bundle('c5', 'runcpod'), 'c5', 'start', [], `ok ${own}`);
    expect(r.stdout.toString()).toBe(own);
    expect(nodeCalls()).toHaveLength(1);
    // Nor a sandbox id that is a path: `.` would name the namespace's own directory (`../.`), here holding a live address.
    writeFileSync(join(dir, 'kc-shim-address'), `unix://${socket}`);
    const up = launch(bundle('c6', '.'), 'c6', 'start', [], `ok ${own}`);
    expect(up.stdout.toString()).toBe(own);
    expect(nodeCalls()).toHaveLength(2);
  });

  it('start where no shim listens on the sandbox’s socket, or without a sandbox, starts the daemon (serve) and prints the address it reports', async () => {
    const pod = bundle('pod2');
    writeFileSync(join(pod, 'kc-shim-address'), `unix://${join(dir, 'pod2.sock')}`);
    writeFileSync(join(dir, 'pod2.sock'), ''); // left behind by a dead shim: nobody listens
    for (const [id, sandbox] of [
      ['c2', 'pod2'],
      ['c3', undefined],
    ] as const) {
      const address = `unix://${join(dir, `${id}.sock`)}`;
      const r = launch(bundle(id, sandbox), id, 'start', ['-debug'], `ok ${address}`);
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toBe(address);
      expect(readFileSync(join(dir, id, 'address'), 'utf8')).toBe(address);
      expect(readFileSync(join(dir, id, 'kc-shim-address'), 'utf8')).toBe(address);
    }
    // containerd's flags as given, with `serve` for `start`.
    expect(nodeCalls().map((l) => l.split(' ').slice(1).join(' '))).toEqual(
      ['c2', 'c3'].map((id) => `-namespace k8s.io -address /run/c.sock -publish-binary /usr/bin/containerd -id ${id} -debug serve`),
    );
  });

  it('start whose daemon fails says why on stderr and exits 1, recording no address', () => {
    const b = bundle('c4');
    const r = launch(b, 'c4', 'start', [], 'listen EACCES: permission denied');
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toBe('containerd-shim-kc-v2 start: the shim daemon did not start: listen EACCES: permission denied\n');
    expect(existsSync(join(b, 'address'))).toBe(false);
    const silent = launch(b, 'c4', 'start');
    expect(silent.stderr.toString()).toMatch(/did not start: it exited\n$/);
  });

  it('delete with nothing left to clean up prints the DeleteResponse of a dead shim’s task: 137, now', () => {
    const b = bundle('gone');
    const before = Math.floor(Date.now() / 1000);
    const r = launch(b, 'gone', 'delete', ['-bundle', b]);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    const response = fromBinary(DeleteResponseSchema, new Uint8Array(r.stdout));
    expect(response.pid).toBe(0);
    expect(response.exitStatus).toBe(137);
    expect(Number(response.exitedAt?.seconds)).toBeGreaterThanOrEqual(before);
    expect(Number(response.exitedAt?.seconds)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(nodeCalls()).toEqual([]);
  });

  it('delete leaves to the Node shim a task with a kc state record, or a socket nobody listens on', async () => {
    const b = bundle('held');
    mkdirSync(join(dir, 'kc', 'k8s.io', 'held'), { recursive: true });
    expect(launch(b, 'held', 'delete', ['-bundle', b]).status).toBe(NODE_RAN);

    const s = bundle('stale');
    const socket = join(dir, 'stale.sock');
    await listen(socket);
    writeFileSync(join(s, 'address'), `unix://${socket}`);
    expect(launch(s, 'stale', 'delete', ['-bundle', s]).status).toBe(0); // a live shim still serves the pod
    await new Promise((r) => server?.close(r));
    server = undefined;
    writeFileSync(join(dir, 'stale.sock'), ''); // left behind (not a socket any more, still "there")
    expect(launch(s, 'stale', 'delete', ['-bundle', s]).status).toBe(NODE_RAN);
    expect(nodeCalls()).toHaveLength(2);
  });

  it('leaves names it cannot read plainly, and Go’s -flag=value forms, to the Node shim', () => {
    const b = bundle('odd');
    expect(launch(b, 'odd id', 'delete', ['-bundle', b]).status).toBe(NODE_RAN);
    expect(launch(b, 'odd', 'delete', [`-bundle=${b}`]).status).toBe(NODE_RAN);
  });
});
