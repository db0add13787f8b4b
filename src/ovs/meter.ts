/**
 * The `ovs_meter` generic netlink family (`<linux/openvswitch.h>`): per-datapath meters with
 * drop bands (kernels 4.15+). Command and attribute numbers, the attribute sets (`meter`,
 * `band`), the family description and the decoded objects. Pure: no I/O.
 *
 * The kernel has no meter dump; {@link OvsClient.dumpMeters} probes a range of ids.
 *
 * @module
 */

import { defineFamily } from "../genl/family.ts";
import { registerFamilySpec } from "../genl/registry.ts";
import type {
  ArrayOf,
  AttrSet,
  Codec,
  DecodedAttrs,
  FixedCodec,
  NestOf,
  PadCodec,
} from "../protocol/schema.ts";
import { attrSet, t } from "../protocol/schema.ts";
import { type FlowStats, flowStats, ovsHeader } from "./common.ts";

/**
 * `ovs_meter` commands (`OVS_METER_CMD_*`).
 *
 * @example
 * ```ts
 * import { OVS_METER_CMD } from "@nlts/netlink/ovs";
 * console.log(OVS_METER_CMD.FEATURES); // 1
 * ```
 */
export const OVS_METER_CMD: {
  readonly UNSPEC: 0;
  readonly FEATURES: 1;
  readonly SET: 2;
  readonly DEL: 3;
  readonly GET: 4;
} = { UNSPEC: 0, FEATURES: 1, SET: 2, DEL: 3, GET: 4 } as const;

/**
 * `ovs_meter` attributes (`OVS_METER_ATTR_*`).
 *
 * @example
 * ```ts
 * import { OVS_METER_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_METER_ATTR.BANDS); // 4
 * ```
 */
export const OVS_METER_ATTR: {
  readonly UNSPEC: 0;
  readonly ID: 1;
  readonly KBPS: 2;
  readonly STATS: 3;
  readonly BANDS: 4;
  readonly USED: 5;
  readonly CLEAR: 6;
  readonly MAX_METERS: 7;
  readonly MAX_BANDS: 8;
  readonly PAD: 9;
} = {
  UNSPEC: 0,
  ID: 1,
  KBPS: 2,
  STATS: 3,
  BANDS: 4,
  USED: 5,
  CLEAR: 6,
  MAX_METERS: 7,
  MAX_BANDS: 8,
  PAD: 9,
} as const;

/**
 * Meter band attributes (`OVS_BAND_ATTR_*`).
 *
 * @example
 * ```ts
 * import { OVS_BAND_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_BAND_ATTR.RATE); // 2
 * ```
 */
export const OVS_BAND_ATTR: {
  readonly UNSPEC: 0;
  readonly TYPE: 1;
  readonly RATE: 2;
  readonly BURST: 3;
  readonly STATS: 4;
} = { UNSPEC: 0, TYPE: 1, RATE: 2, BURST: 3, STATS: 4 } as const;

/**
 * Meter band types (`OVS_METER_BAND_TYPE_*`): only DROP exists.
 *
 * @example
 * ```ts
 * import { OVS_METER_BAND_TYPE } from "@nlts/netlink/ovs";
 * console.log(OVS_METER_BAND_TYPE.DROP); // 1
 * ```
 */
export const OVS_METER_BAND_TYPE: { readonly UNSPEC: 0; readonly DROP: 1 } = {
  UNSPEC: 0,
  DROP: 1,
} as const;

/** `OVS_METER_VERSION`. */
export const OVS_METER_VERSION = 1 as const;

/**
 * Names of the band types.
 *
 * @example
 * ```ts
 * import type { MeterBandType } from "@nlts/netlink/ovs";
 * const kind: MeterBandType = "drop";
 * ```
 */
export type MeterBandType = "unspec" | "drop";

/**
 * One band of a meter (`band` attribute set).
 *
 * @example
 * ```ts
 * import { bandAttrs } from "@nlts/netlink/ovs";
 * console.log(bandAttrs.nameOf(3)); // "burst"
 * ```
 */
export const bandAttrs: AttrSet<{
  type: FixedCodec<MeterBandType | number>;
  rate: FixedCodec<number>;
  burst: FixedCodec<number>;
  stats: typeof flowStats;
}> = attrSet("band", {
  type: [
    OVS_BAND_ATTR.TYPE,
    t.enum(t.u32(), { unspec: OVS_METER_BAND_TYPE.UNSPEC, drop: OVS_METER_BAND_TYPE.DROP }),
  ],
  rate: [OVS_BAND_ATTR.RATE, t.u32()],
  burst: [OVS_BAND_ATTR.BURST, t.u32()],
  stats: [OVS_BAND_ATTR.STATS, flowStats],
});

/**
 * The `meter` attribute set. `bands` is a nest of band nests (each of type
 * `OVS_BAND_ATTR_UNSPEC` on the wire from the kernel; the kernel ignores the child types).
 *
 * @example
 * ```ts
 * import { meterAttrs } from "@nlts/netlink/ovs";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * meterAttrs.encode(w, { id: 1, kbps: true, bands: [{ type: "drop", rate: 1000, burst: 100 }] });
 * console.log(meterAttrs.decode(w.bytes()).bands); // [{ type: "drop", rate: 1000, burst: 100 }]
 * ```
 */
export const meterAttrs: AttrSet<{
  id: FixedCodec<number>;
  kbps: Codec<true, boolean>;
  stats: typeof flowStats;
  bands: ArrayOf<NestOf<typeof bandAttrs>>;
  used: FixedCodec<bigint, bigint | number>;
  clear: Codec<true, boolean>;
  maxMeters: FixedCodec<number>;
  maxBands: FixedCodec<number>;
  pad: PadCodec;
}> = attrSet("meter", {
  id: [OVS_METER_ATTR.ID, t.u32()],
  kbps: [OVS_METER_ATTR.KBPS, t.flag()],
  stats: [OVS_METER_ATTR.STATS, flowStats],
  bands: [
    OVS_METER_ATTR.BANDS,
    t.indexedArray(t.nest(bandAttrs, { nestedFlag: false }), { nestedFlag: false, base: 0 }),
  ],
  used: [OVS_METER_ATTR.USED, t.u64()],
  clear: [OVS_METER_ATTR.CLEAR, t.flag()],
  maxMeters: [OVS_METER_ATTR.MAX_METERS, t.u32()],
  maxBands: [OVS_METER_ATTR.MAX_BANDS, t.u32()],
  pad: [OVS_METER_ATTR.PAD, t.pad()],
});

/**
 * The `ovs_meter` family: features, set, del, get (no dump).
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { ovsMeter } from "@nlts/netlink/ovs";
 * using genl = GenlSocket.open();
 * const f = genl.family(ovsMeter).doSync("features", {}, { header: { dpIfindex: 7 } });
 * console.log(f?.maxMeters, f?.maxBands);
 * ```
 */
export const ovsMeter: {
  readonly name: "ovs_meter";
  readonly version: 1;
  readonly header: typeof ovsHeader;
  readonly attrs: typeof meterAttrs;
  readonly operations: {
    readonly features: { readonly cmd: 1 };
    readonly set: { readonly cmd: 2 };
    readonly del: { readonly cmd: 3 };
    readonly get: { readonly cmd: 4 };
  };
  readonly mcastGroups: readonly ["ovs_meter"];
  readonly module: "openvswitch";
} = defineFamily(
  {
    name: "ovs_meter",
    version: OVS_METER_VERSION,
    header: ovsHeader,
    attrs: meterAttrs,
    operations: {
      features: { cmd: OVS_METER_CMD.FEATURES },
      set: { cmd: OVS_METER_CMD.SET },
      del: { cmd: OVS_METER_CMD.DEL },
      get: { cmd: OVS_METER_CMD.GET },
    },
    mcastGroups: ["ovs_meter"],
    module: "openvswitch",
  } as const,
);

registerFamilySpec(ovsMeter);

/**
 * The former name of {@link ovsMeter}.
 *
 * @deprecated Use {@link ovsMeter}, named like the other family descriptions (`nlctrl`,
 * `netdev`, `ethtool`).
 *
 * @example
 * ```ts
 * import { ovsMeter, ovsMeterFamily } from "@nlts/netlink/ovs";
 * console.log(ovsMeterFamily === ovsMeter); // true
 * ```
 */
export const ovsMeterFamily: typeof ovsMeter = ovsMeter;

/** What the datapath's meters support. */
export interface MeterFeatures {
  /** Most meters per datapath. */
  maxMeters: number;
  /** Most bands per meter. */
  maxBands: number;
  /** Supported band types. */
  bandTypes: (MeterBandType | number)[];
}

/** One band of a meter to set. */
export interface MeterBandConfig {
  /** Band type (default "drop", the only one). */
  type?: MeterBandType;
  /** Rate in the meter's unit (kbit/s or packets/s); must not be 0. */
  rate: number;
  /** Burst size in the meter's unit (default: the rate). */
  burst?: number;
}

/**
 * A meter to create or replace with {@link OvsClient.setMeter}.
 *
 * @example
 * ```ts
 * import type { MeterConfig } from "@nlts/netlink/ovs";
 * const m: MeterConfig = { id: 1, unit: "kbps", bands: [{ rate: 10_000, burst: 1_000 }] };
 * ```
 */
export interface MeterConfig {
  /** Meter id within the datapath. */
  id: number;
  /** Rates in kilobits per second ("kbps") or packets per second ("pps", default). */
  unit?: "kbps" | "pps";
  /** Bands (at most `maxBands`). */
  bands: readonly MeterBandConfig[];
  /** Start from zero statistics even when replacing a meter (OVS_METER_ATTR_CLEAR). */
  clear?: boolean;
}

/** A band as the kernel reports it in meter statistics. */
export interface MeterBand {
  /** Band type, when the kernel sends it. */
  type?: MeterBandType | number;
  /** Rate, when the kernel sends it. */
  rate?: number;
  /** Burst, when the kernel sends it. */
  burst?: number;
  /** Packets and bytes that exceeded this band. */
  stats?: FlowStats;
}

/**
 * A meter's statistics, as GET and DEL (and SET, for a replaced meter) return them.
 *
 * @example
 * ```ts
 * import type { Meter } from "@nlts/netlink/ovs";
 * const dropped = (m: Meter) => m.bands.reduce((n, b) => n + (b.stats?.packets ?? 0n), 0n);
 * ```
 */
export interface Meter {
  /** Meter id. */
  id: number;
  /** Packets and bytes that went through the meter. */
  stats?: FlowStats;
  /** When the meter was last used, in milliseconds of the kernel's monotonic clock. */
  used?: bigint;
  /** Per-band statistics, in band order. */
  bands: MeterBand[];
}

/**
 * Builds a {@link Meter} from decoded attributes.
 *
 * @example
 * ```ts
 * import { toMeter } from "@nlts/netlink/ovs";
 * console.log(toMeter({ id: 3, bands: [] }).id); // 3
 * ```
 */
export function toMeter(a: DecodedAttrs<typeof meterAttrs.codecs>): Meter {
  const m: Meter = { id: a.id ?? 0, bands: [] };
  if (a.stats) m.stats = a.stats;
  if (a.used !== undefined) m.used = a.used;
  for (const b of a.bands ?? []) {
    const band: MeterBand = {};
    if (b.type !== undefined) band.type = b.type;
    if (b.rate !== undefined) band.rate = b.rate;
    if (b.burst !== undefined) band.burst = b.burst;
    if (b.stats) band.stats = b.stats;
    m.bands.push(band);
  }
  return m;
}
