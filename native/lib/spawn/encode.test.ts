import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SpawnError } from '../errors.js';
import { MOUNT_ATTR } from './constants.js';
import { encodePlan, MOUNT_KIND, OPFLAG, STDIO_DEV_NULL, TAG } from './encode.js';
import { checkMountAttrSupport } from './mount-attr-support.js';
import type { MountStep } from './spec.js';
import { SPAWN_STEPS } from './steps.js';
import { validateSpec } from './validate.js';

const planH = readFileSync(new URL('../../include/kc/plan.h', import.meta.url), 'utf8');

/** The members of a C enum in plan.h with their values (implicit ones counted on from the last). */
function cEnum(name: string): Record<string, number> {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(planH)?.[1];
  if (!body) throw new Error(`enum ${name} not found in plan.h`);
  const out: Record<string, number> = {};
  let next = 0;
  for (const line of body.split('\n')) {
    const m = /^\s*(KC_\w+)\s*(?:=\s*(\d+))?\s*,/.exec(line.replace(/\/\*.*?\*\//g, ''));
    if (!m) continue;
    next = m[2] === undefined ? next : Number(m[2]);
    out[m[1]!] = next++;
  }
  return out;
}

/** Splits an encoded plan into its MOUNT records' 40-byte heads and strings. */
function mountRecords(buf: Buffer): { kind: number; opflags: number; flags: bigint; propagation: bigint; strings: string[] }[] {
  const out = [];
  for (let off = 0; off < buf.length; ) {
    const tag = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    const p = buf.subarray(off + 8, off + 8 + len);
    if (tag === TAG.MOUNT) {
      out.push({
        kind: p.readUInt32LE(0),
        opflags: p.readUInt32LE(4),
        flags: p.readBigUInt64LE(8),
        propagation: p.readBigUInt64LE(16),
        strings: p.subarray(40).toString('latin1').split('\0').slice(0, 4),
      });
    }
    off += 8 + len;
  }
  return out;
}

const encodeMounts = (mounts: MountStep[]) =>
  mountRecords(encodePlan({ argv: ['x'], namespaces: ['mnt'], mounts }, { stdio: [0, 1, 2], joins: [], capLast: 40 }));

describe('the TS tables match plan.h', () => {
  it('mount kinds are the numbers of enum kc_mount_kind', () => {
    const c = cEnum('kc_mount_kind');
    const ts = Object.fromEntries(Object.entries(MOUNT_KIND).map(([k, v]) => [`KC_MNT_${k.toUpperCase()}`, v]));
    expect(ts).toEqual(c);
  });

  it('TLV tags are the numbers of enum kc_tag', () => {
    const c = cEnum('kc_tag');
    const ts = Object.fromEntries(Object.entries(TAG).map(([k, v]) => [`KC_T_${k}`, v]));
    expect(ts).toEqual(c);
  });

  it('spawn steps are the members of enum kc_step, in order', () => {
    const c = cEnum('kc_step');
    const ts = Object.fromEntries(SPAWN_STEPS.map((name, i) => [`KC_STEP_${name.toUpperCase()}`, i]));
    expect(ts).toEqual(c);
  });

  it("stdio 'ignore' is the KC_STDIO_DEV_NULL slot value", () => {
    expect(/#define KC_STDIO_DEV_NULL \((-?\d+)\)/.exec(planH)?.[1]).toBe(String(STDIO_DEV_NULL));
  });

  it('opflags are the KC_MNT_* defines', () => {
    for (const [k, v] of Object.entries(OPFLAG)) {
      expect(new RegExp(`#define KC_MNT_${k} (\\d+)u`).exec(planH)?.[1], k).toBe(String(v));
    }
  });
});

describe('encodePlan mount attributes', () => {
  it('binds a rootfs with its submounts unless recursive is false (KC_MNT_NO_SUBMOUNTS)', () => {
    expect(encodeMounts([{ kind: 'rootfs', path: '/r' }])[0]?.opflags).toBe(0);
    expect(encodeMounts([{ kind: 'rootfs', path: '/', mountPoint: '/mnt', recursive: false }])[0]?.opflags).toBe(OPFLAG.NO_SUBMOUNTS);
  });

  it('carries attr_set and attr_clr in the head of a setattr record, AT_RECURSIVE as an opflag', () => {
    const [r] = encodeMounts([{ kind: 'setattr', target: '/data', set: MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOATIME, clear: MOUNT_ATTR._ATIME, recursive: true }]);
    expect(r).toEqual({ kind: MOUNT_KIND.setattr, opflags: OPFLAG.RECURSIVE, flags: 0x11n, propagation: 0x70n, strings: ['', '/data', '', ''] });
  });

  it('marks a recursive readonly step, and leaves a plain one as before', () => {
    const [rec, plain] = encodeMounts([
      { kind: 'readonly', path: '/', recursive: true },
      { kind: 'readonly', path: '/proc/sys' },
    ]);
    expect([rec?.kind, rec?.opflags, rec?.strings[1]]).toEqual([MOUNT_KIND.readonly, OPFLAG.RECURSIVE, '/']);
    expect([plain?.kind, plain?.opflags, plain?.strings[1]]).toEqual([MOUNT_KIND.readonly, 0, '/proc/sys']);
  });
});

describe('validateSpec setattr steps', () => {
  const fieldOf = (m: MountStep): string | undefined => {
    try {
      validateSpec({ argv: ['x'], namespaces: ['mnt'], mounts: [m] });
    } catch (e) {
      expect(e).toBeInstanceOf(SpawnError);
      return (e as SpawnError).field;
    }
    return undefined;
  };

  it.each<[string, MountStep, string | undefined]>([
    ['rro', { kind: 'setattr', target: '/d', set: MOUNT_ATTR.RDONLY, recursive: true }, undefined],
    ['an atime mode with the whole atime mask cleared', { kind: 'setattr', target: '/d', set: MOUNT_ATTR.STRICTATIME, clear: MOUNT_ATTR._ATIME }, undefined],
    ['relatime (mode 0) by clearing the mask', { kind: 'setattr', target: '/d', clear: MOUNT_ATTR._ATIME }, undefined],
    ['an atime mode without the mask in clear', { kind: 'setattr', target: '/d', set: MOUNT_ATTR.NOATIME }, 'mounts[0]'],
    ['part of the atime mask in clear', { kind: 'setattr', target: '/d', clear: MOUNT_ATTR.NOATIME }, 'mounts[0]'],
    ['two atime modes', { kind: 'setattr', target: '/d', set: MOUNT_ATTR.NOATIME | MOUNT_ATTR.STRICTATIME, clear: MOUNT_ATTR._ATIME }, 'mounts[0]'],
    ['MOUNT_ATTR_IDMAP', { kind: 'setattr', target: '/d', set: 0x100000 }, 'mounts[0]'],
    ['a negative mask', { kind: 'setattr', target: '/d', clear: -1 }, 'mounts[0]'],
    ['a NUL in the target', { kind: 'setattr', target: '/d\0x', set: 1 }, 'mounts[0].target'],
  ])('%s', (_name, m, field) => {
    expect(fieldOf(m)).toBe(field);
  });
});

describe('checkMountAttrSupport', () => {
  const none = () => ({ mountSetattr: false, nosymfollow: false });
  const noSymfollow = () => ({ mountSetattr: true, nosymfollow: false });
  const codeAndField = (mounts: MountStep[], support: typeof none) => {
    try {
      checkMountAttrSupport(mounts, support);
    } catch (e) {
      expect(e).toBeInstanceOf(SpawnError);
      return [(e as SpawnError).code, (e as SpawnError).field];
    }
    return undefined;
  };

  it('refuses recursive steps on a kernel without mount_setattr(2), naming the step', () => {
    const mounts: MountStep[] = [
      { kind: 'readonly', path: '/proc/sys' },
      { kind: 'setattr', target: '/d', set: MOUNT_ATTR.RDONLY, recursive: true },
    ];
    expect(codeAndField(mounts, none)).toEqual(['UNSUPPORTED', 'mounts[1]']);
    expect(codeAndField([{ kind: 'readonly', path: '/', recursive: true }], none)).toEqual(['UNSUPPORTED', 'mounts[0]']);
    expect(codeAndField(mounts.slice(0, 1), none)).toBeUndefined();
  });

  it('refuses MOUNT_ATTR_NOSYMFOLLOW before Linux 5.14 only', () => {
    expect(codeAndField([{ kind: 'setattr', target: '/d', set: MOUNT_ATTR.NOSYMFOLLOW }], noSymfollow)).toEqual(['UNSUPPORTED', 'mounts[0]']);
    expect(codeAndField([{ kind: 'setattr', target: '/d', set: MOUNT_ATTR.RDONLY }], noSymfollow)).toBeUndefined();
  });
});
