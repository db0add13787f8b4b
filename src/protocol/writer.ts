/**
 * {@link NetlinkWriter}: builds netlink messages and attributes in one growable buffer. Nests and
 * messages are back-patched: `begin*` returns the start offset, `end*` writes the final length.
 *
 * @module
 */

import { NLA_F, NLA_HDRLEN, NLMSG_HDRLEN } from "./constants.ts";

const encoder = new TextEncoder();
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const S64_MIN = -0x8000_0000_0000_0000n;
const S64_MAX = 0x7fff_ffff_ffff_ffffn;

/** Ranges of the integer kinds the writer checks, for error messages. */
const RANGES = {
  u8: "0..255",
  s8: "-128..127",
  u16: "0..65535",
  s16: "-32768..32767",
  u32: "0..4294967295",
  s32: "-2147483648..2147483647",
  u64: "0n..18446744073709551615n",
  s64: "-9223372036854775808n..9223372036854775807n",
} as const;

/**
 * The error for a value that is not an integer of `kind` (TypeError when it is not a number
 * at all, RangeError when it is out of range or not an integer). Kept out of the write paths.
 */
function badValue(what: string, v: unknown, kind: keyof typeof RANGES): Error {
  const big = kind === "u64" || kind === "s64";
  const shown = typeof v === "bigint"
    ? `${v}n`
    : typeof v === "string"
    ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)
    : v === null
    ? "null"
    : typeof v === "object"
    ? "an object"
    : String(v);
  const detail = `${shown} is not ${big ? "a bigint" : "an integer"} in ${RANGES[kind]} (${kind})`;
  return (big ? typeof v === "bigint" : typeof v === "number")
    ? new RangeError(`Cannot write ${what}: ${detail}`)
    : new TypeError(`Cannot write ${what}: ${detail}`);
}

function badType(type: unknown): Error {
  return badValue("attribute type", type, "u16");
}

function notBytes(what: string, v: unknown): TypeError {
  return new TypeError(`Cannot write ${what}: expected a Uint8Array, got ${typeof v}`);
}

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
    // A request's few dozen bytes by a loop: fill() is a call into the runtime (~30-40 ns).
    const n = this.#len;
    const buf = this.#buf;
    if (n <= 64) { for (let i = 0; i < n; i++) buf[i] = 0; }
    else buf.fill(0, 0, n);
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
    // The same view again while buffer and length are (a request repeated: no view made,
    // subarray() costs ~0.1-0.2 us under Bun).
    const v = this.#bytes;
    if (v !== undefined && this.#bytesOf === this.#buf && v.length === this.#len) return v;
    this.#bytesOf = this.#buf;
    return this.#bytes = this.#buf.subarray(0, this.#len);
  }
  /** The view the last bytes() returned, and the buffer it is a view of. */
  #bytes: Uint8Array | undefined;
  #bytesOf: Uint8Array | undefined;

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
    if ((n >>> 0) !== n) {
      throw new RangeError(`Cannot reserve ${n} bytes: expected an integer 0..4294967295`);
    }
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
    if ((v & 0xff) !== v) throw badValue("u8", v, "u8");
    const o = this.reserve(1);
    this.#view.setUint8(o, v);
    return this;
  }
  /** Appends a u16 (host order). */
  putU16(v: number): this {
    if ((v & 0xffff) !== v) throw badValue("u16", v, "u16");
    const o = this.reserve(2);
    this.#view.setUint16(o, v, true);
    return this;
  }
  /** Appends a u32 (host order). */
  putU32(v: number): this {
    if ((v >>> 0) !== v) throw badValue("u32", v, "u32");
    const o = this.reserve(4);
    this.#view.setUint32(o, v, true);
    return this;
  }
  /** Appends an s32 (host order). */
  putS32(v: number): this {
    if ((v | 0) !== v) throw badValue("s32", v, "s32");
    const o = this.reserve(4);
    this.#view.setInt32(o, v, true);
    return this;
  }
  /** Appends a u64 (host order). */
  putU64(v: bigint): this {
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX) throw badValue("u64", v, "u64");
    const o = this.reserve(8);
    this.#view.setBigUint64(o, v, true);
    return this;
  }
  /** Appends raw bytes (no alignment). */
  putBytes(b: Uint8Array): this {
    if (!(b instanceof Uint8Array)) throw notBytes("bytes", b);
    const o = this.reserve(b.length);
    this.#buf.set(b, o);
    return this;
  }

  /**
   * Starts a message: writes a `struct nlmsghdr` with a placeholder length and returns its offset
   * for {@link NetlinkWriter.endMessage}. `type` and `flags` are u16, `seq` and `pid` u32
   * (RangeError otherwise).
   */
  beginMessage(type: number, flags: number, seq = 0, pid = 0): number {
    if ((type & 0xffff) !== type) throw badValue("message type", type, "u16");
    if ((flags & 0xffff) !== flags) throw badValue("message flags", flags, "u16");
    if ((seq >>> 0) !== seq) throw badValue("message seq", seq, "u32");
    if ((pid >>> 0) !== pid) throw badValue("message pid", pid, "u32");
    this.align();
    const o = this.reserve(NLMSG_HDRLEN);
    const v = this.#view;
    v.setUint16(o + 4, type, true);
    v.setUint16(o + 6, flags, true);
    v.setUint32(o + 8, seq, true);
    v.setUint32(o + 12, pid, true);
    return o;
  }

  /**
   * Ends the message started at `start`: writes `nlmsg_len` (header plus payload as written,
   * which includes attribute padding) and pads to 4 bytes for the next message.
   */
  endMessage(start: number): this {
    this.#checkStart(start, NLMSG_HDRLEN, "end message");
    this.#view.setUint32(start, this.#len - start, true);
    return this.align();
  }

  /**
   * Starts an attribute whose payload follows; returns its offset for {@link NetlinkWriter.endAttr}.
   * `type` is the 16-bit `nla_type`, NLA_F_* bits included (RangeError otherwise).
   */
  beginAttr(type: number): number {
    if ((type & 0xffff) !== type) throw badType(type);
    this.align();
    const o = this.reserve(NLA_HDRLEN);
    this.#view.setUint16(o + 2, type, true);
    return o;
  }

  /** Ends the attribute started at `start`: writes `nla_len` (without padding) and pads to 4 bytes. */
  endAttr(start: number): this {
    this.#checkStart(start, NLA_HDRLEN, "end attribute");
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
    if ((type & 0xffff) !== type) throw badType(type);
    return this.beginAttr(flagNested ? type | NLA_F.NESTED : type);
  }

  /** Ends the nest started at `start`. */
  endNest(start: number): this {
    return this.endAttr(start);
  }

  /** Throws unless a header of `size` bytes was begun at `start`. */
  #checkStart(start: number, size: number, what: string): void {
    if ((start >>> 0) !== start || start + size > this.#len) {
      throw new RangeError(
        `Cannot ${what}: ${start} is not the offset of a header written so far (${this.#len} bytes written)`,
      );
    }
  }

  #attr(type: number, size: number): number {
    if ((type & 0xffff) !== type) throw badType(type);
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
  /** Appends a u8 attribute (RangeError unless `v` is an integer 0..255). */
  attrU8(type: number, v: number): this {
    if ((v & 0xff) !== v) throw badValue(`attribute ${type}`, v, "u8");
    const o = this.#attr(type, 1);
    this.#view.setUint8(o, v);
    return this.align();
  }
  /** Appends a u16 attribute (RangeError unless `v` is an integer 0..65535). */
  attrU16(type: number, v: number): this {
    if ((v & 0xffff) !== v) throw badValue(`attribute ${type}`, v, "u16");
    const o = this.#attr(type, 2);
    this.#view.setUint16(o, v, true);
    return this.align();
  }
  /** Appends a u32 attribute (RangeError unless `v` is an integer 0..4294967295). */
  attrU32(type: number, v: number): this {
    if ((v >>> 0) !== v) throw badValue(`attribute ${type}`, v, "u32");
    const o = this.#attr(type, 4);
    this.#view.setUint32(o, v, true);
    return this;
  }
  /** Appends a u64 attribute (RangeError unless `v` is a bigint 0n..2n ** 64n - 1n). */
  attrU64(type: number, v: bigint): this {
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX) {
      throw badValue(`attribute ${type}`, v, "u64");
    }
    const o = this.#attr(type, 8);
    this.#view.setBigUint64(o, v, true);
    return this;
  }
  /** Appends an s8 attribute (RangeError unless `v` is an integer -128..127). */
  attrS8(type: number, v: number): this {
    if (((v << 24) >> 24) !== v) throw badValue(`attribute ${type}`, v, "s8");
    const o = this.#attr(type, 1);
    this.#view.setInt8(o, v);
    return this.align();
  }
  /** Appends an s16 attribute (RangeError unless `v` is an integer -32768..32767). */
  attrS16(type: number, v: number): this {
    if (((v << 16) >> 16) !== v) throw badValue(`attribute ${type}`, v, "s16");
    const o = this.#attr(type, 2);
    this.#view.setInt16(o, v, true);
    return this.align();
  }
  /** Appends an s32 attribute (RangeError unless `v` is an integer -2147483648..2147483647). */
  attrS32(type: number, v: number): this {
    if ((v | 0) !== v) throw badValue(`attribute ${type}`, v, "s32");
    const o = this.#attr(type, 4);
    this.#view.setInt32(o, v, true);
    return this;
  }
  /** Appends an s64 attribute (RangeError unless `v` is a bigint that fits in 64 signed bits). */
  attrS64(type: number, v: bigint): this {
    if (typeof v !== "bigint" || v < S64_MIN || v > S64_MAX) {
      throw badValue(`attribute ${type}`, v, "s64");
    }
    const o = this.#attr(type, 8);
    this.#view.setBigInt64(o, v, true);
    return this;
  }
  /** Appends a big-endian (network order) u16 attribute (RangeError unless 0..65535). */
  attrU16Be(type: number, v: number): this {
    if ((v & 0xffff) !== v) throw badValue(`attribute ${type}`, v, "u16");
    const o = this.#attr(type, 2);
    this.#view.setUint16(o, v, false);
    return this.align();
  }
  /** Appends a big-endian (network order) u32 attribute (RangeError unless 0..4294967295). */
  attrU32Be(type: number, v: number): this {
    if ((v >>> 0) !== v) throw badValue(`attribute ${type}`, v, "u32");
    const o = this.#attr(type, 4);
    this.#view.setUint32(o, v, false);
    return this;
  }
  /** Appends a big-endian (network order) u64 attribute (RangeError unless 0n..2n ** 64n - 1n). */
  attrU64Be(type: number, v: bigint): this {
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX) {
      throw badValue(`attribute ${type}`, v, "u64");
    }
    const o = this.#attr(type, 8);
    this.#view.setBigUint64(o, v, false);
    return this;
  }
  /** Appends a binary attribute (payload copied as is). */
  attrBinary(type: number, data: Uint8Array): this {
    if (!(data instanceof Uint8Array)) throw notBytes(`attribute ${type}`, data);
    const n = data.length;
    const o = this.#attr(type, n);
    const buf = this.#buf;
    // A short payload (a UFID, a cached mask or action list) byte by byte: set()'s fixed cost
    // is more than the copy's.
    if (n <= 32) { for (let i = 0; i < n; i++) buf[o + i] = data[i]; }
    else buf.set(data, o);
    return this.align();
  }
  /**
   * Appends a NUL-terminated string attribute (UTF-8). A string holding a NUL character is a
   * TypeError: the kernel would read only what precedes it.
   */
  attrString(type: number, s: string): this {
    if (typeof s !== "string") {
      throw new TypeError(`Cannot write attribute ${type}: expected a string, got ${typeof s}`);
    }
    // Fast path for ASCII; TextEncoder for the rest.
    let ascii = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0) {
        throw new TypeError(`Cannot write attribute ${type}: the string contains a NUL character`);
      }
      if (c > 0x7f) ascii = false;
    }
    const start = this.beginAttr(type);
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
