/**
 * kc's cgroup v2 device program against the kernel. The oracle is the
 * kernel's own cgroup v1 devices controller: the same rule list is written to
 * a v1 group's devices.allow/deny files and compiled to an eBPF program
 * attached to a v2 group, and a probe asks both the same questions (mknod,
 * open for reading, open for writing) from inside. On a hybrid host both run
 * at once; on a unified host (VM lane) the v1 side is absent and the program
 * is checked against the rules' meaning and the emulator.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessBits } from '../src/devices/state.js';
import {
  attachDeviceRules,
  attachedDevicePrograms,
  decodeEbpf,
  type DeviceRule,
  deviceAllowed,
  deviceProgram,
  deviceState,
  emulateDeviceProgram,
  withDefaultDeviceRules,
} from '@kc/cgroups';
import { spawn } from '@kc/native';
import { useFuzzSeed } from '../../../test-support/seed.js';
import { tool } from '../../../test-support/tools.js';
import { layout } from './helpers.js';

const v2Root = layout.unified?.mountPoint;
const v1Devices = layout.controllers.get('devices')?.version === 1 ? layout.controllers.get('devices')?.mountPoint : undefined;
/** cgroup BPF device programs: a v2 hierarchy and bpf(2) (CONFIG_CGROUP_BPF). */
const bpfDevices = v2Root !== undefined && tool('gcc');

/** Devices the probe asks about: harmless to open, or absent (ENXIO means the controller let it pass). */
const DEVICES = ['c:1:3', 'c:1:5', 'c:1:7', 'c:1:8', 'c:1:9', 'c:5:0', 'c:5:2', 'c:10:200', 'c:10:232', 'c:136:0', 'c:250:0', 'b:7:0', 'b:7:1', 'b:250:0'];

let work = '';
let probe = '';

/** Runs the probe in a process started in the given placement; returns "t:ma:mi m=X r=X w=X" lines. */
async function ask(cgroup: { fd?: number; procsFiles?: string[] }): Promise<string[]> {
  const p = spawn({ argv: [probe, work, ...DEVICES], cgroup, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const closed = new Promise((r) => p.stdout?.once('close', r));
  const [status] = await Promise.all([p.exited, closed]);
  expect(status.exitCode).toBe(0);
  return out.trim().split('\n');
}

/** What the rules say for each probe line, from kc's reading of v1 semantics (state.ts). */
function expected(rules: readonly DeviceRule[]): string[] {
  const s = deviceState(rules, { defaultAllow: true, exceptions: [] });
  return DEVICES.map((d) => {
    const [t, ma, mi] = d.split(':');
    const q = (a: string) => (deviceAllowed(s, { type: t as 'b' | 'c', major: Number(ma), minor: Number(mi), access: accessBits(a) }) ? 1 : 0);
    return `${d} m=${q('m')} r=${q('r')} w=${q('w')}`;
  });
}

/** Runs `rules` through the v2 program (and the v1 files when the host has them); returns both answers. */
async function decide(rules: readonly DeviceRule[], tag: string): Promise<{ v2: string[]; v1?: string[] }> {
  const name = `kc-test-${process.pid}-dev-${tag}`;
  const v2dir = join(v2Root as string, name);
  mkdirSync(v2dir);
  try {
    attachDeviceRules(v2dir, rules);
    const fd = openSync(v2dir, constants.O_RDONLY | constants.O_DIRECTORY);
    let v2: string[];
    try {
      v2 = await ask({ fd });
    } finally {
      closeSync(fd);
    }
    if (!v1Devices) return { v2 };
    const v1dir = join(v1Devices, name);
    mkdirSync(v1dir);
    try {
      for (const r of rules) {
        const line = r.type === 'a' ? 'a' : `${r.type} ${r.major}:${r.minor} ${r.access}`;
        execFileSync('sh', ['-c', `echo '${line}' > ${join(v1dir, r.allow ? 'devices.allow' : 'devices.deny')}`]);
      }
      return { v2, v1: await ask({ procsFiles: [join(v1dir, 'cgroup.procs')] }) };
    } finally {
      rmdirSync(v1dir);
    }
  } finally {
    rmdirSync(v2dir);
  }
}

describe.runIf(bpfDevices)('cgroup v2 device programs (cgroup2 mounted, CONFIG_CGROUP_BPF)', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'kc-devprobe-'));
    // A tmpfs of our own: the directory's filesystem may be mounted nodev (the VM lane's /tmp is), where every
    // open of a node fails with EACCES whatever the device controller says.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'kc-devprobe', work]);
    probe = join(work, 'device-probe');
    execFileSync('gcc', ['-O2', '-o', probe, join(import.meta.dirname, 'fixtures/device-probe.c')]);
    // The nodes to open, made here, outside any restricted group.
    DEVICES.forEach((d, i) => {
      const [t, ma, mi] = d.split(':');
      execFileSync('mknod', [join(work, `n${i + 2}`), t as string, ma as string, mi as string]);
    });
  });
  afterAll(() => {
    execFileSync('umount', [work]);
    rmSync(work, { recursive: true, force: true });
  });

  it("runc's default list: /dev/null and friends open, loop0 and kvm do not, anything may be mknod'ed; v1 agrees", async () => {
    const rules = withDefaultDeviceRules([]);
    const { v2, v1 } = await decide(rules, 'default');
    expect(v2).toEqual(expected(rules));
    expect(v2).toContain('c:1:3 m=1 r=1 w=1');
    expect(v2).toContain('b:7:0 m=1 r=0 w=0');
    expect(v2).toContain('c:10:232 m=1 r=0 w=0');
    if (v1) expect(v2).toEqual(v1);
  });

  it('random rule lists decide alike in the kernel v1 controller, the eBPF program, the emulator and the rules meaning', async () => {
    const seed = useFuzzSeed('device differential');
    const majors = [1, 5, 7, 10, 136, 250];
    const rule = fc.record({
      allow: fc.boolean(),
      type: fc.constantFrom('b' as const, 'c' as const),
      major: fc.oneof(fc.constant('*' as const), fc.constantFrom(...majors)),
      minor: fc.oneof(fc.constant('*' as const), fc.integer({ min: 0, max: 9 })),
      access: fc.subarray(['r', 'w', 'm'], { minLength: 1 }).map((a) => a.join('')),
    });
    // Each list starts with a reset, so the v1 group's inherited state does not matter.
    const lists = fc.sample(
      fc
        .tuple(fc.boolean(), fc.array(rule, { maxLength: 8 }))
        .map(([allow, rs]): DeviceRule[] => [{ allow, type: 'a', major: '*', minor: '*', access: 'rwm' }, ...rs]),
      { numRuns: 12, seed },
    );
    for (const [i, rules] of lists.entries()) {
      const { v2, v1 } = await decide(rules, `rand${i}`);
      const want = expected(rules);
      expect(v2, JSON.stringify(rules)).toEqual(want);
      if (v1) expect(v1, `v1 controller: ${JSON.stringify(rules)}`).toEqual(want);
      const insns = decodeEbpf(deviceProgram(rules));
      for (const line of want) {
        const [dev, ...acc] = line.split(' ');
        const [t, ma, mi] = (dev as string).split(':');
        for (const a of acc) {
          const q = { type: t as 'b' | 'c', major: Number(ma), minor: Number(mi), access: accessBits(a[0] as string) };
          expect(emulateDeviceProgram(insns, q)).toBe(Number(a.slice(2)));
        }
      }
    }
  });

  it('an update replaces the program: one kc program stays attached, and the new rules apply', async () => {
    const dir = join(v2Root as string, `kc-test-${process.pid}-dev-update`);
    mkdirSync(dir);
    try {
      const first = attachDeviceRules(dir, withDefaultDeviceRules([]));
      expect(first).toHaveLength(1);
      const second = attachDeviceRules(dir, withDefaultDeviceRules([{ allow: true, type: 'b', major: 7, minor: '*', access: 'rw' }]));
      expect(second).toHaveLength(1);
      expect(second[0]).not.toBe(first[0]);
      expect(attachedDevicePrograms(dir)).toEqual(second);
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        expect(await ask({ fd })).toContain('b:7:0 m=1 r=1 w=1');
      } finally {
        closeSync(fd);
      }
    } finally {
      rmdirSync(dir);
    }
  });

  it('bad device numbers are refused before anything is loaded', () => {
    const dir = join(v2Root as string, `kc-test-${process.pid}-dev-bad`);
    mkdirSync(dir);
    try {
      expect(() => attachDeviceRules(dir, [{ allow: true, type: 'c', major: 5000, minor: 1, access: 'r' }])).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'devices[0].major' }),
      );
      expect(attachedDevicePrograms(dir)).toEqual([]);
    } finally {
      rmdirSync(dir);
    }
  });
});
