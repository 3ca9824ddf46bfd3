import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { archInfo } from '../arch.js';
import { actionValue, type Policy } from '../policy/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(here, '..', '..', 'scripts', 'libseccomp-export.py');
const PYTHON = '/usr/bin/python3';

/** True when Debian's python3-seccomp can be imported (the libseccomp peer of tests and benchmarks). */
export function hasLibseccompPython(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import seccomp'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles `policy` with libseccomp (default optimiser 1, binary tree 2) and
 * returns its BPF bytes. Calls newer than this libseccomp (2.5.4 knows Linux
 * 6.x's calls, kc's tables are newer) it cannot take by name, nor by number on
 * an arch other than the host's: with `newerCalls: 'prologue'` (default, for
 * the differential: both compile the same rules) an unconditional rule for
 * one becomes a check of that arch and number in front of libseccomp's
 * program; with `'skip'` (for instruction counts: libseccomp's own program)
 * such rules are left out, as libseccomp-based runtimes leave them out.
 */
export function libseccompCompile(policy: Policy, optimize: 1 | 2 = 1, opts: { newerCalls?: 'prologue' | 'skip' } = {}): Buffer {
  const spec = {
    defaultAction: actionValue(policy.defaultAction),
    badArchAction: actionValue(policy.badArchAction ?? { kind: 'kill_process' }),
    arches: policy.arches,
    optimize,
    newerCalls: opts.newerCalls ?? 'prologue',
    rules: policy.rules.map((r) => ({
      syscall: r.syscall,
      numbers: Object.fromEntries(policy.arches.flatMap((a) => (Object.hasOwn(archInfo(a).syscalls, r.syscall) ? [[a, archInfo(a).syscalls[r.syscall]]] : []))),
      action: actionValue(r.action),
      args: (r.args ?? []).map((a) => ({
        index: a.index,
        op: a.op,
        value: String(a.value),
        mask: String(a.mask ?? (1n << 64n) - 1n),
      })),
    })),
  };
  return execFileSync(PYTHON, [SCRIPT], {
    input: JSON.stringify(spec),
    maxBuffer: 1 << 24,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
}
