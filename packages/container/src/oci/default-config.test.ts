import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from './capability-names.js';
import { defaultConfig } from './default-config.js';

describe('defaultConfig', () => {
  const c = defaultConfig();
  it('creates pid, net, ipc, uts, mnt and cgroup namespaces', () => {
    expect(c.linux?.namespaces?.map((n) => n.type).sort()).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  });
  it("grants exactly Docker's 14 default capabilities and no ambient ones", () => {
    expect(DEFAULT_CAPABILITIES).toHaveLength(14);
    expect(c.process?.capabilities?.bounding).toEqual([...DEFAULT_CAPABILITIES]);
    expect(c.process?.capabilities?.ambient).toEqual([]);
    expect(c.process?.capabilities?.bounding).not.toContain('CAP_SYS_ADMIN');
  });
  it('sets no_new_privs, nofile 1024 and a read-only root', () => {
    expect(c.process?.noNewPrivileges).toBe(true);
    expect(c.process?.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }]);
    expect(c.root).toEqual({ path: 'rootfs', readonly: true });
  });
  it("masks runc's default paths and makes /proc/sys read-only", () => {
    expect(c.linux?.maskedPaths).toContain('/proc/kcore');
    expect(c.linux?.maskedPaths).toContain('/sys/firmware');
    expect(c.linux?.readonlyPaths).toContain('/proc/sys');
  });
  it('mounts a minimal /dev with devpts, shm and mqueue', () => {
    const dests = c.mounts?.map((m) => m.destination);
    expect(dests).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
  });
  it("embeds kc's default seccomp profile, which validates", () => {
    expect(c.linux?.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(c.linux?.seccomp?.syscalls?.flatMap((s) => s.names)).toContain('read');
    expect(c.linux?.seccomp?.syscalls?.flatMap((s) => s.names)).not.toContain('mount');
    expect(defaultConfig({ seccomp: false }).linux?.seccomp).toBeUndefined();
  });
  it('takes args, hostname and rootfs options, returning fresh objects', () => {
    const d = defaultConfig({ args: ['/bin/true'], hostname: 'h', rootfs: '/r', readonlyRoot: false });
    expect(d.process?.args).toEqual(['/bin/true']);
    expect(d.hostname).toBe('h');
    expect(d.root).toEqual({ path: '/r', readonly: false });
    d.mounts?.[1]?.options?.push('x');
    expect(defaultConfig().mounts?.[1]?.options).not.toContain('x');
  });
});
