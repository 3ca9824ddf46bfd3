import { constants } from 'node:os';
import type { SpawnStep } from './spawn/steps.js';

/**
 * Codes a {@link KcError} can carry besides errno names such as `'EPERM'`.
 * Callers `switch (err.code)` instead of matching message text.
 */
export const KcErrorCode = {
  /** The input was rejected before the kernel was touched. */
  InvalidArgument: 'INVALID_ARGUMENT',
  /** The kernel or machine lacks a feature the call needs. */
  Unsupported: 'UNSUPPORTED',
  /** A named object (cgroup, namespace file, container, tool) does not exist. */
  NotFound: 'NOT_FOUND',
  /** The object is in the wrong state for the call (already started, stopped...). */
  InvalidState: 'INVALID_STATE',
  /** An external tool (criu, newuidmap...) failed. */
  ToolFailed: 'TOOL_FAILED',
} as const;

/** One of {@link KcErrorCode}'s values, or an errno name such as `'EPERM'`. */
export type KcErrorCodeValue = (typeof KcErrorCode)[keyof typeof KcErrorCode] | (string & {});

/** Fields accepted by every {@link KcError} constructor. */
export interface KcErrorOptions {
  /** Errno name (`'EPERM'`) or one of {@link KcErrorCode}. Derived from `errno` when omitted. */
  code?: KcErrorCodeValue;
  /** The kernel's errno number, when a system call failed. */
  errno?: number;
  /** The failing system call, e.g. `'mount'`. */
  syscall?: string;
  /** The spawn-pipeline step that failed, one of {@link @kc/native!SPAWN_STEPS}. */
  step?: SpawnStep;
  /** The file, cgroup or object concerned. */
  path?: string;
  /** The input field that was wrong, e.g. `'uidMap[1].size'`. */
  field?: string;
  /** What to check or run to fix it. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n as number, name]));

/** The symbolic name of an errno number (`1` → `'EPERM'`), or `'E<n>'` when unknown. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/**
 * Brand symbols of the kc error classes, keyed by class. Each build of
 * `@kc/native` (ESM and CJS, loaded side by side when an ESM app imports a CJS
 * dependency of kc) has its own map, but the symbols come from the global
 * registry (`Symbol.for`), so they are the same in every build.
 */
const brands = new WeakMap<object, symbol>();

/**
 * Gives `ErrorClass` a cross-build identity: its instances carry the brand
 * `Symbol.for('kc.error.<name>')`, and `instanceof ErrorClass` accepts any value
 * carrying it, so an error thrown by the CJS build of a package is `instanceof`
 * the class of its ESM build (and the other way round). kc's own classes call
 * it once after their declaration; a subclass that is not branded keeps plain
 * prototype-chain `instanceof`.
 *
 * @param ErrorClass - a {@link KcError} subclass, branded at most once.
 * @param name - the stable class name in the brand, e.g. `'SeccompError'`.
 * @throws TypeError when `ErrorClass` is already branded (one class, one brand).
 * @example
 * ```ts
 * export class SeccompError extends KcError {}
 * brandKcError(SeccompError, 'SeccompError');
 * ```
 */
export function brandKcError(ErrorClass: abstract new (...args: never[]) => KcError, name: string): void {
  if (brands.has(ErrorClass)) throw new TypeError(`${name} is already branded`);
  brands.set(ErrorClass, Symbol.for(`kc.error.${name}`));
}

/** `value instanceof ErrorClass` by brand (any build), else by prototype chain. */
function isInstance(ErrorClass: object, value: unknown): boolean {
  const brand = brands.get(ErrorClass);
  if (brand !== undefined && typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true) return true;
  return Function.prototype[Symbol.hasInstance].call(ErrorClass, value);
}

/**
 * The root of kc's error hierarchy: every package throws a subclass of it, so a
 * caller can `catch` once and branch on `code`, `errno`, `step` and `path`.
 * `instanceof` holds across the ESM and CJS builds of kc (see
 * {@link brandKcError}).
 *
 * @example
 * ```ts
 * try { await spawn({ argv: ['/nope'] }); }
 * catch (e) { if (e instanceof KcError && e.code === 'ENOENT') console.log(e.step, e.hint); }
 * ```
 */
export class KcError extends Error {
  /**
   * `value instanceof C`: true when `value` carries `C`'s brand (set by the
   * constructor of any build of kc), else the ordinary prototype-chain test.
   * Only a class's own brand counts, so a subclass never accepts an instance of
   * its parent or of a sibling.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of `instanceof`, KcError or a subclass.
    // biome-ignore lint/complexity/noThisInStatic: the subclass's own brand is wanted, not KcError's
    return isInstance(this, value);
  }

  /** Errno name or a {@link KcErrorCode} value. */
  readonly code: KcErrorCodeValue;
  /** Errno number, when a system call failed. */
  readonly errno: number | undefined;
  /** The failing system call. */
  readonly syscall: string | undefined;
  /** The failing spawn-pipeline step, one of {@link @kc/native!SPAWN_STEPS} (so a `switch` on it is checked); absent outside the spawn pipeline. */
  readonly step: SpawnStep | undefined;
  /** The file or object concerned. */
  readonly path: string | undefined;
  /** The input field that was wrong. */
  readonly field: string | undefined;
  /** What to check or run to fix it. */
  readonly hint: string | undefined;

  constructor(message: string, options: KcErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    // The brands of every branded class from new.target up to KcError, so the
    // instance is `instanceof` each of them in the other build too. Not
    // enumerable: they stay out of util.inspect and object spreads.
    for (let c: object | null = new.target; c !== null && c !== Error; c = Object.getPrototypeOf(c)) {
      const brand = brands.get(c);
      if (brand !== undefined) Object.defineProperty(this, brand, { value: true });
    }
    this.errno = options.errno;
    this.code = options.code ?? (options.errno !== undefined ? errnoName(options.errno) : 'EUNKNOWN');
    this.syscall = options.syscall;
    this.step = options.step;
    this.path = options.path;
    this.field = options.field;
    this.hint = options.hint;
  }

  /** True when `code` is {@link KcErrorCode.InvalidArgument}. */
  get isInvalidArgument(): boolean {
    return this.code === KcErrorCode.InvalidArgument;
  }
}
brandKcError(KcError, 'KcError');

/** Thrown by the spawn pipeline; `step` names the step that failed in the child. */
export class SpawnError extends KcError {}
brandKcError(SpawnError, 'SpawnError');

/** The shape of an error thrown by the raw binding (before translation). */
export interface RawNativeError extends Error {
  /** Always `true`: the marker {@link isRawNativeError} tests, set by `ThrowError` in binding/module.cc. */
  kcNative: true;
  /** The positive errno of the failing call (`kc_error.err`). */
  errno: number;
  /** Errno name from strerrorname_np(3), e.g. `'EPERM'`; `'EUNKNOWN'` when glibc has no name. */
  code: string;
  /** The failing system call or C step (`kc_error.syscall`); absent when the C side gave none. */
  syscall?: string;
  /** The file or object concerned (`kc_error.path`); absent when empty. */
  path?: string;
  /** Index into {@link SPAWN_STEPS} of the failing spawn step; absent outside the spawn pipeline. */
  stepIndex?: number;
  /** Which item of that step failed: the index into `mounts`, `rlimits` or `sysctl`, or the capability number for bounding drops; absent when the step has no items. */
  itemIndex?: number;
}

/** True when `e` was thrown by kc's addon for a failing system call. */
export function isRawNativeError(e: unknown): e is RawNativeError {
  return typeof e === 'object' && e !== null && (e as { kcNative?: unknown }).kcNative === true;
}

/** Constructor type of a {@link KcError} subclass. */
export type KcErrorClass<E extends KcError = KcError> = new (message: string, options?: KcErrorOptions) => E;

/**
 * Runs `fn`, translating a raw addon error into `ErrorClass` with the extra
 * fields given (hint, path...). Other errors pass through untouched.
 */
export function translateNative<T, E extends KcError>(ErrorClass: KcErrorClass<E>, fn: () => T, extra: KcErrorOptions = {}): T {
  try {
    return fn();
  } catch (e) {
    throw fromNative(ErrorClass, e, extra);
  }
}

/** Turns a raw addon error into `ErrorClass`; returns other values unchanged. */
export function fromNative<E extends KcError>(ErrorClass: KcErrorClass<E>, e: unknown, extra: KcErrorOptions = {}): unknown {
  if (!isRawNativeError(e)) return e;
  return new ErrorClass(extra.hint ? `${e.message}: ${extra.hint}` : e.message, {
    errno: e.errno,
    code: e.code,
    syscall: e.syscall,
    path: extra.path ?? e.path,
    ...extra,
    cause: e,
  });
}

/** Builds the error for input rejected before any system call. */
export function invalidArgument<E extends KcError>(ErrorClass: KcErrorClass<E>, field: string, problem: string, hint?: string): E {
  return new ErrorClass(`${field}: ${problem}${hint ? ` (${hint})` : ''}`, {
    code: KcErrorCode.InvalidArgument,
    field,
    hint,
  });
}
