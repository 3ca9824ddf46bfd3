import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { spawn } from '@kc/native';
import { describe, expect, it } from 'vitest';
import {
  Capabilities,
  CapsError,
  PODMAN_DEFAULT_CAPS,
  capget,
  formatCapText,
  readCapLastCap,
  readNoNewPrivs,
  readProcessStatus,
  readSecurebits,
  toSpawnCapabilities,
} from '../src/index.js';

// Reading capability state of processes, checked against getpcaps and the kernel's own files.
const lastCap = readCapLastCap();
const getpcaps = (pid: number) =>
  execFileSync('getpcaps', [String(pid)])
    .toString()
    .trim();

describe('process capabilities', () => {
  it('reads cap_last_cap', () => {
    expect(lastCap).toBe(Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')));
  });

  it('reads this process and pid 1 as getpcaps does, from /proc and from capget', () => {
    for (const pid of [process.pid, 1]) {
      const fromProc = readProcessStatus(pid).capabilities;
      const fromCapget = capget(pid);
      expect(fromCapget.effective.equals(fromProc.effective)).toBe(true);
      expect(fromCapget.permitted.equals(fromProc.permitted)).toBe(true);
      expect(fromCapget.inheritable.equals(fromProc.inheritable)).toBe(true);
      expect(`${pid}: ${formatCapText(fromCapget, { lastCap })}`).toBe(getpcaps(pid));
    }
    expect(readProcessStatus('self').capabilities.equals(readProcessStatus(process.pid).capabilities)).toBe(true);
  });

  it('reads a spawned child: its five sets and no_new_privs; the calling thread has no securebits', async () => {
    const asked = new Capabilities({ bounding: PODMAN_DEFAULT_CAPS, effective: PODMAN_DEFAULT_CAPS, permitted: PODMAN_DEFAULT_CAPS });
    const child = spawn({
      argv: ['/bin/busybox', 'sleep', '30'],
      capabilities: toSpawnCapabilities(asked),
      noNewPrivileges: true,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    try {
      // The child execs asynchronously; wait until /proc shows busybox.
      for (let i = 0; i < 200 && !readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').includes('sleep'); i++) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const status = readProcessStatus(child.pid);
      expect(status.capabilities.equals(asked)).toBe(true);
      expect(status.noNewPrivs).toBe(true);
      expect(readNoNewPrivs(child.pid)).toBe(true);
      expect(capget(child.pid).permitted.equals(PODMAN_DEFAULT_CAPS)).toBe(true);
      expect(`${child.pid}: ${formatCapText(capget(child.pid), { lastCap })}`).toBe(getpcaps(child.pid));
    } finally {
      child.kill('SIGKILL');
      await child.exited;
    }
    expect(readNoNewPrivs('self')).toBe(false);
    expect(readSecurebits()).toBe(0);
  });

  it('reports a missing process with a typed error', () => {
    const gone = 0x3ffffff;
    expect(() => readProcessStatus(gone)).toThrow(CapsError);
    expect(() => capget(gone)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: 'capget' }));
  });
});
