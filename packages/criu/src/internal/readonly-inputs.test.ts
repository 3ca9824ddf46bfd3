// Input arrays are readonly across the SDK (docs/vocabulary.md): CRIU options written `as const`
// type-check (tsc fails this file otherwise) and translate deeply frozen, copied into the request.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CriuClientOptions } from '../client.js';
import type { CriuRestoreOptions, DumpOptions } from '../options.js';
import { dumpOpts, restoreOpts } from './request.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const dirs = { imagesDirFd: 7, workDirFd: undefined, logFile: 'x.log' };

describe('CRIU options take readonly arrays', () => {
  it('translates frozen externals, skipped mounts, inherited fds and joined namespaces', () => {
    const dump = deepFreeze({ pid: 1, imagesDir: '/x', external: ['mnt[/data]:data'], skipMounts: ['/proc/sys'] } as const);
    expectTypeOf(dump).toMatchTypeOf<DumpOptions>();
    const d = dumpOpts(dump, dirs);
    expect([d.external, d.skipMnt]).toEqual([['mnt[/data]:data'], ['/proc/sys']]);
    const restore = deepFreeze({
      imagesDir: '/x',
      inheritFds: [{ key: 'pipe:[1]', fd: 9 }],
      joinNamespaces: [{ kind: 'net', path: '/run/netns/x' }],
    } as const);
    expectTypeOf(restore).toMatchTypeOf<CriuRestoreOptions>();
    const r = restoreOpts(restore, dirs, [4]);
    expect(r.inheritFd.map((f) => [f.key, f.fd])).toEqual([['pipe:[1]', 4]]);
    expect(r.joinNs.map((j) => j.nsFile)).toEqual(['/run/netns/x']);
    expectTypeOf({ wrapper: ['setpriv', '--'] } as const).toMatchTypeOf<CriuClientOptions>();
  });
});
