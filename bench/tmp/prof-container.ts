/** Profiling helper: N container start→exit cycles of /bin/true, with per-phase medians. Run with node --cpu-prof --import tsx. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBusyboxRootfs, Container, defaultConfig } from '@kc/container';

const runs = Number(process.env.RUNS ?? 60);
const dir = mkdtempSync(join(tmpdir(), 'kc-prof-'));
const bundle = join(dir, 'bundle');
buildBusyboxRootfs(join(bundle, 'rootfs'));
writeFileSync(join(bundle, 'config.json'), JSON.stringify(defaultConfig({ args: ['/bin/true'] })));
const t: Record<string, number[]> = { create: [], start: [], wait: [], delete: [], total: [] };
try {
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = await Container.create({ id: `prof-${process.pid}-${i}`, bundle, root: join(dir, 'state'), stdio: ['ignore', 'ignore', 'ignore'] });
    const t1 = performance.now();
    await c.start();
    const t2 = performance.now();
    await c.wait();
    const t3 = performance.now();
    await c.delete();
    const t4 = performance.now();
    if (i >= 5) {
      t.create.push(t1 - t0); t.start.push(t2 - t1); t.wait.push(t3 - t2); t.delete.push(t4 - t3); t.total.push(t4 - t0);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]?.toFixed(2);
console.log(Object.entries(t).map(([k, v]) => `${k} ${med(v)} ms`).join(' | '));
