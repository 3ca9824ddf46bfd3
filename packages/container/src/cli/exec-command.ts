import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { parseJsonExact } from '@kc/seccomp';
import { Container } from '../lifecycle/container.js';
import type { OciCapabilityName, OciProcess } from '../oci/types.js';
import { flag, isSet, parseArgs, UsageError } from './args.js';
import type { Globals } from './args.js';

/**
 * `kc exec ID [--process process.json | CMD ARGS...] [--detach] [--pid-file F]
 * [--console-socket S] [--tty] [--env K=V]... [--cwd DIR] [--user UID[:GID]]`,
 * as runc and conmon call it.
 */
export async function execCommand(argv: string[], g: Globals): Promise<number> {
  const p = parseArgs(
    argv,
    [
      { name: 'process', short: 'p', value: true },
      { name: 'detach', short: 'd' },
      { name: 'pid-file', value: true },
      { name: 'console-socket', value: true },
      { name: 'tty', short: 't' },
      { name: 'env', short: 'e', value: true, repeat: true },
      { name: 'cwd', value: true },
      { name: 'user', short: 'u', value: true },
      { name: 'cap', short: 'c', value: true, repeat: true },
      { name: 'no-new-privs' },
      { name: 'preserve-fds', value: true },
      { name: 'additional-gids', short: 'g', value: true, repeat: true },
      { name: 'process-label', value: true },
      { name: 'apparmor', value: true },
      { name: 'cgroup', value: true, repeat: true },
    ],
    1,
  );
  const id = p.positionals[0];
  if (!id) throw new UsageError('"exec" requires a container id');
  const c = Container.load(id, g.root);
  let proc: Partial<OciProcess> & { args: string[] };
  const file = flag(p, 'process');
  if (file) {
    // Exactly, as config.json: a number JSON.parse would round (a uid, an rlimit) is refused, not changed.
    proc = parseJsonExact(readFileSync(file, 'utf8')) as OciProcess & { args: string[] };
  } else {
    if (p.rest.length === 0) throw new UsageError('"exec" needs a command or --process');
    const base = c.record.config.process;
    proc = { args: p.rest, terminal: isSet(p, 'tty') };
    const env = p.flags.get('env');
    if (env) proc.env = [...(base?.env ?? []), ...env];
    const cwd = flag(p, 'cwd');
    if (cwd) proc.cwd = cwd;
    const user = flag(p, 'user');
    if (user) {
      const [uid, gid] = user.split(':');
      proc.user = { uid: Number(uid), gid: Number(gid ?? 0) };
    }
    const caps = p.flags.get('cap');
    if (caps && base?.capabilities) {
      // `--cap` words come from the command line, unchecked by the type; unknown ones set no bit (capabilityMask).
      const add = (set: OciCapabilityName[] | undefined) => [...new Set([...(set ?? []), ...(caps as OciCapabilityName[])])];
      proc.capabilities = {
        ...base.capabilities,
        bounding: add(base.capabilities.bounding),
        effective: add(base.capabilities.effective),
        permitted: add(base.capabilities.permitted),
      };
    }
    if (isSet(p, 'no-new-privs')) proc.noNewPrivileges = true;
  }
  if (!Array.isArray(proc.args) || proc.args.length === 0) throw new UsageError('process.args must name a program');
  const child = c.exec(proc, { pidFile: flag(p, 'pid-file'), consoleSocket: flag(p, 'console-socket'), stdio: ['inherit', 'inherit', 'inherit'] });
  if (isSet(p, 'detach')) {
    child.unref();
    return 0;
  }
  const exit = await child.exited;
  return exit.exitCode ?? 128 + (constants.signals[exit.signal as NodeJS.Signals] ?? 0);
}
