/**
 * What `kc --help` and `kc <command> --help` print: one table of commands,
 * each with a one-line summary, its usage and its flags, in runc's layout
 * (engines and people who know runc read it the same way). The flags listed
 * here are the ones each command's parser accepts; test/cli-help.privileged.test.ts
 * passes every one of them to the real CLI, so the two cannot drift apart.
 */

/** One flag as help shows it. */
export interface FlagHelp {
  /** Long name without dashes. */
  readonly name: string;
  /** One-letter alias. */
  readonly short?: string;
  /** Takes a value (shown as `value`, as runc does). */
  readonly value?: boolean;
  /** One line: what it does. */
  readonly text: string;
}

/** One command's help. */
export interface CommandHelp {
  /** One line for the command list. */
  readonly summary: string;
  /** The argument synopsis after `kc <command>`. */
  readonly usage: string;
  /** A few lines of explanation under the usage, if any. */
  readonly description?: string;
  /** Every flag the command's parser accepts. */
  readonly flags: readonly FlagHelp[];
  /** A second form of the command with its own flags (`kc run --rootfs`). */
  readonly form?: { readonly usage: string; readonly description: string; readonly flags: readonly FlagHelp[] };
}

const bundle: FlagHelp = { name: 'bundle', short: 'b', value: true, text: 'the bundle directory (holds config.json), default the current directory' };
const pidFile: FlagHelp = { name: 'pid-file', value: true, text: "write the container process's pid to this file" };
const consoleSocket: FlagHelp = {
  name: 'console-socket',
  value: true,
  text: "AF_UNIX socket that receives the pty master's fd (process.terminal: true)",
};
const noPivot: FlagHelp = { name: 'no-pivot', text: 'accepted for runc compatibility; kc always uses pivot_root' };
const noNewKeyring: FlagHelp = { name: 'no-new-keyring', text: 'accepted for runc compatibility' };
const preserveFds: FlagHelp = { name: 'preserve-fds', value: true, text: 'accepted for runc compatibility' };
const init: FlagHelp = { name: 'init', text: 'keep kc-init as PID 1 to reap zombies and forward signals' };
const detach: FlagHelp = { name: 'detach', short: 'd', text: 'return once the process runs, without waiting for it' };
const criuFlags: FlagHelp[] = [
  { name: 'image-path', value: true, text: "CRIU's image directory, default ./checkpoint" },
  { name: 'work-path', value: true, text: "directory for CRIU's work files and logs" },
  { name: 'tcp-established', text: 'allow open TCP connections' },
  { name: 'file-locks', text: 'checkpoint and restore file locks' },
  { name: 'shell-job', text: 'allow a process attached to a terminal' },
  { name: 'ext-unix-sk', text: 'allow unix sockets connected outside the container' },
  { name: 'manage-cgroups-mode', value: true, text: "cgroups mode: 'soft' or 'ignore' (kc recreates the cgroups; 'full' and 'strict' are refused)" },
  { name: 'lazy-pages', text: 'refused: post-copy migration is not supported by kc' },
  { name: 'page-server', value: true, text: 'refused: kc writes the images locally' },
  { name: 'status-fd', value: true, text: 'refused (only used with --lazy-pages)' },
  { name: 'empty-ns', value: true, text: 'refused: kc restores every namespace of the checkpoint' },
  { name: 'auto-dedup', text: 'refused: kc does not deduplicate parent images' },
];

/** Every command, in the order `kc --help` lists them. */
export const COMMANDS = {
  create: {
    summary: 'create a container from a bundle; its process waits for `kc start`',
    usage: '[command options] <container-id>',
    flags: [bundle, consoleSocket, pidFile, noPivot, noNewKeyring, preserveFds, init],
  },
  start: { summary: 'run the user process of a created container', usage: '<container-id>', flags: [] },
  run: {
    summary: 'create and start a container, wait for it and delete it',
    usage: '[command options] <container-id>',
    description: 'Runs the bundle (config.json) in the current directory or in --bundle, as runc does.',
    flags: [
      bundle,
      consoleSocket,
      detach,
      { name: 'keep', text: 'do not delete the container after it exits' },
      pidFile,
      noPivot,
      noNewKeyring,
      preserveFds,
      init,
    ],
    form: {
      usage: 'kc run --rootfs DIR [options] -- CMD [ARGS...]',
      description: "No bundle needed: kc's default secure config (Docker's capabilities and seccomp profile) around a directory.",
      flags: [
        { name: 'rootfs', value: true, text: "the container's root directory (required for this form)" },
        { name: 'memory', short: 'm', value: true, text: 'memory limit, e.g. 256M or 1G' },
        { name: 'cpus', value: true, text: 'CPU limit in CPUs, e.g. 0.5' },
        { name: 'pids', value: true, text: 'most processes at once' },
        { name: 'hostname', value: true, text: 'hostname inside, default kc' },
        { name: 'name', value: true, text: 'container id, default kc-<random>' },
        { name: 'read-only', text: 'mount the root directory read-only' },
        { name: 'env', short: 'e', value: true, text: 'set an environment variable K=V (repeatable)' },
        { name: 'cwd', short: 'w', value: true, text: 'working directory inside, default /' },
        init,
        detach,
      ],
    },
  },
  exec: {
    summary: 'run a new process inside a running container',
    usage: '[command options] <container-id> <command> [args...]',
    flags: [
      consoleSocket,
      { name: 'cwd', value: true, text: 'working directory inside the container' },
      { name: 'env', short: 'e', value: true, text: 'set an environment variable K=V (repeatable)' },
      { name: 'tty', short: 't', text: 'allocate a pseudo-terminal' },
      { name: 'user', short: 'u', value: true, text: 'run as UID[:GID]' },
      { name: 'additional-gids', short: 'g', value: true, text: 'an additional group id (repeatable)' },
      { name: 'process', short: 'p', value: true, text: 'path to a process.json (instead of a command)' },
      detach,
      pidFile,
      { name: 'process-label', value: true, text: 'accepted for runc compatibility' },
      { name: 'apparmor', value: true, text: 'accepted for runc compatibility' },
      { name: 'no-new-privs', text: 'set no_new_privs for the process' },
      { name: 'cap', short: 'c', value: true, text: 'add a capability to the process (repeatable)' },
      preserveFds,
      { name: 'cgroup', value: true, text: 'accepted for runc compatibility' },
    ],
  },
  state: { summary: "print a container's state as JSON", usage: '<container-id>', flags: [] },
  kill: {
    summary: "send a signal (default SIGTERM) to the container's process",
    usage: '[command options] <container-id> [signal]',
    flags: [{ name: 'all', short: 'a', text: 'send it to every process in the container' }],
  },
  delete: {
    summary: 'delete a container and everything it holds',
    usage: '[command options] <container-id>',
    flags: [{ name: 'force', short: 'f', text: 'kill it first if it runs; an unknown id is not an error' }],
  },
  pause: { summary: 'freeze every process in a container', usage: '<container-id>', flags: [] },
  resume: { summary: 'thaw a paused container', usage: '<container-id>', flags: [] },
  ps: {
    summary: 'list the processes in a container',
    usage: '[command options] <container-id>',
    flags: [{ name: 'format', short: 'f', value: true, text: "'table' (default) or 'json'" }],
  },
  events: {
    summary: 'print resource usage and OOM and exit events as JSON',
    usage: '[command options] <container-id>',
    flags: [
      { name: 'stats', text: 'print the statistics once and exit' },
      { name: 'interval', value: true, text: 'seconds between statistics, default 5' },
    ],
  },
  checkpoint: {
    summary: 'checkpoint a running container with CRIU',
    usage: '[command options] <container-id>',
    flags: [
      ...criuFlags.slice(0, 2),
      { name: 'leave-running', text: 'keep the container running after the checkpoint' },
      { name: 'pre-dump', text: 'copy the memory only, the container runs on (needs soft-dirty tracking)' },
      { name: 'parent-path', value: true, text: 'a pre-dump to build on, relative to --image-path' },
      ...criuFlags.slice(2),
    ],
  },
  restore: {
    summary: 'restore a container from a checkpoint',
    usage: '[command options] <container-id>',
    flags: [
      ...criuFlags,
      bundle,
      pidFile,
      { ...consoleSocket, text: 'refused: kc cannot restore a container with a terminal' },
      detach,
      { name: 'no-subreaper', text: 'accepted for runc compatibility (kc is never a subreaper)' },
      { name: 'tcp-close', text: 'refused: kc cannot restore TCP connections closed' },
      { name: 'lsm-profile', value: true, text: 'refused: kc applies no LSM label' },
      { name: 'lsm-mount-context', value: true, text: 'refused: kc applies no LSM label' },
      { name: 'no-pivot', text: 'refused: kc restores into its root with pivot_root' },
    ],
  },
  update: {
    summary: "change a live container's resource limits",
    usage: '[command options] <container-id>',
    description: "runc's meaning: a flag left out or 0 keeps the value; sizes like 512M (binary units); -1 is unlimited.",
    flags: [
      { name: 'resources', short: 'r', value: true, text: "OCI LinuxResources JSON file ('-' = standard input); the other flags are then ignored" },
      { name: 'blkio-weight', value: true, text: 'block I/O weight, 10..1000' },
      { name: 'cpu-period', value: true, text: 'CPU CFS period in microseconds' },
      { name: 'cpu-quota', value: true, text: 'CPU time in microseconds allowed per period' },
      { name: 'cpu-share', value: true, text: 'CPU shares (relative weight)' },
      { name: 'cpu-rt-period', value: true, text: 'real-time period: refused (not supported by kc)' },
      { name: 'cpu-rt-runtime', value: true, text: 'real-time runtime: refused (not supported by kc)' },
      { name: 'cpuset-cpus', value: true, text: 'CPUs to use, e.g. 0-1' },
      { name: 'cpuset-mems', value: true, text: 'memory nodes to use' },
      { name: 'kernel-memory', value: true, text: 'ignored with a warning, as runc 1.1' },
      { name: 'kernel-memory-tcp', value: true, text: 'ignored with a warning, as runc 1.1' },
      { name: 'memory', value: true, text: 'memory limit in bytes (512M, 1G; -1 unlimited)' },
      { name: 'memory-reservation', value: true, text: 'memory reservation (soft limit) in bytes' },
      { name: 'memory-swap', value: true, text: 'memory + swap limit in bytes (-1 unlimited)' },
      { name: 'pids-limit', value: true, text: 'most processes at once' },
      { name: 'l3-cache-schema', value: true, text: 'Intel RDT: refused (not supported by kc)' },
      { name: 'mem-bw-schema', value: true, text: 'Intel RDT: refused (not supported by kc)' },
    ],
  },
  list: {
    summary: 'list the containers under the state root',
    usage: '[command options]',
    flags: [
      { name: 'format', short: 'f', value: true, text: "'table' (default) or 'json'" },
      { name: 'quiet', short: 'q', text: 'print ids only' },
    ],
  },
  spec: {
    summary: 'write a default config.json (a bundle to edit)',
    usage: '[command options]',
    flags: [bundle, { name: 'rootless', text: 'not supported yet' }],
  },
  features: { summary: 'print what this runtime supports, as JSON', usage: '', flags: [] },
} satisfies Record<string, CommandHelp>;

/** A command kc knows. */
export type CommandName = keyof typeof COMMANDS;

/** The flags that come before the command. */
export const GLOBAL_FLAGS: readonly FlagHelp[] = [
  { name: 'root', value: true, text: 'directory for container state, default /run/kc' },
  { name: 'log', value: true, text: 'also write errors to this file (as conmon reads them)' },
  { name: 'log-format', value: true, text: "'text' (default) or 'json'" },
  { name: 'debug', text: 'log the command line to the --log file' },
  { name: 'criu', value: true, text: 'accepted for runc compatibility' },
  { name: 'rootless', value: true, text: 'rootless mode: true, false or auto (default auto: when not run as root)' },
  {
    name: 'systemd-cgroup',
    text: 'make cgroups through systemd (a transient scope); cgroupsPath must then be "slice:prefix:name", default system.slice:kc:<id>',
  },
  { name: 'help', short: 'h', text: 'show this help' },
  { name: 'version', short: 'v', text: 'print the version' },
];

/** True when `name` is a command kc knows. */
export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

function flagColumn(f: FlagHelp): string {
  const v = f.value ? ' value' : '';
  return f.short ? `--${f.name}${v}, -${f.short}${v}` : `--${f.name}${v}`;
}

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `   ${left.padEnd(width)}  ${right}\n`).join('');
}

const flagTable = (flags: readonly FlagHelp[]) => table(flags.map((f) => [flagColumn(f), f.text]));

/** `kc --help`: every command with its summary, the global flags, and where to read more. */
export function generalHelp(): string {
  const commands = Object.entries(COMMANDS).map(([name, c]) => [name, c.summary] as const);
  return `kc: a runc-compatible container runtime built on kc's primitives

USAGE:
   kc [global options] <command> [command options] [arguments...]
   kc run --rootfs DIR [--memory 256M] [--cpus 0.5] [--pids 64] -- CMD [ARGS...]

COMMANDS:
${table([...commands, ['help', 'show this help, or a command\'s ("kc help run")']])}
GLOBAL OPTIONS:
${flagTable(GLOBAL_FLAGS)}
Run "kc <command> --help" for a command's options.
`;
}

/** `kc <command> --help`: its usage, summary and every flag it accepts. */
export function commandHelp(name: CommandName): string {
  const c: CommandHelp = COMMANDS[name];
  let text = `NAME:\n   kc ${name} - ${c.summary}\n\nUSAGE:\n   kc ${name} ${c.usage}`.trimEnd();
  text += '\n';
  if (c.description) text += `\n   ${c.description}\n`;
  if (c.flags.length > 0) text += `\nOPTIONS:\n${flagTable(c.flags)}`;
  if (c.form) text += `\nUSAGE:\n   ${c.form.usage}\n\n   ${c.form.description}\n\nOPTIONS:\n${flagTable(c.form.flags)}`;
  return text;
}
