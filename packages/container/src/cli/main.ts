/**
 * The `kc` command line: runc's commands and flags as container engines
 * (podman/conmon, containerd) call them, plus `kc run --rootfs DIR -- CMD`.
 * This is the only place in the package that prints or exits.
 */
import { KcError } from '@kc/native';
import { UsageError } from './args.js';
import { checkpointCommand, restoreCommand } from './checkpoint-commands.js';
import { execCommand } from './exec-command.js';
import { friendlyRunCommand, isFriendlyRun } from './friendly-run.js';
import {
  createCommand,
  deleteCommand,
  eventsCommand,
  freezeCommand,
  type Globals,
  killCommand,
  listCommand,
  psCommand,
  runCommand,
  startCommand,
  stateCommand,
} from './lifecycle-commands.js';
import { type CliLog, logLine } from './output.js';
import { featuresCommand, specCommand } from './spec-command.js';

const VERSION = '0.1.0';
const USAGE = `kc: a runc-compatible container runtime built on kc's primitives

usage: kc [--root DIR] [--log FILE] [--log-format text|json] COMMAND [OPTIONS] ID
       kc run --rootfs DIR [--memory 256M] [--cpus 0.5] [--pids 64] -- CMD ARGS...

commands: create start run exec state kill delete pause resume ps events checkpoint restore list spec features
`;

const GLOBAL_VALUE = new Set(['root', 'log', 'log-format', 'criu', 'rootless']);
const GLOBAL_BOOL = new Set(['debug', 'systemd-cgroup']);

/** Splits the global flags (before the command) from the command and its arguments. */
function splitGlobals(argv: string[]): { globals: Map<string, string>; command: string | undefined; rest: string[] } {
  const globals = new Map<string, string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-')) break;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const key = eq >= 0 ? body.slice(0, eq) : body;
    if (GLOBAL_VALUE.has(key)) globals.set(key, eq >= 0 ? body.slice(eq + 1) : (argv[++i] ?? ''));
    else if (GLOBAL_BOOL.has(key)) globals.set(key, eq >= 0 ? body.slice(eq + 1) : 'true');
    else if (key === 'version' || key === 'v') globals.set('version', 'true');
    else if (key === 'help' || key === 'h') globals.set('help', 'true');
    else throw new UsageError(`flag provided but not defined: ${a}`);
  }
  return { globals, command: argv[i], rest: argv.slice(i + 1) };
}

async function dispatch(command: string, rest: string[], g: Globals): Promise<number> {
  switch (command) {
    case 'create':
      return createCommand(rest, g);
    case 'start':
      return startCommand(rest, g);
    case 'run':
      return isFriendlyRun(rest) ? friendlyRunCommand(rest, g) : runCommand(rest, g);
    case 'exec':
      return execCommand(rest, g);
    case 'state':
      return stateCommand(rest, g);
    case 'kill':
      return killCommand(rest, g);
    case 'delete':
      return deleteCommand(rest, g);
    case 'pause':
      return freezeCommand(rest, g, true);
    case 'resume':
      return freezeCommand(rest, g, false);
    case 'ps':
      return psCommand(rest, g);
    case 'events':
      return eventsCommand(rest, g);
    case 'list':
      return listCommand(rest, g);
    case 'checkpoint':
      return checkpointCommand(rest, g);
    case 'restore':
      return restoreCommand(rest, g);
    case 'spec':
      return specCommand(rest);
    case 'features':
      return featuresCommand();
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const log: CliLog = { json: false };
  try {
    const { globals, command, rest } = splitGlobals(argv);
    log.file = globals.get('log');
    log.json = globals.get('log-format') === 'json';
    if (globals.get('debug') === 'true') logLine(log, 'debug', `kc ${argv.join(' ')}`);
    if (globals.has('version')) {
      process.stdout.write(`kc version ${VERSION}\nspec: 1.0.2\n`);
      return 0;
    }
    if (globals.has('help') || !command) {
      process.stdout.write(USAGE);
      return command || globals.has('help') ? 0 : 1;
    }
    if (globals.get('systemd-cgroup') && globals.get('systemd-cgroup') !== 'false') {
      throw new UsageError(
        '--systemd-cgroup is not supported: kc manages cgroups through the cgroup filesystem (use cgroupfs, e.g. podman --cgroup-manager=cgroupfs)',
      );
    }
    return await dispatch(command, rest, { root: globals.get('root') });
  } catch (e) {
    const msg = e instanceof KcError || e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    const hint = e instanceof KcError && e.hint && !msg.includes(e.hint) ? ` (${e.hint})` : '';
    logLine(log, 'error', msg + hint);
    process.stderr.write(`kc: ${msg}${hint}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
