import { KcErrorCode } from '@kc/native';
import { CapSet } from '../cap-set.js';
import { CapsError } from '../errors.js';
import { formatCapText } from '../text/format.js';
import type { CapTextOptions } from '../text/options.js';
import { parseCapText } from '../text/parse.js';
import type { FileCapabilities } from './format.js';

/**
 * File capabilities from libcap text, as `setcap TEXT FILE` reads it
 * (`cap_net_raw+ep`, `cap_net_bind_service=eip`). A file has one effective
 * bit, so like libcap's `cap_set_file`, the effective set must be empty or
 * contain every permitted and inheritable capability.
 *
 * @example
 * ```ts
 * fileCapsFromText('cap_net_raw+ep'); // { permitted: {NET_RAW}, inheritable: {}, effective: true }
 * ```
 * @throws {@link CapsError} INVALID_ARGUMENT for bad text (with `offset`/`token`) or a partial effective set.
 */
export function fileCapsFromText(text: string, options: CapTextOptions & { rootid?: number } = {}): FileCapabilities {
  const sets = parseCapText(text, options);
  const covered = sets.permitted.union(sets.inheritable);
  if (!sets.effective.isEmpty && !covered.isSubsetOf(sets.effective)) {
    throw new CapsError(`text: a file has one effective bit, so "e" must cover all of ${covered.toString()} or none of them ("${text}")`, {
      code: KcErrorCode.InvalidArgument,
      field: 'text',
      token: covered.difference(sets.effective).toString(),
      hint: 'write e.g. "cap_net_raw+ep" or "cap_net_raw+p"',
    });
  }
  return {
    permitted: sets.permitted,
    inheritable: sets.inheritable,
    effective: !sets.effective.isEmpty,
    ...(options.rootid ? { rootid: options.rootid } : {}),
  };
}

/**
 * File capabilities as libcap text, exactly as `getcap` prints them (the
 * effective set is everything permitted or inheritable when the effective
 * bit is set). `getcap -n` additionally prints ` [rootid=N]` for version 3.
 *
 * @example
 * ```ts
 * fileCapsToText({ permitted: CapSet.of('NET_RAW'), inheritable: CapSet.EMPTY, effective: true }); // 'cap_net_raw=ep'
 * ```
 */
export function fileCapsToText(caps: FileCapabilities, options: CapTextOptions = {}): string {
  const all = caps.permitted.union(caps.inheritable);
  return formatCapText({ permitted: caps.permitted, inheritable: caps.inheritable, effective: caps.effective ? all : CapSet.EMPTY }, options);
}
