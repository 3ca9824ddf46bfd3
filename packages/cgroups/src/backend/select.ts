import type { CgroupLayout } from '../layout/types.js';
import { HybridBackend } from './hybrid.js';
import type { CgroupBackend } from './types.js';
import { V1Backend } from './v1.js';
import { V2Backend } from './v2.js';

/** Chooses the backend for a detected layout: v2 on unified, v1 on legacy, both combined on hybrid. */
export function backendFor(layout: CgroupLayout): CgroupBackend {
  const v1 = new V1Backend(layout.v1, layout.fsRoot);
  if (layout.mode === 'legacy' || !layout.unified) return v1;
  if (layout.mode === 'unified') return new V2Backend(layout.unified, layout.fsRoot, true);
  return new HybridBackend(v1, new V2Backend(layout.unified, layout.fsRoot, false));
}
