import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Container } from '@kc/container';
import { type SeccompSpec, spawn } from '@kc/native';
import { archInfo, compile, decodeProgram, emulate, importOciSeccomp, nativeArch, type OciSeccomp, toSpawnSeccomp } from '@kc/seccomp';
import { afterAll, describe, expect, it } from 'vitest';
// libseccomp (python3-seccomp) as the oracle, as @kc/seccomp's own differential tests use it.
import { libseccompCompile } from '../../seccomp/src/internal/libseccomp-peer.js';
import { kc, makeBundle, probe, tempDir, uniqueId } from './helpers.js';

const root = tempDir('kc-state-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const arch = archInfo(nativeArch() ?? 'x86_64');
const GETPPID = arch.syscalls.getppid as number;
const GETPGID = arch.syscalls.getpgid as number;
const TWO53_PLUS_1 = 2n ** 53n + 1n;
const U64_MAX = 2n ** 64n - 1n;

/** linux.seccomp with both numbers written verbatim: JSON.parse would read them as 2^53 and 2^64. */
const PROFILE = `{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 9007199254740993, "op": "SCMP_CMP_EQ"}]},
    {"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"}]}
  ]
}`;

/** A host python3 making getppid/getpgid with exact 64-bit arguments under `filter`; prints `result errno` per call. */
async function callsUnder(filter: SeccompSpec, calls: [number, bigint][]): Promise<string[]> {
  const script = [
    'import ctypes, sys',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'libc.syscall.restype = ctypes.c_long',
    'for nr, a in (tuple(int(x) for x in c.split(":")) for c in sys.argv[1:]):',
    '    ctypes.set_errno(0)',
    '    r = libc.syscall(ctypes.c_long(nr), ctypes.c_uint64(a))',
    '    print("ok" if r >= 0 else "-1", ctypes.get_errno() if r < 0 else 0)',
  ].join('\n');
  const child = spawn({
    argv: ['/usr/bin/python3', '-c', script, ...calls.map(([nr, a]) => `${nr}:${a}`)],
    noNewPrivileges: true,
    seccomp: filter,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  expect((await child.exited).exitCode).toBe(0);
  return out.trim().split('\n');
}

describe.runIf(probe.root && probe.busybox)('config.json seccomp arguments beyond 2^53 (needs root and busybox-static)', () => {
  it('kc create refuses a config whose memory limit JSON.parse would round, naming the field', () => {
    const { bundle, cleanup } = makeBundle(['true']);
    try {
      const file = join(bundle, 'config.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"linux": {', '"linux": {\n    "resources": {"memory": {"limit": 9007199254740993}},'));
      const id = uniqueId('round');
      const r = kc(['--root', root, 'create', '--bundle', bundle, id]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/linux\.resources\.memory\.limit/);
      expect(kc(['--root', root, 'state', id]).status).not.toBe(0); // nothing was created
    } finally {
      cleanup();
    }
  });

  it('are read exactly, kept exactly in state.json, and filter as libseccomp does with the same numbers', async () => {
    const { bundle, cleanup } = makeBundle(['sleep', '60']);
    const id = uniqueId('exact');
    try {
      const file = join(bundle, 'config.json');
      const text = readFileSync(file, 'utf8').replace(/"seccomp": \{[\s\S]*?\n {4}\}/, `"seccomp": ${PROFILE}`);
      expect(text).toContain('18446744073709551615');
      writeFileSync(file, text);

      const c = await Container.create({ id, bundle, root, stdio: ['ignore', 'ignore', 'ignore'] });
      try {
        await c.start();
        // What another kc process (kc exec) reads back from state.json.
        const stored = Container.load(id, root).record.config.linux?.seccomp as unknown as OciSeccomp;
        expect(stored.syscalls?.map((s) => s.args?.[0]?.value)).toEqual([TWO53_PLUS_1, U64_MAX]);
        const exec = c.exec({ args: ['true'] }, { stdio: ['ignore', 'ignore', 'ignore'] });
        expect((await exec.exited).exitCode).toBe(0);
        // The CLI (a second process) loads the same state: `kc exec` compiles the filter from it and runs.
        expect(kc(['--root', root, 'exec', id, 'true']).status).toBe(0);
        // A process.json number JSON.parse would round is refused, naming the field.
        const processFile = join(bundle, 'process.json');
        writeFileSync(processFile, '{"args": ["true"], "cwd": "/", "user": {"uid": 4294967296000000001, "gid": 0}}');
        const refused = kc(['--root', root, 'exec', '--process', processFile, id]);
        expect(refused.status).not.toBe(0);
        expect(refused.stderr).toMatch(/user\.uid/);

        const policy = importOciSeccomp(stored).policy;
        const kcFilter = compile(policy);
        const lib = decodeProgram(libseccompCompile(policy));
        const calls: [number, bigint][] = [
          [GETPPID, TWO53_PLUS_1 - 1n],
          [GETPPID, TWO53_PLUS_1],
          [GETPPID, TWO53_PLUS_1 + 1n],
          [GETPGID, U64_MAX - 1n],
          [GETPGID, U64_MAX],
          [GETPGID, 0n],
        ];
        for (const [nr, a] of calls) {
          const data = { arch: arch.auditArch, nr, args: [a] };
          expect(emulate(kcFilter.instructions, data).value).toBe(emulate(lib, data).value);
        }
        // On the kernel: only the exact numbers are denied (EPERM, EACCES); getpgid(-2) is ESRCH, getpgid(0) works.
        const expected = ['ok 0', '-1 1', 'ok 0', '-1 3', '-1 13', 'ok 0'];
        expect(await callsUnder(toSpawnSeccomp(kcFilter), calls)).toEqual(expected);
        expect(await callsUnder({ filter: libseccompCompile(policy), flags: 0 }, calls)).toEqual(expected);
      } finally {
        await c.delete({ force: true });
      }
    } finally {
      cleanup();
    }
  });
});
