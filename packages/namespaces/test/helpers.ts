import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { spawn, type KcProcess, type ProcessSpec } from '@kc/native';

/** A short unique tag `kc<pid><rand>`, at most 12 bytes so interface names built from it stay <= 15. */
export function tag(): string {
  return `kc${process.pid % 100000}${randomBytes(2).toString('hex')}`.slice(0, 12);
}

/** Collects a stream's text. */
export function collect(stream: Readable | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (d: string) => {
    text += d;
  });
  return () => text;
}

/** Waits until `read()` contains `needle` (or times out). */
export async function waitFor(read: () => string, needle: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!read().includes(needle)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${JSON.stringify(needle)}; got ${JSON.stringify(read())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A process that sleeps in the given new namespaces until killed. */
export function holder(spec: Partial<ProcessSpec> = {}): KcProcess {
  return spawn({ argv: ['/bin/busybox', 'sleep', '600'], stdio: ['ignore', 'ignore', 'inherit'], ...spec });
}

/** Kills and reaps. */
export async function stop(p: KcProcess): Promise<void> {
  try {
    p.kill('SIGKILL'); // SIGTERM is ignored by the init of a new pid namespace
  } catch {
    // already gone
  }
  await p.exited;
}

/** Runs a peer tool and returns stdout. */
export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Interface names in the caller's network namespace, per `ip -j link`. */
export function hostLinkNames(): string[] {
  return (JSON.parse(run('ip', ['-j', 'link', 'show'])) as { ifname: string }[]).map((l) => l.ifname);
}
