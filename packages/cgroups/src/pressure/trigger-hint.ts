import { readFileSync } from 'node:fs';

/** capability(7) number of CAP_SYS_RESOURCE. */
const CAP_SYS_RESOURCE = 24;

/**
 * Whether this process has CAP_SYS_RESOURCE in its effective set, from the
 * `CapEff` line of /proc/self/status (false when it cannot be read). The
 * kernel checks the credentials the pressure file was opened with, which are
 * this process's.
 */
export function hasSysResource(status = readProcStatus()): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? ((BigInt(`0x${m[1]}`) >> BigInt(CAP_SYS_RESOURCE)) & 1n) === 1n : false;
}

function readProcStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

/**
 * Why the kernel refused a PSI trigger, when kc knows: since Linux 6.5 a
 * caller without CAP_SYS_RESOURCE may only use windows that are multiples of
 * 2 s (psi.rst, "unprivileged PSI poll()"; psi_trigger_create returns EINVAL
 * otherwise). Undefined for any other refusal.
 */
export function triggerRefusedHint(code: string, windowUs: number, privileged: boolean): string | undefined {
  if (code !== 'EINVAL' || privileged || windowUs % 2_000_000 === 0) return undefined;
  return `a PSI window of ${windowUs / 1000} ms needs CAP_SYS_RESOURCE, which this process lacks; without it the kernel accepts only multiples of 2 s (windowUs 2000000, 4000000...)`;
}
