import { JsonError } from '@kc/seccomp';
import { describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import type { ContainerRecord } from '../state/container-record.js';
import { recordFromJson, recordToJson } from '../state/record-json.js';
import { defaultConfig } from './default-config.js';
import { parseConfigJson } from './read-config.js';
import type { OciConfig } from './types.js';
import { validateConfig } from './validate.js';

const FILE = '/bundle/config.json';

/** default config as text, with `raw` (a JSON fragment, numbers verbatim) put in place of the marker string at `edit`. */
function configText(edit: (c: Record<string, any>) => void, raw: string): string {
  const c = structuredClone(defaultConfig({ args: ['/bin/true'] })) as Record<string, any>;
  edit(c);
  return JSON.stringify(c, null, 2).replace('"@RAW@"', raw);
}

function containerError(fn: () => unknown): ContainerError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContainerError);
    expect((e as ContainerError).code).toBe('INVALID_ARGUMENT');
    expect((e as ContainerError).path).toBe(FILE);
    return e as ContainerError;
  }
  return expect.unreachable('no error thrown');
}

const bigArg = (c: Record<string, any>) => {
  c.linux.seccomp.syscalls.push({ names: ['getppid'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: '@RAW@', op: 'SCMP_CMP_EQ' }] });
};

describe('config.json is read with exact numbers', () => {
  it('a seccomp argument beyond 2^53 becomes a bigint that validates', () => {
    const config = validateConfig(parseConfigJson(configText(bigArg, '9007199254740993'), FILE));
    const rules = config.linux?.seccomp?.syscalls ?? [];
    expect(rules.at(-1)?.args?.[0]?.value).toBe(9007199254740993n);
  });

  it.each([
    ['linux.resources.memory.limit', (c: Record<string, any>) => (c.linux.resources = { memory: { limit: '@RAW@' } }), '9007199254740993'],
    ['process.user.uid', (c: Record<string, any>) => (c.process.user.uid = '@RAW@'), '1e16'],
    ['process.rlimits[0].hard', (c: Record<string, any>) => (c.process.rlimits[0].hard = '@RAW@'), '18446744073709551615'],
    ['linux.seccomp.syscalls[0].errnoRet', (c: Record<string, any>) => (c.linux.seccomp.syscalls[0].errnoRet = '@RAW@'), '9007199254740993'],
  ])('an integer JSON.parse would round is refused at %s', (field, edit, raw) => {
    const e = containerError(() => parseConfigJson(configText(edit, raw), FILE));
    expect(e.field).toBe(field);
    expect(e.cause).toBeInstanceOf(JsonError);
    expect(e.message).toMatch(/line \d+, column \d+/);
  });

  it('broken JSON is refused naming the value where it broke (`config` at the top) and its position', () => {
    const e = containerError(() => parseConfigJson('{\n  "ociVersion": "1.0.2",\n  "root": }', FILE));
    expect(e.field).toBe('root');
    expect(e.message).toMatch(/line 3, column 11/);
    expect(containerError(() => parseConfigJson('{"ociVersion": ', FILE)).field).toBe('ociVersion');
    expect(containerError(() => parseConfigJson('', FILE)).field).toBe('config');
  });

  it('state.json keeps the bigint operands of the config (kc exec compiles the filter again from it)', () => {
    const config = validateConfig(parseConfigJson(configText(bigArg, '18446744073709551615'), FILE)) as OciConfig;
    const record = { id: 'x', config } as unknown as ContainerRecord;
    const back = recordFromJson(recordToJson(record));
    expect(back.config.linux?.seccomp?.syscalls?.at(-1)?.args?.[0]?.value).toBe(18446744073709551615n);
    expect(back).toEqual(record);
  });
});
