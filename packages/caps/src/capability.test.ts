import { describe, expect, it } from 'vitest';
import { CAPABILITIES, Cap, KNOWN_LAST_CAP, capabilityInfo, capabilityName, capabilityNumber } from './capability.js';

describe('capability table', () => {
  it('has every capability 0..40 in kernel order', () => {
    expect(CAPABILITIES).toHaveLength(41);
    expect(KNOWN_LAST_CAP).toBe(40);
    CAPABILITIES.forEach((c, i) => {
      expect(c.number).toBe(i);
      expect(c.name).toMatch(/^CAP_[A-Z_]+$/);
      expect(c.description.length).toBeGreaterThan(10);
    });
    expect(capabilityName(0)).toBe('CAP_CHOWN');
    expect(capabilityName(13)).toBe('CAP_NET_RAW');
    expect(capabilityName(21)).toBe('CAP_SYS_ADMIN');
    expect(capabilityName(40)).toBe('CAP_CHECKPOINT_RESTORE');
    expect(Cap.NET_BIND_SERVICE).toBe(10);
    expect(Cap.BPF).toBe(39);
  });

  it('resolves names in every spelling and keeps future numbers', () => {
    expect(capabilityNumber('cap_net_raw')).toBe(13);
    expect(capabilityNumber('CAP_NET_RAW')).toBe(13);
    expect(capabilityNumber('net_raw')).toBe(13);
    expect(capabilityNumber('cap_nonsense')).toBeUndefined();
    expect(capabilityName(41)).toBe('41');
    expect(capabilityInfo(63).name).toBe('63');
  });
});
