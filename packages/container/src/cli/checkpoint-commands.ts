import { Container } from '../lifecycle/container.js';
import { flag, isSet, parseArgs, UsageError } from './args.js';
import type { Globals } from './lifecycle-commands.js';

/** `kc checkpoint --image-path DIR [--work-path DIR] [--leave-running] ID` (runc's spelling). */
export async function checkpointCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    { name: 'image-path', value: true },
    { name: 'work-path', value: true },
    { name: 'leave-running' },
    { name: 'tcp-established' },
    { name: 'file-locks' },
    { name: 'shell-job' },
    { name: 'manage-cgroups-mode', value: true },
  ]);
  const id = p.positionals[0];
  if (!id) throw new UsageError('"checkpoint" requires a container id');
  const imagesDir = flag(p, 'image-path') ?? 'checkpoint';
  await Container.load(id, g.root).checkpoint({ imagesDir, workDir: flag(p, 'work-path'), leaveRunning: isSet(p, 'leave-running') });
  return 0;
}

/**
 * `kc restore --image-path DIR --bundle DIR [--pid-file F] [--detach] ID`.
 * The restored tree is not kc's child (CRIU restores it detached), so in the
 * foreground kc waits until the container stops and returns 0.
 */
export async function restoreCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    { name: 'image-path', value: true },
    { name: 'work-path', value: true },
    { name: 'bundle', short: 'b', value: true },
    { name: 'pid-file', value: true },
    { name: 'detach', short: 'd' },
    { name: 'console-socket', value: true },
    { name: 'tcp-established' },
    { name: 'file-locks' },
    { name: 'shell-job' },
    { name: 'manage-cgroups-mode', value: true },
  ]);
  const id = p.positionals[0];
  if (!id) throw new UsageError('"restore" requires a container id');
  const c = await Container.restore({
    id,
    bundle: flag(p, 'bundle') ?? process.cwd(),
    imagesDir: flag(p, 'image-path') ?? 'checkpoint',
    workDir: flag(p, 'work-path'),
    pidFile: flag(p, 'pid-file'),
    root: g.root,
  });
  if (isSet(p, 'detach')) return 0;
  while (c.status !== 'stopped') await new Promise((r) => setTimeout(r, 100));
  await c.delete({ force: true });
  return 0;
}
