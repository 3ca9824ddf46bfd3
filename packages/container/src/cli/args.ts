/**
 * A small getopt-style parser for the kc CLI, accepting runc's spellings:
 * `--flag value`, `--flag=value`, `-f value`, boolean flags, and `--` to end
 * options. Flags may come before or after positionals (urfave/cli style
 * engines rely on).
 */
export interface FlagSpec {
  /** Long name without dashes. */
  name: string;
  /** One-letter alias. */
  short?: string;
  /** Takes a value. */
  value?: boolean;
  /** May repeat (values collected). */
  repeat?: boolean;
}

/** Parsed flags and positionals. */
export interface ParsedArgs {
  flags: Map<string, string[]>;
  positionals: string[];
  /** Everything after a literal `--`. */
  rest: string[];
}

/** Thrown for an unknown flag or a missing value. */
export class UsageError extends Error {}

/**
 * Thrown by {@link parseArgs} when it meets `--help` or `-h` where a flag may
 * stand (not after `--`, not in exec's command): the CLI prints the command's
 * help and exits 0, as runc does (podman probes `checkpoint --help`).
 */
export class HelpRequested extends Error {}

/** Parses `argv` against `specs`; `stopAtPositional` treats everything after the first positional as arguments (exec, friendly run). */
export function parseArgs(argv: string[], specs: FlagSpec[], stopAtPositional = 0): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short) byName.set(s.short, s);
  }
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (stopAtPositional && positionals.length >= stopAtPositional) {
      rest = argv.slice(i);
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      const body = a.replace(/^--?/, '');
      const eq = body.indexOf('=');
      const key = eq >= 0 ? body.slice(0, eq) : body;
      const spec = byName.get(key);
      if (!spec && (a === '--help' || a === '-h')) throw new HelpRequested(a);
      if (!spec) throw new UsageError(`flag provided but not defined: ${a}`);
      let value = 'true';
      if (spec.value) {
        if (eq >= 0) value = body.slice(eq + 1);
        else {
          if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: ${a}`);
          value = argv[++i] as string;
        }
      } else if (eq >= 0) value = body.slice(eq + 1);
      flags.set(spec.name, [...(spec.repeat ? (flags.get(spec.name) ?? []) : []), value]);
      continue;
    }
    positionals.push(a);
  }
  return { flags, positionals, rest };
}

/** The last value of a flag, or undefined. */
export function flag(p: ParsedArgs, name: string): string | undefined {
  return p.flags.get(name)?.at(-1);
}

/** True when a boolean flag was given (and not `=false`). */
export function isSet(p: ParsedArgs, name: string): boolean {
  const v = flag(p, name);
  return v !== undefined && v !== 'false';
}

/** Parses sizes such as `256M`, `1g`, `1024` into bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid size "${text}" (use e.g. 256M or 1G)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.floor(Number(m[1]) * mult);
}

/** Global options every command gets. */
export interface Globals {
  root: string | undefined;
  /** runc's rootless mode (global `--rootless`, default: euid != 0). */
  rootless?: boolean;
  /** runc's global `--systemd-cgroup` (create, run, restore). */
  systemdCgroup?: boolean;
}

/** The one container id a command takes (its first positional). @throws {UsageError} when it is missing. */
export function oneId(positionals: string[], command: string): string {
  const id = positionals[0];
  if (!id) throw new UsageError(`"${command}" requires a container id`);
  return id;
}
