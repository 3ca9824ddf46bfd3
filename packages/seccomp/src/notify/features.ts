import { rawSeccomp, translateNative } from '@kc/native';
import { SeccompError } from '../errors.js';
import { SECCOMP_FILTER_FLAG } from '../install/spawn-seccomp.js';
import { SECCOMP_RET } from '../policy/model.js';

/** What the running kernel supports of seccomp, as {@link seccompFeatures} probed it. */
export interface SeccompFeatures {
  /** Per action (SECCOMP_GET_ACTION_AVAIL, Linux 4.14+): LOG 4.14, KILL_PROCESS 4.14, USER_NOTIF 5.0. */
  actions: Record<keyof typeof SECCOMP_RET, boolean>;
  /** Per filter flag, accepted by SECCOMP_SET_MODE_FILTER. */
  flags: Record<keyof typeof SECCOMP_FILTER_FLAG, boolean>;
  /** Structure sizes for user notification (SECCOMP_GET_NOTIF_SIZES, Linux 5.0+), or null before. */
  notifSizes: {
    /** `sizeof(struct seccomp_notif)` in the running kernel, in bytes (80 on current kernels). */
    notif: number;
    /** `sizeof(struct seccomp_notif_resp)` in bytes (24 on current kernels). */
    resp: number;
    /** `sizeof(struct seccomp_data)` in bytes (64). */
    data: number;
  } | null;
}

let cached: SeccompFeatures | undefined;

/**
 * Probes the running kernel's seccomp support, once per process: which
 * actions it knows, which filter flags SECCOMP_SET_MODE_FILTER accepts, and
 * the user-notification structure sizes. The flag probe passes a NULL program,
 * so the kernel checks the flags and then fails copying it (EFAULT): nothing
 * is ever installed in the calling process. (ADDFD support needs a listener:
 * see {@link SeccompSupervisor.addFdSupport}.)
 *
 * Privileges: none.
 * @throws {@link SeccompError} when seccomp(2) fails unexpectedly (e.g. ENOSYS without CONFIG_SECCOMP).
 * @example
 * ```ts
 * if (seccompFeatures().actions.USER_NOTIF) console.log('user notification works here');
 * ```
 */
export function seccompFeatures(): SeccompFeatures {
  if (cached) return cached;
  const raw = rawSeccomp();
  return translateNative(SeccompError, () => {
    const actions = {} as SeccompFeatures['actions'];
    for (const [name, value] of Object.entries(SECCOMP_RET)) actions[name as keyof typeof SECCOMP_RET] = raw.seccompActionAvail(value);
    const flags = {} as SeccompFeatures['flags'];
    for (const [name, bit] of Object.entries(SECCOMP_FILTER_FLAG)) {
      // WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER (kernel/seccomp.c).
      const probe = bit === SECCOMP_FILTER_FLAG.WAIT_KILLABLE_RECV ? bit | SECCOMP_FILTER_FLAG.NEW_LISTENER : bit;
      flags[name as keyof typeof SECCOMP_FILTER_FLAG] = raw.seccompFlagsSupported(probe);
    }
    let notifSizes: SeccompFeatures['notifSizes'] = null;
    try {
      notifSizes = raw.seccompNotifSizes();
    } catch (e) {
      if ((e as { code?: string }).code !== 'EINVAL') throw e;
    }
    cached = { actions, flags, notifSizes };
    return cached;
  });
}
