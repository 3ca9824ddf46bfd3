import { describe, expect, it } from 'vitest';
import { hasSysResource, triggerRefusedHint } from './trigger-hint.js';

describe('PSI trigger refusal hint', () => {
  it('names CAP_SYS_RESOURCE for an EINVAL of a window that is not a multiple of 2 s, without that capability', () => {
    expect(triggerRefusedHint('EINVAL', 500_000, false)).toMatch(/500 ms needs CAP_SYS_RESOURCE.*multiples of 2 s/);
    expect(triggerRefusedHint('EINVAL', 3_000_000, false)).toMatch(/3000 ms needs CAP_SYS_RESOURCE/);
  });
  it('says nothing when the window, the capability or the errno rules that cause out', () => {
    expect(triggerRefusedHint('EINVAL', 4_000_000, false)).toBeUndefined();
    expect(triggerRefusedHint('EINVAL', 500_000, true)).toBeUndefined();
    expect(triggerRefusedHint('EOPNOTSUPP', 500_000, false)).toBeUndefined();
  });
  it('reads CAP_SYS_RESOURCE (bit 24) from the CapEff line', () => {
    // This machine's set: every capability but CAP_SYS_RESOURCE.
    expect(hasSysResource('Name:\tnode\nCapEff:\t000001fffeffffff\n')).toBe(false);
    expect(hasSysResource('CapEff:\t0000000001000000\n')).toBe(true);
    expect(hasSysResource('no caps line')).toBe(false);
  });
});
