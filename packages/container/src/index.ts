/**
 * `@kc/container`: kc's reference container runtime. It composes kc's
 * primitives (spawn pipeline, cgroups, namespaces, capabilities, seccomp,
 * CRIU) into OCI containers and backs the runc-compatible `kc` CLI.
 *
 * @packageDocumentation
 */
export { ContainerError } from './errors.js';
export type {
  OciCapabilities,
  OciCapabilityName,
  OciConfig,
  OciConsoleSize,
  OciCpu,
  OciDevice,
  OciDeviceCgroupRule,
  OciHook,
  OciHooks,
  OciIdMapping,
  OciLinux,
  OciMemory,
  OciMount,
  OciNamespace,
  OciNamespaceType,
  OciProcess,
  OciResources,
  OciRlimit,
  OciRoot,
  OciSeccomp,
  OciSeccompArg,
  OciSeccompSyscall,
  OciState,
  OciStatus,
  OciUser,
} from './oci/types.js';
export { validateConfig } from './oci/validate.js';
export type { ValidateOptions } from './oci/validate.js';
export { DEFAULT_MASKED_PATHS, DEFAULT_MOUNTS, DEFAULT_READONLY_PATHS, OCI_VERSION, defaultConfig } from './oci/default-config.js';
export type { DefaultConfigOptions } from './oci/default-config.js';
export { CAPABILITY_NUMBERS, DEFAULT_CAPABILITIES, capabilityMask } from './oci/capability-names.js';
export { NAMESPACE_KIND, envRecord, toProcessSpec } from './translate/process-spec.js';
export type { TranslateContext } from './translate/process-spec.js';
export { DEFAULT_DEVICES, translateMounts } from './translate/mounts.js';
export type { MountContext } from './translate/mounts.js';
export { MS, parseMountOptions, parseOciMountOptions } from './translate/mount-options.js';
export type { ParsedMountOptions } from './translate/mount-options.js';
export { parseCgroupLayout } from './translate/cgroup-layout.js';
export type { CgroupMountLayout } from './translate/cgroup-layout.js';
export { ALLOWED_DEVICE_RULES, toCgroupResources, toDeviceRule, untranslatedResources } from './translate/resources.js';
export type { ToCgroupResourcesOptions } from './translate/resources.js';
export { DEFAULT_STATE_ROOT, StateStore, validateId } from './state/state-store.js';
export type { ContainerRecord, CreateStage } from './state/container-record.js';
export { Container } from './lifecycle/container.js';
export { createContainer } from './lifecycle/create.js';
export type { CreateOptions, Created } from './lifecycle/create.js';
export type { ContainerDeleteOptions, DeleteOptions } from './lifecycle/delete.js';
export type { ExecOptions } from './lifecycle/exec.js';
export type { HookFailureHandler, HookKind } from './lifecycle/hooks.js';
export type { CgroupStats, ContainerStats } from './internal/container-cgroup.js';
export { buildBusyboxRootfs } from './rootfs/busybox.js';
export type { BusyboxRootfsOptions } from './rootfs/busybox.js';
export { mountOverlayRootfs } from './rootfs/overlay.js';
export type { OverlayRootfsOptions } from './rootfs/overlay.js';
export type { CheckpointOptions, ContainerRestoreOptions, CriuFlags, RestoreOptions } from './lifecycle/checkpoint.js';
