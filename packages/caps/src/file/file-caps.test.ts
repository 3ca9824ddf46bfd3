import { describe, expect, it } from 'vitest';
import { CapSet } from '../cap-set.js';
import { CapsError } from '../errors.js';
import { decodeFileCaps, encodeFileCaps } from './format.js';
import { fileCapsFromText, fileCapsToText } from './text.js';

// Bytes `setcap cap_net_raw+ep` (libcap 2.66) writes: revision 2 | effective, permitted word 0 = bit 13.
const SETCAP_NET_RAW_EP = Buffer.from('0100000200200000000000000000000000000000', 'hex');

describe('security.capability format', () => {
  it('decodes and encodes what setcap writes (v2)', () => {
    const fc = decodeFileCaps(SETCAP_NET_RAW_EP);
    expect(fc.version).toBe(2);
    expect(fc.effective).toBe(true);
    expect(fc.permitted.toString()).toBe('cap_net_raw');
    expect(fc.inheritable.isEmpty).toBe(true);
    expect(encodeFileCaps(fc).equals(SETCAP_NET_RAW_EP)).toBe(true);
    expect(encodeFileCaps(fileCapsFromText('cap_net_raw+ep')).equals(SETCAP_NET_RAW_EP)).toBe(true);
  });

  it('writes v3 with a rootid, v2 for rootid 0', () => {
    const v3 = encodeFileCaps({ permitted: CapSet.of('CHOWN'), inheritable: CapSet.of('KILL'), rootid: 1000 });
    expect(v3.toString('hex')).toBe('00000003010000002000000000000000' + '00000000e8030000');
    const back = decodeFileCaps(v3);
    expect(back).toMatchObject({ version: 3, rootid: 1000, effective: false });
    expect(back.inheritable.toString()).toBe('cap_kill');
    expect(encodeFileCaps({ permitted: CapSet.of(40), rootid: 0 }).length).toBe(20);
    expect(decodeFileCaps(encodeFileCaps({ permitted: CapSet.of(40, 63) })).permitted.values()).toEqual([40, 63]);
  });

  it('reads revision 1 and refuses malformed values', () => {
    const v1 = Buffer.from('010000010100000000000000', 'hex');
    expect(decodeFileCaps(v1)).toMatchObject({ version: 1, effective: true });
    expect(decodeFileCaps(v1).permitted.toString()).toBe('cap_chown');
    expect(() => decodeFileCaps(SETCAP_NET_RAW_EP.subarray(0, 16))).toThrow(CapsError);
    expect(() => decodeFileCaps(Buffer.from('00000004', 'hex'))).toThrow(/unknown revision/);
    expect(() => decodeFileCaps(Buffer.alloc(2))).toThrow(CapsError);
    expect(() => encodeFileCaps({ rootid: -1 })).toThrow(CapsError);
  });

  it('converts text like setcap and getcap', () => {
    expect(fileCapsToText(fileCapsFromText('cap_net_bind_service=eip'))).toBe('cap_net_bind_service=eip');
    expect(fileCapsToText(fileCapsFromText('cap_chown+p cap_kill+i'))).toBe('cap_kill=i cap_chown+p');
    expect(() => fileCapsFromText('cap_chown+p cap_kill+ep')).toThrow(/one effective bit/);
    expect(() => fileCapsFromText('cap_bogus+p')).toThrow(CapsError);
  });
});
