/**
 * `@kc/namespaces`: the eight Linux namespace kinds from TypeScript. Open and
 * inspect namespaces (inode ids, owners, parents, an `lsns`-equal listing),
 * build the namespace and mount fields of a spawn spec with validated id
 * maps, persist namespaces by bind mount (`ip netns add`), and configure
 * networking over rtnetlink (loopback, veth pairs, addresses, routes).
 *
 * @packageDocumentation
 */
export { NamespaceError } from './errors.js';
export {
  ALL_NAMESPACE_KINDS,
  NAMESPACE_KIND_INFO,
  cloneFlagsOf,
  isNamespaceKind,
  kindOfCloneFlag,
  parseNamespaceKind,
} from './kinds.js';
export type { NamespaceKindInfo } from './kinds.js';
export { Namespace } from './namespace.js';
export { namespacesOf, parseNamespaceLink, sameNamespace } from './inspect.js';
export type { NamespaceIds, NamespaceRef } from './inspect.js';
export { listNamespaces } from './list.js';
export type { ListNamespacesOptions, NamespaceInfo } from './list.js';
export { namespaceTree } from './tree.js';
export type { NamespaceTreeNode } from './tree.js';
export { MAX_ID_MAP_LINES, formatIdMap, mapToHost, parseIdMap, readIdMap, validateIdMap } from './idmap/validate.js';
export type { IdMapRules } from './idmap/validate.js';
export { parseSubIds, subIdRanges } from './idmap/subids.js';
export type { SubIdRange } from './idmap/subids.js';
export { namespaceSpec } from './spec-builder.js';
export type { JoinTarget, NamespaceOptions, NamespaceSpecFields } from './spec-builder.js';
export {
  NETNS_RUN_DIR,
  ensureNetnsDir,
  isNsfsMount,
  listNetns,
  netnsPath,
  openPersisted,
  persistNamespace,
  persistNetns,
  removePersisted,
  validateNamespaceName,
} from './persist.js';
export { MNT, MOUNT_API, MOUNT_ATTR, MS, MS_PROPAGATION_MASK, parseMountOptions } from './mounts/flags.js';
export { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, MountPlan, propagationFlags } from './mounts/builder.js';
export type { FsMountOptions, PropagationName } from './mounts/builder.js';
export { validateMountSteps } from './mounts/validate.js';
export { minimalMounts } from './mounts/minimal.js';
export type { KeptMount, MinimalMountsOptions } from './mounts/minimal.js';
export { idmappedBindMount, idmappedTree, mountNow, unmountNow } from './mounts/host-mounts.js';
export { MAX_INTERFACE_NAME_BYTES, validateInterfaceName } from './net/names.js';
export { formatAddress, parseCidr } from './net/ip-address.js';
export type { Cidr } from './net/ip-address.js';
export { RtnetlinkSocket } from './net/rtnetlink-socket.js';
export { NL, ifaddrmsg, ifinfomsg, rtmsg, attrBytes, attrNested, attrString, attrU32, parseAttrs } from './net/netlink-message.js';
export type { Attr, IncomingMessage } from './net/netlink-message.js';
export {
  createVethPair,
  deleteLink,
  findLink,
  listLinks,
  moveLink,
  setLinkUp,
} from './net/links.js';
export type { LinkInfo, NetnsDestination, NetnsOption, VethPairOptions } from './net/links.js';
export { addAddress, listAddresses } from './net/addresses.js';
export type { AddressInfo } from './net/addresses.js';
export { addRoute, listRoutes } from './net/routes.js';
export type { RouteInfo, RouteOptions } from './net/routes.js';
export { connectWithVeth } from './net/veth-link.js';
export type { VethLink, VethSide } from './net/veth-link.js';
export { unixSocketPair } from './socketpair.js';
export type { UnixSocketType } from './socketpair.js';
