import { KcErrorCode } from '@kc/native';
import { NamespaceError } from '../errors.js';
import { formatAddress, parseCidr } from './ip-address.js';
import { linkIndex, type NetnsOption } from './links.js';
import { validateInterfaceName } from './names.js';
import { type Attr, attrBytes, attrToU32, attrU32, NL, parseAttrs, RTMSG_LEN, rtmsg } from './netlink-message.js';
import { RtnetlinkSocket } from './rtnetlink-socket.js';

/** Options of {@link addRoute}. */
export interface RouteOptions extends NetnsOption {
  /** `'default'` or a destination network `10.0.0.0/8`. */
  destination: string;
  /** Next hop; without one the route is on-link through `device`. */
  gateway?: string;
  /** Output interface. */
  device?: string;
  /** Routing table id (default: main, 254). */
  table?: number;
  /** Route metric. */
  metric?: number;
}

/** A route of the main or another table, as RTM_GETROUTE reports it. */
export interface RouteInfo {
  /** Address family: `NL.AF_INET` (2) or `NL.AF_INET6` (10). */
  family: number;
  /** `'default'` or `network/prefix`. */
  destination: string;
  /** Next-hop address (RTA_GATEWAY); undefined for a directly connected route. */
  gateway: string | undefined;
  /** Output interface index. */
  oif: number | undefined;
  /** Routing table id (RTA_TABLE, else `rtm_table`): 254 main, 255 local. */
  table: number;
}

/**
 * Adds a route (`ip route add default via GW [dev NAME]`).
 *
 * Privileges: CAP_NET_ADMIN over the namespace.
 * @throws {@link NamespaceError} `INVALID_ARGUMENT` for bad input (before any netlink call), `ENETUNREACH` when the gateway is not reachable on a link, `EEXIST` when the route exists.
 * @example
 * ```ts
 * addRoute({ destination: 'default', gateway: '10.200.0.1', netns });
 * ```
 */
export function addRoute(o: RouteOptions): void {
  const family = o.gateway ? parseCidr(o.gateway, 'gateway').family : o.destination === 'default' ? NL.AF_INET : parseCidr(o.destination, 'destination').family;
  const dst = o.destination === 'default' ? null : parseCidr(o.destination, 'destination');
  const gw = o.gateway ? parseCidr(o.gateway, 'gateway') : null;
  if (gw && gw.prefix !== (gw.family === NL.AF_INET ? 32 : 128)) {
    throw new NamespaceError('gateway: give a bare address without /prefix', { code: KcErrorCode.InvalidArgument, field: 'gateway' });
  }
  if (dst && dst.family !== family)
    throw new NamespaceError('destination and gateway families differ', { code: KcErrorCode.InvalidArgument, field: 'gateway' });
  if (!gw && o.device === undefined) throw new NamespaceError('a route needs a gateway or a device', { code: KcErrorCode.InvalidArgument, field: 'device' });
  if (o.device !== undefined) validateInterfaceName(o.device, 'device');
  const table = o.table ?? NL.RT_TABLE_MAIN;
  if (!Number.isInteger(table) || table < 1 || table > 0xffffffff)
    throw new NamespaceError('table: not a table id', { code: KcErrorCode.InvalidArgument, field: 'table' });
  using sock = RtnetlinkSocket.open(o.netns);
  const attrs: Attr[] = [];
  if (dst) attrs.push(attrBytes(NL.RTA_DST, dst.bytes));
  if (gw) attrs.push(attrBytes(NL.RTA_GATEWAY, gw.bytes));
  if (o.device !== undefined) attrs.push(attrU32(NL.RTA_OIF, linkIndex(sock, o.device)));
  if (o.metric !== undefined) attrs.push(attrU32(NL.RTA_PRIORITY, o.metric));
  if (table > 255) attrs.push(attrU32(NL.RTA_TABLE, table));
  sock.request(
    NL.RTM_NEWROUTE,
    NL.F_CREATE | NL.F_EXCL,
    rtmsg({ family, dstLen: dst?.prefix ?? 0, table: table > 255 ? 0 : table, scope: gw ? NL.RT_SCOPE_UNIVERSE : NL.RT_SCOPE_LINK }),
    attrs,
    `add route ${o.destination}`,
  );
}

/** Lists routes of every table (`ip -j route show table all`). */
export function listRoutes(options: NetnsOption = {}): RouteInfo[] {
  using sock = RtnetlinkSocket.open(options.netns);
  return sock
    .dump(NL.RTM_GETROUTE, rtmsg({ family: NL.AF_UNSPEC, table: 0, protocol: 0, type: 0 }))
    .filter((m) => m.type === NL.RTM_NEWROUTE)
    .map((m) => {
      const v = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
      const attrs = parseAttrs(m.payload.subarray(RTMSG_LEN));
      const dst = attrs.get(NL.RTA_DST);
      const gw = attrs.get(NL.RTA_GATEWAY);
      const dstLen = v.getUint8(1);
      return {
        family: v.getUint8(0),
        destination: dst ? `${formatAddress(dst)}/${dstLen}` : 'default',
        gateway: gw ? formatAddress(gw) : undefined,
        oif: attrToU32(attrs.get(NL.RTA_OIF)),
        table: attrToU32(attrs.get(NL.RTA_TABLE)) ?? v.getUint8(4),
      };
    });
}
