import { execFileSync, spawn as spawnChild, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A unique id for this test run's resources. */
export const runId = `${process.pid.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(tag: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `kc-test-criu-${tag}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

let counterBinary: string | undefined;

/** Compiles test/fixtures/counter.c once per process (cc from build-essential). */
export function counterPath(dir: string): string {
  if (counterBinary && existsSync(counterBinary)) return counterBinary;
  const out = join(dir, 'counter');
  execFileSync('cc', ['-O2', '-o', out, join(fixtures, 'counter.c')]);
  counterBinary = out;
  return out;
}

/** Reads the counter file as a number (NaN while it is being rewritten). */
export function readCount(file: string): number {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return Number.NaN;
  }
}

/** Polls `cond` every 20 ms until true or `ms` elapsed. */
export async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

/** True while a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Starts a detached (setsid) child with closed stdio; Node reaps it. */
export function startDetached(argv: string[]): ChildProcess {
  const [cmd, ...args] = argv;
  return spawnChild(cmd as string, args, { detached: true, stdio: 'ignore' });
}

/** Runs `ip` with arguments; throws on failure. */
export function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Two network namespaces joined by a veth pair: a at 10.231.7.1, b at 10.231.7.2. */
export interface NetnsPair {
  a: string;
  b: string;
  addrA: string;
  addrB: string;
  remove(): void;
}

/** Creates `kc-test-<id>-a` and `-b` with a veth between them; remove() deletes exactly those. */
export function createNetnsPair(id: string): NetnsPair {
  const a = `kc-test-${id}-a`;
  const b = `kc-test-${id}-b`;
  const remove = () => {
    for (const ns of [a, b]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    }
  };
  try {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('link', 'add', `kc${id}a`, 'netns', a, 'type', 'veth', 'peer', 'name', `kc${id}b`, 'netns', b);
    ip('-n', a, 'addr', 'add', '10.231.7.1/24', 'dev', `kc${id}a`);
    ip('-n', b, 'addr', 'add', '10.231.7.2/24', 'dev', `kc${id}b`);
    for (const [ns, dev] of [
      [a, `kc${id}a`],
      [b, `kc${id}b`],
    ] as const) {
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { a, b, addrA: '10.231.7.1', addrB: '10.231.7.2', remove };
}

/**
 * Whether CRIU 4.1.1 can serve lazy pages here. Its lazy page server
 * (criu/page-pipe.c pipe_read_dest_init) grows a pipe to PIPE_MAX_SIZE pages
 * (8 * 4096 / sizeof(struct pipe_buffer) = 819 pages = 3354624 bytes) with
 * F_SETPIPE_SZ; above fs.pipe-max-size that needs CAP_SYS_RESOURCE, and when
 * it fails CRIU ignores the error and later splices to fd -1 ("page-pipe:
 * splice: -1: Bad file descriptor", criu/page-pipe.c:424).
 */
export function lazyPageServerWorks(): boolean {
  const CAP_SYS_RESOURCE = 24n;
  const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  if ((BigInt(`0x${eff}`) >> CAP_SYS_RESOURCE) & 1n) return true;
  return Number.parseInt(readFileSync('/proc/sys/fs/pipe-max-size', 'utf8'), 10) >= 819 * 4096;
}
