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
import { RTA, rtaCacheinfoStruct, rtmsgStruct, rtRoute } from "../families/rt_route.ts";
import { familyName } from "./address.ts";
import { protocolName, scopeName } from "./constants.ts";
import { nexthopFlagNames } from "./multipath.ts";
import { type Route, type RouteAttrs, type RouteHeader, toRoute } from "./route.ts";

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
const CI = CACHEINFO.offsets;

/**
 * The attributes read here, by their rt-route number: each maps to the `case` of the decoder's
 * switch that reads it (0: any other, left to the generic decoder). The numbers are the spec's
 * (RTA); the cases are this file's own.
 */
const CASE = new Uint8Array(Math.max(...Object.values(RTA)) + 1);
CASE[RTA.DST] = 1;
CASE[RTA.SRC] = 2;
CASE[RTA.IIF] = 3;
CASE[RTA.OIF] = 4;
CASE[RTA.GATEWAY] = 5;
CASE[RTA.PRIORITY] = 6;
CASE[RTA.PREFSRC] = 7;
CASE[RTA.CACHEINFO] = 8;
CASE[RTA.TABLE] = 9;
CASE[RTA.MARK] = 10;
CASE[RTA.PREF] = 11;
CASE[RTA.EXPIRES] = 12;
CASE[RTA.NH_ID] = 13;

/** The value a byte of `struct rtmsg` field `key` decodes to, for all 256 of them. */
function byteTable(key: keyof RouteHeader): (string | number)[] {
  const b = new Uint8Array(HEADER_SIZE);
  const at = AT[key];
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
  const family = data[off + AT_FAMILY];
  const dstLen = data[off + AT_DST_LEN];
  const srcLen = data[off + AT_SRC_LEN];
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
    const type = view.getUint16(pos + 2, true);
    switch (type < CASE.length ? CASE[type] : 0) {
      case 1: // dst
        if (plen === 4) dst = fmtIpv4(data, p);
        else if (plen === 16) dst = fmtIpv6(data, p);
        else return null;
        a.dst = dst;
        break;
      case 2: // src
        if (plen === 4) src = fmtIpv4(data, p);
        else if (plen === 16) src = fmtIpv6(data, p);
        else return null;
        a.src = src;
        break;
      case 3: // iif
        if (plen !== 4) return null;
        a.iif = iif = view.getUint32(p, true);
        break;
      case 4: // oif
        if (plen !== 4) return null;
        a.oif = oif = view.getUint32(p, true);
        break;
      case 5: // gateway
        if (plen === 4) gateway = fmtIpv4(data, p);
        else if (plen === 16) gateway = fmtIpv6(data, p);
        else return null;
        a.gateway = gateway;
        break;
      case 6: // priority
        if (plen !== 4) return null;
        a.priority = priority = view.getUint32(p, true);
        break;
      case 7: // prefsrc
        if (plen === 4) prefsrc = fmtIpv4(data, p);
        else if (plen === 16) prefsrc = fmtIpv6(data, p);
        else return null;
        a.prefsrc = prefsrc;
        break;
      case 8: { // cacheinfo: struct rta-cacheinfo (the kernel's is longer: the rest is unknown)
        if (plen < CACHEINFO.size) return null;
        const c: Record<string, unknown> = {
          rtaClntref: view.getUint32(p + CI.rtaClntref, true),
          rtaLastuse: view.getUint32(p + CI.rtaLastuse, true),
          rtaExpires: view.getUint32(p + CI.rtaExpires, true),
          rtaError: view.getUint32(p + CI.rtaError, true),
          rtaUsed: view.getUint32(p + CI.rtaUsed, true),
        };
        if (plen > CACHEINFO.size) {
          c.unknown = copyBytesAt(data, p + CACHEINFO.size, plen - CACHEINFO.size);
        }
        a.cacheinfo = c;
        break;
      }
      case 9: // table
        if (plen !== 4) return null;
        a.table = table = view.getUint32(p, true);
        break;
      case 10: // mark
        if (plen !== 4) return null;
        a.mark = view.getUint32(p, true);
        break;
      case 11: // pref
        if (plen !== 1) return null;
        a.pref = pref = data[p];
        break;
      case 12: // expires
        if (plen !== 4) return null;
        a.expires = view.getUint32(p, true);
        break;
      case 13: // nh-id
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
    table: table >= 0 ? table : data[off + AT_TABLE],
    type: TYPES[data[off + AT_TYPE]],
    protocol: PROTOCOLS[data[off + AT_PROTOCOL]],
    scope: SCOPES[data[off + AT_SCOPE]],
    tos: data[off + AT_TOS],
    flags: data[off + AT_FLAGS] === 0 ? [] : nexthopFlagNames(data[off + AT_FLAGS]),
    rtmFlags: view.getUint32(off + AT_FLAGS, true),
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
