/**
 * The object every `Route` is (internal): one class, so that routes share one shape and
 * their fields are assigned in one order, whose `attrs` is decoded when first read. A route
 * from a dump keeps the bytes of its message (a copy of the datagram it came in, shared with
 * the other routes of that datagram) instead of a second decoded form of every attribute
 * beside its typed fields; most programs never read `attrs`, and the garbage collector then
 * has one object per route to trace instead of three or four.
 *
 * @module
 */

import type { RawReplyOf } from "../ynl/raw_family.ts";
import { rtmsgStruct, rtRoute } from "../families/rt_route.ts";
import type { Family } from "./address.ts";
import { type Nexthop, nexthopFlagNames } from "./multipath.ts";

// Route's own types (route.ts names them for users; it imports this module, so they are
// spelled here again, not imported). toRoute and the dump decoder return RouteRecords as
// Routes, which checks that the class fits the interface.
type RouteAttrs = RawReplyOf<typeof rtRoute, "getroute">;
type RouteMetrics = NonNullable<RouteAttrs["metrics"]>;

const REPLY = rtRoute.operations.getroute.reply;
const HEADER_SIZE = rtmsgStruct.size;

/** The flag arrays made so far, by the value of `rtm_flags`' low byte. */
const FLAG_ARRAYS: (readonly string[] | undefined)[] = new Array(256).fill(undefined);

/**
 * The next-hop flag names of `byte`, a value of `rtm_flags`' low byte: frozen and shared by
 * every route with those flags (most have none: one empty array for all of them), made at the
 * first route that has them.
 */
export function nexthopFlagArray(byte: number): readonly string[] {
  return FLAG_ARRAYS[byte] ?? (FLAG_ARRAYS[byte] = Object.freeze(nexthopFlagNames(byte)));
}

/** A `Route`: typed fields as own properties, `attrs` an accessor. */
export class RouteRecord {
  declare family: Family;
  declare dst: string;
  declare dstLength: number;
  declare table: number;
  declare type: string | number;
  declare protocol: string | number;
  declare scope: string | number;
  declare tos: number;
  declare flags: readonly string[];
  declare rtmFlags: number;
  declare src?: string;
  declare gateway?: string;
  declare oif?: number;
  declare iif?: number;
  declare metric?: number;
  declare prefsrc?: string;
  declare metrics?: RouteMetrics;
  declare multipath?: Nexthop[];
  declare pref?: number;
  declare encap?: { type: number; data: Uint8Array };
  declare nhId?: number;
  /** The decoded attributes, or the bytes holding the message. */
  #raw: Uint8Array | RouteAttrs;
  /**
   * Where the message is in #raw: its payload's offset (its `struct rtmsg`) times 65536 plus
   * its length (at most 0xffff: the fast decoder takes no longer ones). One field, not two:
   * every route has it, and the garbage collector copies each route's bytes.
   */
  #span: number;

  /**
   * The fields every route has, and its attributes: decoded (`raw`) or as the message's bytes
   * `raw[at, end)` (from its `struct rtmsg` on, `end - at` at most 0xffff), decoded on first
   * use.
   */
  constructor(
    family: Family,
    dst: string,
    dstLength: number,
    table: number,
    type: string | number,
    protocol: string | number,
    scope: string | number,
    tos: number,
    flags: readonly string[],
    rtmFlags: number,
    raw: Uint8Array | RouteAttrs,
    at: number,
    end: number,
  ) {
    this.family = family;
    this.dst = dst;
    this.dstLength = dstLength;
    this.table = table;
    this.type = type;
    this.protocol = protocol;
    this.scope = scope;
    this.tos = tos;
    this.flags = flags;
    this.rtmFlags = rtmFlags;
    this.#raw = raw;
    this.#span = at * 65536 + (end - at);
  }

  /** Every attribute the kernel sent, decoded by the rt-route spec on first use. */
  get attrs(): RouteAttrs {
    const raw = this.#raw;
    if (!(raw instanceof Uint8Array)) return raw;
    const span = this.#span;
    const at = Math.floor(span / 65536);
    const end = at + span % 65536;
    const attrs = REPLY.decode(raw, Math.min(at + HEADER_SIZE, end), end, {
      strict: false,
      path: REPLY.name,
    }) as RouteAttrs;
    this.#raw = attrs;
    return attrs;
  }

  set attrs(attrs: RouteAttrs) {
    this.#raw = attrs;
  }
}
