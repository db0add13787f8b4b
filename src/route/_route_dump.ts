/**
 * Route dumps on a NETLINK_ROUTE socket (internal): the request of a {@link RouteFilter} and the
 * dump into {@link Route}s, shared by {@link RouteClient} and {@link RouteReader}. This module and
 * what it imports are all a route-listing process loads: rt-route and the route decoder, not the
 * link, neighbour or rule families (`@nlts/netlink/route/routes` is built on it alone).
 *
 * @module
 */

import { ERRNO } from "../protocol/errno.ts";
import { DecodeError, type ExtAck, NetlinkError } from "../protocol/errors.ts";
import { AttrTrace } from "../protocol/schema_trace.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { NETLINK } from "../protocol/constants.ts";
import { NetlinkSocket } from "../socket/netlink_socket.ts";
import { writeRawRequest } from "../ynl/_raw_request.ts";
import type { Libc } from "../socket/mod.ts";
import { rtRoute } from "../families/rt_route.ts";
import { familyNumber } from "./address.ts";
import { protocolId, RT_TABLE, tableId } from "./constants.ts";
import type { LinkRef, NetnsRef } from "./link.ts";
import type { Route, RouteFilter } from "./route.ts";
import { routeReader } from "./_route_decode.ts";

/**
 * Options of {@link RouteClient.open} and {@link RouteReader.open}.
 *
 * @example
 * ```ts
 * import { RouteClient, type RouteClientOptions } from "@nlts/netlink/route";
 * const options: RouteClientOptions = { netns: "blue", rcvbuf: 1 << 20 };
 * using rt = RouteClient.open(options);
 * ```
 */
export interface RouteClientOptions {
  /** The network namespace to work in: a name under /run/netns, a path, or an open fd. */
  netns?: NetnsRef;
  /**
   * The libc calls its sockets make (default: the runtime's); e.g. `FakeKernel` from
   * `@nlts/netlink/testing` to run against an in-memory kernel.
   */
  transport?: Libc;
  /** SO_RCVBUF to ask for (bytes): raise it for large bursts of notifications. */
  rcvbuf?: number;
}

/** A NETLINK_ROUTE socket (in `options.netns` if given), as RouteClient and RouteReader open it. */
export function openRouteSocket(options: RouteClientOptions): NetlinkSocket {
  return NetlinkSocket.open(NETLINK.ROUTE, {
    name: "rtnetlink",
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    ...(options.transport !== undefined ? { transport: options.transport } : {}),
    ...(options.rcvbuf !== undefined ? { rcvbuf: options.rcvbuf } : {}),
  });
}

/** The rtmsg and strict-check attributes of a route dump. */
export interface RouteQuery {
  header: Record<string, unknown>;
  attrs: Record<string, unknown>;
}

/**
 * The dump request of `filter` up to its `dev`, which the caller resolves to an index
 * (`attrs.oif`) before {@link finishRouteQuery}: family and table are checked first, as they
 * always were, then the link is looked up, then protocol and type.
 */
export function startRouteQuery(filter: RouteFilter): RouteQuery {
  const header: Record<string, unknown> = { rtmFamily: familyNumber(filter.family) ?? 0 };
  const attrs: Record<string, unknown> = {};
  const table = filter.table ?? "main";
  if (table !== "all") {
    const id = tableId(table);
    header.rtmTable = id < 256 ? id : RT_TABLE.UNSPEC;
    attrs.table = id;
  }
  return { header, attrs };
}

/** The rest of {@link startRouteQuery}: protocol and type. */
export function finishRouteQuery(filter: RouteFilter, q: RouteQuery): RouteQuery {
  if (filter.protocol !== undefined) q.header.rtmProtocol = protocolId(filter.protocol);
  if (filter.type !== undefined) q.header.rtmType = filter.type;
  return q;
}

/**
 * The dump request of `q` and how to name the attribute an extended ack points at. Route dumps
 * skip RawFamily's per-message objects: each reply becomes a {@link Route} straight from the
 * receive buffer (see _route_decode.ts).
 */
export function routeRequest(
  q: RouteQuery,
): { bytes: Uint8Array; options: { operation: string; describeExtAck: (a: ExtAck) => void } } {
  const { getroute } = rtRoute.operations;
  // No attributes (a dump of every table): none written, without building the request's
  // attribute set and its encoder (~2 ms of a process's first dump) to write nothing.
  const attrs = Object.keys(q.attrs).length === 0 ? undefined : q.attrs;
  const write = (w: NetlinkWriter, trace?: AttrTrace) =>
    writeRawRequest(w, getroute.cmd, 0, getroute.header, q.header, getroute.request, attrs, trace);
  const w = new NetlinkWriter(64);
  write(w);
  const describeExtAck = (ack: ExtAck) => {
    const trace = new AttrTrace({ origin: 0 });
    write(new NetlinkWriter(), trace);
    trace.describe(ack);
  };
  return { bytes: w.copy(), options: { operation: "rt-route.getroute", describeExtAck } };
}

/**
 * A dump of one family's table that the family does not have: the kernel says ENOENT ("FIB
 * table does not exist"), which is an empty table to the caller.
 */
function noSuchTable(e: unknown, q: RouteQuery): boolean {
  return e instanceof NetlinkError && e.errno === ERRNO.ENOENT && q.attrs.table !== undefined;
}

/** The routes `q` selects (none when its table does not exist). */
export function dumpRoutesSync(socket: NetlinkSocket, q: RouteQuery): Route[] {
  const { bytes, options } = routeRequest(q);
  const out: Route[] = [];
  const routeOf = routeReader();
  try {
    socket.exchangeSync(bytes, { ...options, dump: true }, (it) => {
      out.push(routeOf(it));
    });
  } catch (e) {
    if (noSuchTable(e, q)) return [];
    throw e;
  }
  return out;
}

/** Asynchronous {@link dumpRoutesSync}. */
export async function dumpRoutes(socket: NetlinkSocket, q: RouteQuery): Promise<Route[]> {
  const { bytes, options } = routeRequest(q);
  const out: Route[] = [];
  const routeOf = routeReader();
  try {
    await socket.exchange(bytes, { ...options, dump: true }, (it) => {
      out.push(routeOf(it));
    });
  } catch (e) {
    if (noSuchTable(e, q)) return [];
    throw e;
  }
  return out;
}

/** {@link dumpRoutes} one datagram's routes at a time. */
export async function* streamRoutes(
  socket: NetlinkSocket,
  q: RouteQuery,
): AsyncGenerator<Route, void, undefined> {
  const { bytes, options } = routeRequest(q);
  const routeOf = routeReader();
  try {
    for await (const batch of socket.dumpBatches(bytes, options, routeOf)) yield* batch;
  } catch (e) {
    if (noSuchTable(e, q)) return;
    throw e;
  }
}

/**
 * `ref` checked as an interface index: an integer 1..2147483647 (a RangeError otherwise).
 */
export function checkIndex(ref: number, what: string): number {
  if (!Number.isInteger(ref) || ref <= 0 || ref > 0x7fffffff) {
    throw new RangeError(`Cannot use ${what} ${ref}: an interface index is 1..2147483647`);
  }
  return ref;
}

/** `name` checked as an interface name (a TypeError otherwise). */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== "string" || name === "" || name.length > 15 || /[\s/:]/.test(name)) {
    throw new TypeError(
      `Cannot use ${what} ${
        JSON.stringify(name)
      }: an interface name is 1..15 characters without spaces, "/" or ":"`,
    );
  }
  return name;
}

// rt-link's numbers for the one request a route dump may need, a link's index by name, so that
// a route-listing process does not load rt-link (108 KB of generated module) for it; a test
// checks these bytes against rt-link's encoding of the same request.
const RTM_GETLINK = 18;
const IFINFOMSG_SIZE = 16;
const IFLA_IFNAME = 3;
const IFLA_EXT_MASK = 29;
const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/**
 * The request `getlink { ifname: name, extMask: ["skipStats"] }` of rt-link: the index of the
 * link `name` is the ifinfomsg's `ifi_index` of the reply ({@link linkIndexOf}).
 */
export function linkIndexRequest(name: string): Uint8Array {
  const w = new NetlinkWriter(64);
  const m = w.beginMessage(RTM_GETLINK, 0);
  w.reserve(IFINFOMSG_SIZE);
  w.attrString(IFLA_IFNAME, name).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  w.endMessage(m);
  return w.copy();
}

/**
 * The `ifi_index` of the first reply of a {@link linkIndexRequest}; a reply too short for its
 * ifinfomsg is a DecodeError, as rt-link's decoder of the same reply raises.
 */
export function linkIndexOf(replies: { payload: Uint8Array }[]): number {
  const p = replies[0].payload;
  if (p.length < IFINFOMSG_SIZE) {
    throw new DecodeError(
      `ifinfomsg needs ${IFINFOMSG_SIZE} bytes, the reply has ${p.length}`,
      0,
      "rt-link.getlink",
    );
  }
  return new DataView(p.buffer, p.byteOffset, p.byteLength).getInt32(4, true);
}

/** Resolves a {@link RouteFilter}'s `dev` given by name through {@link linkIndexRequest}. */
export function linkIndexSync(socket: NetlinkSocket, ref: LinkRef, what: string): number {
  if (typeof ref === "number") return checkIndex(ref, what);
  const bytes = linkIndexRequest(checkName(ref, what));
  return linkIndexOf(socket.requestSync(bytes, { operation: "rt-link.getlink" }));
}

/** Asynchronous {@link linkIndexSync}. */
export async function linkIndex(
  socket: NetlinkSocket,
  ref: LinkRef,
  what: string,
): Promise<number> {
  if (typeof ref === "number") return checkIndex(ref, what);
  const bytes = linkIndexRequest(checkName(ref, what));
  return linkIndexOf(await socket.request(bytes, { operation: "rt-link.getlink" }));
}
