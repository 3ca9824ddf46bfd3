import type { ArchName } from '../arch.js';
import type { Action } from '../policy/model.js';

/** `SCMP_ARCH_*` names of the OCI format ↔ kc's arch names. */
export const OCI_ARCH: Record<string, ArchName> = {
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X86: 'i386',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_RISCV64: 'riscv64',
};

/** Docker's `includes.arches` names (Go's GOARCH plus x32/x86) for kc's arches. */
export const DOCKER_ARCH: Record<ArchName, string> = {
  x86_64: 'amd64',
  i386: 'x86',
  x32: 'x32',
  aarch64: 'arm64',
  arm: 'arm',
  riscv64: 'riscv64',
};

/** OCI action name + errnoRet → kc {@link Action}; EPERM when errnoRet is absent, as runc does. */
export function actionFromOci(name: string, errnoRet: number | undefined): Action | undefined {
  switch (name) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return { kind: 'kill_thread' };
    case 'SCMP_ACT_KILL_PROCESS':
      return { kind: 'kill_process' };
    case 'SCMP_ACT_TRAP':
      return { kind: 'trap' };
    case 'SCMP_ACT_ERRNO':
      return { kind: 'errno', errno: errnoRet ?? 1 };
    case 'SCMP_ACT_TRACE':
      return { kind: 'trace', data: errnoRet ?? 1 };
    case 'SCMP_ACT_ALLOW':
      return { kind: 'allow' };
    case 'SCMP_ACT_LOG':
      return { kind: 'log' };
    case 'SCMP_ACT_NOTIFY':
      return { kind: 'user_notif' };
    default:
      return undefined;
  }
}

/** kc {@link Action} → OCI action name and errnoRet. */
export function actionToOci(a: Action): { action: string; errnoRet?: number } {
  switch (a.kind) {
    case 'kill_process':
      return { action: 'SCMP_ACT_KILL_PROCESS' };
    case 'kill_thread':
      return { action: 'SCMP_ACT_KILL_THREAD' };
    case 'trap':
      return { action: 'SCMP_ACT_TRAP' };
    case 'errno':
      return { action: 'SCMP_ACT_ERRNO', errnoRet: a.errno };
    case 'trace':
      return { action: 'SCMP_ACT_TRACE', errnoRet: a.data };
    case 'allow':
      return { action: 'SCMP_ACT_ALLOW' };
    case 'log':
      return { action: 'SCMP_ACT_LOG' };
    case 'user_notif':
      return { action: 'SCMP_ACT_NOTIFY' };
  }
}
