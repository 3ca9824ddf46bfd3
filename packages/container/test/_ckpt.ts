import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBusyboxRootfs, Container, defaultConfig } from '@kc/container';
import { checkpointRecord } from '../src/lifecycle/checkpoint.js';
const dir = mkdtempSync('/tmp/kcb/ck-');
buildBusyboxRootfs(join(dir, 'rootfs'));
writeFileSync(join(dir, 'config.json'), JSON.stringify(defaultConfig({ args: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /dev/shm/count; sleep 0.1; done'] })));
const c = await Container.create({ id: `ck-${process.pid}`, bundle: dir, root: '/tmp/kcb/run', stdio: ['pipe', 'pipe', 'pipe'] });
await c.start();
await new Promise((r) => setTimeout(r, 500));
try {
  await checkpointRecord(c.record as any, { imagesDir: join(dir, 'img'), leaveRunning: true });
  console.log('dumped', dir);
} catch (e) { console.log('ERR', e); }
await c.delete({ force: true });
