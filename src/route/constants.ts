/**
 * rtnetlink numbers no YNL spec carries, spelled as in `<linux/rtnetlink.h>`,
 * `<linux/socket.h>` and `<linux/if_arp.h>`: multicast groups, routing tables, scopes, route
 * protocols, next-hop flags, address families, link-layer types; and the names iproute2 prints
 * for them.
 *
 * @module
 */

/**
 * rtnetlink multicast groups (`RTNLGRP_*`), for {@link NetlinkSocket.joinGroup}.
 *
 * @example
 * ```ts
 * import { RTNLGRP } from "@nlts/netlink/route";
 * console.log(RTNLGRP.IPV4_ROUTE); // 7
 * ```
 */
export const RTNLGRP: {
  readonly LINK: 1;
  readonly NOTIFY: 2;
  readonly NEIGH: 3;
  readonly TC: 4;
  readonly IPV4_IFADDR: 5;
  readonly IPV4_MROUTE: 6;
  readonly IPV4_ROUTE: 7;
  readonly IPV4_RULE: 8;
  readonly IPV6_IFADDR: 9;
  readonly IPV6_MROUTE: 10;
  readonly IPV6_ROUTE: 11;
  readonly IPV6_IFINFO: 12;
  readonly IPV6_PREFIX: 18;
  readonly IPV6_RULE: 19;
  readonly ND_USEROPT: 20;
  readonly IPV4_NETCONF: 24;
  readonly IPV6_NETCONF: 25;
  readonly MDB: 26;
  readonly MPLS_ROUTE: 27;
  readonly NSID: 28;
  readonly NEXTHOP: 32;
  readonly BRVLAN: 33;
  readonly TUNNEL: 35;
  readonly STATS: 36;
} = {
  LINK: 1,
  NOTIFY: 2,
  NEIGH: 3,
  TC: 4,
  IPV4_IFADDR: 5,
  IPV4_MROUTE: 6,
  IPV4_ROUTE: 7,
  IPV4_RULE: 8,
  IPV6_IFADDR: 9,
  IPV6_MROUTE: 10,
  IPV6_ROUTE: 11,
  IPV6_IFINFO: 12,
  IPV6_PREFIX: 18,
  IPV6_RULE: 19,
  ND_USEROPT: 20,
  IPV4_NETCONF: 24,
  IPV6_NETCONF: 25,
  MDB: 26,
  MPLS_ROUTE: 27,
  NSID: 28,
  NEXTHOP: 32,
  BRVLAN: 33,
  TUNNEL: 35,
  STATS: 36,
} as const;

/**
 * Address families of rtnetlink headers (`AF_*`).
 *
 * @example
 * ```ts
 * import { AF } from "@nlts/netlink/route";
 * console.log(AF.INET6); // 10
 * ```
 */
export const AF: {
  readonly UNSPEC: 0;
  readonly INET: 2;
  readonly BRIDGE: 7;
  readonly INET6: 10;
  readonly MPLS: 28;
} = { UNSPEC: 0, INET: 2, BRIDGE: 7, INET6: 10, MPLS: 28 } as const;

/**
 * Reserved routing table ids (`RT_TABLE_*`); any other 1..2^32-1 is a table of your own.
 *
 * @example
 * ```ts
 * import { RT_TABLE } from "@nlts/netlink/route";
 * console.log(RT_TABLE.MAIN); // 254
 * ```
 */
export const RT_TABLE: {
  readonly UNSPEC: 0;
  readonly COMPAT: 252;
  readonly DEFAULT: 253;
  readonly MAIN: 254;
  readonly LOCAL: 255;
} = { UNSPEC: 0, COMPAT: 252, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;

/**
 * Route and address scopes (`RT_SCOPE_*`).
 *
 * @example
 * ```ts
 * import { RT_SCOPE } from "@nlts/netlink/route";
 * console.log(RT_SCOPE.LINK); // 253
 * ```
 */
export const RT_SCOPE: {
  readonly UNIVERSE: 0;
  readonly SITE: 200;
  readonly LINK: 253;
  readonly HOST: 254;
  readonly NOWHERE: 255;
} = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;

/**
 * Who installed a route (`RTPROT_*`).
 *
 * @example
 * ```ts
 * import { RTPROT } from "@nlts/netlink/route";
 * console.log(RTPROT.STATIC); // 4
 * ```
 */
export const RTPROT: {
  readonly UNSPEC: 0;
  readonly REDIRECT: 1;
  readonly KERNEL: 2;
  readonly BOOT: 3;
  readonly STATIC: 4;
  readonly GATED: 8;
  readonly RA: 9;
  readonly MRT: 10;
  readonly ZEBRA: 11;
  readonly BIRD: 12;
  readonly DNROUTED: 13;
  readonly XORP: 14;
  readonly NTK: 15;
  readonly DHCP: 16;
  readonly MROUTED: 17;
  readonly KEEPALIVED: 18;
  readonly BABEL: 42;
  readonly OPENR: 99;
  readonly BGP: 186;
  readonly ISIS: 187;
  readonly OSPF: 188;
  readonly RIP: 189;
  readonly EIGRP: 192;
} = {
  UNSPEC: 0,
  REDIRECT: 1,
  KERNEL: 2,
  BOOT: 3,
  STATIC: 4,
  GATED: 8,
  RA: 9,
  MRT: 10,
  ZEBRA: 11,
  BIRD: 12,
  DNROUTED: 13,
  XORP: 14,
  NTK: 15,
  DHCP: 16,
  MROUTED: 17,
  KEEPALIVED: 18,
  BABEL: 42,
  OPENR: 99,
  BGP: 186,
  ISIS: 187,
  OSPF: 188,
  RIP: 189,
  EIGRP: 192,
} as const;

/**
 * Next-hop flags (`RTNH_F_*`): `rtnexthop.rtnh_flags` and the low byte of `rtmsg.rtm_flags`.
 *
 * @example
 * ```ts
 * import { RTNH_F } from "@nlts/netlink/route";
 * console.log(RTNH_F.ONLINK); // 4
 * ```
 */
export const RTNH_F: {
  readonly DEAD: 1;
  readonly PERVASIVE: 2;
  readonly ONLINK: 4;
  readonly OFFLOAD: 8;
  readonly LINKDOWN: 16;
  readonly UNRESOLVED: 32;
  readonly TRAP: 64;
} = { DEAD: 1, PERVASIVE: 2, ONLINK: 4, OFFLOAD: 8, LINKDOWN: 16, UNRESOLVED: 32, TRAP: 64 };

/**
 * Route message flags of `rtmsg.rtm_flags` above the next-hop flags (`RTM_F_*`).
 *
 * @example
 * ```ts
 * import { RTM_F } from "@nlts/netlink/route";
 * console.log(RTM_F.FIB_MATCH.toString(16)); // "2000"
 * ```
 */
export const RTM_F: {
  readonly NOTIFY: 0x100;
  readonly CLONED: 0x200;
  readonly EQUALIZE: 0x400;
  readonly PREFIX: 0x800;
  readonly LOOKUP_TABLE: 0x1000;
  readonly FIB_MATCH: 0x2000;
  readonly OFFLOAD: 0x4000;
  readonly TRAP: 0x8000;
  readonly OFFLOAD_FAILED: 0x20000000;
} = {
  NOTIFY: 0x100,
  CLONED: 0x200,
  EQUALIZE: 0x400,
  PREFIX: 0x800,
  LOOKUP_TABLE: 0x1000,
  FIB_MATCH: 0x2000,
  OFFLOAD: 0x4000,
  TRAP: 0x8000,
  OFFLOAD_FAILED: 0x20000000,
};

/** Name -> number tables (iproute2's spellings) and their inverses. */
function names(o: Readonly<Record<string, number>>): {
  byName: ReadonlyMap<string, number>;
  byNumber: ReadonlyMap<number, string>;
} {
  const byName = new Map<string, number>();
  const byNumber = new Map<number, string>();
  for (const [k, v] of Object.entries(o)) {
    byName.set(k, v);
    if (!byNumber.has(v)) byNumber.set(v, k);
  }
  return { byName, byNumber };
}

const TABLES = names({ unspec: 0, default: 253, main: 254, local: 255 });
const SCOPES = names({ global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 });
const PROTOCOLS = names({
  unspec: 0,
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  gated: 8,
  ra: 9,
  mrt: 10,
  zebra: 11,
  bird: 12,
  dnrouted: 13,
  xorp: 14,
  ntk: 15,
  dhcp: 16,
  keepalived: 18,
  babel: 42,
  openr: 99,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
  eigrp: 192,
});

/**
 * A table, scope or protocol given by name or number.
 *
 * @example
 * ```ts
 * import { type NameOrNumber, tableId } from "@nlts/netlink/route";
 * const t: NameOrNumber = "main";
 * console.log(tableId(t)); // 254
 * ```
 */
export type NameOrNumber = string | number;

function toNumber(
  what: string,
  table: ReadonlyMap<string, number>,
  v: NameOrNumber,
  max: number,
): number {
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      throw new RangeError(`Cannot use ${what} ${v}: expected an integer 0..${max} or a name`);
    }
    return v;
  }
  const n = table.get(v);
  if (n !== undefined) return n;
  if (/^[0-9]+$/.test(v)) return toNumber(what, table, Number(v), max);
  throw new TypeError(
    `Cannot use ${what} "${v}": expected a number or one of ${[...table.keys()].join(", ")}`,
  );
}

/**
 * A routing table's number from a name iproute2 knows (`main`, `local`, `default`) or a
 * number.
 *
 * @example
 * ```ts
 * import { tableId } from "@nlts/netlink/route";
 * console.log(tableId("main"), tableId(100)); // 254 100
 * ```
 */
export function tableId(table: NameOrNumber): number {
  return toNumber("table", TABLES.byName, table, 0xffff_ffff);
}

/**
 * iproute2's name of a table (`main`, `local`, `default`, `unspec`), else the number.
 *
 * @example
 * ```ts
 * import { tableName } from "@nlts/netlink/route";
 * console.log(tableName(254), tableName(100)); // "main" 100
 * ```
 */
export function tableName(id: number): string | number {
  return TABLES.byNumber.get(id) ?? id;
}

/**
 * A scope's number from its name (`global`/`universe`, `site`, `link`, `host`, `nowhere`) or a
 * number.
 *
 * @example
 * ```ts
 * import { scopeId } from "@nlts/netlink/route";
 * console.log(scopeId("link")); // 253
 * ```
 */
export function scopeId(scope: NameOrNumber): number {
  return toNumber("scope", SCOPES.byName, scope, 255);
}

/**
 * iproute2's name of a scope, else the number.
 *
 * @example
 * ```ts
 * import { scopeName } from "@nlts/netlink/route";
 * console.log(scopeName(0), scopeName(253)); // "global" "link"
 * ```
 */
export function scopeName(id: number): string | number {
  return SCOPES.byNumber.get(id) ?? id;
}

/**
 * A route protocol's number from iproute2's name (`kernel`, `boot`, `static`, `dhcp`, `bgp`...)
 * or a number.
 *
 * @example
 * ```ts
 * import { protocolId } from "@nlts/netlink/route";
 * console.log(protocolId("static")); // 4
 * ```
 */
export function protocolId(protocol: NameOrNumber): number {
  return toNumber("protocol", PROTOCOLS.byName, protocol, 255);
}

/**
 * iproute2's name of a route protocol, else the number.
 *
 * @example
 * ```ts
 * import { protocolName } from "@nlts/netlink/route";
 * console.log(protocolName(2), protocolName(77)); // "kernel" 77
 * ```
 */
export function protocolName(id: number): string | number {
  return PROTOCOLS.byNumber.get(id) ?? id;
}

const ARPHRD = new Map<number, string>([
  [0, "netrom"],
  [1, "ether"],
  [24, "ieee1394"],
  [32, "infiniband"],
  [512, "ppp"],
  [768, "ipip"],
  [769, "tunnel6"],
  [772, "loopback"],
  [776, "sit"],
  [778, "gre"],
  [783, "irda"],
  [801, "ieee802.11"],
  [803, "ieee802.11/radiotap"],
  [823, "ip6gre"],
  [824, "netlink"],
  [825, "6lowpan"],
  [65534, "none"],
  [65535, "void"],
]);

/**
 * iproute2's name of a link-layer type (`ARPHRD_*`: `ether`, `loopback`, `none`...), else
 * the number.
 *
 * @example
 * ```ts
 * import { linkTypeName } from "@nlts/netlink/route";
 * console.log(linkTypeName(1), linkTypeName(772)); // "ether" "loopback"
 * ```
 */
export function linkTypeName(type: number): string | number {
  return ARPHRD.get(type) ?? type;
}
