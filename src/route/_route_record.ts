/**
 * The object every `Route` is (internal): one class, so that routes share one shape and
 * their fields are assigned in one order, whose `attrs` is made when first read. A route from
 * a dump whose attributes are all typed fields (or an all-zero cacheinfo) keeps their order
 * (made again from the fields),
 * any other the bytes of its message (a copy of the datagram it came in, shared with the
 * other routes of that datagram that need one), instead of a second decoded form of every
 * attribute beside its typed fields; most programs never read `attrs`, and the garbage
 * collector then has one object per route to trace instead of three or four.
 *
 * @module
 */

import type { RawReplyOf } from "../ynl/raw_family.ts";
import { RTA, rtmsgStruct, rtRoute } from "../families/rt_route.ts";
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

/**
 * The size of the kernel's `struct rta_cacheinfo` (the spec's 20 bytes, then id, ts and tsage).
 * A FIB route's cacheinfo is that many zero bytes (no cached dst entry, no expiry): a dumped
 * route whose cacheinfo is so keeps no bytes for it, and {@link attrsOf} decodes it again
 * from zeros.
 */
export const ZERO_CACHEINFO_SIZE = 32;

/** An RTA_CACHEINFO attribute of {@link ZERO_CACHEINFO_SIZE} zero bytes. */
const ZERO_CACHEINFO = new Uint8Array(4 + ZERO_CACHEINFO_SIZE);
new DataView(ZERO_CACHEINFO.buffer).setUint16(0, ZERO_CACHEINFO.length, true);
new DataView(ZERO_CACHEINFO.buffer).setUint16(2, RTA.CACHEINFO, true);

/** What the rt-route spec's decoder makes of an all-zero kernel cacheinfo (a new object). */
function zeroCacheinfo(): RouteAttrs["cacheinfo"] {
  return (REPLY.decode(ZERO_CACHEINFO, 0, ZERO_CACHEINFO.length, {
    strict: false,
    path: REPLY.name,
  }) as RouteAttrs).cacheinfo;
}

/** `s` up to its "/" (an address of a route's prefix: "10.0.0.0" of "10.0.0.0/24"). */
function address(s: string | undefined): string | undefined {
  const slash = s === undefined ? -1 : s.indexOf("/");
  return slash < 0 ? s : s!.slice(0, slash);
}

/**
 * The attribute of each case of _route_decode.ts's CASE table that {@link attrsOf} makes from
 * a field, and the field (dst and src, cases 1 and 2, hold the address and its "/len");
 * cacheinfo (case 8) has no field: it is an all-zero one.
 */
const FIELD_OF: readonly (readonly [attr: string, field: string])[] = [
  ["", ""],
  ["dst", "dst"],
  ["src", "src"],
  ["gateway", "gateway"],
  ["prefsrc", "prefsrc"],
  ["iif", "iif"],
  ["oif", "oif"],
  ["priority", "metric"],
  ["cacheinfo", ""],
  ["table", "table"],
  ["", ""],
  ["pref", "pref"],
  ["", ""],
  ["nhId", "nhId"],
];

/**
 * The attributes of `r`, a route from the fast decoder whose attributes are all typed fields
 * or an all-zero cacheinfo, made from them in the order `order` spells: a hex digit per
 * attribute, the first one highest, each the case _route_decode.ts's CASE table gives it (1
 * dst, 2 src, 3 gateway, 4 prefsrc, 5 iif, 6 oif, 7 priority, 8 cacheinfo, 9 table, 11 pref,
 * 13 nh-id). The same object the rt-route spec's
 * decoder makes of the message: the same keys in the same order, the same values.
 */
function attrsOf(r: RouteRecord, order: number): RouteAttrs {
  const cases: number[] = [];
  for (let o = order; o > 0; o = Math.floor(o / 16)) cases.push(o % 16);
  const fields = r as unknown as Record<string, string | number | undefined>;
  const a: Record<string, unknown> = {};
  for (let i = cases.length - 1; i >= 0; i--) {
    const c = cases[i];
    const [key, field] = FIELD_OF[c];
    a[key] = c <= 2
      ? address(fields[field] as string | undefined)
      : c === 8
      ? zeroCacheinfo()
      : fields[field];
  }
  return a as RouteAttrs;
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
  /** The decoded attributes, the bytes holding the message, or null: made from the fields. */
  #raw: Uint8Array | RouteAttrs | null;
  /**
   * With bytes, where the message is in #raw: its payload's offset (its `struct rtmsg`) times
   * 65536 plus its length (at most 0xffff: the fast decoder takes no longer ones). With null,
   * the attributes' order: a hex digit per attribute, the first one highest (see
   * {@link attrsOf}). One field, not two: every route has it, and the garbage collector copies
   * each route's bytes.
   */
  #span: number;

  /**
   * The fields every route has, and its attributes: decoded (`raw`), as the message's bytes
   * (`span` says where, see #span) or, with `raw` null, made from the fields in the order
   * `span` spells, on first use.
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
    raw: Uint8Array | RouteAttrs | null,
    span: number,
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
    this.#span = span;
  }

  /** Every attribute the kernel sent, decoded by the rt-route spec on first use. */
  get attrs(): RouteAttrs {
    const raw = this.#raw;
    if (raw === null) return this.#raw = attrsOf(this, this.#span);
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
