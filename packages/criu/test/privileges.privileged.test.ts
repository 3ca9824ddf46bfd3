import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtures, tempDir } from './helpers.js';

const REPO = join(fixtures, '../../../..');
const NOBODY = 65534;

describe('CRIU run without its privileges', () => {
  it('a dump by a non-root caller fails with a CriuError that names the missing capabilities and says to run as root', () => {
    const dir = tempDir('nonroot');
    try {
      chmodSync(dir.path, 0o777); // the plain user's images and log go there
      // setpriv drops every capability with the uid change: the caller, and the criu it starts, hold none.
      const r = spawnSync(
        'setpriv',
        [
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          '--clear-groups',
          join(REPO, 'node_modules/.bin/tsx'),
          join(fixtures, 'dump-as-caller.ts'),
          join(dir.path, 'img'),
        ],
        { cwd: REPO, encoding: 'utf8', env: { ...process.env, HOME: dir.path }, timeout: 50_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const err = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
      expect(err).toMatchObject({ name: 'CriuError', code: 'TOOL_FAILED', uid: NOBODY });
      // Not CRIU's bare "criu dump: failed": which capabilities, and what to do.
      expect(err.message).toBe(
        'criu dump: CRIU ran without CAP_CHECKPOINT_RESTORE and CAP_SYS_ADMIN, which it needs (it runs with the privileges of the process that starts it): run as root',
      );
      expect(err.hint).toMatch(/run as root$/);
    } finally {
      dir.remove();
    }
  });
});
