import { describe, expect, it } from 'vitest';
import { firstRuleWins } from './seccomp-adapter.js';

describe('firstRuleWins', () => {
  it("keeps libseccomp's first unconditional rule for a syscall listed twice", () => {
    const p = firstRuleWins({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['read', 'setns'], action: 'SCMP_ACT_ALLOW' },
        { names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
        { names: ['setns', 'clone', 'mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      ],
    });
    expect(p.syscalls?.map((r) => r.names)).toEqual([['read', 'setns'], ['clone'], ['clone', 'mount']]);
  });
});
