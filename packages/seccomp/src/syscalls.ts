import { type ArchName, archInfo } from './arch.js';

const reverse = new Map<ArchName, Map<number, string>>();

/**
 * The number of system call `name` on `arch`, or undefined when the arch does
 * not have it (e.g. `open` on aarch64).
 *
 * @example
 * ```ts
 * syscallNumber('x86_64', 'openat'); // 257
 * ```
 */
export function syscallNumber(arch: ArchName, name: string): number | undefined {
  const t = archInfo(arch).syscalls;
  return Object.hasOwn(t, name) ? t[name] : undefined;
}

/** The name of system call `nr` on `arch`, or undefined. */
export function syscallName(arch: ArchName, nr: number): string | undefined {
  let m = reverse.get(arch);
  if (!m) {
    m = new Map(Object.entries(archInfo(arch).syscalls).map(([n, v]) => [v, n]));
    reverse.set(arch, m);
  }
  return m.get(nr);
}

/** Every system call name of `arch`, sorted by number. */
export function syscallNames(arch: ArchName): string[] {
  return Object.entries(archInfo(arch).syscalls)
    .sort((a, b) => a[1] - b[1])
    .map(([n]) => n);
}
