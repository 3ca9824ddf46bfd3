/**
 * OCI hooks (runtime-spec config.md "POSIX-platform Hooks"): every hook is a
 * shell script that appends its kind, argv and mount/pid namespace to an
 * `order` file and saves the state JSON it read on stdin. The test checks the
 * order, the namespace each ran in, the state's pid and status, and that a
 * failing hook undoes the container or is only reported, as the spec asks.
 */
import { chmodSync, copyFileSync, existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Container, type ContainerError, type OciConfig, type OciHook } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { leftoverCgroups, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-state-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SCRIPT = `#!/bin/sh
kind=$1
echo "$kind|$*|$FOO|$(readlink /proc/self/ns/mnt)" >> "$HOOK_OUT/order"
cat > "$HOOK_OUT/$kind.json"
[ -z "$HOOK_FAIL" ] || exit "$HOOK_FAIL"
[ -z "$HOOK_SLEEP" ] || sleep "$HOOK_SLEEP"
`;

interface Fixture {
  bundle: string;
  out: string;
  script: string;
  cleanup: () => void;
}

/** A busybox bundle whose /hooks is a bind of a host dir, with the hook script on the host and inside the rootfs (/hook.sh). */
function hookBundle(args: string[], hooks: (f: { script: string; out: string }) => OciConfig['hooks']): Fixture {
  const out = tempDir('kc-hooks-out-');
  const scriptDir = tempDir('kc-hooks-bin-');
  const script = join(scriptDir, 'hook.sh');
  writeFileSync(script, SCRIPT);
  chmodSync(script, 0o755);
  const b = makeBundle(args, (c) => {
    c.mounts!.push({ destination: '/hooks', source: out, type: 'bind', options: ['rbind', 'rw'] });
    c.hooks = hooks({ script, out });
  });
  copyFileSync(script, join(b.bundle, 'rootfs', 'hook.sh'));
  chmodSync(join(b.bundle, 'rootfs', 'hook.sh'), 0o755);
  return {
    ...b,
    out,
    script,
    cleanup: () => {
      b.cleanup();
      rmSync(out, { recursive: true, force: true });
      rmSync(scriptDir, { recursive: true, force: true });
    },
  };
}

const PATH = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';
/** A hook run in the runtime namespace (writes to the host dir). */
const hostHook = (script: string, out: string, kind: string, extra: string[] = []): OciHook => ({
  path: script,
  args: ['hook.sh', kind, 'arg1'],
  env: [PATH, `HOOK_OUT=${out}`, `FOO=${kind}-env`, ...extra],
});
/** A hook run in the container's namespaces (writes to /hooks, the same host dir). */
const ctrHook = (path: string, kind: string, extra: string[] = []): OciHook => ({
  path,
  args: ['hook.sh', kind, 'arg1'],
  env: [PATH, 'HOOK_OUT=/hooks', `FOO=${kind}-env`, ...extra],
});

function orderOf(out: string): { kind: string; argv: string; foo: string; mnt: string }[] {
  if (!existsSync(join(out, 'order'))) return [];
  return readFileSync(join(out, 'order'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [kind, argv, foo, mnt] = l.split('|');
      return { kind: kind as string, argv: argv as string, foo: foo as string, mnt: mnt as string };
    });
}
const stateOf = (out: string, kind: string) => JSON.parse(readFileSync(join(out, `${kind}.json`), 'utf8'));

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

describe.runIf(probe.root && probe.busybox)('OCI hooks (needs root and busybox-static)', () => {
  it('runs every hook kind in lifecycle order, in the right namespace, with args, env and the state on stdin', async () => {
    const f = hookBundle(['sh', '-c', 'echo user >> /hooks/order'], ({ script, out }) => ({
      prestart: [hostHook(script, out, 'prestart')],
      createRuntime: [hostHook(script, out, 'createRuntime')],
      createContainer: [ctrHook(script, 'createContainer')],
      startContainer: [ctrHook('/hook.sh', 'startContainer')],
      poststart: [hostHook(script, out, 'poststart')],
      poststop: [hostHook(script, out, 'poststop')],
    }));
    const id = uniqueId('hooks');
    const hostMnt = readlinkSync('/proc/self/ns/mnt');
    try {
      const c = await Container.create({ id, bundle: f.bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
      const pid = c.pid;
      const ctrMnt = readlinkSync(`/proc/${pid}/ns/mnt`);
      expect(ctrMnt).not.toBe(hostMnt);
      expect(orderOf(f.out).map((o) => o.kind)).toEqual(['prestart', 'createRuntime', 'createContainer']);
      await c.start();
      expect((await c.wait()).exitCode).toBe(0);
      await c.delete();

      const order = orderOf(f.out);
      // runtime.md "Lifecycle": the user's program runs after startContainer and before (or while) poststart runs.
      expect(order.map((o) => o.kind).filter((k) => k !== 'user')).toEqual([
        'prestart',
        'createRuntime',
        'createContainer',
        'startContainer',
        'poststart',
        'poststop',
      ]);
      expect(order.findIndex((o) => o.kind === 'user')).toBeGreaterThan(order.findIndex((o) => o.kind === 'startContainer'));
      for (const o of order.filter((x) => x.kind !== 'user')) {
        expect(o.argv).toBe(`${o.kind} arg1`);
        expect(o.foo).toBe(`${o.kind}-env`);
        const inContainer = o.kind === 'createContainer' || o.kind === 'startContainer';
        expect(o.mnt, o.kind).toBe(inContainer ? ctrMnt : hostMnt);
      }
      for (const kind of ['prestart', 'createRuntime', 'createContainer']) {
        expect(stateOf(f.out, kind), kind).toMatchObject({ ociVersion: '1.0.2', id, status: 'creating', pid, bundle: f.bundle });
      }
      expect(stateOf(f.out, 'startContainer')).toMatchObject({ id, status: 'created', pid });
      expect(stateOf(f.out, 'poststart')).toMatchObject({ id, status: 'running', pid });
      expect(stateOf(f.out, 'poststop')).toMatchObject({ id, status: 'stopped', pid: 0, bundle: f.bundle });
      expect(leftoverCgroups(id)).toEqual([]);
    } finally {
      f.cleanup();
    }
  });

  it.each(['prestart', 'createRuntime', 'createContainer'] as const)(
    'a failing %s hook fails create and leaves no state, cgroup or process; poststop still runs',
    async (kind) => {
      const f = hookBundle(['sh', '-c', 'echo user >> /hooks/order'], ({ script, out }) => ({
        [kind]: [kind === 'createContainer' ? ctrHook(script, kind, ['HOOK_FAIL=3']) : hostHook(script, out, kind, ['HOOK_FAIL=3'])],
        startContainer: [ctrHook('/hook.sh', 'startContainer')],
        poststop: [hostHook(script, out, 'poststop')],
      }));
      const id = uniqueId('hookfail');
      try {
        const err = await Container.create({ id, bundle: f.bundle, root, stdio: ['ignore', 'ignore', 'ignore'] }).then(
          () => null,
          (e: ContainerError) => e,
        );
        expect(err).toMatchObject({ code: 'HOOK_FAILED', field: `hooks.${kind}[0]` });
        expect(err?.message).toMatch(/exited with status 3/);
        const { pid } = stateOf(f.out, kind);
        expect(pid).toBeGreaterThan(1);
        expect(await gone(pid)).toBe(true);
        expect(existsSync(join(root, id))).toBe(false);
        expect(leftoverCgroups(id)).toEqual([]);
        expect(orderOf(f.out).map((o) => o.kind)).toEqual([kind, 'poststop']);
      } finally {
        f.cleanup();
      }
    },
  );

  it('kills a hook at its timeout and undoes the container', async () => {
    const f = hookBundle(['true'], ({ script, out }) => ({ createRuntime: [{ ...hostHook(script, out, 'createRuntime', ['HOOK_SLEEP=30']), timeout: 1 }] }));
    const id = uniqueId('hooktime');
    try {
      await expect(Container.create({ id, bundle: f.bundle, root, stdio: ['ignore', 'ignore', 'ignore'] })).rejects.toMatchObject({
        code: 'HOOK_FAILED',
        message: expect.stringMatching(/timed out after 1s/),
      });
      expect(await gone(stateOf(f.out, 'createRuntime').pid)).toBe(true);
      expect(existsSync(join(root, id))).toBe(false);
      expect(leftoverCgroups(id)).toEqual([]);
    } finally {
      f.cleanup();
    }
  });

  it('a failing startContainer hook stops the container before the program runs; delete removes it', async () => {
    const f = hookBundle(['sh', '-c', 'echo user >> /hooks/order'], ({ script, out }) => ({
      startContainer: [ctrHook('/hook.sh', 'startContainer', ['HOOK_FAIL=4'])],
      poststart: [hostHook(script, out, 'poststart')],
    }));
    const id = uniqueId('hookstart');
    try {
      const c = await Container.create({ id, bundle: f.bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
      await expect(c.start()).rejects.toMatchObject({ code: 'HOOK_FAILED', field: 'hooks.startContainer[0]' });
      expect(c.status).toBe('stopped');
      expect(orderOf(f.out).map((o) => o.kind)).toEqual(['startContainer']); // neither the program nor poststart ran
      await c.delete();
      expect(existsSync(join(root, id))).toBe(false);
      expect(leftoverCgroups(id)).toEqual([]);
    } finally {
      f.cleanup();
    }
  });

  it('reports failing poststart and poststop hooks without aborting, and runs the next hook', async () => {
    const f = hookBundle(['sh', '-c', 'echo user >> /hooks/order'], ({ script, out }) => ({
      poststart: [hostHook(script, out, 'poststart', ['HOOK_FAIL=5']), hostHook(script, out, 'poststart2')],
      poststop: [hostHook(script, out, 'poststop', ['HOOK_FAIL=6'])],
    }));
    const id = uniqueId('hookpost');
    const failures: ContainerError[] = [];
    try {
      const c = await Container.create({ id, bundle: f.bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
      await c.start({ onHookFailure: (e) => failures.push(e) });
      expect((await c.wait()).exitCode).toBe(0);
      await c.delete({ onHookFailure: (e) => failures.push(e) });
      expect(failures.map((e) => [e.field, e.code])).toEqual([
        ['hooks.poststart[0]', 'HOOK_FAILED'],
        ['hooks.poststop[0]', 'HOOK_FAILED'],
      ]);
      expect(
        orderOf(f.out)
          .map((o) => o.kind)
          .filter((k) => k !== 'user'),
      ).toEqual(['poststart', 'poststart2', 'poststop']);
      expect(existsSync(join(root, id))).toBe(false);
      expect(leftoverCgroups(id)).toEqual([]);
    } finally {
      f.cleanup();
    }
  });
});
