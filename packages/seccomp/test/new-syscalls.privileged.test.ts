// Linux 6.5..6.7 calls under Docker's profile, in a real child: kc's filter
// must let them reach the kernel as libseccomp's filter for the same profile
// does (libseccomp is what runc builds its filter with; Debian's 2.5.4
// knows these six), not answer EPERM as kc did with Linux 6.1 tables.
// glibc >= 2.39 calls fchmodat2 and falls back only on ENOSYS.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from '@kc/native';
import { describe, expect, it } from 'vitest';
import { tool } from '../../../test-support/tools.js';
import { libseccompCompile } from '../src/internal/libseccomp-peer.js';
import { compile, importOciSeccomp, kcDefaultPolicy, resolveDockerProfile } from '../src/index.js';

const peers = { libseccomp: tool('python3-seccomp') };
const DOCKER = new URL('../../../../shared/data/seccomp/docker-default.json', import.meta.url).pathname;

/** Each call with harmless arguments; prints "NAME RESULT ERRNO" per call. */
const SCRIPT = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
path = sys.argv[1].encode()
fd = os.open(sys.argv[1], os.O_RDONLY)
word = ctypes.c_uint32(0)
buf = ctypes.create_string_buffer(256)
def call(name, nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *args)
    print(name, r, ctypes.get_errno() if r < 0 else 0)
call('cachestat', 451, fd, buf, ctypes.byref(buf, 64), 0)
call('fchmodat2', 452, ctypes.c_int(-100), path, 0o640, 0)
call('map_shadow_stack', 453, 0, 4096, 0)
call('futex_wake', 454, ctypes.byref(word), ctypes.c_ulong(0xffffffff), 1, 0x82)
call('futex_wait', 455, ctypes.byref(word), 1, ctypes.c_ulong(0xffffffff), 0x82, None, 1)
call('futex_requeue', 456, None, 0, 1, 0)
`;

async function run(filter: Buffer, file: string): Promise<string[]> {
  const child = spawn({ argv: ['/usr/bin/python3', '-c', SCRIPT, file], noNewPrivileges: true, seccomp: { filter }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const status = await child.exited;
  expect(status.exitCode).toBe(0);
  return out.trim().split('\n');
}

describe.runIf(peers.libseccomp)("Linux 6.5..6.7 calls under Docker's profile (x86_64)", () => {
  it('reach the kernel under kc as under libseccomp (runc), none answered EPERM; also under kc default', async () => {
    const file = join(tmpdir(), `kc-test-${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, 'x');
    try {
      const { policy } = importOciSeccomp(resolveDockerProfile(JSON.parse(readFileSync(DOCKER, 'utf8')), { arch: 'x86_64' }));
      const kc = await run(compile(policy).bytes, file);
      const lib = await run(libseccompCompile(policy, 2, { newerCalls: 'skip' }), file);
      expect(kc).toEqual(lib);
      expect(kc).toHaveLength(6);
      for (const line of kc) expect(line).not.toMatch(/ 1$/); // errno 1: EPERM, the filter's answer
      // The ones that can succeed did: the mode changed, the wake found no waiter, the wait saw a changed word.
      expect(kc).toContain('fchmodat2 0 0');
      expect(kc).toContain('futex_wake 0 0');
      expect(kc).toContain('futex_wait -1 11');
      const dflt = await run(compile(kcDefaultPolicy(['x86_64'])).bytes, file);
      expect(dflt.filter((l) => !l.startsWith('map_shadow_stack'))).toEqual(kc.filter((l) => !l.startsWith('map_shadow_stack')));
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);
});
