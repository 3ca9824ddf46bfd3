import { resolve } from 'node:path';
import { Container } from '../lifecycle/container.js';
import { defaultConfig } from '../oci/default-config.js';
import { flag, isSet, parseArgs, parseSize, UsageError } from './args.js';
import type { Globals } from './args.js';
import { runToExit } from './lifecycle-commands.js';
import { randomHex } from '../internal/random-hex.js';

/** True when `kc run` was called the friendly way (`--rootfs DIR ... -- CMD`) rather than runc's (`run ID`). */
export function isFriendlyRun(argv: string[]): boolean {
  return argv.some((a) => a === '--rootfs' || a.startsWith('--rootfs='));
}

/**
 * `kc run --rootfs DIR [--memory 256M] [--cpus 0.5] [--pids 64] [--hostname H]
 * [--name ID] [--read-only] [--env K=V]... [--init] [--detach] -- CMD ARGS...`:
 * kc's default (Docker-equivalent) secure config around a directory.
 */
export async function friendlyRunCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    { name: 'rootfs', value: true },
    { name: 'memory', short: 'm', value: true },
    { name: 'cpus', value: true },
    { name: 'pids', value: true },
    { name: 'hostname', value: true },
    { name: 'name', value: true },
    { name: 'read-only' },
    { name: 'env', short: 'e', value: true, repeat: true },
    { name: 'init' },
    { name: 'detach', short: 'd' },
    { name: 'cwd', short: 'w', value: true },
  ]);
  const rootfs = flag(p, 'rootfs');
  if (!rootfs) throw new UsageError('--rootfs DIR is required');
  const args = [...p.positionals, ...p.rest];
  if (args.length === 0) throw new UsageError('give the command after --, e.g. kc run --rootfs DIR -- /bin/sh -c "echo hi"');
  const config = defaultConfig({ args, rootfs: resolve(rootfs), readonlyRoot: isSet(p, 'read-only'), hostname: flag(p, 'hostname') ?? 'kc' });
  const proc = config.process;
  if (!proc) throw new UsageError('internal: the default config has no process'); // defaultConfig always fills it
  proc.env = [...(proc.env ?? []), ...(p.flags.get('env') ?? [])];
  proc.cwd = flag(p, 'cwd') ?? '/';
  config.linux ??= {};
  config.linux.resources ??= {};
  const resources = config.linux.resources;
  const memory = flag(p, 'memory');
  if (memory) resources.memory = { limit: parseSize(memory) };
  const cpus = flag(p, 'cpus');
  if (cpus) {
    const n = Number(cpus);
    if (!(n > 0)) throw new UsageError(`--cpus must be a positive number, got "${cpus}"`);
    resources.cpu = { quota: Math.round(n * 100000), period: 100000 };
  }
  const pids = flag(p, 'pids');
  if (pids) resources.pids = { limit: Number(pids) };
  const id = flag(p, 'name') ?? `kc-${randomHex(6)}`;
  const c = await Container.create({
    id,
    bundle: process.cwd(),
    config,
    root: g.root,
    systemdCgroup: g.systemdCgroup,
    init: isSet(p, 'init'),
    rootless: g.rootless,
  });
  return runToExit(c, isSet(p, 'detach'));
}
