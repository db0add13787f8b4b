/**
 * Routes as rtnetlink reports them ({@link Route}, from RTM_NEWROUTE: `struct rtmsg` and the
 * rt-route spec's attributes, with RTA_MULTIPATH decoded), and the options that make them.
 *
 * @module
 */

import type { RawHeaderOf, RawReplyOf } from "../ynl/raw_family.ts";
import type { rtRoute } from "../families/rt_route.ts";
import { type NameOrNumber, protocolName, scopeName } from "./constants.ts";
import type { LinkRef } from "./link.ts";
import { type Family, familyName } from "./address.ts";
import { decodeMultipath, type Nexthop } from "./multipath.ts";
import { nexthopFlagArray, RouteRecord } from "./_route_record.ts";

/**
 * The decoded attributes of an RTM_NEWROUTE (the rt-route spec's `route-attrs`).
 *
 * @example
 * ```ts
 * import type { RouteAttrs } from "@nlts/netlink/route";
 * const a: RouteAttrs = { dst: "10.0.0.0", table: 254, oif: 2 };
 * ```
 */
export type RouteAttrs = RawReplyOf<typeof rtRoute, "getroute">;
/**
 * The decoded `struct rtmsg`.
 *
 * @example
 * ```ts
 * import type { RouteHeader } from "@nlts/netlink/route";
 * const h: Partial<RouteHeader> = { rtmFamily: 2, rtmDstLen: 24, rtmType: "unicast" };
 * ```
 */
export type RouteHeader = RawHeaderOf<typeof rtRoute, "getroute">;
/**
 * RTA_METRICS by the rt-route spec's names (`mtu`, `advmss`, `hoplimit`, `initcwnd`...).
 *
 * @example
 * ```ts
 * import type { RouteMetrics } from "@nlts/netlink/route";
 * const m: RouteMetrics = { mtu: 1400, advmss: 1360 };
 * ```
 */
export type RouteMetrics = NonNullable<RouteAttrs["metrics"]>;

/**
 * Which routes a dump returns ({@link RouteClient.routes}, {@link RouteReader.routes}): filtered by the
 * kernel.
 *
 * @example
 * ```ts
 * import type { RouteFilter } from "@nlts/netlink/route";
 * const f: RouteFilter = { table: "all", family: "inet6", protocol: "static" };
 * ```
 */
export interface RouteFilter {
  /** Table: a name or number, or `all` (default `main`, as `ip route show`). */
  table?: NameOrNumber | "all";
  /** Only this family. */
  family?: Family;
  /** Only routes through this interface. */
  dev?: LinkRef;
  /** Only routes of this protocol. */
  protocol?: NameOrNumber;
  /** Only routes of this type (`unicast`, `local`...). */
  type?: string;
}

/**
 * A route, as `ip route show` describes it.
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open();
 * for (const r of rt.routesSync()) console.log(r.dst, r.gateway ?? "", r.oif ?? "", r.protocol);
 * ```
 */
export interface Route {
  /** `inet` or `inet6` (a number for MPLS and others). */
  family: Family;
  /** Destination as iproute2 prints it: `10.0.0.0/24`, `10.0.0.1` (a host), `default`. */
  dst: string;
  /** Destination prefix length. */
  dstLength: number;
  /** Source prefix (RTA_SRC, IPv6 source routing), when the route has one. */
  src?: string;
  /** Routing table id (254 main, 255 local...). */
  table: number;
  /** Route type: `unicast`, `local`, `broadcast`, `blackhole`, `unreachable`, `prohibit`... */
  type: string | number;
  /** Who installed it: `kernel`, `boot`, `static`, `dhcp`, `bgp`... (a number for others). */
  protocol: string | number;
  /** Scope: `global`, `link`, `host` (a number for others). */
  scope: string | number;
  /** TOS / DSCP. */
  tos: number;
  /**
   * Next-hop flags as iproute2 prints them (`onlink`, `linkdown`, `dead`...). Frozen and shared
   * by the routes with the same flags, hence `readonly` (copy it to change it).
   */
  flags: readonly string[];
  /**
   * The header's `rtm_flags`, all 32 bits: the next-hop flags {@link Route.flags} names in the
   * low byte, and the route's own `RTM_F` bits above them (`CLONED` for a cache entry,
   * `OFFLOAD`, `TRAP`, `OFFLOAD_FAILED` when hardware holds it, `NOTIFY`...).
   */
  rtmFlags: number;
  /** Gateway. */
  gateway?: string;
  /** Output interface index. */
  oif?: number;
  /** Input interface index (RTA_IIF). */
  iif?: number;
  /** Metric (RTA_PRIORITY). */
  metric?: number;
  /** Preferred source address (RTA_PREFSRC). */
  prefsrc?: string;
  /** Metrics (RTA_METRICS): mtu, advmss, hoplimit, initcwnd... */
  metrics?: RouteMetrics;
  /** The paths of a multipath route (RTA_MULTIPATH). */
  multipath?: Nexthop[];
  /** IPv6 router preference (RTA_PREF: 0 medium, 1 high, 3 low). */
  pref?: number;
  /** Lightweight tunnel encapsulation: RTA_ENCAP_TYPE and RTA_ENCAP's payload. */
  encap?: { type: number; data: Uint8Array };
  /** Next-hop object id (RTA_NH_ID). */
  nhId?: number;
  /**
   * Every attribute the kernel sent, decoded by the rt-route spec (`multipath` as bytes). The
   * routes {@link RouteClient} dumps make it when it is first read: a route whose attributes
   * are all typed fields (table, dst, src, gateway, prefsrc, iif, oif, priority, pref, nh-id,
   * each once; and an all-zero cacheinfo, what a FIB route has) from those fields, as they are
   * then; any other by decoding a copy of the bytes
   * of its message (the datagram it came in, shared by the other routes of it that need one,
   * stays alive while such a route does and has not had `attrs` read). It is an accessor of
   * the routes' class, not an own property: `Object.keys`, spread and `JSON.stringify` do not
   * show it.
   */
  attrs: RouteAttrs;
}

/**
 * A {@link Route} from a decoded RTM_NEWROUTE (its `attrs` is `a`).
 *
 * @example
 * ```ts
 * import { RawFamily } from "@nlts/netlink/ynl";
 * import { rtRoute } from "@nlts/netlink/families/rt_route";
 * import { toRoute } from "@nlts/netlink/route";
 * using f = RawFamily.open(rtRoute);
 * for (const m of f.dumpSync("getroute", undefined, { header: { rtmFamily: 2 } })) console.log(toRoute(m.header, m.attrs).dst);
 * ```
 */
export function toRoute(h: RouteHeader, a: RouteAttrs): Route {
  const full = h.rtmFamily === 10 ? 128 : 32;
  const len = h.rtmDstLen;
  const dst = a.dst === undefined
    ? (len === 0 ? "default" : h.rtmFamily === 10 ? `::/${len}` : `0.0.0.0/${len}`)
    : len === full
    ? a.dst
    : `${a.dst}/${len}`;
  const r = new RouteRecord(
    familyName(h.rtmFamily),
    dst,
    len,
    a.table ?? h.rtmTable,
    h.rtmType,
    protocolName(h.rtmProtocol),
    scopeName(h.rtmScope),
    h.rtmTos,
    nexthopFlagArray(h.rtmFlags & 0xff),
    h.rtmFlags,
    a,
    0,
  );
  if (a.src !== undefined) r.src = h.rtmSrcLen === full ? a.src : `${a.src}/${h.rtmSrcLen}`;
  if (a.gateway !== undefined) r.gateway = a.gateway;
  if (a.oif !== undefined) r.oif = a.oif;
  if (a.iif !== undefined) r.iif = a.iif;
  if (a.priority !== undefined) r.metric = a.priority;
  if (a.prefsrc !== undefined) r.prefsrc = a.prefsrc;
  if (a.metrics !== undefined) r.metrics = a.metrics;
  if (a.multipath !== undefined) r.multipath = decodeMultipath(a.multipath, h.rtmFamily);
  if (a.pref !== undefined) r.pref = a.pref;
  if (a.encapType !== undefined || a.encap !== undefined) {
    r.encap = { type: a.encapType ?? 0, data: a.encap ?? new Uint8Array(0) };
  }
  if (a.nhId !== undefined) r.nhId = a.nhId;
  return r;
}
