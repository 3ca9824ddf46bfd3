import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapSet, Capabilities, DOCKER_DEFAULT_CAPS, Securebit, capabilitiesAfterExec, parseProcStatus, toSpawnCapabilities } from '../src/index.js';
import { run } from './helpers/run.js';

// Kernel effects of the capabilities slot of kc's spawn pipeline, checked
// from outside: what the child can do, and its own /proc/self/status.
const NOBODY = 65534;
let dir: string;
let victim: string;

// Binds port 80 in the child's own network namespace (so no host service is
// touched), tries to chown a file, prints its status, then execs busybox to
// show the status after a second execve.
const PROBE = `
import json, os, socket, sys
out = {}
s = socket.socket()
try:
    s.bind(('0.0.0.0', 80)); out['bind'] = 'ok'
except OSError as e:
    out['bind'] = e.errno
try:
    os.chown(sys.argv[1], 0, 0); out['chown'] = 'ok'
except OSError as e:
    out['chown'] = e.errno
out['status'] = open('/proc/self/status').read()
print(json.dumps(out), flush=True)
os.execv('/bin/busybox', ['busybox', 'cat', '/proc/self/status'])
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), `kc-test-${process.pid}-spawn-`));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'probe.py'), PROBE);
  victim = join(dir, 'victim');
  writeFileSync(victim, '');
  chownSync(victim, NOBODY, NOBODY);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function probe(caps: Capabilities) {
  const r = await run({
    argv: ['/usr/bin/python3', join(dir, 'probe.py'), victim],
    user: { uid: NOBODY, gid: NOBODY, groups: [] },
    namespaces: ['net'],
    capabilities: toSpawnCapabilities(caps),
  });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  const newline = r.stdout.indexOf('\n');
  const first = JSON.parse(r.stdout.slice(0, newline)) as { bind: string | number; chown: string | number; status: string };
  return { ...first, python: parseProcStatus(first.status).capabilities, afterSecondExec: parseProcStatus(r.stdout.slice(newline + 1)).capabilities };
}

describe('spawn with capabilities', () => {
  it('a nobody child with only CAP_NET_BIND_SERVICE binds port 80 and cannot chown', async () => {
    const asked = Capabilities.only(['NET_BIND_SERVICE']);
    const r = await probe(asked);
    expect(r.bind).toBe('ok');
    expect(r.chown).toBe(1); // EPERM
    // Exactly the asked sets, after the first execve and after a second one (ambient survives exec).
    expect(r.python.toJSON()).toEqual(asked.toJSON());
    expect(r.afterSecondExec.toJSON()).toEqual(asked.toJSON());
    expect(capabilitiesAfterExec(asked, { uid: NOBODY }).equals(r.python)).toBe(true);
  });

  it('without ambient, a non-root program loses permitted capabilities at exec, as capabilities(7) says', async () => {
    const nbs = CapSet.of('NET_BIND_SERVICE');
    const asked = new Capabilities({ effective: nbs, permitted: nbs, inheritable: nbs, bounding: nbs });
    const r = await probe(asked);
    expect(r.bind).toBe(13); // EACCES
    expect(r.chown).toBe(1);
    expect(r.python.permitted.isEmpty).toBe(true);
    expect(r.python.inheritable.equals(nbs)).toBe(true);
    expect(r.python.equals(capabilitiesAfterExec(asked, { uid: NOBODY }))).toBe(true);
  });

  it('root with the Docker default set ends with exactly that set', async () => {
    const asked = new Capabilities({ bounding: DOCKER_DEFAULT_CAPS, effective: DOCKER_DEFAULT_CAPS, permitted: DOCKER_DEFAULT_CAPS });
    const r = await run({ argv: ['/bin/busybox', 'cat', '/proc/self/status'], capabilities: toSpawnCapabilities(asked) });
    const got = parseProcStatus(r.stdout).capabilities;
    expect(got.toStatusLines()).toContain('CapBnd:\t00000000a80425fb');
    expect(got.equals(asked)).toBe(true);
    expect(got.equals(capabilitiesAfterExec(asked, { uid: 0 }))).toBe(true);
  });

  it('sets securebits and no_new_privs, as capsh --print reports in the child', async () => {
    const asked = new Capabilities({ bounding: DOCKER_DEFAULT_CAPS, effective: DOCKER_DEFAULT_CAPS, permitted: DOCKER_DEFAULT_CAPS });
    const securebits = Securebit.NOROOT | Securebit.NOROOT_LOCKED;
    const r = await run({
      argv: ['/usr/sbin/capsh', '--print'],
      capabilities: toSpawnCapabilities(asked, { securebits }),
      noNewPrivileges: true,
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Securebits: 03\/0x3\/.* \(no-new-privs=1\)$/m);
    expect(r.stdout).toMatch(/^ secure-noroot: yes \(locked\)$/m);
    // SECBIT_NOROOT: uid 0 gained nothing from exec.
    expect(r.stdout).toMatch(/^Current: =$/m);
    expect(capabilitiesAfterExec(asked, { uid: 0, securebits }).effective.isEmpty).toBe(true);
  });
});
