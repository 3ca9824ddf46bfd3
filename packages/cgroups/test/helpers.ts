import { type Dirent, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Cgroup, detectLayout } from '@kc/cgroups';
import { type KcProcess, spawn } from '@kc/native';
import { tool } from '../../../test-support/tools.js';

/** The layout of the machine running the tests (hybrid on the host, unified or legacy in the VM lane). */
export const layout = detectLayout();
const unified = layout.unified ? layout.unified.mountPoint : undefined;
const has = (c: string) => layout.controllers.has(c);

/** Run-time probes of the kernel features each test needs, and of tools (which fail in the test command when missing). */
export const probe = {
  memory: has('memory'),
  pids: has('pids'),
  cpu: has('cpu') && (has('cpuacct') || layout.controllers.get('cpu')?.version === 2),
  /** Freezing: v2 core `cgroup.freeze` (non-root groups, 5.2+) or the v1 freezer controller. */
  freeze: unified !== undefined || has('freezer'),
  /** v2 core files (cgroup.events, cgroup.kill, PSI) in a v2 hierarchy. */
  v2Core: unified !== undefined,
  psi: unified !== undefined && existsSync(join(unified, 'cpu.pressure')),
  v1Memory: layout.controllers.get('memory')?.version === 1,
  v1CpuMemPids: ['memory', 'cpu', 'pids'].every((c) => layout.controllers.get(c)?.version === 1),
  cgroupTools: tool('cgroup-tools'),
  python: tool('python3'),
  devicesV1: layout.controllers.get('devices')?.version === 1,
  cc: tool('gcc'),
};

/** A unique test cgroup path. */
export function testPath(tag: string): string {
  return `kc-test-${process.pid}-${tag}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Starts argv inside `cg` through the spawn pipeline (CLONE_INTO_CGROUP on v2, pre-exec join on v1). */
export function spawnIn(cg: Cgroup, argv: string[]): KcProcess {
  return spawn({
    argv,
    cgroup: cg.spawnPlacement(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a stream to a string. */
export async function collect(stream: Readable | null): Promise<string> {
  if (!stream) return '';
  let out = '';
  for await (const chunk of stream) out += chunk;
  return out;
}

/** Every kc-test group of this process left anywhere, at any depth of any hierarchy (must be empty after each file). */
export function leakedGroups(): string[] {
  const out: string[] = [];
  const mine = `kc-test-${process.pid}-`;
  const walk = (dir: string) => {
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; /* unmounted, or removed meanwhile */
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      if (e.name.startsWith(mine)) out.push(path);
      else walk(path);
    }
  };
  for (const m of [...layout.v1.map((h) => h.mountPoint), ...(unified ? [unified] : [])]) walk(m);
  return out;
}

/** Resolves after ms. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves true once `check()` holds, polling every 10 ms, or false after `ms` (slow emulated guests need long bounds). */
export async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(10);
  }
  return check();
}
