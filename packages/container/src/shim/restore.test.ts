import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { redirectedImages } from './restore.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('redirectedImages', () => {
  it('links every image and points the dumped stdio files at the new fifos, /dev/null where there is none, leaving pipes to CRIU', () => {
    const base = mkdtempSync(join(tmpdir(), 'kc-redirect-'));
    dirs.push(base);
    const src = join(base, 'cp');
    mkdirSync(src);
    writeFileSync(join(src, 'core-1.img'), 'core');
    const dumped = [
      { fd: 0, key: 'pipe:[7]', path: 'pipe:[7]' },
      { fd: 1, key: 'file[1b:2]', path: '/run/old/stdout' },
      { fd: 2, key: 'file[1b:3]', path: '/run/old/stderr' },
    ];
    writeFileSync(join(src, 'descriptors.json'), JSON.stringify(dumped));
    const into = redirectedImages(src, join(base, 'new'), { stdin: '/run/new/stdin', stdout: '/run/new/stdout', stderr: '' });
    expect(statSync(join(into, 'core-1.img')).ino).toBe(statSync(join(src, 'core-1.img')).ino);
    expect(JSON.parse(readFileSync(join(into, 'descriptors.json'), 'utf8'))).toEqual([
      { fd: 0, key: 'pipe:[7]', path: 'pipe:[7]' },
      { fd: 1, key: 'file[1b:2]', path: '/run/new/stdout' },
      { fd: 2, key: 'file[1b:3]', path: '/dev/null' },
    ]);
    // containerd's checkpoint stays as it was.
    expect(JSON.parse(readFileSync(join(src, 'descriptors.json'), 'utf8'))).toEqual(dumped);
  });
});
