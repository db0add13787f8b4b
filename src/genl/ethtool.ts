/**
 * The `ethtool` generic netlink family (`<linux/ethtool_netlink.h>`): generated from YNL's
 * `ethtool.yaml` into `@nlts/netlink/families/ethtool` (every operation of the spec: strset,
 * link info/modes/state, debug, wake-on-LAN, features, private flags, rings, channels,
 * coalescing, pause, EEE, timestamping, cable tests, FEC, modules, statistics, PSE, RSS, PLCA,
 * MAC merge, PHYs, and the "monitor" notifications) and re-exported here, with what the spec
 * cannot say: the string set ids (`ETH_SS`, `<linux/ethtool.h>`) and the bitset helpers
 * {@link bitsetValues} / {@link bitsetActive} / {@link stringSetOf}, which read the ethtool
 * bitset nest in both of its wire forms.
 *
 * Bitsets come in two forms (ETHTOOL_FLAG_COMPACT_BITSETS in the request header picks):
 * - verbose (the default): `bits.bit[]` lists `{ index, name, value? }`; with `nomask` only
 *   the set bits are listed. `bits`, its array and its bits are frozen, read-only objects shared
 *   by every equal list or bit of every message (`t.nest(set, { shared: true })`);
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

import type { Codec, Decoded, FixedCodec } from "../protocol/schema.ts";
import {
  type bitsetAttrs,
  ethtool,
  ETHTOOL_HEADER_FLAGS,
  type headerAttrs,
  type strsetAttrs,
} from "../families/ethtool.ts";
import { registerFamilySpec } from "./registry.ts";

export {
  bitsetAttrs,
  bitsetBitAttrs,
  bitsetBitsAttrs,
  channelsAttrs,
  debugAttrs,
  ethtool,
  ETHTOOL_A_BITSET,
  ETHTOOL_A_HEADER,
  ETHTOOL_MSG,
  ETHTOOL_MSG_KERNEL,
  featuresAttrs,
  headerAttrs,
  linkinfoAttrs,
  linkmodesAttrs,
  linkstateAttrs,
  privflagsAttrs,
  ringsAttrs,
  stringAttrs,
  stringsAttrs,
  stringsetAttrs,
  stringsetsAttrs,
  strsetAttrs,
  wolAttrs,
} from "../families/ethtool.ts";

/**
 * Request header flags (`ETHTOOL_FLAG_*`), bit values: the spec's `header-flags`
 * (`ETHTOOL_HEADER_FLAGS` of `@nlts/netlink/families/ethtool`). In `header.flags` they are
 * written as names: `flags: ["compactBitsets"]`.
 *
 * @example
 * ```ts
 * import { ETHTOOL_FLAG } from "@nlts/netlink/genl";
 * console.log(ETHTOOL_FLAG.COMPACT_BITSETS); // 1
 * ```
 */
export const ETHTOOL_FLAG: typeof ETHTOOL_HEADER_FLAGS = ETHTOOL_HEADER_FLAGS;

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
export type EthtoolFlagName = Exclude<
  NonNullable<Decoded<typeof headerAttrs>["flags"]>[number],
  number
>;

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
 * A decoded ethtool bitset.
 *
 * @example
 * ```ts
 * import type { EthtoolBitset } from "@nlts/netlink/genl";
 * const b: EthtoolBitset = { nomask: true, size: 3, value: new Uint8Array([5, 0, 0, 0]) };
 * ```
 */
export type EthtoolBitset = Decoded<typeof bitsetAttrs>;

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
  for (const strings of set.strings ?? []) {
    for (const s of strings.string ?? []) {
      if (s.index !== undefined) out[s.index] = s.value ?? "";
    }
  }
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = "";
  return out;
}
