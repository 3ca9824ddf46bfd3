import type { CgroupBackend } from '../backend/types.js';
import type { CgroupStats } from './types.js';
import { readV1Stats } from './v1-stats.js';
import { readV2Stats } from './v2-stats.js';

/** Reads stats from each controller's own version and merges them (hybrid takes each section from where its controller lives). */
export function readStats(backend: CgroupBackend, path: string): CgroupStats {
  const files = backend.files(path);
  const on = (v: 1 | 2) => (c: string) => backend.versionOf(c) === v;
  const v1 = backend.kind === 'v2' ? {} : readV1Stats(files, on(1));
  const v2 = backend.kind === 'v1' ? {} : readV2Stats(files, on(2));
  // cpu.stat is a core v2 file even without the cpu controller; prefer v1 cpuacct when v1 has it.
  const out: CgroupStats = { ...v2, ...v1 };
  if (!v1.cpu && v2.cpu) out.cpu = v2.cpu;
  return out;
}
