/**
 * The counting container the podman checkpoint tests share (host lane:
 * podman-checkpoint; systemd lane: podman-systemd): a shell loop that counts
 * five times a second, to stdout (conmon's pipe, so `podman logs`) and to a
 * file, with a token drawn once at start. A restored process keeps its token
 * and counts on; a restarted one draws a new token and starts from 1.
 */
import { readFileSync } from 'node:fs';

/**
 * The loop, for `sh -c`. Each value is written to a temp file renamed over
 * `file`, so a reader never sees it half-written (a luck-free read).
 */
export const counter = (file: string) =>
  `t=$(cat /proc/sys/kernel/random/uuid); i=0; while true; do i=$((i+1)); echo $i; echo "$t $i" > ${file}.new; mv ${file}.new ${file}; sleep 0.2; done`;

/** `[token, count]` a container's counter last wrote (undefined before its first write). */
export function readCounter(file: string): [string, number] | undefined {
  try {
    const m = /^(\S+) (\d+)$/.exec(readFileSync(file, 'utf8').trim());
    return m ? [m[1] as string, Number(m[2])] : undefined;
  } catch {
    return undefined;
  }
}

/** The count the counter last wrote to `file`. */
export function readCount(file: string): number | undefined {
  return readCounter(file)?.[1];
}

/** The random token the counting process drew when it started. */
export function tokenOf(file: string): string | undefined {
  return readCounter(file)?.[0];
}

/** Polls the counter file until `pred` holds (15 s at most); the value that made it hold. */
export async function until(file: string, pred: (n: number) => boolean, what: string, diagnose: () => string = () => ''): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const n = readCount(file);
    if (n !== undefined && pred(n)) return n;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last count ${n}) ${diagnose()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
