import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { ContainerError } from '../errors.js';
import { Container } from '../lifecycle/container.js';
import { StateStore } from '../state/state-store.js';
import { flag, type Globals, isSet, oneId, parseArgs, UsageError } from './args.js';
import { printJson } from './output.js';

/** `kc create ID --bundle DIR [--pid-file F] [--console-socket S]`. */
export async function createCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    { name: 'bundle', short: 'b', value: true },
    { name: 'pid-file', value: true },
    { name: 'console-socket', value: true },
    { name: 'no-pivot' },
    { name: 'no-new-keyring' },
    { name: 'preserve-fds', value: true },
    { name: 'init' },
  ]);
  const c = await Container.create({
    id: oneId(p.positionals, 'create'),
    bundle: flag(p, 'bundle') ?? process.cwd(),
    root: g.root,
    systemdCgroup: g.systemdCgroup,
    pidFile: flag(p, 'pid-file'),
    consoleSocket: flag(p, 'console-socket'),
    init: isSet(p, 'init'),
    rootless: g.rootless,
  });
  c.process?.unref();
  return 0;
}

/** `kc start ID`. */
export async function startCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, []);
  await Container.load(oneId(p.positionals, 'start'), g.root).start();
  return 0;
}

/** `kc run ID --bundle DIR [--detach] [--pid-file F] [--console-socket S]`: create + start, and unless detached wait and delete. */
export async function runCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    { name: 'bundle', short: 'b', value: true },
    { name: 'pid-file', value: true },
    { name: 'console-socket', value: true },
    { name: 'detach', short: 'd' },
    { name: 'no-pivot' },
    { name: 'no-new-keyring' },
    { name: 'preserve-fds', value: true },
    { name: 'keep' },
    { name: 'init' },
  ]);
  const c = await Container.create({
    id: oneId(p.positionals, 'run'),
    bundle: flag(p, 'bundle') ?? process.cwd(),
    root: g.root,
    systemdCgroup: g.systemdCgroup,
    pidFile: flag(p, 'pid-file'),
    consoleSocket: flag(p, 'console-socket'),
    init: isSet(p, 'init'),
    rootless: g.rootless,
  });
  return runToExit(c, isSet(p, 'detach'), isSet(p, 'keep'));
}

/** Starts a created container; in the foreground forwards SIGINT/SIGTERM/SIGHUP, waits, deletes and returns the exit code. */
export async function runToExit(c: Container, detach: boolean, keep = false): Promise<number> {
  try {
    await c.start();
  } catch (e) {
    await c.delete({ force: true }).catch(() => undefined);
    throw e;
  }
  if (detach) {
    c.process?.unref();
    return 0;
  }
  const forward = (sig: NodeJS.Signals) => c.process?.kill(sig);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  for (const s of signals) process.on(s, forward);
  const exit = await c.wait();
  for (const s of signals) process.off(s, forward);
  if (!keep) await c.delete({ force: true });
  return exit.exitCode ?? 128 + (constants.signals[exit.signal as NodeJS.Signals] ?? 0);
}

/** `kc kill ID [SIGNAL] [--all]`. */
export async function killCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [{ name: 'all', short: 'a' }]);
  const c = Container.load(oneId(p.positionals, 'kill'), g.root);
  const raw = p.positionals[1] ?? 'SIGTERM';
  const sig = /^\d+$/.test(raw) ? Number(raw) : (raw.startsWith('SIG') ? raw : `SIG${raw}`).toUpperCase();
  if (typeof sig === 'string' && constants.signals[sig as NodeJS.Signals] === undefined) throw new UsageError(`unknown signal "${raw}"`);
  // As runc: signalling a stopped container is an error (exit 1), not a silent no-op.
  if (!c.kill(sig as NodeJS.Signals | number, { all: isSet(p, 'all') }))
    throw new ContainerError(`cannot kill container "${c.id}": it is stopped`, { code: 'INVALID_STATE', hint: 'it must be created, running or paused' });
  return 0;
}

/**
 * `kc delete ID [--force]`: by id, whatever stage its create reached (what a
 * kc killed during create left, see delete.ts). As runc 1.1: `--force` of an
 * unknown id exits 0 (a retried delete finishes cleanly), plain delete 1.
 */
export async function deleteCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [{ name: 'force', short: 'f' }]);
  await Container.remove(oneId(p.positionals, 'delete'), { root: g.root, force: isSet(p, 'force') });
  return 0;
}

/** `kc pause ID` / `kc resume ID`. */
export async function freezeCommand(argv: string[], g: Globals, freeze: boolean): Promise<number> {
  const p = parseArgs(argv, []);
  const c = Container.load(oneId(p.positionals, freeze ? 'pause' : 'resume'), g.root);
  await (freeze ? c.pause() : c.resume());
  return 0;
}

/** `kc ps ID [--format table|json]`. */
export async function psCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [{ name: 'format', short: 'f', value: true }]);
  const pids = Container.load(oneId(p.positionals, 'ps'), g.root).pids();
  if (flag(p, 'format') === 'json') {
    printJson(pids, false);
    return 0;
  }
  process.stdout.write('PID\tCMD\n');
  for (const pid of pids) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      /* exited meanwhile */
    }
    process.stdout.write(`${pid}\t${cmd}\n`);
  }
  return 0;
}

/** `kc list [--format json] [--quiet]`: every container under the state root. */
export async function listCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [
    { name: 'format', short: 'f', value: true },
    { name: 'quiet', short: 'q' },
  ]);
  const states = [];
  for (const id of new StateStore(g.root).list()) {
    try {
      states.push(Container.load(id, g.root).state());
    } catch {
      /* deleted meanwhile */
    }
  }
  if (flag(p, 'format') === 'json') printJson(states);
  else for (const s of states) process.stdout.write(isSet(p, 'quiet') ? `${s.id}\n` : `${s.id}\t${s.pid}\t${s.status}\t${s.bundle}\n`);
  return 0;
}

/** `kc events ID [--stats] [--interval 5s]`: stats as JSON, or OOM and exit events as they happen. */
export async function eventsCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(argv, [{ name: 'stats' }, { name: 'interval', value: true }]);
  const c = Container.load(oneId(p.positionals, 'events'), g.root);
  const emit = (type: string, data?: unknown) => printJson({ type, id: c.id, ...(data === undefined ? {} : { data }) }, false);
  if (isSet(p, 'stats')) {
    emit('stats', c.stats());
    return 0;
  }
  const interval = Math.max(100, Number.parseFloat(flag(p, 'interval') ?? '5') * 1000);
  let ooms = c.stats().oomKills ?? 0;
  for (;;) {
    if (c.status === 'stopped') {
      emit('exit');
      return 0;
    }
    const s = c.stats();
    if ((s.oomKills ?? 0) > ooms) emit('oom');
    ooms = s.oomKills ?? ooms;
    emit('stats', s);
    await new Promise((r) => setTimeout(r, interval));
  }
}
