/**
 * The generic netlink message header, `struct genlmsghdr { u8 cmd; u8 version; u16 reserved; }`
 * from `<linux/genetlink.h>`, which follows `struct nlmsghdr` in every generic netlink message.
 * Pure: no I/O.
 *
 * @module
 */

import { DecodeError } from "../protocol/errors.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { checkInt, checkOptions, checkSpan, describeValue } from "../protocol/_validate.ts";

/**
 * Length of `struct genlmsghdr` (`GENL_HDRLEN`, 4 bytes).
 *
 * @example
 * ```ts
 * import { GENL_HDRLEN } from "@nlts/netlink/genl";
 * console.log(GENL_HDRLEN); // 4
 * ```
 */
export const GENL_HDRLEN = 4 as const;

/**
 * A decoded `struct genlmsghdr`.
 *
 * @example
 * ```ts
 * import { decodeGenlHeader, type GenlHeader } from "@nlts/netlink/genl";
 * const h: GenlHeader = decodeGenlHeader(new Uint8Array([3, 1, 0, 0]));
 * console.log(h.cmd); // 3
 * ```
 */
export interface GenlHeader {
  /** Command (`CTRL_CMD_*`, `OVS_FLOW_CMD_*`, ...). */
  cmd: number;
  /** Version of the family's interface. */
  version: number;
  /** The `reserved` field (0 in every message the kernel sends). */
  reserved: number;
}

/**
 * Appends a `struct genlmsghdr` (4 bytes) to `w`, normally right after `beginMessage`.
 * Throws RangeError when `cmd` or `version` is not a u8.
 *
 * @example
 * ```ts
 * import { NetlinkWriter, NLM_F } from "@nlts/netlink/protocol";
 * import { encodeGenlHeader } from "@nlts/netlink/genl";
 * const w = new NetlinkWriter();
 * const m = w.beginMessage(0x10, NLM_F.REQUEST, 1);
 * encodeGenlHeader(w, { cmd: 3, version: 1 });
 * w.endMessage(m);
 * ```
 */
export function encodeGenlHeader(
  w: NetlinkWriter,
  header: { cmd: number; version: number },
): void {
  if (!(w instanceof NetlinkWriter)) {
    throw new TypeError(
      `Cannot encode genlmsghdr: expected a NetlinkWriter, not ${describeValue(w)}`,
    );
  }
  const { cmd, version } = checkOptions<{ cmd: number; version: number }>(
    header,
    "encode genlmsghdr",
    "the header",
  );
  checkInt(cmd, "encode genlmsghdr", "cmd", 0, 0xff);
  checkInt(version, "encode genlmsghdr", "version", 0, 0xff);
  w.putU8(cmd).putU8(version).putU16(0);
}

/**
 * Decodes the `struct genlmsghdr` at `data[offset]` (a message's payload offset). Raises
 * {@link DecodeError} when fewer than 4 bytes remain.
 *
 * @example
 * ```ts
 * import { decodeGenlHeader } from "@nlts/netlink/genl";
 * console.log(decodeGenlHeader(new Uint8Array([1, 2, 0, 0]))); // { cmd: 1, version: 2, reserved: 0 }
 * ```
 */
export function decodeGenlHeader(data: Uint8Array, offset = 0): GenlHeader {
  if (
    !(data instanceof Uint8Array) || typeof offset !== "number" || (offset >>> 0) !== offset ||
    offset > data.length
  ) {
    checkSpan(data, offset, data?.length, "decode genlmsghdr");
  }
  if (data.length - offset < GENL_HDRLEN) {
    throw new DecodeError(
      `genlmsghdr needs 4 bytes, ${Math.max(0, data.length - offset)} left`,
      offset,
      "genlmsghdr",
    );
  }
  return {
    cmd: data[offset],
    version: data[offset + 1],
    reserved: data[offset + 2] | (data[offset + 3] << 8),
  };
}
