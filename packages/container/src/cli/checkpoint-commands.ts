import { KcErrorCode } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { CheckpointOptions, CriuFlags } from '../lifecycle/checkpoint.js';
import { Container } from '../lifecycle/container.js';
import { type FlagSpec, flag, isSet, type ParsedArgs, parseArgs, UsageError } from './args.js';
import type { Globals } from './args.js';

/** CRIU switches both commands take (runc's spelling), passed to CRIU as they are. */
const SHARED: FlagSpec[] = [
  { name: 'image-path', value: true },
  { name: 'work-path', value: true },
  { name: 'tcp-established' },
  { name: 'file-locks' },
  { name: 'ext-unix-sk' },
  { name: 'shell-job' },
  { name: 'manage-cgroups-mode', value: true },
];

/**
 * runc flags kc parses but cannot honour: each changes what a checkpoint
 * means, so it fails closed naming the flag rather than being dropped.
 * (`--lazy-pages`/`--page-server`/`--status-fd` are live migration, which
 * podman does not drive; `--empty-ns`, `--tcp-close`, `--lsm-*`, `--no-pivot`
 * change the restored container's namespaces, sockets, labels or root.)
 */
const REFUSED: Record<string, string> = {
  'lazy-pages': 'post-copy migration is not supported by kc; checkpoint without --lazy-pages',
  'page-server': 'sending pages to a page server is not supported by kc; write the images locally',
  'status-fd': 'only used with --lazy-pages, which kc does not support',
  'empty-ns': 'kc restores every namespace the checkpoint holds; drop --empty-ns',
  'auto-dedup': 'kc does not deduplicate parent images; drop --auto-dedup',
  'tcp-close': 'kc cannot restore TCP connections closed; use --tcp-established or close them before the checkpoint',
  'lsm-profile': 'kc applies no LSM label, so it cannot restore with one',
  'lsm-mount-context': 'kc applies no LSM label, so it cannot restore with one',
  'no-pivot': 'kc always restores into its root with pivot_root',
  'console-socket': 'kc cannot checkpoint or restore a container with a terminal',
};
const REFUSED_SPECS: FlagSpec[] = ['lazy-pages', 'auto-dedup', 'tcp-close', 'no-pivot'].map((name) => ({ name }));
const REFUSED_VALUE_SPECS: FlagSpec[] = ['page-server', 'status-fd', 'empty-ns', 'lsm-profile', 'lsm-mount-context', 'console-socket'].map((name) => ({
  name,
  value: true,
}));

/** Throws UNSUPPORTED for the first refused flag that is set. */
function refuseUnsupported(p: ParsedArgs): void {
  for (const [name, hint] of Object.entries(REFUSED)) {
    if (isSet(p, name)) throw new ContainerError(`--${name} is not supported by kc`, { code: KcErrorCode.Unsupported, field: `--${name}`, hint });
  }
}

/** `--manage-cgroups-mode`: kc recreates the cgroups and moves the tree in, so only modes that leave cgroups to the runtime apply. */
function cgroupsMode(p: ParsedArgs): CheckpointOptions['manageCgroupsMode'] {
  const mode = flag(p, 'manage-cgroups-mode');
  if (mode === undefined || mode === 'ignore' || mode === 'soft') return mode;
  if (mode === 'full' || mode === 'strict') {
    throw new ContainerError(`--manage-cgroups-mode ${mode} is not supported by kc`, {
      code: KcErrorCode.Unsupported,
      field: '--manage-cgroups-mode',
      hint: 'kc recreates the cgroups from config.json; use soft or ignore',
    });
  }
  throw new UsageError(`invalid --manage-cgroups-mode value "${mode}" (soft, full, strict or ignore)`);
}

function criuFlags(p: ParsedArgs): CriuFlags {
  return {
    tcpEstablished: isSet(p, 'tcp-established'),
    fileLocks: isSet(p, 'file-locks'),
    extUnixSockets: isSet(p, 'ext-unix-sk'),
    shellJob: isSet(p, 'shell-job'),
  };
}

/**
 * `kc checkpoint --image-path DIR [--work-path DIR] [--leave-running] [--pre-dump] [--parent-path DIR] … ID`
 * (runc's spelling) of a running or paused container. Without `--leave-running` or `--pre-dump` the
 * container is then deleted, as runc destroys it.
 */
export async function checkpointCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    ...SHARED,
    { name: 'leave-running' },
    { name: 'pre-dump' },
    { name: 'parent-path', value: true },
    ...REFUSED_SPECS,
    ...REFUSED_VALUE_SPECS,
  ]);
  const id = p.positionals[0];
  if (!id) throw new UsageError('"checkpoint" requires a container id');
  refuseUnsupported(p);
  const manageCgroupsMode = cgroupsMode(p);
  const imagesDir = flag(p, 'image-path') ?? 'checkpoint';
  const parentPath = flag(p, 'parent-path');
  const leaveRunning = isSet(p, 'leave-running');
  const preDump = isSet(p, 'pre-dump');
  const c = Container.load(id, g.root);
  await c.checkpoint({
    imagesDir,
    workDir: flag(p, 'work-path'),
    leaveRunning,
    preDump,
    ...(parentPath ? { parentPath } : {}),
    ...(manageCgroupsMode ? { manageCgroupsMode } : {}),
    criu: criuFlags(p),
  });
  // As runc: a container dumped and stopped is destroyed, so `restore` can take its id again.
  if (!leaveRunning && !preDump) await c.delete({ force: true });
  return 0;
}

/**
 * `kc restore --image-path DIR --bundle DIR [--pid-file F] [--detach] ID`.
 * The restored tree is not kc's child (CRIU restores it detached; conmon, a
 * subreaper, inherits it), so in the foreground kc waits until the container
 * stops and returns 0. Its stdio pipes are kc's own fds 0-2 (see restoreRecord).
 */
export async function restoreCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    ...SHARED,
    { name: 'bundle', short: 'b', value: true },
    { name: 'pid-file', value: true },
    { name: 'detach', short: 'd' },
    // runc: kc is never a subreaper, so the flag changes nothing.
    { name: 'no-subreaper' },
    ...REFUSED_SPECS,
    ...REFUSED_VALUE_SPECS,
  ]);
  const id = p.positionals[0];
  if (!id) throw new UsageError('"restore" requires a container id');
  refuseUnsupported(p);
  cgroupsMode(p);
  const c = await Container.restore({
    id,
    bundle: flag(p, 'bundle') ?? process.cwd(),
    imagesDir: flag(p, 'image-path') ?? 'checkpoint',
    workDir: flag(p, 'work-path'),
    pidFile: flag(p, 'pid-file'),
    root: g.root,
    systemdCgroup: g.systemdCgroup,
    criu: criuFlags(p),
    // runc's behaviour: the restored stdio pipes become kc's own (conmon's pipes under podman).
    inheritStdio: true,
  });
  if (isSet(p, 'detach')) return 0;
  while (c.status !== 'stopped') await new Promise((r) => setTimeout(r, 100));
  await c.delete({ force: true });
  return 0;
}
