import { describe, expect, it } from 'vitest';
import { effectiveCapabilities, privilegeFailure } from './privilege-hint.js';

// What CRIU 4.1 logs, and nothing more, when it runs as a plain user.
const nonRootLog = ['(00.000363) Version: 4.1.1 (gitid 0)', '(00.000391) Effective capability 40 missing', '(00.000400) Effective capability 21 missing'];
const root = 0x1fffeffffffn; // every capability but CAP_SYS_RESOURCE

describe('CRIU privilege failures', () => {
  it('names the capabilities CRIU logged as missing and says to run as root', () => {
    expect(privilegeFailure(nonRootLog, root)).toBe(
      'CRIU ran without CAP_CHECKPOINT_RESTORE and CAP_SYS_ADMIN, which it needs (it runs with the privileges of the process that starts it): run as root',
    );
    expect(privilegeFailure(['(00.1) Effective capability 19 missing'], root)).toMatch(/^CRIU ran without capability 19,/);
  });
  it('blames a caller that has neither CAP_SYS_ADMIN nor CAP_CHECKPOINT_RESTORE even without a log', () => {
    expect(privilegeFailure([], 0n)).toMatch(/without CAP_CHECKPOINT_RESTORE and CAP_SYS_ADMIN/);
    expect(privilegeFailure([], 1n << 40n)).toBeUndefined(); // CAP_CHECKPOINT_RESTORE alone: not this cause
    expect(privilegeFailure(['(00.2) Error (criu/mount.c:753): mnt: bad root'], root)).toBeUndefined();
  });
  it('reads the effective set from /proc/PID/status text', () => {
    expect(effectiveCapabilities('Name:\tnode\nCapEff:\t0000000000200000\n')).toBe(1n << 21n);
    expect(effectiveCapabilities('no such line')).toBeUndefined();
  });
});
