/**
 * Bounds-checked readers: {@link MessageIterator} walks the messages of a received buffer and
 * {@link AttrIterator} walks attributes. Both are cursors (no allocation per item), validate each
 * length once and never read past `nlmsg_len` / `nla_len`; malformed input raises
 * {@link DecodeError} with the byte offset.
 *
 * @module
 */

import { NLA_F, NLA_HDRLEN, NLMSG_HDRLEN } from "./constants.ts";
import { DecodeError } from "./errors.ts";
import { copyBytesAt, readStringAt } from "./_bytes.ts";
import { checkSpan, checkString } from "./_validate.ts";

/**
 * A decoded `struct nlmsghdr`.
 */
export interface NlMsgHeader {
  /** `nlmsg_len`: header plus payload, unpadded. */
  length: number;
  /** `nlmsg_type`. */
  type: number;
  /** `nlmsg_flags`. */
  flags: number;
  /** `nlmsg_seq`. */
  seq: number;
  /** `nlmsg_pid`: the sender's port id (0 for the kernel). */
  pid: number;
}

/**
 * Cursor over the messages in a buffer (one datagram may hold many).
 *
 * @example
 * ```ts
 * import { MessageIterator, NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * w.endMessage(w.beginMessage(0x10, 1, 7));
 * w.endMessage(w.beginMessage(0x10, 1, 8));
 * const it = new MessageIterator(w.bytes());
 * while (it.next()) console.log(it.type, it.seq, it.payloadLength);
 * ```
 */
export class MessageIterator {
  /** The buffer being read. */
  readonly data: Uint8Array;
  /** A DataView over {@link MessageIterator.data}. */
  readonly view: DataView;
  #pos: number;
  #end: number;
  #epoch = 1;
  /** Offset of the current message's header. */
  offset = 0;
  /** `nlmsg_len` of the current message. */
  length = 0;
  /** `nlmsg_type` of the current message. */
  type = 0;
  /** `nlmsg_flags` of the current message. */
  flags = 0;
  /** `nlmsg_seq` of the current message. */
  seq = 0;
  /** `nlmsg_pid` of the current message. */
  pid = 0;

  /** Reads `data[start, end)` (`end` defaults to the end of `data`). */
  constructor(data: Uint8Array, start = 0, end?: number) {
    if (end === undefined) end = data?.length;
    if (
      !(data instanceof Uint8Array) || typeof start !== "number" || typeof end !== "number" ||
      (start >>> 0) !== start || (end >>> 0) !== end || start > end || end > data.length
    ) checkSpan(data, start, end, "iterate messages");
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#pos = start;
    this.#end = end;
  }

  /** Restarts the cursor over `[start, end)` of the same buffer (reuse without allocation). */
  reset(start: number, end: number): this {
    if (
      typeof start !== "number" || typeof end !== "number" || (start >>> 0) !== start ||
      (end >>> 0) !== end || start > end || end > this.data.length
    ) {
      checkSpan(this.data, start, end, "iterate messages");
    }
    this.#pos = start;
    this.#end = end;
    this.#epoch++;
    return this;
  }

  /** End of the range being read (exclusive): where the datagram's last message ends. */
  get end(): number {
    return this.#end;
  }

  /**
   * Which range the cursor reads: 1 for the constructor's, one more after each
   * {@link MessageIterator.reset}. A message's offset names it only together with this, since a
   * reset cursor may read the next datagram from the same buffer.
   *
   * @example
   * ```ts
   * import { MessageIterator } from "@nlts/netlink/protocol";
   * const it = new MessageIterator(new Uint8Array(16));
   * console.log(it.epoch, it.reset(0, 0).epoch); // 1 2
   * ```
   */
  get epoch(): number {
    return this.#epoch;
  }

  /** Offset of the current message's payload. */
  get payloadOffset(): number {
    return this.offset + NLMSG_HDRLEN;
  }
  /** Length of the current message's payload. */
  get payloadLength(): number {
    return this.length - NLMSG_HDRLEN;
  }
  /** End offset of the current message (unpadded). */
  get messageEnd(): number {
    return this.offset + this.length;
  }
  /** The current header as an object. */
  header(): NlMsgHeader {
    return {
      length: this.length,
      type: this.type,
      flags: this.flags,
      seq: this.seq,
      pid: this.pid,
    };
  }
  /** An owned copy of the current message's payload. */
  payload(): Uint8Array {
    return copyBytesAt(this.data, this.payloadOffset, this.messageEnd - this.payloadOffset);
  }

  /** Advances to the next message; false at the end. Throws DecodeError on a malformed header. */
  next(): boolean {
    const pos = this.#pos;
    const rest = this.#end - pos;
    if (rest <= 0) return false;
    if (rest < NLMSG_HDRLEN) {
      throw new DecodeError(`${rest} trailing bytes are too short for a message header`, pos);
    }
    const v = this.view;
    const len = v.getUint32(pos, true);
    if (len < NLMSG_HDRLEN) {
      throw new DecodeError(`nlmsg_len ${len} is shorter than the 16-byte header`, pos);
    }
    if (len > rest) {
      throw new DecodeError(
        `nlmsg_len ${len} runs past the end of the buffer (${rest} bytes left)`,
        pos,
      );
    }
    this.offset = pos;
    this.length = len;
    this.type = v.getUint16(pos + 4, true);
    this.flags = v.getUint16(pos + 6, true);
    this.seq = v.getUint32(pos + 8, true);
    this.pid = v.getUint32(pos + 12, true);
    this.#pos = Math.min(pos + ((len + 3) & ~3), this.#end);
    return true;
  }
}

/**
 * Cursor over the attributes in `data[start, end)`.
 *
 * @example
 * ```ts
 * import { AttrIterator, NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * w.attrU32(1, 42).attrString(2, "eth0");
 * const it = new AttrIterator(w.bytes());
 * while (it.next()) console.log(it.type, it.length);
 * ```
 */
export class AttrIterator {
  /** The buffer being read. */
  readonly data: Uint8Array;
  /** A DataView over {@link AttrIterator.data}. */
  readonly view: DataView;
  #pos: number;
  #end: number;
  /** Attribute type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
  type = 0;
  /** `nla_type` including flag bits. */
  rawType = 0;
  /** Offset of the current attribute's header. */
  headerOffset = 0;
  /** Offset of the current attribute's payload. */
  offset = 0;
  /** Length of the current attribute's payload. */
  length = 0;
  /** Path prefix used in DecodeError messages. */
  path: string;

  /** Reads attributes from `data[start, end)`; `path` names the enclosing object in errors. */
  constructor(data: Uint8Array, start = 0, end?: number, path = "", view?: DataView) {
    if (end === undefined) end = data?.length;
    if (
      !(data instanceof Uint8Array) || typeof start !== "number" || typeof end !== "number" ||
      (start >>> 0) !== start || (end >>> 0) !== end || start > end || end > data.length
    ) checkSpan(data, start, end, "iterate attributes");
    if (typeof path !== "string") checkString(path, "iterate attributes", "path");
    if (view !== undefined && !(view instanceof DataView)) {
      throw new TypeError("Cannot iterate attributes: view must be a DataView over the data");
    }
    this.data = data;
    this.view = view ?? new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#pos = start;
    this.#end = end;
    this.path = path;
  }

  /** Restarts the cursor over `[start, end)` of the same buffer (reuse without allocation). */
  reset(start: number, end: number, path = this.path): this {
    if (
      typeof start !== "number" || typeof end !== "number" || (start >>> 0) !== start ||
      (end >>> 0) !== end || start > end || end > this.data.length
    ) {
      checkSpan(this.data, start, end, "iterate attributes");
    }
    this.#pos = start;
    this.#end = end;
    this.path = path;
    return this;
  }

  /** True when the NLA_F_NESTED bit is set. */
  get nested(): boolean {
    return (this.rawType & NLA_F.NESTED) !== 0;
  }
  /** True when the NLA_F_NET_BYTEORDER bit is set. */
  get netByteorder(): boolean {
    return (this.rawType & NLA_F.NET_BYTEORDER) !== 0;
  }
  /** End offset of the current payload. */
  get end(): number {
    return this.offset + this.length;
  }
  /** An owned copy of the current payload. */
  bytes(): Uint8Array {
    return copyBytesAt(this.data, this.offset, this.length);
  }

  /** Advances to the next attribute; false at the end. Throws DecodeError on a malformed header. */
  next(): boolean {
    const pos = this.#pos;
    const rest = this.#end - pos;
    if (rest <= 0) return false;
    if (rest < NLA_HDRLEN) {
      // The kernel tolerates trailing padding shorter than a header; so do we.
      this.#pos = this.#end;
      return false;
    }
    const len = this.view.getUint16(pos, true);
    if (len < NLA_HDRLEN) {
      throw new DecodeError(
        `nla_len ${len} is shorter than the 4-byte attribute header`,
        pos,
        this.path,
      );
    }
    if (len > rest) {
      throw new DecodeError(
        `nla_len ${len} runs past the end of its parent (${rest} bytes left)`,
        pos,
        this.path,
      );
    }
    this.rawType = this.view.getUint16(pos + 2, true);
    this.type = this.rawType & NLA_F.TYPE_MASK;
    this.headerOffset = pos;
    this.offset = pos + NLA_HDRLEN;
    this.length = len - NLA_HDRLEN;
    this.#pos = Math.min(pos + ((len + 3) & ~3), this.#end);
    return true;
  }
}

/**
 * An owned copy of `data[offset, offset + length)` (never a view of `data`), made in the way
 * that is fastest for the runtime.
 *
 * @example
 * ```ts
 * import { copyBytes } from "@nlts/netlink/protocol";
 * const buf = new Uint8Array([1, 2, 3, 4]);
 * const c = copyBytes(buf, 1, 2);
 * buf[1] = 9;
 * console.log(c); // Uint8Array [2, 3]
 * ```
 */
export function copyBytes(data: Uint8Array, offset: number, length: number): Uint8Array {
  if (
    !(data instanceof Uint8Array) || typeof offset !== "number" || typeof length !== "number" ||
    (offset >>> 0) !== offset || (length >>> 0) !== length || offset + length > data.length
  ) {
    const end = typeof offset === "number" && typeof length === "number" ? offset + length : length;
    checkSpan(data, offset, end, "copy bytes");
  }
  return copyBytesAt(data, offset, length);
}

/**
 * Reads a string payload: stops at the first NUL byte (or the end), decodes UTF-8.
 *
 * @example
 * ```ts
 * import { readString } from "@nlts/netlink/protocol";
 * console.log(readString(new Uint8Array([0x68, 0x69, 0]), 0, 3)); // "hi"
 * ```
 */
export function readString(data: Uint8Array, offset: number, length: number): string {
  if (
    !(data instanceof Uint8Array) || typeof offset !== "number" || typeof length !== "number" ||
    (offset >>> 0) !== offset || (length >>> 0) !== length || offset + length > data.length
  ) {
    const end = typeof offset === "number" && typeof length === "number" ? offset + length : length;
    checkSpan(data, offset, end, "read string");
  }
  return readStringAt(data, offset, length);
}
