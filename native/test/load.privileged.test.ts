import { describe, expect, it } from 'vitest';
import { spawn } from '@kc/native';
import { childPids, openFds, zombieChildren } from './helpers.js';

describe('spawn under load', () => {
  it('1,000 spawns in five new namespaces leak no fds, zombies or memory', async () => {
    const run = async () => {
      const p = spawn({ argv: ['/bin/true'], namespaces: ['pid', 'mnt', 'uts', 'ipc', 'net'], stdio: ['ignore', 'pipe', 'ignore'] });
      p.stdout!.resume();
      const s = await p.exited;
      expect(s.exitCode).toBe(0);
    };
    for (let i = 0; i < 50; i++) await run(); // warm up JIT and allocator
    const fdsBefore = openFds();
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await run();
    const ms = performance.now() - t0;
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    console.log(`1000 spawns: ${ms.toFixed(0)} ms, fds ${fdsBefore} -> ${openFds()}, rss growth ${rssGrowthMiB.toFixed(1)} MiB`);
    expect(openFds()).toBe(fdsBefore);
    expect(zombieChildren()).toEqual([]);
    expect(childPids()).toEqual([]);
    // A leak of even 1 KiB per spawn would show as ~1 MiB; V8 heap noise stays well under 32 MiB.
    expect(rssGrowthMiB).toBeLessThan(32);
  });
});
