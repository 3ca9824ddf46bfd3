import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests run against the TypeScript sources of every package.
const alias = {
  '@kc/native': here('./native/lib/index.ts'),
  '@kc/cgroups': here('./packages/cgroups/src/index.ts'),
  '@kc/namespaces': here('./packages/namespaces/src/index.ts'),
  '@kc/seccomp': here('./packages/seccomp/src/index.ts'),
  '@kc/caps': here('./packages/caps/src/index.ts'),
  '@kc/criu': here('./packages/criu/src/index.ts'),
  '@kc/container': here('./packages/container/src/index.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    pool: 'forks',
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // scripts/*.test.ts: the test command's own scripts (the totals that judge a run).
          include: [
            'native/lib/**/*.test.ts',
            'packages/*/src/**/*.test.ts',
            'reliability/**/*.fuzz.test.ts',
            'scripts/*.test.ts',
            'scripts/lib/*.test.ts',
            'test-support/*.test.ts',
          ],
          pool: 'forks',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'host',
          // One file at a time: these tests change kernel state (mounts, cgroups, namespaces) that
          // other files would see — a CRIU dump of a mount namespace copied from the host would
          // catch another file's overlay mount, a CPU-quota measurement another file's load.
          fileParallelism: false,
          include: [
            'native/test/**/*.privileged.test.ts',
            'packages/*/test/**/*.privileged.test.ts',
            'examples/**/*.privileged.test.ts',
            'reliability/**/*.privileged.test.ts',
          ],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
