/**
 * `@kc/criu`: checkpoint/restore for Node.js through CRIU's RPC protocol
 * (`criu swrk` over a SOCK_SEQPACKET socketpair, or `criu service`), with
 * typed options, notifications as awaitable events, typed errors carrying
 * CRIU's log, and image inspection (inventory, pstree, stats) like `crit`.
 *
 * @packageDocumentation
 */
export { Criu } from './client.js';
export type { CriuClientOptions } from './client.js';
export type { CriuFeatures, CriuVersion, DumpResult, PageServer, RestoreResult } from './results.js';
export { CriuError } from './errors.js';
export type { CriuErrorOptions } from './errors.js';
export { ImageMagic, joinImage, splitImage } from './images/image-file.js';
export { parseInventory, parsePstree, parseStats, readDumpStats, readInventory, readPstree, readRestoreStats } from './images/inspect.js';
export type { DumpStats, Inventory, ProcessEntry, RestoreStats } from './images/inspect.js';
export { LazyPagesDaemon } from './lazy-pages.js';
export type { LazyPagesExit } from './lazy-pages.js';
export { locateCriu } from './locate.js';
export { NotifyKind } from './notifications.js';
export type { CriuNotification, NotifyHandler, NotifyHandlers, NotifyKindValue } from './notifications.js';
export type {
  CgroupMode,
  CommonOptions,
  CriuCgroupMode,
  CriuRestoreOptions,
  DumpOptions,
  JoinNamespace,
  LazyPagesOptions,
  LogLevel,
  NetworkLockMethod,
  PageServerAddress,
  PageServerOptions,
  PreDumpOptions,
  RestoreOptions,
} from './options.js';
export { RestoredProcess } from './restored-process.js';
export type { RestoredExit } from './restored-process.js';
