/**
 * `@kc/caps`: Linux capabilities for Node.js. Typed capability sets, the
 * libcap text format (parse and print byte-compatible with `cap_from_text` /
 * `cap_to_text`), process capabilities from /proc and `capget(2)`, file
 * capabilities (`security.capability`, v2 and v3), securebits, and the
 * capabilities slot of kc's spawn pipeline.
 *
 * kc offers no helper that changes the capabilities of the Node process
 * itself: capabilities, securebits and ambient sets are per-thread state and
 * Node runs several threads, so a change would apply to one arbitrary
 * thread. Run the work in a child instead, with {@link toSpawnCapabilities}.
 *
 * @packageDocumentation
 */
export { CAPABILITIES, Cap, KNOWN_LAST_CAP, MAX_CAP_NUMBER, capabilityInfo, capabilityName, capabilityNumber } from './capability.js';
export type { CapName, CapabilityInfo, CapabilityLike, CapabilityName } from './capability.js';
export { CapSet } from './cap-set.js';
export type { CapSetLike } from './cap-set.js';
export { Capabilities } from './capabilities.js';
export type { CapTriple, CapabilitiesInit } from './capabilities.js';
export { CapsError } from './errors.js';
export type { CapsErrorOptions } from './errors.js';
export { parseCapText } from './text/parse.js';
export { formatCapText } from './text/format.js';
export type { CapTextOptions } from './text/options.js';
export { formatCapshDecode, parseCapMask } from './text/mask.js';
export { ALL_SECUREBITS, Securebit, securebitNames } from './securebits.js';
export type { SecurebitName } from './securebits.js';
export { parseProcStatus } from './process/status.js';
export type { ProcessCapabilityStatus } from './process/status.js';
export { capget, readCapLastCap, readNoNewPrivs, readProcessStatus, readSecurebits } from './process/read.js';
export type { Pid } from './process/read.js';
export { FILE_CAPS_XATTR, decodeFileCaps, encodeFileCaps } from './file/format.js';
export type { DecodedFileCapabilities, FileCapabilities, FileCapabilitiesInit } from './file/format.js';
export { fileCapsFromText, fileCapsToText } from './file/text.js';
export { readFileCaps, removeFileCaps, writeFileCaps } from './file/xattr.js';
export { DOCKER_DEFAULT_CAPS, PODMAN_DEFAULT_CAPS } from './presets.js';
export { toSpawnCapabilities } from './spawn/spawn-capabilities.js';
export type { SpawnCapabilities, SpawnCapabilitiesOptions } from './spawn/spawn-capabilities.js';
export { capabilitiesAfterExec } from './spawn/after-exec.js';
export type { ExecContext } from './spawn/after-exec.js';
