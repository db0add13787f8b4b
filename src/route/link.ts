/**
 * Links (network interfaces) as rtnetlink reports them: {@link Link}, decoded from RTM_NEWLINK
 * (`struct ifinfomsg` and the rt-link spec's link attributes), and the options that create and
 * change them ({@link NewLink}, {@link LinkChanges}).
 *
 * @module
 */

import type { RawHeaderOf, RawReplyOf } from "../ynl/raw_family.ts";
import type { rtLink } from "../families/rt_link.ts";
import { linkTypeName } from "./constants.ts";

/**
 * The decoded attributes of an RTM_NEWLINK (the rt-link spec's `link-attrs`).
 *
 * @example
 * ```ts
 * import type { LinkAttrs } from "@nlts/netlink/route";
 * const a: LinkAttrs = { ifname: "eth0", mtu: 1500 };
 * ```
 */
export type LinkAttrs = RawReplyOf<typeof rtLink, "getlink">;
/**
 * The decoded `struct ifinfomsg`.
 *
 * @example
 * ```ts
 * import type { LinkHeader } from "@nlts/netlink/route";
 * const h: Partial<LinkHeader> = { ifiIndex: 2, ifiFlags: ["up"] };
 * ```
 */
export type LinkHeader = RawHeaderOf<typeof rtLink, "getlink">;
/**
 * The decoded IFLA_LINKINFO nest: `kind`, `data` (by kind), `slaveKind`, `slaveData`.
 *
 * @example
 * ```ts
 * import type { LinkInfo } from "@nlts/netlink/route";
 * const info: LinkInfo = { kind: "vxlan", data: { id: 42, port: 4789 } };
 * ```
 */
export type LinkInfo = NonNullable<LinkAttrs["linkinfo"]>;
/**
 * `struct rtnl_link_stats64` (IFLA_STATS64): packet, byte, error and drop counters.
 *
 * @example
 * ```ts
 * import type { Link, LinkStats } from "@nlts/netlink/route";
 * const rx = (l: Link) => (l.stats as LinkStats | undefined)?.rxBytes ?? 0n;
 * ```
 */
export type LinkStats = NonNullable<LinkAttrs["stats64"]>;

/**
 * A link by name (`"eth0"`) or interface index (`2`).
 *
 * @example
 * ```ts
 * import type { LinkRef } from "@nlts/netlink/route";
 * const refs: LinkRef[] = ["eth0", 2];
 * ```
 */
export type LinkRef = string | number;

/**
 * A network namespace: a name under /run/netns (as `ip netns add` makes), an absolute path
 * (`/proc/PID/ns/net`), or an open file descriptor of one.
 *
 * @example
 * ```ts
 * import type { NetnsRef } from "@nlts/netlink/route";
 * const where: NetnsRef[] = ["blue", "/proc/1/ns/net", 5];
 * ```
 */
export type NetnsRef = string | number;

/**
 * A link (network interface), as `ip -d link show` describes it.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open();
 * const lo = rt.linkSync("lo");
 * console.log(lo.index, lo.name, lo.flags, lo.mtu, lo.stats?.rxPackets);
 * ```
 */
export interface Link {
  /** Interface index. */
  index: number;
  /** Interface name. */
  name: string;
  /** Link kind (`veth`, `bridge`, `vxlan`...); absent for devices without one (lo, NICs). */
  kind?: string;
  /** Flags as iproute2 prints them: `NO-CARRIER`, `BROADCAST`, `MULTICAST`, `UP`, `LOWER_UP`... */
  flags: string[];
  /** IFF_UP: administratively up. */
  up: boolean;
  /** Operational state: `UP`, `DOWN`, `UNKNOWN`, `LOWERLAYERDOWN`, `DORMANT`... */
  operstate: string;
  /** Link-layer type: `ether`, `loopback`, `none`... (a number when iproute2 has no name). */
  linkType: string | number;
  /** MTU. */
  mtu?: number;
  /** Smallest MTU the device takes. */
  minMtu?: number;
  /** Largest MTU the device takes. */
  maxMtu?: number;
  /** Link-layer address. */
  address?: string;
  /** Link-layer broadcast address. */
  broadcast?: string;
  /** Permanent (factory) address. */
  permAddress?: string;
  /** Index of the master (bridge, bond, vrf) it is enslaved to. */
  master?: number;
  /** Index of the link it is stacked on (IFLA_LINK: a vlan's device, a veth's peer). */
  parent?: number;
  /** The namespace id of `parent`'s namespace when that is another one (IFLA_LINK_NETNSID). */
  parentNetnsid?: number;
  /** Transmit queue length. */
  txqlen?: number;
  /** Queueing discipline. */
  qdisc?: string;
  /** Device group. */
  group?: number;
  /** Alias (IFLA_IFALIAS). */
  alias?: string;
  /** Alternative names. */
  altNames?: string[];
  /** Promiscuity count. */
  promiscuity?: number;
  /** Carrier present (IFLA_CARRIER). */
  carrier?: boolean;
  /** Transmit and receive queues. */
  numTxQueues?: number;
  /** Receive queues. */
  numRxQueues?: number;
  /** IFLA_LINKINFO: kind, kind-specific data (vxlan id, bridge timers...), port data. */
  linkinfo?: LinkInfo;
  /** 64-bit counters (IFLA_STATS64). */
  stats?: LinkStats;
  /** Every attribute the kernel sent, decoded by the rt-link spec. */
  attrs: LinkAttrs;
}

/** ifinfomsg flag bits by the rt-link spec's names. */
const IFF_BITS: Readonly<Record<string, number>> = {
  up: 0x1,
  broadcast: 0x2,
  debug: 0x4,
  loopback: 0x8,
  pointToPoint: 0x10,
  noTrailers: 0x20,
  running: 0x40,
  noArp: 0x80,
  promisc: 0x100,
  allMulti: 0x200,
  master: 0x400,
  slave: 0x800,
  multicast: 0x1000,
  portsel: 0x2000,
  autoMedia: 0x4000,
  dynamic: 0x8000,
  lowerUp: 0x10000,
  dormant: 0x20000,
  echo: 0x40000,
};

/** iproute2's order and spelling (ip/ipaddress.c print_link_flags). */
const IP_FLAGS: readonly [string, number][] = [
  ["LOOPBACK", 0x8],
  ["BROADCAST", 0x2],
  ["POINTOPOINT", 0x10],
  ["MULTICAST", 0x1000],
  ["NOARP", 0x80],
  ["ALLMULTI", 0x200],
  ["PROMISC", 0x100],
  ["MASTER", 0x400],
  ["SLAVE", 0x800],
  ["DEBUG", 0x4],
  ["DYNAMIC", 0x8000],
  ["AUTOMEDIA", 0x4000],
  ["PORTSEL", 0x2000],
  ["NOTRAILERS", 0x20],
  ["UP", 0x1],
  ["LOWER_UP", 0x10000],
  ["DORMANT", 0x20000],
  ["ECHO", 0x40000],
];

/** The IFF_* bits of a decoded `ifi_flags` (names, or numbers for unnamed bits). */
export function iffBits(flags: readonly (string | number)[] | number): number {
  if (typeof flags === "number") return flags;
  let v = 0;
  for (const f of flags) v |= typeof f === "number" ? f : IFF_BITS[f] ?? 0;
  return v >>> 0;
}

/**
 * Link flags as iproute2 prints them (`NO-CARRIER` for a link that is up without carrier,
 * then `LOOPBACK`, `BROADCAST`, ... `UP`, `LOWER_UP`), from the IFF_* bits.
 *
 * @example
 * ```ts
 * import { linkFlagNames } from "@nlts/netlink/route";
 * console.log(linkFlagNames(0x1 | 0x2 | 0x40 | 0x1000 | 0x10000)); // ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]
 * ```
 */
export function linkFlagNames(bits: number): string[] {
  const out: string[] = [];
  if ((bits & 0x1) && !(bits & 0x40)) out.push("NO-CARRIER");
  let rest = bits & ~0x40;
  for (const [n, b] of IP_FLAGS) {
    if (rest & b) {
      out.push(n);
      rest &= ~b;
    }
  }
  if (rest) out.push(rest.toString(16));
  return out;
}

const OPERSTATES = [
  "UNKNOWN",
  "NOTPRESENT",
  "DOWN",
  "LOWERLAYERDOWN",
  "TESTING",
  "DORMANT",
  "UP",
];

/** iproute2's name of an IF_OPER_* state. */
export function operstateName(state: number | undefined): string {
  return OPERSTATES[state ?? 0] ?? String(state);
}

/**
 * A {@link Link} from a decoded RTM_NEWLINK.
 *
 * @example
 * ```ts
 * import { RawFamily } from "@nlts/netlink/ynl";
 * import { rtLink } from "@nlts/netlink/families/rt_link";
 * import { toLink } from "@nlts/netlink/route";
 * using f = RawFamily.open(rtLink);
 * const [m] = f.requestSync("getlink", { ifname: "lo" });
 * console.log(toLink(m.header, m.attrs).flags);
 * ```
 */
export function toLink(h: LinkHeader, a: LinkAttrs): Link {
  const bits = iffBits(h.ifiFlags as readonly (string | number)[]);
  const l: Link = {
    index: h.ifiIndex,
    name: a.ifname ?? "",
    flags: linkFlagNames(bits),
    up: (bits & 1) !== 0,
    operstate: operstateName(a.operstate),
    linkType: linkTypeName(h.ifiType),
    attrs: a,
  };
  const info = a.linkinfo;
  if (info?.kind !== undefined) l.kind = info.kind;
  if (a.mtu !== undefined) l.mtu = a.mtu;
  if (a.minMtu !== undefined) l.minMtu = a.minMtu;
  if (a.maxMtu !== undefined) l.maxMtu = a.maxMtu;
  if (a.address !== undefined) l.address = a.address;
  if (a.broadcast !== undefined) l.broadcast = a.broadcast;
  if (a.permAddress !== undefined) l.permAddress = a.permAddress;
  if (a.master !== undefined) l.master = a.master;
  if (a.link !== undefined) l.parent = a.link;
  if (a.linkNetnsid !== undefined) l.parentNetnsid = a.linkNetnsid;
  if (a.txqlen !== undefined) l.txqlen = a.txqlen;
  if (a.qdisc !== undefined) l.qdisc = a.qdisc;
  if (a.group !== undefined) l.group = a.group;
  if (a.ifalias !== undefined) l.alias = a.ifalias;
  const alt = a.propList?.altIfname;
  if (alt !== undefined) l.altNames = Array.isArray(alt) ? [...alt] : [alt as string];
  if (a.promiscuity !== undefined) l.promiscuity = a.promiscuity;
  if (a.carrier !== undefined) l.carrier = a.carrier !== 0;
  if (a.numTxQueues !== undefined) l.numTxQueues = a.numTxQueues;
  if (a.numRxQueues !== undefined) l.numRxQueues = a.numRxQueues;
  if (info !== undefined) l.linkinfo = info;
  if (a.stats64 !== undefined) l.stats = a.stats64;
  return l;
}
