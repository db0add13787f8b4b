/**
 * The `ovs_ct_limit` generic netlink family (`<linux/openvswitch.h>`): limits on the number of
 * conntrack entries per zone, for the whole network namespace (kernels 4.18+ with
 * CONFIG_NETFILTER_CONNCOUNT). `OVS_CT_LIMIT_ATTR_ZONE_LIMIT` holds back-to-back
 * `struct ovs_zone_limit`; zone id -1 is the default limit. Pure: no I/O.
 *
 * @module
 */

import { defineFamily } from "../genl/family.ts";
import { registerFamilySpec } from "../genl/registry.ts";
import type { AttrSet, Codec, FixedCodec, StructCodec } from "../protocol/schema.ts";
import { attrSet, t } from "../protocol/schema.ts";
import { ovsHeader, structArray } from "./common.ts";

/**
 * `ovs_ct_limit` commands (`OVS_CT_LIMIT_CMD_*`).
 *
 * @example
 * ```ts
 * import { OVS_CT_LIMIT_CMD } from "@nlts/netlink/ovs";
 * console.log(OVS_CT_LIMIT_CMD.GET); // 3
 * ```
 */
export const OVS_CT_LIMIT_CMD: {
  readonly UNSPEC: 0;
  readonly SET: 1;
  readonly DEL: 2;
  readonly GET: 3;
} = { UNSPEC: 0, SET: 1, DEL: 2, GET: 3 } as const;

/**
 * `ovs_ct_limit` attributes (`OVS_CT_LIMIT_ATTR_*`).
 *
 * @example
 * ```ts
 * import { OVS_CT_LIMIT_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_CT_LIMIT_ATTR.ZONE_LIMIT); // 1
 * ```
 */
export const OVS_CT_LIMIT_ATTR: { readonly UNSPEC: 0; readonly ZONE_LIMIT: 1 } = {
  UNSPEC: 0,
  ZONE_LIMIT: 1,
} as const;

/**
 * The zone id that stands for the default limit (`OVS_ZONE_LIMIT_DEFAULT_ZONE`).
 *
 * @example
 * ```ts
 * import { OVS_ZONE_LIMIT_DEFAULT_ZONE } from "@nlts/netlink/ovs";
 * console.log(OVS_ZONE_LIMIT_DEFAULT_ZONE); // -1
 * ```
 */
export const OVS_ZONE_LIMIT_DEFAULT_ZONE: -1 = -1;

/** `OVS_CT_LIMIT_VERSION`. */
export const OVS_CT_LIMIT_VERSION = 1 as const;

/**
 * `struct ovs_zone_limit { int zone_id; __u32 limit; __u32 count; }`.
 *
 * @example
 * ```ts
 * import { zoneLimit } from "@nlts/netlink/ovs";
 * console.log(zoneLimit.size); // 12
 * ```
 */
export const zoneLimit: StructCodec<{
  zoneId: FixedCodec<number>;
  limit: FixedCodec<number>;
  count: FixedCodec<number>;
}> = t.struct("ovs-zone-limit", { zoneId: t.s32(), limit: t.u32(), count: t.u32() });

/**
 * The `ct-limit` attribute set.
 *
 * @example
 * ```ts
 * import { ctLimitAttrs } from "@nlts/netlink/ovs";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * ctLimitAttrs.encode(w, { zoneLimit: [{ zoneId: -1, limit: 10, count: 0 }] });
 * console.log(w.length); // 16
 * ```
 */
export const ctLimitAttrs: AttrSet<{
  zoneLimit: Codec<
    { zoneId: number; limit: number; count: number }[],
    readonly { readonly zoneId: number; readonly limit: number; readonly count: number }[]
  >;
}> = attrSet("ct-limit", {
  zoneLimit: [OVS_CT_LIMIT_ATTR.ZONE_LIMIT, structArray(zoneLimit)],
});

/**
 * The `ovs_ct_limit` family: set, del, get.
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { ovsCtLimit } from "@nlts/netlink/ovs";
 * using genl = GenlSocket.open();
 * console.log(genl.family(ovsCtLimit).doSync("get")?.zoneLimit);
 * ```
 */
export const ovsCtLimit: {
  readonly name: "ovs_ct_limit";
  readonly version: 1;
  readonly header: typeof ovsHeader;
  readonly attrs: typeof ctLimitAttrs;
  readonly operations: {
    readonly set: { readonly cmd: 1 };
    readonly del: { readonly cmd: 2 };
    readonly get: { readonly cmd: 3 };
  };
  readonly mcastGroups: readonly ["ovs_ct_limit"];
  readonly module: "openvswitch";
} = defineFamily(
  {
    name: "ovs_ct_limit",
    version: OVS_CT_LIMIT_VERSION,
    header: ovsHeader,
    attrs: ctLimitAttrs,
    operations: {
      set: { cmd: OVS_CT_LIMIT_CMD.SET },
      del: { cmd: OVS_CT_LIMIT_CMD.DEL },
      get: { cmd: OVS_CT_LIMIT_CMD.GET },
    },
    mcastGroups: ["ovs_ct_limit"],
    module: "openvswitch",
  } as const,
);

registerFamilySpec(ovsCtLimit);

/**
 * The former name of {@link ovsCtLimit}.
 *
 * @deprecated Use {@link ovsCtLimit}, named like the other family descriptions (`nlctrl`,
 * `netdev`, `ethtool`).
 *
 * @example
 * ```ts
 * import { ovsCtLimit, ovsCtLimitFamily } from "@nlts/netlink/ovs";
 * console.log(ovsCtLimitFamily === ovsCtLimit); // true
 * ```
 */
export const ovsCtLimitFamily: typeof ovsCtLimit = ovsCtLimit;

/** A zone's limit and its current number of connections. */
export interface ZoneLimit {
  /** Conntrack zone 0..65535. */
  zone: number;
  /** Most connections (0: unlimited). */
  limit: number;
  /** Connections counted now (GET only). */
  count: number;
}

/**
 * Conntrack limits as {@link OvsClient.getCtLimits} returns them.
 *
 * @example
 * ```ts
 * import type { CtLimits } from "@nlts/netlink/ovs";
 * const text = (l: CtLimits) => [`default limit=${l.defaultLimit}`, ...l.zones.map((z) => `zone=${z.zone},limit=${z.limit},count=${z.count}`)].join("\n");
 * ```
 */
export interface CtLimits {
  /** The default limit of zones without their own (0: unlimited); absent if not reported. */
  defaultLimit?: number;
  /** Zones with their own limit (or the zones asked for). */
  zones: ZoneLimit[];
}

/**
 * Splits decoded `struct ovs_zone_limit` entries into the default and per-zone limits.
 *
 * @example
 * ```ts
 * import { toCtLimits } from "@nlts/netlink/ovs";
 * console.log(toCtLimits([{ zoneId: -1, limit: 10, count: 0 }, { zoneId: 3, limit: 5, count: 1 }]));
 * // { defaultLimit: 10, zones: [{ zone: 3, limit: 5, count: 1 }] }
 * ```
 */
export function toCtLimits(
  entries: readonly { zoneId: number; limit: number; count: number }[],
): CtLimits {
  const out: CtLimits = { zones: [] };
  for (const e of entries) {
    if (e.zoneId === OVS_ZONE_LIMIT_DEFAULT_ZONE) out.defaultLimit = e.limit;
    else if (e.zoneId >= 0 && e.zoneId <= 0xffff) {
      out.zones.push({ zone: e.zoneId, limit: e.limit, count: e.count });
    }
  }
  return out;
}
