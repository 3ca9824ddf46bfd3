/**
 * `@kc/seccomp`: syscall tables, a typed policy model, a BPF compiler,
 * emulator and disassembler in TypeScript, OCI profiles, user notification.
 *
 * @packageDocumentation
 */

export type { ArchInfo, ArchName } from './arch.js';
export {
  ARCH_NAMES,
  archInfo,
  isArchName,
  nativeArch,
  X32_SYSCALL_BIT,
} from './arch.js';
export type { CompiledFilter } from './bpf/compiler.js';
export { compile } from './bpf/compiler.js';
export { disassemble } from './bpf/disassembler.js';
export type { EmulationResult } from './bpf/emulator.js';
export { emulate } from './bpf/emulator.js';
export type { SockFilter } from './bpf/instructions.js';
export {
  BPF_MAXINSNS,
  decodeProgram,
  encodeProgram,
} from './bpf/instructions.js';
export { SeccompError } from './errors.js';
export type { JsonPath, JsonPosition } from './json/json-error.js';
export { formatJsonPath, JsonError } from './json/json-error.js';
export type { ParseJsonExactOptions } from './json/parse-exact.js';
export { parseJsonExact } from './json/parse-exact.js';
export { stringifyJsonExact } from './json/stringify-exact.js';
export type { SpawnSeccompOptions } from './install/spawn-seccomp.js';
export {
  SECCOMP_FILTER_FLAG,
  toSpawnSeccomp,
} from './install/spawn-seccomp.js';
export type { DockerResolveOptions } from './oci/docker.js';
export { resolveDockerProfile } from './oci/docker.js';
export { exportOciSeccomp } from './oci/export.js';
export type { OciImport, OciImportWarning } from './oci/import.js';
export { importOciSeccomp } from './oci/import.js';
export { isSeccompArgValuePath, parseOciSeccompJson } from './oci/read-json.js';
export type {
  DockerCondition,
  OciSeccomp,
  OciSeccompArg,
  OciSeccompSyscall,
} from './oci/types.js';
export type { ArgSelector } from './policy/builder.js';
export { arg, PolicyBuilder, policy } from './policy/builder.js';
export type { SeccompData } from './policy/meaning.js';
export { policyMeaning } from './policy/meaning.js';
export type {
  Action,
  ArgComparison,
  ArgOp,
  Policy,
  Rule,
  RuleOrder,
} from './policy/model.js';
export {
  Act,
  actionFromValue,
  actionValue,
  formatAction,
  SECCOMP_RET,
} from './policy/model.js';
export type {
  NormalizedArg,
  ResolvedArch,
  ResolvedPolicy,
  ResolvedRule,
  ShadowedRule,
} from './policy/validate.js';
export { resolvePolicy } from './policy/validate.js';
export type { SeccompFeatures } from './notify/features.js';
export { seccompFeatures } from './notify/features.js';
export type { AddFdOptions } from './notify/notification.js';
export { SeccompNotification } from './notify/notification.js';
export type { AddFdSupport, SupervisorOptions } from './notify/supervisor.js';
export { SeccompSupervisor } from './notify/supervisor.js';
export { readTargetMemory, readTargetString } from './notify/target-memory.js';
export { kcDefaultPolicy } from './profiles/kc-default.js';
export { syscallName, syscallNames, syscallNumber } from './syscalls.js';
export { SYSCALL_TABLES_KERNEL } from './tables/kernel.js';
