/**
 * Custom codecs of the flow key model: the MPLS label stack (a run of big-endian 32-bit label
 * stack entries whose count the payload length gives).
 *
 * @module
 */

import type { Codec } from "../protocol/schema.ts";
import type { DecodeContext, EncodeContext } from "../protocol/schema_context.ts";
import type { NetlinkWriter } from "../protocol/writer.ts";

class MplsLsesCodec implements Codec<number[], readonly number[]> {
  readonly kind = "mpls-lses";
  readonly type = "array of be32 mpls lse";
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  decode(c: DecodeContext, offset: number, length: number): number[] {
    if (length % 4 !== 0) {
      throw c.error(
        `expected a multiple of 4 bytes for mpls label stack entries, got ${length}`,
        offset - 4,
      );
    }
    const out: number[] = [];
    for (let p = offset; p < offset + length; p += 4) out.push(c.view.getUint32(p, false));
    return out;
  }

  encode(w: NetlinkWriter, value: readonly number[], c: EncodeContext): void {
    if (!Array.isArray(value)) {
      throw c.typeError("expected an array of label stack entries (u32 numbers)");
    }
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
        throw c.rangeError(`label stack entry ${i} (${String(v)}) is not a u32`);
      }
      const o = w.reserve(4);
      w.view.setUint32(o, v, false);
    }
  }
}

const MPLS = new MplsLsesCodec();

/**
 * `OVS_KEY_ATTR_MPLS`: an array of `struct ovs_key_mpls` (one big-endian LSE each); decodes to
 * the LSEs as numbers. Label = `lse >>> 12`, TC = `(lse >> 9) & 7`, BOS = `(lse >> 8) & 1`,
 * TTL = `lse & 0xff`.
 *
 * @example
 * ```ts
 * import { mplsLses } from "@nlts/netlink/ovs";
 * console.log(mplsLses().kind); // "mpls-lses"
 * ```
 */
export function mplsLses(): Codec<number[], readonly number[]> {
  return MPLS;
}
