/**
 * Decoding of the netlink control messages NLMSG_ERROR (errors and acknowledgements, with
 * extended ack) and NLMSG_DONE (end of dump, possibly carrying the dump's error).
 *
 * @module
 */

import { NLM_F_ACK_FLAGS, NLMSG_HDRLEN, NLMSGERR_ATTR } from "./constants.ts";
import { DecodeError, type ExtAck } from "./errors.ts";
import { AttrIterator, type NlMsgHeader } from "./reader.ts";
import { readStringAt as readString } from "./_bytes.ts";
import { checkInt, checkSpan } from "./_validate.ts";

/** Checks the arguments of the control-message decoders. */
function checkMessageArgs(
  data: Uint8Array,
  offset: number,
  length: number,
  flags: number,
  verb: string,
): void {
  const end = typeof offset === "number" && typeof length === "number" ? offset + length : length;
  checkSpan(data, offset, end, verb);
  checkInt(flags, verb, "flags", 0, 0xffff);
}

/** The largest errno the kernel reports (include/linux/err.h). */
const MAX_ERRNO = 4095;

/**
 * A decoded NLMSG_ERROR message: `errno` 0 is a success acknowledgement.
 */
export interface ErrorMessage {
  /** Positive errno (the kernel sends it negated); 0 for an ACK. */
  errno: number;
  /** The header of the request this answers (echoed by the kernel). */
  request: NlMsgHeader;
  /** The echoed request payload, when the kernel did not cap it (NLM_F_CAPPED unset). */
  requestPayload?: Uint8Array;
  /** Extended ack TLVs, when present (NLM_F_ACK_TLVS). */
  extAck?: ExtAck;
}

/**
 * Decodes the extended-ack TLVs in `data[start, end)` (NLMSGERR_ATTR_*).
 *
 * @example
 * ```ts
 * import { decodeExtAck, NetlinkWriter, NLMSGERR_ATTR } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * w.attrString(NLMSGERR_ATTR.MSG, "no device matches name").attrU32(NLMSGERR_ATTR.OFFS, 36);
 * console.log(decodeExtAck(w.bytes(), 0, w.length)); // { message: "...", offset: 36 }
 * ```
 */
export function decodeExtAck(data: Uint8Array, start: number, end: number): ExtAck | undefined {
  checkSpan(data, start, end, "decode extended ack");
  const it = new AttrIterator(data, start, end, "extack");
  const ack: ExtAck = {};
  let any = false;
  while (it.next()) {
    const { type, offset, length } = it;
    switch (type) {
      case NLMSGERR_ATTR.MSG:
        ack.message = readString(data, offset, length);
        break;
      case NLMSGERR_ATTR.OFFS:
        if (length >= 4) ack.offset = it.view.getUint32(offset, true);
        break;
      case NLMSGERR_ATTR.COOKIE:
        ack.cookie = it.bytes();
        break;
      case NLMSGERR_ATTR.POLICY:
        ack.policy = it.bytes();
        break;
      case NLMSGERR_ATTR.MISS_TYPE:
        if (length >= 4) ack.missingType = it.view.getUint32(offset, true);
        break;
      case NLMSGERR_ATTR.MISS_NEST:
        if (length >= 4) ack.missingNest = it.view.getUint32(offset, true);
        break;
      default:
        continue; // unknown TLVs from newer kernels are skipped
    }
    any = true;
  }
  return any ? ack : undefined;
}

/**
 * Decodes the payload of an NLMSG_ERROR message found at `data[offset]` (the message header's
 * offset), with `length` its nlmsg_len and `flags` its nlmsg_flags. An error field that is
 * neither 0 (ACK) nor a negative errno is malformed: {@link DecodeError}.
 *
 * @example
 * ```ts
 * import { decodeErrorMessage, MessageIterator } from "@nlts/netlink/protocol";
 * declare const received: Uint8Array;
 * const it = new MessageIterator(received);
 * while (it.next()) {
 *   if (it.type === 2) console.log(decodeErrorMessage(received, it.offset, it.length, it.flags).errno);
 * }
 * ```
 */
export function decodeErrorMessage(
  data: Uint8Array,
  offset: number,
  length: number,
  flags: number,
): ErrorMessage {
  checkMessageArgs(data, offset, length, flags, "decode NLMSG_ERROR");
  const p = offset + NLMSG_HDRLEN;
  const end = offset + length;
  if (end - p < 4 + NLMSG_HDRLEN) {
    throw new DecodeError(`NLMSG_ERROR payload of ${end - p} bytes is shorter than 20`, p);
  }
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const err = v.getInt32(p, true);
  if (err > 0 || err < -MAX_ERRNO) {
    throw new DecodeError(
      `NLMSG_ERROR carries error ${err}, not 0 (ACK) or a negative errno -1..-${MAX_ERRNO}`,
      p,
    );
  }
  const h = p + 4;
  const request: NlMsgHeader = {
    length: v.getUint32(h, true),
    type: v.getUint16(h + 4, true),
    flags: v.getUint16(h + 6, true),
    seq: v.getUint32(h + 8, true),
    pid: v.getUint32(h + 12, true),
  };
  const out: ErrorMessage = { errno: err === 0 ? 0 : -err, request };
  let tlv = h + NLMSG_HDRLEN;
  if (!(flags & NLM_F_ACK_FLAGS.CAPPED) && request.length > NLMSG_HDRLEN) {
    const reqEnd = Math.min(h + request.length, end);
    out.requestPayload = data.slice(h + NLMSG_HDRLEN, reqEnd);
    tlv = (reqEnd + 3) & ~3;
  }
  if (flags & NLM_F_ACK_FLAGS.ACK_TLVS && tlv < end) {
    const ack = decodeExtAck(data, tlv, end);
    if (ack) out.extAck = ack;
  }
  return out;
}

/**
 * Decodes the payload of an NLMSG_DONE message: the dump's result (positive errno, 0 on success)
 * and the extended ack that may come with an error.
 *
 * @example
 * ```ts
 * import { decodeDoneMessage, MessageIterator } from "@nlts/netlink/protocol";
 * declare const received: Uint8Array;
 * const it = new MessageIterator(received);
 * while (it.next()) {
 *   if (it.type === 3) console.log(decodeDoneMessage(received, it.offset, it.length, it.flags).errno);
 * }
 * ```
 */
export function decodeDoneMessage(
  data: Uint8Array,
  offset: number,
  length: number,
  flags: number,
): { errno: number; extAck?: ExtAck } {
  checkMessageArgs(data, offset, length, flags, "decode NLMSG_DONE");
  const p = offset + NLMSG_HDRLEN;
  const end = offset + length;
  if (end - p < 4) return { errno: 0 }; // some protocols send an empty DONE
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const raw = v.getInt32(p, true);
  if (raw > 0 || raw < -MAX_ERRNO) {
    throw new DecodeError(
      `NLMSG_DONE carries ${raw}, not 0 or a negative errno -1..-${MAX_ERRNO}`,
      p,
    );
  }
  const errno = raw === 0 ? 0 : -raw;
  if (flags & NLM_F_ACK_FLAGS.ACK_TLVS && end - p > 4) {
    const extAck = decodeExtAck(data, p + 4, end);
    if (extAck) return { errno, extAck };
  }
  return { errno };
}
