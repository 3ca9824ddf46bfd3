import { invalidArgument } from '@kc/native';
import { Capabilities } from '../capabilities.js';
import { CapsError } from '../errors.js';
import { parseCapMask } from '../text/mask.js';

/** What `/proc/PID/status` tells about a process's privileges (see proc(5)). */
export interface ProcessCapabilityStatus {
  /** The five sets (`CapInh`, `CapPrm`, `CapEff`, `CapBnd`, `CapAmb`). */
  capabilities: Capabilities;
  /** `NoNewPrivs:` (Linux 4.10+); `undefined` on older kernels. */
  noNewPrivs: boolean | undefined;
  /** `Seccomp:` mode: 0 none, 1 strict, 2 filter; `undefined` without CONFIG_SECCOMP. */
  seccompMode: number | undefined;
  /** Real, effective, saved and filesystem uid (`Uid:`). */
  uids: [number, number, number, number] | undefined;
}

const FIELDS = { CapInh: 'inheritable', CapPrm: 'permitted', CapEff: 'effective', CapBnd: 'bounding', CapAmb: 'ambient' } as const;

/**
 * Parses the text of a `/proc/PID/status` file. Pure: pass the text you read.
 *
 * @example
 * ```ts
 * parseProcStatus(readFileSync('/proc/self/status', 'utf8')).capabilities.effective.toString();
 * ```
 * @throws {@link CapsError} INVALID_ARGUMENT when a `Cap*` line is missing or not a hex mask.
 */
export function parseProcStatus(text: string): ProcessCapabilityStatus {
  const found: Partial<Record<(typeof FIELDS)[keyof typeof FIELDS], bigint>> = {};
  let noNewPrivs: boolean | undefined;
  let seccompMode: number | undefined;
  let uids: [number, number, number, number] | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key in FIELDS) found[FIELDS[key as keyof typeof FIELDS]] = parseCapMask(value).mask;
    else if (key === 'NoNewPrivs') noNewPrivs = value === '1';
    else if (key === 'Seccomp') seccompMode = Number(value);
    else if (key === 'Uid') uids = value.split(/\s+/).map(Number) as [number, number, number, number];
  }
  for (const [key, name] of Object.entries(FIELDS)) {
    // CapAmb exists since Linux 4.3; older kernels have no ambient set at all.
    if (found[name] === undefined && key !== 'CapAmb') {
      throw invalidArgument(CapsError, key, `no "${key}:" line in the status text`, 'pass the text of /proc/PID/status');
    }
  }
  return { capabilities: new Capabilities({ ...found, ambient: found.ambient ?? 0n }), noNewPrivs, seccompMode, uids };
}
