/**
 * OCI lifecycle hooks (runtime-spec config.md "POSIX-platform Hooks",
 * runtime.md "Lifecycle"): each hook is a program given the container's
 * state JSON on stdin, with its own `args` (argv[0] included; `[path]` when
 * absent, as runc), `env` (empty when absent, as runc) and `timeout` in
 * seconds (SIGKILL when exceeded).
 *
 * Where each kind runs in kc:
 * - `prestart`, `createRuntime`: in the runtime namespace (kc's own), cwd =
 *   the bundle, during `create` once the container's process exists and is
 *   held (state `creating`, pid = the container's host pid).
 * - `createContainer`: in the container's namespaces (joined through its
 *   pidfd, as `exec` does), in its cgroup, as root with kc's capabilities;
 *   `path` is opened in the runtime namespace and executed through
 *   `/proc/self/fd/3`, as the spec asks. Deviation: kc's spawn pipeline has no
 *   pause point before pivot_root, so the hook runs after it — it sees the
 *   container's root as `/`, and a script's interpreter or a dynamic binary's
 *   loader resolve there (host hooks should be static binaries).
 * - `startContainer`: during `start`, before kc-init is released from the
 *   exec fifo, as a process exec'd into the container (namespaces, cgroup,
 *   user, capabilities, no_new_privs, seccomp of `process`, as runc's init
 *   runs it); `path` resolves in the container (state `created`).
 * - `poststart`: in the runtime namespace after the user's program was
 *   released (state `running`); `poststop`: in the runtime namespace after
 *   `delete` removed the container (state `stopped`, pid 0).
 *
 * A failing prestart/createRuntime/createContainer hook fails `create`,
 * which undoes everything (process, cgroup, state) and then runs the
 * poststop hooks (runtime.md: "stop the container, and continue the
 * lifecycle at step 12"); a failing startContainer hook kills the container
 * (it is then `stopped`, for `delete`). Failing poststart/poststop hooks are
 * reported through {@link HookFailureHandler} and do not abort (as runc).
 */
import { closeSync, openSync } from 'node:fs';
import type { Cgroup } from '@kc/cgroups';
import { type KcProcess, type NamespaceKind, rawCore, spawn, translateNative } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { OciHook, OciHooks, OciState } from '../oci/types.js';
import type { ContainerRecord } from '../state/container-record.js';
import { envRecord, NAMESPACE_KIND } from '../translate/process-spec.js';
import { execInContainer } from './exec.js';

/** Linux open(2) flags Node's fs.constants lacks. */
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;
/** How much of a hook's stdout and stderr an error message quotes. */
const OUTPUT_TAIL = 2048;

/** The hook kinds of runtime-spec 1.x, `prestart` deprecated but still run. */
export type HookKind = keyof OciHooks;

/**
 * Receives a failed `poststart`/`poststop` hook (which does not abort the
 * operation). Default: `process.emitWarning`.
 */
export type HookFailureHandler = (error: ContainerError) => void;

/** The default {@link HookFailureHandler}: a process warning (printed on stderr by Node). */
export const warnHookFailure: HookFailureHandler = (error) => {
  process.emitWarning(error.message, { type: 'KcHookWarning', code: 'KC_HOOK_FAILED' });
};

/** Where a hook list runs. */
export type HookPlace =
  /** kc's own namespaces; `cwd` is the bundle. */
  | { where: 'runtime'; cwd: string }
  /** The container's namespaces and cgroup, as root; `path` resolved in the runtime namespace. */
  | { where: 'container-setup'; record: ContainerRecord; cgroup: Cgroup | undefined }
  /** Exec'd into the container with its process settings; `path` resolved in the container. */
  | { where: 'container-process'; record: ContainerRecord; cgroup: Cgroup | undefined };

async function readTail(s: NodeJS.ReadableStream | null): Promise<string> {
  let out = '';
  if (!s) return out;
  try {
    for await (const chunk of s) {
      out += String(chunk);
      if (out.length > 4 * OUTPUT_TAIL) out = out.slice(-OUTPUT_TAIL);
    }
  } catch {
    /* destroyed after the grace period: keep what was read */
  }
  return out.slice(-OUTPUT_TAIL);
}

function argvOf(hook: OciHook): string[] {
  return hook.args && hook.args.length > 0 ? [...hook.args] : [hook.path];
}

function namespaceKinds(record: ContainerRecord): NamespaceKind[] {
  return [...new Set((record.config.linux?.namespaces ?? []).map((n) => NAMESPACE_KIND[n.type]))];
}

/** Starts one hook where it belongs; returns the process and fds to close once it has started. */
function startHook(hook: OciHook, place: HookPlace): KcProcess {
  const stdio: ['pipe', 'pipe', 'pipe'] = ['pipe', 'pipe', 'pipe'];
  if (place.where === 'runtime') {
    // A session (and process group) of its own, so a timeout kills what the hook started too.
    return spawn({ argv: argvOf(hook), path: hook.path, env: envRecord(hook.env), cwd: place.cwd, stdio, setsid: true });
  }
  if (place.where === 'container-process') {
    return execInContainer(place.record, place.cgroup, { args: argvOf(hook), env: hook.env ?? [], terminal: false }, { stdio, executable: hook.path });
  }
  const fds: number[] = [];
  try {
    // Opened here, in the runtime namespace; joining the mount namespace changes the root, so the child executes the fd.
    const exe = openSync(hook.path, O_PATH | O_CLOEXEC);
    fds.push(exe);
    const pidfd = translateNative(ContainerError, () => rawCore().pidfdOpen(place.record.pid), { hint: 'is the container still running?' });
    fds.push(pidfd);
    const kinds = namespaceKinds(place.record);
    return spawn({
      argv: argvOf(hook),
      path: '/proc/self/fd/3',
      env: envRecord(hook.env),
      cwd: '/',
      stdio,
      extraFds: [exe],
      ...(place.cgroup ? { cgroup: place.cgroup.spawnPlacement() } : {}), // none: rootless without a cgroup
      ...(kinds.length > 0 ? { joinPidfd: { pidfd, kinds } } : {}),
    });
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/**
 * Runs one hook to completion: the state on stdin, stdout and stderr
 * collected for the error, killed after `timeout` seconds.
 * @throws {ContainerError} HOOK_FAILED when it cannot start, exits non-zero,
 *   dies of a signal or times out.
 */
export async function runHook(kind: HookKind, index: number, hook: OciHook, state: OciState, place: HookPlace): Promise<void> {
  const name = `hooks.${kind}[${index}]`;
  let child: KcProcess;
  try {
    child = startHook(hook, place);
  } catch (e) {
    throw new ContainerError(`${name} (${hook.path}) could not be started: ${(e as Error).message}`, {
      code: 'HOOK_FAILED',
      field: name,
      path: hook.path,
      cause: e,
    });
  }
  child.stdin?.on('error', () => undefined); // a hook need not read its stdin (EPIPE)
  child.stdin?.end(`${JSON.stringify(state)}\n`);
  const out = readTail(child.stdout);
  const err = readTail(child.stderr);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  if (hook.timeout !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
      if (place.where === 'runtime') {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* the group is gone */
        }
      }
    }, hook.timeout * 1000);
  }
  try {
    const exit = await child.exited;
    // A descendant of the hook may hold its pipes open (in the container, killed with the cgroup later): the output is not waited for past a short grace.
    let grace: NodeJS.Timeout | undefined;
    const [stdout, stderr] = await Promise.race([
      Promise.all([out, err]),
      new Promise<[string, string]>((r) => {
        grace = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          r(['', '']);
        }, 200);
      }),
    ]);
    clearTimeout(grace);
    if (timedOut || exit.exitCode !== 0) {
      const why = timedOut ? `timed out after ${hook.timeout}s` : exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.exitCode}`;
      const output = [stdout.trim() && `stdout: ${stdout.trim()}`, stderr.trim() && `stderr: ${stderr.trim()}`].filter(Boolean).join(', ');
      throw new ContainerError(`${name} (${hook.path}) ${why}${output ? `; ${output}` : ''}`, { code: 'HOOK_FAILED', field: name, path: hook.path });
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Runs the hooks of `kind` in order; the first failure stops the list.
 * @throws {ContainerError} HOOK_FAILED from {@link runHook}.
 */
export async function runHooks(kind: HookKind, hooks: OciHooks | undefined, state: OciState, place: HookPlace): Promise<void> {
  const list = hooks?.[kind] ?? [];
  for (let i = 0; i < list.length; i++) await runHook(kind, i, list[i] as OciHook, state, place);
}

/**
 * Runs the hooks of `kind` without aborting (`poststart`, `poststop`): a
 * failure goes to `onFailure` and the next hook still runs (runc logs it and
 * goes on).
 */
export async function runHooksReporting(
  kind: HookKind,
  hooks: OciHooks | undefined,
  state: OciState,
  place: HookPlace,
  onFailure: HookFailureHandler = warnHookFailure,
): Promise<void> {
  const list = hooks?.[kind] ?? [];
  for (let i = 0; i < list.length; i++) {
    try {
      await runHook(kind, i, list[i] as OciHook, state, place);
    } catch (e) {
      onFailure(e instanceof ContainerError ? e : new ContainerError(String(e), { code: 'HOOK_FAILED', field: `hooks.${kind}[${i}]`, cause: e }));
    }
  }
}
