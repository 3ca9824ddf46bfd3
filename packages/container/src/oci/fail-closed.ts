/**
 * Security settings kc cannot apply fail closed (DESIGN.md "Security"): a
 * config that asks for an LSM label or network classification gets a typed
 * UNSUPPORTED error naming the field, never a container without it. runc
 * errors the same way when it cannot apply an AppArmor profile.
 */
import { KcErrorCode } from '@kc/native';
import { ContainerError } from '../errors.js';
import type { OciConfig } from './types.js';

/** JSON paths of the settings in `config` that kc would have to drop. Pure. */
export function unappliedSecuritySettings(config: OciConfig): string[] {
  const out: string[] = [];
  if (config.process?.apparmorProfile) out.push('process.apparmorProfile');
  if (config.process?.selinuxLabel) out.push('process.selinuxLabel');
  if (config.linux?.mountLabel) out.push('linux.mountLabel');
  const net = config.linux?.resources?.network;
  if (net && (net.classID !== undefined || (net.priorities?.length ?? 0) > 0)) out.push('linux.resources.network');
  return out;
}

/**
 * Refuses a config with settings kc cannot apply.
 * @throws {ContainerError} UNSUPPORTED naming the first such field.
 */
export function refuseUnappliedSecurity(config: OciConfig): void {
  const fields = unappliedSecuritySettings(config);
  if (!fields.length) return;
  throw new ContainerError(
    `${fields.join(', ')}: kc cannot apply ${fields.length === 1 ? 'this setting' : 'these settings'} (no AppArmor/SELinux labelling, no net_cls/net_prio), and never runs a container without a security setting it was asked for`,
    {
      code: KcErrorCode.Unsupported,
      field: fields[0],
      hint: 'remove the field from config.json (with podman: --security-opt label=disable / apparmor=unconfined)',
    },
  );
}
