import { statSync } from 'node:fs';
import { KcErrorCode } from '@kc/native';
import { CgroupError } from '../errors.js';

/** Where the system bus listens (dbus-daemon(1), sd-bus's default). */
export const SYSTEM_BUS_SOCKET = '/run/dbus/system_bus_socket';

/**
 * The system bus address: `DBUS_SYSTEM_BUS_ADDRESS` when set, else
 * `unix:path=/run/dbus/system_bus_socket`, which must exist as a socket.
 *
 * @throws {@link CgroupError} `UNSUPPORTED` naming the socket when it is missing (no systemd as init, or dbus not running).
 */
export function systemBusAddress(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.DBUS_SYSTEM_BUS_ADDRESS;
  if (fromEnv) return fromEnv;
  let isSocket = false;
  try {
    isSocket = statSync(SYSTEM_BUS_SOCKET).isSocket();
  } catch {
    // Missing: reported below.
  }
  if (!isSocket) {
    throw new CgroupError(`the systemd cgroup driver needs the system D-Bus, and ${SYSTEM_BUS_SOCKET} is not there`, {
      code: KcErrorCode.Unsupported,
      path: SYSTEM_BUS_SOCKET,
      hint: 'run on a host booted with systemd (dbus.service running), set DBUS_SYSTEM_BUS_ADDRESS, or use the cgroupfs driver (a plain path such as /kc/<id>)',
    });
  }
  return `unix:path=${SYSTEM_BUS_SOCKET}`;
}
