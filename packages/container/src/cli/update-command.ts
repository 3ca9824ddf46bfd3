import { readFileSync } from 'node:fs';
import { Container } from '../lifecycle/container.js';
import { flag, parseArgs, UsageError } from './args.js';
import type { Globals } from './args.js';
import { resourcesFromFlags, resourcesFromJson, UPDATE_FLAGS } from './update-flags.js';

/**
 * `kc update ID [flags | -r FILE|-]`: runc 1.1's `update` (podman's
 * `podman update` calls it with `-r`). As runc: the id is looked up before
 * the values are read; `-r` makes the other flags ignored; kernel memory
 * values are accepted with a warning.
 */
export async function updateCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, UPDATE_FLAGS);
  if (p.positionals.length !== 1) throw new UsageError(`"update" requires exactly 1 argument (a container id), got ${p.positionals.length}`);
  const c = Container.load(p.positionals[0] as string, g.root);
  const file = flag(p, 'resources');
  const resources = file ? resourcesFromJson(readFileSync(file === '-' ? 0 : file, 'utf8'), file === '-' ? 'standard input' : file) : resourcesFromFlags(p);
  const ignored = await c.update(resources);
  if (ignored.length) process.stderr.write(`kc: warning: kernel memory settings are ignored (${ignored.join(', ')}), as runc 1.1\n`);
  return 0;
}
