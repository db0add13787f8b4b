/**
 * The `ovs_vport` generic netlink family (YNL `ovs_vport.yaml`, `<linux/openvswitch.h>`): ports
 * of a datapath. Command, attribute and type numbers, the attribute sets (`vport`,
 * `vport-options`, `upcall-stats`), the family description and the {@link Vport} object the
 * client returns. Pure: no I/O.
 *
 * @module
 */

import { registerFamilySpec } from "../genl/registry.ts";
import type {
  AttrSet,
  Codec,
  DecodedAttrs,
  FixedCodec,
  NestOf,
  PadCodec,
} from "../protocol/schema.ts";
import { attrSet, t } from "../protocol/schema.ts";
import {
  defineOvsCrudFamily,
  OVS_CRUD_CMD,
  type OvsCrudFamily,
  u32Array,
  type VportStats,
  vportStats,
} from "./common.ts";

/**
 * `ovs_vport` commands (`OVS_VPORT_CMD_*`): the table the three CRUD families share,
 * {@link OVS_CRUD_CMD}.
 *
 * @example
 * ```ts
 * import { OVS_VPORT_CMD } from "@nlts/netlink/ovs";
 * console.log(OVS_VPORT_CMD.NEW); // 1
 * ```
 */
export const OVS_VPORT_CMD: typeof OVS_CRUD_CMD = OVS_CRUD_CMD;

/**
 * `ovs_vport` attributes (`OVS_VPORT_ATTR_*`; `UPCALL_STATS` is in kernels 6.2+).
 *
 * @example
 * ```ts
 * import { OVS_VPORT_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_VPORT_ATTR.UPCALL_PID); // 5
 * ```
 */
export const OVS_VPORT_ATTR: {
  readonly UNSPEC: 0;
  readonly PORT_NO: 1;
  readonly TYPE: 2;
  readonly NAME: 3;
  readonly OPTIONS: 4;
  readonly UPCALL_PID: 5;
  readonly STATS: 6;
  readonly PAD: 7;
  readonly IFINDEX: 8;
  readonly NETNSID: 9;
  readonly UPCALL_STATS: 10;
} = {
  UNSPEC: 0,
  PORT_NO: 1,
  TYPE: 2,
  NAME: 3,
  OPTIONS: 4,
  UPCALL_PID: 5,
  STATS: 6,
  PAD: 7,
  IFINDEX: 8,
  NETNSID: 9,
  UPCALL_STATS: 10,
} as const;

/**
 * Port types (`OVS_VPORT_TYPE_*`).
 *
 * @example
 * ```ts
 * import { OVS_VPORT_TYPE } from "@nlts/netlink/ovs";
 * console.log(OVS_VPORT_TYPE.VXLAN); // 4
 * ```
 */
export const OVS_VPORT_TYPE: {
  readonly UNSPEC: 0;
  readonly NETDEV: 1;
  readonly INTERNAL: 2;
  readonly GRE: 3;
  readonly VXLAN: 4;
  readonly GENEVE: 5;
} = { UNSPEC: 0, NETDEV: 1, INTERNAL: 2, GRE: 3, VXLAN: 4, GENEVE: 5 } as const;

/** `OVS_VPORT_VERSION`. */
export const OVS_VPORT_VERSION = 1 as const;

/**
 * Names of the port types.
 *
 * @example
 * ```ts
 * import type { VportType } from "@nlts/netlink/ovs";
 * const kind: VportType = "internal";
 * ```
 */
export type VportType = "unspec" | "netdev" | "internal" | "gre" | "vxlan" | "geneve";

/**
 * The port-type codec: a u32 decoded to a {@link VportType} name (numbers when unknown).
 *
 * @example
 * ```ts
 * import { vportType } from "@nlts/netlink/ovs";
 * console.log(vportType.size); // 4
 * ```
 */
export const vportType: FixedCodec<VportType | number> = t.enum(t.u32(), {
  unspec: OVS_VPORT_TYPE.UNSPEC,
  netdev: OVS_VPORT_TYPE.NETDEV,
  internal: OVS_VPORT_TYPE.INTERNAL,
  gre: OVS_VPORT_TYPE.GRE,
  vxlan: OVS_VPORT_TYPE.VXLAN,
  geneve: OVS_VPORT_TYPE.GENEVE,
});

/**
 * VXLAN extensions (`OVS_VXLAN_EXT_*`) nested in the tunnel options' `extension`: `gbp`
 * (Group Based Policy) is a flag.
 *
 * @example
 * ```ts
 * import { vxlanExtAttrs } from "@nlts/netlink/ovs";
 * console.log(vxlanExtAttrs.nameOf(1)); // "gbp"
 * ```
 */
export const vxlanExtAttrs: AttrSet<{ gbp: Codec<true, boolean> }> = attrSet("vxlan-ext", {
  gbp: [1, t.flag()],
});

/**
 * Tunnel port options (`OVS_TUNNEL_ATTR_*`): the UDP destination port (host order u16, as
 * the kernel reads it) and the VXLAN extensions.
 *
 * @example
 * ```ts
 * import { vportOptionsAttrs } from "@nlts/netlink/ovs";
 * console.log(vportOptionsAttrs.nameOf(1)); // "dst-port"
 * ```
 */
export const vportOptionsAttrs: AttrSet<{
  dstPort: FixedCodec<number>;
  extension: NestOf<typeof vxlanExtAttrs>;
}> = attrSet("vport-options", {
  dstPort: [1, t.u16()],
  extension: [2, t.nest(vxlanExtAttrs, { nestedFlag: false })],
});

/**
 * Upcall counters of a port (`OVS_VPORT_UPCALL_ATTR_*`, kernels 6.2+): upcalls sent and
 * upcalls that failed.
 *
 * @example
 * ```ts
 * import { upcallStatsAttrs } from "@nlts/netlink/ovs";
 * console.log(upcallStatsAttrs.nameOf(0)); // "success"
 * ```
 */
export const upcallStatsAttrs: AttrSet<{
  success: FixedCodec<bigint, bigint | number>;
  fail: FixedCodec<bigint, bigint | number>;
}> = attrSet("upcall-stats", {
  success: [0, t.u64()],
  fail: [1, t.u64()],
});

/**
 * The `vport` attribute set.
 *
 * @example
 * ```ts
 * import { vportAttrs } from "@nlts/netlink/ovs";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * vportAttrs.encode(w, { name: "vx0", type: "vxlan", options: { dstPort: 4789 }, upcallPid: [0] });
 * console.log(vportAttrs.decode(w.bytes()).type); // "vxlan"
 * ```
 */
export const vportAttrs: AttrSet<{
  portNo: FixedCodec<number>;
  type: typeof vportType;
  name: Codec<string>;
  options: NestOf<typeof vportOptionsAttrs>;
  upcallPid: Codec<number[], readonly number[]>;
  stats: typeof vportStats;
  pad: PadCodec;
  ifindex: FixedCodec<number>;
  netnsid: FixedCodec<number>;
  upcallStats: NestOf<typeof upcallStatsAttrs>;
}> = attrSet("vport", {
  portNo: [OVS_VPORT_ATTR.PORT_NO, t.u32()],
  type: [OVS_VPORT_ATTR.TYPE, vportType],
  name: [OVS_VPORT_ATTR.NAME, t.string({ maxLength: 15 })],
  options: [OVS_VPORT_ATTR.OPTIONS, t.nest(vportOptionsAttrs, { nestedFlag: false })],
  upcallPid: [OVS_VPORT_ATTR.UPCALL_PID, u32Array()],
  stats: [OVS_VPORT_ATTR.STATS, vportStats],
  pad: [OVS_VPORT_ATTR.PAD, t.pad()],
  ifindex: [OVS_VPORT_ATTR.IFINDEX, t.u32()],
  netnsid: [OVS_VPORT_ATTR.NETNSID, t.s32()],
  upcallStats: [OVS_VPORT_ATTR.UPCALL_STATS, t.nest(upcallStatsAttrs, { nestedFlag: false })],
});

/**
 * The `ovs_vport` family: operations new, del, get (do and dump), set; notifications on the
 * `ovs_vport` group.
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { ovsVport } from "@nlts/netlink/ovs";
 * using genl = GenlSocket.open();
 * const ports = genl.family(ovsVport).dumpSync("get", undefined, { header: { dpIfindex: 7 } });
 * ```
 */
export const ovsVport: OvsCrudFamily<"ovs_vport", 1, typeof vportAttrs> = defineOvsCrudFamily(
  "ovs_vport",
  OVS_VPORT_VERSION,
  vportAttrs,
);

registerFamilySpec(ovsVport);

/**
 * The former name of {@link ovsVport}.
 *
 * @deprecated Use {@link ovsVport}, named like the other family descriptions (`nlctrl`,
 * `netdev`, `ethtool`).
 *
 * @example
 * ```ts
 * import { ovsVport, ovsVportFamily } from "@nlts/netlink/ovs";
 * console.log(ovsVportFamily === ovsVport); // true
 * ```
 */
export const ovsVportFamily: typeof ovsVport = ovsVport;

/** Options of a tunnel port. */
export interface VportOptions {
  /** UDP destination port (vxlan, geneve). */
  dstPort?: number;
  /** VXLAN extensions. */
  extension?: { gbp?: true };
}

/** Upcall counters of a port (kernels 6.2+). */
export interface UpcallStats {
  /** Upcalls queued to userspace. */
  success?: bigint;
  /** Upcalls that failed. */
  fail?: bigint;
}

/**
 * A datapath port as the kernel describes it.
 *
 * @example
 * ```ts
 * import type { Vport } from "@nlts/netlink/ovs";
 * const line = (p: Vport) => `port ${p.portNo}: ${p.name} (${p.type})`;
 * ```
 */
export interface Vport {
  /** Ifindex of the datapath the port belongs to. */
  dpIfindex: number;
  /** Port number within the datapath (0 is the local port). */
  portNo: number;
  /** Port type by name (a number when unknown). */
  type: VportType | number;
  /** Port (device) name. */
  name: string;
  /** Tunnel options. */
  options?: VportOptions;
  /** Netlink port ids that receive this port's MISS upcalls (`[0]`: none). */
  upcallPids: number[];
  /** Packet counters. */
  stats?: VportStats;
  /** Ifindex of the port's device. */
  ifindex?: number;
  /** Network namespace id of the device, when it is in another namespace than the socket. */
  netnsid?: number;
  /** Upcall counters (kernels 6.2+). */
  upcallStats?: UpcallStats;
  /** Attributes this library does not know, kept raw. */
  unknown?: { type: number; bytes: Uint8Array; flags?: number }[];
}

/**
 * Builds a {@link Vport} from a decoded reply (header ifindex and attributes).
 *
 * @example
 * ```ts
 * import { toVport } from "@nlts/netlink/ovs";
 * console.log(toVport(7, { portNo: 1, type: "internal", name: "p1", upcallPid: [0] }).type); // "internal"
 * ```
 */
export function toVport(dpIfindex: number, a: DecodedAttrs<typeof vportAttrs.codecs>): Vport {
  const v: Vport = {
    dpIfindex,
    portNo: a.portNo ?? 0,
    type: a.type ?? "unspec",
    name: a.name ?? "",
    upcallPids: a.upcallPid ?? [],
  };
  if (a.options) {
    const o: VportOptions = {};
    if (a.options.dstPort !== undefined) o.dstPort = a.options.dstPort;
    if (a.options.extension) {
      o.extension = a.options.extension.gbp ? { gbp: true } : {};
    }
    v.options = o;
  }
  if (a.stats) v.stats = a.stats;
  if (a.ifindex !== undefined) v.ifindex = a.ifindex;
  if (a.netnsid !== undefined) v.netnsid = a.netnsid;
  if (a.upcallStats) {
    const u: UpcallStats = {};
    if (a.upcallStats.success !== undefined) u.success = a.upcallStats.success;
    if (a.upcallStats.fail !== undefined) u.fail = a.upcallStats.fail;
    v.upcallStats = u;
  }
  if (a.unknown) v.unknown = a.unknown;
  return v;
}
