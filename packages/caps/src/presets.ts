import { CapSet } from './cap-set.js';

/**
 * Docker's default capability set (moby `oci/caps/defaults.go`,
 * `DefaultCapabilities`): the 14 capabilities a container gets unless told
 * otherwise. containerd's default spec uses the same list.
 */
export const DOCKER_DEFAULT_CAPS: CapSet = CapSet.of(
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
);

/**
 * Podman's default capability set: `default_capabilities` of
 * containers/common (`pkg/config/default.go`, shipped in
 * `/usr/share/containers/containers.conf`; checked against podman 4.3.1 on
 * Debian 12). Since Podman 4.0 it is Docker's set without AUDIT_WRITE, MKNOD
 * and NET_RAW: 11 capabilities.
 */
export const PODMAN_DEFAULT_CAPS: CapSet = CapSet.of(
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
);
