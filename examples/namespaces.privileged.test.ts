import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const runExample = (file: string) => execFileSync('pnpm', ['exec', 'tsx', `examples/${file}`], { encoding: 'utf8' });

describe('namespaces examples', () => {
  it('namespaces-inspect.ts shows ids, sharing, owner/parent and the listing', () => {
    const out = runExample('namespaces-inspect.ts');
    expect(out).toMatch(/^this process: net \d+, pid \d+, user \d+$/m);
    expect(out).toContain('child shares net: false');
    expect(out).toContain('child shares ipc: true');
    expect(out).toMatch(/child pid namespace pid:\[\d+\]: parent is ours: true; owner is ours: true/);
    expect(out).toMatch(/the child's net has 1 process, command "\/bin\/busybox sleep 60"/);
    expect(out).toMatch(/owner tree: the initial user namespace owns [1-9]\d* namespaces/);
    expect(out).toContain('child ended by SIGKILL');
  });

  it('namespaces-spawn.ts maps ids, sets hostname and time offset, and joins by pidfd', () => {
    const out = runExample('namespaces-spawn.ts');
    expect(out).toContain('uid_map: [{"containerId":0,"hostId":100000,"size":65536}]');
    expect(out).toMatch(/^visitor sees host=kc-box pid=\d+$/m);
    const m = /^uid=0 host=kc-box pid=1 uptime=(\d+\.\d+)$/m.exec(out);
    expect(m, out).not.toBeNull();
    // The example offsets CLOCK_BOOTTIME by 365 days: the child's uptime is the host's plus that.
    const hostUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const shift = Number(m![1]) - hostUptime;
    expect(shift).toBeGreaterThan(365 * 86400 - 60);
    expect(shift).toBeLessThan(365 * 86400 + 1);
    expect(out).toContain('rejected: INVALID_ARGUMENT uidMap[1].containerId');
  });

  it('namespaces-persist.ts persists, reopens, joins and removes a netns', () => {
    const out = runExample('namespaces-persist.ts');
    expect(out).toMatch(/^persisted at \/run\/netns\/kc-example-\d+$/m);
    for (const line of ['lives on: true', 'listNetns has it: true', 'ip netns list has it: true', 'joined by path is in it: true', 'removed: true']) {
      expect(out).toContain(line);
    }
  });

  it('namespaces-mounts.ts pivots into a busybox rootfs with the mounts inside it', () => {
    const out = runExample('namespaces-mounts.ts');
    expect(out).toContain('exit code: 0');
    expect(out).toContain('mounted: /proc proc');
    expect(out).toContain('mounted: /tmp tmpfs');
    expect(out).toContain('mounted: /proc/keys devtmpfs');
    expect(out).toContain('root holds: bin dev escape etc proc sys tmp');
    expect(out).toContain('pid inside: 1');
  });

  it('namespaces-network.ts connects two namespaces and pings across', () => {
    const out = runExample('namespaces-network.ts');
    expect(out).toContain('rejected before any change: INVALID_ARGUMENT a.address');
    expect(out).toMatch(/^links in A: lo up, kc\d+-a\(veth\) up$/m);
    expect(out).toContain('addresses in B: 127.0.0.1/8, 10.250.0.2/24');
    expect(out).toContain('default route in B: via 10.250.0.1');
    expect(out).toContain('ping from B to A: exit 0, 1 received');
    expect(out).toContain('after remove, links in A: lo');
  });

  it('namespaces-socketpair.ts talks across namespaces over a socket pair', () => {
    const out = runExample('namespaces-socketpair.ts');
    expect(out).toContain('child shares our net namespace: false');
    expect(out).toContain('parent got: child: hello (I am pid 1 in my namespace)');
    expect(out).toContain('child got: hello back from the host');
    expect(out).toContain('child exit code: 0');
  });
});
