// Issue 18: under Docker's seccomp profile, the Linux 6.5..6.7 calls
// (cachestat, fchmodat2, map_shadow_stack, futex_wake/wait/requeue; 451..456
// on x86_64) must do under kc what they do under runc: reach the kernel, not
// fail with the profile's EPERM. glibc >= 2.39 calls fchmodat2 and falls back
// only on ENOSYS. The same bundle runs under both; a static C program in the
// rootfs makes each call and prints the result.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveDockerProfile } from '@kc/seccomp';
import { afterAll, describe, expect, it } from 'vitest';
import type { OciSeccomp } from '../src/oci/types.js';
import { tool } from '../../../test-support/tools.js';
import { KC, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const DOCKER = new URL('../../../../shared/data/seccomp/docker-default.json', import.meta.url).pathname;
const stateRoot = tempDir('kc-newcalls-');
afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

const PROGRAM = `
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
static void call(const char *name, long r) { printf("%s %ld %d\\n", name, r, r < 0 ? errno : 0); }
int main(void) {
  int fd = open("/bin/newcalls", O_RDONLY);
  uint64_t range[2] = {0, 4096};
  char stat[64];
  uint32_t word = 0;
  errno = 0; call("cachestat", syscall(451, fd, range, stat, 0));
  errno = 0; call("fchmodat2", syscall(452, AT_FDCWD, "/bin/newcalls", 0755, 0));
  errno = 0; call("map_shadow_stack", syscall(453, 0, 4096, 0));
  errno = 0; call("futex_wake", syscall(454, &word, 0xffffffffUL, 1, 0x82));
  errno = 0; call("futex_wait", syscall(455, &word, 1, 0xffffffffUL, 0x82, NULL, 1));
  errno = 0; call("futex_requeue", syscall(456, NULL, 0, 1, 0));
  return 0;
}
`;

describe.runIf(probe.root && probe.busybox && probe.runc && tool('gcc'))(
  "Linux 6.5..6.7 calls under Docker's profile: kc as runc (needs root, busybox-static, runc, gcc)",
  () => {
    it('each of 451..456 gives the same result under kc and runc, and none the profile EPERM', () => {
      const docker = JSON.parse(readFileSync(DOCKER, 'utf8'));
      const { bundle, cleanup } = makeBundle(['/bin/newcalls'], (c) => {
        c.linux!.seccomp = resolveDockerProfile(docker, { arch: 'x86_64' }) as unknown as OciSeccomp;
      });
      const runcId = uniqueId('runc');
      const kcId = uniqueId('kc');
      try {
        const src = join(bundle, 'newcalls.c');
        writeFileSync(src, PROGRAM);
        execFileSync('gcc', ['-static', '-O1', '-o', join(bundle, 'rootfs', 'bin', 'newcalls'), src]);
        const runc = spawnSync('runc', ['--root', `${stateRoot}/runc`, 'run', '--bundle', bundle, runcId], { encoding: 'utf8', timeout: 30_000 });
        const kc = spawnSync(KC, ['--root', `${stateRoot}/kc`, 'run', '--bundle', bundle, kcId], { encoding: 'utf8', timeout: 30_000 });
        expect(runc.status, runc.stderr).toBe(0);
        expect(kc.status, kc.stderr).toBe(0);
        const lines = kc.stdout.trim().split('\n');
        expect(lines).toHaveLength(6);
        expect(kc.stdout).toBe(runc.stdout);
        for (const l of lines) expect(l).not.toMatch(/ 1$/); // EPERM: the profile's default action
        expect(lines).toContain('futex_wake 0 0');
        console.log(`451..456 under kc and runc:\n${kc.stdout}`);
      } finally {
        spawnSync('runc', ['--root', `${stateRoot}/runc`, 'delete', '--force', runcId]);
        spawnSync(KC, ['--root', `${stateRoot}/kc`, 'delete', '--force', kcId]);
        cleanup();
      }
    }, 60_000);
  },
);
