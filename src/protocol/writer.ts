/**
 * {@link NetlinkWriter}: builds netlink messages and attributes in one growable buffer. Nests and
 * messages are back-patched: `begin*` returns the start offset, `end*` writes the final length.
 *
 * @module
 */

import { NLA_F, NLA_HDRLEN, NLMSG_HDRLEN } from "./constants.ts";

const encoder = new TextEncoder();

/**
 * One growable buffer that holds one or more netlink messages (a batch). All integers are written
 * in host byte order (little-endian on every platform nlts supports) unless the method name ends
 * in `Be`.
 *
 * @example
 * ```ts
 * import { NetlinkWriter, NLM_F } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * const msg = w.beginMessage(0x10, NLM_F.REQUEST | NLM_F.ACK, 1);
 * w.putU8(3).putU8(1).putU16(0); // genlmsghdr: cmd 3, version 1
 * w.attrString(2, "nlctrl");
 * const nest = w.beginNest(7);
 * w.attrU32(1, 42);
 * w.endNest(nest);
 * w.endMessage(msg);
 * const bytes = w.bytes(); // a view, valid until the writer is reset or written again
 * ```
 */
export class NetlinkWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  /** Creates a writer with an initial capacity in bytes. */
  constructor(capacity = 512) {
    if (!Number.isInteger(capacity) || capacity < 16) {
      throw new RangeError(
        `Cannot create NetlinkWriter: capacity ${capacity} must be an integer >= 16`,
      );
    }
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /** Forgets everything written; keeps the buffer. */
  reset(): this {
    // Bytes past the length are kept zero, so reserve() hands out zeroed room without filling.
    this.#buf.fill(0, 0, this.#len);
    this.#len = 0;
    return this;
  }

  /**
   * Forgets the bytes written after offset `length` (e.g. to undo a failed encode); keeps the
   * buffer.
   *
   * @example
   * ```ts
   * import { NetlinkWriter } from "@nlts/netlink/protocol";
   * const w = new NetlinkWriter();
   * w.putU32(1);
   * const mark = w.length;
   * w.putU32(2);
   * w.truncate(mark);
   * console.log(w.length); // 4
   * ```
   */
  truncate(length: number): this {
    if (!Number.isInteger(length) || length < 0 || length > this.#len) {
      throw new RangeError(
        `Cannot truncate NetlinkWriter: length ${length} is not in 0..${this.#len}`,
      );
    }
    this.#buf.fill(0, length, this.#len);
    this.#len = length;
    return this;
  }

  /** A view of the bytes written so far, valid until the writer is reset or grows. */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /** An owned copy of the bytes written so far. */
  copy(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  /** The underlying DataView (for patching fields at known offsets). */
  get view(): DataView {
    return this.#view;
  }

  /** Makes room for `n` more bytes and returns the offset they start at (the length grows by `n`, zero-filled). */
  reserve(n: number): number {
    const off = this.#len;
    const need = off + n;
    if (need > this.#buf.length) this.#grow(need);
    this.#len = need;
    return off;
  }

  #grow(need: number): void {
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Pads with zero bytes to the next multiple of 4. */
  align(): this {
    const pad = ((this.#len + 3) & ~3) - this.#len;
    if (pad) this.reserve(pad);
    return this;
  }

  /** Appends a u8. */
  putU8(v: number): this {
    const o = this.reserve(1);
    this.#view.setUint8(o, v);
    return this;
  }
  /** Appends a u16 (host order). */
  putU16(v: number): this {
    const o = this.reserve(2);
    this.#view.setUint16(o, v, true);
    return this;
  }
  /** Appends a u32 (host order). */
  putU32(v: number): this {
    const o = this.reserve(4);
    this.#view.setUint32(o, v, true);
    return this;
  }
  /** Appends an s32 (host order). */
  putS32(v: number): this {
    const o = this.reserve(4);
    this.#view.setInt32(o, v, true);
    return this;
  }
  /** Appends a u64 (host order). */
  putU64(v: bigint): this {
    const o = this.reserve(8);
    this.#view.setBigUint64(o, v, true);
    return this;
  }
  /** Appends raw bytes (no alignment). */
  putBytes(b: Uint8Array): this {
    const o = this.reserve(b.length);
    this.#buf.set(b, o);
    return this;
  }

  /**
   * Starts a message: writes a `struct nlmsghdr` with a placeholder length and returns its offset
   * for {@link NetlinkWriter.endMessage}.
   */
  beginMessage(type: number, flags: number, seq = 0, pid = 0): number {
    this.align();
    const o = this.reserve(NLMSG_HDRLEN);
    const v = this.#view;
    v.setUint16(o + 4, type, true);
    v.setUint16(o + 6, flags, true);
    v.setUint32(o + 8, seq >>> 0, true);
    v.setUint32(o + 12, pid >>> 0, true);
    return o;
  }

  /**
   * Ends the message started at `start`: writes `nlmsg_len` (header plus payload as written,
   * which includes attribute padding) and pads to 4 bytes for the next message.
   */
  endMessage(start: number): this {
    this.#view.setUint32(start, this.#len - start, true);
    return this.align();
  }

  /** Starts an attribute whose payload follows; returns its offset for {@link NetlinkWriter.endAttr}. */
  beginAttr(type: number): number {
    this.align();
    const o = this.reserve(NLA_HDRLEN);
    this.#view.setUint16(o + 2, type, true);
    return o;
  }

  /** Ends the attribute started at `start`: writes `nla_len` (without padding) and pads to 4 bytes. */
  endAttr(start: number): this {
    const len = this.#len - start;
    if (len > 0xffff) {
      throw new RangeError(
        `Cannot encode attribute type ${
          this.#view.getUint16(start + 2, true) & NLA_F.TYPE_MASK
        }: its length ${len} exceeds 65535 bytes`,
      );
    }
    this.#view.setUint16(start, len, true);
    return this.align();
  }

  /** Starts a nested attribute (with NLA_F_NESTED unless `flagNested` is false). */
  beginNest(type: number, flagNested = true): number {
    return this.beginAttr(flagNested ? type | NLA_F.NESTED : type);
  }

  /** Ends the nest started at `start`. */
  endNest(start: number): this {
    return this.endAttr(start);
  }

  #attr(type: number, size: number): number {
    if (size > 0xffff - NLA_HDRLEN) {
      throw new RangeError(
        `Cannot encode attribute type ${
          type & NLA_F.TYPE_MASK
        }: its payload of ${size} bytes exceeds 65531`,
      );
    }
    this.align();
    const o = this.reserve(NLA_HDRLEN + size);
    this.#view.setUint16(o, NLA_HDRLEN + size, true);
    this.#view.setUint16(o + 2, type, true);
    return o + NLA_HDRLEN;
  }

  /** Appends a flag attribute (no payload). */
  attrFlag(type: number): this {
    this.#attr(type, 0);
    return this;
  }
  /** Appends a u8 attribute. */
  attrU8(type: number, v: number): this {
    const o = this.#attr(type, 1);
    this.#view.setUint8(o, v);
    return this.align();
  }
  /** Appends a u16 attribute. */
  attrU16(type: number, v: number): this {
    const o = this.#attr(type, 2);
    this.#view.setUint16(o, v, true);
    return this.align();
  }
  /** Appends a u32 attribute. */
  attrU32(type: number, v: number): this {
    const o = this.#attr(type, 4);
    this.#view.setUint32(o, v, true);
    return this;
  }
  /** Appends a u64 attribute. */
  attrU64(type: number, v: bigint): this {
    const o = this.#attr(type, 8);
    this.#view.setBigUint64(o, v, true);
    return this;
  }
  /** Appends an s8 attribute. */
  attrS8(type: number, v: number): this {
    const o = this.#attr(type, 1);
    this.#view.setInt8(o, v);
    return this.align();
  }
  /** Appends an s16 attribute. */
  attrS16(type: number, v: number): this {
    const o = this.#attr(type, 2);
    this.#view.setInt16(o, v, true);
    return this.align();
  }
  /** Appends an s32 attribute. */
  attrS32(type: number, v: number): this {
    const o = this.#attr(type, 4);
    this.#view.setInt32(o, v, true);
    return this;
  }
  /** Appends an s64 attribute. */
  attrS64(type: number, v: bigint): this {
    const o = this.#attr(type, 8);
    this.#view.setBigInt64(o, v, true);
    return this;
  }
  /** Appends a big-endian (network order) u16 attribute. */
  attrU16Be(type: number, v: number): this {
    const o = this.#attr(type, 2);
    this.#view.setUint16(o, v, false);
    return this.align();
  }
  /** Appends a big-endian (network order) u32 attribute. */
  attrU32Be(type: number, v: number): this {
    const o = this.#attr(type, 4);
    this.#view.setUint32(o, v, false);
    return this;
  }
  /** Appends a big-endian (network order) u64 attribute. */
  attrU64Be(type: number, v: bigint): this {
    const o = this.#attr(type, 8);
    this.#view.setBigUint64(o, v, false);
    return this;
  }
  /** Appends a binary attribute (payload copied as is). */
  attrBinary(type: number, data: Uint8Array): this {
    const o = this.#attr(type, data.length);
    this.#buf.set(data, o);
    return this.align();
  }
  /** Appends a NUL-terminated string attribute (UTF-8). */
  attrString(type: number, s: string): this {
    const start = this.beginAttr(type);
    // Fast path for ASCII; TextEncoder for the rest.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      const o = this.reserve(s.length + 1);
      for (let i = 0; i < s.length; i++) this.#buf[o + i] = s.charCodeAt(i);
    } else {
      this.putBytes(encoder.encode(s));
      this.putU8(0);
    }
    return this.endAttr(start);
  }
}
