/**
 * The `ovs_datapath` generic netlink family (YNL `ovs_datapath.yaml`, `<linux/openvswitch.h>`):
 * command and attribute numbers, the `datapath` attribute set, the family description, and the
 * {@link Datapath} object the client returns. Pure: no I/O.
 *
 * @module
 */

import { registerFamilySpec } from "../genl/registry.ts";
import type { AttrSet, Codec, DecodedAttrs, FixedCodec, PadCodec } from "../protocol/schema.ts";
import { attrSet, t } from "../protocol/schema.ts";
import {
  defineOvsCrudFamily,
  type DpStats,
  dpStats,
  type MegaflowStats,
  megaflowStats,
  OVS_CRUD_CMD,
  type OvsCrudFamily,
  u32Array,
  type UserFeature,
  userFeatures,
} from "./common.ts";

/**
 * `ovs_datapath` commands (`OVS_DP_CMD_*`): the table the three CRUD families share,
 * {@link OVS_CRUD_CMD}.
 *
 * @example
 * ```ts
 * import { OVS_DP_CMD } from "@nlts/netlink/ovs";
 * console.log(OVS_DP_CMD.GET); // 3
 * ```
 */
export const OVS_DP_CMD: typeof OVS_CRUD_CMD = OVS_CRUD_CMD;

/**
 * `ovs_datapath` attributes (`OVS_DP_ATTR_*`).
 *
 * @example
 * ```ts
 * import { OVS_DP_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_DP_ATTR.USER_FEATURES); // 5
 * ```
 */
export const OVS_DP_ATTR: {
  readonly UNSPEC: 0;
  readonly NAME: 1;
  readonly UPCALL_PID: 2;
  readonly STATS: 3;
  readonly MEGAFLOW_STATS: 4;
  readonly USER_FEATURES: 5;
  readonly PAD: 6;
  readonly MASKS_CACHE_SIZE: 7;
  readonly PER_CPU_PIDS: 8;
  readonly IFINDEX: 9;
} = {
  UNSPEC: 0,
  NAME: 1,
  UPCALL_PID: 2,
  STATS: 3,
  MEGAFLOW_STATS: 4,
  USER_FEATURES: 5,
  PAD: 6,
  MASKS_CACHE_SIZE: 7,
  PER_CPU_PIDS: 8,
  IFINDEX: 9,
} as const;

/** `OVS_DATAPATH_VERSION`: the genlmsghdr version (2: requests carry user features). */
export const OVS_DATAPATH_VERSION = 2 as const;

/**
 * The `datapath` attribute set. `ifindex` is only meaningful in NEW requests (the ifindex to
 * give the new local port, kernels 6.2+); replies carry the datapath's ifindex in the fixed
 * header instead.
 *
 * @example
 * ```ts
 * import { datapathAttrs } from "@nlts/netlink/ovs";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * datapathAttrs.encode(w, { name: "dp0", upcallPid: 0, userFeatures: ["unaligned"] });
 * console.log(datapathAttrs.decode(w.bytes()).userFeatures); // ["unaligned"]
 * ```
 */
export const datapathAttrs: AttrSet<{
  name: Codec<string>;
  upcallPid: FixedCodec<number>;
  stats: typeof dpStats;
  megaflowStats: typeof megaflowStats;
  userFeatures: typeof userFeatures;
  pad: PadCodec;
  masksCacheSize: FixedCodec<number>;
  perCpuPids: Codec<number[], readonly number[]>;
  ifindex: FixedCodec<number>;
}> = attrSet("datapath", {
  name: [OVS_DP_ATTR.NAME, t.string({ maxLength: 15 })],
  upcallPid: [OVS_DP_ATTR.UPCALL_PID, t.u32()],
  stats: [OVS_DP_ATTR.STATS, dpStats],
  megaflowStats: [OVS_DP_ATTR.MEGAFLOW_STATS, megaflowStats],
  userFeatures: [OVS_DP_ATTR.USER_FEATURES, userFeatures],
  pad: [OVS_DP_ATTR.PAD, t.pad()],
  masksCacheSize: [OVS_DP_ATTR.MASKS_CACHE_SIZE, t.u32()],
  perCpuPids: [OVS_DP_ATTR.PER_CPU_PIDS, u32Array()],
  ifindex: [OVS_DP_ATTR.IFINDEX, t.u32()],
});

/**
 * The `ovs_datapath` family: operations new, del, get (do and dump), set; notifications on
 * the `ovs_datapath` group (NEW, DEL, SET).
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { ovsDatapath } from "@nlts/netlink/ovs";
 * using genl = GenlSocket.open();
 * for await (const m of genl.family(ovsDatapath).dumpMessages("get")) {
 *   console.log(m.header.dpIfindex, m.attrs.name);
 * }
 * ```
 */
export const ovsDatapath: OvsCrudFamily<"ovs_datapath", 2, typeof datapathAttrs> =
  defineOvsCrudFamily(
    "ovs_datapath",
    OVS_DATAPATH_VERSION,
    datapathAttrs,
  );

registerFamilySpec(ovsDatapath);

/**
 * The former name of {@link ovsDatapath}.
 *
 * @deprecated Use {@link ovsDatapath}, named like the other family descriptions (`nlctrl`,
 * `netdev`, `ethtool`).
 *
 * @example
 * ```ts
 * import { ovsDatapath, ovsDatapathFamily } from "@nlts/netlink/ovs";
 * console.log(ovsDatapathFamily === ovsDatapath); // true
 * ```
 */
export const ovsDatapathFamily: typeof ovsDatapath = ovsDatapath;

/**
 * A datapath as the kernel describes it.
 *
 * @example
 * ```ts
 * import type { Datapath } from "@nlts/netlink/ovs";
 * const show = (d: Datapath) => `${d.name} (ifindex ${d.ifindex}) ${d.userFeatures.join(",")}`;
 * ```
 */
export interface Datapath {
  /** Name (the local port's device name). */
  name: string;
  /** Ifindex of the local port (`ovs_header.dp_ifindex`). */
  ifindex: number;
  /** Lookup statistics. */
  stats?: DpStats;
  /** Mask statistics. */
  megaflowStats?: MegaflowStats;
  /** Negotiated user features, by name (unknown bits as numbers). */
  userFeatures: readonly (UserFeature | number)[];
  /** Size of the per-CPU mask cache (kernels 5.9+). */
  masksCacheSize?: number;
  /** Upcall port ids per CPU (only with `dispatchUpcallPerCpu`). */
  perCpuPids?: number[];
  /** Attributes this library does not know, kept raw. */
  unknown?: { type: number; bytes: Uint8Array; flags?: number }[];
}

/**
 * Builds a {@link Datapath} from a decoded reply (header and attributes).
 *
 * @example
 * ```ts
 * import { toDatapath } from "@nlts/netlink/ovs";
 * console.log(toDatapath(7, { name: "dp0", userFeatures: ["unaligned"] }).ifindex); // 7
 * ```
 */
export function toDatapath(
  dpIfindex: number,
  a: DecodedAttrs<typeof datapathAttrs.codecs>,
): Datapath {
  const d: Datapath = {
    name: a.name ?? "",
    ifindex: dpIfindex,
    userFeatures: a.userFeatures ?? [],
  };
  if (a.stats) d.stats = a.stats;
  if (a.megaflowStats) d.megaflowStats = a.megaflowStats;
  if (a.masksCacheSize !== undefined) d.masksCacheSize = a.masksCacheSize;
  if (a.perCpuPids) d.perCpuPids = a.perCpuPids;
  if (a.unknown) d.unknown = a.unknown;
  return d;
}
