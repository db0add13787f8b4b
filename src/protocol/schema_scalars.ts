/**
 * Fixed-size and leaf codecs of the schema system: integers (host and network byte order,
 * variable-width `uint`/`sint`), strings, binary, flags, padding, IP and MAC addresses,
 * enums, flag sets, C structs and fixed arrays. Use them through {@link t}.
 *
 * @module
 */

import { DecodeError } from "./errors.ts";
import { lastStringScan } from "./_internal.ts";
import { copyBytesAt as copyBytes } from "./_bytes.ts";
import { fmtIpv4, fmtIpv6, fmtMac, ipv4ToU32, parseIpv6, putMac } from "./schema_addr.ts";
import {
  acquireDecode,
  type DecodeContext,
  decodeString,
  describe,
  EncodeContext,
  FLAGS_MEMO,
  flagsSlot,
  kebab,
  markChecks,
  OP,
  opOf,
  raisesChecks,
  releaseDecode,
  setOp,
} from "./schema_context.ts";
import {
  codegenEnabled,
  compileStructReader,
  compileStructWriter,
  structWritable,
} from "./schema_compile.ts";
import type {
  Codec,
  DecodedStruct,
  EncodableStruct,
  FixedCodec,
  PadMarker,
  StructCodec,
  StructMembers,
} from "./schema_types.ts";
import type { NetlinkWriter } from "./writer.ts";

const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Integers

const U64_MAX = 0xffff_ffff_ffff_ffffn;
const S64_MIN = -0x8000_0000_0000_0000n;
const S64_MAX = 0x7fff_ffff_ffff_ffffn;

/**
 * Value checks of an integer codec (YNL `checks`). They are the kernel's input policy: encoding
 * a value outside them raises a RangeError. A kernel newer than the spec may send values outside
 * an older spec's checks, so decoding never fails a message for them: an attribute whose value
 * is outside is kept in its attribute set's `unknown` list as `{ type, bytes }` (in an ordered
 * list, as an unknown item in its place), which encoding writes back verbatim; with
 * `strict: true`, and where no set holds the value (a struct decoded on its own, a fixed
 * header), decoding raises a {@link DecodeError} naming the check. A decoded value thus always
 * encodes again.
 *
 * @example
 * ```ts
 * import { type IntOptions, t } from "@nlts/netlink/protocol";
 * const options: IntOptions = { min: 1, max: 4094 };
 * const vlanId = t.u16(options);
 * ```
 */
export interface IntOptions {
  /** Smallest accepted value. */
  min?: number | bigint;
  /** Largest accepted value. */
  max?: number | bigint;
  /** Bits the value may have set (YNL `flags-mask`): any other bit is a RangeError. */
  mask?: number | bigint;
}

function rangeText(min: number | bigint | undefined, max: number | bigint | undefined): string {
  return `${min ?? "..."}..${max ?? "..."}`;
}

/** What is wrong with `v` under the checks `c` (null: nothing). */
function violation(v: number | bigint, c: IntOptions): string | null {
  if ((c.min !== undefined && v < c.min) || (c.max !== undefined && v > c.max)) {
    return `${v} is outside ${rangeText(c.min, c.max)}`;
  }
  if (c.mask !== undefined) {
    const outside = typeof v === "number"
      ? BigInt(v) & ~BigInt(c.mask) & 0xffff_ffffn
      : v & ~BigInt(c.mask);
    if (outside !== 0n) return `${v} sets bits outside the mask 0x${c.mask.toString(16)}`;
  }
  return null;
}

/**
 * Throws the CheckFailure of a decoded value outside its checks (what encode would refuse): the
 * attribute set decoding it keeps the attribute in `unknown` (see {@link IntOptions}).
 */
function checkDecoded(
  ctx: DecodeContext,
  v: number | bigint,
  c: IntOptions,
  offset: number,
): void {
  const bad = violation(v, c);
  if (bad !== null) {
    throw ctx.checkFailure(`${bad} (the spec's checks; encoding would refuse it)`, offset);
  }
}

/** The operation and range of an {@link IntCodec} with number bounds only. Internal. */
export interface InlineCheck {
  readonly op: number;
  readonly min: number;
  readonly max: number;
}

/** Fixed-width integers that decode to `number` (8, 16 and 32 bits). Internal class. */
export class IntCodec implements FixedCodec<number> {
  readonly kind: string;
  readonly type: string;
  readonly size: number;
  readonly align: number;
  readonly nlaFlags = 0;
  readonly repeated = false;
  readonly #op: number;
  readonly #min: number;
  readonly #max: number;
  readonly #checked: IntOptions | undefined;
  /**
   * Checks a generated set decoder can make itself (number bounds, no mask): the value's
   * operation and its range; null when there are none or they need {@link read}.
   */
  readonly inlineCheck: InlineCheck | null = null;

  constructor(
    kind: string,
    op: number,
    size: number,
    min: number,
    max: number,
    options?: IntOptions,
  ) {
    this.kind = kind;
    this.type = kind;
    this.size = size;
    this.align = size;
    this.#op = op;
    this.#min = min;
    this.#max = max;
    if (
      options &&
      (options.min !== undefined || options.max !== undefined || options.mask !== undefined)
    ) {
      this.#checked = options;
      markChecks(this);
      const { min: lo = min, max: hi = max } = options;
      if (
        options.mask === undefined && typeof lo === "number" && typeof hi === "number" &&
        Number.isFinite(lo) && Number.isFinite(hi)
      ) {
        this.inlineCheck = { op, min: lo, max: hi };
      }
    } else {
      setOp(this, op); // checked codecs decode through read(), which checks
    }
  }

  /** The same codec with the value checks of `options`. */
  withChecks(options: IntOptions | undefined): IntCodec {
    return options === undefined
      ? this
      : new IntCodec(this.kind, this.#op, this.size, this.#min, this.#max, options);
  }

  decode(ctx: DecodeContext, offset: number): number {
    return this.read(ctx, offset);
  }

  read(ctx: DecodeContext, offset: number): number {
    const v = this.#raw(ctx, offset);
    if (this.#checked !== undefined) checkDecoded(ctx, v, this.#checked, offset);
    return v;
  }

  #raw(ctx: DecodeContext, offset: number): number {
    const v = ctx.view;
    switch (this.#op) {
      case OP.U8:
        return ctx.data[offset];
      case OP.U16:
        return v.getUint16(offset, true);
      case OP.U32:
        return v.getUint32(offset, true);
      case OP.S8:
        return v.getInt8(offset);
      case OP.S16:
        return v.getInt16(offset, true);
      case OP.S32:
        return v.getInt32(offset, true);
      case OP.U16BE:
        return v.getUint16(offset, false);
      case OP.S16BE:
        return v.getInt16(offset, false);
      case OP.S32BE:
        return v.getInt32(offset, false);
      default: // OP.U32BE
        return v.getUint32(offset, false);
    }
  }

  encode(w: NetlinkWriter, value: number, ctx: EncodeContext): void {
    this.check(value, ctx);
    const o = w.reserve(this.size);
    this.#put(w.view, o, value);
  }

  write(view: DataView, offset: number, value: number, ctx: EncodeContext): void {
    this.check(value, ctx);
    this.#put(view, offset, value);
  }

  /** Throws unless `value` is an integer in range. */
  check(value: unknown, ctx: EncodeContext): void {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw ctx.typeError(`expected an integer for ${this.kind}, got ${describe(value)}`);
    }
    if (value < this.#min || value > this.#max) {
      throw ctx.rangeError(`${value} does not fit in ${this.kind}`);
    }
    const c = this.#checked;
    if (c !== undefined) {
      const bad = violation(value, c);
      if (bad !== null) throw ctx.rangeError(bad);
    }
  }

  #put(view: DataView, o: number, value: number): void {
    switch (this.#op) {
      case OP.U8:
      case OP.S8:
        view.setUint8(o, value & 0xff);
        return;
      case OP.U16:
      case OP.S16:
        view.setUint16(o, value & 0xffff, true);
        return;
      case OP.U32:
      case OP.S32:
        view.setUint32(o, value >>> 0, true);
        return;
      case OP.U16BE:
      case OP.S16BE:
        view.setUint16(o, value & 0xffff, false);
        return;
      case OP.S32BE:
        view.setUint32(o, value >>> 0, false);
        return;
      default: // OP.U32BE
        view.setUint32(o, value, false);
    }
  }
}

/** 64-bit integers: decode to `bigint`, accept `bigint` or a safe-integer `number`. Internal class. */
export class BigIntCodec implements FixedCodec<bigint, bigint | number> {
  readonly kind: string;
  readonly type: string;
  readonly size = 8;
  readonly align = 8;
  readonly nlaFlags = 0;
  readonly repeated = false;
  readonly #op: number;
  readonly #checked: IntOptions | undefined;

  constructor(kind: string, op: number, options?: IntOptions) {
    this.kind = kind;
    this.type = kind;
    this.#op = op;
    this.#checked = options;
    if (options === undefined) setOp(this, op); // checked codecs decode through read()
    else markChecks(this);
  }

  /** The same codec with the value checks of `options`. */
  withChecks(options: IntOptions | undefined): BigIntCodec {
    return options === undefined ? this : new BigIntCodec(this.kind, this.#op, options);
  }

  decode(ctx: DecodeContext, offset: number): bigint {
    return this.read(ctx, offset);
  }

  read(ctx: DecodeContext, offset: number): bigint {
    const v = this.#raw(ctx, offset);
    if (this.#checked !== undefined) checkDecoded(ctx, v, this.#checked, offset);
    return v;
  }

  #raw(ctx: DecodeContext, offset: number): bigint {
    switch (this.#op) {
      case OP.U64:
        return ctx.view.getBigUint64(offset, true);
      case OP.S64:
        return ctx.view.getBigInt64(offset, true);
      case OP.S64BE:
        return ctx.view.getBigInt64(offset, false);
      default: // OP.U64BE
        return ctx.view.getBigUint64(offset, false);
    }
  }

  encode(w: NetlinkWriter, value: bigint | number, ctx: EncodeContext): void {
    const v = this.check(value, ctx);
    const o = w.reserve(8);
    this.#put(w.view, o, v);
  }

  write(view: DataView, offset: number, value: bigint | number, ctx: EncodeContext): void {
    this.#put(view, offset, this.check(value, ctx));
  }

  /** Returns `value` as a bigint; throws unless it is an integer in range. */
  check(value: unknown, ctx: EncodeContext): bigint {
    const v = toBigInt(value, this.kind, ctx);
    const signed = this.#op === OP.S64 || this.#op === OP.S64BE;
    if (signed ? v < S64_MIN || v > S64_MAX : v < 0n || v > U64_MAX) {
      throw ctx.rangeError(`${v} does not fit in ${this.kind}`);
    }
    checkBig(v, this.#checked, ctx);
    return v;
  }

  #put(view: DataView, o: number, v: bigint): void {
    if (this.#op === OP.S64) view.setBigInt64(o, v, true);
    else if (this.#op === OP.S64BE) view.setBigInt64(o, v, false);
    else view.setBigUint64(o, v, this.#op === OP.U64);
  }
}

function checkBig(v: bigint, c: IntOptions | undefined, ctx: EncodeContext): void {
  if (c === undefined) return;
  const bad = violation(v, c);
  if (bad !== null) throw ctx.rangeError(bad);
}

function toBigInt(value: unknown, kind: string, ctx: EncodeContext): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw ctx.typeError(
    `expected a bigint or a safe integer for ${kind}, got ${describe(value)}`,
  );
}

/**
 * Variable-width integers (YNL `uint` / `sint`): 4 or 8 bytes on the wire, always decoded to
 * `bigint`; encoded in 4 bytes when the value fits, else 8 (like the kernel's `nla_put_uint`).
 * Internal class.
 */
export class VarIntCodec implements Codec<bigint, bigint | number> {
  readonly kind: "uint" | "sint";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;
  readonly #checked: IntOptions | undefined;

  constructor(kind: "uint" | "sint", options?: IntOptions) {
    this.kind = kind;
    this.type = kind;
    this.#checked = options;
    if (options !== undefined) markChecks(this);
  }

  /** The same codec with the value checks of `options`. */
  withChecks(options: IntOptions | undefined): VarIntCodec {
    return options === undefined ? this : new VarIntCodec(this.kind, options);
  }

  decode(ctx: DecodeContext, offset: number, length: number): bigint {
    const v = ctx.view;
    const signed = this.kind === "sint";
    let n: bigint;
    if (length === 4) n = BigInt(signed ? v.getInt32(offset, true) : v.getUint32(offset, true));
    else if (length === 8) n = signed ? v.getBigInt64(offset, true) : v.getBigUint64(offset, true);
    else throw ctx.error(`expected 4 or 8 bytes for ${this.kind}, got ${length}`, offset - 4);
    if (this.#checked !== undefined) checkDecoded(ctx, n, this.#checked, offset);
    return n;
  }

  encode(w: NetlinkWriter, value: bigint | number, ctx: EncodeContext): void {
    const v = toBigInt(value, this.kind, ctx);
    checkBig(v, this.#checked, ctx);
    if (this.kind === "uint") {
      if (v < 0n || v > U64_MAX) throw ctx.rangeError(`${v} does not fit in uint (u64)`);
      // reserve() may grow the buffer: read w.view only after it.
      if (v <= 0xffff_ffffn) {
        const o = w.reserve(4);
        w.view.setUint32(o, Number(v), true);
      } else {
        const o = w.reserve(8);
        w.view.setBigUint64(o, v, true);
      }
    } else {
      if (v < S64_MIN || v > S64_MAX) throw ctx.rangeError(`${v} does not fit in sint (s64)`);
      if (v >= -0x8000_0000n && v <= 0x7fff_ffffn) {
        const o = w.reserve(4);
        w.view.setInt32(o, Number(v), true);
      } else {
        const o = w.reserve(8);
        w.view.setBigInt64(o, v, true);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Strings, binary, flags, padding

/**
 * Options of {@link t.string}.
 *
 * @example
 * ```ts
 * import { type StringOptions, t } from "@nlts/netlink/protocol";
 * const options: StringOptions = { maxLength: 15 }; // GENL_NAMSIZ - 1
 * const name = t.string(options);
 * ```
 */
export interface StringOptions {
  /** Longest accepted string in UTF-8 bytes, without the NUL (e.g. GENL_NAMSIZ - 1 = 15). */
  maxLength?: number;
  /** Shortest accepted string in UTF-8 bytes, without the NUL. */
  minLength?: number;
}

/** NUL-terminated UTF-8 strings. Internal class. */
export class StringCodec implements Codec<string> {
  readonly kind = "string";
  readonly type = "string";
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;
  /** Longest string in UTF-8 bytes without the NUL (Infinity: only the attribute bounds it). */
  readonly maxLength: number;
  /** Shortest string in UTF-8 bytes without the NUL. */
  readonly minLength: number;
  readonly #max: number;
  readonly #min: number;

  constructor(options?: StringOptions) {
    const max = options?.maxLength ?? Infinity;
    const min = options?.minLength ?? 0;
    if (
      (max !== Infinity && !(Number.isInteger(max) && max >= 0)) ||
      !(Number.isInteger(min) && min >= 0 && min <= max)
    ) {
      throw new RangeError(
        `Cannot define string: minLength ${min} and maxLength ${max} must be integers, 0 <= minLength <= maxLength`,
      );
    }
    this.maxLength = this.#max = max;
    this.minLength = this.#min = min;
    // A string with a minLength is decoded by decode(), which checks it; the rest inline.
    if (min === 0) setOp(this, OP.STRING);
  }

  /**
   * Decodes up to the first NUL. Raises {@link DecodeError} when the string would not encode
   * again: outside `minLength..maxLength`, or too long for an attribute once re-encoded.
   */
  decode(ctx: DecodeContext, offset: number, length: number): string {
    const s = decodeString(ctx, offset, length, this.#max);
    if (this.#min > 0 && lastStringScan.bytes < this.#min) {
      throw ctx.error(
        `the string is ${lastStringScan.bytes} bytes long, at least ${this.#min} are needed`,
        offset - 4,
      );
    }
    return s;
  }

  encode(w: NetlinkWriter, value: string, ctx: EncodeContext): void {
    if (typeof value !== "string") {
      throw ctx.typeError(`expected a string, got ${describe(value)}`);
    }
    const n = value.length;
    if (n <= this.#max && n >= this.#min) {
      // One pass for ASCII without NUL (a family or device name): each character written as it
      // is checked. Anything else is undone and takes the checks below.
      const o = w.reserve(n + 1);
      const view = w.view;
      let i = 0;
      for (; i < n; i++) {
        const ch = value.charCodeAt(i);
        if (ch === 0 || ch > 0x7f) break;
        view.setUint8(o + i, ch);
      }
      if (i === n) return;
      w.truncate(o);
    }
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const ch = value.charCodeAt(i);
      if (ch === 0) throw ctx.typeError(`the string contains a NUL character`);
      if (ch > 0x7f) ascii = false;
    }
    if (ascii) {
      if (n > this.#max) {
        throw ctx.rangeError(`the string is ${n} bytes long, at most ${this.#max} fit`);
      }
      if (n < this.#min) {
        throw ctx.rangeError(`the string is ${n} bytes long, at least ${this.#min} are needed`);
      }
      const o = w.reserve(n + 1);
      const view = w.view;
      for (let i = 0; i < n; i++) view.setUint8(o + i, value.charCodeAt(i));
      return;
    }
    const bytes = encoder.encode(value);
    if (bytes.length > this.#max || bytes.length < this.#min) {
      throw ctx.rangeError(
        `the string is ${bytes.length} bytes long (UTF-8), ${this.#min}..${this.#max} fit`,
      );
    }
    w.putBytes(bytes);
    w.putU8(0);
  }
}

/**
 * Options of {@link t.binary}.
 *
 * @example
 * ```ts
 * import { type BinaryOptions, t } from "@nlts/netlink/protocol";
 * const options: BinaryOptions = { maxLength: 16 };
 * const cookie = t.binary(options);
 * ```
 */
export interface BinaryOptions {
  /** Exact length in bytes: the codec becomes fixed-size (usable as a struct member). */
  length?: number;
  /** Shortest accepted payload when encoding. */
  minLength?: number;
  /** Longest accepted payload when encoding. */
  maxLength?: number;
}

/** Opaque bytes, decoded to an owned copy. Internal class. */
export class BinaryCodec implements FixedCodec<Uint8Array> {
  readonly kind = "binary";
  readonly type: string;
  readonly size: number;
  readonly align = 1;
  readonly nlaFlags = 0;
  readonly repeated = false;
  /** Shortest payload accepted (encoding) and decoded. */
  readonly minLength: number;
  /** Longest payload accepted (encoding) and decoded. */
  readonly maxLength: number;
  readonly #min: number;
  readonly #max: number;

  constructor(options?: BinaryOptions) {
    const len = options?.length;
    if (len !== undefined) {
      if (!Number.isInteger(len) || len < 0 || len > 0xfffb) {
        throw new RangeError(`Cannot define binary: length ${len} must be an integer 0..65531`);
      }
      this.size = len;
      this.#min = this.#max = len;
      this.type = `binary[${len}]`;
    } else {
      this.size = -1;
      this.#min = options?.minLength ?? 0;
      this.#max = options?.maxLength ?? 0xfffb;
      if (
        !Number.isInteger(this.#min) || !Number.isInteger(this.#max) || this.#min < 0 ||
        this.#min > this.#max || this.#max > 0xfffb
      ) {
        throw new RangeError(
          `Cannot define binary: minLength ${this.#min} and maxLength ${this.#max} must be integers, 0 <= minLength <= maxLength <= 65531`,
        );
      }
      this.type = this.#min === 0 && this.#max === 0xfffb
        ? "binary"
        : `binary[${this.#min}..${this.#max}]`;
    }
    this.minLength = this.#min;
    this.maxLength = this.#max;
    // Bounded payloads are decoded by decode(), which checks the bounds; the rest inline.
    if (this.size >= 0 || (this.#min === 0 && this.#max === 0xfffb)) setOp(this, OP.BINARY);
  }

  /** Copies the payload; a length outside `minLength..maxLength` is a {@link DecodeError}. */
  decode(ctx: DecodeContext, offset: number, length: number): Uint8Array {
    if (length < this.#min || length > this.#max) {
      throw ctx.error(
        `expected ${this.#min}..${this.#max} bytes for ${this.type}, got ${length}`,
        offset - 4,
      );
    }
    return copyBytes(ctx.data, offset, length);
  }

  read(ctx: DecodeContext, offset: number): Uint8Array {
    return copyBytes(ctx.data, offset, this.size);
  }

  #check(value: unknown, ctx: EncodeContext): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw ctx.typeError(`expected a Uint8Array, got ${describe(value)}`);
    }
    const n = value.length;
    if (n < this.#min || n > this.#max) {
      throw ctx.rangeError(
        this.size >= 0
          ? `expected exactly ${this.size} bytes, got ${n}`
          : `expected ${this.#min}..${this.#max} bytes, got ${n}`,
      );
    }
    return value;
  }

  encode(w: NetlinkWriter, value: Uint8Array, ctx: EncodeContext): void {
    w.putBytes(this.#check(value, ctx));
  }

  write(view: DataView, offset: number, value: Uint8Array, ctx: EncodeContext): void {
    const b = this.#check(value, ctx);
    for (let i = 0; i < b.length; i++) view.setUint8(offset + i, b[i]);
  }
}

/** Flag attributes: present (true) or absent. Internal class. */
export class FlagCodec implements Codec<true, boolean> {
  readonly kind = "flag";
  readonly type = "flag";
  readonly size = 0;
  readonly nlaFlags = 0;
  readonly repeated = false;

  constructor() {
    setOp(this, OP.FLAG);
  }

  decode(): true {
    return true;
  }

  encode(_w: NetlinkWriter, value: boolean, ctx: EncodeContext): void {
    if (typeof value !== "boolean") {
      throw ctx.typeError(`expected a boolean for a flag, got ${describe(value)}`);
    }
  }
}

/**
 * Padding: in a struct `size` zero bytes that are skipped; as an attribute (YNL `pad`, size
 * omitted) an alignment filler that decoding skips and encoding never writes. Internal class.
 *
 * @example
 * ```ts
 * import { type PadCodec, t } from "@nlts/netlink/protocol";
 * const reserved: PadCodec = t.pad(2);
 * ```
 */
export class PadCodec implements FixedCodec<undefined>, PadMarker {
  readonly kind = "pad";
  readonly type: string;
  readonly size: number;
  readonly align = 1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  constructor(size: number) {
    this.size = size;
    this.type = size >= 0 ? `pad[${size}]` : "pad";
    setOp(this, OP.PAD);
  }

  decode(): undefined {
    return undefined;
  }
  read(): undefined {
    return undefined;
  }
  encode(w: NetlinkWriter): void {
    if (this.size > 0) w.reserve(this.size);
  }
  write(view: DataView, offset: number): void {
    for (let i = 0; i < this.size; i++) view.setUint8(offset + i, 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** IPv4 addresses (`__be32`) as dotted quads, "10.0.0.1". Internal class. */
export class Ipv4Codec implements FixedCodec<string> {
  readonly kind = "ipv4";
  readonly type = "ipv4";
  readonly size = 4;
  readonly align = 4;
  readonly nlaFlags = 0;
  readonly repeated = false;

  constructor() {
    setOp(this, OP.IPV4);
  }

  decode(ctx: DecodeContext, offset: number): string {
    return fmtIpv4(ctx.data, offset);
  }
  read(ctx: DecodeContext, offset: number): string {
    return fmtIpv4(ctx.data, offset);
  }
  encode(w: NetlinkWriter, value: string, ctx: EncodeContext): void {
    const o = w.reserve(4);
    this.write(w.view, o, value, ctx);
  }
  write(view: DataView, offset: number, value: string, ctx: EncodeContext): void {
    const v = typeof value === "string" ? ipv4ToU32(value) : -1;
    if (v < 0) {
      throw ctx.typeError(`expected an IPv4 address like "10.0.0.1", got ${describe(value)}`);
    }
    view.setUint32(offset, v, false);
  }
}

/** IPv6 addresses (16 bytes) as RFC 5952 text, "2001:db8::1". Internal class. */
export class Ipv6Codec implements FixedCodec<string> {
  readonly kind = "ipv6";
  readonly type = "ipv6";
  readonly size = 16;
  readonly align = 4;
  readonly nlaFlags = 0;
  readonly repeated = false;

  constructor() {
    setOp(this, OP.IPV6);
  }

  decode(ctx: DecodeContext, offset: number): string {
    return fmtIpv6(ctx.data, offset);
  }
  read(ctx: DecodeContext, offset: number): string {
    return fmtIpv6(ctx.data, offset);
  }
  encode(w: NetlinkWriter, value: string, ctx: EncodeContext): void {
    const o = w.reserve(16);
    this.write(w.view, o, value, ctx);
  }
  write(view: DataView, offset: number, value: string, ctx: EncodeContext): void {
    const b = typeof value === "string" ? parseIpv6(value) : null;
    if (b === null) {
      throw ctx.typeError(`expected an IPv6 address like "2001:db8::1", got ${describe(value)}`);
    }
    for (let i = 0; i < 16; i++) view.setUint8(offset + i, b[i]);
  }
}

/** Ethernet addresses (6 bytes) as "00:11:22:33:44:55". Internal class. */
export class MacCodec implements FixedCodec<string> {
  readonly kind = "mac";
  readonly type = "mac";
  readonly size = 6;
  readonly align = 1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  constructor() {
    setOp(this, OP.MAC);
  }

  decode(ctx: DecodeContext, offset: number): string {
    return this.read(ctx, offset);
  }
  read(ctx: DecodeContext, offset: number): string {
    return fmtMac(ctx.data, offset);
  }
  encode(w: NetlinkWriter, value: string, ctx: EncodeContext): void {
    const o = w.reserve(6);
    this.write(w.view, o, value, ctx);
  }
  write(view: DataView, offset: number, value: string, ctx: EncodeContext): void {
    if (!putMac(view, offset, value)) {
      throw ctx.typeError(
        `expected a MAC address like "00:11:22:33:44:55", got ${describe(value)}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Enums and flag sets

/**
 * Names of enum values or flag bits (camelCase) mapped to their numbers.
 *
 * @example
 * ```ts
 * import { type EnumValues, t } from "@nlts/netlink/protocol";
 * const frag: EnumValues = { no: 0, first: 1, later: 2 };
 * const codec = t.enum(t.u8(), frag);
 * ```
 */
export type EnumValues = { readonly [name: string]: number | bigint };

function isFixed<D, E>(c: Codec<D, E>): c is FixedCodec<D, E> {
  return typeof (c as FixedCodec<D, E>).read === "function" && c.size >= 0;
}

function checkBase(base: Codec<unknown, never>, what: string): void {
  if (!base || typeof base.decode !== "function" || typeof base.encode !== "function") {
    throw new TypeError(`Cannot define ${what}: the base must be an integer codec`);
  }
}

/**
 * Enumerations over an integer codec: decode to the value's name, or the number itself when
 * the schema does not know it; encode names or numbers. Internal class.
 */
export class EnumCodec implements FixedCodec<unknown, unknown> {
  readonly kind = "enum";
  readonly type: string;
  readonly size: number;
  readonly align: number;
  readonly nlaFlags: number;
  readonly repeated = false;
  readonly #base: Codec<unknown, unknown>;
  readonly #dense: (string | undefined)[] | null;
  readonly #byValue: Map<number | bigint, string>;
  readonly #byName: Map<string, number | bigint>;
  readonly #big: boolean;

  constructor(base: Codec<unknown, never>, values: EnumValues) {
    checkBase(base, "enum");
    this.#base = base as Codec<unknown, unknown>;
    markChecks(this, base);
    this.size = base.size;
    this.align = isFixed(base) ? base.align : 1;
    this.nlaFlags = base.nlaFlags;
    this.#big = base.kind.includes("64") || base.kind === "uint" || base.kind === "sint";
    this.#byValue = new Map();
    this.#byName = new Map();
    let dense = true;
    let max = 0;
    for (const [name, v] of Object.entries(values)) {
      const key = this.#big ? BigInt(v) : Number(v);
      this.#byName.set(name, key);
      if (!this.#byValue.has(key)) this.#byValue.set(key, name);
      if (typeof key !== "number" || !Number.isInteger(key) || key < 0 || key > 4096) {
        dense = false;
      } else if (key > max) max = key;
    }
    this.#dense = dense ? new Array(max + 1).fill(undefined) : null;
    if (this.#dense) { for (const [v, name] of this.#byValue) this.#dense[v as number] = name; }
    this.type = `enum ${base.kind}`;
  }

  #name(v: unknown): unknown {
    const dense = this.#dense;
    if (dense !== null) {
      return (typeof v === "number" && v < dense.length ? dense[v] : undefined) ?? v;
    }
    return this.#byValue.get(v as number) ?? v;
  }

  decode(ctx: DecodeContext, offset: number, length: number): unknown {
    return this.#name(this.#base.decode(ctx, offset, length));
  }

  read(ctx: DecodeContext, offset: number): unknown {
    return this.#name((this.#base as FixedCodec<unknown, unknown>).read(ctx, offset));
  }

  #value(value: unknown, ctx: EncodeContext): unknown {
    if (typeof value !== "string") return value;
    const v = this.#byName.get(value);
    if (v === undefined) {
      throw ctx.typeError(
        `${describe(value)} is not a known value (expected one of ${
          [...this.#byName.keys()].join(", ")
        } or a number)`,
      );
    }
    return v;
  }

  encode(w: NetlinkWriter, value: unknown, ctx: EncodeContext): void {
    this.#base.encode(w, this.#value(value, ctx), ctx);
  }

  write(view: DataView, offset: number, value: unknown, ctx: EncodeContext): void {
    (this.#base as FixedCodec<unknown, unknown>).write(view, offset, this.#value(value, ctx), ctx);
  }
}

/** A flag set without a bit set (also what an empty slot of a flag set's memo holds). */
const NO_FLAGS: readonly unknown[] = Object.freeze([]);

/**
 * Flag sets over an integer codec: decode to the names of the set bits in definition order,
 * then each unknown set bit as its number (a bigint for 64-bit bases), as a frozen array that
 * every decode of the same word shares; encode an array of names and numbers, or a raw number.
 * Internal class.
 */
export class FlagsCodec implements FixedCodec<readonly unknown[], unknown> {
  readonly kind = "flags";
  readonly type: string;
  readonly size: number;
  readonly align: number;
  readonly nlaFlags: number;
  readonly repeated = false;
  readonly #base: Codec<unknown, unknown>;
  readonly #names: string[];
  readonly #bits: number[];
  readonly #bigBits: bigint[];
  readonly #byName: Map<string, number | bigint>;
  readonly #known: number;
  readonly #bigKnown: bigint;
  readonly #big: boolean;
  /** The base is a little-endian u64 (its value checks, if any, pass again on a repeat). */
  readonly #u64: boolean;
  /** The base is a little-endian u32 without value checks: the word is read here. */
  readonly #u32: boolean;

  constructor(base: Codec<unknown, never>, values: EnumValues) {
    checkBase(base, "flags");
    this.#base = base as Codec<unknown, unknown>;
    markChecks(this, base);
    this.size = base.size;
    this.align = isFixed(base) ? base.align : 1;
    this.nlaFlags = base.nlaFlags;
    this.#big = base.kind.includes("64") || base.kind === "uint" || base.kind === "sint";
    this.#u64 = base instanceof BigIntCodec && base.kind === "u64";
    this.#zeroOk = !raisesChecks(base);
    this.memo64 = this.#u64 ? { lo: -1, hi: -1, list: NO_FLAGS } : null;
    this.#u32 = base instanceof IntCodec && base.kind === "u32" && this.#zeroOk;
    this.memo32 = this.#u32 ? { words: this.#memoWords, lists: this.#memoLists } : null;
    this.#names = [];
    this.#bits = [];
    this.#bigBits = [];
    this.#byName = new Map();
    let known = 0;
    let bigKnown = 0n;
    for (const [name, v] of Object.entries(values)) {
      const big = BigInt(v);
      if (big <= 0n) {
        throw new RangeError(`Cannot define flags: the value of "${name}" must be positive`);
      }
      if (!this.#big && big > 0xffff_ffffn) {
        throw new RangeError(`Cannot define flags: "${name}" does not fit in ${base.kind}`);
      }
      this.#names.push(name);
      this.#bits.push(Number(big));
      this.#bigBits.push(big);
      this.#byName.set(name, this.#big ? big : Number(big));
      known = (known | Number(big & 0xffff_ffffn)) >>> 0;
      bigKnown |= big;
    }
    this.#known = known;
    this.#bigKnown = bigKnown;
    this.type = `flags ${base.kind}`;
  }

  #list(v: unknown): unknown[] {
    const out: unknown[] = [];
    if (typeof v === "number") {
      const bits = this.#bits;
      for (let i = 0; i < bits.length; i++) {
        if (((v & bits[i]) >>> 0) === bits[i]) out.push(this.#names[i]);
      }
      let rest = (v & ~this.#known) >>> 0;
      while (rest !== 0) {
        const low = (rest & -rest) >>> 0;
        out.push(low);
        rest = (rest ^ low) >>> 0;
      }
      return out;
    }
    const b = v as bigint;
    const bits = this.#bigBits;
    for (let i = 0; i < bits.length; i++) if ((b & bits[i]) === bits[i]) out.push(this.#names[i]);
    let rest = b & ~this.#bigKnown;
    if (rest < 0n) rest &= U64_MAX;
    while (rest !== 0n) {
      const low = rest & -rest;
      out.push(low);
      rest ^= low;
    }
    return out;
  }

  // Flag words repeat from message to message (every veth of a dump has the same features), so
  // decoded lists are remembered (FLAGS_MEMO words of up to 32 bits in a direct-mapped table;
  // the last u64 word, compared as two 32-bit halves without making a bigint) and handed out
  // frozen: a repeat costs a table probe and allocates nothing. A Map (before) cost more than
  // a copy when words alternate (nlctrl's ops: each op has its own word).
  readonly #memoWords = new Uint32Array(FLAGS_MEMO); // 0: empty (0 never gets there)
  readonly #memoLists: (readonly unknown[])[] = new Array(FLAGS_MEMO).fill(NO_FLAGS);
  /**
   * The table of remembered words of a little-endian u32 base without checks (null for other
   * bases): slot {@link flagsSlot}(word) holds a word (0: empty) and its list (an empty slot's
   * is the list of 0). Generated set decoders probe it inline. Internal.
   */
  readonly memo32:
    | { readonly words: Uint32Array; readonly lists: readonly (readonly unknown[])[] }
    | null;
  /**
   * The last u64 word decoded (its two 32-bit halves, -1 before) and its list; null for other
   * bases. Generated set decoders compare a word with it inline. Internal.
   */
  readonly memo64: { lo: number; hi: number; list: readonly unknown[] } | null;
  /** A u64 word of zero needs no check (the base has none): it decodes as []. */
  readonly #zeroOk: boolean;

  decode(ctx: DecodeContext, offset: number, length: number): readonly unknown[] {
    if (this.#u32 && length === 4) return this.#remember(ctx.view.getUint32(offset, true));
    if (this.#u64 && length === 8) return this.read(ctx, offset);
    return this.#remember(this.#base.decode(ctx, offset, length));
  }

  read(ctx: DecodeContext, offset: number): readonly unknown[] {
    if (this.#u64) {
      const lo = ctx.view.getUint32(offset, true);
      const hi = ctx.view.getUint32(offset + 4, true);
      const m = this.memo64!;
      if (lo === m.lo && hi === m.hi) return m.list;
      // no flag set (many features words); remembered too when the base has no check
      const out = (lo | hi) === 0 && this.#zeroOk ? NO_FLAGS : Object.freeze(
        this.#list((this.#base as FixedCodec<unknown, unknown>).read(ctx, offset)),
      );
      m.lo = lo;
      m.hi = hi;
      m.list = out;
      return out;
    }
    if (this.#u32) return this.#remember(ctx.view.getUint32(offset, true));
    return this.#remember((this.#base as FixedCodec<unknown, unknown>).read(ctx, offset));
  }

  #remember(v: unknown): readonly unknown[] {
    if (v === 0) return NO_FLAGS; // (the base has checked it)
    if (typeof v !== "number") return Object.freeze(this.#list(v));
    const i = flagsSlot(v);
    if (this.#memoWords[i] === v) return this.#memoLists[i];
    const list = Object.freeze(this.#list(v));
    this.#memoWords[i] = v; // (a negative word of a signed base never matches: not memoised)
    this.#memoLists[i] = list;
    return list;
  }

  #value(value: unknown, ctx: EncodeContext): unknown {
    if (!Array.isArray(value)) return value; // a raw number: the base validates it
    let n = 0;
    let b = 0n;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      let bit: number | bigint | undefined;
      if (typeof item === "string") {
        bit = this.#byName.get(item);
        if (bit === undefined) {
          throw ctx.typeError(
            `${describe(item)} is not a known flag (expected ${
              [...this.#byName.keys()].join(", ")
            } or a number)`,
          );
        }
      } else if (typeof item === "number" || typeof item === "bigint") {
        bit = item;
      } else {
        throw ctx.typeError(`expected flag names or numbers, got ${describe(item)}`);
      }
      if (this.#big) b |= toBigInt(bit, this.kind, ctx);
      else {
        if (typeof bit !== "number" || !Number.isInteger(bit) || bit < 0 || bit > 0xffff_ffff) {
          throw ctx.rangeError(`flag bit ${describe(bit)} does not fit in ${this.#base.kind}`);
        }
        n = (n | bit) >>> 0;
      }
    }
    return this.#big ? b : n;
  }

  encode(w: NetlinkWriter, value: unknown, ctx: EncodeContext): void {
    this.#base.encode(w, this.#value(value, ctx), ctx);
  }

  write(view: DataView, offset: number, value: unknown, ctx: EncodeContext): void {
    (this.#base as FixedCodec<unknown, unknown>).write(view, offset, this.#value(value, ctx), ctx);
  }

  /** The word `list` stands for (see {@link flagsValue}). */
  mask(list: unknown): number | bigint {
    const ctx = new EncodeContext(`flags of ${this.type}`);
    if (!Array.isArray(list)) {
      throw ctx.typeError(`expected a list of flag names or numbers, got ${describe(list)}`);
    }
    return this.#value(list, ctx) as number | bigint;
  }

  /** The list `word` decodes to (see {@link flagsList}). */
  names(word: unknown): readonly unknown[] {
    const what = `Cannot list the flags of ${this.type}`;
    if (this.#big) {
      if (typeof word === "number" && Number.isSafeInteger(word)) word = BigInt(word);
      if (typeof word !== "bigint") {
        throw new TypeError(`${what}: expected a bigint or an integer, got ${describe(word)}`);
      }
      if (word < 0n || word > U64_MAX) throw new RangeError(`${what}: ${word} is not a u64`);
      return word === 0n ? NO_FLAGS : Object.freeze(this.#list(word));
    }
    if (typeof word !== "number" || !Number.isInteger(word)) {
      throw new TypeError(`${what}: expected an integer, got ${describe(word)}`);
    }
    const signed = this.#base.kind[0] === "s";
    if (signed ? (word | 0) !== word : (word >>> 0) !== word) {
      throw new RangeError(`${what}: ${word} does not fit in ${signed ? "s32" : "u32"}`);
    }
    return this.#remember(word);
  }
}

/**
 * The number a flag list stands for, through its flag-set codec ({@link t.flags}, the codec of a
 * family's `enum-as-flags` attribute): the OR of its bits, names or numbers, as encoding the
 * list would write it; a bigint for a 64-bit (or `uint`) base, else a number. The way back from
 * a decoded (frozen, shared) list to the kernel's word; {@link flagsList} goes the other way.
 * TypeError for a codec that is not a flag set, or an unknown name.
 *
 * @example
 * ```ts
 * import { flagsValue, t } from "@nlts/netlink/protocol";
 * const opFlags = t.flags(t.u32(), { adminPerm: 1, cmdCapDo: 2, cmdCapDump: 4 });
 * console.log(flagsValue(opFlags, ["cmdCapDo", "cmdCapDump"])); // 6
 * ```
 *
 * @example A generated family's field
 * ```ts
 * import { flagsValue } from "@nlts/netlink/protocol";
 * import { devAttrs } from "@nlts/netlink/families/netdev";
 * const xdp = devAttrs.field("xdpFeatures")!.codec;
 * console.log(flagsValue(xdp, ["basic", "redirect"])); // 3n
 * ```
 */
export function flagsValue(
  codec: Codec<unknown, never>,
  list: readonly (string | number | bigint)[],
): number | bigint {
  return flagsCodec(codec, "compute the value of flags").mask(list);
}

/**
 * The list a flag-set codec ({@link t.flags}) decodes the word `word` to: the names of its set
 * bits in definition order, then each unknown set bit as a number (bigint for a 64-bit base);
 * frozen and shared like a decoded one. The inverse of {@link flagsValue}.
 *
 * @example
 * ```ts
 * import { flagsList, t } from "@nlts/netlink/protocol";
 * const opFlags = t.flags(t.u32(), { adminPerm: 1, cmdCapDo: 2, cmdCapDump: 4 });
 * console.log(flagsList(opFlags, 6)); // ["cmdCapDo", "cmdCapDump"]
 * console.log(flagsList(opFlags, 9)); // ["adminPerm", 8]
 * ```
 */
export function flagsList(
  codec: Codec<unknown, never>,
  word: number | bigint,
): readonly unknown[] {
  return flagsCodec(codec, "list flags").names(word);
}

/** `codec` as a FlagsCodec, or a TypeError "Cannot <what>: ...". */
function flagsCodec(codec: unknown, what: string): FlagsCodec {
  if (codec instanceof FlagsCodec) return codec;
  const type = (codec as { type?: unknown } | null)?.type;
  throw new TypeError(
    `Cannot ${what}: the codec is ${
      typeof type === "string" ? type : describe(codec)
    }, not a flag set (t.flags)`,
  );
}

// ---------------------------------------------------------------------------------------------
// Structs and fixed arrays

/**
 * Options of {@link t.struct}.
 *
 * @example
 * ```ts
 * import { type StructOptions, t } from "@nlts/netlink/protocol";
 * const options: StructOptions = { packed: true };
 * const s = t.struct("packed", { a: t.u8(), b: t.u32() }, options); // 5 bytes
 * ```
 */
export interface StructOptions {
  /** Lay members out back to back, without C alignment padding (`__attribute__((packed))`). */
  packed?: boolean;
}

class Member {
  constructor(
    readonly key: string,
    readonly name: string,
    readonly codec: FixedCodec<unknown, unknown>,
    readonly offset: number,
    readonly op: number,
  ) {}
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** C structs with members laid out like the C compiler does (LP64). Internal class. */
export class StructCodecImpl<M extends StructMembers> implements StructCodec<M> {
  readonly kind = "struct";
  readonly type: string;
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly nlaFlags = 0;
  readonly repeated = false;
  readonly members: M;
  readonly offsets: { readonly [K in keyof M]: number };
  /** Reads the struct at `offset` (generated when possible). */
  readonly read: (ctx: DecodeContext, offset: number) => DecodedStruct<M>;
  readonly #list: Member[];
  readonly #keys: Set<string>;

  constructor(name: string, members: M, options?: StructOptions) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`Cannot define struct: the name must be a non-empty string`);
    }
    if (typeof members !== "object" || members === null) {
      throw new TypeError(`Cannot define struct ${name}: members must be an object`);
    }
    this.name = name;
    this.type = `struct ${name}`;
    this.members = members;
    markChecks(this, ...Object.values(members));
    this.#list = [];
    this.#keys = new Set();
    const offsets: Record<string, number> = {};
    const packed = options?.packed === true;
    let off = 0;
    let maxAlign = 1;
    for (const [key, codec] of Object.entries(members)) {
      if (key === "__proto__") {
        throw new TypeError(`Cannot define struct ${name}: "__proto__" is not a valid member`);
      }
      if (!codec || typeof codec.read !== "function" || !(codec.size >= 0)) {
        throw new TypeError(
          `Cannot define struct ${name}: member "${key}" must be a fixed-size codec`,
        );
      }
      const a = packed ? 1 : codec.align;
      off = alignUp(off, a);
      if (a > maxAlign) maxAlign = a;
      offsets[key] = off;
      this.#list.push(
        new Member(key, kebab(key), codec as FixedCodec<unknown, unknown>, off, opOf(codec)),
      );
      if (codec.kind !== "pad") this.#keys.add(key);
      off += codec.size;
    }
    this.align = maxAlign;
    this.size = packed ? off : alignUp(off, maxAlign);
    this.offsets = offsets as { readonly [K in keyof M]: number };
    // The specialised reader is generated at the first read: a module defining many structs
    // (a generated family) costs little to import, and most of them are never read.
    this.read = codegenEnabled()
      ? (ctx, offset) => {
        const gen = compileStructReader(this.#list, true)!;
        (this as { read: (ctx: DecodeContext, offset: number) => unknown }).read = gen;
        return gen(ctx, offset) as DecodedStruct<M>;
      }
      : (ctx, offset) => this.#readGeneric(ctx, offset);
    // Likewise the writer, where every member is of a kind it writes inline.
    if (codegenEnabled() && structWritable(this.#list)) {
      this.writeFast = (view, offset, value) => {
        const gen = compileStructWriter(this.#list, true)!;
        this.writeFast = gen;
        return gen(view, offset, value);
      };
    }
    setOp(this, OP.STRUCT);
  }

  /**
   * Writes `value` at `offset` and returns true when it is exactly an object of the members,
   * each valid; else returns false (some bytes written), and {@link StructCodecImpl.write}
   * raises the error. Generated; undefined when a member is of a kind it does not write.
   */
  writeFast: ((view: DataView, offset: number, value: unknown) => boolean) | undefined;

  decode(ctx: DecodeContext, offset: number): DecodedStruct<M> {
    return this.read(ctx, offset);
  }

  #readGeneric(ctx: DecodeContext, offset: number): DecodedStruct<M> {
    const out: Record<string, unknown> = {};
    const list = this.#list;
    const data = ctx.data;
    const view = ctx.view;
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      const o = offset + m.offset;
      switch (m.op) {
        case OP.PAD:
          continue;
        case OP.U8:
          out[m.key] = data[o];
          break;
        case OP.U16:
          out[m.key] = view.getUint16(o, true);
          break;
        case OP.U32:
          out[m.key] = view.getUint32(o, true);
          break;
        case OP.U64:
          out[m.key] = view.getBigUint64(o, true);
          break;
        case OP.S32:
          out[m.key] = view.getInt32(o, true);
          break;
        case OP.U16BE:
          out[m.key] = view.getUint16(o, false);
          break;
        case OP.U32BE:
          out[m.key] = view.getUint32(o, false);
          break;
        default:
          out[m.key] = m.codec.read(ctx, o);
      }
    }
    return out as DecodedStruct<M>;
  }

  encode(w: NetlinkWriter, value: EncodableStruct<M>, ctx: EncodeContext): void {
    const o = w.reserve(this.size);
    this.write(w.view, o, value, ctx);
  }

  write(view: DataView, offset: number, value: EncodableStruct<M>, ctx: EncodeContext): void {
    if (this.writeFast !== undefined && this.writeFast(view, offset, value)) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw ctx.typeError(`expected an object for ${this.type}, got ${describe(value)}`);
    }
    const v = value as Record<string, unknown>;
    for (const key in v) {
      if (!this.#keys.has(key) && v[key] !== undefined) {
        throw ctx.typeError(
          `${this.type} has no member "${key}" (members: ${[...this.#keys].join(", ")})`,
        );
      }
    }
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      const d = ctx.push(m.name);
      const mv = v[m.key];
      if (m.op !== OP.PAD && mv === undefined) throw ctx.typeError(`the member is missing`);
      m.codec.write(view, offset + m.offset, mv, ctx);
      ctx.pop(d);
    }
  }

  decodeAt(data: Uint8Array, offset = 0): DecodedStruct<M> {
    if (!Number.isInteger(offset) || offset < 0) {
      throw new RangeError(`Cannot decode ${this.name}: offset ${offset} is not a valid index`);
    }
    if (offset + this.size > data.length) {
      throw new DecodeError(
        `${this.type} needs ${this.size} bytes, ${Math.max(0, data.length - offset)} left`,
        offset,
        this.name,
      );
    }
    const ctx = acquireDecode(data, this.name, false);
    try {
      return this.read(ctx, offset);
    } finally {
      releaseDecode(ctx);
    }
  }

  encodeTo(w: NetlinkWriter, value: EncodableStruct<M>): void {
    const mark = w.length;
    try {
      this.encode(w, value, new EncodeContext(this.name));
    } catch (e) {
      w.truncate(mark);
      throw e;
    }
  }
}

/** Fixed-length arrays of a fixed-size element (C `T x[n]`). Internal class. */
export class FixedArrayCodec implements FixedCodec<unknown[], readonly unknown[]> {
  readonly kind = "array";
  readonly type: string;
  readonly size: number;
  readonly align: number;
  readonly nlaFlags = 0;
  readonly repeated = false;
  readonly #elem: FixedCodec<unknown, unknown>;
  readonly #count: number;

  constructor(elem: FixedCodec<unknown, never>, count: number) {
    if (!elem || typeof elem.read !== "function" || !(elem.size >= 0)) {
      throw new TypeError(`Cannot define array: the element must be a fixed-size codec`);
    }
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`Cannot define array: count ${count} must be a non-negative integer`);
    }
    this.#elem = elem as FixedCodec<unknown, unknown>;
    markChecks(this, elem);
    this.#count = count;
    this.size = elem.size * count;
    this.align = elem.align;
    this.type = `${elem.type}[${count}]`;
  }

  decode(ctx: DecodeContext, offset: number): unknown[] {
    return this.read(ctx, offset);
  }

  read(ctx: DecodeContext, offset: number): unknown[] {
    const out = new Array<unknown>(this.#count);
    const step = this.#elem.size;
    for (let i = 0; i < this.#count; i++) out[i] = this.#elem.read(ctx, offset + i * step);
    return out;
  }

  encode(w: NetlinkWriter, value: readonly unknown[], ctx: EncodeContext): void {
    const o = w.reserve(this.size);
    this.write(w.view, o, value, ctx);
  }

  write(view: DataView, offset: number, value: readonly unknown[], ctx: EncodeContext): void {
    if (!Array.isArray(value) || value.length !== this.#count) {
      throw ctx.typeError(`expected an array of ${this.#count} items, got ${describe(value)}`);
    }
    const step = this.#elem.size;
    for (let i = 0; i < this.#count; i++) {
      const d = ctx.push(i);
      this.#elem.write(view, offset + i * step, value[i], ctx);
      ctx.pop(d);
    }
  }
}

/**
 * A C array of fixed-size elements filling the whole payload (YNL `binary` with a scalar
 * `sub-type`): the element count is the payload length over the element size. Internal class.
 */
export class VarArrayCodec implements Codec<unknown[], readonly unknown[]> {
  readonly kind = "array";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;
  readonly #elem: FixedCodec<unknown, unknown>;

  constructor(elem: FixedCodec<unknown, never>) {
    if (!elem || typeof elem.read !== "function" || !(elem.size > 0)) {
      throw new TypeError(`Cannot define array: the element must be a fixed-size codec`);
    }
    this.#elem = elem as FixedCodec<unknown, unknown>;
    markChecks(this, elem);
    this.type = `${elem.type}[]`;
  }

  decode(ctx: DecodeContext, offset: number, length: number): unknown[] {
    const step = this.#elem.size;
    if (length % step !== 0) {
      throw ctx.error(`${length} bytes are not a whole number of ${this.#elem.type}`, offset - 4);
    }
    const n = length / step;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.#elem.read(ctx, offset + i * step);
    return out;
  }

  encode(w: NetlinkWriter, value: readonly unknown[], ctx: EncodeContext): void {
    if (!Array.isArray(value)) throw ctx.typeError(`expected an array, got ${describe(value)}`);
    const step = this.#elem.size;
    const o = w.reserve(step * value.length);
    const view = w.view;
    for (let i = 0; i < value.length; i++) {
      const d = ctx.push(i);
      this.#elem.write(view, o + i * step, value[i], ctx);
      ctx.pop(d);
    }
  }
}

/**
 * An IP address of either family, by payload length: 4 bytes as "10.0.0.1", 16 bytes as
 * RFC 5952 text (YNL `binary` with an ipv4 / ipv6 display hint, which the kernel also uses for
 * attributes that carry either family). Internal class.
 */
export class IpCodec implements Codec<string> {
  readonly kind = "ip";
  readonly type = "ip";
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  decode(ctx: DecodeContext, offset: number, length: number): string {
    if (length === 4) return fmtIpv4(ctx.data, offset);
    if (length === 16) return fmtIpv6(ctx.data, offset);
    throw ctx.error(`expected 4 or 16 bytes for an IP address, got ${length}`, offset - 4);
  }

  encode(w: NetlinkWriter, value: string, ctx: EncodeContext): void {
    const v4 = typeof value === "string" ? ipv4ToU32(value) : -1;
    if (v4 >= 0) {
      const o = w.reserve(4);
      w.view.setUint32(o, v4, false);
      return;
    }
    const b = typeof value === "string" ? parseIpv6(value) : null;
    if (b === null) {
      throw ctx.typeError(`expected an IPv4 or IPv6 address, got ${describe(value)}`);
    }
    w.putBytes(b);
  }
}

/**
 * A link-layer address of any length as colon-separated hex, "00:11:22:33:44:55" (YNL `binary`
 * with the mac display hint: 6 bytes for Ethernet, 4 or 16 for IP tunnels, 20 for
 * InfiniBand). Internal class.
 */
export class LladdrCodec implements Codec<string> {
  readonly kind = "lladdr";
  readonly type = "lladdr";
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  decode(ctx: DecodeContext, offset: number, length: number): string {
    if (length === 6) return fmtMac(ctx.data, offset);
    const d = ctx.data;
    let s = "";
    for (let i = 0; i < length; i++) {
      const b = d[offset + i];
      s += (i === 0 ? "" : ":") + (b < 16 ? "0" : "") + b.toString(16);
    }
    return s;
  }

  encode(w: NetlinkWriter, value: string, ctx: EncodeContext): void {
    if (typeof value !== "string" || !/^([0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*)?$/.test(value)) {
      throw ctx.typeError(
        `expected a link-layer address like "00:11:22:33:44:55", got ${describe(value)}`,
      );
    }
    if (value === "") return;
    const parts = value.split(":");
    const o = w.reserve(parts.length);
    for (let i = 0; i < parts.length; i++) w.view.setUint8(o + i, parseInt(parts[i], 16));
  }
}

/**
 * A struct carried as an attribute whose payload may be longer than the struct (a newer
 * kernel's larger version): the struct is read from the first bytes and the bytes after it are
 * kept as `unknown` (an owned copy), which encoding writes back after the struct; a shorter
 * payload is a DecodeError. Internal class.
 */
export class ExtensibleStructCodec implements Codec<unknown, unknown> {
  readonly kind = "struct";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;
  /** The struct. */
  readonly struct: StructCodec<StructMembers>;

  constructor(struct: StructCodec<StructMembers>) {
    if (!(struct instanceof StructCodecImpl)) {
      throw new TypeError(`Cannot define extensible struct: expected a t.struct() codec`);
    }
    if (Object.hasOwn(struct.members, "unknown")) {
      throw new TypeError(
        `Cannot define extensible ${struct.type}: its member "unknown" would hide the extra bytes`,
      );
    }
    this.struct = struct;
    markChecks(this, struct);
    this.type = struct.type;
  }

  decode(ctx: DecodeContext, offset: number, length: number): unknown {
    const s = this.struct;
    if (length < s.size) {
      throw ctx.error(`expected at least ${s.size} bytes for ${s.type}, got ${length}`, offset - 4);
    }
    const v = s.read(ctx, offset);
    if (length > s.size) {
      (v as Record<string, unknown>).unknown = copyBytes(
        ctx.data,
        offset + s.size,
        length - s.size,
      );
    }
    return v;
  }

  encode(w: NetlinkWriter, value: unknown, ctx: EncodeContext): void {
    if (typeof value === "object" && value !== null && "unknown" in value) {
      const { unknown, ...members } = value as Record<string, unknown>;
      this.struct.encode(w, members as EncodableStruct<StructMembers>, ctx);
      if (unknown === undefined) return;
      if (!(unknown instanceof Uint8Array)) {
        throw ctx.typeError(
          `expected the extra bytes of ${this.type} (unknown) as a Uint8Array, got ${
            describe(unknown)
          }`,
        );
      }
      w.putBytes(unknown);
      return;
    }
    this.struct.encode(w, value as EncodableStruct<StructMembers>, ctx);
  }
}
