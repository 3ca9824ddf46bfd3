import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, tool } from '../test-support/tools.js';

// kc used by an unprivileged user: a Node process running as uid 65534 (via
// util-linux setpriv, with tsx running the TS sources) tries what needs no
// privilege and what does. The probe script is fixtures/unprivileged-probe.mts.
const tsx = join(import.meta.dirname, '../node_modules/.bin/tsx');
const probe = {
  root: root(),
  setpriv: tool('setpriv'),
  // Unprivileged user namespaces (kernel.unprivileged_userns_clone on Debian kernels; absent means allowed).
  userns:
    (() => {
      try {
        return readFileSync('/proc/sys/kernel/unprivileged_userns_clone', 'utf8').trim() !== '0';
      } catch {
        return true;
      }
    })() && Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0,
};

describe.runIf(probe.root && probe.setpriv && probe.userns)('as uid 65534 (needs root to drop to nobody, setpriv, unprivileged user namespaces)', () => {
  it('a user namespace mapping its own uid works; cgroup writes and namespaces without a userns fail with a typed error naming the privilege', () => {
    const out = execFileSync(
      'setpriv',
      ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'env', 'HOME=/tmp', tsx, join(import.meta.dirname, 'fixtures/unprivileged-probe.mts')],
      { cwd: '/tmp', encoding: 'utf8', timeout: 50_000 },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!);
    console.log(`unprivileged: ${JSON.stringify(r)}`);
    // Works: root inside its own user namespace (with mnt, uts, net namespaces and a hostname).
    expect(r.userns).toEqual({ ok: true, out: '0\n0' });
    // A cgroup outside a delegated subtree: EACCES, and the hint says what is missing.
    expect(r.cgroup).toMatchObject({ ok: false, name: 'CgroupError', code: 'EACCES' });
    expect(r.cgroup.hint).toMatch(/root|delegat/);
    // New namespaces without a user namespace: EPERM at step clone, naming CAP_SYS_ADMIN and the userns way out.
    for (const k of ['mountWithoutUserns', 'netnsWithoutUserns']) {
      expect(r[k]).toMatchObject({ ok: false, name: 'SpawnError', code: 'EPERM', step: 'clone' });
      expect(r[k].hint).toMatch(/CAP_SYS_ADMIN/);
      expect(r[k].hint).toMatch(/user namespace/);
    }
  });
});
