import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.js';
import { ramInBytes, resourcesFromFlags, resourcesFromJson, UPDATE_FLAGS } from './update-flags.js';

const parse = (...argv: string[]) => resourcesFromFlags(parseArgs(argv, UPDATE_FLAGS));

describe('ramInBytes (go-units RAMInBytes)', () => {
  it('reads binary multiples with optional i/b and a space', () => {
    expect(ramInBytes('512M')).toBe(512 * 1024 ** 2);
    expect(ramInBytes('64m')).toBe(64 * 1024 ** 2);
    expect(ramInBytes('1g')).toBe(1024 ** 3);
    expect(ramInBytes('2KiB')).toBe(2048);
    expect(ramInBytes('3 kb')).toBe(3072);
    expect(ramInBytes('4096')).toBe(4096);
    expect(ramInBytes('1.5k')).toBe(1536);
    expect(ramInBytes('0.3k')).toBe(307);
  });
  it('refuses what go-units refuses', () => {
    for (const bad of ['abc', '', '-5', '1x', '1MM', 'M', ' 1M', '1  M']) expect(() => ramInBytes(bad), bad).toThrow(/invalid size/);
    expect(() => ramInBytes('1.2.3M')).toThrow(/ParseFloat/);
  });
});

describe('resourcesFromFlags (runc update.go)', () => {
  it('maps each flag to its OCI field', () => {
    expect(
      parse(
        '--memory',
        '64M',
        '--memory-swap',
        '128M',
        '--memory-reservation',
        '32M',
        '--cpu-quota',
        '20000',
        '--cpu-period',
        '100000',
        '--pids-limit',
        '50',
        '--cpu-share',
        '512',
        '--cpuset-cpus',
        '0',
        '--cpuset-mems',
        '0',
        '--blkio-weight',
        '300',
        'id',
      ),
    ).toEqual({
      memory: { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20 },
      cpu: { quota: 20000, period: 100000, shares: 512, cpus: '0', mems: '0' },
      pids: { limit: 50 },
      blockIO: { weight: 300 },
    });
  });
  it('takes -1 as unlimited and a negative quota as given', () => {
    expect(parse('--memory', '-1', '--memory-swap=-1', '--cpu-quota', '-1')).toEqual({ memory: { limit: -1, swap: -1 }, cpu: { quota: -1 } });
  });
  it('leaves out flags not given', () => {
    expect(parse('id')).toEqual({});
  });
  it("refuses malformed values in runc's words", () => {
    expect(() => parse('--memory', 'abc')).toThrow("invalid value for memory: invalid size: 'abc'");
    expect(() => parse('--cpu-period', '-5')).toThrow(/invalid value for cpu-period: strconv.ParseUint/);
    expect(() => parse('--cpu-quota', '1.5')).toThrow(/invalid value for cpu-quota: strconv.ParseInt/);
    expect(() => parse('--pids-limit', 'x')).toThrow('invalid value "x" for flag -pids-limit: parse error');
    expect(() => parse('--l3-cache-schema', 'L3:0=f')).toThrow(/Intel RDT is not supported/);
  });
  it('refuses an unknown flag (runc has --cpu-share, not --cpu-shares)', () => {
    expect(() => parse('--cpu-shares', '512')).toThrow(UsageError);
  });
});

describe('resourcesFromJson', () => {
  it('reads an object and refuses anything else', () => {
    expect(resourcesFromJson('{"pids":{"limit":5}}', 'f')).toEqual({ pids: { limit: 5 } });
    expect(() => resourcesFromJson('[1]', 'f')).toThrow(/JSON object/);
    expect(() => resourcesFromJson('{', 'f')).toThrow(/not valid JSON/);
  });
});
