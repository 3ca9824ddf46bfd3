import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CapSet } from '../cap-set.js';
import { CapsError } from '../errors.js';
import { formatCapText } from './format.js';
import { formatCapshDecode, parseCapMask } from './mask.js';
import { parseCapText } from './parse.js';

// Outputs of libcap 2.66's cap_to_text(cap_from_text(x)) on Linux 6.18 (cap_last_cap 40).
const LIBCAP: [string, string][] = [
  ['=', '='],
  ['all=eip', '=eip'],
  ['cap_chown+e', 'cap_chown=e'],
  ['=ep cap_sys_admin-e', '=ep cap_sys_admin-e'],
  ['all=e 41+p', '=e 41+p'],
  ['63+e', '= 63+e'],
  ['0x10+e', 'cap_sys_module=e'],
  ['010+e', 'cap_setpcap=e'],
  ['Cap_Chown+e', 'cap_chown=e'],
  ['cap_chown=+e', 'cap_chown=e'],
  ['cap_chown=-e', '='],
  ['cap_chown,all-e', '='],
  ['63,all+p', '=p'],
  ['all=p 63-p', '=p'],
  ['all=e 41+p 42+i', '=e 42+i 41+p'],
  ['cap_chown=eip-e+p', 'cap_chown=ip'],
  ['cap_chown=ep cap_kill=ep cap_setuid=p', 'cap_chown,cap_kill=ep cap_setuid+p'],
  [
    'cap_chown=e cap_kill=p cap_setuid=i cap_setgid=ep cap_net_raw=ip cap_sys_admin=ei cap_bpf=eip',
    'cap_bpf=eip cap_net_raw+ip cap_sys_admin+ei cap_setuid+i cap_setgid+ep cap_kill+p cap_chown+e',
  ],
];

describe('libcap text format', () => {
  it.each(LIBCAP)('%s prints as libcap does', (input, expected) => {
    expect(formatCapText(parseCapText(input))).toBe(expected);
  });

  it.each([
    ['cap_nonsense+e', 0, 'cap_nonsense'],
    ['+q', 0, '+'],
    ['cap_chown+q', 10, 'q'],
    ['CAP_CHOWN+E', 10, 'E'],
    ['cap_chown =e', 9, ' '],
    ['cap_chown+', 10, ''],
    ['64+e', 0, '64'],
    ['cap_chown=e,cap_kill+p', 11, ','],
    ['= e', 2, 'e'],
    ['chown+e', 0, 'chown'],
  ])('rejects %j at offset %i', (input, offset, token) => {
    let caught: unknown;
    try {
      parseCapText(input);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CapsError);
    const err = caught as CapsError;
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.field).toBe('text');
    expect(err.offset).toBe(offset);
    expect(err.token).toBe(token);
  });

  it('round-trips any three sets through text', () => {
    const set = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((m) => CapSet.fromMask(m));
    fc.assert(
      fc.property(set, set, set, (effective, permitted, inheritable) => {
        const text = formatCapText({ effective, permitted, inheritable });
        const back = parseCapText(text);
        expect(back.effective.equals(effective)).toBe(true);
        expect(back.permitted.equals(permitted)).toBe(true);
        expect(back.inheritable.equals(inheritable)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('follows lastCap for all and for grouping', () => {
    expect(parseCapText('all=p', { lastCap: 37 }).permitted.mask).toBe((1n << 38n) - 1n);
    const sets = parseCapText('all=p', { lastCap: 40 });
    expect(formatCapText(sets, { lastCap: 37 })).toBe('=p cap_perfmon,cap_bpf,cap_checkpoint_restore+p');
  });
});

describe('capsh --decode masks', () => {
  it('parses and prints like capsh', () => {
    expect(formatCapshDecode(parseCapMask('0x3000'))).toBe('0x0000000000003000=cap_net_admin,cap_net_raw');
    expect(formatCapshDecode(parseCapMask('12'))).toBe('0x0000000000000012=cap_dac_override,cap_fsetid');
    expect(formatCapshDecode(parseCapMask('0'))).toBe('0x0000000000000000=');
    expect(formatCapshDecode(parseCapMask('8000000000000000'))).toBe('0x8000000000000000=63');
  });

  it('rejects bad masks', () => {
    expect(() => parseCapMask('zz')).toThrow(CapsError);
    expect(() => parseCapMask('0x')).toThrow(CapsError);
    expect(() => parseCapMask('1ffffffffffffffff')).toThrow(/64 bits/);
    expect(() => parseCapMask('0x12g4')).toThrow(expect.objectContaining({ offset: 4, token: 'g', field: 'mask' }));
  });
});
