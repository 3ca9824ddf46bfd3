import { readFileSync } from 'node:fs';

/** capability(7) numbers CRIU checks at start (criu/cr-check.c check_caps). */
const CAPS: Record<number, string> = { 21: 'CAP_SYS_ADMIN', 40: 'CAP_CHECKPOINT_RESTORE' };

/** This process's effective capabilities (`CapEff` of /proc/self/status); undefined when it cannot be read. */
export function effectiveCapabilities(status?: string): bigint | undefined {
  let text = status;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(text);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}

/**
 * Why CRIU failed, when the cause is missing privileges, else undefined.
 * CRIU's RPC answer then says nothing more than "failed"; its log says
 * "Effective capability 40 missing" for each capability it lacks. CRIU
 * inherits this process's credentials, so a caller with neither
 * CAP_SYS_ADMIN nor CAP_CHECKPOINT_RESTORE is the cause too, log or not.
 * kc runs CRIU in its privileged mode (no `--unprivileged`).
 */
export function privilegeFailure(logTail: readonly string[], capEff: bigint | undefined): string | undefined {
  const missing = new Set<string>();
  for (const line of logTail) {
    const m = /Effective capability (\d+) missing/.exec(line);
    if (m) missing.add(CAPS[Number(m[1])] ?? `capability ${m[1]}`);
  }
  if (capEff !== undefined && Object.keys(CAPS).every((n) => ((capEff >> BigInt(n)) & 1n) === 0n)) {
    for (const name of Object.values(CAPS)) missing.add(name);
  }
  if (missing.size === 0) return undefined;
  const names = [...missing].sort().join(' and ');
  return `CRIU ran without ${names}, which it needs (it runs with the privileges of the process that starts it): run as root`;
}
