import { describe, expect, it } from 'vitest';
import { CapSet } from '../cap-set.js';
import { Capabilities } from '../capabilities.js';
import { CapsError } from '../errors.js';
import { DOCKER_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS } from '../presets.js';
import { Securebit } from '../securebits.js';
import { capabilitiesAfterExec } from './after-exec.js';
import { toSpawnCapabilities } from './spawn-capabilities.js';

const opts = { lastCap: 40 };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CapsError);
    expect((e as CapsError).code).toBe('INVALID_ARGUMENT');
    return (e as CapsError).field;
  }
  return undefined;
}

describe('toSpawnCapabilities', () => {
  it('produces the masks of the spawn slot', () => {
    const spec = toSpawnCapabilities(Capabilities.only(['NET_BIND_SERVICE']), { ...opts, securebits: Securebit.NOROOT });
    expect(spec).toEqual({ bounding: 0x400n, effective: 0x400n, permitted: 0x400n, inheritable: 0x400n, ambient: 0x400n, securebits: 1 });
  });

  it('refuses what the kernel would refuse, naming the set', () => {
    const base = new Capabilities({ permitted: ['CHOWN'], effective: ['CHOWN'] });
    expect(fieldOf(() => toSpawnCapabilities(base.with({ effective: ['KILL'] }), opts))).toBe('capabilities.effective');
    expect(fieldOf(() => toSpawnCapabilities(base.with({ ambient: ['CHOWN'] }), opts))).toBe('capabilities.ambient');
    expect(fieldOf(() => toSpawnCapabilities(base.with({ inheritable: ['KILL'], bounding: ['CHOWN'] }), opts))).toBe('capabilities.inheritable');
    expect(fieldOf(() => toSpawnCapabilities(base.with({ permitted: [41, 'CHOWN'] }), opts))).toBe('capabilities.permitted');
    expect(fieldOf(() => toSpawnCapabilities(Capabilities.only(['KILL']), { ...opts, securebits: Securebit.NO_CAP_AMBIENT_RAISE }))).toBe(
      'capabilities.securebits',
    );
    expect(fieldOf(() => toSpawnCapabilities(base, { ...opts, securebits: 1 << 20 }))).toBe('capabilities.securebits');
  });
});

describe('presets', () => {
  it('match Docker and podman defaults', () => {
    expect(DOCKER_DEFAULT_CAPS.size).toBe(14);
    expect(PODMAN_DEFAULT_CAPS.size).toBe(11);
    expect(DOCKER_DEFAULT_CAPS.difference(PODMAN_DEFAULT_CAPS).toString()).toBe('cap_net_raw,cap_mknod,cap_audit_write');
    expect(PODMAN_DEFAULT_CAPS.isSubsetOf(DOCKER_DEFAULT_CAPS)).toBe(true);
    expect(DOCKER_DEFAULT_CAPS.mask).toBe(0xa80425fbn); // Docker's CapBnd inside a default container
  });
});

describe('capabilitiesAfterExec', () => {
  const web = Capabilities.only(['NET_BIND_SERVICE']);
  it('keeps exactly the ambient set for an unprivileged uid', () => {
    expect(capabilitiesAfterExec(web, { uid: 65534 }).equals(web)).toBe(true);
    const noAmbient = web.with({ ambient: CapSet.EMPTY });
    const after = capabilitiesAfterExec(noAmbient, { uid: 65534 });
    expect(after.permitted.isEmpty && after.effective.isEmpty).toBe(true);
  });

  it('gives root its bounding set, and file caps cancel ambient', () => {
    const root = new Capabilities({ bounding: DOCKER_DEFAULT_CAPS });
    expect(capabilitiesAfterExec(root, { uid: 0 }).effective.equals(DOCKER_DEFAULT_CAPS)).toBe(true);
    expect(capabilitiesAfterExec(root, { uid: 0, securebits: Securebit.NOROOT }).effective.isEmpty).toBe(true);
    const file = { permitted: CapSet.of('NET_RAW'), inheritable: CapSet.EMPTY, effective: true };
    const after = capabilitiesAfterExec(web.with({ bounding: CapSet.all() }), { uid: 1000, file });
    expect(after.effective.toString()).toBe('cap_net_raw');
    expect(after.ambient.isEmpty).toBe(true);
  });
});
