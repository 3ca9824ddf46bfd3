import fc from 'fast-check';
import {
  formatIdMap,
  isNamespaceKind,
  mapToHost,
  parseCidr,
  parseIdMap,
  parseMountOptions,
  parseNamespaceKind,
  parseNamespaceLink,
  parseSubIds,
  validateIdMap,
  validateInterfaceName,
  validateMountSteps,
  validateNamespaceName,
  formatAddress,
} from '@kc/namespaces';
import type { MountStep } from '@kc/native';
import { afterAll, describe, expect, it } from 'vitest';
import { printTallies, tally, typedOrValue } from './typed-errors.js';

// @kc/namespaces parsers and validators: id maps (/proc/PID/uid_map text),
// /etc/subuid, /proc/PID/ns links, CIDRs, interface names, mount options and steps.
afterAll(printTallies);
const RUNS = 2000;
const u32 = fc.oneof(fc.integer({ min: 0, max: 70000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(-1, 2 ** 32, 1.5, Number.NaN));
const entry = fc.record({ containerId: u32, hostId: u32, size: u32 });

describe('id maps', () => {
  it('validateIdMap: accepts or INVALID_ARGUMENT; accepted maps format/parse round-trip and map ids inside their ranges', () => {
    const t = tally('namespaces.validateIdMap + formatIdMap→parseIdMap');
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.nat({ max: 2 ** 32 - 1 }), (map, probe) => {
        if (typedOrValue(t, () => validateIdMap(map)) === undefined && t.ok === 0) return;
        try {
          validateIdMap(map);
        } catch {
          return;
        }
        expect(parseIdMap(formatIdMap(map))).toEqual(map);
        const host = mapToHost(map, probe);
        const hit = map.find((e) => probe >= e.containerId && probe < e.containerId + e.size);
        expect(host).toBe(hit ? hit.hostId + (probe - hit.containerId) : null);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseIdMap and parseSubIds on arbitrary text: typed errors only', () => {
    const t = tally('namespaces.parseIdMap/parseSubIds(random text)');
    const line = fc.oneof(
      fc.tuple(u32, u32, u32).map((x) => `  ${x.join(' ')}`),
      fc.string({ maxLength: 20 }),
      fc.tuple(fc.string({ maxLength: 6 }), u32, u32).map((x) => x.join(':')),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        typedOrValue(t, () => parseIdMap(lines.join('\n')));
        typedOrValue(t, () => parseSubIds(lines.join('\n')));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('names, links and addresses', () => {
  it('parseNamespaceLink / parseNamespaceKind / names: never crash', () => {
    const t = tally('namespaces.links, kinds, interface and netns names');
    const link = fc.oneof(
      fc
        .tuple(fc.constantFrom('net', 'mnt', 'user', 'pid_for_children', 'cgroup', 'x'), fc.oneof(fc.nat().map(String), fc.string({ maxLength: 5 })))
        .map(([k, n]) => `${k}:[${n}]`),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(link, fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), (l, s, b) => {
        const r = parseNamespaceLink(l);
        if (r) expect(Number.isSafeInteger(r.inode)).toBe(true);
        expect(typeof isNamespaceKind(s)).toBe('boolean');
        typedOrValue(t, () => parseNamespaceKind(s));
        // Accepted names obey the kernel's dev_valid_name (net/core/dev.c): 1..15 bytes, not . or .., no '/', ':' or isspace().
        const accepted = typedOrValue(t, () => {
          validateInterfaceName(b);
          return true;
        });
        if (accepted) {
          expect(Buffer.byteLength(b) >= 1 && Buffer.byteLength(b) <= 15 && b !== '.' && b !== '..' && !/[/: \t\n\v\f\r]/.test(b)).toBe(true);
        }
        typedOrValue(t, () => validateNamespaceName(b));
      }),
      { numRuns: RUNS },
    );
  });

  it('parseCidr: formatAddress of the parsed bytes parses back to the same address', () => {
    const t = tally('namespaces.parseCidr');
    const v4 = fc
      .tuple(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 3, maxLength: 5 }), fc.integer({ min: -1, max: 40 }))
      .map(([o, p]) => `${o.join('.')}/${p}`);
    const v6 = fc
      .tuple(
        fc.array(
          fc.integer({ min: 0, max: 0x1ffff }).map((n) => n.toString(16)),
          { minLength: 2, maxLength: 9 },
        ),
        fc.boolean(),
        fc.integer({ min: -1, max: 130 }),
      )
      .map(([g, dbl, p]) => `${dbl ? g.join(':').replace(':', '::') : g.join(':')}/${p}`);
    fc.assert(
      fc.property(fc.oneof(v4, v6, fc.string({ maxLength: 20 })), (text) => {
        const c = typedOrValue(t, () => parseCidr(text));
        if (!c) return;
        const again = parseCidr(`${formatAddress(c.bytes)}/${c.prefix}`);
        expect([...again.bytes]).toEqual([...c.bytes]);
        expect(again.prefix).toBe(c.prefix);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('mounts', () => {
  const opt = fc.oneof(
    fc.constantFrom(
      'ro',
      'rw',
      'nosuid',
      'suid',
      'nodev',
      'noexec',
      'bind',
      'rbind',
      'private',
      'rslave',
      'shared',
      'relatime',
      'strictatime',
      'size=1m',
      'mode=755',
      'remount',
      'x-foo',
    ),
    fc.string({ maxLength: 8 }),
  );
  it('parseMountOptions: typed errors only', () => {
    const t = tally('namespaces.parseMountOptions');
    fc.assert(
      fc.property(fc.array(opt, { maxLength: 8 }), (o) => {
        typedOrValue(t, () => parseMountOptions(o));
      }),
      { numRuns: RUNS },
    );
  });

  const path = fc.oneof(
    fc.constantFrom('/', '/proc', '/evil/../..', '/a/b', 'relative', '', '/x\0y', '/dev/null'),
    fc.string({ maxLength: 12 }).map((s) => `/${s}`),
  );
  const step: fc.Arbitrary<MountStep> = fc.oneof(
    fc.record({ kind: fc.constant('rootfs'), path }),
    fc.record(
      {
        kind: fc.constant('mount'),
        source: path,
        target: path,
        fstype: fc.constantFrom('tmpfs', 'proc', '', 'bind'),
        flags: fc.oneof(fc.nat(), fc.constant(-1)),
        data: fc.string({ maxLength: 8 }),
        create: fc.constantFrom('dir', 'file', 'nope'),
      },
      { requiredKeys: ['kind', 'target'] },
    ),
    fc.constant({ kind: 'pivot' }),
    fc.constant({ kind: 'chroot' }),
    fc.record({ kind: fc.constant('mkdir'), path, mode: fc.integer({ min: -1, max: 0o10000 }) }),
    fc.record({ kind: fc.constant('symlink'), target: path, path }),
    fc.record({ kind: fc.constant('mknod'), path, mode: fc.nat(), major: fc.integer({ min: -1, max: 5000 }), minor: fc.integer({ min: -1, max: 2 ** 21 }) }),
    fc.record({ kind: fc.constantFrom('mask', 'readonly'), path }),
    fc.record({ kind: fc.constantFrom('remount', 'propagation'), target: path, flags: fc.integer() }),
    fc.record({ kind: fc.constant('umount'), target: path }),
    fc.record({ kind: fc.constant('idmap'), source: path, target: path, usernsFd: fc.integer({ min: -2, max: 100 }) }),
    fc.record({ kind: fc.constantFrom('bogus', 42), path }),
  ) as fc.Arbitrary<MountStep>;
  it('validateMountSteps on random step lists: typed errors only', () => {
    const t = tally('namespaces.validateMountSteps');
    fc.assert(
      fc.property(fc.array(step, { maxLength: 6 }), (steps) => {
        typedOrValue(t, () => validateMountSteps(steps));
      }),
      { numRuns: RUNS },
    );
  });
});
