/**
 * `@kc/native`: kc's one Node-API addon and what every kc package shares: the
 * spawn pipeline, fd polling in libuv, pidfd process handles and the
 * {@link KcError} hierarchy.
 *
 * @packageDocumentation
 */
export { loadAddon } from './addon.js';
export {
  KcError,
  KcErrorCode,
  SpawnError,
  errnoName,
  fromNative,
  invalidArgument,
  isRawNativeError,
  translateNative,
} from './errors.js';
export type { KcErrorClass, KcErrorCodeValue, KcErrorOptions, RawNativeError } from './errors.js';
export { PollEvent, watchFd } from './fd-watcher.js';
export type { FdWatch } from './fd-watcher.js';
