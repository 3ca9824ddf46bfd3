/**
 * The `kc` command line: runc's commands and flags as container engines
 * (podman/conmon, containerd) call them, plus `kc run --rootfs DIR -- CMD`.
 * This is the only place in the package that prints or exits.
 */
import { HelpRequested, UsageError } from './args.js';
import type { Runners } from './commands.js';
import { explain, needsRoot, nodeTooOld } from './diagnose.js';
import { commandHelp, generalHelp, isCommand } from './help.js';
import { defaultStateRoot, inUserNamespace, rootlessMode } from '../internal/rootless.js';
import { type CliLog, logLine } from './output.js';

const VERSION = '0.1.0';

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

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit
 * code. `runners` is the command table: every command (RUNNERS, commands.ts),
 * or one (the `kc state` bundle, see state-entry.ts).
 */
export async function main(argv: string[], runners: Runners): Promise<number> {
  const log: CliLog = { json: false };
  let command: string | undefined;
  let debug = false;
  let rootless = false;
  const euid = process.geteuid?.() ?? 0;
  try {
    const tooOld = nodeTooOld(process.versions.node);
    if (tooOld) return fail(log, tooOld);
    const split = splitGlobals(argv);
    const { globals, rest } = split;
    command = split.command;
    log.file = globals.get('log');
    log.json = globals.get('log-format') === 'json';
    debug = globals.get('debug') === 'true';
    if (debug) logLine(log, 'debug', `kc ${argv.join(' ')}`);
    if (globals.has('version')) {
      process.stdout.write(`kc version ${VERSION}\nspec: 1.0.2\n`);
      return 0;
    }
    if (command === 'help' || command === 'h') {
      // `kc help [command]`, as runc.
      const topic = rest[0];
      if (topic !== undefined && !isCommand(topic)) throw new UsageError(`no help topic for "${topic}" (commands: kc --help)`);
      process.stdout.write(topic === undefined ? generalHelp() : commandHelp(topic));
      return 0;
    }
    if (globals.has('help') || !command) {
      process.stdout.write(generalHelp());
      return command || globals.has('help') ? 0 : 1;
    }
    if (!isCommand(command)) throw new UsageError(`unknown command "${command}" (commands: kc --help)`);
    // Help before anything is loaded; parseArgs catches `--help` further on.
    if (rest[0] === '--help' || rest[0] === '-h') {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    // runc's rootless mode (--rootless, default auto: euid != 0); its state root is $XDG_RUNTIME_DIR/kc.
    rootless = rootlessMode(globals.get('rootless'), euid, inUserNamespace());
    const notRoot = rootless ? undefined : needsRoot(command, euid);
    if (notRoot) return fail(log, notRoot);
    const systemd = globals.get('systemd-cgroup');
    const root = globals.get('root') ?? (rootless ? defaultStateRoot(true) : undefined);
    const run = runners[command];
    if (!run) throw new Error(`internal: "${command}" is not in this build of the kc CLI`);
    return await run(rest, { root, rootless, systemdCgroup: systemd !== undefined && systemd !== 'false' });
  } catch (e) {
    if (e instanceof HelpRequested && command && isCommand(command)) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    // One line, as runc: the cause and, where kc knows it, the fix. The stack only in the --log file, with --debug.
    let msg = explain(e, command ?? '', rootless ? 0 : euid); // rootless: a denial is not "needs root"
    if (e instanceof UsageError && command && isCommand(command) && !msg.includes('--help')) msg += ` (see "kc ${command} --help")`;
    const code = fail(log, msg);
    if (debug && e instanceof Error && e.stack) logLine(log, 'debug', e.stack);
    return code;
  }
}

/** Reports a failure as runc does: one line on stderr and in the --log file; exit status 1. */
function fail(log: CliLog, msg: string): number {
  logLine(log, 'error', msg);
  process.stderr.write(`kc: ${msg}\n`);
  return 1;
}
