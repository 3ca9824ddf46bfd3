/**
 * What a process result carries (issue #18): CPU time and peak memory from
 * the kernel's rusage of the reaped child, a timeout, an AbortSignal, and the
 * collected output. Each is checked against what the child itself measured.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { tool } from '../../test-support/tools.js';
import { childPids } from './helpers.js';

const python = tool('python3') ? '/usr/bin/python3' : '';

describe('process results', () => {
  it.runIf(python)('reports the CPU time the child spent, as its own CPU clock measured it (needs python3)', async () => {
    // The child spins until its CPU clock has advanced 300 ms, then prints that clock.
    const p = spawn({
      argv: [python, '-c', 'import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\nprint(int(time.process_time() * 1e6))'],
    });
    const { stdout, status } = await p.output();
    const ownClockUs = Number(stdout.trim());
    const kernelUs = status.userCpuUs + status.systemCpuUs;
    expect(status.exitCode).toBe(0);
    expect(ownClockUs).toBeGreaterThanOrEqual(300_000);
    // rusage counts every tick the child had, up to its exit: at least what it saw, within a few ticks after.
    expect(kernelUs).toBeGreaterThanOrEqual(ownClockUs - 20_000);
    expect(kernelUs).toBeLessThan(ownClockUs + 200_000);
  });

  it.runIf(python)('reports the peak resident memory, at least what the child touched (needs python3)', async () => {
    const p = spawn({ argv: [python, '-c', 'b = bytearray(96 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1'] });
    const { status } = await p.output();
    expect(status.exitCode).toBe(0);
    expect(status.maxRssBytes).toBeGreaterThanOrEqual(96 * 1024 * 1024);
    expect(status.maxRssBytes).toBeLessThan(512 * 1024 * 1024);
  });

  it('kills the child when timeoutMs runs out and says so; a child that ends in time is not marked', async () => {
    const slow = await spawn({ argv: ['/bin/sleep', '30'], timeoutMs: 100 }).exited;
    expect(slow).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    const quick = await spawn({ argv: ['/bin/true'], timeoutMs: 10_000 }).exited;
    expect(quick).toMatchObject({ exitCode: 0, timedOut: false });
  });

  it('an AbortSignal kills the child and exited rejects with AbortError carrying the reason; an aborted one spawns nothing', async () => {
    const ac = new AbortController();
    const p = spawn({ argv: ['/bin/sleep', '30'], signal: ac.signal });
    ac.abort(new Error('user cancelled'));
    await expect(p.exited).rejects.toMatchObject({ name: 'AbortError', cause: new Error('user cancelled') });
    expect(p.exitStatus).toMatchObject({ signal: 'SIGKILL' });
    const before = childPids();
    expect(() => spawn({ argv: ['/bin/sleep', '30'], signal: ac.signal })).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(childPids()).toEqual(before);
  });

  it('output() collects stdout and stderr with the status, and truncates at maxBytes', async () => {
    const out = await spawn({ argv: ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3'] }).output();
    expect(out).toMatchObject({ stdout: 'out\n', stderr: 'err\n', truncated: false });
    expect(out.status.exitCode).toBe(3);
    const big = await spawn({ argv: ['/bin/sh', '-c', 'head -c 100000 /dev/zero | tr "\\0" x'] }).output({ maxBytes: 1000 });
    expect(big.stdout).toBe('x'.repeat(1000));
    expect(big.truncated).toBe(true);
  });

  it('refuses a timeout that is not a positive integer of milliseconds, before the kernel is touched', () => {
    for (const timeoutMs of [0, -1, 1.5, 2 ** 31]) {
      expect(() => spawn({ argv: ['/bin/true'], timeoutMs })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'timeoutMs' }));
    }
  });
});
