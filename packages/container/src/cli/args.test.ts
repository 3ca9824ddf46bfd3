import { describe, expect, it } from 'vitest';
import { flag, isSet, parseArgs, parseSize, UsageError } from './args.js';

const specs = [
  { name: 'bundle', short: 'b', value: true },
  { name: 'detach', short: 'd' },
  { name: 'env', short: 'e', value: true, repeat: true },
];

describe('parseArgs', () => {
  it('accepts runc spellings and flags after positionals', () => {
    const p = parseArgs(['--bundle=/b', 'id', '-d', '-e', 'A=1', '--env', 'B=2'], specs);
    expect(flag(p, 'bundle')).toBe('/b');
    expect(isSet(p, 'detach')).toBe(true);
    expect(p.flags.get('env')).toEqual(['A=1', 'B=2']);
    expect(p.positionals).toEqual(['id']);
  });
  it('stops at -- and after N positionals', () => {
    expect(parseArgs(['-b', 'x', '--', 'sh', '-c', 'x'], specs).rest).toEqual(['sh', '-c', 'x']);
    expect(parseArgs(['id', 'ls', '-la'], specs, 1)).toMatchObject({ positionals: ['id'], rest: ['ls', '-la'] });
  });
  it('rejects unknown flags and missing values', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['-b'], specs)).toThrow(/needs an argument/);
  });
});

describe('parseSize', () => {
  it('reads binary suffixes', () => {
    expect(parseSize('256M')).toBe(268435456);
    expect(parseSize('1g')).toBe(1073741824);
    expect(parseSize('4096')).toBe(4096);
    expect(() => parseSize('lots')).toThrow(UsageError);
  });
});
