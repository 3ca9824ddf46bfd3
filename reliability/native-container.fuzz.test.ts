import fc from 'fast-check';
import { defaultConfig, envRecord, parseCgroupLayout, parseOciMountOptions, toProcessSpec, validateConfig } from '@kc/container';
import { type ProcessSpec, validateSpec, validateSpecIdMap } from '@kc/native';
import { afterAll, describe, expect, it } from 'vitest';
import { printTallies, tally, typedOrValue } from './typed-errors.js';

// The spawn pipeline's own validator (@kc/native validateSpec) and the OCI
// config.json validator and translators (@kc/container): arbitrary input is
// rejected with INVALID_ARGUMENT before the kernel is touched.
afterAll(printTallies);
const RUNS = 1500;
const int = fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.constantFrom(-1, 2 ** 32, 1.5, Number.NaN, 2 ** 31));
const idMap = fc.array(fc.record({ containerId: int, hostId: int, size: int }), { maxLength: 4 });
const path = fc.oneof(fc.constantFrom('/', '/tmp', 'rel', '', '/a\0b', '/evil/kc-escape-test'), fc.string({ maxLength: 10 }));

const specArb = fc
  .record(
    {
      argv: fc.oneof({ weight: 10, arbitrary: fc.constant(['/bin/true']) }, fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }), fc.constant(['a\0b'])),
      namespaces: fc.array(fc.constantFrom('mnt', 'pid', 'net', 'ipc', 'uts', 'user', 'cgroup', 'time', 'nope'), { maxLength: 4 }),
      uidMap: idMap,
      gidMap: idMap,
      setgroups: fc.constantFrom('allow', 'deny', 'maybe'),
      hostname: fc.string({ maxLength: 70 }),
      env: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
      cwd: path,
      umask: fc.integer({ min: -1, max: 0o1000 }),
      rlimits: fc.array(
        fc.record({
          resource: fc.constantFrom('nofile', 'nproc', 'bogus'),
          soft: fc.oneof(int, fc.constant('unlimited')),
          hard: fc.oneof(int, fc.constant('unlimited')),
        }),
        { maxLength: 2 },
      ),
      user: fc.record({ uid: int, gid: int, groups: fc.array(int, { maxLength: 3 }) }),
      oomScoreAdj: fc.integer({ min: -1100, max: 1100 }),
      extraFds: fc.array(fc.integer({ min: -1, max: 2000 }), { maxLength: 3 }),
      stdio: fc.tuple(...[0, 1, 2].map(() => fc.oneof(fc.constantFrom('pipe', 'inherit', 'ignore', 'tty'), fc.integer({ min: -1, max: 100 })))),
      mounts: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant('rootfs'), path }),
          fc.record({ kind: fc.constant('mount'), target: path, fstype: fc.constantFrom('tmpfs', 'proc'), create: fc.constantFrom('dir', 'file', 'x') }),
          fc.constant({ kind: 'pivot' }),
          fc.record({ kind: fc.constant('mask'), path }),
        ),
        { maxLength: 4 },
      ),
      capabilities: fc.record({
        bounding: fc.bigInt({ min: -1n, max: 1n << 65n }),
        effective: fc.bigInt({ min: 0n, max: 1n << 41n }),
        permitted: fc.bigInt({ min: 0n, max: 1n << 41n }),
        inheritable: fc.constant(0n),
        ambient: fc.constant(0n),
      }),
      seccomp: fc.record({ filter: fc.uint8Array({ maxLength: 40 }) }),
      parentDeathSignal: fc.constantFrom('SIGKILL', 'SIGNOPE', 9, 99),
      sysctl: fc.dictionary(fc.constantFrom('net.ipv4.ip_forward', 'kernel.hostname', '../etc/passwd', 'a/b'), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
    },
    { requiredKeys: ['argv'], noNullPrototype: true },
  )
  .chain((full) =>
    // Keep a random few fields, so some specs are valid and each field gets exercised alone.
    fc.subarray(Object.keys(full), { maxLength: 3 }).map((keep) => Object.fromEntries(Object.entries(full).filter(([k]) => k === 'argv' || keep.includes(k)))),
  ) as unknown as fc.Arbitrary<ProcessSpec>;

describe('@kc/native validateSpec', () => {
  it('random process specs: valid or SpawnError INVALID_ARGUMENT naming a field', () => {
    const t = tally('native.validateSpec(random spec)');
    fc.assert(
      fc.property(specArb, (spec) => {
        try {
          validateSpec(spec);
          t.ok++;
        } catch (e) {
          typedOrValue(t, () => {
            throw e;
          });
          expect((e as { field?: string }).field).toBeTruthy();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('validateSpecIdMap: typed errors only', () => {
    const t = tally('native.validateSpecIdMap');
    fc.assert(
      fc.property(idMap, (m) => {
        typedOrValue(t, () => validateSpecIdMap('uidMap', m));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('@kc/container OCI config', () => {
  it('validateConfig on arbitrary JSON values: typed errors only', () => {
    const t = tally('container.validateConfig(arbitrary JSON)');
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        typedOrValue(t, () => validateConfig(v));
      }),
      { numRuns: RUNS },
    );
  });

  it('validateConfig on mutations of the default config, and toProcessSpec of what passes', () => {
    const t = tally('container.validateConfig(mutated default)→toProcessSpec');
    const base = JSON.parse(JSON.stringify(defaultConfig()));
    const keys = [
      'process.args',
      'process.user.uid',
      'process.cwd',
      'process.env',
      'process.rlimits',
      'process.capabilities.bounding',
      'root.path',
      'hostname',
      'mounts',
      'linux.namespaces',
      'linux.uidMappings',
      'linux.resources.memory.limit',
      'linux.resources.cpu.shares',
      'linux.resources.pids.limit',
      'linux.resources.devices',
      'linux.maskedPaths',
      'linux.seccomp',
      'linux.sysctl',
      'ociVersion',
      'process.oomScoreAdj',
    ];
    const mutation = fc.tuple(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 0, maxLength: 2 }), (muts) => {
        const cfg = structuredClone(base);
        for (const [k, v] of muts) {
          const parts = k.split('.');
          let o = cfg;
          for (const p of parts.slice(0, -1)) o = o[p] ??= {};
          o[parts.at(-1)!] = v;
        }
        const ok = typedOrValue(t, () => validateConfig(cfg));
        if (!ok) return;
        typedOrValue(t, () =>
          toProcessSpec(ok, {
            rootfs: '/tmp/rootfs',
            isDirectory: () => true,
            cgroupLayout: parseCgroupLayout('1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw'),
          }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('envRecord, parseOciMountOptions and parseCgroupLayout: typed errors only', () => {
    const t = tally('container.envRecord/parseOciMountOptions/parseCgroupLayout');
    const line = fc.oneof(
      fc
        .tuple(fc.nat(), fc.string({ maxLength: 6 }), fc.constantFrom('cgroup', 'cgroup2', 'tmpfs'), fc.constantFrom('rw,memory', 'rw', 'rw,cpu,cpuacct', ''))
        .map(([n, p, ty, o]) => `${n} 1 0:1 / /sys/fs/cgroup/${p} rw - ${ty} ${ty} ${o}`),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }), fc.array(line, { maxLength: 5 }), (strs, lines) => {
        typedOrValue(t, () => envRecord(strs));
        typedOrValue(t, () => parseOciMountOptions(strs));
        typedOrValue(t, () => parseCgroupLayout(lines.join('\n')));
      }),
      { numRuns: RUNS },
    );
  });
});
