/**
 * The link kinds {@link RouteClient.addLink} knows by name, their options in `ip link add`
 * spelling (camelCase), and how each maps onto IFLA_LINKINFO's kind-specific data as the
 * rt-link spec describes it. Any other kind works too, with its data given as the spec names it.
 *
 * @module
 */

import type { LinkRef, NetnsRef } from "./link.ts";

/**
 * What every new link may have.
 *
 * @example
 * ```ts
 * import type { NewLinkBase } from "@nlts/netlink/route";
 * const common: NewLinkBase = { name: "x0", up: true, mtu: 9000, master: "br0" };
 * ```
 */
export interface NewLinkBase {
  /** Interface name (1..15 characters). */
  name: string;
  /** Bring it up once made. */
  up?: boolean;
  /** MTU. */
  mtu?: number;
  /** Link-layer address. */
  address?: string;
  /** Transmit queue length. */
  txqlen?: number;
  /** Enslave it to this bridge, bond or vrf. */
  master?: LinkRef;
  /** Make it in this namespace rather than the client's. */
  netns?: NetnsRef;
  /** Alias. */
  alias?: string;
  /** Device group. */
  group?: number;
  /** Transmit queues. */
  numTxQueues?: number;
  /** Receive queues. */
  numRxQueues?: number;
  /**
   * Kind-specific data as the rt-link spec names it (IFLA_INFO_DATA), merged over what the
   * typed options below produce: the way to set what they do not cover.
   */
  data?: Record<string, unknown>;
}

/**
 * A veth pair's other end.
 *
 * @example
 * ```ts
 * import type { VethPeer } from "@nlts/netlink/route";
 * const peer: VethPeer = { name: "ve1", netns: "blue", mtu: 1400 };
 * ```
 */
export interface VethPeer {
  /** Its name (default: the kernel's `vethN`). */
  name?: string;
  /** Put it in this namespace. */
  netns?: NetnsRef;
  /** Its MTU. */
  mtu?: number;
  /** Its link-layer address. */
  address?: string;
}

/**
 * A veth pair: `{ kind: "veth", name, peer: { name, netns } }`.
 *
 * @example
 * ```ts
 * import type { NewVeth } from "@nlts/netlink/route";
 * const pair: NewVeth = { kind: "veth", name: "ve0", peer: { name: "ve1" } };
 * ```
 */
export interface NewVeth extends NewLinkBase {
  /** Kind. */
  kind: "veth";
  /** The other end. */
  peer?: VethPeer;
}

/**
 * An 802.1Q/802.1ad VLAN on `link`.
 *
 * @example
 * ```ts
 * import type { NewVlan } from "@nlts/netlink/route";
 * const vlan: NewVlan = { kind: "vlan", name: "eth0.10", link: "eth0", id: 10 };
 * ```
 */
export interface NewVlan extends NewLinkBase {
  /** Kind. */
  kind: "vlan";
  /** The device it is stacked on. */
  link: LinkRef;
  /** VLAN id 0..4095. */
  id: number;
  /** Tag protocol (default 802.1Q). */
  protocol?: "802.1Q" | "802.1ad";
}

/**
 * A VXLAN device.
 *
 * @example
 * ```ts
 * import type { NewVxlan } from "@nlts/netlink/route";
 * const vx: NewVxlan = { kind: "vxlan", name: "vx0", vni: 42, remote: "192.0.2.1", port: 4789 };
 * ```
 */
export interface NewVxlan extends NewLinkBase {
  /** Kind. */
  kind: "vxlan";
  /** VNI (0..16777215); not with `external`. */
  vni?: number;
  /** Unicast remote (IPv4 or IPv6). */
  remote?: string;
  /** Multicast group (IPv4 or IPv6: `group` in ip link). */
  multicast?: string;
  /** Local address. */
  local?: string;
  /** UDP destination port (the kernel's default is 8472; IANA's is 4789). */
  port?: number;
  /** Underlay device. */
  dev?: LinkRef;
  /** TTL (0: inherit from the inner packet... as the kernel defines). */
  ttl?: number;
  /** TOS. */
  tos?: number;
  /** Learn remote addresses from received packets (kernel default true). */
  learning?: boolean;
  /** Metadata mode (`external`): one device for every VNI, as OVS and BPF use it. */
  external?: boolean;
  /** UDP checksums over IPv4. */
  udpCsum?: boolean;
  /** FDB entry ageing, seconds. */
  ageing?: number;
  /** Group Based Policy extension. */
  gbp?: boolean;
}

/**
 * A Geneve device.
 *
 * @example
 * ```ts
 * import type { NewGeneve } from "@nlts/netlink/route";
 * const gn: NewGeneve = { kind: "geneve", name: "gn0", vni: 7, remote: "192.0.2.1" };
 * ```
 */
export interface NewGeneve extends NewLinkBase {
  /** Kind. */
  kind: "geneve";
  /** VNI; not with `external`. */
  vni?: number;
  /** Remote (IPv4 or IPv6). */
  remote?: string;
  /** UDP destination port (default 6081). */
  port?: number;
  /** TTL. */
  ttl?: number;
  /** TOS. */
  tos?: number;
  /** Metadata mode (`external`). */
  external?: boolean;
  /** UDP checksums over IPv4. */
  udpCsum?: boolean;
}

/**
 * A bridge.
 *
 * @example
 * ```ts
 * import type { NewBridge } from "@nlts/netlink/route";
 * const br: NewBridge = { kind: "bridge", name: "br0", stp: true, vlanFiltering: true };
 * ```
 */
export interface NewBridge extends NewLinkBase {
  /** Kind. */
  kind: "bridge";
  /** Spanning tree on. */
  stp?: boolean;
  /** VLAN filtering on. */
  vlanFiltering?: boolean;
  /** Forward delay (centiseconds, as the kernel counts). */
  forwardDelay?: number;
  /** Hello time (centiseconds). */
  helloTime?: number;
  /** Max age (centiseconds). */
  maxAge?: number;
  /** FDB ageing time (centiseconds). */
  ageingTime?: number;
  /** Bridge priority. */
  priority?: number;
}

/**
 * A macvlan (or macvtap) on `link`.
 *
 * @example
 * ```ts
 * import type { NewMacvlan } from "@nlts/netlink/route";
 * const mv: NewMacvlan = { kind: "macvlan", name: "mv0", link: "eth0", mode: "bridge" };
 * ```
 */
export interface NewMacvlan extends NewLinkBase {
  /** Kind. */
  kind: "macvlan" | "macvtap";
  /** The device it is stacked on. */
  link: LinkRef;
  /** Mode (kernel default `vepa`). */
  mode?: "private" | "vepa" | "bridge" | "passthru" | "source";
}

/**
 * A bond.
 *
 * @example
 * ```ts
 * import type { NewBond } from "@nlts/netlink/route";
 * const bond: NewBond = { kind: "bond", name: "bond0", mode: 4, miimon: 100 };
 * ```
 */
export interface NewBond extends NewLinkBase {
  /** Kind. */
  kind: "bond";
  /** Mode: 0 balance-rr, 1 active-backup, 2 balance-xor, 3 broadcast, 4 802.3ad, 5 balance-tlb, 6 balance-alb. */
  mode?: number;
  /** MII link monitoring interval, ms. */
  miimon?: number;
}

/**
 * A VRF bound to a routing table.
 *
 * @example
 * ```ts
 * import type { NewVrf } from "@nlts/netlink/route";
 * const vrf: NewVrf = { kind: "vrf", name: "vrf-red", table: 10 };
 * ```
 */
export interface NewVrf extends NewLinkBase {
  /** Kind. */
  kind: "vrf";
  /** Its routing table. */
  table: number;
}

/**
 * A GRE family tunnel: gre, gretap, ip6gre, ip6gretap, erspan.
 *
 * @example
 * ```ts
 * import type { NewGre } from "@nlts/netlink/route";
 * const gre: NewGre = { kind: "gretap", name: "gt0", remote: "192.0.2.1", key: 5 };
 * ```
 */
export interface NewGre extends NewLinkBase {
  /** Kind. */
  kind: "gre" | "gretap" | "ip6gre" | "ip6gretap" | "erspan";
  /** Remote address. */
  remote?: string;
  /** Local address. */
  local?: string;
  /** Key of both directions. */
  key?: number;
  /** TTL. */
  ttl?: number;
  /** Underlay device. */
  dev?: LinkRef;
  /** Metadata mode (`external`). */
  external?: boolean;
}

/**
 * A kind without options (dummy, ifb, nlmon...) or any other, with its spec data.
 *
 * @example
 * ```ts
 * import type { NewOtherLink } from "@nlts/netlink/route";
 * const dummy: NewOtherLink = { kind: "dummy", name: "d0", up: true };
 * ```
 */
export interface NewOtherLink extends NewLinkBase {
  /** Kind: `dummy`, `ifb`, `nlmon`, or any the kernel has. */
  kind: string;
  /** The device it is stacked on (IFLA_LINK), for kinds that have one. */
  link?: LinkRef;
}

/**
 * A link to create with {@link RouteClient.addLink}.
 *
 * @example
 * ```ts
 * import type { NewLink } from "@nlts/netlink/route";
 * const links: NewLink[] = [
 *   { kind: "veth", name: "ve0", peer: { name: "ve1", netns: "blue" } },
 *   { kind: "vxlan", name: "vx0", vni: 42, remote: "192.0.2.1", port: 4789 },
 *   { kind: "dummy", name: "d0", up: true },
 * ];
 * ```
 */
export type NewLink =
  | NewVeth
  | NewVlan
  | NewVxlan
  | NewGeneve
  | NewBridge
  | NewMacvlan
  | NewBond
  | NewVrf
  | NewGre
  | NewOtherLink;
