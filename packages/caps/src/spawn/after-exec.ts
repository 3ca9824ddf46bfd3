import { CapSet } from '../cap-set.js';
import { Capabilities } from '../capabilities.js';
import type { FileCapabilities } from '../file/format.js';
import { Securebit } from '../securebits.js';

/** What matters about an `execve` for capabilities. */
export interface ExecContext {
  /** Real uid of the process at exec. */
  uid: number;
  /** Effective uid after exec (a setuid program changes it); default `uid`. */
  euid?: number;
  /** Capabilities of the executed file (`readFileCaps`), if any. */
  file?: FileCapabilities | null;
  /** The file is set-user-ID or set-group-ID and changes ids. */
  setid?: boolean;
  /** Securebits of the process at exec (SECBIT_NOROOT changes the root rules). */
  securebits?: number;
  /** no_new_privs is set: exec never grants capabilities the process did not have. */
  noNewPrivs?: boolean;
}

/**
 * The capability sets a program has after `execve`, from the rules of
 * capabilities(7) "Transformation of capabilities during execve()" (and
 * security/commoncap.c): P'(ambient) = file privileged ? 0 : P(ambient);
 * P'(permitted) = (P(inheritable) & F(inheritable)) | (F(permitted) &
 * P(bounding)) | P'(ambient); P'(effective) = F(effective) ? P'(permitted) :
 * P'(ambient); inheritable and bounding are unchanged. Root (uid or euid 0,
 * without SECBIT_NOROOT) counts as a file with every capability.
 *
 * @example
 * ```ts
 * // An unprivileged uid keeps exactly its ambient capabilities across exec.
 * capabilitiesAfterExec(Capabilities.only(['NET_BIND_SERVICE']), { uid: 65534 }).effective.toString(); // 'cap_net_bind_service'
 * ```
 */
export function capabilitiesAfterExec(before: Capabilities, exec: ExecContext): Capabilities {
  const euid = exec.euid ?? exec.uid;
  const file = exec.file ?? null;
  const rootRules = (exec.uid === 0 || euid === 0) && !((exec.securebits ?? 0) & Securebit.NOROOT);
  // A setuid-root program with file capabilities: the kernel ignores the root rule for it (commoncap.c).
  const ignoreRoot = file !== null && euid === 0 && exec.uid !== 0;
  let fPermitted = file?.permitted ?? CapSet.EMPTY;
  let fInheritable = file?.inheritable ?? CapSet.EMPTY;
  let fEffective = file?.effective ?? false;
  if (rootRules && !ignoreRoot) {
    fPermitted = CapSet.fromMask((1n << 64n) - 1n);
    fInheritable = fPermitted;
    fEffective = fEffective || euid === 0;
  }
  const privileged = file !== null || exec.setid === true;
  const ambient = privileged ? CapSet.EMPTY : before.ambient;
  let permitted = before.inheritable.intersect(fInheritable).union(fPermitted.intersect(before.bounding)).union(ambient);
  if (exec.noNewPrivs) permitted = permitted.intersect(before.permitted);
  const effective = fEffective ? permitted : ambient;
  return new Capabilities({
    effective,
    permitted,
    inheritable: before.inheritable,
    bounding: before.bounding,
    ambient: ambient.intersect(permitted),
  });
}
