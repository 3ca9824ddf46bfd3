import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawXattr } from '@kc/native';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapSet, CapsError, FILE_CAPS_XATTR, fileCapsToText, readCapLastCap, readFileCaps, removeFileCaps, writeFileCaps } from '../src/index.js';
import type { FileCapabilities } from '../src/index.js';

// Differential tests against setcap/getcap (libcap2-bin): files written by
// one are read by the other, and the raw xattr bytes are identical.
let dir: string;
const lastCap = readCapLastCap();
const kernelCaps = fc.bigInt({ min: 0n, max: (1n << BigInt(lastCap + 1)) - 1n }).map((m) => CapSet.fromMask(m));
const fileCaps = fc
  .record({ permitted: kernelCaps, inheritable: kernelCaps, effective: fc.boolean() })
  .filter((f) => !f.permitted.isEmpty || !f.inheritable.isEmpty);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), `kc-test-${process.pid}-fcaps-`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function freshFile(): string {
  const path = join(dir, `f${counter++}`);
  copyFileSync('/bin/true', path);
  return path;
}
const getcap = (path: string, ...flags: string[]) =>
  execFileSync('getcap', [...flags, path])
    .toString()
    .trim();
const setcap = (text: string, path: string, ...flags: string[]) => execFileSync('setcap', [...flags, text, path]);
const rawBytes = (path: string) => rawXattr().xattrGet(path, FILE_CAPS_XATTR);

describe.each([
  { version: 2, rootid: undefined },
  { version: 3, rootid: 100000 },
])('file capabilities v$version', ({ version, rootid }) => {
  const nFlag = rootid ? ['-n', String(rootid)] : [];
  const suffix = rootid ? ` [rootid=${rootid}]` : '';

  it('reads setcap-written files as getcap does (40 files)', () => {
    for (const caps of fc.sample(fileCaps, { numRuns: 40, seed: version })) {
      const path = freshFile();
      const text = fileCapsToText(caps, { lastCap });
      setcap(text, path, ...nFlag);
      const got = readFileCaps(path);
      expect(got?.version).toBe(version);
      expect(got?.rootid).toBe(rootid);
      expect(got?.permitted.mask).toBe(caps.permitted.mask);
      expect(got?.inheritable.mask).toBe(caps.inheritable.mask);
      expect(got?.effective).toBe(caps.effective);
      expect(`${path} ${fileCapsToText(got as FileCapabilities, { lastCap })}${suffix}`).toBe(getcap(path, '-n'));
    }
  });

  it('writes files getcap reads identically, with setcap-identical bytes (40 files)', () => {
    for (const caps of fc.sample(fileCaps, { numRuns: 40, seed: 100 + version })) {
      const [ours, theirs] = [freshFile(), freshFile()];
      const text = fileCapsToText(caps, { lastCap });
      writeFileCaps(ours, caps, { rootid });
      setcap(text, theirs, ...nFlag);
      expect(getcap(ours, '-n')).toBe(`${ours} ${text}${suffix}`);
      expect(rawBytes(ours)?.toString('hex')).toBe(rawBytes(theirs)?.toString('hex'));
    }
  });
});

describe('file capability edge cases', () => {
  it('writes from text like setcap and removes like setcap -r', () => {
    const path = freshFile();
    writeFileCaps(path, 'cap_net_raw,cap_net_admin+ep');
    expect(getcap(path)).toBe(`${path} cap_net_admin,cap_net_raw=ep`);
    expect(removeFileCaps(path)).toBe(true);
    expect(getcap(path)).toBe('');
    expect(readFileCaps(path)).toBeNull();
    expect(removeFileCaps(path)).toBe(false);
  });

  it('refuses symlinks, partial effective sets and missing files with typed errors', () => {
    const target = freshFile();
    const link = join(dir, `link${counter++}`);
    symlinkSync(target, link);
    expect(() => writeFileCaps(link, 'cap_chown+ep')).toThrow(CapsError);
    expect(() => writeFileCaps(target, 'cap_chown+p cap_kill+ep')).toThrow(/one effective bit/);
    expect(readFileCaps(target)).toBeNull();
    try {
      readFileCaps(join(dir, 'missing'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CapsError);
      expect((e as CapsError).code).toBe('ENOENT');
    }
  });
});
