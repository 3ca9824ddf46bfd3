import { invalidArgument } from '@kc/native';
import { ContainerError } from '../errors.js';

/** Throws the INVALID_ARGUMENT ContainerError for `field`. */
export function reject(field: string, problem: string, hint?: string): never {
  throw invalidArgument(ContainerError, field, problem, hint);
}

/** True for a plain JSON object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Requires an object (or undefined when optional). */
export function checkObject(v: unknown, field: string, optional = true): void {
  if (v === undefined && optional) return;
  if (!isObject(v)) reject(field, `must be an object, got ${describe(v)}`);
}

/** Requires a string (or undefined when optional). */
export function checkString(v: unknown, field: string, optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string') reject(field, `must be a string, got ${describe(v)}`);
}

/** Requires a boolean (or undefined). */
export function checkBoolean(v: unknown, field: string): void {
  if (v !== undefined && typeof v !== 'boolean') reject(field, `must be a boolean, got ${describe(v)}`);
}

/** Requires an integer within [min, max] (or undefined when optional). */
export function checkInteger(v: unknown, field: string, min: number, max: number, optional = true): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) reject(field, `must be an integer, got ${describe(v)}`);
  if (v < min || v > max) reject(field, `must be between ${min} and ${max}, got ${v}`);
}

/** Requires an absolute path (or undefined when optional). */
export function checkAbsolutePath(v: unknown, field: string, optional = true): void {
  if (v === undefined && optional) return;
  checkString(v, field, false);
  if (!(v as string).startsWith('/')) reject(field, `must be an absolute path, got "${v as string}"`);
  if ((v as string).includes('\0')) reject(field, 'must not contain NUL bytes');
}

/** Requires an array of strings (or undefined). */
export function checkStringArray(v: unknown, field: string): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) reject(field, `must be an array of strings, got ${describe(v)}`);
  v.forEach((s, i) => checkString(s, `${field}[${i}]`, false));
}

/** Requires an array (or undefined) and returns it for per-item checks. */
export function checkArray(v: unknown, field: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) reject(field, `must be an array, got ${describe(v)}`);
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v}"` : typeof v === 'object' ? 'an object' : String(v);
}
