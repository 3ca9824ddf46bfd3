/** Shared fixtures of the container host-lane tests: bundles, unique ids, leak checks, probes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBusyboxRootfs, defaultConfig, type OciConfig } from '@kc/container';
import { root, tool } from '../../../test-support/tools.js';

/** The kc CLI of this package. */
export const KC = resolve(fileURLToPath(new URL('../bin/kc', import.meta.url)));

/** Where cgroup2 is mounted: /sys/fs/cgroup/unified on a hybrid host, /sys/fs/cgroup on a unified (v2-only) one. */
export const UNIFIED_ROOT = existsSync('/sys/fs/cgroup/unified/cgroup.controllers') ? '/sys/fs/cgroup/unified' : '/sys/fs/cgroup';

/** Whether `controller` has a v1 hierarchy at /sys/fs/cgroup/<controller> (hybrid and legacy hosts). */
export function v1Controller(controller: string): boolean {
  return existsSync(`/sys/fs/cgroup/${controller}/cgroup.procs`);
}

/**
 * The host directory of container `id`'s group (default cgroups path
 * `/kc/<id>`) that holds `controller`'s files: its v1 hierarchy where that is
 * mounted, else the cgroup2 group (a unified host).
 */
export function cgroupDir(id: string, controller: string): string {
  return v1Controller(controller) ? join('/sys/fs/cgroup', controller, 'kc', id) : join(UNIFIED_ROOT, 'kc', id);
}

/** Run-time probes of what the tests need: kernel features, and root and tools (which fail in the test command when missing). */
export const probe = {
  root: root(),
  busybox: tool('busybox'),
  runc: tool('runc'),
  podman: tool('podman'),
  v1Freezer: existsSync('/sys/fs/cgroup/freezer/freezer.state') || existsSync('/sys/fs/cgroup/freezer/cgroup.procs'),
  /** The cgroup2 freezer (`cgroup.freeze`, Linux 5.2) on a mounted cgroup2 hierarchy. */
  v2Freezer:
    existsSync(join(UNIFIED_ROOT, 'cgroup.controllers')) &&
    (([major, minor]) => major > 5 || (major === 5 && minor >= 2))(release().split('.').map(Number) as [number, number]),
  overlay: (() => {
    try {
      return /\boverlay\b/.test(execFileSync('cat', ['/proc/filesystems'], { encoding: 'utf8' }));
    } catch {
      return false;
    }
  })(),
};

/** A unique id per test: `kc-test-<pid>-<random>`. */
export function uniqueId(tag = 't'): string {
  return `kc-test-${process.pid}-${tag}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'kc-ctr-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Builds a bundle in a new temp dir: busybox rootfs + kc's default config with `args`, changed by `edit`. */
export function makeBundle(args: string[], edit?: (c: OciConfig) => void): { bundle: string; config: OciConfig; cleanup: () => void } {
  const bundle = tempDir('kc-bundle-');
  buildBusyboxRootfs(join(bundle, 'rootfs'));
  const config = defaultConfig({ args });
  edit?.(config);
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  return { bundle, config, cleanup: () => rmSync(bundle, { recursive: true, force: true }) };
}

/** Every host directory a container `id` with the default cgroups path could leave behind. */
export function leftoverCgroups(id: string): string[] {
  const out: string[] = [];
  // A unified host has the group at the hierarchy's root; a hybrid or legacy one below each controller's mount.
  if (existsSync(join('/sys/fs/cgroup', 'kc', id))) out.push(join('/sys/fs/cgroup', 'kc', id));
  for (const h of readdirSync('/sys/fs/cgroup')) {
    const d = join('/sys/fs/cgroup', h, 'kc', id);
    if (existsSync(d)) out.push(d);
  }
  return out;
}

/** Runs the kc CLI synchronously and returns status and output. */
export function kc(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(KC, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs a kc command that leaves a container running (create, run --detach):
 * the container inherits kc's stdio, so pipes would stay open as long as it
 * runs; its stdio goes to /dev/null instead.
 */
export function kcDetached(args: string[]): number | null {
  return spawnSync(KC, args, { stdio: 'ignore', timeout: 60_000 }).status;
}

/** What {@link runUnderBoth} returns: each runtime's `run` result, and the ids it used. */
export interface BothRuns {
  /** `runc run` of the bundle. */
  runc: ReturnType<typeof spawnSync>;
  /** `kc run` of the bundle. */
  kc: ReturnType<typeof spawnSync>;
  /** The container ids used (both already force-deleted). */
  ids: { runc: string; kc: string };
}

/**
 * Runs `bundle` with `runc run` and then `kc run` (each with its own state
 * root below `stateRoot`), the same input for both, and force-deletes both
 * ids afterwards. `between` runs after runc's run, before kc's (e.g. to read
 * and remove what runc's container left in the rootfs).
 */
export function runUnderBoth(bundle: string, stateRoot: string, between?: () => void): BothRuns {
  const ids = { runc: uniqueId('runc'), kc: uniqueId('kc') };
  try {
    const runc = spawnSync('runc', ['--root', `${stateRoot}/runc`, 'run', '--bundle', bundle, ids.runc], { encoding: 'utf8', timeout: 30_000 });
    between?.();
    const kc = spawnSync(KC, ['--root', `${stateRoot}/kc`, 'run', '--bundle', bundle, ids.kc], { encoding: 'utf8', timeout: 30_000 });
    return { runc, kc, ids };
  } finally {
    spawnSync('runc', ['--root', `${stateRoot}/runc`, 'delete', '--force', ids.runc]);
    spawnSync(KC, ['--root', `${stateRoot}/kc`, 'delete', '--force', ids.kc]);
  }
}
