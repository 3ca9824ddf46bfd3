import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { run } from './helpers.js';

const v2 = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((d) => existsSync(`${d}/cgroup.procs`) && existsSync(`${d}/cgroup.controllers`));
const v1Pids = existsSync('/sys/fs/cgroup/pids/cgroup.procs') ? '/sys/fs/cgroup/pids' : undefined;
const id = () => `kc-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

describe('spawn: cgroup placement', () => {
  it.runIf(v2)('starts the child inside a cgroup v2 directory with CLONE_INTO_CGROUP (cgroup2 mounted)', async () => {
    const dir = `${v2}/${id()}`;
    mkdirSync(dir);
    const fd = openSync(dir, 'r');
    try {
      const p = spawn({ argv: ['cat', '/proc/self/cgroup'], cgroup: { fd } });
      const r = await run(p);
      expect(r.stdout).toContain(`0::/${dir.split('/').pop()}`);
    } finally {
      closeSync(fd);
      rmdirSync(dir);
    }
  });

  it.runIf(v1Pids)('joins a v1 hierarchy before the child runs (v1 pids controller mounted)', async () => {
    const dir = `${v1Pids}/${id()}`;
    mkdirSync(dir);
    try {
      const p = spawn({ argv: ['cat', '/proc/self/cgroup'], cgroup: { procsFiles: [`${dir}/cgroup.procs`] }, namespaces: ['cgroup'] });
      const r = await run(p);
      // In its own cgroup namespace (created after the join) the group is its root.
      expect(r.stdout).toMatch(/:pids:\/\n/);
      expect(readFileSync(`${dir}/cgroup.procs`, 'utf8')).toBe('');
    } finally {
      rmdirSync(dir);
    }
  });
});
