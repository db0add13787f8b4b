/**
 * The Open vSwitch flow key model (`<linux/openvswitch.h>`): attribute numbers in kernel
 * spelling (`OVS_KEY_ATTR.IPV4`) and the attribute sets that encode and decode a flow key
 * (`OVS_KEY_ATTR_*`), its tunnel key (`OVS_TUNNEL_KEY_ATTR_*`) and NSH key
 * (`OVS_NSH_KEY_ATTR_*`). Pure: no I/O.
 *
 * A flow mask has the shape of a key ({@link FlowMask} is {@link FlowKey}): an attribute
 * absent from the mask is wildcarded, a mask member equal to zero wildcards that field.
 * Struct members use the short names of the datapath text format (`ipv4.src`, `tcp.dst`)
 * rather than the uapi's prefixed C names (`ipv4_src`, `tcp_dst`).
 *
 * Decoded objects keep the attributes in wire order (and encode in property order), so a
 * decoded key re-encodes byte for byte; attributes a kernel adds later land in `unknown`.
 *
 * @module
 */

import { type AttrSet, attrSet, type Codec, type FixedCodec, t } from "../protocol/schema.ts";
import type { PadCodec, UnknownAttr } from "../protocol/schema.ts";
import { mplsLses } from "./keys_codecs.ts";

/**
 * Flow key attribute types (`OVS_KEY_ATTR_*`). `PACKET_TYPE` and `ND_EXTENSIONS` are the
 * numbers Open vSwitch userspace "squats" on (the kernel rejects them); `TUNNEL_INFO` is
 * kernel-internal; `IPV6_EXTHDRS` came with Linux 6.1.
 *
 * @example
 * ```ts
 * import { OVS_KEY_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_KEY_ATTR.IPV6_EXTHDRS); // 32
 * ```
 */
export const OVS_KEY_ATTR: {
  readonly UNSPEC: 0;
  readonly ENCAP: 1;
  readonly PRIORITY: 2;
  readonly IN_PORT: 3;
  readonly ETHERNET: 4;
  readonly VLAN: 5;
  readonly ETHERTYPE: 6;
  readonly IPV4: 7;
  readonly IPV6: 8;
  readonly TCP: 9;
  readonly UDP: 10;
  readonly ICMP: 11;
  readonly ICMPV6: 12;
  readonly ARP: 13;
  readonly ND: 14;
  readonly SKB_MARK: 15;
  readonly TUNNEL: 16;
  readonly SCTP: 17;
  readonly TCP_FLAGS: 18;
  readonly DP_HASH: 19;
  readonly RECIRC_ID: 20;
  readonly MPLS: 21;
  readonly CT_STATE: 22;
  readonly CT_ZONE: 23;
  readonly CT_MARK: 24;
  readonly CT_LABELS: 25;
  readonly CT_ORIG_TUPLE_IPV4: 26;
  readonly CT_ORIG_TUPLE_IPV6: 27;
  readonly NSH: 28;
  readonly PACKET_TYPE: 29;
  readonly ND_EXTENSIONS: 30;
  readonly TUNNEL_INFO: 31;
  readonly IPV6_EXTHDRS: 32;
} = {
  UNSPEC: 0,
  ENCAP: 1,
  PRIORITY: 2,
  IN_PORT: 3,
  ETHERNET: 4,
  VLAN: 5,
  ETHERTYPE: 6,
  IPV4: 7,
  IPV6: 8,
  TCP: 9,
  UDP: 10,
  ICMP: 11,
  ICMPV6: 12,
  ARP: 13,
  ND: 14,
  SKB_MARK: 15,
  TUNNEL: 16,
  SCTP: 17,
  TCP_FLAGS: 18,
  DP_HASH: 19,
  RECIRC_ID: 20,
  MPLS: 21,
  CT_STATE: 22,
  CT_ZONE: 23,
  CT_MARK: 24,
  CT_LABELS: 25,
  CT_ORIG_TUPLE_IPV4: 26,
  CT_ORIG_TUPLE_IPV6: 27,
  NSH: 28,
  PACKET_TYPE: 29,
  ND_EXTENSIONS: 30,
  TUNNEL_INFO: 31,
  IPV6_EXTHDRS: 32,
} as const;

/**
 * Tunnel key attribute types (`OVS_TUNNEL_KEY_ATTR_*`); note that `ID` is 0.
 *
 * @example
 * ```ts
 * import { OVS_TUNNEL_KEY_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_TUNNEL_KEY_ATTR.ERSPAN_OPTS); // 15
 * ```
 */
export const OVS_TUNNEL_KEY_ATTR: {
  readonly ID: 0;
  readonly IPV4_SRC: 1;
  readonly IPV4_DST: 2;
  readonly TOS: 3;
  readonly TTL: 4;
  readonly DONT_FRAGMENT: 5;
  readonly CSUM: 6;
  readonly OAM: 7;
  readonly GENEVE_OPTS: 8;
  readonly TP_SRC: 9;
  readonly TP_DST: 10;
  readonly VXLAN_OPTS: 11;
  readonly IPV6_SRC: 12;
  readonly IPV6_DST: 13;
  readonly PAD: 14;
  readonly ERSPAN_OPTS: 15;
  readonly IPV4_INFO_BRIDGE: 16;
} = {
  ID: 0,
  IPV4_SRC: 1,
  IPV4_DST: 2,
  TOS: 3,
  TTL: 4,
  DONT_FRAGMENT: 5,
  CSUM: 6,
  OAM: 7,
  GENEVE_OPTS: 8,
  TP_SRC: 9,
  TP_DST: 10,
  VXLAN_OPTS: 11,
  IPV6_SRC: 12,
  IPV6_DST: 13,
  PAD: 14,
  ERSPAN_OPTS: 15,
  IPV4_INFO_BRIDGE: 16,
} as const;

/**
 * VXLAN extension attributes inside `OVS_TUNNEL_KEY_ATTR_VXLAN_OPTS` (`OVS_VXLAN_EXT_*`).
 *
 * @example
 * ```ts
 * import { OVS_VXLAN_EXT } from "@nlts/netlink/ovs";
 * console.log(OVS_VXLAN_EXT.GBP); // 1
 * ```
 */
export const OVS_VXLAN_EXT: { readonly UNSPEC: 0; readonly GBP: 1 } = {
  UNSPEC: 0,
  GBP: 1,
} as const;

/**
 * NSH key attribute types (`OVS_NSH_KEY_ATTR_*`).
 *
 * @example
 * ```ts
 * import { OVS_NSH_KEY_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_NSH_KEY_ATTR.MD1); // 2
 * ```
 */
export const OVS_NSH_KEY_ATTR: {
  readonly UNSPEC: 0;
  readonly BASE: 1;
  readonly MD1: 2;
  readonly MD2: 3;
} = { UNSPEC: 0, BASE: 1, MD1: 2, MD2: 3 } as const;

/**
 * Fragment types of `ipv4.frag` / `ipv6.frag` (`OVS_FRAG_TYPE_*`).
 *
 * @example
 * ```ts
 * import { OVS_FRAG_TYPE } from "@nlts/netlink/ovs";
 * console.log(OVS_FRAG_TYPE.LATER); // 2
 * ```
 */
export const OVS_FRAG_TYPE: { readonly NONE: 0; readonly FIRST: 1; readonly LATER: 2 } = {
  NONE: 0,
  FIRST: 1,
  LATER: 2,
} as const;

/**
 * Connection tracking state bits of `OVS_KEY_ATTR_CT_STATE` (`OVS_CS_F_*`).
 *
 * @example
 * ```ts
 * import { OVS_CS_F } from "@nlts/netlink/ovs";
 * console.log(OVS_CS_F.TRACKED); // 32
 * ```
 */
export const OVS_CS_F: {
  readonly NEW: 0x01;
  readonly ESTABLISHED: 0x02;
  readonly RELATED: 0x04;
  readonly REPLY_DIR: 0x08;
  readonly INVALID: 0x10;
  readonly TRACKED: 0x20;
  readonly SRC_NAT: 0x40;
  readonly DST_NAT: 0x80;
} = {
  NEW: 0x01,
  ESTABLISHED: 0x02,
  RELATED: 0x04,
  REPLY_DIR: 0x08,
  INVALID: 0x10,
  TRACKED: 0x20,
  SRC_NAT: 0x40,
  DST_NAT: 0x80,
} as const;

/**
 * Names of the connection tracking state bits as decoded from `ctState` (YNL
 * `ct-state-flags`).
 *
 * @example
 * ```ts
 * import type { CtStateName } from "@nlts/netlink/ovs";
 * const s: CtStateName = "tracked";
 * ```
 */
export type CtStateName =
  | "new"
  | "established"
  | "related"
  | "replyDir"
  | "invalid"
  | "tracked"
  | "srcNat"
  | "dstNat";

/**
 * `struct ovs_key_ethernet`.
 *
 * @example
 * ```ts
 * import type { OvsKeyEthernet } from "@nlts/netlink/ovs";
 * const eth: OvsKeyEthernet = { src: "00:01:02:03:04:05", dst: "10:11:12:13:14:15" };
 * ```
 */
export interface OvsKeyEthernet {
  /** Source MAC address. */
  src: string;
  /** Destination MAC address. */
  dst: string;
}

/**
 * `struct ovs_key_ipv4`.
 *
 * @example
 * ```ts
 * import type { OvsKeyIpv4 } from "@nlts/netlink/ovs";
 * const ip: OvsKeyIpv4 = { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 0 };
 * ```
 */
export interface OvsKeyIpv4 {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** IP protocol. */
  proto: number;
  /** Type of service (DSCP and ECN). */
  tos: number;
  /** Time to live. */
  ttl: number;
  /** One of {@link OVS_FRAG_TYPE}. */
  frag: number;
}

/**
 * `struct ovs_key_ipv6`.
 *
 * @example
 * ```ts
 * import type { OvsKeyIpv6 } from "@nlts/netlink/ovs";
 * const ip: OvsKeyIpv6 = {
 *   src: "::1", dst: "::2", label: 0, proto: 58, tclass: 0, hlimit: 64, frag: 0,
 * };
 * ```
 */
export interface OvsKeyIpv6 {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Flow label (20 bits). */
  label: number;
  /** Next header protocol. */
  proto: number;
  /** Traffic class. */
  tclass: number;
  /** Hop limit. */
  hlimit: number;
  /** One of {@link OVS_FRAG_TYPE}. */
  frag: number;
}

/**
 * `struct ovs_key_tcp`, `ovs_key_udp` and `ovs_key_sctp` (ports in host numbers).
 *
 * @example
 * ```ts
 * import type { OvsKeyPorts } from "@nlts/netlink/ovs";
 * const tcp: OvsKeyPorts = { src: 80, dst: 8080 };
 * ```
 */
export interface OvsKeyPorts {
  /** Source port. */
  src: number;
  /** Destination port. */
  dst: number;
}

/**
 * `struct ovs_key_icmp` and `ovs_key_icmpv6`.
 *
 * @example
 * ```ts
 * import type { OvsKeyIcmp } from "@nlts/netlink/ovs";
 * const icmp: OvsKeyIcmp = { type: 8, code: 0 };
 * ```
 */
export interface OvsKeyIcmp {
  /** ICMP type. */
  type: number;
  /** ICMP code. */
  code: number;
}

/**
 * `struct ovs_key_arp`.
 *
 * @example
 * ```ts
 * import type { OvsKeyArp } from "@nlts/netlink/ovs";
 * const arp: OvsKeyArp = {
 *   sip: "1.2.3.4", tip: "5.6.7.8", op: 1, sha: "00:0f:10:11:12:13", tha: "00:00:00:00:00:00",
 * };
 * ```
 */
export interface OvsKeyArp {
  /** Sender protocol address. */
  sip: string;
  /** Target protocol address. */
  tip: string;
  /** Operation (1 request, 2 reply). */
  op: number;
  /** Sender hardware address. */
  sha: string;
  /** Target hardware address. */
  tha: string;
}

/**
 * `struct ovs_key_nd` (IPv6 neighbor discovery).
 *
 * @example
 * ```ts
 * import type { OvsKeyNd } from "@nlts/netlink/ovs";
 * const nd: OvsKeyNd = { target: "::3", sll: "00:05:06:07:08:09", tll: "00:00:00:00:00:00" };
 * ```
 */
export interface OvsKeyNd {
  /** Target address. */
  target: string;
  /** Source link-layer address option. */
  sll: string;
  /** Target link-layer address option. */
  tll: string;
}

/**
 * `struct ovs_key_nd_extensions` (Open vSwitch userspace only).
 *
 * @example
 * ```ts
 * import type { OvsKeyNdExtensions } from "@nlts/netlink/ovs";
 * const ext: OvsKeyNdExtensions = { ndReserved: 0, ndOptionsType: 2 };
 * ```
 */
export interface OvsKeyNdExtensions {
  /** The reserved field of the ND message. */
  ndReserved: number;
  /** Type of the first ND option. */
  ndOptionsType: number;
}

/**
 * `struct ovs_key_ct_tuple_ipv4` / `ovs_key_ct_tuple_ipv6`: the original direction tuple of
 * the tracked connection (addresses as text).
 *
 * @example
 * ```ts
 * import type { OvsKeyCtTuple } from "@nlts/netlink/ovs";
 * const t: OvsKeyCtTuple = { src: "10.0.0.1", dst: "10.0.0.2", srcPort: 1, dstPort: 2, proto: 17 };
 * ```
 */
export interface OvsKeyCtTuple {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Source port. */
  srcPort: number;
  /** Destination port. */
  dstPort: number;
  /** IP protocol. */
  proto: number;
}

/**
 * `struct ovs_key_ipv6_exthdrs` (Linux 6.1): bits of the IPv6 extension headers seen.
 *
 * @example
 * ```ts
 * import type { OvsKeyIpv6Exthdrs } from "@nlts/netlink/ovs";
 * const ext: OvsKeyIpv6Exthdrs = { hdrs: 0x0004 };
 * ```
 */
export interface OvsKeyIpv6Exthdrs {
  /** Header bits (host order u16). */
  hdrs: number;
}

/**
 * `struct ovs_nsh_key_base`.
 *
 * @example
 * ```ts
 * import type { OvsNshKeyBase } from "@nlts/netlink/ovs";
 * const base: OvsNshKeyBase = { flags: 0, ttl: 63, mdtype: 1, np: 3, pathHdr: 0x000100ff };
 * ```
 */
export interface OvsNshKeyBase {
  /** NSH flags. */
  flags: number;
  /** NSH TTL. */
  ttl: number;
  /** Metadata type (1 or 2). */
  mdtype: number;
  /** Next protocol. */
  np: number;
  /** Service path header: SPI (24 bits) and SI (8 bits). */
  pathHdr: number;
}

/**
 * `struct ovs_nsh_key_md1`: four 32-bit context headers.
 *
 * @example
 * ```ts
 * import type { OvsNshKeyMd1 } from "@nlts/netlink/ovs";
 * const md1: OvsNshKeyMd1 = { context: [1, 2, 3, 4] };
 * ```
 */
export interface OvsNshKeyMd1 {
  /** The context headers. */
  context: number[];
}

/**
 * The NSH key (`OVS_NSH_KEY_ATTR_*`).
 *
 * @example
 * ```ts
 * import type { NshKey } from "@nlts/netlink/ovs";
 * const nsh: NshKey = { base: { flags: 0, ttl: 63, mdtype: 2, np: 3, pathHdr: 0x100ff }, md2: new Uint8Array(8) };
 * ```
 */
export interface NshKey {
  /** Base header fields. */
  base?: OvsNshKeyBase;
  /** MD type 1 context. */
  md1?: OvsNshKeyMd1;
  /** MD type 2 TLVs (raw). */
  md2?: Uint8Array;
  /** Attributes this model does not know. */
  unknown?: UnknownAttr[];
}

/**
 * VXLAN extensions of a tunnel key (`OVS_VXLAN_EXT_*`).
 *
 * @example
 * ```ts
 * import type { VxlanOpts } from "@nlts/netlink/ovs";
 * const opts: VxlanOpts = { gbp: (0x0b << 16) | 10 };
 * ```
 */
export interface VxlanOpts {
  /** Group based policy: flags in bits 16..23, policy id in bits 0..15. */
  gbp?: number;
  /** Attributes this model does not know. */
  unknown?: UnknownAttr[];
}

/**
 * The tunnel key (`OVS_TUNNEL_KEY_ATTR_*`). Flags are `true` when present; in a mask a flag
 * present means "match on that flag" (present in the key: set, absent: not set).
 *
 * @example
 * ```ts
 * import type { TunnelKey } from "@nlts/netlink/ovs";
 * const tun: TunnelKey = { id: 0x7f10354n, ipv4Src: "10.0.0.1", ipv4Dst: "10.0.0.2", ttl: 64, csum: true };
 * ```
 */
export interface TunnelKey {
  /** Tunnel id (VNI, GRE key). */
  id?: bigint;
  /** Outer IPv4 source. */
  ipv4Src?: string;
  /** Outer IPv4 destination. */
  ipv4Dst?: string;
  /** Outer TOS. */
  tos?: number;
  /** Outer TTL. */
  ttl?: number;
  /** Don't fragment. */
  dontFragment?: true;
  /** Checksum. */
  csum?: true;
  /** OAM frame. */
  oam?: true;
  /** Geneve options as raw TLVs (`struct geneve_opt` + data, repeated). */
  geneveOpts?: Uint8Array;
  /** Outer UDP source port. */
  tpSrc?: number;
  /** Outer UDP destination port. */
  tpDst?: number;
  /** VXLAN extensions. */
  vxlanOpts?: VxlanOpts;
  /** Outer IPv6 source. */
  ipv6Src?: string;
  /** Outer IPv6 destination. */
  ipv6Dst?: string;
  /** ERSPAN metadata as raw `struct erspan_metadata` (12 bytes, host-order version). */
  erspanOpts?: Uint8Array;
  /** IPv4 info bridge mode. */
  ipv4InfoBridge?: true;
  /** Attributes this model does not know. */
  unknown?: UnknownAttr[];
}

/**
 * A flow key (`OVS_KEY_ATTR_*`), and also a flow mask (see {@link FlowMask}). Every attribute
 * is optional; properties come in wire order.
 *
 * @example
 * ```ts
 * import type { FlowKey } from "@nlts/netlink/ovs";
 * const key: FlowKey = {
 *   inPort: 1,
 *   ethernet: { src: "00:01:02:03:04:05", dst: "10:11:12:13:14:15" },
 *   ethertype: 0x0800,
 *   ipv4: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 64, frag: 0 },
 * };
 * ```
 */
export interface FlowKey {
  /** The key of the encapsulated packet (after a VLAN header). */
  encap?: FlowKey;
  /** `skb->priority`. */
  priority?: number;
  /** Datapath input port. */
  inPort?: number;
  /** Ethernet addresses. */
  ethernet?: OvsKeyEthernet;
  /** VLAN TCI (host number of the big-endian field; bit 0x1000 is "present"). */
  vlan?: number;
  /** Ethernet type. */
  ethertype?: number;
  /** IPv4 header fields. */
  ipv4?: OvsKeyIpv4;
  /** IPv6 header fields. */
  ipv6?: OvsKeyIpv6;
  /** TCP ports. */
  tcp?: OvsKeyPorts;
  /** UDP ports. */
  udp?: OvsKeyPorts;
  /** ICMP type and code. */
  icmp?: OvsKeyIcmp;
  /** ICMPv6 type and code. */
  icmpv6?: OvsKeyIcmp;
  /** ARP fields. */
  arp?: OvsKeyArp;
  /** IPv6 neighbor discovery fields. */
  nd?: OvsKeyNd;
  /** `skb->mark`. */
  skbMark?: number;
  /** Tunnel metadata. */
  tunnel?: TunnelKey;
  /** SCTP ports. */
  sctp?: OvsKeyPorts;
  /** TCP flags (12 bits). */
  tcpFlags?: number;
  /** Datapath hash. */
  dpHash?: number;
  /** Recirculation id. */
  recircId?: number;
  /** MPLS label stack entries (each a host number of the big-endian LSE). */
  mpls?: number[];
  /** Connection tracking state: names of the set bits, then unknown bits as numbers. */
  ctState?: readonly (CtStateName | number)[];
  /** Connection tracking zone. */
  ctZone?: number;
  /** Connection tracking mark. */
  ctMark?: number;
  /** Connection tracking labels (16 raw bytes). */
  ctLabels?: Uint8Array;
  /** Original direction tuple of an IPv4 connection. */
  ctOrigTupleIpv4?: OvsKeyCtTuple;
  /** Original direction tuple of an IPv6 connection. */
  ctOrigTupleIpv6?: OvsKeyCtTuple;
  /** NSH fields. */
  nsh?: NshKey;
  /** Packet type: namespace in bits 16..31, type in bits 0..15 (userspace datapath). */
  packetType?: number;
  /** ND extensions (userspace datapath). */
  ndExtensions?: OvsKeyNdExtensions;
  /** Kernel-internal tunnel info (raw). */
  tunnelInfo?: Uint8Array;
  /** IPv6 extension headers seen (Linux 6.1). */
  ipv6Exthdrs?: OvsKeyIpv6Exthdrs;
  /** Attributes this model does not know. */
  unknown?: UnknownAttr[];
}

/**
 * A flow mask: shaped like a {@link FlowKey}. Absent attributes (and zero members) are
 * wildcarded; all-ones members match exactly.
 *
 * @example
 * ```ts
 * import type { FlowMask } from "@nlts/netlink/ovs";
 * const mask: FlowMask = { inPort: 0xffffffff, ethertype: 0xffff };
 * ```
 */
export type FlowMask = FlowKey;

/**
 * `struct ovs_key_ethernet`.
 *
 * @example
 * ```ts
 * import { ovsKeyEthernet } from "@nlts/netlink/ovs";
 * console.log(ovsKeyEthernet.size); // 12
 * ```
 */
export const ovsKeyEthernet: FixedCodec<OvsKeyEthernet> = t.struct("ovs-key-ethernet", {
  src: t.mac(),
  dst: t.mac(),
});

/**
 * `struct ovs_key_ipv4`.
 *
 * @example
 * ```ts
 * import { ovsKeyIpv4 } from "@nlts/netlink/ovs";
 * console.log(ovsKeyIpv4.size); // 12
 * ```
 */
export const ovsKeyIpv4: FixedCodec<OvsKeyIpv4> = t.struct("ovs-key-ipv4", {
  src: t.ipv4(),
  dst: t.ipv4(),
  proto: t.u8(),
  tos: t.u8(),
  ttl: t.u8(),
  frag: t.u8(),
});

/**
 * `struct ovs_key_ipv6`.
 *
 * @example
 * ```ts
 * import { ovsKeyIpv6 } from "@nlts/netlink/ovs";
 * console.log(ovsKeyIpv6.size); // 40
 * ```
 */
export const ovsKeyIpv6: FixedCodec<OvsKeyIpv6> = t.struct("ovs-key-ipv6", {
  src: t.ipv6(),
  dst: t.ipv6(),
  label: t.u32be(),
  proto: t.u8(),
  tclass: t.u8(),
  hlimit: t.u8(),
  frag: t.u8(),
});

/**
 * `struct ovs_key_tcp` / `ovs_key_udp` / `ovs_key_sctp`.
 *
 * @example
 * ```ts
 * import { ovsKeyPorts } from "@nlts/netlink/ovs";
 * console.log(ovsKeyPorts.size); // 4
 * ```
 */
export const ovsKeyPorts: FixedCodec<OvsKeyPorts> = t.struct("ovs-key-ports", {
  src: t.u16be(),
  dst: t.u16be(),
});

/**
 * `struct ovs_key_icmp` / `ovs_key_icmpv6`.
 *
 * @example
 * ```ts
 * import { ovsKeyIcmp } from "@nlts/netlink/ovs";
 * console.log(ovsKeyIcmp.size); // 2
 * ```
 */
export const ovsKeyIcmp: FixedCodec<OvsKeyIcmp> = t.struct("ovs-key-icmp", {
  type: t.u8(),
  code: t.u8(),
});

/**
 * `struct ovs_key_arp` (24 bytes with its tail padding).
 *
 * @example
 * ```ts
 * import { ovsKeyArp } from "@nlts/netlink/ovs";
 * console.log(ovsKeyArp.size); // 24
 * ```
 */
export const ovsKeyArp: FixedCodec<OvsKeyArp> = t.struct("ovs-key-arp", {
  sip: t.ipv4(),
  tip: t.ipv4(),
  op: t.u16be(),
  sha: t.mac(),
  tha: t.mac(),
});

/**
 * `struct ovs_key_nd`.
 *
 * @example
 * ```ts
 * import { ovsKeyNd } from "@nlts/netlink/ovs";
 * console.log(ovsKeyNd.size); // 28
 * ```
 */
export const ovsKeyNd: FixedCodec<OvsKeyNd> = t.struct("ovs-key-nd", {
  target: t.ipv6(),
  sll: t.mac(),
  tll: t.mac(),
});

/**
 * `struct ovs_key_nd_extensions` (8 bytes with its tail padding).
 *
 * @example
 * ```ts
 * import { ovsKeyNdExtensions } from "@nlts/netlink/ovs";
 * console.log(ovsKeyNdExtensions.size); // 8
 * ```
 */
export const ovsKeyNdExtensions: FixedCodec<OvsKeyNdExtensions> = t.struct(
  "ovs-key-nd-extensions",
  { ndReserved: t.u32be(), ndOptionsType: t.u8() },
);

/**
 * `struct ovs_key_ct_tuple_ipv4` (16 bytes with its tail padding).
 *
 * @example
 * ```ts
 * import { ovsKeyCtTupleIpv4 } from "@nlts/netlink/ovs";
 * console.log(ovsKeyCtTupleIpv4.size); // 16
 * ```
 */
export const ovsKeyCtTupleIpv4: FixedCodec<OvsKeyCtTuple> = t.struct("ovs-key-ct-tuple-ipv4", {
  src: t.ipv4(),
  dst: t.ipv4(),
  srcPort: t.u16be(),
  dstPort: t.u16be(),
  proto: t.u8(),
});

/**
 * `struct ovs_key_ct_tuple_ipv6` (40 bytes with its tail padding).
 *
 * @example
 * ```ts
 * import { ovsKeyCtTupleIpv6 } from "@nlts/netlink/ovs";
 * console.log(ovsKeyCtTupleIpv6.size); // 40
 * ```
 */
export const ovsKeyCtTupleIpv6: FixedCodec<OvsKeyCtTuple> = t.struct("ovs-key-ct-tuple-ipv6", {
  src: t.ipv6(),
  dst: t.ipv6(),
  srcPort: t.u16be(),
  dstPort: t.u16be(),
  proto: t.u8(),
});

/**
 * `struct ovs_key_ipv6_exthdrs`.
 *
 * @example
 * ```ts
 * import { ovsKeyIpv6Exthdrs } from "@nlts/netlink/ovs";
 * console.log(ovsKeyIpv6Exthdrs.size); // 2
 * ```
 */
export const ovsKeyIpv6Exthdrs: FixedCodec<OvsKeyIpv6Exthdrs> = t.struct("ovs-key-ipv6-exthdrs", {
  hdrs: t.u16(),
});

/**
 * `struct ovs_nsh_key_base`.
 *
 * @example
 * ```ts
 * import { ovsNshKeyBase } from "@nlts/netlink/ovs";
 * console.log(ovsNshKeyBase.size); // 8
 * ```
 */
export const ovsNshKeyBase: FixedCodec<OvsNshKeyBase> = t.struct("ovs-nsh-key-base", {
  flags: t.u8(),
  ttl: t.u8(),
  mdtype: t.u8(),
  np: t.u8(),
  pathHdr: t.u32be(),
});

/**
 * `struct ovs_nsh_key_md1`.
 *
 * @example
 * ```ts
 * import { ovsNshKeyMd1 } from "@nlts/netlink/ovs";
 * console.log(ovsNshKeyMd1.size); // 16
 * ```
 */
export const ovsNshKeyMd1: FixedCodec<OvsNshKeyMd1> = t.struct("ovs-nsh-key-md1", {
  context: t.array(t.u32be(), 4),
}) as unknown as FixedCodec<OvsNshKeyMd1>;

/**
 * The VXLAN extension attributes (`vxlan-ext-attrs`).
 *
 * @example
 * ```ts
 * import { tunnelVxlanAttrs } from "@nlts/netlink/ovs";
 * console.log(tunnelVxlanAttrs.nameOf(1)); // "gbp"
 * ```
 */
export const tunnelVxlanAttrs: AttrSet<{ gbp: FixedCodec<number> }> = attrSet("vxlan-ext-attrs", {
  gbp: [OVS_VXLAN_EXT.GBP, t.u32()],
});

/**
 * The tunnel key attributes (`tunnel-key-attrs`).
 *
 * @example
 * ```ts
 * import { tunnelKeyAttrs } from "@nlts/netlink/ovs";
 * console.log(tunnelKeyAttrs.nameOf(0)); // "id"
 * ```
 */
export const tunnelKeyAttrs: AttrSet<{
  id: FixedCodec<bigint, bigint | number>;
  ipv4Src: FixedCodec<string>;
  ipv4Dst: FixedCodec<string>;
  tos: FixedCodec<number>;
  ttl: FixedCodec<number>;
  dontFragment: Codec<true, boolean>;
  csum: Codec<true, boolean>;
  oam: Codec<true, boolean>;
  geneveOpts: Codec<Uint8Array>;
  tpSrc: FixedCodec<number>;
  tpDst: FixedCodec<number>;
  vxlanOpts: Codec<VxlanOpts, VxlanOpts>;
  ipv6Src: FixedCodec<string>;
  ipv6Dst: FixedCodec<string>;
  pad: PadCodec;
  erspanOpts: Codec<Uint8Array>;
  ipv4InfoBridge: Codec<true, boolean>;
}> = attrSet("tunnel-key-attrs", {
  id: [OVS_TUNNEL_KEY_ATTR.ID, t.u64be()],
  ipv4Src: [OVS_TUNNEL_KEY_ATTR.IPV4_SRC, t.ipv4()],
  ipv4Dst: [OVS_TUNNEL_KEY_ATTR.IPV4_DST, t.ipv4()],
  tos: [OVS_TUNNEL_KEY_ATTR.TOS, t.u8()],
  ttl: [OVS_TUNNEL_KEY_ATTR.TTL, t.u8()],
  dontFragment: [OVS_TUNNEL_KEY_ATTR.DONT_FRAGMENT, t.flag()],
  csum: [OVS_TUNNEL_KEY_ATTR.CSUM, t.flag()],
  oam: [OVS_TUNNEL_KEY_ATTR.OAM, t.flag()],
  geneveOpts: [OVS_TUNNEL_KEY_ATTR.GENEVE_OPTS, t.binary()],
  tpSrc: [OVS_TUNNEL_KEY_ATTR.TP_SRC, t.u16be()],
  tpDst: [OVS_TUNNEL_KEY_ATTR.TP_DST, t.u16be()],
  vxlanOpts: [OVS_TUNNEL_KEY_ATTR.VXLAN_OPTS, t.nest(tunnelVxlanAttrs, { nestedFlag: false })],
  ipv6Src: [OVS_TUNNEL_KEY_ATTR.IPV6_SRC, t.ipv6()],
  ipv6Dst: [OVS_TUNNEL_KEY_ATTR.IPV6_DST, t.ipv6()],
  pad: [OVS_TUNNEL_KEY_ATTR.PAD, t.pad()],
  erspanOpts: [OVS_TUNNEL_KEY_ATTR.ERSPAN_OPTS, t.binary()],
  ipv4InfoBridge: [OVS_TUNNEL_KEY_ATTR.IPV4_INFO_BRIDGE, t.flag()],
});

/**
 * The NSH key attributes (`ovs-nsh-key-attrs`).
 *
 * @example
 * ```ts
 * import { nshKeyAttrs } from "@nlts/netlink/ovs";
 * console.log(nshKeyAttrs.nameOf(2)); // "md1"
 * ```
 */
export const nshKeyAttrs: AttrSet<{
  base: FixedCodec<OvsNshKeyBase>;
  md1: FixedCodec<OvsNshKeyMd1>;
  md2: Codec<Uint8Array>;
}> = attrSet("ovs-nsh-key-attrs", {
  base: [OVS_NSH_KEY_ATTR.BASE, ovsNshKeyBase],
  md1: [OVS_NSH_KEY_ATTR.MD1, ovsNshKeyMd1],
  md2: [OVS_NSH_KEY_ATTR.MD2, t.binary()],
});

/** The codecs of {@link flowKeyAttrs}, by key. */
export type FlowKeyCodecs = {
  /** `OVS_KEY_ATTR_ENCAP`: a nested key (recursive). */
  encap: Codec<FlowKey, FlowKey>;
  /** `OVS_KEY_ATTR_PRIORITY`. */
  priority: FixedCodec<number>;
  /** `OVS_KEY_ATTR_IN_PORT`. */
  inPort: FixedCodec<number>;
  /** `OVS_KEY_ATTR_ETHERNET`. */
  ethernet: FixedCodec<OvsKeyEthernet>;
  /** `OVS_KEY_ATTR_VLAN`. */
  vlan: FixedCodec<number>;
  /** `OVS_KEY_ATTR_ETHERTYPE`. */
  ethertype: FixedCodec<number>;
  /** `OVS_KEY_ATTR_IPV4`. */
  ipv4: FixedCodec<OvsKeyIpv4>;
  /** `OVS_KEY_ATTR_IPV6`. */
  ipv6: FixedCodec<OvsKeyIpv6>;
  /** `OVS_KEY_ATTR_TCP`. */
  tcp: FixedCodec<OvsKeyPorts>;
  /** `OVS_KEY_ATTR_UDP`. */
  udp: FixedCodec<OvsKeyPorts>;
  /** `OVS_KEY_ATTR_ICMP`. */
  icmp: FixedCodec<OvsKeyIcmp>;
  /** `OVS_KEY_ATTR_ICMPV6`. */
  icmpv6: FixedCodec<OvsKeyIcmp>;
  /** `OVS_KEY_ATTR_ARP`. */
  arp: FixedCodec<OvsKeyArp>;
  /** `OVS_KEY_ATTR_ND`. */
  nd: FixedCodec<OvsKeyNd>;
  /** `OVS_KEY_ATTR_SKB_MARK`. */
  skbMark: FixedCodec<number>;
  /** `OVS_KEY_ATTR_TUNNEL`. */
  tunnel: Codec<TunnelKey, TunnelKey>;
  /** `OVS_KEY_ATTR_SCTP`. */
  sctp: FixedCodec<OvsKeyPorts>;
  /** `OVS_KEY_ATTR_TCP_FLAGS`. */
  tcpFlags: FixedCodec<number>;
  /** `OVS_KEY_ATTR_DP_HASH`. */
  dpHash: FixedCodec<number>;
  /** `OVS_KEY_ATTR_RECIRC_ID`. */
  recircId: FixedCodec<number>;
  /** `OVS_KEY_ATTR_MPLS`. */
  mpls: Codec<number[], readonly number[]>;
  /** `OVS_KEY_ATTR_CT_STATE`. */
  ctState: FixedCodec<
    readonly (CtStateName | number)[],
    readonly (CtStateName | number)[] | number
  >;
  /** `OVS_KEY_ATTR_CT_ZONE`. */
  ctZone: FixedCodec<number>;
  /** `OVS_KEY_ATTR_CT_MARK`. */
  ctMark: FixedCodec<number>;
  /** `OVS_KEY_ATTR_CT_LABELS`. */
  ctLabels: FixedCodec<Uint8Array>;
  /** `OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4`. */
  ctOrigTupleIpv4: FixedCodec<OvsKeyCtTuple>;
  /** `OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6`. */
  ctOrigTupleIpv6: FixedCodec<OvsKeyCtTuple>;
  /** `OVS_KEY_ATTR_NSH`. */
  nsh: Codec<NshKey, NshKey>;
  /** `OVS_KEY_ATTR_PACKET_TYPE`. */
  packetType: FixedCodec<number>;
  /** `OVS_KEY_ATTR_ND_EXTENSIONS`. */
  ndExtensions: FixedCodec<OvsKeyNdExtensions>;
  /** `OVS_KEY_ATTR_TUNNEL_INFO`. */
  tunnelInfo: Codec<Uint8Array>;
  /** `OVS_KEY_ATTR_IPV6_EXTHDRS`. */
  ipv6Exthdrs: FixedCodec<OvsKeyIpv6Exthdrs>;
};

/**
 * The flow key attributes (`key-attrs`, `OVS_KEY_ATTR_*`): decode `OVS_FLOW_ATTR_KEY`,
 * `OVS_FLOW_ATTR_MASK` and `OVS_PACKET_ATTR_KEY` payloads with it. Nests are written without
 * NLA_F_NESTED, as Open vSwitch and the kernel do.
 *
 * @example
 * ```ts
 * import { flowKeyAttrs } from "@nlts/netlink/ovs";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * flowKeyAttrs.encode(w, { inPort: 1, ethertype: 0x0800 });
 * console.log(flowKeyAttrs.decode(w.bytes())); // { inPort: 1, ethertype: 2048 }
 * ```
 */
export const flowKeyAttrs: AttrSet<FlowKeyCodecs> = attrSet("key-attrs", {
  encap: [
    OVS_KEY_ATTR.ENCAP,
    t.lazy((): Codec<FlowKey, FlowKey> =>
      t.nest(flowKeyAttrs, { nestedFlag: false }) as unknown as Codec<FlowKey, FlowKey>
    ),
  ],
  priority: [OVS_KEY_ATTR.PRIORITY, t.u32()],
  inPort: [OVS_KEY_ATTR.IN_PORT, t.u32()],
  ethernet: [OVS_KEY_ATTR.ETHERNET, ovsKeyEthernet],
  vlan: [OVS_KEY_ATTR.VLAN, t.u16be()],
  ethertype: [OVS_KEY_ATTR.ETHERTYPE, t.u16be()],
  ipv4: [OVS_KEY_ATTR.IPV4, ovsKeyIpv4],
  ipv6: [OVS_KEY_ATTR.IPV6, ovsKeyIpv6],
  tcp: [OVS_KEY_ATTR.TCP, ovsKeyPorts],
  udp: [OVS_KEY_ATTR.UDP, ovsKeyPorts],
  icmp: [OVS_KEY_ATTR.ICMP, ovsKeyIcmp],
  icmpv6: [OVS_KEY_ATTR.ICMPV6, ovsKeyIcmp],
  arp: [OVS_KEY_ATTR.ARP, ovsKeyArp],
  nd: [OVS_KEY_ATTR.ND, ovsKeyNd],
  skbMark: [OVS_KEY_ATTR.SKB_MARK, t.u32()],
  tunnel: [
    OVS_KEY_ATTR.TUNNEL,
    t.nest(tunnelKeyAttrs, { nestedFlag: false }) as unknown as Codec<TunnelKey, TunnelKey>,
  ],
  sctp: [OVS_KEY_ATTR.SCTP, ovsKeyPorts],
  tcpFlags: [OVS_KEY_ATTR.TCP_FLAGS, t.u16be()],
  dpHash: [OVS_KEY_ATTR.DP_HASH, t.u32()],
  recircId: [OVS_KEY_ATTR.RECIRC_ID, t.u32()],
  mpls: [OVS_KEY_ATTR.MPLS, mplsLses()],
  ctState: [
    OVS_KEY_ATTR.CT_STATE,
    t.flags(t.u32(), {
      new: OVS_CS_F.NEW,
      established: OVS_CS_F.ESTABLISHED,
      related: OVS_CS_F.RELATED,
      replyDir: OVS_CS_F.REPLY_DIR,
      invalid: OVS_CS_F.INVALID,
      tracked: OVS_CS_F.TRACKED,
      srcNat: OVS_CS_F.SRC_NAT,
      dstNat: OVS_CS_F.DST_NAT,
    }),
  ],
  ctZone: [OVS_KEY_ATTR.CT_ZONE, t.u16()],
  ctMark: [OVS_KEY_ATTR.CT_MARK, t.u32()],
  ctLabels: [OVS_KEY_ATTR.CT_LABELS, t.binary({ length: 16 })],
  ctOrigTupleIpv4: [OVS_KEY_ATTR.CT_ORIG_TUPLE_IPV4, ovsKeyCtTupleIpv4],
  ctOrigTupleIpv6: [OVS_KEY_ATTR.CT_ORIG_TUPLE_IPV6, ovsKeyCtTupleIpv6],
  nsh: [
    OVS_KEY_ATTR.NSH,
    t.nest(nshKeyAttrs, { nestedFlag: false }) as unknown as Codec<NshKey, NshKey>,
  ],
  packetType: [OVS_KEY_ATTR.PACKET_TYPE, t.u32be()],
  ndExtensions: [OVS_KEY_ATTR.ND_EXTENSIONS, ovsKeyNdExtensions],
  tunnelInfo: [OVS_KEY_ATTR.TUNNEL_INFO, t.binary()],
  ipv6Exthdrs: [OVS_KEY_ATTR.IPV6_EXTHDRS, ovsKeyIpv6Exthdrs],
});
