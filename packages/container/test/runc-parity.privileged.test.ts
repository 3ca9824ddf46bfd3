/**
 * Settings engines rely on, each run on the same bundle under runc and kc
 * (issue #16): the root's propagation when a config asks for `shared`, and
 * the flags of the container's cgroup mounts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBusyboxRootfs, type OciConfig } from '@kc/container';
import { afterAll, describe, expect, it } from 'vitest';
import { KC, leftoverCgroups, makeBundle, probe, runUnderBoth, tempDir, uniqueId } from './helpers.js';

const stateRoot = tempDir('kc-parity-');
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

/** Runs `script` in the same bundle under runc and kc; returns both outputs (exit 0 asserted). */
function both(script: string, edit: (c: OciConfig) => void): { runc: string; kc: string } {
  const { bundle, cleanup } = makeBundle(['sh', '-c', script], edit);
  try {
    const { runc, kc } = runUnderBoth(bundle, stateRoot);
    expect(runc.status, String(runc.stderr)).toBe(0);
    expect(kc.status, String(kc.stderr)).toBe(0);
    return { runc: String(runc.stdout), kc: String(kc.stdout) };
  } finally {
    cleanup();
  }
}

/** The mountinfo line of `/`: its per-mount options and whether it is shared. */
const ROOT_PROPAGATION = `awk '$5 == "/" { print ($7 ~ /^shared:/ ? "shared" : "not-shared") }' /proc/self/mountinfo`;
/** Mount point and per-mount options of each cgroup mount. */
const CGROUP_FLAGS = `awk '$9 ~ /^cgroup/ || $5 ~ /^\\/sys\\/fs\\/cgroup/ { split($6, o, ","); n = ""; for (i in o) if (o[i] ~ /^no(suid|dev|exec)$/) n = n o[i] " "; print $5, n }' /proc/self/mountinfo | sort`;

/** What a container sees of itself: mounts, pid 1, credentials, its cgroup and controllers, /dev, what it may open. */
const SPEC_VIEW = [
  'hostname',
  'echo ---mounts',
  'cut -d" " -f2,3 /proc/mounts | sort',
  'echo ---pid1',
  'tr "\\0" " " < /proc/1/cmdline; echo',
  'echo ---status',
  'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status',
  'echo ---cgroup',
  // Hierarchies and controllers only: `runc spec` has no cgroup namespace under runc 1.1, and the paths name each runtime's id.
  'cut -d: -f1,2 /proc/self/cgroup',
  // cgroup2 (a unified host): the controllers the container's parent group hands down; absent on a hybrid host.
  'cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null || echo no-cgroup2-root',
  'ls /sys/fs/cgroup | tr "\\n" " "; echo',
  'echo ---dev',
  'ls /dev | tr "\\n" " "; echo',
  'for d in null zero urandom full; do head -c1 /dev/$d >/dev/null && echo $d-ok; done',
  'echo ---ids',
  'id',
  'ulimit -n',
].join('; ');

describe.runIf(probe.root && probe.busybox && probe.runc)('runc parity of engine-facing settings (needs root, busybox-static, runc)', () => {
  it('the default `runc spec` bundle (terminal off) runs under kc as under runc: the same view from inside, no group left', () => {
    const bundle = tempDir('kc-runc-spec-');
    try {
      buildBusyboxRootfs(join(bundle, 'rootfs'));
      expect(spawnSync('runc', ['spec'], { cwd: bundle }).status).toBe(0);
      const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as OciConfig;
      // The only edits: no terminal (no tty under the test runner) and the program that prints the view.
      config.process = { ...config.process!, terminal: false, args: ['sh', '-c', SPEC_VIEW] };
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
      const { runc, kc, ids } = runUnderBoth(bundle, stateRoot);
      expect(runc.status, String(runc.stderr)).toBe(0);
      expect(kc.status, String(kc.stderr)).toBe(0);
      expect(String(kc.stdout)).toMatch(/^---cgroup\n[\s\S]*\bpids\b[\s\S]*^---dev$/m);
      expect(String(kc.stdout)).toContain('urandom-ok');
      // kc's mask step binds a clone of the host's /dev/null (devtmpfs) over masked files, runc the container's own (on the /dev tmpfs).
      // On a hybrid host runc also mounts its group of the named v1 hierarchy `name=systemd` (no cgroup namespace in
      // runc 1.1's spec); kc's group lives in the controller hierarchies only, so that mount is runc's alone.
      const same = (out: string) =>
        out
          .replace(/^(\/(?:proc|sys)\/\S+) (?:devtmpfs|tmpfs)$/gm, '$1 null-device-or-tmpfs')
          .replace(/^\/sys\/fs\/cgroup\/systemd cgroup\n/m, '')
          .replace(/^(blkio .*) systemd $/m, '$1 ');
      expect(same(String(kc.stdout))).toBe(same(String(runc.stdout)));
      expect(leftoverCgroups(ids.kc)).toEqual([]);
    } finally {
      rmSync(bundle, { recursive: true, force: true });
    }
  });

  it('rootfsPropagation "shared" runs, and the container root is shared (applied after pivot_root, as runc does since 1.2)', () => {
    const out = both(ROOT_PROPAGATION, (c) => {
      c.linux = { ...c.linux, rootfsPropagation: 'shared' };
    });
    expect(out.kc.trim()).toBe('shared');
    // runc 1.1 (Debian's 1.1.5 here) applies the flag before pivot_root only, to the host tree's copy, and its
    // root ends private; runc 1.2 applies it to "/" after pivot_root ("Apply root mount propagation flags"), as kc.
    expect(['shared', 'not-shared']).toContain(out.runc.trim());
  });

  it.each([
    ['with a cgroup namespace (fresh cgroup mounts)', (_c: OciConfig) => {}],
    [
      "without one (the container's host directories bound)",
      (c: OciConfig) => {
        c.linux = { ...c.linux, namespaces: (c.linux?.namespaces ?? []).filter((n) => n.type !== 'cgroup') };
      },
    ],
  ])('every cgroup mount is nosuid, nodev and noexec, as under runc, %s', (_name, edit) => {
    const out = both(CGROUP_FLAGS, edit);
    const lines = out.kc.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line, line).toMatch(/nosuid .*nodev|nodev .*nosuid/);
    for (const line of lines) expect(line, line).toContain('noexec');
    // Without a cgroup namespace runc also binds its group of the named v1 hierarchy `name=systemd` (it joins
    // every mounted hierarchy); kc's group lives in the controller hierarchies only, so that one bind is runc's alone.
    const controllers = (text: string) => text.replace(/^\/sys\/fs\/cgroup\/systemd .*\n/m, '');
    expect(controllers(out.kc)).toBe(controllers(out.runc));
  });

  it.runIf(existsSync('/sys/fs/cgroup/memory/memory.oom_control'))(
    'memory.disableOOMKiller turns the v1 OOM killer off for the container, as under runc (v1 memory controller)',
    () => {
      const out = both('grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control', (c) => {
        c.linux = { ...c.linux, resources: { ...c.linux?.resources, memory: { limit: 64 * 1024 * 1024, disableOOMKiller: true } } };
      });
      expect(out.kc.trim()).toBe('oom_kill_disable 1');
      expect(out.kc).toBe(out.runc);
    },
  );

  it.runIf(existsSync('/sys/fs/cgroup/freezer/freezer.state') || existsSync('/sys/fs/cgroup/freezer/cgroup.procs'))(
    'pause freezes through the v1 freezer on a hybrid host: freezer.state says FROZEN for kc as for runc (v1 freezer mounted)',
    () => {
      const { bundle, cleanup } = makeBundle(['sleep', '30']);
      const ids = { runc: uniqueId('runc'), kc: uniqueId('kc') };
      const cli = { runc: 'runc', kc: KC } as const;
      const states: Record<string, string> = {};
      try {
        for (const rt of ['runc', 'kc'] as const) {
          const root = `${stateRoot}/${rt}`;
          expect(spawnSync(cli[rt], ['--root', root, 'run', '-d', '--bundle', bundle, ids[rt]], { stdio: 'ignore', timeout: 30_000 }).status).toBe(0);
          expect(spawnSync(cli[rt], ['--root', root, 'pause', ids[rt]], { timeout: 30_000 }).status).toBe(0);
          const state = JSON.parse(spawnSync(cli[rt], ['--root', root, 'state', ids[rt]], { encoding: 'utf8' }).stdout) as { pid: number };
          const freezer = readFileSync(`/proc/${state.pid}/cgroup`, 'utf8').match(/^\d+:freezer:(.*)$/m)?.[1];
          states[rt] = readFileSync(`/sys/fs/cgroup/freezer${freezer}/freezer.state`, 'utf8').trim();
          expect(spawnSync(cli[rt], ['--root', root, 'resume', ids[rt]], { timeout: 30_000 }).status).toBe(0);
        }
      } finally {
        spawnSync('runc', ['--root', `${stateRoot}/runc`, 'delete', '--force', ids.runc]);
        spawnSync(KC, ['--root', `${stateRoot}/kc`, 'delete', '--force', ids.kc]);
        cleanup();
      }
      expect(states).toEqual({ runc: 'FROZEN', kc: 'FROZEN' });
    },
  );
});
