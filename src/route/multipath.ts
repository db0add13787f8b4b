/**
 * RTA_MULTIPATH, which no YNL spec can describe (the spec says `binary`): a list of
 * `struct rtnexthop { u16 len; u8 flags; u8 hops; s32 ifindex; }`, each followed by route
 * attributes of its own (RTA_GATEWAY, RTA_VIA, RTA_ENCAP_TYPE/RTA_ENCAP, RTA_FLOW), padded to
 * 4 bytes. Weight is `hops + 1`.
 *
 * @module
 */

import { DecodeError } from "../protocol/errors.ts";
import { fmtIpv4, fmtIpv6, parseIpv4, parseIpv6 } from "../protocol/schema_addr.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { AF, RTNH_F } from "./constants.ts";

/** RTA_* numbers a next hop may carry (`<linux/rtnetlink.h>`). */
const RTA = { GATEWAY: 5, FLOW: 11, VIA: 18, ENCAP_TYPE: 21, ENCAP: 22 } as const;

/**
 * One path of a multipath route.
 *
 * @example
 * ```ts
 * import type { Nexthop } from "@nlts/netlink/route";
 * const hop: Nexthop = { gateway: "10.0.0.1", ifindex: 2, weight: 3 };
 * ```
 */
export interface Nexthop {
  /** Gateway address (RTA_GATEWAY); for a route of another family, see `via`. */
  gateway?: string;
  /** Gateway of another address family (RTA_VIA: an IPv6 gateway of an IPv4 route). */
  via?: string;
  /** Output interface index (0: none). */
  ifindex: number;
  /** Relative weight, 1..256 (default 1). */
  weight?: number;
  /** Next-hop flags by name: `onlink`, `dead`, `linkdown`, `pervasive`, `offload`, `trap`. */
  flags?: string[];
  /** Lightweight tunnel encapsulation: RTA_ENCAP_TYPE and RTA_ENCAP's payload. */
  encap?: { type: number; data: Uint8Array };
  /** Realm (RTA_FLOW). */
  realm?: number;
}

const FLAG_NAMES: readonly [string, number][] = [
  ["dead", RTNH_F.DEAD],
  ["pervasive", RTNH_F.PERVASIVE],
  ["onlink", RTNH_F.ONLINK],
  ["offload", RTNH_F.OFFLOAD],
  ["linkdown", RTNH_F.LINKDOWN],
  ["unresolved", RTNH_F.UNRESOLVED],
  ["trap", RTNH_F.TRAP],
];

/**
 * Next-hop flag names of the bits in `flags` (unknown bits as numbers), as iproute2 prints
 * them.
 *
 * @example
 * ```ts
 * import { nexthopFlagNames } from "@nlts/netlink/route";
 * console.log(nexthopFlagNames(4 | 16)); // ["onlink", "linkdown"]
 * ```
 */
export function nexthopFlagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags === 0) return out;
  let rest = flags;
  for (const [n, b] of FLAG_NAMES) {
    if (flags & b) {
      out.push(n);
      rest &= ~b;
    }
  }
  for (let b = 1; b <= 0x80; b <<= 1) if (rest & b) out.push(`0x${b.toString(16)}`);
  return out;
}

/**
 * The bits of next-hop flag names (`onlink`, `dead`...); throws a TypeError on others.
 *
 * @example
 * ```ts
 * import { nexthopFlags } from "@nlts/netlink/route";
 * console.log(nexthopFlags(["onlink"])); // 4
 * ```
 */
export function nexthopFlags(names: readonly string[]): number {
  let v = 0;
  for (const n of names) {
    const f = FLAG_NAMES.find(([x]) => x === n);
    if (f === undefined) {
      throw new TypeError(
        `Cannot use next-hop flag "${n}": known flags are ${FLAG_NAMES.map(([x]) => x).join(", ")}`,
      );
    }
    v |= f[1];
  }
  return v;
}

/** The bytes of an address of `family` (4 or 16), or a TypeError naming `what`. */
export function addressBytes(s: string, family: number, what: string): Uint8Array {
  if (family === AF.INET) {
    const out = new Uint8Array(4);
    if (parseIpv4(s, out, 0)) return out;
  } else if (family === AF.INET6) {
    const b = parseIpv6(s);
    if (b !== null) return b;
  }
  throw new TypeError(
    `Cannot use ${what} "${s}": not an ${family === AF.INET6 ? "IPv6" : "IPv4"} address`,
  );
}

/** The family of an address string: AF.INET6 when it has a colon, else AF.INET. */
export function familyOf(address: string): number {
  return address.includes(":") ? AF.INET6 : AF.INET;
}

/**
 * Encodes next hops as RTA_MULTIPATH's payload for a route of `family`.
 *
 * @example
 * ```ts
 * import { AF, encodeMultipath } from "@nlts/netlink/route";
 * const bytes = encodeMultipath([{ gateway: "10.0.0.1", ifindex: 2 }, { gateway: "10.0.0.2", ifindex: 2 }], AF.INET);
 * console.log(bytes.length); // 32
 * ```
 */
export function encodeMultipath(hops: readonly Nexthop[], family: number): Uint8Array {
  if (!Array.isArray(hops) || hops.length === 0) {
    throw new TypeError("Cannot encode multipath: give at least one next hop");
  }
  const w = new NetlinkWriter(16 * hops.length + 16);
  hops.forEach((h, i) => {
    const what = `multipath[${i}]`;
    const weight = h.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 1 || weight > 256) {
      throw new RangeError(`Cannot encode ${what}.weight ${weight}: expected 1..256`);
    }
    const ifindex = h.ifindex ?? 0;
    if (!Number.isInteger(ifindex) || ifindex < 0 || ifindex > 0x7fffffff) {
      throw new RangeError(`Cannot encode ${what}.ifindex ${ifindex}: not an interface index`);
    }
    const start = w.length;
    w.putU16(0).putU8(nexthopFlags(h.flags ?? [])).putU8(weight - 1).putS32(ifindex);
    if (h.gateway !== undefined) {
      w.attrBinary(RTA.GATEWAY, addressBytes(h.gateway, family, `${what}.gateway`));
    }
    if (h.via !== undefined) {
      const f = familyOf(h.via);
      const a = addressBytes(h.via, f, `${what}.via`);
      const v = new Uint8Array(2 + a.length);
      new DataView(v.buffer).setUint16(0, f, true);
      v.set(a, 2);
      w.attrBinary(RTA.VIA, v);
    }
    if (h.realm !== undefined) w.attrU32(RTA.FLOW, h.realm);
    if (h.encap !== undefined) {
      w.attrU16(RTA.ENCAP_TYPE, h.encap.type);
      const e = w.beginAttr(RTA.ENCAP | 0x8000);
      w.putBytes(h.encap.data);
      w.endAttr(e);
    }
    w.view.setUint16(start, w.length - start, true);
  });
  return w.bytes().slice();
}

/**
 * Decodes RTA_MULTIPATH's payload (`data[offset, end)`) of a route of `family`.
 *
 * @example
 * ```ts
 * import { AF, decodeMultipath, encodeMultipath } from "@nlts/netlink/route";
 * const bytes = encodeMultipath([{ gateway: "10.0.0.1", ifindex: 2, weight: 2 }], AF.INET);
 * console.log(decodeMultipath(bytes, AF.INET)); // [{ ifindex: 2, weight: 2, flags: [], gateway: "10.0.0.1" }]
 * ```
 */
export function decodeMultipath(
  data: Uint8Array,
  family: number,
  offset = 0,
  end: number = data.length,
): Nexthop[] {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Nexthop[] = [];
  let o = offset;
  while (o + 8 <= end) {
    const len = v.getUint16(o, true);
    if (len < 8 || o + len > end) {
      throw new DecodeError(`rtnexthop of ${len} bytes does not fit`, o, "route-attrs.multipath");
    }
    const hop: Nexthop = {
      ifindex: v.getInt32(o + 4, true),
      weight: data[o + 3] + 1,
      flags: nexthopFlagNames(data[o + 2]),
    };
    for (let a = o + 8; a + 4 <= o + len;) {
      const alen = v.getUint16(a, true);
      const type = v.getUint16(a + 2, true) & 0x3fff;
      if (alen < 4 || a + alen > o + len) {
        throw new DecodeError(
          `attribute of ${alen} bytes does not fit its next hop`,
          a,
          "route-attrs.multipath",
        );
      }
      const p = a + 4, n = alen - 4;
      if (type === RTA.GATEWAY) {
        hop.gateway = n === 4 ? fmtIpv4(data, p) : n === 16 ? fmtIpv6(data, p) : undefined;
        if (hop.gateway === undefined) {
          throw new DecodeError(`gateway of ${n} bytes`, a, "route-attrs.multipath.gateway");
        }
      } else if (type === RTA.VIA && n >= 2) {
        const f = v.getUint16(p, true);
        if (f === AF.INET && n >= 6) hop.via = fmtIpv4(data, p + 2);
        else if (f === AF.INET6 && n >= 18) hop.via = fmtIpv6(data, p + 2);
      } else if (type === RTA.FLOW && n >= 4) hop.realm = v.getUint32(p, true);
      else if (type === RTA.ENCAP_TYPE && n >= 2) {
        hop.encap = { type: v.getUint16(p, true), data: hop.encap?.data ?? new Uint8Array(0) };
      } else if (type === RTA.ENCAP) {
        hop.encap = { type: hop.encap?.type ?? 0, data: data.slice(p, p + n) };
      }
      a += (alen + 3) & ~3;
    }
    void family;
    out.push(hop);
    o += (len + 3) & ~3;
  }
  return out;
}
