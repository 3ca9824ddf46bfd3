import { describe, expect, it } from 'vitest';
import { ContainerError } from '../errors.js';
import { defaultConfig } from './default-config.js';
import { validateConfig } from './validate.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ContainerError);
    expect((e as ContainerError).code).toBe('INVALID_ARGUMENT');
    return (e as ContainerError).field;
  }
  throw new Error('expected a ContainerError');
}

const mutate = (f: (c: any) => void) => {
  const c = structuredClone(defaultConfig()) as any;
  f(c);
  return c;
};

describe('validateConfig', () => {
  it('accepts the default config and returns it', () => {
    const c = defaultConfig();
    expect(validateConfig(c)).toBe(c);
  });

  it.each([
    ['linux.namespaces[2].type', (c: any) => (c.linux.namespaces[2].type = 'nett')],
    ['linux.namespaces[1].type', (c: any) => (c.linux.namespaces[1] = { type: 'pid' })],
    ['ociVersion', (c: any) => (c.ociVersion = '2.0.0')],
    ['root.path', (c: any) => (c.root.path = '')],
    ['process.args', (c: any) => (c.process.args = [])],
    ['process.cwd', (c: any) => (c.process.cwd = 'relative')],
    ['process.env[0]', (c: any) => (c.process.env[0] = 'NOEQUALS')],
    ['process.user.uid', (c: any) => (c.process.user.uid = -1)],
    ['process.capabilities.bounding[0]', (c: any) => (c.process.capabilities.bounding[0] = 'CAP_FLY')],
    ['process.rlimits[0].type', (c: any) => (c.process.rlimits[0].type = 'RLIMIT_BOGUS')],
    ['process.rlimits[0].soft', (c: any) => (c.process.rlimits[0].soft = 4096)],
    ['mounts[0].destination', (c: any) => (c.mounts[0].destination = 'proc')],
    ['mounts[1].destination', (c: any) => (c.mounts[1].destination = '/dev/../etc')],
    ['mounts[7].source', (c: any) => c.mounts.push({ destination: '/x', type: 'bind' })],
    ['hostname', (c: any) => (c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'uts'))],
    ['linux.uidMappings', (c: any) => (c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }])],
    ['linux.resources.memory.limit', (c: any) => (c.linux.resources.memory = { limit: 'big' })],
    ['linux.resources.cpu.cpus', (c: any) => (c.linux.resources.cpu = { cpus: 'zero' })],
    ['linux.resources.pids.limit', (c: any) => (c.linux.resources.pids = {})],
    ['linux.seccomp.defaultAction', (c: any) => (c.linux.seccomp = { defaultAction: 'ALLOW' })],
    [
      'linux.seccomp.syscalls[0].names',
      (c: any) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }),
    ],
    ['linux.devices[0].path', (c: any) => (c.linux.devices = [{ type: 'c', path: '/etc/null', major: 1, minor: 3 }])],
    ['linux.cgroupsPath', (c: any) => (c.linux.cgroupsPath = 'a--b.slice:kc:abc')],
    [
      'linux.sysctl.net.ipv4.ip_forward',
      (c: any) => {
        c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== 'network');
        c.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
      },
    ],
    ['linux.maskedPaths[0]', (c: any) => (c.linux.maskedPaths[0] = 'proc/kcore')],
    ['hooks.prestart[0].path', (c: any) => (c.hooks = { prestart: [{ path: 'hook' }] })],
  ])('rejects a bad %s with its field path', (field, f) => {
    expect(fieldOf(() => validateConfig(mutate(f)))).toBe(field);
  });

  it("refuses a mount's gid= the user namespace does not map (devpts gid=5 with a one-id mapping), naming the mount", () => {
    const c = mutate((c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    });
    const devpts = c.mounts.findIndex((m: { type?: string }) => m.type === 'devpts');
    expect(c.mounts[devpts].options).toContain('gid=5');
    expect(fieldOf(() => validateConfig(c))).toBe(`mounts[${devpts}].options`);
    c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    expect(validateConfig(c)).toBe(c);
  });

  it.each([
    ['process.apparmorProfile', (c: any) => (c.process.apparmorProfile = 'docker-default')],
    ['process.selinuxLabel', (c: any) => (c.process.selinuxLabel = 'system_u:system_r:container_t:s0')],
    ['linux.mountLabel', (c: any) => (c.linux.mountLabel = 'system_u:object_r:container_file_t:s0')],
    ['linux.resources.network', (c: any) => (c.linux.resources.network = { classID: 1048577 })],
  ])('fails closed on %s, a security setting kc cannot apply (UNSUPPORTED, never dropped)', (field, f) => {
    try {
      validateConfig(mutate(f));
      expect.unreachable('accepted');
    } catch (e) {
      expect(e).toMatchObject({ code: 'UNSUPPORTED', field });
    }
  });

  it('names the problem and the fix in the message', () => {
    try {
      validateConfig(mutate((c) => (c.linux.namespaces[2].type = 'nett')));
    } catch (e) {
      expect((e as Error).message).toMatch(/linux\.namespaces\[2\]\.type: unknown namespace type "nett"/);
      expect((e as ContainerError).hint).toMatch(/network/);
    }
  });

  it('lets a template omit process only when asked', () => {
    const c = mutate((c) => delete c.process);
    expect(fieldOf(() => validateConfig(c))).toBe('process');
    expect(validateConfig(c, { requireProcess: false })).toBe(c);
  });

  it('rejects non-objects', () => {
    expect(fieldOf(() => validateConfig('{}'))).toBe('config');
    expect(fieldOf(() => validateConfig(null))).toBe('config');
  });
});
