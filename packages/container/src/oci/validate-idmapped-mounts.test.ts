import { describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import { mountIdmap } from '../translate/mount-idmap.js';
import { translateMounts } from '../translate/mounts.js';
import { defaultConfig } from './default-config.js';
import type { OciConfig, OciMount } from './types.js';
import { validateConfig } from './validate.js';

const map = (containerID: number, hostID: number, size: number) => ({ containerID, hostID, size });

/** The default config plus one mount; the field of the error validateConfig throws, or 'ok'. */
function verdict(mount: Record<string, unknown>): string {
  const c = structuredClone(defaultConfig()) as OciConfig;
  c.mounts!.push(mount as unknown as OciMount);
  try {
    validateConfig(c);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ContainerError);
    expect((e as ContainerError).code).toBe('INVALID_ARGUMENT');
    return (e as ContainerError).field ?? '?';
  }
}

const bind = { destination: '/vol', type: 'bind', source: '/srv/vol', options: ['rbind'] };
const both = { uidMappings: [map(0, 100000, 65536)], gidMappings: [map(0, 100000, 65536)] };

describe('mounts[].uidMappings / gidMappings (idmapped mounts)', () => {
  it('accepts both maps on a bind mount, with or without a user namespace', () => {
    expect(verdict({ ...bind, ...both })).toBe('ok');
    expect(verdict({ destination: '/vol', source: '/srv/vol', options: ['bind'], ...both })).toBe('ok');
  });

  it.each([
    ['a non-bind mount', { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', ...both }, 'mounts[7].uidMappings'],
    ['uidMappings alone', { ...bind, uidMappings: both.uidMappings }, 'mounts[7].gidMappings'],
    ['gidMappings alone', { ...bind, gidMappings: both.gidMappings }, 'mounts[7].uidMappings'],
    ['an empty map', { ...bind, uidMappings: [], gidMappings: both.gidMappings }, 'mounts[7].uidMappings'],
    ['a size of 0', { ...bind, ...both, uidMappings: [map(0, 100000, 0)] }, 'mounts[7].uidMappings[0].size'],
    ['a negative id', { ...bind, ...both, gidMappings: [map(-1, 100000, 1)] }, 'mounts[7].gidMappings[0].containerID'],
    ['overlapping ranges', { ...bind, ...both, uidMappings: [map(0, 100000, 1000), map(500, 200000, 10)] }, 'mounts[7].uidMappings[1]'],
    ['overlapping host ranges', { ...bind, ...both, gidMappings: [map(0, 100000, 1000), map(5000, 100500, 10)] }, 'mounts[7].gidMappings[1]'],
    ['a range past the last id', { ...bind, ...both, uidMappings: [map(0, 4294967000, 65536)] }, 'mounts[7].uidMappings[0]'],
  ])('refuses %s, naming the field', (_what, mount, field) => {
    expect(defaultConfig().mounts).toHaveLength(7); // the index the fields above name
    expect(verdict(mount)).toMatch(new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}`));
  });

  it("reads an idmap/ridmap option without mappings as the container's mappings, and refuses it when there are none", () => {
    expect(verdict({ ...bind, options: ['rbind', 'idmap'] })).toBe('mounts[7].options');
    expect(verdict({ destination: '/s', type: 'tmpfs', source: 'tmpfs', options: ['ridmap'] })).toBe('mounts[7].options');
    const c = structuredClone(defaultConfig()) as OciConfig;
    c.linux!.namespaces!.push({ type: 'user' });
    c.linux!.uidMappings = [map(0, 100000, 65536)];
    c.linux!.gidMappings = [map(0, 100000, 65536)];
    c.mounts = [{ ...bind, options: ['rbind', 'ridmap'] }];
    expect(validateConfig(c)).toBe(c);
    expect(mountIdmap(c.mounts[0]!, c.linux)).toEqual({ uidMappings: c.linux!.uidMappings, gidMappings: c.linux!.gidMappings, recursive: true });
    expect(mountIdmap({ ...bind }, c.linux)).toBeUndefined();
  });

  it('translates to an attach of the prepared tree plus its per-mount options, and never to a plain bind', () => {
    const c = structuredClone(defaultConfig()) as OciConfig;
    c.mounts = [{ ...bind, options: ['rbind', 'ro', 'nosuid'], ...both }];
    const ctx = { rootfs: '/b/rootfs', isDirectory: () => true, cgroupLayout: { kind: 'unified' } as never };
    const steps = translateMounts(c, { ...ctx, idmappedTrees: new Map([[0, 42]]) });
    expect(steps.slice(1, 3)).toEqual([
      { kind: 'attach', treeFd: 42, target: '/vol', create: 'dir' },
      { kind: 'setattr', target: '/vol', set: 0x1 | 0x2, recursive: false }, // MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID
    ]);
    expect(() => translateMounts(c, ctx)).toThrow(expect.objectContaining({ code: 'INVALID_STATE', field: 'mounts[0].uidMappings' }));
  });
});
