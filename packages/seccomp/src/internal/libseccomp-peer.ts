import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Compiles `policy` with libseccomp (default optimiser 1, binary tree 2) and returns its BPF bytes. */
export function libseccompCompile(policy: Policy, optimize: 1 | 2 = 1): Buffer {
  const spec = {
    defaultAction: actionValue(policy.defaultAction),
    badArchAction: actionValue(policy.badArchAction ?? { kind: 'kill_process' }),
    arches: policy.arches,
    optimize,
    rules: policy.rules.map((r) => ({
      syscall: r.syscall,
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
