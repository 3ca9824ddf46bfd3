/**
 * `@kc/seccomp`: syscall tables, a typed policy model, a BPF compiler,
 * emulator and disassembler in TypeScript, OCI profiles, user notification.
 *
 * @packageDocumentation
 */
export { ARCH_NAMES, X32_SYSCALL_BIT, archInfo, isArchName, nativeArch } from './arch.js';
export type { ArchInfo, ArchName } from './arch.js';
export { SeccompError } from './errors.js';
export { syscallName, syscallNames, syscallNumber } from './syscalls.js';
export { Act, SECCOMP_RET, actionFromValue, actionValue, formatAction } from './policy/model.js';
export type { Action, ArgComparison, ArgOp, Policy, Rule } from './policy/model.js';
export { PolicyBuilder, arg, policy } from './policy/builder.js';
export type { ArgSelector } from './policy/builder.js';
export { SECCOMP_FILTER_FLAG, toSpawnSeccomp } from './install/spawn-seccomp.js';
export type { SpawnSeccompOptions } from './install/spawn-seccomp.js';
export { resolvePolicy } from './policy/validate.js';
export type { NormalizedArg, ResolvedArch, ResolvedPolicy, ResolvedRule } from './policy/validate.js';
export { policyMeaning } from './policy/meaning.js';
export type { SeccompData } from './policy/meaning.js';
export { compile } from './bpf/compiler.js';
export type { CompiledFilter } from './bpf/compiler.js';
export { emulate } from './bpf/emulator.js';
export type { EmulationResult } from './bpf/emulator.js';
export { disassemble } from './bpf/disassembler.js';
export { BPF_MAXINSNS, decodeProgram, encodeProgram } from './bpf/instructions.js';
export type { SockFilter } from './bpf/instructions.js';
export { importOciSeccomp } from './oci/import.js';
export type { OciImport } from './oci/import.js';
export { exportOciSeccomp } from './oci/export.js';
export { resolveDockerProfile } from './oci/docker.js';
export type { DockerResolveOptions } from './oci/docker.js';
export type { DockerCondition, OciSeccomp, OciSeccompArg, OciSeccompSyscall } from './oci/types.js';
export { kcDefaultPolicy } from './profiles/kc-default.js';
