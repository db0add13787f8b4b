/**
 * Route dumps into {@link Route}s straight from the receive buffer (internal). A dump of a large
 * table is hundreds of thousands of RTM_NEWROUTE messages whose attributes are nearly always the
 * same few (dst, gateway, oif, priority, table, prefsrc, cacheinfo, pref), so those are read here
 * with one `switch` and no intermediate header object, message wrapper or second pass; the
 * result is the object {@link toRoute} makes of the generic decode (same values, same keys in the
 * same order: a test compares both). A message with anything else (nests, binary attributes,
 * flag bits in the type, a payload of an unexpected size) goes the generic way, which also
 * raises the DecodeError of a malformed one.
 *
 * @module
 */

import type { MessageIterator } from "../protocol/reader.ts";
import { copyBytesAt } from "../protocol/_bytes.ts";
import { fmtIpv4, fmtIpv6 } from "../protocol/schema_addr.ts";
import { rtmsgStruct, rtRoute } from "../families/rt_route.ts";
import { familyName } from "./address.ts";
import { protocolName, scopeName } from "./constants.ts";
import { nexthopFlagNames } from "./multipath.ts";
import { type Route, type RouteAttrs, type RouteHeader, toRoute } from "./route.ts";

const REPLY = rtRoute.operations.getroute.reply;
const HEADER = rtmsgStruct;
const HEADER_SIZE = 12;

/** The value a byte of `struct rtmsg` field `key` decodes to, for all 256 of them. */
function byteTable(key: keyof RouteHeader): (string | number)[] {
  const b = new Uint8Array(HEADER_SIZE);
  const at = { rtmFamily: 0, rtmProtocol: 5, rtmScope: 6, rtmType: 7 }[key as string]!;
  return Array.from({ length: 256 }, (_, i) => {
    b[at] = i;
    return HEADER.decodeAt(b, 0)[key] as string | number;
  });
}

// Names by number, as the generic path gives them (the type through the spec's enum).
const TYPES = byteTable("rtmType");
const FAMILIES = Array.from({ length: 256 }, (_, i) => familyName(i));
const PROTOCOLS = Array.from({ length: 256 }, (_, i) => protocolName(i));
const SCOPES = Array.from({ length: 256 }, (_, i) => scopeName(i));
const SUFFIX = Array.from({ length: 256 }, (_, i) => `/${i}`);

/**
 * The route of the RTM_NEWROUTE whose payload is `[off, end)` of `data`, or null when it has
 * something the generic decoder must handle.
 */
export function fastRoute(
  data: Uint8Array,
  view: DataView,
  off: number,
  end: number,
): Route | null {
  if (end - off < HEADER_SIZE || end - off > 0xffff) return null;
  const family = data[off];
  const dstLen = data[off + 1];
  const srcLen = data[off + 2];
  const full = family === 10 ? 128 : 32;
  // Attributes are stored in the order they come (as the generic decoder stores them); the
  // route's own fields are kept in locals.
  const a: Record<string, unknown> = {};
  let dst: string | undefined;
  let src: string | undefined;
  let gateway: string | undefined;
  let prefsrc: string | undefined;
  let oif = -1, iif = -1, priority = -1, table = -1, pref = -1, nhId = -1;
  let pos = off + HEADER_SIZE;
  while (end - pos >= 4) {
    const len = view.getUint16(pos, true);
    if (len < 4 || len > end - pos) return null;
    const p = pos + 4;
    const plen = len - 4;
    switch (view.getUint16(pos + 2, true)) {
      case 1: // RTA_DST
        if (plen === 4) dst = fmtIpv4(data, p);
        else if (plen === 16) dst = fmtIpv6(data, p);
        else return null;
        a.dst = dst;
        break;
      case 2: // RTA_SRC
        if (plen === 4) src = fmtIpv4(data, p);
        else if (plen === 16) src = fmtIpv6(data, p);
        else return null;
        a.src = src;
        break;
      case 3: // RTA_IIF
        if (plen !== 4) return null;
        a.iif = iif = view.getUint32(p, true);
        break;
      case 4: // RTA_OIF
        if (plen !== 4) return null;
        a.oif = oif = view.getUint32(p, true);
        break;
      case 5: // RTA_GATEWAY
        if (plen === 4) gateway = fmtIpv4(data, p);
        else if (plen === 16) gateway = fmtIpv6(data, p);
        else return null;
        a.gateway = gateway;
        break;
      case 6: // RTA_PRIORITY
        if (plen !== 4) return null;
        a.priority = priority = view.getUint32(p, true);
        break;
      case 7: // RTA_PREFSRC
        if (plen === 4) prefsrc = fmtIpv4(data, p);
        else if (plen === 16) prefsrc = fmtIpv6(data, p);
        else return null;
        a.prefsrc = prefsrc;
        break;
      case 12: { // RTA_CACHEINFO: struct rta_cacheinfo, the spec's first 5 members
        if (plen < 20) return null;
        const c: Record<string, unknown> = {
          rtaClntref: view.getUint32(p, true),
          rtaLastuse: view.getUint32(p + 4, true),
          rtaExpires: view.getUint32(p + 8, true),
          rtaError: view.getUint32(p + 12, true),
          rtaUsed: view.getUint32(p + 16, true),
        };
        if (plen > 20) c.unknown = copyBytesAt(data, p + 20, plen - 20);
        a.cacheinfo = c;
        break;
      }
      case 15: // RTA_TABLE
        if (plen !== 4) return null;
        a.table = table = view.getUint32(p, true);
        break;
      case 16: // RTA_MARK
        if (plen !== 4) return null;
        a.mark = view.getUint32(p, true);
        break;
      case 20: // RTA_PREF
        if (plen !== 1) return null;
        a.pref = pref = data[p];
        break;
      case 23: // RTA_EXPIRES
        if (plen !== 4) return null;
        a.expires = view.getUint32(p, true);
        break;
      case 30: // RTA_NH_ID
        if (plen !== 4) return null;
        a.nhId = nhId = view.getUint32(p, true);
        break;
      default:
        return null;
    }
    pos += (len + 3) & ~3;
  }
  const r: Route = {
    family: FAMILIES[family] as Route["family"],
    dst: dst === undefined
      ? (dstLen === 0
        ? "default"
        : family === 10
        ? `::${SUFFIX[dstLen]}`
        : `0.0.0.0${SUFFIX[dstLen]}`)
      : dstLen === full
      ? dst
      : dst + SUFFIX[dstLen],
    dstLength: dstLen,
    table: table >= 0 ? table : data[off + 4],
    type: TYPES[data[off + 7]],
    protocol: PROTOCOLS[data[off + 5]],
    scope: SCOPES[data[off + 6]],
    tos: data[off + 3],
    flags: data[off + 8] === 0 ? [] : nexthopFlagNames(data[off + 8]),
    attrs: a as RouteAttrs,
  };
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

/** The route of the RTM_NEWROUTE `it` is on (a dump's or a notification's). */
export function routeOf(it: MessageIterator): Route {
  const off = it.payloadOffset;
  const end = it.messageEnd;
  return fastRoute(it.data, it.view, off, end) ?? genericRoute(it.data, off, end);
}
