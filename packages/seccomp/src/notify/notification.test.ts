import { describe, expect, it } from 'vitest';
import { archInfo, X32_SYSCALL_BIT } from '../arch.js';
import { SeccompError } from '../errors.js';
import { SeccompNotification } from './notification.js';

const raw = (arch: number, nr: number) => ({ id: 7n, pid: 42, flags: 0, nr, arch, ip: 0x401000n, args: [1n, 2n, 3n, 4n, 5n, 6n] });

describe('SeccompNotification fields (no kernel needed)', () => {
  it('names the arch and the syscall, telling x32 from x86_64 by bit 30', () => {
    const x86 = new SeccompNotification(-1, raw(archInfo('x86_64').auditArch, 83));
    expect([x86.arch, x86.syscall, x86.pid, x86.instructionPointer]).toEqual(['x86_64', 'mkdir', 42, 0x401000n]);
    const x32 = new SeccompNotification(-1, raw(archInfo('x86_64').auditArch, X32_SYSCALL_BIT | 83));
    expect([x32.arch, x32.syscall]).toEqual(['x32', 'mkdir']);
    const i386 = new SeccompNotification(-1, raw(archInfo('i386').auditArch, 39));
    expect([i386.arch, i386.syscall]).toEqual(['i386', 'mkdir']);
    const unknown = new SeccompNotification(-1, raw(0x1234, 1));
    expect([unknown.arch, unknown.syscall]).toEqual([undefined, undefined]);
    expect(Object.isFrozen(x86.args)).toBe(true);
  });

  it('rejects a bad errno or fd before any ioctl', () => {
    const n = new SeccompNotification(-1, raw(archInfo('x86_64').auditArch, 83));
    for (const bad of [0, 4096, 1.5]) {
      const e = (() => {
        try {
          n.deny(bad);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(SeccompError);
      expect((e as SeccompError).field).toBe('errno');
    }
    expect(() => n.addFd(-3)).toThrow(SeccompError);
    expect(() => n.addFd(0, { targetFd: -1 })).toThrow(/targetFd/);
    expect(n.answered).toBe(false);
  });
});
