/**
 * The `ethtool` generic netlink family (`<linux/ethtool_netlink.h>`, YNL `ethtool.yaml`):
 * the request header, bitsets, string sets, link info/modes/state, debug, wake-on-LAN,
 * features (get and set), private flags, rings and channels, and the "monitor"
 * notifications. Described with the schema system only: {@link ethtool} is an ordinary
 * {@link FamilySpec}; {@link bitsetValues} / {@link bitsetActive} read the ethtool bitset nest
 * in both of its wire forms.
 *
 * Bitsets come in two forms (ETHTOOL_FLAG_COMPACT_BITSETS in the request header picks):
 * - verbose (the default): `bits.bit[]` lists `{ index, name, value? }`; with `nomask` only the
 *   set bits are listed;
 * - compact: `size` bits in `value` (and `mask` unless `nomask`) as arrays of host-order u32
 *   words; the names are those of the matching string set (strset-get, e.g. ETH_SS.FEATURES).
 *
 * @example
 * ```ts
 * import { bitsetActive, ethtool, GenlSocket } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const f = genl.family(ethtool).doSync("features-get", { header: { devName: "lo" } });
 * console.log(bitsetActive(f!.active!)); // ["tx-scatter-gather", "tx-checksum-ip-generic", ...]
 * ```
 *
 * @module
 */

import {
  type ArrayOf,
  type AttrSet,
  attrSet,
  type Codec,
  type Decoded,
  type FixedCodec,
  type NestOf,
  t,
} from "../protocol/schema.ts";
import { defineFamily } from "./family.ts";
import { registerFamilySpec } from "./registry.ts";

/**
 * Message types from user space to the kernel (`ETHTOOL_MSG_*` of the first enum), for the
 * operations this module describes.
 *
 * @example
 * ```ts
 * import { ETHTOOL_MSG } from "@nlts/netlink/genl";
 * console.log(ETHTOOL_MSG.FEATURES_GET); // 11
 * ```
 */
export const ETHTOOL_MSG: {
  readonly STRSET_GET: 1;
  readonly LINKINFO_GET: 2;
  readonly LINKINFO_SET: 3;
  readonly LINKMODES_GET: 4;
  readonly LINKMODES_SET: 5;
  readonly LINKSTATE_GET: 6;
  readonly DEBUG_GET: 7;
  readonly DEBUG_SET: 8;
  readonly WOL_GET: 9;
  readonly WOL_SET: 10;
  readonly FEATURES_GET: 11;
  readonly FEATURES_SET: 12;
  readonly PRIVFLAGS_GET: 13;
  readonly PRIVFLAGS_SET: 14;
  readonly RINGS_GET: 15;
  readonly RINGS_SET: 16;
  readonly CHANNELS_GET: 17;
  readonly CHANNELS_SET: 18;
} = {
  STRSET_GET: 1,
  LINKINFO_GET: 2,
  LINKINFO_SET: 3,
  LINKMODES_GET: 4,
  LINKMODES_SET: 5,
  LINKSTATE_GET: 6,
  DEBUG_GET: 7,
  DEBUG_SET: 8,
  WOL_GET: 9,
  WOL_SET: 10,
  FEATURES_GET: 11,
  FEATURES_SET: 12,
  PRIVFLAGS_GET: 13,
  PRIVFLAGS_SET: 14,
  RINGS_GET: 15,
  RINGS_SET: 16,
  CHANNELS_GET: 17,
  CHANNELS_SET: 18,
} as const;

/**
 * Message types from the kernel to user space (`ETHTOOL_MSG_*` of the second enum: replies
 * and notifications; the kernel numbers them apart from requests).
 *
 * @example
 * ```ts
 * import { ETHTOOL_MSG_KERNEL } from "@nlts/netlink/genl";
 * console.log(ETHTOOL_MSG_KERNEL.FEATURES_NTF); // 13
 * ```
 */
export const ETHTOOL_MSG_KERNEL: {
  readonly STRSET_GET_REPLY: 1;
  readonly LINKINFO_GET_REPLY: 2;
  readonly LINKINFO_NTF: 3;
  readonly LINKMODES_GET_REPLY: 4;
  readonly LINKMODES_NTF: 5;
  readonly LINKSTATE_GET_REPLY: 6;
  readonly DEBUG_GET_REPLY: 7;
  readonly DEBUG_NTF: 8;
  readonly WOL_GET_REPLY: 9;
  readonly WOL_NTF: 10;
  readonly FEATURES_GET_REPLY: 11;
  readonly FEATURES_SET_REPLY: 12;
  readonly FEATURES_NTF: 13;
  readonly PRIVFLAGS_GET_REPLY: 14;
  readonly PRIVFLAGS_NTF: 15;
  readonly RINGS_GET_REPLY: 16;
  readonly RINGS_NTF: 17;
  readonly CHANNELS_GET_REPLY: 18;
  readonly CHANNELS_NTF: 19;
} = {
  STRSET_GET_REPLY: 1,
  LINKINFO_GET_REPLY: 2,
  LINKINFO_NTF: 3,
  LINKMODES_GET_REPLY: 4,
  LINKMODES_NTF: 5,
  LINKSTATE_GET_REPLY: 6,
  DEBUG_GET_REPLY: 7,
  DEBUG_NTF: 8,
  WOL_GET_REPLY: 9,
  WOL_NTF: 10,
  FEATURES_GET_REPLY: 11,
  FEATURES_SET_REPLY: 12,
  FEATURES_NTF: 13,
  PRIVFLAGS_GET_REPLY: 14,
  PRIVFLAGS_NTF: 15,
  RINGS_GET_REPLY: 16,
  RINGS_NTF: 17,
  CHANNELS_GET_REPLY: 18,
  CHANNELS_NTF: 19,
} as const;

/**
 * Request header flags (`ETHTOOL_FLAG_*`), bit values. In `header.flags` they are written as
 * names: `flags: ["compactBitsets"]`.
 *
 * @example
 * ```ts
 * import { ETHTOOL_FLAG } from "@nlts/netlink/genl";
 * console.log(ETHTOOL_FLAG.COMPACT_BITSETS); // 1
 * ```
 */
export const ETHTOOL_FLAG: {
  readonly COMPACT_BITSETS: 1;
  readonly OMIT_REPLY: 2;
  readonly STATS: 4;
} = { COMPACT_BITSETS: 1, OMIT_REPLY: 2, STATS: 4 } as const;

/**
 * Attributes of the request header nest (`ETHTOOL_A_HEADER_*`). PHY_INDEX came with Linux
 * 6.12 (Debian 12's header stops at FLAGS).
 *
 * @example
 * ```ts
 * import { ETHTOOL_A_HEADER } from "@nlts/netlink/genl";
 * console.log(ETHTOOL_A_HEADER.DEV_NAME); // 2
 * ```
 */
export const ETHTOOL_A_HEADER: {
  readonly DEV_INDEX: 1;
  readonly DEV_NAME: 2;
  readonly FLAGS: 3;
  readonly PHY_INDEX: 4;
} = { DEV_INDEX: 1, DEV_NAME: 2, FLAGS: 3, PHY_INDEX: 4 } as const;

/**
 * Attributes of the bitset nest (`ETHTOOL_A_BITSET_*`).
 *
 * @example
 * ```ts
 * import { ETHTOOL_A_BITSET } from "@nlts/netlink/genl";
 * console.log(ETHTOOL_A_BITSET.VALUE); // 4
 * ```
 */
export const ETHTOOL_A_BITSET: {
  readonly NOMASK: 1;
  readonly SIZE: 2;
  readonly BITS: 3;
  readonly VALUE: 4;
  readonly MASK: 5;
} = { NOMASK: 1, SIZE: 2, BITS: 3, VALUE: 4, MASK: 5 } as const;

/**
 * String set ids (`enum ethtool_stringset`, `ETH_SS_*` in `<linux/ethtool.h>`). Newer kernels
 * have more sets (their ids appear as plain numbers in strset-get dumps).
 *
 * @example
 * ```ts
 * import { ETH_SS } from "@nlts/netlink/genl";
 * console.log(ETH_SS.FEATURES); // 4
 * ```
 */
export const ETH_SS: {
  readonly TEST: 0;
  readonly STATS: 1;
  readonly PRIV_FLAGS: 2;
  readonly NTUPLE_FILTERS: 3;
  readonly FEATURES: 4;
  readonly RSS_HASH_FUNCS: 5;
  readonly TUNABLES: 6;
  readonly PHY_STATS: 7;
  readonly PHY_TUNABLES: 8;
  readonly LINK_MODES: 9;
  readonly MSG_CLASSES: 10;
  readonly WOL_MODES: 11;
  readonly SOF_TIMESTAMPING: 12;
  readonly TS_TX_TYPES: 13;
  readonly TS_RX_FILTERS: 14;
  readonly UDP_TUNNEL_TYPES: 15;
  readonly STATS_STD: 16;
  readonly STATS_ETH_PHY: 17;
  readonly STATS_ETH_MAC: 18;
  readonly STATS_ETH_CTRL: 19;
  readonly STATS_RMON: 20;
} = {
  TEST: 0,
  STATS: 1,
  PRIV_FLAGS: 2,
  NTUPLE_FILTERS: 3,
  FEATURES: 4,
  RSS_HASH_FUNCS: 5,
  TUNABLES: 6,
  PHY_STATS: 7,
  PHY_TUNABLES: 8,
  LINK_MODES: 9,
  MSG_CLASSES: 10,
  WOL_MODES: 11,
  SOF_TIMESTAMPING: 12,
  TS_TX_TYPES: 13,
  TS_RX_FILTERS: 14,
  UDP_TUNNEL_TYPES: 15,
  STATS_STD: 16,
  STATS_ETH_PHY: 17,
  STATS_ETH_MAC: 18,
  STATS_ETH_CTRL: 19,
  STATS_RMON: 20,
} as const;

/**
 * Names of the request header flags as decoded from `header.flags`.
 *
 * @example
 * ```ts
 * import type { EthtoolFlagName } from "@nlts/netlink/genl";
 * const f: EthtoolFlagName = "compactBitsets";
 * ```
 */
export type EthtoolFlagName = "compactBitsets" | "omitReply" | "stats";

/**
 * A flag attribute's codec (decodes to `true`; encoding `false` omits it).
 *
 * @example
 * ```ts
 * import { type FlagCodec, t } from "@nlts/netlink/genl";
 * const nomask: FlagCodec = t.flag();
 * ```
 */
export type FlagCodec = Codec<true, boolean>;

/**
 * A u8 enumeration decoded to names (numbers for values the schema does not know).
 *
 * @example
 * ```ts
 * import { t, type U8Enum } from "@nlts/netlink/genl";
 * const duplex: U8Enum<"half" | "full"> = t.enum(t.u8(), { half: 0, full: 1 });
 * ```
 */
export type U8Enum<N extends string> = FixedCodec<N | number>;

/**
 * The request header (`header`), first attribute of every ethtool message: the device by
 * index or name (names up to ALTIFNAMSIZ - 1 = 127 bytes: altnames are accepted), flags and,
 * since 6.12, the PHY index.
 *
 * @example
 * ```ts
 * import { headerAttrs } from "@nlts/netlink/genl";
 * console.log(headerAttrs.nameOf(2)); // "dev-name"
 * ```
 */
export const headerAttrs: AttrSet<{
  devIndex: FixedCodec<number>;
  devName: Codec<string>;
  flags: FixedCodec<(EthtoolFlagName | number)[], readonly (EthtoolFlagName | number)[] | number>;
  phyIndex: FixedCodec<number>;
}> = attrSet("header", {
  devIndex: [ETHTOOL_A_HEADER.DEV_INDEX, t.u32()],
  devName: [ETHTOOL_A_HEADER.DEV_NAME, t.string({ maxLength: 127 })],
  flags: [
    ETHTOOL_A_HEADER.FLAGS,
    t.flags(t.u32(), {
      compactBitsets: ETHTOOL_FLAG.COMPACT_BITSETS,
      omitReply: ETHTOOL_FLAG.OMIT_REPLY,
      stats: ETHTOOL_FLAG.STATS,
    }),
  ],
  phyIndex: [ETHTOOL_A_HEADER.PHY_INDEX, t.u32()],
});

/**
 * One bit of a verbose bitset (`bitset-bit`): `{ index, name, value }` (`value` is the flag
 * "set", meaningful only when the bitset has a mask).
 *
 * @example
 * ```ts
 * import { bitsetBitAttrs } from "@nlts/netlink/genl";
 * console.log(bitsetBitAttrs.nameOf(3)); // "value"
 * ```
 */
export const bitsetBitAttrs: AttrSet<{
  index: FixedCodec<number>;
  name: Codec<string>;
  value: FlagCodec;
}> = attrSet("bitset-bit", {
  index: [1, t.u32()],
  name: [2, t.string()],
  value: [3, t.flag()],
});

/**
 * The list of a verbose bitset (`bitset-bits`): `bit` repeated.
 *
 * @example
 * ```ts
 * import { bitsetBitsAttrs } from "@nlts/netlink/genl";
 * console.log(bitsetBitsAttrs.nameOf(1)); // "bit"
 * ```
 */
export const bitsetBitsAttrs: AttrSet<{ bit: ArrayOf<NestOf<typeof bitsetBitAttrs>> }> = attrSet(
  "bitset-bits",
  { bit: [1, t.multi(t.nest(bitsetBitAttrs))] },
);

/**
 * The ethtool bitset nest (`bitset`, `ETHTOOL_A_BITSET_*`): `nomask`, `size`, and either
 * `bits` (verbose) or `value`/`mask` (compact, host-order u32 words). Read it with
 * {@link bitsetValues} or {@link bitsetActive}.
 *
 * @example
 * ```ts
 * import { bitsetAttrs } from "@nlts/netlink/genl";
 * console.log(bitsetAttrs.nameOf(5)); // "mask"
 * ```
 */
export const bitsetAttrs: AttrSet<{
  nomask: FlagCodec;
  size: FixedCodec<number>;
  bits: NestOf<typeof bitsetBitsAttrs>;
  value: Codec<Uint8Array>;
  mask: Codec<Uint8Array>;
}> = attrSet("bitset", {
  nomask: [ETHTOOL_A_BITSET.NOMASK, t.flag()],
  size: [ETHTOOL_A_BITSET.SIZE, t.u32()],
  bits: [ETHTOOL_A_BITSET.BITS, t.nest(bitsetBitsAttrs)],
  value: [ETHTOOL_A_BITSET.VALUE, t.binary()],
  mask: [ETHTOOL_A_BITSET.MASK, t.binary()],
});

/**
 * A decoded ethtool bitset.
 *
 * @example
 * ```ts
 * import type { EthtoolBitset } from "@nlts/netlink/genl";
 * const b: EthtoolBitset = { nomask: true, size: 3, value: new Uint8Array([5, 0, 0, 0]) };
 * ```
 */
export type EthtoolBitset = Decoded<typeof bitsetAttrs>;

/**
 * One string of a string set (`string`): `{ index, value }`.
 *
 * @example
 * ```ts
 * import { stringAttrs } from "@nlts/netlink/genl";
 * console.log(stringAttrs.nameOf(2)); // "value"
 * ```
 */
export const stringAttrs: AttrSet<{ index: FixedCodec<number>; value: Codec<string> }> = attrSet(
  "string",
  { index: [1, t.u32()], value: [2, t.string()] },
);

/**
 * The strings of a string set (`strings`): `string` repeated.
 *
 * @example
 * ```ts
 * import { stringsAttrs } from "@nlts/netlink/genl";
 * console.log(stringsAttrs.nameOf(1)); // "string"
 * ```
 */
export const stringsAttrs: AttrSet<{ string: ArrayOf<NestOf<typeof stringAttrs>> }> = attrSet(
  "strings",
  { string: [1, t.multi(t.nest(stringAttrs))] },
);

/**
 * One string set (`stringset`): `{ id, count, strings }`; in requests only `id`.
 *
 * @example
 * ```ts
 * import { stringsetAttrs } from "@nlts/netlink/genl";
 * console.log(stringsetAttrs.nameOf(2)); // "count"
 * ```
 */
export const stringsetAttrs: AttrSet<{
  id: FixedCodec<number>;
  count: FixedCodec<number>;
  strings: NestOf<typeof stringsAttrs>;
}> = attrSet("stringset", {
  id: [1, t.u32()],
  count: [2, t.u32()],
  strings: [3, t.nest(stringsAttrs)],
});

/**
 * The string sets of a strset-get request or reply (`stringsets`): `stringset` repeated.
 *
 * @example
 * ```ts
 * import { stringsetsAttrs } from "@nlts/netlink/genl";
 * console.log(stringsetsAttrs.nameOf(1)); // "stringset"
 * ```
 */
export const stringsetsAttrs: AttrSet<{ stringset: ArrayOf<NestOf<typeof stringsetAttrs>> }> =
  attrSet("stringsets", { stringset: [1, t.multi(t.nest(stringsetAttrs))] });

/**
 * strset-get (`strset`): without a device header the global sets (features, link modes,
 * ...); with one, also the device's own (stats, private flags). `countsOnly` omits the strings.
 *
 * @example
 * ```ts
 * import { ETH_SS, ethtool, GenlSocket } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * // The kernel wants a header, even an empty one (no device: the global sets).
 * const r = genl.family(ethtool).doSync("strset-get", {
 *   header: {},
 *   stringsets: { stringset: [{ id: ETH_SS.FEATURES }] },
 * });
 * ```
 */
export const strsetAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  stringsets: NestOf<typeof stringsetsAttrs>;
  countsOnly: FlagCodec;
}> = attrSet("strset", {
  header: [1, t.nest(headerAttrs)],
  stringsets: [2, t.nest(stringsetsAttrs)],
  countsOnly: [3, t.flag()],
});

const portEnum = t.enum(t.u8(), {
  tp: 0x00,
  aui: 0x01,
  mii: 0x02,
  fibre: 0x03,
  bnc: 0x04,
  da: 0x05,
  none: 0xef,
  other: 0xff,
});
const mdixEnum = t.enum(t.u8(), { invalid: 0, mdi: 1, mdiX: 2, auto: 3 });

/**
 * Names of `port` values (`PORT_*` of `<linux/ethtool.h>`).
 *
 * @example
 * ```ts
 * import type { EthtoolPortName } from "@nlts/netlink/genl";
 * const p: EthtoolPortName = "tp"; // twisted pair
 * ```
 */
export type EthtoolPortName = "tp" | "aui" | "mii" | "fibre" | "bnc" | "da" | "none" | "other";

/**
 * Names of `tp-mdix` / `tp-mdix-ctrl` values (`ETH_TP_MDI*`).
 *
 * @example
 * ```ts
 * import type { EthtoolMdixName } from "@nlts/netlink/genl";
 * const m: EthtoolMdixName = "auto";
 * ```
 */
export type EthtoolMdixName = "invalid" | "mdi" | "mdiX" | "auto";

/**
 * linkinfo-get and linkinfo-set (`linkinfo`): port ("tp", "fibre", ...), PHY address, MDI-X
 * status and control, transceiver ("internal" / "external").
 *
 * @example
 * ```ts
 * import { linkinfoAttrs } from "@nlts/netlink/genl";
 * console.log(linkinfoAttrs.nameOf(6)); // "transceiver"
 * ```
 */
export const linkinfoAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  port: U8Enum<EthtoolPortName>;
  phyaddr: FixedCodec<number>;
  tpMdix: U8Enum<EthtoolMdixName>;
  tpMdixCtrl: U8Enum<EthtoolMdixName>;
  transceiver: U8Enum<"internal" | "external">;
}> = attrSet("linkinfo", {
  header: [1, t.nest(headerAttrs)],
  port: [2, portEnum],
  phyaddr: [3, t.u8()],
  tpMdix: [4, mdixEnum],
  tpMdixCtrl: [5, mdixEnum],
  transceiver: [6, t.enum(t.u8(), { internal: 0, external: 1 })],
});

/**
 * linkmodes-get and linkmodes-set (`linkmodes`): autonegotiation (0/1), our and the peer's
 * link modes (bitsets named by ETH_SS.LINK_MODES), speed in Mb/s (0xffffffff: unknown),
 * duplex ("half", "full", "unknown"), master/slave configuration and state, lanes, rate
 * matching.
 *
 * @example
 * ```ts
 * import { linkmodesAttrs } from "@nlts/netlink/genl";
 * console.log(linkmodesAttrs.nameOf(5)); // "speed"
 * ```
 */
export const linkmodesAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  autoneg: FixedCodec<number>;
  ours: NestOf<typeof bitsetAttrs>;
  peer: NestOf<typeof bitsetAttrs>;
  speed: FixedCodec<number>;
  duplex: U8Enum<"half" | "full" | "unknown">;
  masterSlaveCfg: U8Enum<
    "unsupported" | "unknown" | "masterPreferred" | "slavePreferred" | "masterForce" | "slaveForce"
  >;
  masterSlaveState: U8Enum<"unsupported" | "unknown" | "master" | "slave" | "err">;
  lanes: FixedCodec<number>;
  rateMatching: U8Enum<"none" | "pause" | "crs" | "openLoop">;
}> = attrSet("linkmodes", {
  header: [1, t.nest(headerAttrs)],
  autoneg: [2, t.u8()],
  ours: [3, t.nest(bitsetAttrs)],
  peer: [4, t.nest(bitsetAttrs)],
  speed: [5, t.u32()],
  duplex: [6, t.enum(t.u8(), { half: 0, full: 1, unknown: 0xff })],
  masterSlaveCfg: [
    7,
    t.enum(t.u8(), {
      unsupported: 0,
      unknown: 1,
      masterPreferred: 2,
      slavePreferred: 3,
      masterForce: 4,
      slaveForce: 5,
    }),
  ],
  masterSlaveState: [
    8,
    t.enum(t.u8(), { unsupported: 0, unknown: 1, master: 2, slave: 3, err: 4 }),
  ],
  lanes: [9, t.u32()],
  rateMatching: [10, t.enum(t.u8(), { none: 0, pause: 1, crs: 2, openLoop: 3 })],
});

/**
 * linkstate-get (`linkstate`): link up (1) or down (0), signal quality, extended state and
 * substate, and (6.13+) the count of link-down events.
 *
 * @example
 * ```ts
 * import { linkstateAttrs } from "@nlts/netlink/genl";
 * console.log(linkstateAttrs.nameOf(2)); // "link"
 * ```
 */
export const linkstateAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  link: FixedCodec<number>;
  sqi: FixedCodec<number>;
  sqiMax: FixedCodec<number>;
  extState: FixedCodec<number>;
  extSubstate: FixedCodec<number>;
  extDownCnt: FixedCodec<number>;
}> = attrSet("linkstate", {
  header: [1, t.nest(headerAttrs)],
  link: [2, t.u8()],
  sqi: [3, t.u32()],
  sqiMax: [4, t.u32()],
  extState: [5, t.u8()],
  extSubstate: [6, t.u8()],
  extDownCnt: [7, t.u32()],
});

/**
 * debug-get (`debug`): the driver's message mask (bitset named by ETH_SS.MSG_CLASSES).
 *
 * @example
 * ```ts
 * import { debugAttrs } from "@nlts/netlink/genl";
 * console.log(debugAttrs.nameOf(2)); // "msgmask"
 * ```
 */
export const debugAttrs: AttrSet<
  { header: NestOf<typeof headerAttrs>; msgmask: NestOf<typeof bitsetAttrs> }
> = attrSet(
  "debug",
  { header: [1, t.nest(headerAttrs)], msgmask: [2, t.nest(bitsetAttrs)] },
);

/**
 * wol-get (`wol`): wake-on-LAN modes (bitset named by ETH_SS.WOL_MODES) and the SecureOn
 * password (6 bytes).
 *
 * @example
 * ```ts
 * import { wolAttrs } from "@nlts/netlink/genl";
 * console.log(wolAttrs.nameOf(3)); // "sopass"
 * ```
 */
export const wolAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  modes: NestOf<typeof bitsetAttrs>;
  sopass: Codec<Uint8Array>;
}> = attrSet("wol", {
  header: [1, t.nest(headerAttrs)],
  modes: [2, t.nest(bitsetAttrs)],
  sopass: [3, t.binary({ maxLength: 6 })],
});

/**
 * features-get, features-set and their notification (`features`): `hw` (changeable),
 * `wanted` (requested), `active` and `nochange` bitsets, named by ETH_SS.FEATURES. A
 * features-set request sends `wanted` with a mask (the bits to change); its reply (unless
 * `omitReply`) carries the bits that did not end up as requested.
 *
 * @example
 * ```ts
 * import { featuresAttrs } from "@nlts/netlink/genl";
 * console.log(featuresAttrs.nameOf(4)); // "active"
 * ```
 */
export const featuresAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  hw: NestOf<typeof bitsetAttrs>;
  wanted: NestOf<typeof bitsetAttrs>;
  active: NestOf<typeof bitsetAttrs>;
  nochange: NestOf<typeof bitsetAttrs>;
}> = attrSet("features", {
  header: [1, t.nest(headerAttrs)],
  hw: [2, t.nest(bitsetAttrs)],
  wanted: [3, t.nest(bitsetAttrs)],
  active: [4, t.nest(bitsetAttrs)],
  nochange: [5, t.nest(bitsetAttrs)],
});

/**
 * privflags-get (`privflags`): driver private flags (bitset named by the device's
 * ETH_SS.PRIV_FLAGS set).
 *
 * @example
 * ```ts
 * import { privflagsAttrs } from "@nlts/netlink/genl";
 * console.log(privflagsAttrs.nameOf(2)); // "flags"
 * ```
 */
export const privflagsAttrs: AttrSet<
  { header: NestOf<typeof headerAttrs>; flags: NestOf<typeof bitsetAttrs> }
> = attrSet(
  "privflags",
  { header: [1, t.nest(headerAttrs)], flags: [2, t.nest(bitsetAttrs)] },
);

/**
 * rings-get (`rings`): ring sizes and their maxima, RX buffer length, TCP data split
 * ("unknown", "disabled", "enabled"), CQE size, TX/RX push, header-data split threshold.
 *
 * @example
 * ```ts
 * import { ringsAttrs } from "@nlts/netlink/genl";
 * console.log(ringsAttrs.nameOf(9)); // "tx"
 * ```
 */
export const ringsAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  rxMax: FixedCodec<number>;
  rxMiniMax: FixedCodec<number>;
  rxJumboMax: FixedCodec<number>;
  txMax: FixedCodec<number>;
  rx: FixedCodec<number>;
  rxMini: FixedCodec<number>;
  rxJumbo: FixedCodec<number>;
  tx: FixedCodec<number>;
  rxBufLen: FixedCodec<number>;
  tcpDataSplit: U8Enum<"unknown" | "disabled" | "enabled">;
  cqeSize: FixedCodec<number>;
  txPush: FixedCodec<number>;
  rxPush: FixedCodec<number>;
  txPushBufLen: FixedCodec<number>;
  txPushBufLenMax: FixedCodec<number>;
  hdsThresh: FixedCodec<number>;
  hdsThreshMax: FixedCodec<number>;
}> = attrSet("rings", {
  header: [1, t.nest(headerAttrs)],
  rxMax: [2, t.u32()],
  rxMiniMax: [3, t.u32()],
  rxJumboMax: [4, t.u32()],
  txMax: [5, t.u32()],
  rx: [6, t.u32()],
  rxMini: [7, t.u32()],
  rxJumbo: [8, t.u32()],
  tx: [9, t.u32()],
  rxBufLen: [10, t.u32()],
  tcpDataSplit: [11, t.enum(t.u8(), { unknown: 0, disabled: 1, enabled: 2 })],
  cqeSize: [12, t.u32()],
  txPush: [13, t.u8()],
  rxPush: [14, t.u8()],
  txPushBufLen: [15, t.u32()],
  txPushBufLenMax: [16, t.u32()],
  hdsThresh: [17, t.u32()],
  hdsThreshMax: [18, t.u32()],
});

/**
 * channels-get (`channels`): maximum and current RX, TX, other and combined channels.
 *
 * @example
 * ```ts
 * import { channelsAttrs } from "@nlts/netlink/genl";
 * console.log(channelsAttrs.nameOf(9)); // "combined-count"
 * ```
 */
export const channelsAttrs: AttrSet<{
  header: NestOf<typeof headerAttrs>;
  rxMax: FixedCodec<number>;
  txMax: FixedCodec<number>;
  otherMax: FixedCodec<number>;
  combinedMax: FixedCodec<number>;
  rxCount: FixedCodec<number>;
  txCount: FixedCodec<number>;
  otherCount: FixedCodec<number>;
  combinedCount: FixedCodec<number>;
}> = attrSet("channels", {
  header: [1, t.nest(headerAttrs)],
  rxMax: [2, t.u32()],
  txMax: [3, t.u32()],
  otherMax: [4, t.u32()],
  combinedMax: [5, t.u32()],
  rxCount: [6, t.u32()],
  txCount: [7, t.u32()],
  otherCount: [8, t.u32()],
  combinedCount: [9, t.u32()],
});

/**
 * What every ethtool message has: the header at attribute 1. The family's default set (the
 * type of {@link Family.subscribe}'s notifications); each event decodes with its own set at
 * run time.
 *
 * @example
 * ```ts
 * import { ethtoolCommonAttrs } from "@nlts/netlink/genl";
 * console.log(ethtoolCommonAttrs.nameOf(1)); // "header"
 * ```
 */
export const ethtoolCommonAttrs: AttrSet<{ header: NestOf<typeof headerAttrs> }> = attrSet(
  "ethtool",
  {
    header: [1, t.nest(headerAttrs)],
  },
);

/**
 * The ethtool family, for {@link GenlSocket.family}: strset-get, linkinfo-get,
 * linkmodes-get, linkstate-get, debug-get, wol-get, features-get, features-set,
 * privflags-get, rings-get, channels-get (do, and dump over every device of the socket's
 * network namespace), and the "monitor" notifications (linkinfo-ntf, linkmodes-ntf,
 * debug-ntf, wol-ntf, features-ntf, privflags-ntf, rings-ntf, channels-ntf).
 *
 * @example
 * ```ts
 * import { bitsetActive, ethtool, GenlSocket } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const fam = genl.family(ethtool);
 * for (const m of fam.dumpSync("linkinfo-get")) console.log(m.attrs.header?.devName, m.attrs.port);
 * const f = fam.doSync("features-get", { header: { devName: "lo" } });
 * console.log(bitsetActive(f!.active!));
 * ```
 */
export const ethtool: {
  readonly name: "ethtool";
  readonly version: 1;
  readonly attrs: typeof ethtoolCommonAttrs;
  readonly operations: {
    readonly "strset-get": {
      readonly cmd: 1;
      readonly request: typeof strsetAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 1;
    };
    readonly "linkinfo-get": {
      readonly cmd: 2;
      readonly request: typeof linkinfoAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 2;
    };
    readonly "linkmodes-get": {
      readonly cmd: 4;
      readonly request: typeof linkmodesAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 4;
    };
    readonly "linkstate-get": {
      readonly cmd: 6;
      readonly request: typeof linkstateAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 6;
    };
    readonly "debug-get": {
      readonly cmd: 7;
      readonly request: typeof debugAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 7;
    };
    readonly "wol-get": {
      readonly cmd: 9;
      readonly request: typeof wolAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 9;
    };
    readonly "features-get": {
      readonly cmd: 11;
      readonly request: typeof featuresAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 11;
    };
    readonly "features-set": {
      readonly cmd: 12;
      readonly request: typeof featuresAttrs;
      readonly do: true;
      readonly replyCmd: 12;
    };
    readonly "privflags-get": {
      readonly cmd: 13;
      readonly request: typeof privflagsAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 14;
    };
    readonly "rings-get": {
      readonly cmd: 15;
      readonly request: typeof ringsAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 16;
    };
    readonly "channels-get": {
      readonly cmd: 17;
      readonly request: typeof channelsAttrs;
      readonly do: true;
      readonly dump: true;
      readonly replyCmd: 18;
    };
  };
  readonly events: {
    readonly "linkinfo-ntf": { readonly cmd: 3; readonly attrs: typeof linkinfoAttrs };
    readonly "linkmodes-ntf": { readonly cmd: 5; readonly attrs: typeof linkmodesAttrs };
    readonly "debug-ntf": { readonly cmd: 8; readonly attrs: typeof debugAttrs };
    readonly "wol-ntf": { readonly cmd: 10; readonly attrs: typeof wolAttrs };
    readonly "features-ntf": { readonly cmd: 13; readonly attrs: typeof featuresAttrs };
    readonly "privflags-ntf": { readonly cmd: 15; readonly attrs: typeof privflagsAttrs };
    readonly "rings-ntf": { readonly cmd: 17; readonly attrs: typeof ringsAttrs };
    readonly "channels-ntf": { readonly cmd: 19; readonly attrs: typeof channelsAttrs };
  };
  readonly mcastGroups: readonly ["monitor"];
} = defineFamily(
  {
    name: "ethtool",
    version: 1,
    attrs: ethtoolCommonAttrs,
    operations: {
      "strset-get": {
        cmd: ETHTOOL_MSG.STRSET_GET,
        request: strsetAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.STRSET_GET_REPLY,
      },
      "linkinfo-get": {
        cmd: ETHTOOL_MSG.LINKINFO_GET,
        request: linkinfoAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.LINKINFO_GET_REPLY,
      },
      "linkmodes-get": {
        cmd: ETHTOOL_MSG.LINKMODES_GET,
        request: linkmodesAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.LINKMODES_GET_REPLY,
      },
      "linkstate-get": {
        cmd: ETHTOOL_MSG.LINKSTATE_GET,
        request: linkstateAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.LINKSTATE_GET_REPLY,
      },
      "debug-get": {
        cmd: ETHTOOL_MSG.DEBUG_GET,
        request: debugAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.DEBUG_GET_REPLY,
      },
      "wol-get": {
        cmd: ETHTOOL_MSG.WOL_GET,
        request: wolAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.WOL_GET_REPLY,
      },
      "features-get": {
        cmd: ETHTOOL_MSG.FEATURES_GET,
        request: featuresAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.FEATURES_GET_REPLY,
      },
      "features-set": {
        cmd: ETHTOOL_MSG.FEATURES_SET,
        request: featuresAttrs,
        do: true,
        replyCmd: ETHTOOL_MSG_KERNEL.FEATURES_SET_REPLY,
      },
      "privflags-get": {
        cmd: ETHTOOL_MSG.PRIVFLAGS_GET,
        request: privflagsAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.PRIVFLAGS_GET_REPLY,
      },
      "rings-get": {
        cmd: ETHTOOL_MSG.RINGS_GET,
        request: ringsAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.RINGS_GET_REPLY,
      },
      "channels-get": {
        cmd: ETHTOOL_MSG.CHANNELS_GET,
        request: channelsAttrs,
        do: true,
        dump: true,
        replyCmd: ETHTOOL_MSG_KERNEL.CHANNELS_GET_REPLY,
      },
    },
    events: {
      "linkinfo-ntf": { cmd: ETHTOOL_MSG_KERNEL.LINKINFO_NTF, attrs: linkinfoAttrs },
      "linkmodes-ntf": { cmd: ETHTOOL_MSG_KERNEL.LINKMODES_NTF, attrs: linkmodesAttrs },
      "debug-ntf": { cmd: ETHTOOL_MSG_KERNEL.DEBUG_NTF, attrs: debugAttrs },
      "wol-ntf": { cmd: ETHTOOL_MSG_KERNEL.WOL_NTF, attrs: wolAttrs },
      "features-ntf": { cmd: ETHTOOL_MSG_KERNEL.FEATURES_NTF, attrs: featuresAttrs },
      "privflags-ntf": { cmd: ETHTOOL_MSG_KERNEL.PRIVFLAGS_NTF, attrs: privflagsAttrs },
      "rings-ntf": { cmd: ETHTOOL_MSG_KERNEL.RINGS_NTF, attrs: ringsAttrs },
      "channels-ntf": { cmd: ETHTOOL_MSG_KERNEL.CHANNELS_NTF, attrs: channelsAttrs },
    },
    mcastGroups: ["monitor"],
  } as const,
);

registerFamilySpec(ethtool);

// ---------------------------------------------------------------------------------------------
// Bitsets and string sets

const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bit `i` of a compact bitset word array (u32 words in host byte order). */
function testBit(words: Uint8Array, i: number): boolean {
  const w = i >>> 5;
  if (w * 4 + 4 > words.length) return false;
  const byte = HOST_LE ? w * 4 + ((i & 31) >>> 3) : w * 4 + 3 - ((i & 31) >>> 3);
  return (words[byte] & (1 << (i & 7))) !== 0;
}

function bitName(names: readonly string[] | undefined, i: number): string {
  const n = names?.[i];
  return n !== undefined && n !== "" ? n : `bit${i}`;
}

/**
 * A decoded bitset as `{ name: on }`, in bit order. Both wire forms are read:
 * - verbose (`bits`): every listed bit; with `nomask` the list holds only the set bits (all
 *   `true`), otherwise each bit's `value` flag says on or off;
 * - compact (`value`/`mask`): names come from `names` (the matching string set, see
 *   {@link stringSetOf}); with `nomask` every bit below `size` is listed, otherwise only the
 *   bits in `mask`.
 *
 * Bits without a name are called `bit<index>`.
 *
 * @example
 * ```ts
 * import { bitsetValues } from "@nlts/netlink/genl";
 * const compact = { nomask: true as const, size: 3, value: new Uint8Array([5, 0, 0, 0]) };
 * console.log(bitsetValues(compact, ["a", "b", "c"])); // { a: true, b: false, c: true }
 * const verbose = { size: 3, bits: { bit: [{ index: 1, name: "b", value: true as const }] } };
 * console.log(bitsetValues(verbose)); // { b: true }
 * ```
 */
export function bitsetValues(
  bitset: EthtoolBitset,
  names?: readonly string[],
): Record<string, boolean> {
  if (typeof bitset !== "object" || bitset === null) {
    throw new TypeError("Cannot read bitset: expected a decoded ethtool bitset object");
  }
  const out: Record<string, boolean> = {};
  const nomask = bitset.nomask === true;
  const value = bitset.value;
  if (bitset.bits !== undefined || value === undefined) {
    for (const b of bitset.bits?.bit ?? []) {
      const name = b.name !== undefined && b.name !== "" ? b.name : bitName(names, b.index ?? -1);
      out[name] = nomask || b.value === true;
    }
    return out;
  }
  const size = bitset.size ?? value.length * 8;
  const mask = nomask ? undefined : bitset.mask;
  for (let i = 0; i < size; i++) {
    if (mask !== undefined && !testBit(mask, i)) continue;
    out[bitName(names, i)] = testBit(value, i);
  }
  return out;
}

/**
 * The names of the bits that are on, in bit order (see {@link bitsetValues} for the forms
 * and `names`).
 *
 * @example
 * ```ts
 * import { bitsetActive } from "@nlts/netlink/genl";
 * const compact = { nomask: true as const, size: 3, value: new Uint8Array([5, 0, 0, 0]) };
 * console.log(bitsetActive(compact, ["a", "b", "c"])); // ["a", "c"]
 * ```
 */
export function bitsetActive(bitset: EthtoolBitset, names?: readonly string[]): string[] {
  const value = bitset?.value;
  if (bitset?.bits !== undefined || value === undefined) {
    const out: string[] = [];
    for (const [name, on] of Object.entries(bitsetValues(bitset, names))) if (on) out.push(name);
    return out;
  }
  // Compact: straight from the words (no intermediate record).
  const out: string[] = [];
  const size = bitset.size ?? value.length * 8;
  const mask = bitset.nomask === true ? undefined : bitset.mask;
  for (let i = 0; i < size; i++) {
    if (testBit(value, i) && (mask === undefined || testBit(mask, i))) out.push(bitName(names, i));
  }
  return out;
}

/**
 * The strings of set `id` in a decoded strset-get reply, by index (missing indexes are ""),
 * or undefined when the reply does not hold that set.
 *
 * @example
 * ```ts
 * import { bitsetActive, ETH_SS, ethtool, GenlSocket, stringSetOf } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const fam = genl.family(ethtool);
 * const r = fam.doSync("strset-get", {
 *   header: {}, // required by the kernel, even empty
 *   stringsets: { stringset: [{ id: ETH_SS.FEATURES }] },
 * });
 * const names = stringSetOf(r!, ETH_SS.FEATURES)!;
 * const f = fam.doSync("features-get", { header: { devName: "lo", flags: ["compactBitsets"] } });
 * console.log(bitsetActive(f!.active!, names));
 * ```
 */
export function stringSetOf(
  reply: Decoded<typeof strsetAttrs>,
  id: number,
): string[] | undefined {
  const set = reply?.stringsets?.stringset?.find((s) => s.id === id);
  if (set === undefined) return undefined;
  const out: string[] = [];
  const count = set.count ?? 0;
  for (let i = 0; i < count; i++) out.push("");
  for (const s of set.strings?.string ?? []) {
    if (s.index !== undefined) out[s.index] = s.value ?? "";
  }
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = "";
  return out;
}
