/**
 * Securebits (include/uapi/linux/securebits.h, capabilities(7) "The
 * securebits flags"): per-thread flags that change how uid 0 and uid changes
 * affect capabilities. Each flag has a `_LOCKED` companion that makes it
 * permanent.
 */
export const Securebit = Object.freeze({
  /** SECBIT_NOROOT: uid 0 gets no capabilities from execve. */
  NOROOT: 1 << 0,
  /** SECBIT_NOROOT_LOCKED: NOROOT can no longer be changed. */
  NOROOT_LOCKED: 1 << 1,
  /** SECBIT_NO_SETUID_FIXUP: uid changes do not adjust the capability sets. */
  NO_SETUID_FIXUP: 1 << 2,
  /** SECBIT_NO_SETUID_FIXUP_LOCKED: NO_SETUID_FIXUP can no longer be changed. */
  NO_SETUID_FIXUP_LOCKED: 1 << 3,
  /** SECBIT_KEEP_CAPS: keep permitted capabilities when all uids leave 0 (cleared on execve). */
  KEEP_CAPS: 1 << 4,
  /** SECBIT_KEEP_CAPS_LOCKED: KEEP_CAPS can no longer be changed. */
  KEEP_CAPS_LOCKED: 1 << 5,
  /** SECBIT_NO_CAP_AMBIENT_RAISE: forbid raising ambient capabilities. */
  NO_CAP_AMBIENT_RAISE: 1 << 6,
  /** SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED: NO_CAP_AMBIENT_RAISE can no longer be changed. */
  NO_CAP_AMBIENT_RAISE_LOCKED: 1 << 7,
  /** SECBIT_EXEC_RESTRICT_FILE (Linux 6.14): interpreters should check execve permission of scripts. */
  EXEC_RESTRICT_FILE: 1 << 8,
  /** SECBIT_EXEC_RESTRICT_FILE_LOCKED: EXEC_RESTRICT_FILE can no longer be changed. */
  EXEC_RESTRICT_FILE_LOCKED: 1 << 9,
  /** SECBIT_EXEC_DENY_INTERACTIVE (Linux 6.14): interpreters should refuse interactive input. */
  EXEC_DENY_INTERACTIVE: 1 << 10,
  /** SECBIT_EXEC_DENY_INTERACTIVE_LOCKED: EXEC_DENY_INTERACTIVE can no longer be changed. */
  EXEC_DENY_INTERACTIVE_LOCKED: 1 << 11,
} as const);

/** A securebit name, e.g. `'KEEP_CAPS'`. */
export type SecurebitName = keyof typeof Securebit;

/** All securebits the kernel defines (mask 0xfff as of Linux 6.14). */
export const ALL_SECUREBITS: number = Object.values(Securebit).reduce((a, b) => a | b, 0);

/**
 * The names of the bits set in `bits`, in bit order; unknown bits as `'bit12'`.
 *
 * @example
 * ```ts
 * securebitNames(0x30); // ['KEEP_CAPS', 'KEEP_CAPS_LOCKED']
 * ```
 */
export function securebitNames(bits: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < 32; b++) {
    if (((bits >>> b) & 1) === 0) continue;
    const name = (Object.keys(Securebit) as SecurebitName[]).find((k) => Securebit[k] === 1 << b);
    out.push(name ?? `bit${b}`);
  }
  return out;
}
