import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OciConfig } from '@kc/container';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, judge, Lab, type Outcome, outcomeOf, probe, RUNTIMES, type Runtime } from './harness.js';

// runc's November 2025 advisories, static variants. runc 1.1.5 predates all
// three fixes (1.2.8 / 1.3.3 / 1.4.0-rc.3), so where it falls the control is
// reported as "ESCAPED (1.1.5 predates the fix)"; kc must block regardless.
// None of these writes to a kernel file: the attackers only open for writing,
// and sysctl redirection targets a file in the lab.
const FIXED_IN = 'fixed in runc 1.2.8/1.3.3/1.4.0-rc.3';

/** Drops the /dev tmpfs, so the rootfs's own /dev (attacker-controlled) is what the runtime works in. */
function rootfsDev(c: OciConfig): void {
  c.mounts = c.mounts!.filter((m) => m.destination !== '/dev');
}

describe.runIf(probe.root)('attack: runc November 2025 advisories (CVE-2025-31133, -52565, -52881; needs root)', () => {
  let lab: Lab;
  beforeAll(() => {
    lab = new Lab();
  });
  afterAll(() => expect(lab.cleanup()).toEqual([]));

  for (const [label, plant] of [
    ['a symlink to /proc/sys/kernel/domainname', (dev: string) => symlinkSync('/proc/sys/kernel/domainname', join(dev, 'null'))],
    ['a regular file', (dev: string) => writeFileSync(join(dev, 'null'), '')],
  ] as const) {
    it(`CVE-2025-31133: rootfs /dev/null is ${label}; masked paths must stay /dev/null`, () => {
      // runc 1.1.5 reopens stdio fds it takes for /dev/null onto the rootfs's "/dev/null", so the
      // verdict goes to a file in a bind-mounted host dir; the root stays writable because runc
      // 1.1.5 cannot remount it read-only over the file binds this attack causes (EBUSY).
      const outDir = join(lab.dir, 'out-devnull');
      mkdirSync(outDir, { recursive: true });
      const bundle = lab.bundle(
        ['sh', '-c', `${at('procfs')} > /out/verdict`],
        (c) => {
          rootfsDev(c);
          c.root!.readonly = false;
          c.mounts!.push({ destination: '/out', type: 'bind', source: outDir, options: ['rbind', 'rw'] });
        },
        (rootfs) => {
          mkdirSync(join(rootfs, 'dev'), { recursive: true });
          rmSync(join(rootfs, 'dev', 'null'), { force: true });
          plant(join(rootfs, 'dev'));
        },
      );
      const out = {} as Record<Runtime, Outcome>;
      for (const rt of RUNTIMES) {
        const verdictFile = join(outDir, 'verdict');
        rmSync(verdictFile, { force: true });
        const r = lab.cli(rt, ['run', '--bundle', bundle, lab.id(rt, 'devnull')]);
        out[rt] = outcomeOf(existsSync(verdictFile) ? { ...r, stdout: readFileSync(verdictFile, 'utf8') } : r);
      }
      judge(`CVE-2025-31133 /dev/null is ${label}`, out.runc, out.kc, { runcPredates: FIXED_IN });
    });
  }

  it('CVE-2025-52565: rootfs /dev/console is a symlink; the console mount must not follow it', async () => {
    const bundle = lab.bundle(
      [at('procfs'), '/console-target'],
      (c) => {
        rootfsDev(c);
        c.process!.terminal = true;
      },
      (rootfs) => {
        mkdirSync(join(rootfs, 'dev'), { recursive: true });
        rmSync(join(rootfs, 'dev', 'console'), { force: true });
        writeFileSync(join(rootfs, 'console-target'), '');
        symlinkSync('/console-target', join(rootfs, 'dev', 'console'));
      },
    );
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) out[rt] = await lab.runWithConsole(rt, bundle, 'console');
    judge('CVE-2025-52565 /dev/console symlink', out.runc, out.kc, { runcPredates: FIXED_IN });
  });

  /**
   * A `linux.sysctl` write (net.ipv4.ip_forward, namespaced and harmless)
   * that `redirect` tries to send into a host file: the verdict is whether
   * anything reached the file.
   */
  function sysctlRedirect(tag: string, redirect: (c: OciConfig, rootfs: string, sink: string) => void, editOnly?: (c: OciConfig, sink: string) => void) {
    const out = {} as Record<Runtime, Outcome>;
    for (const rt of RUNTIMES) {
      const sink = join(lab.dir, `sink-${rt}-${tag}`);
      mkdirSync(sink);
      writeFileSync(join(sink, 'written'), '');
      let cfg: OciConfig | undefined;
      const bundle = lab.bundle(
        [at('procfs')],
        (c) => {
          c.linux!.sysctl = { 'net.ipv4.ip_forward': '1' };
          c.mounts!.push({ destination: '/sink', type: 'bind', source: sink, options: ['rbind', 'rw'] });
          editOnly?.(c, sink);
          cfg = c;
        },
        (rootfs, b) => {
          redirect(cfg!, rootfs, sink);
          writeFileSync(join(b, 'config.json'), JSON.stringify(cfg, null, 2));
        },
      );
      const o = lab.run(rt, bundle, tag);
      const got = readFileSync(join(sink, 'written'), 'utf8');
      out[rt] = got ? { verdict: 'escaped', detail: `the sysctl write landed in a host file (${JSON.stringify(got.trim())}); ${o.detail}` } : o;
    }
    return out;
  }

  it('CVE-2025-52881: sysctl target redirected by a symlinked /proc in the rootfs', () => {
    const r = sysctlRedirect('sysproc', (_c, rootfs) => {
      rmSync(join(rootfs, 'proc'), { recursive: true, force: true });
      mkdirSync(join(rootfs, 'fakeproc/sys/net/ipv4'), { recursive: true });
      symlinkSync('/sink/written', join(rootfs, 'fakeproc/sys/net/ipv4/ip_forward'));
      symlinkSync('/fakeproc', join(rootfs, 'proc'));
    });
    judge('CVE-2025-52881 sysctl via symlinked /proc', r.runc, r.kc, { runcPredates: FIXED_IN });
  });

  it('CVE-2025-52881: sysctl target redirected by a bind mount over /proc/sys', () => {
    const r = sysctlRedirect('sysbind', (c, _rootfs, sink) => {
      const fake = join(sink, '..', `${sink.split('/').at(-1)}-fakesys`);
      mkdirSync(join(fake, 'net/ipv4'), { recursive: true });
      symlinkSync('/sink/written', join(fake, 'net/ipv4/ip_forward'));
      c.mounts!.push({ destination: '/proc/sys', type: 'bind', source: fake, options: ['rbind', 'rw'] });
    });
    judge('CVE-2025-52881 sysctl via a bind over /proc/sys', r.runc, r.kc, { runcPredates: FIXED_IN });
  });

  it('CVE-2025-52881: sysctl target replaced by a bind mount of a host file', () => {
    const r = sysctlRedirect('sysfile', (c, _rootfs, sink) => {
      c.mounts!.push({ destination: '/proc/sys/net/ipv4/ip_forward', type: 'bind', source: join(sink, 'written'), options: ['bind', 'rw'] });
    });
    judge('CVE-2025-52881 sysctl via a file bind over the target', r.runc, r.kc, { runcPredates: FIXED_IN });
  });
});
