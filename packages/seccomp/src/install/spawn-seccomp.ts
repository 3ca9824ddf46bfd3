import type { SeccompSpec } from '@kc/native';
import type { CompiledFilter } from '../bpf/compiler.js';

/** `SECCOMP_FILTER_FLAG_*` bits (include/uapi/linux/seccomp.h). */
export const SECCOMP_FILTER_FLAG = {
  /** Install the filter on every thread of the process; when a thread cannot be synchronized, seccomp(2) returns its thread id instead of 0 (Linux 3.17). */
  TSYNC: 1 << 0,
  /** Log every action but ALLOW (Linux 4.14). */
  LOG: 1 << 1,
  /** Do not enable the speculative store bypass mitigation (Linux 4.17). */
  SPEC_ALLOW: 1 << 2,
  /** seccomp(2) returns a user-notification listener fd for SECCOMP_RET_USER_NOTIF (Linux 5.0); {@link toSpawnSeccomp} asks for it through `listener`, not this bit. */
  NEW_LISTENER: 1 << 3,
  /** With TSYNC: fail with ESRCH instead of a thread id, which makes TSYNC combinable with NEW_LISTENER (Linux 5.7). */
  TSYNC_ESRCH: 1 << 4,
  /** A notified task waits killably once the supervisor has received the notification (Linux 5.19). */
  WAIT_KILLABLE_RECV: 1 << 5,
} as const;

/** Options of {@link toSpawnSeccomp}. */
export interface SpawnSeccompOptions {
  /** Log denied calls to the audit log (SECCOMP_FILTER_FLAG_LOG). */
  log?: boolean;
  /** Keep speculative store bypass enabled (SECCOMP_FILTER_FLAG_SPEC_ALLOW). */
  specAllow?: boolean;
  /** Return a user-notification listener fd as `KcProcess.seccompListenerFd` (SECCOMP_FILTER_FLAG_NEW_LISTENER). */
  listener?: boolean;
  /** With `listener`: make the notified child wait killably after the supervisor receives (Linux 5.19+). */
  waitKillableRecv?: boolean;
}

/**
 * Turns a compiled filter into the `seccomp` slot of `@kc/native`'s
 * `ProcessSpec`: the spawn pipeline installs it in the child after
 * no_new_privs and last before execve.
 *
 * @example
 * ```ts
 * const child = spawn({ argv: ['/bin/true'], noNewPrivileges: true, seccomp: toSpawnSeccomp(compile(p)) });
 * ```
 */
export function toSpawnSeccomp(filter: CompiledFilter, opts: SpawnSeccompOptions = {}): SeccompSpec {
  let flags = 0;
  if (opts.log) flags |= SECCOMP_FILTER_FLAG.LOG;
  if (opts.specAllow) flags |= SECCOMP_FILTER_FLAG.SPEC_ALLOW;
  if (opts.waitKillableRecv) flags |= SECCOMP_FILTER_FLAG.WAIT_KILLABLE_RECV;
  const spec: SeccompSpec = { filter: filter.bytes, flags };
  if (opts.listener) spec.listener = true;
  return spec;
}
