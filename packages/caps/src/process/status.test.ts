import { describe, expect, it } from 'vitest';
import { CapsError } from '../errors.js';
import { parseProcStatus } from './status.js';

const STATUS = `Name:\tpython3
Uid:\t65534\t65534\t65534\t65534
CapInh:\t0000000000000400
CapPrm:\t0000000000000400
CapEff:\t0000000000000400
CapBnd:\t000001fffeffffff
CapAmb:\t0000000000000400
NoNewPrivs:\t1
Seccomp:\t2
`;

describe('parseProcStatus', () => {
  it('reads the five sets, no_new_privs, seccomp and uids', () => {
    const s = parseProcStatus(STATUS);
    expect(s.capabilities.effective.toString()).toBe('cap_net_bind_service');
    expect(s.capabilities.ambient.toString()).toBe('cap_net_bind_service');
    expect(s.capabilities.bounding.mask).toBe(0x1fffeffffffn);
    expect(s.capabilities.bounding.has('SYS_RESOURCE')).toBe(false);
    expect(s.noNewPrivs).toBe(true);
    expect(s.seccompMode).toBe(2);
    expect(s.uids).toEqual([65534, 65534, 65534, 65534]);
    expect(s.capabilities.toStatusLines()).toBe(STATUS.split('\n').slice(2, 7).join('\n'));
  });

  it('rejects text without capability lines', () => {
    expect(() => parseProcStatus('Name:\tx\n')).toThrow(CapsError);
  });
});
