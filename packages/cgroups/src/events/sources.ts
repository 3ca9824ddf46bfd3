import { join } from 'node:path';
import { KcErrorCode } from '@kc/native';
import type { CgroupBackend } from '../backend/types.js';
import { CgroupError } from '../errors.js';
import { readCgroupFileIfAny } from '../internal/fs.js';
import type { EventOptions, EventSource } from './types.js';
import { v1OomSource, v1ThresholdSource } from './v1-eventfd.js';
import { keyedFileSource } from './v2-keyed-file.js';

/** Picks the event sources for a cgroup: per version of the memory controller, plus v2 `cgroup.events`. */
export function eventSources(backend: CgroupBackend, path: string, o: EventOptions): EventSource[] {
  const out: EventSource[] = [];
  const memDir = backend.controllerDir(path, 'memory');
  if (o.memory !== false && memDir) {
    if (backend.versionOf('memory') === 2) out.push(keyedFileSource(join(memDir, 'memory.events')));
    else out.push(v1OomSource(memDir));
  }
  for (const t of o.memoryThresholds ?? []) {
    if (!memDir || backend.versionOf('memory') !== 1) {
      throw new CgroupError('memory thresholds are cgroup v1 only; on v2 use memory.high and the "high" event', { code: KcErrorCode.Unsupported });
    }
    out.push(v1ThresholdSource(memDir, t));
  }
  const core = backend.coreDir(path);
  if (o.state !== false && core && readCgroupFileIfAny(join(core, 'cgroup.events')) !== undefined) {
    out.push(keyedFileSource(join(core, 'cgroup.events')));
  }
  if (out.length === 0)
    throw new CgroupError('no event source is available for this cgroup', {
      code: KcErrorCode.Unsupported,
    });
  return out;
}
