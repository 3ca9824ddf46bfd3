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
  brandKcError,
  errnoName,
  fromNative,
  invalidArgument,
  isRawNativeError,
  translateNative,
} from './errors.js';
export type { KcErrorClass, KcErrorCodeValue, KcErrorOptions, RawNativeError } from './errors.js';
export { PollEvent, watchFd } from './fd-watcher.js';
export type { FdWatch } from './fd-watcher.js';
export { NsIoctlOp, rawNsinfo } from './raw/nsinfo.js';
export type { RawNsinfo } from './raw/nsinfo.js';
export { rawMount } from './raw/mount.js';
export type { RawMount } from './raw/mount.js';
export { rawNetlink } from './raw/netlink.js';
export type { RawNetlink } from './raw/netlink.js';
export { createEventfd } from './eventfd.js';
export { rawBpf } from './raw/bpf.js';
export type { RawBpf } from './raw/bpf.js';
export { rawCaps } from './raw/caps.js';
export type { RawCaps, RawCapgetSets } from './raw/caps.js';
export { rawXattr } from './raw/xattr.js';
export type { RawXattr } from './raw/xattr.js';
export { rawSocket } from './raw/socket.js';
export type { RawSocket, RawSeqpacketMessage } from './raw/socket.js';
export { rawCore } from './raw/core.js';
export type { RawCore, RawExit, RawFdWatcher } from './raw/core.js';
export { rawContainerIo } from './raw/container-io.js';
export type { RawContainerIo } from './raw/container-io.js';
export { rawSeccomp } from './raw/seccomp.js';
export type { RawSeccomp, RawSeccompNotification, RawSeccompNotifSizes } from './raw/seccomp.js';
export { spawn } from './spawn/spawn.js';
export { abortError, exitStatusFromRaw, KcProcess, signalNumber } from './spawn/process.js';
export type { ExitStatus, KcProcessInit, OutputOptions, ProcessOutput } from './spawn/process.js';
export { validateIdMap, validateSpec, validateSpecIdMap } from './spawn/validate.js';
export { mountAttrSupport } from './spawn/mount-attr-support.js';
export type { MountAttrSupport } from './spawn/mount-attr-support.js';
export { encodePlan, idMapText, cloneFlags, STDIO_DEV_NULL } from './spawn/encode.js';
export type { EncodeContext } from './spawn/encode.js';
export { SPAWN_STEPS, SPAWN_STEP_HINTS } from './spawn/steps.js';
export type { SpawnStep } from './spawn/steps.js';
export { CLONE_FLAGS, MS, RLIMIT_NUMBERS } from './spawn/constants.js';
export { NAMESPACE_KINDS } from './spawn/spec.js';
export type {
  CapabilitySpec,
  CgroupPlacement,
  IdMapEntry,
  MountStep,
  NamespaceJoin,
  NamespaceKind,
  PidfdJoin,
  ProcessSpec,
  RlimitName,
  RlimitSpec,
  SeccompSpec,
  StdioOption,
  TimeOffsets,
  UserSpec,
} from './spawn/spec.js';
