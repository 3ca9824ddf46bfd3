import { brandKcError } from '@kc/native';
import { SeccompError } from '../errors.js';

/** A position in a JSON document: keys of objects, indices of arrays, from the root. */
export type JsonPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A path as kc names fields in errors: `linux.resources.memory.limit`,
 * `linux.seccomp.syscalls[3].args[0].value`; keys that are not identifiers are
 * quoted (`annotations["io.kubernetes.cri"]`). The root is the empty string.
 */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Where in the text a {@link JsonError} was found. */
export interface JsonPosition {
  /** Offset in the text, in UTF-16 code units from 0. */
  offset: number;
  /** Line, from 1. */
  line: number;
  /** Column, from 1, in UTF-16 code units. */
  column: number;
}

/**
 * Thrown by {@link parseJsonExact} (`code` `INVALID_ARGUMENT`): the text is not
 * JSON, or holds a number that would not be read exactly. `field` is the JSON
 * path of the value concerned (e.g. `linux.resources.memory.limit`; undefined
 * at the root), and the position is that of its first character.
 *
 * @example
 * ```ts
 * try { parseJsonExact('{"a": [1, }'); }
 * catch (e) { if (e instanceof JsonError) console.log(e.line, e.column, e.field); } // 1 11 a[1]
 * ```
 */
export class JsonError extends SeccompError {
  /** Offset in the text, in UTF-16 code units from 0. */
  readonly offset: number;
  /** Line, from 1. */
  readonly line: number;
  /** Column, from 1. */
  readonly column: number;

  constructor(problem: string, text: string, offset: number, path: JsonPath) {
    const { line, column } = positionOf(text, offset);
    const field = formatJsonPath(path);
    super(`${field ? `${field}: ` : ''}${problem} (JSON line ${line}, column ${column})`, {
      code: 'INVALID_ARGUMENT',
      field: field || undefined,
    });
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}
brandKcError(JsonError, 'JsonError');

/** Line and column of `offset` in `text`, both from 1. */
function positionOf(text: string, offset: number): Omit<JsonPosition, 'offset'> {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
