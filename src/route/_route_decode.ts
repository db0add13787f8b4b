/**
 * Route dumps into {@link Route}s straight from the receive buffer (internal). A dump of a large
 * table is hundreds of thousands of RTM_NEWROUTE messages whose attributes are nearly always the
 * same few (dst, gateway, oif, priority, table, prefsrc, cacheinfo, pref), so those are read here
 * with one `switch` and no intermediate header object, message wrapper or second pass; the
 * result is the object {@link toRoute} makes of the generic decode (same values, same keys in the
 * same order, the same `attrs`: a test compares both), except that its `attrs` is made when
 * first read: from the route's own fields when every attribute it has is one of them or an
 * all-zero cacheinfo (each once), else by the generic decoder from a copy of the message's
 * bytes. A message with anything
 * else (nests, binary attributes, flag bits in the type, a payload of an unexpected size) goes
 * the generic way, which also raises the DecodeError of a malformed one.
 *
 * @module
 */

import type { MessageIterator } from "../protocol/reader.ts";
import { fmtIpv4, fmtIpv6 } from "../protocol/schema_addr.ts";
import { RTA, rtaCacheinfoStruct, rtmsgStruct, rtRoute } from "../families/rt_route.ts";
import { familyName } from "./address.ts";
import { protocolName, scopeName } from "./constants.ts";
import { type Route, type RouteAttrs, type RouteHeader, toRoute } from "./route.ts";
import { nexthopFlagArray, RouteRecord, ZERO_CACHEINFO_SIZE } from "./_route_record.ts";

const REPLY = rtRoute.operations.getroute.reply;
const HEADER = rtmsgStruct;
const HEADER_SIZE = HEADER.size;
// Where the header's fields are, from the spec's struct (every one of them a byte but the flags).
const AT = HEADER.offsets;
const AT_FAMILY = AT.rtmFamily;
const AT_DST_LEN = AT.rtmDstLen;
const AT_SRC_LEN = AT.rtmSrcLen;
const AT_TOS = AT.rtmTos;
const AT_TABLE = AT.rtmTable;
const AT_PROTOCOL = AT.rtmProtocol;
const AT_SCOPE = AT.rtmScope;
const AT_TYPE = AT.rtmType;
const AT_FLAGS = AT.rtmFlags;
const CACHEINFO = rtaCacheinfoStruct;

/**
 * The attributes read here, by their rt-route number: each maps to the case of the decoder that
 * reads it (0: any other, left to the generic decoder; 1-4 the addresses). The numbers are the
 * spec's (RTA); the cases are the ones a route's attribute order is spelled in (see
 * RouteRecord's attrs, which makes `attrs` again from them).
 */
const CASE = new Uint8Array(Math.max(...Object.values(RTA)) + 1);
CASE[RTA.DST] = 1;
CASE[RTA.SRC] = 2;
CASE[RTA.GATEWAY] = 3;
CASE[RTA.PREFSRC] = 4;
CASE[RTA.IIF] = 5;
CASE[RTA.OIF] = 6;
CASE[RTA.PRIORITY] = 7;
CASE[RTA.CACHEINFO] = 8;
CASE[RTA.TABLE] = 9;
CASE[RTA.MARK] = 10;
CASE[RTA.PREF] = 11;
CASE[RTA.EXPIRES] = 12;
CASE[RTA.NH_ID] = 13;
/** The last case that is an address (1-4: dst, src, gateway, prefsrc). */
const LAST_ADDRESS = 4;

/** The value `byte` in `struct rtmsg`'s type decodes to, through the spec's enum. */
function typeName(byte: number): string | number {
  const b = new Uint8Array(HEADER_SIZE);
  b[AT_TYPE] = byte;
  return HEADER.decodeAt(b, 0).rtmType;
}

// Names by number, as the generic path gives them, each made when a route first has it (at
// import, the 4 x 256 of them cost more than a dump's few dozen lookups that miss). The tables
// have all 256 slots from the start: a lookup past the end of a shorter one made the optimised
// fastRoute deoptimise at the first route of a new type.
const TYPES: (string | number | undefined)[] = new Array(256).fill(undefined);
const FAMILIES: (Route["family"] | undefined)[] = new Array(256).fill(undefined);
const PROTOCOLS: (string | number | undefined)[] = new Array(256).fill(undefined);
const SCOPES: (string | number | undefined)[] = new Array(256).fill(undefined);
const SUFFIX = Array.from({ length: 256 }, (_, i) => `/${i}`);

/**
 * The bytes the routes of one datagram keep for their `attrs`: an owned copy of the datagram
 * from the first message that needs one on, made when that message is decoded (a datagram of
 * routes whose attributes are all typed fields is never copied).
 */
export class DatagramCopy {
  /** The copy, once made. */
  bytes: Uint8Array | null = null;
  /** Where the copy starts in the datagram. */
  base = 0;
  readonly #data: Uint8Array;
  readonly #end: number;

  /** The datagram is `data` up to `end`. */
  constructor(data: Uint8Array, end: number) {
    this.#data = data;
    this.#end = end;
  }

  /** The copy, made from `off` to the datagram's end when there is none yet. */
  from(off: number): Uint8Array {
    if (this.bytes === null) {
      this.base = off;
      this.bytes = this.#data.slice(off, this.#end);
    }
    return this.bytes;
  }
}

/**
 * The route of the RTM_NEWROUTE whose payload is `[off, end)` of `data`, or null when it has
 * something the generic decoder must handle. Its `attrs` will be made, when first read, from
 * its own fields, or when it has an attribute that is not one of them (mark, expires, a
 * cacheinfo that is not the kernel's all-zero one) or one twice, decoded from the bytes `keep`
 * holds (copied now if not yet).
 */
export function fastRoute(
  data: Uint8Array,
  view: DataView,
  off: number,
  end: number,
  keep: DatagramCopy,
): Route | null {
  if (end - off < HEADER_SIZE || end - off > 0xffff) return null;
  const family = data[off + AT_FAMILY];
  const dstLen = data[off + AT_DST_LEN];
  const srcLen = data[off + AT_SRC_LEN];
  const full = family === 10 ? 128 : 32;
  // The destination's "/len" (none for a host route): an IPv6 one is formatted with it, as
  // one string
  const dstSuffix = dstLen === full ? "" : SUFFIX[dstLen];
  // The route's own fields are read into locals; the other attributes it allows (mark,
  // expires, cacheinfo) are only checked here: `attrs` decodes them from the copy (an all-zero
  // cacheinfo from zeros).
  let dst: string | undefined;
  let src: string | undefined;
  let gateway: string | undefined;
  let prefsrc: string | undefined;
  let oif = -1, iif = -1, priority = -1, table = -1, pref = -1, nhId = -1;
  // The attributes' cases in their order, a hex digit each (RouteRecord makes `attrs` from
  // them), which cases were seen, and whether `attrs` needs the message's bytes.
  let order = 0, seen = 0, bytes = false;
  let pos = off + HEADER_SIZE;
  while (end - pos >= 4) {
    const len = view.getUint16(pos, true);
    if (len < 4 || len > end - pos) return null;
    const p = pos + 4;
    const plen = len - 4;
    const type = view.getUint16(pos + 2, true);
    const c = type < CASE.length ? CASE[type] : 0;
    if ((seen & (1 << c)) !== 0 || order >= 0x1000000) bytes = true;
    seen |= 1 << c;
    if (!bytes) order = order * 16 + c;
    if (c <= LAST_ADDRESS) {
      // dst, src, gateway, prefsrc: formatted at this one call site, so that the optimising
      // compilers inline the two formatters once, not once per attribute
      if (c === 0) return null;
      const a = plen === 4
        ? fmtIpv4(data, p)
        : plen === 16
        ? fmtIpv6(data, p, c === 1 ? dstSuffix : "")
        : null;
      if (a === null) return null;
      if (c === 1) dst = plen === 4 && dstSuffix !== "" ? a + dstSuffix : a;
      else if (c === 2) src = a;
      else if (c === 3) gateway = a;
      else prefsrc = a;
    } else {
      switch (c) {
        case 5: // iif
          if (plen !== 4) return null;
          iif = view.getUint32(p, true);
          break;
        case 6: // oif
          if (plen !== 4) return null;
          oif = view.getUint32(p, true);
          break;
        case 7: // priority
          if (plen !== 4) return null;
          priority = view.getUint32(p, true);
          break;
        case 8: // cacheinfo: struct rta-cacheinfo (the kernel's is longer: the rest is unknown)
          if (plen < CACHEINFO.size) return null;
          // the kernel's all-zero one (a FIB route's: no dst entry, no expiry) is made again
          // from nothing; any other needs the bytes
          if (
            plen !== ZERO_CACHEINFO_SIZE ||
            (view.getUint32(p, true) | view.getUint32(p + 4, true) | view.getUint32(p + 8, true) |
                view.getUint32(p + 12, true) | view.getUint32(p + 16, true) |
                view.getUint32(p + 20, true) | view.getUint32(p + 24, true) |
                view.getUint32(p + 28, true)) !== 0
          ) bytes = true;
          break;
        case 9: // table
          if (plen !== 4) return null;
          table = view.getUint32(p, true);
          break;
        case 11: // pref
          if (plen !== 1) return null;
          pref = data[p];
          break;
        case 10: // mark
        case 12: // expires
          if (plen !== 4) return null;
          bytes = true;
          break;
        case 13: // nh-id
          if (plen !== 4) return null;
          nhId = view.getUint32(p, true);
          break;
        default:
          return null;
      }
    }
    pos += (len + 3) & ~3;
  }
  const rtType = data[off + AT_TYPE];
  const protocol = data[off + AT_PROTOCOL];
  const scope = data[off + AT_SCOPE];
  const r = new RouteRecord(
    FAMILIES[family] ?? (FAMILIES[family] = familyName(family) as Route["family"]),
    dst === undefined
      ? (dstLen === 0
        ? "default"
        : family === 10
        ? `::${SUFFIX[dstLen]}`
        : `0.0.0.0${SUFFIX[dstLen]}`)
      : dst,
    dstLen,
    table >= 0 ? table : data[off + AT_TABLE],
    TYPES[rtType] ?? (TYPES[rtType] = typeName(rtType)),
    PROTOCOLS[protocol] ?? (PROTOCOLS[protocol] = protocolName(protocol)),
    SCOPES[scope] ?? (SCOPES[scope] = scopeName(scope)),
    data[off + AT_TOS],
    nexthopFlagArray(data[off + AT_FLAGS]),
    view.getUint32(off + AT_FLAGS, true),
    bytes ? keep.from(off) : null,
    bytes ? (off - keep.base) * 65536 + (end - off) : order,
  );
  if (src !== undefined) r.src = srcLen === full ? src : src + SUFFIX[srcLen];
  if (gateway !== undefined) r.gateway = gateway;
  if (oif >= 0) r.oif = oif;
  if (iif >= 0) r.iif = iif;
  if (priority >= 0) r.metric = priority;
  if (prefsrc !== undefined) r.prefsrc = prefsrc;
  if (pref >= 0) r.pref = pref;
  if (nhId >= 0) r.nhId = nhId;
  return r;
}

/** The generic way: the rt-route spec's header and reply attributes, then {@link toRoute}. */
export function genericRoute(data: Uint8Array, off: number, end: number): Route {
  const header = off + HEADER_SIZE <= end
    ? HEADER.decodeAt(data, off)
    : HEADER.decodeAt(data.subarray(0, end), off);
  const attrs = REPLY.decode(data, Math.min(off + HEADER_SIZE, end), end, {
    strict: false,
    path: REPLY.name,
  });
  return toRoute(header as RouteHeader, attrs as RouteAttrs);
}

/** Whether {@link warmUp} has run. */
let warm = false;

/**
 * Runs {@link fastRoute} over routes of each common kind (built here), before the first dump. A
 * dump comes sorted by family and table, so its first few thousand routes, on which V8
 * optimises fastRoute, are mostly of one or two kinds; the optimised code then dropped itself
 * at each branch those had not taken (a prefix after host routes, a new route type, the first
 * IPv6 route, a route with a metric but no gateway...), and each recompilation cost ~15-25 ms
 * of compiler time (a 100,000-route dump of the route bench went through three, and two of the
 * address formatters'). Routes decoded here take every branch and have every shape a common
 * route has. The results are dropped; the name caches they fill hold what a dump would put
 * there.
 */
function warmUp(): void {
  warm = true;
  const data = new Uint8Array(8192);
  const view = new DataView(data.buffer);
  const spans: number[] = [];
  let at = 0;
  let start = 0;
  /**
   * A message's `struct rtmsg`, `h` its family, dst_len, table, protocol, scope and type (no
   * source prefix, TOS 0).
   */
  const rtmsg = (h: readonly number[], flags = 0) => {
    start = at;
    data.fill(0, at, at + HEADER_SIZE);
    data[at + AT_FAMILY] = h[0];
    data[at + AT_DST_LEN] = h[1];
    data[at + AT_TABLE] = h[2];
    data[at + AT_PROTOCOL] = h[3];
    data[at + AT_SCOPE] = h[4];
    data[at + AT_TYPE] = h[5];
    view.setUint32(at + AT_FLAGS, flags, true);
    at += HEADER_SIZE;
  };
  /** An attribute of `size` bytes (zeros unless written after it). */
  const rta = (type: number, size: number) => {
    view.setUint16(at, 4 + size, true);
    view.setUint16(at + 2, type, true);
    data.fill(0, at + 4, at + 4 + size);
    at += 4;
    const p = at;
    at += (size + 3) & ~3;
    return p;
  };
  const u32 = (type: number, v: number) => view.setUint32(rta(type, 4), v, true);
  const ipv4 = (type: number, v: number) => view.setUint32(rta(type, 4), v, false);
  /** An IPv6 address whose groups 0, 1, 3 and 7 are `g0, g1, g3, g7` (the rest zero). */
  const ipv6 = (type: number, g0: number, g1: number, g3: number, g7: number) => {
    const p = rta(type, 16);
    view.setUint16(p, g0);
    view.setUint16(p + 2, g1);
    view.setUint16(p + 6, g3);
    view.setUint16(p + 14, g7);
  };
  /** The attributes every IPv6 route has after its own: the kernel's cacheinfo (zeros), pref */
  const v6tail = () => {
    rta(RTA.CACHEINFO, ZERO_CACHEINFO_SIZE);
    data[rta(RTA.PREF, 1)] = 0;
  };
  const end = () => spans.push(start, at);
  // Four rounds, each with other addresses (the formatters' caches would answer the same ones
  // again): V8 keeps no type feedback for a function's first few calls. Each message below is
  // its header (rtmsg), then one line of its attributes ending with end().
  for (let k = 1; k <= 4; k++) {
    const net = 0x0b000000 + k * 0x10000; // 11.k.0.0
    // IPv4: [family, dst/len, table, protocol, scope, type], then attributes
    rtmsg([2, 32, 100, 4, 253, 1]);
    u32(RTA.TABLE, 100), ipv4(RTA.DST, net + 1), u32(RTA.OIF, 2), end();
    rtmsg([2, 32, 100, 3, 0, 1]);
    u32(RTA.TABLE, 100), ipv4(RTA.DST, net + 2), u32(RTA.PRIORITY, 10);
    ipv4(RTA.GATEWAY, 0x0a000002 + k * 256), u32(RTA.OIF, 2), end();
    for (const type of [6, 7, 8]) {
      rtmsg([2, 32, 100, 3, 0, type]);
      u32(RTA.TABLE, 100), ipv4(RTA.DST, net + type), end();
    }
    rtmsg([2, 24, 100, 3, 0, 6]);
    u32(RTA.TABLE, 100), ipv4(RTA.DST, net + 256), u32(RTA.PRIORITY, 5), end();
    rtmsg([2, 0, 254, 16, 0, 1]);
    u32(RTA.TABLE, 254), u32(RTA.PRIORITY, 100), ipv4(RTA.PREFSRC, 0x0a000001 + k * 256);
    ipv4(RTA.GATEWAY, 0x0a0000fe + k * 256), u32(RTA.OIF, 2), end();
    rtmsg([2, 0, 254, 3, 0, 1], 4);
    u32(RTA.TABLE, 254), ipv4(RTA.GATEWAY, 0x0a0000fe + k * 256), u32(RTA.OIF, 2), end();
    rtmsg([2, 16, 254, 2, 253, 1]);
    u32(RTA.TABLE, 254), ipv4(RTA.DST, 0x0a000000 + k * 0x10000);
    ipv4(RTA.PREFSRC, 0x0a000001 + k * 256), u32(RTA.OIF, 2), end();
    for (const [type, scope] of [[2, 254], [3, 253]]) {
      rtmsg([2, 32, 255, 2, scope, type]);
      u32(RTA.TABLE, 255), ipv4(RTA.DST, 0x0a000001 + k * 256);
      ipv4(RTA.PREFSRC, 0x0a000001 + k * 256), u32(RTA.OIF, 2), end();
    }
    rtmsg([2, 32, 254, 3, 0, 1]);
    u32(RTA.TABLE, 254), ipv4(RTA.DST, net + 5), u32(RTA.IIF, 1), u32(RTA.OIF, 2);
    u32(RTA.MARK, 1), end();
    rtmsg([2, 32, 254, 3, 0, 1]);
    ipv4(RTA.DST, net + 6), u32(RTA.NH_ID, 1), end();
    // IPv6
    rtmsg([10, 64, 100, 3, 0, 1]);
    u32(RTA.TABLE, 100), ipv6(RTA.DST, 0x2001, 0xdb8, k, 0), u32(RTA.PRIORITY, 1);
    ipv6(RTA.GATEWAY, 0x2001, 0xdb8, 0xffff, k), u32(RTA.OIF, 2), v6tail(), end();
    rtmsg([10, 128, 255, 2, 0, 2]);
    u32(RTA.TABLE, 255), ipv6(RTA.DST, 0x2001, 0xdb8, 0xffff, k), u32(RTA.PRIORITY, 0);
    u32(RTA.OIF, 2), v6tail(), end();
    rtmsg([10, 128, 255, 2, 0, 2]);
    u32(RTA.TABLE, 255), ipv6(RTA.DST, 0, 0, 0, k), u32(RTA.PRIORITY, 0), u32(RTA.OIF, 1);
    v6tail(), end();
    rtmsg([10, 64, 254, 2, 0, 1]);
    u32(RTA.TABLE, 254), ipv6(RTA.DST, 0xfe80, 0, k, 0), u32(RTA.PRIORITY, 256);
    u32(RTA.OIF, 2), v6tail(), end();
    rtmsg([10, 8, 255, 2, 0, 5]);
    u32(RTA.TABLE, 255), ipv6(RTA.DST, 0xff00 + k, 0, 0, 0), u32(RTA.PRIORITY, 256);
    u32(RTA.OIF, 2), v6tail(), end();
    rtmsg([10, 0, 254, 9, 0, 1]);
    u32(RTA.TABLE, 254), u32(RTA.PRIORITY, 1024), ipv6(RTA.GATEWAY, 0xfe80, 0, 0, k);
    // a route that expires (learnt from a router advertisement): its cacheinfo says when too
    u32(RTA.OIF, 2), view.setUint32(rta(RTA.CACHEINFO, ZERO_CACHEINFO_SIZE) + 8, 1800, true);
    u32(RTA.EXPIRES, 1800);
    data[rta(RTA.PREF, 1)] = 0, end();
  }
  // each round as a datagram of its own, which its first route that needs bytes copies
  const perRound = spans.length / 4;
  let keep = new DatagramCopy(data, at);
  for (let i = 0; i < spans.length; i += 2) {
    if (i % perRound === 0) keep = new DatagramCopy(data, at);
    fastRoute(data, view, spans[i], spans[i + 1], keep);
  }
}

/**
 * A reader of the RTM_NEWROUTE messages of one dump (or stream of notifications): the route of
 * the message `it` is on. The routes of a datagram that need its bytes for their `attrs`
 * share one copy of it ({@link DatagramCopy}); a datagram is told from the next by the cursor
 * and its {@link MessageIterator.epoch}.
 */
export function routeReader(): (it: MessageIterator) => Route {
  if (!warm) warmUp();
  let last: MessageIterator | undefined;
  let epoch = 0;
  let keep = new DatagramCopy(new Uint8Array(0), 0);
  return (it) => {
    const off = it.payloadOffset;
    const end = it.messageEnd;
    if (it !== last || it.epoch !== epoch) {
      last = it;
      epoch = it.epoch;
      keep = new DatagramCopy(it.data, it.end);
    }
    return fastRoute(it.data, it.view, off, end, keep) ?? genericRoute(it.data, off, end);
  };
}
