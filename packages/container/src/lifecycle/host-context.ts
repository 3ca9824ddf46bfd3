import { readFileSync, statSync } from 'node:fs';
import { type CgroupMountLayout, parseCgroupLayout } from '../translate/cgroup-layout.js';

let layout: CgroupMountLayout | undefined;

/** The host's cgroup layout, read once from /proc/self/mountinfo. */
export function hostCgroupLayout(): CgroupMountLayout {
  layout ??= parseCgroupLayout(readFileSync('/proc/self/mountinfo', 'utf8'));
  return layout;
}

/** True when `path` is a directory on the host (bind sources). */
export function isHostDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
