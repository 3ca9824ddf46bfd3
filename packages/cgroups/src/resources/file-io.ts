import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';
import type { Limit } from './types.js';

/** One write a translation produces: `value` into `file` of the controller's directory. */
export interface FileWrite {
  controller: string;
  file: string;
  value: string;
}

/**
 * Read access to one cgroup's files for translation: `read` returns a file's
 * text or undefined when it does not exist; `list` names the files of a
 * controller's directory. A real directory in production, a table in tests.
 */
export interface CgroupFiles {
  read(controller: string, file: string): string | undefined;
  list(controller: string): string[];
}

/** Above this a v1 byte limit means "unlimited" (the kernel reports PAGE_COUNTER_MAX pages, 2^63 rounded down to a page). */
const V1_UNLIMITED_FROM = 2 ** 62;

/** Formats a limit for v2 files (`max` or the integer). */
export function v2Limit(v: Limit): string {
  return v === 'max' ? 'max' : String(v);
}

/** Formats a limit for v1 files where -1 lifts the limit. */
export function v1Limit(v: Limit): string {
  return v === 'max' ? '-1' : String(v);
}

/** Parses a v2 limit (`max` or a number). */
export function parseV2Limit(text: string): Limit {
  const t = text.trim();
  return t === 'max' ? 'max' : Number(t);
}

/** Parses a v1 limit, mapping -1 and the page-counter maximum to `'max'`. */
export function parseV1Limit(text: string): Limit {
  const t = text.trim();
  if (t === 'max' || t === '-1') return 'max';
  const n = Number(t);
  return n >= V1_UNLIMITED_FROM ? 'max' : n;
}

/** The error for a knob the cgroup version in use does not have, raised before any write. */
export function unsupportedOn(version: 1 | 2, field: string, hint: string): CgroupError {
  return new CgroupError(`${field} is not available on cgroup v${version} (${hint})`, { code: KcErrorCode.Unsupported, field, hint });
}

/** Parses `key value` lines (flat-keyed files such as memory.stat) into numbers. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = v === 'max' ? Number.POSITIVE_INFINITY : Number(v);
  }
  return out;
}

/** Parses nested-keyed lines (`8:0 rbps=1 wbps=max`) into a map of key → field → limit. */
export function parseNestedKeyed(text: string): Map<string, Record<string, Limit>> {
  const out = new Map<string, Record<string, Limit>>();
  for (const line of text.split('\n')) {
    const [key, ...fields] = line.trim().split(/\s+/);
    if (!key) continue;
    const rec: Record<string, Limit> = {};
    for (const f of fields) {
      const eq = f.indexOf('=');
      if (eq > 0) rec[f.slice(0, eq)] = parseV2Limit(f.slice(eq + 1));
    }
    out.set(key, rec);
  }
  return out;
}
