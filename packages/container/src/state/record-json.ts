/**
 * `state.json` text ↔ {@link ContainerRecord}, exactly: the record holds the
 * validated config, whose seccomp argument operands may be bigints (see
 * oci/read-config.ts); `JSON.stringify` throws on those and `JSON.parse`
 * would round them, and `kc exec` compiles the filter again from this copy.
 */
import { isSeccompArgValuePath, parseJsonExact, stringifyJsonExact } from '@kc/seccomp';
import type { ContainerRecord } from './container-record.js';

const SECCOMP: readonly string[] = ['config', 'linux', 'seccomp'];

/** The text of `state.json` for `record`. */
export function recordToJson(record: ContainerRecord): string {
  return stringifyJsonExact(record);
}

/** The record in `state.json`'s text. @throws {@link @kc/seccomp!JsonError} for text that is not JSON. */
export function recordFromJson(text: string): ContainerRecord {
  return parseJsonExact(text, { bigintAt: (p) => isSeccompArgValuePath(p, SECCOMP) }) as ContainerRecord;
}
