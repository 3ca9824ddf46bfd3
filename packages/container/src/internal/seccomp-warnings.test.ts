import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileSeccomp } from './seccomp-adapter.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('linux.seccomp names kc does not know', () => {
  it('are left out, as runc does, with one KcSeccompWarning per name', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const spec = compileSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['read', 'kc_test_no_such_call', 'write'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(spec).toBeDefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/^linux\.seccomp\.syscalls\[0\]\.names\[1\]: syscall kc_test_no_such_call is left out/);
    expect(warn.mock.calls[0]?.[1]).toEqual({ type: 'KcSeccompWarning', code: 'KC_SECCOMP_UNKNOWN_SYSCALL' });
  });

  it('a profile whose names kc all knows compiles without a warning', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    compileSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      architectures: ['SCMP_ARCH_X86_64'],
      syscalls: [{ names: ['fchmodat2', 'futex_wake'], action: 'SCMP_ACT_ALLOW' }],
    });
    expect(warn).not.toHaveBeenCalled();
  });
});
