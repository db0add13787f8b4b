/**
 * How a raw (classic netlink) family's request is written (internal): nlmsghdr, the fixed
 * header with the members not given as zeros, the attributes. {@link RawFamily} writes every
 * request through it, and the route dump (src/route/_route_dump.ts) its getroute, without
 * loading RawFamily.
 *
 * @module
 */

import type { AttrTrace } from "../protocol/schema_trace.ts";
import type { NetlinkWriter } from "../protocol/writer.ts";
import type { AnySet, AnyStruct } from "../genl/family.ts";

/**
 * Writes one request to `w`: a message of type `cmd` with `flags`, the fixed header `header`
 * (when the operation has one) with `given`'s members over all-zero ones, then `attrs` (none
 * when undefined) through `set`, recorded in `trace` when given.
 */
export function writeRawRequest(
  w: NetlinkWriter,
  cmd: number,
  flags: number,
  header: AnyStruct | undefined,
  given: Record<string, unknown> | undefined,
  set: AnySet,
  attrs: unknown,
  trace?: AttrTrace,
): void {
  const m = w.beginMessage(cmd, flags);
  if (header) {
    const init = zeroOf(header) as Record<string, unknown>;
    if (given !== undefined) {
      for (const k in given) if (given[k] !== undefined) init[k] = given[k];
    }
    header.encodeTo(w, init as never);
    w.align();
  }
  if (attrs !== undefined) set.encode(w, attrs as never, trace ? { trace } : undefined);
  w.endMessage(m);
}

/** The all-zero values of the fixed headers, made once per codec. */
const ZEROS = new WeakMap<object, Record<string, unknown>>();

/** The all-zero value of a fixed-size codec (struct members left out of a header). */
function zeroOf(codec: { kind: string; size: number; members?: unknown }): unknown {
  if (codec.kind === "struct") {
    // a fresh object each time (the caller fills it in), its members' zero values shared:
    // they are only read
    let z = ZEROS.get(codec);
    if (z === undefined) ZEROS.set(codec, z = zeroValue(codec) as Record<string, unknown>);
    return { ...z };
  }
  return zeroValue(codec);
}

function zeroValue(codec: { kind: string; size: number; members?: unknown }): unknown {
  switch (codec.kind) {
    case "struct": {
      const o: Record<string, unknown> = {};
      for (const [k, c] of Object.entries(codec.members as Record<string, typeof codec>)) {
        if (c.kind !== "pad") o[k] = zeroOf(c);
      }
      return o;
    }
    case "ipv4":
      return "0.0.0.0";
    case "ipv6":
      return "::";
    case "mac":
      return "00:00:00:00:00:00";
    case "binary":
      return new Uint8Array(codec.size);
    case "flags":
      return [];
    case "array":
      return [];
    default:
      return codec.kind.includes("64") ? 0n : 0;
  }
}
