import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { KcProcess } from '@kc/native';

/** Collects a stream to a string. */
export async function collect(stream: Readable | null): Promise<string> {
  if (!stream) return '';
  let out = '';
  for await (const chunk of stream) out += chunk;
  return out;
}

/** Waits for a process and returns its stdout, stderr and exit status. */
export async function run(p: KcProcess): Promise<{ stdout: string; stderr: string; exitCode: number | null; signal: string | null }> {
  const [stdout, stderr, status] = await Promise.all([collect(p.stdout), collect(p.stderr), p.exited]);
  return { stdout, stderr, exitCode: status.exitCode, signal: status.signal };
}

/** Open fds of this process. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Children of this process that are zombies (exited, not reaped). */
export function zombieChildren(): number[] {
  const me = process.pid;
  const zombies: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (after[0] === 'Z' && Number(after[1]) === me) zombies.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return zombies;
}

/** Children of this process (any state). */
export function childPids(): number[] {
  const out: number[] = [];
  for (const t of readdirSync('/proc/self/task')) {
    try {
      out.push(...readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* thread gone */
    }
  }
  return out;
}

/** The namespace inode link of a process, e.g. "net:[4026531840]". */
export function nsLink(pid: number | 'self', kind: string): string {
  return readlinkSync(`/proc/${pid}/ns/${kind}`);
}

/** A field of /proc/PID/status. */
export function statusField(pid: number, field: string): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return line ? line.slice(field.length + 1).trim() : '';
}

/** Lets pending handle closes (destroyed streams, stopped watchers) finish before counting fds. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}
