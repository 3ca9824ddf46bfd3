/** The kc CLI's command table (see main.ts). */
import type { Globals } from './args.js';
import type { CommandName } from './help.js';

/** One command: its arguments after the name, the global options; the exit code. */
export type Runner = (rest: string[], g: Globals) => Promise<number>;

/** A command table: the commands a CLI entry runs. */
export type Runners = Partial<Record<CommandName, Runner>>;

/**
 * Each command loads its module on use (a chunk of the CLI bundle), so a
 * call evaluates only what it needs: `kc spec` never loads the runtime,
 * `kc --help` nothing at all.
 */
export const RUNNERS: Record<CommandName, Runner> = {
  create: async (r, g) => (await import('./lifecycle-commands.js')).createCommand(r, g),
  start: async (r, g) => (await import('./lifecycle-commands.js')).startCommand(r, g),
  run: async (r, g) => {
    const friendly = await import('./friendly-run.js');
    if (friendly.isFriendlyRun(r)) return friendly.friendlyRunCommand(r, g);
    return (await import('./lifecycle-commands.js')).runCommand(r, g);
  },
  exec: async (r, g) => (await import('./exec-command.js')).execCommand(r, g),
  state: async (r, g) => (await import('./state-command.js')).stateCommand(r, g),
  kill: async (r, g) => (await import('./lifecycle-commands.js')).killCommand(r, g),
  delete: async (r, g) => (await import('./lifecycle-commands.js')).deleteCommand(r, g),
  pause: async (r, g) => (await import('./lifecycle-commands.js')).freezeCommand(r, g, true),
  resume: async (r, g) => (await import('./lifecycle-commands.js')).freezeCommand(r, g, false),
  ps: async (r, g) => (await import('./lifecycle-commands.js')).psCommand(r, g),
  events: async (r, g) => (await import('./lifecycle-commands.js')).eventsCommand(r, g),
  list: async (r, g) => (await import('./lifecycle-commands.js')).listCommand(r, g),
  checkpoint: async (r, g) => (await import('./checkpoint-commands.js')).checkpointCommand(r, g),
  restore: async (r, g) => (await import('./checkpoint-commands.js')).restoreCommand(r, g),
  update: async (r, g) => (await import('./update-command.js')).updateCommand(r, g),
  spec: async (r) => (await import('./spec-command.js')).specCommand(r),
  features: async () => (await import('./spec-command.js')).featuresCommand(),
};
