/**
 * Attribute sets ({@link AttrSet}, {@link attrSet}) and the codecs that contain attributes:
 * nests, indexed arrays, multi-attr, ordered lists, keyed maps and lazy (recursive) references.
 *
 * @module
 */

import { NLA_F, NLA_FLAG_BITS, NLA_HDRLEN } from "./constants.ts";
import { copyBytesAt as copyBytes } from "./_bytes.ts";
import {
  acquireDecode,
  acquireEncode,
  ALIGNED_MAX_PAYLOAD,
  CheckFailure,
  checkGrowth,
  type DecodeContext,
  decodeString,
  describe,
  type EncodeContext,
  kebab,
  markChecks,
  MAX_NESTING,
  OP,
  opOf,
  raisesChecks,
  releaseDecode,
  releaseEncode,
  setOp,
} from "./schema_context.ts";
import {
  codegenEnabled,
  compileSetDecoder,
  compileSetEncoder,
  countAttrs,
  LEAF_OPS,
  ownCopy,
} from "./schema_compile.ts";
import { type InlineCheck, IntCodec, StructCodecImpl } from "./schema_scalars.ts";
import type { AttrNames, AttrTrace } from "./schema_trace.ts";
import type {
  AttrFields,
  Codec,
  DecodedAttrs,
  DecodedOf,
  DecodedStruct,
  DecodeOptions,
  EncodableAttrs,
  EncodableListItem,
  EncodableOf,
  EncodableStruct,
  EncodeOptions,
  MapEntry,
  NonPadKeys,
  StructCodec as StructCodecType,
  StructMembers,
  UnknownAttr,
  UnknownItem,
} from "./schema_types.ts";
import type { NetlinkWriter } from "./writer.ts";

type AnyCodec = Codec<unknown, unknown>;

/** What a slot needs of a struct codec (schema_scalars' StructCodecImpl): its compiled reader. */
interface StructReader {
  read(ctx: DecodeContext, offset: number): unknown;
}

/**
 * How one value is decoded: the codec plus what the loops need to decode it inline (operation
 * code, exact size, nested set or struct). One class, so every loop reads it monomorphically.
 */
class Slot {
  readonly codec: AnyCodec;
  readonly op: number;
  readonly size: number;
  readonly set: SetImpl | null;
  readonly struct: StructReader | null;
  /** Longest string in UTF-8 bytes (`maxLength` of a string codec; Infinity otherwise). */
  readonly max: number;
  /** A checked integer's operation and range, for generated decoders (see IntCodec). */
  readonly check: InlineCheck | null;

  constructor(codec: AnyCodec) {
    this.codec = codec;
    this.op = opOf(codec);
    this.check = codec instanceof IntCodec ? codec.inlineCheck : null;
    this.size = codec.size;
    this.max = (codec as { maxLength?: number }).maxLength ?? Infinity;
    this.set = codec instanceof NestCodec ? codec.impl : null;
    this.struct = this.op === OP.STRUCT ? codec as unknown as StructReader : null;
  }
}

/** One attribute of a set. */
class Field extends Slot {
  readonly key: string;
  readonly name: string;
  readonly type: number;
  readonly declared: AnyCodec;
  readonly repeated: boolean;

  constructor(key: string, name: string, type: number, declared: AnyCodec) {
    const repeated = declared instanceof MultiCodec;
    super(repeated ? (declared as MultiCodec).inner : declared);
    this.key = key;
    this.name = name;
    this.type = type;
    this.declared = declared;
    this.repeated = repeated;
  }
}

function decodeValue(s: Slot, c: DecodeContext, p: number, len: number): unknown {
  switch (s.op) {
    case OP.U8:
      return c.data[p];
    case OP.U16:
      return c.view.getUint16(p, true);
    case OP.U32:
      return c.view.getUint32(p, true);
    case OP.U64:
      return c.view.getBigUint64(p, true);
    case OP.S8:
      return c.view.getInt8(p);
    case OP.S16:
      return c.view.getInt16(p, true);
    case OP.S32:
      return c.view.getInt32(p, true);
    case OP.S64:
      return c.view.getBigInt64(p, true);
    case OP.U16BE:
      return c.view.getUint16(p, false);
    case OP.U32BE:
      return c.view.getUint32(p, false);
    case OP.U64BE:
      return c.view.getBigUint64(p, false);
    case OP.STRING:
      return decodeString(c, p, len, s.max);
    case OP.FLAG:
      return true;
    case OP.BINARY:
      return copyBytes(c.data, p, len);
    case OP.NEST:
      return (s.set as SetImpl).decode(c, p, p + len);
    case OP.STRUCT:
      return (s.struct as StructReader).read(c, p);
    default:
      return s.codec.decode(c, p, len);
  }
}

function sizeError(c: DecodeContext, s: Slot, pos: number, len: number): Error {
  return c.error(`expected ${s.size} bytes for ${s.codec.type}, got ${len}`, pos);
}

/** Reads and checks the attribute header at `pos`; returns nla_len. */
function attrLen(c: DecodeContext, pos: number, end: number): number {
  const len = c.view.getUint16(pos, true);
  if (len < NLA_HDRLEN) {
    throw c.error(`nla_len ${len} is shorter than the 4-byte attribute header`, pos);
  }
  if (len > end - pos) {
    throw c.error(`nla_len ${len} runs past the end of its parent (${end - pos} bytes left)`, pos);
  }
  return len;
}

function unknownAttr(c: DecodeContext, raw: number, p: number, len: number): UnknownAttr {
  const u: UnknownAttr = { type: raw & NLA_F.TYPE_MASK, bytes: copyBytes(c.data, p, len) };
  if (raw & NLA_FLAG_BITS) u.flags = raw & NLA_FLAG_BITS;
  return u;
}

/**
 * The attribute of `[pos, end)` that failed with `e`: when `e` is a value outside its codec's
 * checks ({@link CheckFailure}) and decoding is not strict, the position of the attribute
 * holding its offset (the attributes from `pos` to it have been read, headers checked); else
 * `e` is thrown again.
 */
function failedAttr(c: DecodeContext, e: unknown, pos: number, end: number): number {
  if (!(e instanceof CheckFailure) || c.strict) throw e;
  const view = c.view;
  while (end - pos >= NLA_HDRLEN) {
    const len = view.getUint16(pos, true);
    if (len < NLA_HDRLEN) break;
    if (e.offset >= pos + NLA_HDRLEN && e.offset < pos + len) return pos;
    pos += (len + 3) & ~3;
  }
  throw e; // not reached: the failure lies in one of them
}

/**
 * After `e` was thrown decoding the attributes of `[pos, end)` into `out`: when it is a value
 * outside its codec's checks ({@link CheckFailure}) and decoding is not strict, keeps the
 * attribute holding it in `out.unknown` as it came and returns where the next attribute starts;
 * any other error (or strict) is thrown again. `d` is the set's path depth. A multi-attr list
 * that the failed item had just created, still empty, goes.
 */
function keepChecked(
  set: SetImpl,
  c: DecodeContext,
  out: Record<string, unknown>,
  e: unknown,
  from: number,
  end: number,
  d: number,
): number {
  const pos = failedAttr(c, e, from, end);
  c.depth = d;
  const len = c.view.getUint16(pos, true);
  const raw = c.view.getUint16(pos + 2, true);
  const f = set.byType[raw & NLA_F.TYPE_MASK];
  if (f?.repeated && (out[f.key] as unknown[] | undefined)?.length === 0) delete out[f.key];
  const u = unknownAttr(c, raw, pos + NLA_HDRLEN, len - NLA_HDRLEN);
  const list = out.unknown as UnknownAttr[] | undefined;
  if (list === undefined) out.unknown = [u];
  else list.push(u);
  return pos + ((len + 3) & ~3);
}

function setOf(codec: AnyCodec): SetImpl | null {
  if (codec instanceof NestCodec) return codec.impl;
  if (codec instanceof LazyCodec) return setOf(codec.resolve());
  return null;
}

/** Writes one attribute: header, payload, length; records it when tracing. */
function writeAttr(
  w: NetlinkWriter,
  type: number,
  codec: AnyCodec,
  value: unknown,
  c: EncodeContext,
): void {
  const start = w.beginAttr(type | codec.nlaFlags);
  const trace = c.trace;
  if (trace === null) {
    codec.encode(w, value, c);
  } else {
    const i = trace.open(start, c.ynlPath(), setOf(codec));
    codec.encode(w, value, c);
    trace.close(i, w.length);
  }
  w.endAttr(start);
}

function writeUnknown(w: NetlinkWriter, u: unknown, c: EncodeContext): void {
  if (typeof u !== "object" || u === null) {
    throw c.typeError(`expected {type, bytes} for an unknown attribute, got ${describe(u)}`);
  }
  const { type, bytes, flags } = u as Partial<UnknownAttr>;
  if (typeof type !== "number" || !Number.isInteger(type) || type < 0 || type > NLA_F.TYPE_MASK) {
    throw c.rangeError(`unknown attribute type ${describe(type)} is not an integer 0..16383`);
  }
  if (!(bytes instanceof Uint8Array)) {
    throw c.typeError(`expected a Uint8Array in bytes, got ${describe(bytes)}`);
  }
  const d = c.push(`type-${type}`);
  const start = w.beginAttr(type | ((flags ?? 0) & NLA_FLAG_BITS));
  const trace = c.trace;
  const i = trace === null ? -1 : trace.open(start, c.ynlPath(), null);
  w.putBytes(bytes);
  if (trace !== null) trace.close(i, w.length);
  w.endAttr(start);
  c.pop(d);
}

function checkArray(v: unknown, what: string, c: EncodeContext): readonly unknown[] {
  if (!Array.isArray(v)) throw c.typeError(`expected an array (${what}), got ${describe(v)}`);
  return v;
}

/** True when `codec` is, or contains below it, a sub-message. */
function reachesSubMessage(codec: unknown, seen: Set<SetImpl>): boolean {
  if (codec instanceof SubMessageCodec) return true;
  if (codec instanceof LazyCodec) return reachesSubMessage(codec.resolve(), seen);
  if (codec instanceof MultiCodec) return reachesSubMessage(codec.inner, seen);
  if (codec instanceof IndexedArrayCodec || codec instanceof MapCodec) {
    return reachesSubMessage(codec.inner, seen);
  }
  const impl = codec instanceof NestCodec
    ? codec.impl
    : codec instanceof ListCodec
    ? codec.impl
    : null;
  if (impl === null || seen.has(impl)) return false;
  seen.add(impl);
  // a set whose definer said so is not built to find out
  if (impl.subMessages !== undefined) return impl.subMessages;
  impl.ready();
  return impl.fields.some((f) => reachesSubMessage(f.declared, seen));
}

/** Adds to `out` the sets that `codec` holds without a lazy step (nests, and lists of them). */
function directSets(codec: unknown, out: SetImpl[]): void {
  if (codec instanceof NestCodec || codec instanceof ListCodec) out.push(codec.impl);
  else if (
    codec instanceof MultiCodec || codec instanceof IndexedArrayCodec || codec instanceof MapCodec
  ) {
    directSets(codec.inner, out);
  }
}

/**
 * True when `start` (its fields just made) holds itself through sets already built, not
 * through t.lazy: the set whose build closes such a cycle finds it, as every other set on it
 * is built by then.
 */
function containsItself(start: SetImpl): boolean {
  const seen = new Set<SetImpl>();
  const stack = [start];
  const next: SetImpl[] = [];
  while (stack.length > 0) {
    for (const f of stack.pop()!.fields) {
      next.length = 0;
      directSets(f.declared, next);
      for (const s of next) {
        if (s === start) return true;
        if (!seen.has(s) && s.built) {
          seen.add(s);
          stack.push(s);
        }
      }
    }
  }
  return false;
}

/** The runtime of an attribute set (kept apart from the public class). */
class SetImpl implements AttrNames {
  readonly name: string;
  readonly fields: Field[] = [];
  readonly byType: (Field | null)[] = [];
  readonly byKey: Map<string, Field> = new Map();
  /**
   * Whether decoding a field may fail a value's checks (see `IntOptions`): then the decoders
   * catch it and keep the attribute in `unknown`. Known once the fields are defined.
   */
  checks = false;

  /** Decodes `[start, end)`: the generated decoder, or the generic loop. */
  decode: (c: DecodeContext, start: number, end: number) => Record<string, unknown>;
  /** The decoder without selector scopes (generated or generic). */
  #plain: (c: DecodeContext, start: number, end: number) => Record<string, unknown>;
  /**
   * Whether this set or a set below it holds a sub-message: then its objects are pushed as
   * selector scopes while decoding and encoding. Known at the first use (sets nested through
   * t.lazy exist only by then).
   */
  #scoped: boolean | undefined;

  /** Encodes `value`: a first call that builds the set, then {@link SetImpl.encodeValue}. */
  encode: (w: NetlinkWriter, value: unknown, c: EncodeContext) => void;
  /**
   * Whether a sub-message is reachable from this set, when its definer said so (then the sets
   * it nests are not built to find out).
   */
  readonly subMessages: boolean | undefined;
  /** Makes the fields (the AttrSet's build) while they are still to make; null once made. */
  #fill: (() => unknown) | null;

  /**
   * `fill` makes the fields at the first use that reaches the set (decode, encode, names); a
   * parent's nest holds the set before that, and its first decode or encode builds it.
   */
  constructor(name: string, fill: (() => unknown) | null = null, subMessages?: boolean) {
    this.name = name;
    this.#fill = fill;
    this.subMessages = subMessages;
    this.#plain = (c, start, end) => this.decodeGeneric(c, start, end);
    this.decode = this.#firstDecode;
    this.encode = this.#firstEncode;
  }

  /** Whether the fields are made. */
  get built(): boolean {
    return this.#fill === null;
  }

  /** Makes the fields if they are still to make (errors in them are raised here, each time). */
  ready(): void {
    if (this.#fill !== null) this.#fill();
  }

  #firstEncode(w: NetlinkWriter, value: unknown, c: EncodeContext): void {
    this.ready();
    this.encode = this.encodeValue;
    if (this.#generateEncoder && !this.scoped()) {
      const gen = compileSetEncoder(this.fields, {
        field: (w, f, v, c) => this.#encodeField(w, f as Field, v, c),
        slow: (w, obj, c, start) => {
          w.truncate(start);
          this.encodeValue(w, obj, c);
        },
      });
      if (gen !== null) {
        // The generic loop for what is not an object of attributes, and for traced encodes.
        this.encode = (w, value, c) => {
          if (
            typeof value !== "object" || value === null || Array.isArray(value) || c.trace !== null
          ) {
            this.encodeValue(w, value, c);
          } else gen(w, value as Record<string, unknown>, c);
        };
      }
    }
    this.encode(w, value, c);
  }

  /** Whether the specialised encoder is to be generated at the first encode (setCodegen). */
  #generateEncoder = false;

  #firstDecode = (c: DecodeContext, start: number, end: number): Record<string, unknown> => {
    this.ready();
    if (this.#generate) {
      this.#generate = false;
      this.#compile();
    }
    this.decode = this.scoped() ? this.#decodeScoped : this.#plain;
    return this.decode(c, start, end);
  };

  #decodeScoped = (c: DecodeContext, start: number, end: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const n = c.scopes.length;
    c.scopes.push({ keys: this.byKey, obj: out });
    try {
      return this.decodeGeneric(c, start, end, out);
    } finally {
      c.scopes.length = n;
    }
  };

  /** True when a sub-message is reachable from this set (see the #scoped field). */
  scoped(): boolean {
    if (this.#scoped === undefined && this.subMessages !== undefined) {
      this.#scoped = this.subMessages;
    }
    if (this.#scoped === undefined) {
      this.ready();
      this.#scoped = false; // a cycle back here adds nothing
      const seen = new Set<SetImpl>([this]);
      this.#scoped = this.fields.some((f) => reachesSubMessage(f.declared, seen));
    }
    return this.#scoped;
  }

  /**
   * Whether the specialised decoder is still to be generated (at the first decode: a family
   * loaded from a spec defines hundreds of sets, and most of an operation's request sets are
   * never decoded).
   */
  #generate = false;

  /**
   * Called once every field is defined; `generate`: whether decoders were generated when the
   * set was defined (setCodegen).
   */
  finish(generate: boolean): void {
    this.checks = this.fields.some((f) => raisesChecks(f.declared));
    this.#generate = generate;
    this.#generateEncoder = generate;
    this.#fill = null;
  }

  /** Generates the specialised decoder. */
  #compile(): void {
    const gen = compileSetDecoder(this.fields, {
      headerError: (c, pos, end) => {
        const type = c.view.getUint16(pos + 2, true) & NLA_F.TYPE_MASK;
        const f = this.byType[type];
        if (f) c.push(f.name);
        attrLen(c, pos, end);
        throw c.error("bad attribute header", pos); // not reached: attrLen throws
      },
      sizeError: (c, f, pos, len) => sizeError(c, f as Field, pos, len),
      unknown: (c, o, raw, pos, len) => {
        if (c.strict) {
          throw c.error(`unknown attribute type ${raw & NLA_F.TYPE_MASK}`, pos);
        }
        const u = unknownAttr(c, raw, pos + NLA_HDRLEN, len);
        const list = o.unknown as UnknownAttr[] | undefined;
        if (list === undefined) o.unknown = [u];
        else list.push(u);
      },
      keep: (c, o, e, pos, end, d) => keepChecked(this, c, o, e, pos, end, d),
      checkGrowth,
    }, this.checks);
    if (gen !== null) this.#plain = gen;
  }

  nameOf(type: number): string | undefined {
    this.ready();
    return (type < this.byType.length ? this.byType[type] : null)?.name;
  }

  decodeGeneric(
    c: DecodeContext,
    start: number,
    end: number,
    out: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const grow = c.grow;
    if (!this.checks) this.#attrs(c, start, end, out);
    else {
      const d = c.depth;
      let pos = start;
      for (;;) {
        try {
          this.#attrs(c, pos, end, out);
          break;
        } catch (e) {
          pos = keepChecked(this, c, out, e, pos, end, d); // a value outside its checks
        }
      }
    }
    if (c.grow !== grow || end - start > ALIGNED_MAX_PAYLOAD) checkGrowth(c, start, end, grow);
    return out;
  }

  /** Decodes the attributes of `[pos, end)` into `out` (the generic loop). */
  #attrs(c: DecodeContext, pos: number, end: number, out: Record<string, unknown>): void {
    const byType = this.byType;
    const n = byType.length;
    const view = c.view;
    const d = c.depth;
    while (end - pos >= NLA_HDRLEN) {
      const raw = view.getUint16(pos + 2, true);
      const type = raw & NLA_F.TYPE_MASK;
      const f = type < n ? byType[type] : null;
      if (f !== null) {
        c.frames[d] = f.name;
        c.depth = d + 1;
      }
      const len = attrLen(c, pos, end);
      const p = pos + NLA_HDRLEN;
      const plen = len - NLA_HDRLEN;
      if (f === null) {
        if (c.strict) throw c.error(`unknown attribute type ${type}`, pos);
        const u = unknownAttr(c, raw, p, plen);
        const list = out.unknown as UnknownAttr[] | undefined;
        if (list === undefined) out.unknown = [u];
        else list.push(u);
      } else if (f.op !== OP.PAD) {
        if (f.size >= 0 && plen !== f.size) throw sizeError(c, f, pos, plen);
        if (f.repeated) {
          let list = out[f.key] as unknown[] | undefined;
          if (list === undefined) out[f.key] = list = [];
          c.frames[d + 1] = list.length;
          c.depth = d + 2;
          list.push(decodeValue(f, c, p, plen));
        } else {
          out[f.key] = decodeValue(f, c, p, plen);
        }
      }
      c.depth = d;
      pos += (len + 3) & ~3;
    }
  }

  /** Encodes `value` (the set built). */
  encodeValue(w: NetlinkWriter, value: unknown, c: EncodeContext): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw c.typeError(`expected an object of ${this.name} attributes, got ${describe(value)}`);
    }
    const obj = value as Record<string, unknown>;
    if (this.scoped()) {
      const n = c.scopes.length;
      c.scopes.push({ keys: this.byKey, obj });
      try {
        this.#encodeFields(w, obj, c);
      } finally {
        c.scopes.length = n;
      }
    } else {
      this.#encodeFields(w, obj, c);
    }
  }

  #encodeFields(w: NetlinkWriter, obj: Record<string, unknown>, c: EncodeContext): void {
    for (const key in obj) {
      const v = obj[key];
      if (v === undefined) continue;
      if (key === "unknown") {
        const list = checkArray(v, "unknown attributes", c);
        for (let i = 0; i < list.length; i++) writeUnknown(w, list[i], c);
        continue;
      }
      const f = this.byKey.get(key);
      if (f === undefined) {
        throw c.typeError(
          `${this.name} has no attribute "${key}" (known: ${[...this.byKey.keys()].join(", ")})`,
        );
      }
      if (f.op === OP.PAD) continue;
      this.#encodeField(w, f, v, c);
    }
  }

  /** Encodes the value `v` (defined) of field `f` (not a pad). */
  #encodeField(w: NetlinkWriter, f: Field, v: unknown, c: EncodeContext): void {
    const d = c.push(f.name);
    if (f.repeated) {
      const list = checkArray(v, `multi-attr ${f.codec.type}`, c);
      for (let i = 0; i < list.length; i++) {
        c.frames[d + 1] = i;
        c.depth = d + 2;
        writeAttr(w, f.type, f.codec, list[i], c);
      }
    } else if (f.op === OP.FLAG && v === false) {
      // an absent flag
    } else {
      writeAttr(w, f.type, f.codec, v, c);
    }
    c.pop(d);
  }
}

/**
 * Options of one attribute in {@link attrSet}.
 *
 * @example
 * ```ts
 * import { type AttrOptions, attrSet, t } from "@nlts/netlink/protocol";
 * const opts: AttrOptions = { name: "ipv4-src" };
 * const s = attrSet("tunnel", { src: [1, t.ipv4(), opts] });
 * ```
 */
export interface AttrOptions {
  /** The YNL name (kebab-case) used in paths, when it is not the kebab-case of the key. */
  name?: string;
}

/**
 * One attribute in {@link attrSet}: `[type, codec]` or `[type, codec, options]`.
 *
 * @example
 * ```ts
 * import { type AttrEntry, t } from "@nlts/netlink/protocol";
 * const entry: AttrEntry = [3, t.u8(), { name: "weird-2name" }];
 * ```
 */
export type AttrEntry =
  | readonly [type: number, codec: Codec<unknown, never>]
  | readonly [type: number, codec: Codec<unknown, never>, options: AttrOptions];

/**
 * The fields (codecs by key) of an {@link attrSet} spec.
 *
 * @example
 * ```ts
 * import type { FieldsOf, FixedCodec } from "@nlts/netlink/protocol";
 * type F = FieldsOf<{ mtu: readonly [4, FixedCodec<number>] }>; // { mtu: FixedCodec<number> }
 * ```
 */
export type FieldsOf<S> = {
  [K in keyof S]: S[K] extends
    readonly [number, infer C extends Codec<unknown, never>, ...unknown[]] ? C
    : never;
};

/**
 * One attribute of an {@link AttrSet}, for introspection.
 *
 * @example
 * ```ts
 * import { type AttrField, attrSet, t } from "@nlts/netlink/protocol";
 * const link = attrSet("link", { mtu: [4, t.u32()] });
 * const f: AttrField | undefined = link.field("mtu");
 * console.log(f?.name, f?.type); // "mtu" 4
 * ```
 */
export interface AttrField {
  /** The camelCase key of decoded objects, e.g. "familyName". */
  readonly key: string;
  /** The YNL name used in paths and messages, e.g. "family-name". */
  readonly name: string;
  /** The attribute type number. */
  readonly type: number;
  /** The codec. */
  readonly codec: Codec<unknown, never>;
}

let implOf: (set: AttrSet<AttrFields>) => SetImpl;
let shellOf: (set: AttrSet<AttrFields>) => SetImpl;

/**
 * {@link AttrSet.decode} on the caller's own context `c` (pointed at `data` here) instead of
 * one taken from the pool and given back per call: for a decoder of many messages (a family's
 * replies) that is not re-entered while it decodes. Same range check, paths and errors.
 * Internal.
 */
export function decodeOn<F extends AttrFields>(
  c: DecodeContext,
  set: AttrSet<F>,
  data: Uint8Array,
  start: number,
  end: number,
  strict: boolean,
): DecodedAttrs<F> {
  if (!(start >= 0 && start <= end && end <= data.length)) return set.decode(data, start, end);
  const impl = implOf(set as unknown as AttrSet<AttrFields>);
  return impl.decode(c.reset(data, set.name, strict), start, end) as DecodedAttrs<F>;
}

/**
 * Options of {@link attrSet}.
 *
 * @example
 * ```ts
 * import { attrSet, type AttrSetOptions, t } from "@nlts/netlink/protocol";
 * const options: AttrSetOptions = { subMessages: false };
 * const key = attrSet("key-attrs", () => ({ inPort: [3, t.u32()] }), options);
 * ```
 */
export interface AttrSetOptions {
  /**
   * Whether a sub-message ({@link t.subMessage}) is reachable from this set through its nests.
   * Sets on the way to a sub-message keep their decoded objects in scope for its selector; left
   * out, the set finds out at its first use by building every set it nests. A code generator
   * that knows (the YNL engine) says so, and the sets it nests are then built only when a
   * message reaches them. A wrong `false` leaves a sub-message without its selector.
   */
  subMessages?: boolean;
}

/** The entries of an attribute set: `[type, codec]` or `[type, codec, options]` by key. */
type AttrSpec = { readonly [key: string]: AttrEntry };

/** A built set: its runtime, and what the class shows of it. */
interface Built {
  readonly impl: SetImpl;
  readonly codecs: Record<string, AnyCodec>;
  readonly fields: readonly AttrField[];
}

/**
 * A declarative attribute set: each attribute's key, number and codec. The decoded and
 * encodable object types are inferred from it ({@link Decoded}, {@link Encodable}).
 *
 * Decoded objects: keys are the camelCase keys of the schema, every attribute is optional,
 * attributes the schema does not know are kept in `unknown` as `{ type, bytes, flags? }` and
 * written back by {@link AttrSet.encode} (so they survive a round trip). When an attribute that
 * is not multi-attr appears twice, the last one wins (like the kernel's `nla_parse`).
 *
 * Encoding writes the attributes in the key order of the value (a decoded object therefore
 * re-encodes in wire order) and rejects keys the set does not know.
 *
 * @example
 * ```ts
 * import { attrSet, NetlinkWriter, t } from "@nlts/netlink/protocol";
 * const mcastGroup = attrSet("mcast-group-attrs", { name: [1, t.string()], id: [2, t.u32()] });
 * const w = new NetlinkWriter();
 * mcastGroup.encode(w, { name: "notify", id: 16 });
 * console.log(mcastGroup.decode(w.bytes())); // { name: "notify", id: 16 }
 * ```
 */
export class AttrSet<F extends AttrFields> {
  /** The attribute set's YNL name, e.g. "ctrl-attrs"; the root of error paths. */
  readonly name: string;
  /** The spec still to build (a function given to the constructor), or null once built. */
  #spec: AttrSpec | (() => AttrSpec) | null;
  #built: Built | null = null;
  /** The runtime: made now, its fields at the first use (a nest of the set does not build it). */
  readonly #impl: SetImpl;
  /** Whether decoders were generated when the set was defined (setCodegen). */
  readonly #generate: boolean = codegenEnabled();

  static {
    implOf = (set) => (set.#built ?? set.#build()).impl;
    shellOf = (set) => set.#impl;
  }

  /**
   * Defines the set; prefer {@link attrSet}, which infers the types. `spec` may be a function
   * returning the entries: then they are made and checked at the set's first use (a module
   * defining many sets, like a generated family, costs little to import), and errors in them
   * are raised there.
   */
  constructor(name: string, spec: AttrSpec | (() => AttrSpec), options?: AttrSetOptions) {
    if (typeof name !== "string" || name === "") {
      throw new TypeError(`Cannot define attribute set: the name must be a non-empty string`);
    }
    if (
      typeof spec !== "function" &&
      (typeof spec !== "object" || spec === null || Array.isArray(spec))
    ) {
      throw new TypeError(
        `Cannot define attribute set ${name}: the spec must be an object of [type, codec] entries`,
      );
    }
    this.name = name;
    this.#spec = spec;
    const sub = options?.subMessages;
    if (sub !== undefined && typeof sub !== "boolean") {
      throw new TypeError(`Cannot define attribute set ${name}: subMessages must be a boolean`);
    }
    this.#impl = new SetImpl(name, () => this.#build(), sub);
    if (typeof spec !== "function") this.#build();
  }

  /** Whether a sub-message is reachable from the set, when its definer said so. */
  get subMessages(): boolean | undefined {
    return this.#impl.subMessages;
  }

  /** Builds the runtime from the spec (once). */
  #build(): Built {
    if (this.#built !== null) return this.#built;
    const name = this.name;
    const given = this.#spec!;
    if (typeof given === "function") {
      // a set nesting itself other than through t.lazy would recurse here for ever
      this.#spec = () => {
        throw new TypeError(
          `Cannot define attribute set ${name}: it contains itself (nest it through t.lazy)`,
        );
      };
    }
    const impl = this.#impl;
    const codecs: Record<string, AnyCodec> = {};
    try {
      const spec = typeof given === "function" ? given() : given;
      if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
        throw new TypeError(
          `Cannot define attribute set ${name}: the spec must be an object of [type, codec] entries`,
        );
      }
      for (const [key, entry] of Object.entries(spec)) {
        if (!Array.isArray(entry)) {
          throw new TypeError(`Cannot define ${name}.${key}: expected [type, codec]`);
        }
        const [type, codec, options] = entry as [number, AnyCodec, AttrOptions?];
        if (key === "unknown" || key === "__proto__") {
          throw new TypeError(
            `Cannot define ${name}.${key}: the key is reserved (unknown attributes go in "unknown")`,
          );
        }
        if (!Number.isInteger(type) || type < 0 || type > NLA_F.TYPE_MASK) {
          throw new RangeError(`Cannot define ${name}.${key}: type ${type} is not 0..16383`);
        }
        if (
          !codec || typeof codec.decode !== "function" || typeof codec.encode !== "function"
        ) {
          throw new TypeError(
            `Cannot define ${name}.${key}: expected a codec, got ${describe(codec)}`,
          );
        }
        const existing = impl.byType[type];
        if (existing) {
          throw new TypeError(
            `Cannot define ${name}.${key}: type ${type} is already used by ${existing.key}`,
          );
        }
        const f = new Field(key, options?.name ?? kebab(key), type, codec);
        while (impl.byType.length <= type) impl.byType.push(null);
        impl.byType[type] = f;
        impl.byKey.set(key, f);
        impl.fields.push(f);
        codecs[key] = codec;
      }
      if (containsItself(impl)) {
        throw new TypeError(
          `Cannot define attribute set ${name}: it contains itself (nest it through t.lazy)`,
        );
      }
    } catch (e) {
      this.#spec = given; // raised again at the next use
      impl.fields.length = 0;
      impl.byType.length = 0;
      impl.byKey.clear();
      throw e;
    }
    impl.finish(this.#generate);
    const fields = impl.fields.map((f) => ({
      key: f.key,
      name: f.name,
      type: f.type,
      codec: f.declared as Codec<unknown, never>,
    }));
    this.#spec = null;
    return this.#built = { impl, codecs, fields };
  }

  /** The codecs by key. */
  get codecs(): F {
    return (this.#built ?? this.#build()).codecs as unknown as F;
  }

  /** Every attribute, in definition order. */
  get fields(): readonly AttrField[] {
    return (this.#built ?? this.#build()).fields;
  }

  /**
   * Decodes the attributes in `data[start, end)`. Throws {@link DecodeError} (with the attribute
   * path and byte offset) on malformed input, and when `strict` for unknown attributes and for
   * integers outside their checks (kept in `unknown` otherwise, see `IntOptions`).
   */
  decode(
    data: Uint8Array,
    start = 0,
    end: number = data.length,
    options?: DecodeOptions,
  ): DecodedAttrs<F> {
    if (!(start >= 0 && start <= end && end <= data.length)) {
      throw new RangeError(
        `Cannot decode ${this.name}: range [${start}, ${end}) is outside the buffer of ${data.length} bytes`,
      );
    }
    const c = acquireDecode(data, options?.path ?? this.name, options?.strict === true);
    try {
      return (this.#built ?? this.#build()).impl.decode(c, start, end) as DecodedAttrs<F>;
    } finally {
      releaseDecode(c);
    }
  }

  /**
   * Validates `value` and appends its attributes to `w`. Bad values raise TypeError /
   * RangeError naming the attribute path ("Cannot encode ctrl-attrs.family-id: 70000 does not
   * fit in u16"); the writer is then left as it was.
   */
  encode(w: NetlinkWriter, value: EncodableAttrs<F>, options?: EncodeOptions): void {
    const impl = (this.#built ?? this.#build()).impl;
    const trace: AttrTrace | null = options?.trace ?? null;
    const c = acquireEncode(options?.path ?? this.name, trace);
    const mark = w.length;
    const tmark = trace === null ? 0 : trace.entries.length;
    if (trace !== null) trace.useRoot(impl);
    try {
      impl.encode(w, value, c);
    } catch (e) {
      w.truncate(mark);
      if (trace !== null) trace.truncate(tmark);
      throw e;
    } finally {
      releaseEncode(c);
    }
  }

  /** The attribute with camelCase `key` or type number `type`. */
  field(keyOrType: string | number): AttrField | undefined {
    const { impl, fields } = this.#built ?? this.#build();
    const f = typeof keyOrType === "number"
      ? impl.byType[keyOrType] ?? undefined
      : impl.byKey.get(keyOrType);
    return f === undefined ? undefined : fields[impl.fields.indexOf(f)];
  }

  /** The YNL name of attribute `type` ("family-name"), or undefined. */
  nameOf(type: number): string | undefined {
    return (this.#built ?? this.#build()).impl.nameOf(type);
  }

  /**
   * A set with only the attributes `keys` (same numbers, codecs and names), e.g. what one
   * operation's request may carry, or a YNL `subset-of` set; named `name` (default: this
   * set's name, so error paths read the same).
   *
   * @example
   * ```ts
   * import { attrSet, t } from "@nlts/netlink/protocol";
   * const dev = attrSet("dev", { ifindex: [1, t.u32()], xdpZcMaxSegs: [4, t.u32()] });
   * const request = dev.pick(["ifindex"]);
   * console.log(request.fields.length); // 1
   * ```
   */
  pick<const K extends keyof F & string>(keys: readonly K[], name?: string): AttrSet<Pick<F, K>> {
    const spec = (): AttrSpec => {
      const out: Record<string, AttrEntry> = {};
      for (const key of keys) {
        const f = this.field(key);
        if (f === undefined) {
          throw new TypeError(`Cannot pick ${this.name}.${key}: the set has no such attribute`);
        }
        out[key] = [f.type, f.codec, { name: f.name }];
      }
      return out;
    };
    // from a set still to build (a generated family's), the subset is built at its first use too
    // (a subset of a set that reaches no sub-message reaches none either)
    return new AttrSet<Pick<F, K>>(
      name ?? this.name,
      this.#built === null ? spec : spec(),
      this.subMessages === false ? { subMessages: false } : undefined,
    );
  }
}

/**
 * Defines an attribute set: keys are the camelCase names of decoded objects, values
 * `[type, codec]` (or `[type, codec, { name }]` to give the YNL name when it is not the
 * kebab-case of the key). Types are inferred: `Decoded<typeof set>`. Given a function returning
 * the entries instead, the set makes and checks them at its first use (decode, encode, `codecs`,
 * `fields`, `field`; a nest of it in another set, when a message first reaches it there): what
 * generated families do, so that importing one builds none of its sets and a first request
 * builds only the sets its messages hold; a mistake in the entries is then raised at that use.
 * `options.subMessages` ({@link AttrSetOptions}) spares the first use a look through the sets
 * it nests.
 *
 * @example
 * ```ts
 * import { attrSet, type Decoded, t } from "@nlts/netlink/protocol";
 * const opAttrs = attrSet("op-attrs", {
 *   id: [1, t.u32()],
 *   flags: [2, t.flags(t.u32(), { adminPerm: 1, cmdCapDo: 2, cmdCapDump: 4 })],
 * });
 * type Op = Decoded<typeof opAttrs>; // { id?: number; flags?: ("adminPerm" | ... | number)[]; unknown?: ... }
 * const policy = attrSet("policy-attrs", () => ({ type: [1, t.u32()] })); // built when first used
 * ```
 */
export function attrSet<const S extends { readonly [key: string]: AttrEntry }>(
  name: string,
  spec: S | (() => S),
  options?: AttrSetOptions,
): AttrSet<FieldsOf<S>> {
  return new AttrSet<FieldsOf<S>>(name, spec, options);
}

// ---------------------------------------------------------------------------------------------
// Container codecs

/**
 * Options of nesting codecs.
 *
 * @example
 * ```ts
 * import { attrSet, type NestOptions, t } from "@nlts/netlink/protocol";
 * const key = attrSet("key-attrs", { inPort: [3, t.u32()] });
 * const options: NestOptions = { nestedFlag: false }; // as openvswitch sends its nests
 * const flow = attrSet("flow-attrs", { key: [1, t.nest(key, options)] });
 * ```
 */
export interface NestOptions {
  /**
   * Set NLA_F_NESTED in `nla_type` when encoding (default true). Legacy families such as nlctrl
   * and openvswitch send their nests without it; decoding ignores the bit.
   */
  nestedFlag?: boolean;
  /**
   * Decode to frozen objects, one per distinct payload, shared between the messages (and
   * dumps) that carry it: for sets of numbers, strings, flags and shared nests (multi-attr
   * ones as frozen arrays) repeated many times over (ethtool's bitsets). `t.nest` then
   * returns a {@link SharedNestOf}.
   */
  shared?: boolean;
}

/** A nested attribute set. Internal class. */
export class NestCodec implements Codec<unknown, unknown> {
  readonly kind = "nest";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags: number;
  readonly repeated = false;
  /** The nested set. */
  readonly set: AttrSet<AttrFields>;
  /** Its runtime. */
  readonly impl: SetImpl;

  constructor(set: AttrSet<AttrFields>, options?: NestOptions) {
    if (!(set instanceof AttrSet)) {
      throw new TypeError(`Cannot define nest: expected an attribute set, got ${describe(set)}`);
    }
    this.set = set;
    this.impl = shellOf(set); // built when a message first reaches it
    this.type = `nest ${set.name}`;
    this.nlaFlags = options?.nestedFlag === false ? 0 : NLA_F.NESTED;
    setOp(this, OP.NEST);
  }

  decode(ctx: DecodeContext, offset: number, length: number): unknown {
    return this.impl.decode(ctx, offset, offset + length);
  }

  encode(w: NetlinkWriter, value: unknown, ctx: EncodeContext): void {
    this.impl.encode(w, value, ctx);
  }
}

/**
 * Operations whose decoded values cannot be changed (numbers, bigints, strings, `true`): those
 * read inline but binary's copies, and strings.
 */
const IMMUTABLE_OPS: ReadonlySet<number> = new Set(
  [...LEAF_OPS, OP.STRING, OP.PAD, OP.S16BE, OP.S32BE, OP.S64BE].filter((op) => op !== OP.BINARY),
);

/** Buckets of a shared nest's cache (a power of two), and entries per bucket. */
const SHARED_BUCKETS = 256;
const SHARED_WAYS = 4;
/** Longest payload a shared nest keeps (longer ones are decoded each time). */
const SHARED_MAX = 4096;
/**
 * Counts the payloads shared nests decoded but could not share (attributes kept as unknown,
 * strings that grow re-encoded): a shared nest holding such a one is not shared either.
 */
let unshared = 0;

/**
 * A nested attribute set whose decoded objects are frozen and shared: a payload equal, byte
 * for byte, to one decoded before (kept in a small cache per codec) gives the same object
 * again. Only for sets of numbers, strings, flags and shared nests (single or multi-attr: the
 * arrays are frozen too); see {@link t.nest}'s `shared`. Internal class.
 */
export class SharedNestCodec extends NestCodec {
  /**
   * The cached payloads as little-endian words (the last one: the payload's last 4 bytes),
   * `SHARED_WAYS` per bucket, newest first, and their decoded objects.
   */
  readonly #words: (Int32Array | undefined)[] = new Array(SHARED_BUCKETS * SHARED_WAYS);
  readonly #objects: unknown[] = new Array(SHARED_BUCKETS * SHARED_WAYS);
  /** The keys of the multi-attr fields (their arrays are frozen); null until checked. */
  #arrays: string[] | null = null;

  constructor(set: AttrSet<AttrFields>, options?: NestOptions) {
    super(set, options);
    setOp(this, OP.CALL);
  }

  /** Throws unless every field decodes to a value that cannot change. */
  #check(): string[] {
    const impl = this.impl;
    impl.ready();
    const arrays: string[] = [];
    for (const f of impl.fields) {
      if (!IMMUTABLE_OPS.has(f.op) && !(f.codec instanceof SharedNestCodec)) {
        throw new TypeError(
          `Cannot share the decoded objects of ${impl.name}: ${f.name} (${f.declared.type}) is not a number, string, flag or shared nest`,
        );
      }
      if (f.repeated) arrays.push(f.key);
    }
    return this.#arrays = arrays;
  }

  override decode(c: DecodeContext, offset: number, length: number): unknown {
    if (length < 8 || length > SHARED_MAX) return this.#fresh(c, offset, length, -1);
    const view = c.view;
    const last = view.getInt32(offset + length - 4, true);
    let h = Math.imul(length ^ 0x811c9dc5, 0x01000193);
    h = Math.imul(h ^ view.getInt32(offset + 4, true), 0x01000193);
    h = Math.imul(h ^ view.getInt32(offset + ((length >> 1) & ~3), true), 0x01000193);
    h = Math.imul(h ^ last, 0x01000193);
    const b = ((h ^ (h >>> 15)) & (SHARED_BUCKETS - 1)) * SHARED_WAYS;
    const k = length >> 2;
    const all = this.#words;
    // The payload's words straight from the buffer's Int32Array when it starts on a word of
    // it (attributes do, in a receive buffer), not through the DataView.
    const at = c.data.byteOffset + offset;
    const i32 = (at & 3) === 0 ? c.words() : null;
    for (let w = b; w < b + SHARED_WAYS; w++) {
      const words = all[w];
      if (words === undefined) break;
      if (words.length !== k + 1 || words[k] !== last) continue;
      let j = 0;
      if (i32 !== null) {
        const a = at >> 2;
        while (j < k && i32[a + j] === words[j]) j++;
      } else while (j < k && view.getInt32(offset + (j << 2), true) === words[j]) j++;
      if (j === k) return this.#objects[w];
    }
    return this.#fresh(c, offset, length, b);
  }

  /** Decodes a payload not in the cache; keeps it in bucket `b` (unless -1). */
  #fresh(c: DecodeContext, offset: number, length: number, b: number): unknown {
    const arrays = this.#arrays ?? this.#check();
    const grow = c.grow;
    const before = unshared;
    const o = this.impl.decode(c, offset, offset + length);
    for (let i = 0; i < arrays.length; i++) {
      const a = o[arrays[i]];
      if (a !== undefined) Object.freeze(a);
    }
    if (o.unknown !== undefined) Object.freeze(o.unknown);
    Object.freeze(o);
    // Equal bytes decode equally: kept unless it holds attributes kept as unknown (their bytes
    // are the caller's to change), here or in a shared nest below, or it grew.
    if (o.unknown !== undefined || c.grow !== grow || unshared !== before) {
      unshared++;
      return o;
    }
    if (b < 0) return o;
    const k = length >> 2;
    const words = new Int32Array(k + 1);
    const view = c.view;
    for (let j = 0; j < k; j++) words[j] = view.getInt32(offset + (j << 2), true);
    words[k] = view.getInt32(offset + length - 4, true);
    // newest first: the oldest of a full bucket goes
    const all = this.#words;
    const objects = this.#objects;
    for (let w = b + SHARED_WAYS - 1; w > b; w--) {
      all[w] = all[w - 1];
      objects[w] = objects[w - 1];
    }
    all[b] = words;
    objects[b] = o;
    return o;
  }
}

function checkCodec(c: unknown, what: string): AnyCodec {
  const codec = c as AnyCodec;
  if (!codec || typeof codec.decode !== "function" || typeof codec.encode !== "function") {
    throw new TypeError(`Cannot define ${what}: expected a codec, got ${describe(c)}`);
  }
  if (codec.repeated) throw new TypeError(`Cannot define ${what}: t.multi() cannot be nested`);
  return codec;
}

/**
 * Options of {@link t.indexedArray}.
 *
 * @example
 * ```ts
 * import { type IndexedArrayOptions, t } from "@nlts/netlink/protocol";
 * const options: IndexedArrayOptions = { base: 0, nestedFlag: false };
 * const words = t.indexedArray(t.u32(), options);
 * ```
 */
export interface IndexedArrayOptions extends NestOptions {
  /** Attribute type of the first element when encoding (default 1, as nlctrl sends). */
  base?: number;
}

/**
 * Decodes the first `n` elements of an indexed array of nests of `set` from `pos` into `out`
 * (their headers are well formed: countAttrs checked them) and returns where the next starts.
 * Refers to nothing but its parameters (each array decodes through its own copy, ownCopy).
 */
function decodeNests(
  c: DecodeContext,
  set: SetImpl,
  out: unknown[],
  n: number,
  pos: number,
): number {
  const view = c.view;
  const frames = c.frames;
  const d = c.depth;
  for (let i = 0; i < n; i++) {
    frames[d] = i;
    c.depth = d + 1;
    const len = view.getUint16(pos, true);
    out[i] = set.decode(c, pos + 4, pos + len);
    c.depth = d;
    pos += (len + 3) & ~3;
  }
  return pos;
}

/**
 * YNL `indexed-array`: a nest whose children are the elements, each child's type being its
 * index. Decodes to an array in wire order (the indexes are not kept). Internal class.
 */
export class IndexedArrayCodec implements Codec<unknown[], readonly unknown[]> {
  readonly kind = "indexed-array";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags: number;
  readonly repeated = false;
  readonly #slot: Slot;
  readonly #base: number;
  /** This array's own copy of decodeNests (its element set's decoder gets inlined there). */
  readonly #nests: typeof decodeNests = ownCopy(decodeNests);

  /** The element codec. */
  get inner(): Codec<unknown, unknown> {
    return this.#slot.codec;
  }

  constructor(inner: Codec<unknown, never>, options?: IndexedArrayOptions) {
    this.#slot = new Slot(checkCodec(inner, "indexed array"));
    markChecks(this, inner);
    this.type = `indexed-array of ${inner.type}`;
    this.nlaFlags = options?.nestedFlag === false ? 0 : NLA_F.NESTED;
    const base = options?.base ?? 1;
    if (!Number.isInteger(base) || base < 0 || base > NLA_F.TYPE_MASK) {
      throw new RangeError(`Cannot define indexed array: base ${base} is not 0..16383`);
    }
    this.#base = base;
  }

  decode(c: DecodeContext, offset: number, length: number): unknown[] {
    let out: unknown[];
    const s = this.#slot;
    const end = offset + length;
    const d = c.depth;
    const grow = c.grow;
    let pos = offset;
    const set = s.op === OP.NEST ? s.set : null;
    if (set !== null) {
      // Nests (nlctrl's ops and groups...): the element set's decoder, called directly, into
      // an array of the right size (a [] grown by push() gets room for 17 elements at the
      // first push: 152 bytes under Deno for nlctrl's 1 or 2).
      const n = countAttrs(c.view, pos, end, -1);
      out = new Array(n);
      pos = this.#nests(c, set, out, n, pos);
      // (a bad header countAttrs stopped at is left for the loop below to raise)
    } else out = [];
    while (end - pos >= NLA_HDRLEN) {
      c.frames[d] = out.length;
      c.depth = d + 1;
      const len = attrLen(c, pos, end);
      const plen = len - NLA_HDRLEN;
      if (s.size >= 0 && plen !== s.size) throw sizeError(c, s, pos, plen);
      out.push(decodeValue(s, c, pos + NLA_HDRLEN, plen));
      c.depth = d;
      pos += (len + 3) & ~3;
    }
    if (c.grow !== grow || length > ALIGNED_MAX_PAYLOAD) checkGrowth(c, offset, end, grow);
    return out;
  }

  encode(w: NetlinkWriter, value: readonly unknown[], c: EncodeContext): void {
    const list = checkArray(value, this.type, c);
    if (this.#base + list.length - 1 > NLA_F.TYPE_MASK) {
      throw c.rangeError(`${list.length} elements do not fit in an indexed array`);
    }
    const codec = this.#slot.codec;
    for (let i = 0; i < list.length; i++) {
      const d = c.push(i);
      writeAttr(w, this.#base + i, codec, list[i], c);
      c.pop(d);
    }
  }
}

/**
 * YNL `multi-attr`: the same attribute type repeated; decodes to an array of the occurrences.
 * Handled by the attribute-set loops; on its own it codes one element. Internal class.
 */
export class MultiCodec implements Codec<unknown, unknown> {
  readonly kind = "multi";
  readonly type: string;
  readonly size: number;
  readonly nlaFlags: number;
  readonly repeated = true;
  /** The element codec. */
  readonly inner: AnyCodec;

  constructor(inner: Codec<unknown, never>) {
    this.inner = checkCodec(inner, "multi-attr");
    markChecks(this, inner);
    this.type = inner.type;
    this.size = inner.size;
    this.nlaFlags = inner.nlaFlags;
  }

  decode(ctx: DecodeContext, offset: number, length: number): unknown {
    return this.inner.decode(ctx, offset, length);
  }

  encode(w: NetlinkWriter, value: unknown, ctx: EncodeContext): void {
    this.inner.encode(w, value, ctx);
  }
}

/**
 * An ordered heterogeneous list: a nest whose children are attributes of one set in an order
 * that matters (openvswitch actions). Decodes to `{ kind, value }` items; children the set does
 * not know become `{ kind: "unknown", type, bytes, flags? }` and are written back in place.
 * Internal class.
 */
export class ListCodec implements Codec<unknown[], readonly unknown[]> {
  readonly kind = "list";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags: number;
  readonly repeated = false;
  /** The attribute set of the items. */
  readonly set: AttrSet<AttrFields>;
  readonly #impl: SetImpl;

  /** The runtime of the item set. */
  get impl(): SetImpl {
    return this.#impl;
  }

  constructor(set: AttrSet<AttrFields>, options?: NestOptions) {
    if (!(set instanceof AttrSet)) {
      throw new TypeError(`Cannot define list: expected an attribute set, got ${describe(set)}`);
    }
    this.set = set;
    this.#impl = implOf(set);
    this.type = `list of ${set.name}`;
    this.nlaFlags = options?.nestedFlag === false ? 0 : NLA_F.NESTED;
  }

  decode(c: DecodeContext, offset: number, length: number): unknown[] {
    const end = offset + length;
    // Sized to the number of items up front: an empty [] grows to 17 slots at its first push,
    // and most lists (a flow's actions) hold one or two.
    const view = c.view;
    let n = 0;
    for (let p = offset; end - p >= NLA_HDRLEN; n++) {
      const len = view.getUint16(p, true);
      if (len < NLA_HDRLEN) break;
      p += (len + 3) & ~3;
    }
    const out: unknown[] = n === 0 ? [] : new Array(n);
    let at: number;
    const grow = c.grow;
    if (!this.#impl.checks) at = this.#items(c, offset, end, out, 0);
    else {
      const d = c.depth;
      let pos = offset;
      at = 0;
      for (;;) {
        try {
          at = this.#items(c, pos, end, out, at);
          break;
        } catch (e) {
          // An item whose value is outside its checks stays in its place, as an unknown item.
          pos = failedAttr(c, e, pos, end);
          c.depth = d;
          while (at < out.length && out[at] !== undefined) at++;
          const len = c.view.getUint16(pos, true);
          const raw = c.view.getUint16(pos + 2, true);
          out[at++] = unknownItem(unknownAttr(c, raw, pos + NLA_HDRLEN, len - NLA_HDRLEN));
          pos += (len + 3) & ~3;
        }
      }
    }
    if (at !== out.length) out.length = at; // (padding items)
    if (c.grow !== grow || length > ALIGNED_MAX_PAYLOAD) checkGrowth(c, offset, end, grow);
    return out;
  }

  /** Decodes the items of `[pos, end)` into `out` from index `at` on; returns the next index. */
  #items(c: DecodeContext, pos: number, end: number, out: unknown[], at: number): number {
    const byType = this.#impl.byType;
    const n = byType.length;
    const view = c.view;
    const d = c.depth;
    while (end - pos >= NLA_HDRLEN) {
      const raw = view.getUint16(pos + 2, true);
      const type = raw & NLA_F.TYPE_MASK;
      const f = type < n ? byType[type] : null;
      c.frames[d] = at;
      c.depth = d + 1;
      if (f !== null) {
        c.frames[d + 1] = f.name;
        c.depth = d + 2;
      }
      const len = attrLen(c, pos, end);
      const p = pos + NLA_HDRLEN;
      const plen = len - NLA_HDRLEN;
      if (f === null) {
        if (c.strict) throw c.error(`unknown list item type ${type}`, pos);
        out[at++] = unknownItem(unknownAttr(c, raw, p, plen));
      } else if (f.op !== OP.PAD) {
        if (f.size >= 0 && plen !== f.size) throw sizeError(c, f, pos, plen);
        out[at++] = { kind: f.key, value: decodeValue(f, c, p, plen) };
      }
      c.depth = d;
      pos += (len + 3) & ~3;
    }
    return at;
  }

  encode(w: NetlinkWriter, value: readonly unknown[], c: EncodeContext): void {
    const list = checkArray(value, this.type, c);
    for (let i = 0; i < list.length; i++) {
      const item = list[i] as { kind?: unknown; value?: unknown };
      const d = c.push(i);
      if (typeof item !== "object" || item === null || typeof item.kind !== "string") {
        throw c.typeError(`expected a { kind, value } item, got ${describe(item)}`);
      }
      if (item.kind === "unknown") {
        writeUnknown(w, item, c);
      } else {
        const f = this.#impl.byKey.get(item.kind);
        if (f === undefined || f.op === OP.PAD) {
          throw c.typeError(
            `${this.#impl.name} has no item kind "${item.kind}" (known: ${
              [...this.#impl.byKey.keys()].join(", ")
            })`,
          );
        }
        c.push(f.name);
        writeAttr(w, f.type, f.codec, item.value, c);
      }
      c.pop(d);
    }
  }
}

function unknownItem(u: UnknownAttr): UnknownItem {
  return {
    kind: "unknown",
    type: u.type,
    bytes: u.bytes,
    ...(u.flags ? { flags: u.flags } : {}),
  };
}

/**
 * A keyed map (YNL `nest-type-value`): a nest whose children's types are keys (policy index,
 * attribute type, op id). Decodes to an array of `{ key, value }` in wire order. Internal class.
 */
export class MapCodec implements Codec<MapEntry<unknown>[], readonly MapEntry<unknown>[]> {
  readonly kind = "map";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags: number;
  readonly repeated = false;
  readonly #slot: Slot;

  /** The value codec. */
  get inner(): Codec<unknown, unknown> {
    return this.#slot.codec;
  }

  constructor(inner: Codec<unknown, never>, options?: NestOptions) {
    this.#slot = new Slot(checkCodec(inner, "map"));
    markChecks(this, inner);
    this.type = `map of ${inner.type}`;
    this.nlaFlags = options?.nestedFlag === false ? 0 : NLA_F.NESTED;
  }

  decode(c: DecodeContext, offset: number, length: number): MapEntry<unknown>[] {
    const out: MapEntry<unknown>[] = [];
    const s = this.#slot;
    const view = c.view;
    const end = offset + length;
    const d = c.depth;
    const grow = c.grow;
    let pos = offset;
    while (end - pos >= NLA_HDRLEN) {
      const key = view.getUint16(pos + 2, true) & NLA_F.TYPE_MASK;
      c.frames[d] = key;
      c.depth = d + 1;
      const len = attrLen(c, pos, end);
      const plen = len - NLA_HDRLEN;
      if (s.size >= 0 && plen !== s.size) throw sizeError(c, s, pos, plen);
      out.push({ key, value: decodeValue(s, c, pos + NLA_HDRLEN, plen) });
      c.depth = d;
      pos += (len + 3) & ~3;
    }
    if (c.grow !== grow || length > ALIGNED_MAX_PAYLOAD) checkGrowth(c, offset, end, grow);
    return out;
  }

  encode(w: NetlinkWriter, value: readonly MapEntry<unknown>[], c: EncodeContext): void {
    const list = checkArray(value, this.type, c);
    const codec = this.#slot.codec;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as MapEntry<unknown>;
      if (typeof e !== "object" || e === null) {
        throw c.typeError(`expected a { key, value } entry, got ${describe(e)}`);
      }
      const key = e.key;
      if (!Number.isInteger(key) || key < 0 || key > NLA_F.TYPE_MASK) {
        c.push(i);
        throw c.rangeError(`map key ${describe(key)} is not an integer 0..16383`);
      }
      const d = c.push(key);
      writeAttr(w, key, codec, e.value, c);
      c.pop(d);
    }
  }
}

/** A codec resolved on first use, for recursive schemas. Internal class. */
export class LazyCodec implements Codec<unknown, unknown> {
  readonly kind = "lazy";
  readonly type = "lazy";
  readonly size = -1;
  readonly repeated = false;
  #thunk: () => Codec<unknown, never>;
  #codec: AnyCodec | null = null;

  constructor(thunk: () => Codec<unknown, never>) {
    if (typeof thunk !== "function") {
      throw new TypeError(`Cannot define lazy: expected a function returning a codec`);
    }
    this.#thunk = thunk;
  }

  /** The codec the thunk returns (called once). */
  resolve(): AnyCodec {
    if (this.#codec === null) this.#codec = checkCodec(this.#thunk(), "lazy");
    return this.#codec;
  }

  /** NLA_F bits of the resolved codec. */
  get nlaFlags(): number {
    return this.resolve().nlaFlags;
  }

  decode(c: DecodeContext, offset: number, length: number): unknown {
    const n = c.nesting;
    if (n >= MAX_NESTING) {
      throw c.error(
        `attributes nest too deeply (more than ${MAX_NESTING} recursive levels)`,
        offset - NLA_HDRLEN,
      );
    }
    const inner = this.resolve();
    if (inner.size >= 0 && length !== inner.size) {
      throw c.error(
        `expected ${inner.size} bytes for ${inner.type}, got ${length}`,
        offset - NLA_HDRLEN,
      );
    }
    c.nesting = n + 1;
    try {
      return inner.decode(c, offset, length);
    } finally {
      c.nesting = n;
    }
  }

  encode(w: NetlinkWriter, value: unknown, c: EncodeContext): void {
    const n = c.nesting;
    if (n >= MAX_NESTING) {
      throw c.rangeError(
        `attributes nest too deeply (more than ${MAX_NESTING} recursive levels; is the value cyclic?)`,
      );
    }
    c.nesting = n + 1;
    try {
      this.resolve().encode(w, value, c);
    } finally {
      c.nesting = n;
    }
  }
}

/**
 * The decoded type of an attribute set or a codec.
 *
 * @example
 * ```ts
 * import { attrSet, type Decoded, t } from "@nlts/netlink/protocol";
 * const link = attrSet("link", { ifname: [3, t.string()], mtu: [4, t.u32()] });
 * const v: Decoded<typeof link> = { ifname: "eth0", mtu: 1500 };
 * ```
 */
export type Decoded<T> = T extends AttrSet<infer F> ? DecodedAttrs<F> : DecodedOf<T>;

/**
 * The type an attribute set or codec accepts when encoding.
 *
 * @example
 * ```ts
 * import { attrSet, type Encodable, t } from "@nlts/netlink/protocol";
 * const link = attrSet("link", { ifname: [3, t.string()], mtu: [4, t.u32()] });
 * const v: Encodable<typeof link> = { ifname: "eth0" };
 * ```
 */
export type Encodable<T> = T extends AttrSet<infer F> ? EncodableAttrs<F> : EncodableOf<T>;

/**
 * The codec type of `t.nest(set)` for an attribute set type `S` (handy in the explicit type
 * annotations that exported schemas need).
 *
 * @example
 * ```ts
 * import { type AttrSet, attrSet, type FixedCodec, type NestOf, t } from "@nlts/netlink/protocol";
 * export const inner: AttrSet<{ id: FixedCodec<number> }> = attrSet("inner", { id: [1, t.u32()] });
 * export const outer: AttrSet<{ inner: NestOf<typeof inner> }> = attrSet("outer", {
 *   inner: [1, t.nest(inner)],
 * });
 * ```
 */
export type NestOf<S> = S extends AttrSet<infer F> ? Codec<
    { [K in keyof DecodedAttrs<F>]: DecodedAttrs<F>[K] },
    { readonly [K in keyof EncodableAttrs<F>]: EncodableAttrs<F>[K] }
  >
  : never;

/**
 * The codec type of `t.nest(set, { shared: true })` for an attribute set type `S`: decoded
 * objects are frozen and shared between equal payloads, hence read-only.
 *
 * @example
 * ```ts
 * import { type AttrSet, attrSet, type FixedCodec, type SharedNestOf, t } from "@nlts/netlink/protocol";
 * export const bit: AttrSet<{ index: FixedCodec<number> }> = attrSet("bit", { index: [1, t.u32()] });
 * export const bits: AttrSet<{ bit: SharedNestOf<typeof bit> }> = attrSet("bits", {
 *   bit: [1, t.nest(bit, { shared: true })],
 * });
 * ```
 */
export type SharedNestOf<S> = S extends AttrSet<infer F> ? Codec<
    {
      readonly [K in keyof DecodedAttrs<F>]: K extends "unknown" ? readonly UnknownAttr[]
        : DecodedAttrs<F>[K] extends (infer T)[] | undefined ? readonly T[]
        : DecodedAttrs<F>[K];
    },
    { readonly [K in keyof EncodableAttrs<F>]: EncodableAttrs<F>[K] }
  >
  : never;

/**
 * The codec type of `t.list(set)` for an attribute set type `S`.
 *
 * @example
 * ```ts
 * import { type AttrSet, attrSet, type FixedCodec, type ListOf, t } from "@nlts/netlink/protocol";
 * export const action: AttrSet<{ output: FixedCodec<number> }> = attrSet("action", {
 *   output: [1, t.u32()],
 * });
 * export const flow: AttrSet<{ actions: ListOf<typeof action> }> = attrSet("flow", {
 *   actions: [1, t.list(action)],
 * });
 * ```
 */
export type ListOf<S> = S extends AttrSet<infer F> ? Codec<
    (
      | { [K in NonPadKeys<F>]: { kind: K; value: DecodedOf<F[K]> } }[NonPadKeys<F>]
      | UnknownItem
    )[],
    readonly EncodableListItem<F>[]
  >
  : never;

/**
 * One format of a sub-message ({@link t.subMessage}): an attribute set, a struct (a fixed
 * header alone), both (`{ header, attrs }`: the struct, then attributes; decoded as one object
 * with the members and the attributes side by side), or `null` (no payload expected; any
 * attributes are kept as `unknown`).
 *
 * @example
 * ```ts
 * import { attrSet, type SubMessageFormat, t } from "@nlts/netlink/protocol";
 * const vlan = attrSet("linkinfo-vlan-attrs", { id: [1, t.u16()] });
 * const format: SubMessageFormat = vlan;
 * ```
 */
export type SubMessageFormat =
  // deno-lint-ignore no-explicit-any
  | AttrSet<any>
  // deno-lint-ignore no-explicit-any
  | StructCodecType<any>
  // deno-lint-ignore no-explicit-any
  | { readonly header: StructCodecType<any>; readonly attrs: AttrSet<any> }
  | null;

/**
 * Options of {@link t.subMessage}.
 *
 * @example
 * ```ts
 * import { type SubMessageOptions } from "@nlts/netlink/protocol";
 * const options: SubMessageOptions = { selectorName: "kind" };
 * ```
 */
export interface SubMessageOptions {
  /** YNL name of the selector attribute, for messages (default: kebab-case of the key). */
  selectorName?: string;
}

interface Format {
  readonly header: StructCodecImpl<StructMembers> | null;
  readonly impl: SetImpl;
  readonly headerKeys: ReadonlySet<string>;
}

const EMPTY_SET = new SetImpl("empty");
EMPTY_SET.finish(codegenEnabled());

/**
 * YNL `sub-message`: an attribute whose layout depends on the value of another attribute, the
 * selector, found in the same set or an enclosing one (rt-link's `linkinfo.data` by
 * `linkinfo.kind`). A selector value the codec does not know (a newer kernel's kind) keeps the
 * payload as an owned Uint8Array, which encoding writes back as is. Internal class.
 */
export class SubMessageCodec implements Codec<unknown, unknown> {
  readonly kind = "sub-message";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;
  /** camelCase key of the selector attribute. */
  readonly selector: string;
  readonly #selectorName: string;
  /** Formats by selector value; a function is a format still to be made (see the constructor). */
  readonly #formats: Map<string, Format | (() => SubMessageFormat)>;

  /**
   * A format may also be given as a function returning it, called the first time its selector
   * value is met (a family loaded from a spec has dozens of formats, and a script uses a few);
   * the codec is then taken to possibly raise check failures (`markChecks`), as it cannot look
   * at the headers before.
   */
  constructor(
    selector: string,
    formats: { readonly [value: string]: SubMessageFormat | (() => SubMessageFormat) },
    options?: SubMessageOptions,
  ) {
    if (typeof selector !== "string" || selector === "") {
      throw new TypeError("Cannot define sub-message: the selector must be an attribute key");
    }
    if (typeof formats !== "object" || formats === null) {
      throw new TypeError("Cannot define sub-message: formats must be an object");
    }
    this.selector = selector;
    this.#selectorName = options?.selectorName ?? kebab(selector);
    this.type = `sub-message by ${this.#selectorName}`;
    this.#formats = new Map();
    const headers: unknown[] = [];
    let deferred = false;
    for (const [value, f] of Object.entries(formats)) {
      if (typeof f === "function") {
        this.#formats.set(value, f);
        deferred = true;
      } else {
        const format = toFormat(value, f);
        this.#formats.set(value, format);
        headers.push(format.header);
      }
    }
    if (deferred) markChecks(this);
    else markChecks(this, ...headers);
  }

  /** The selector values this codec knows. */
  get values(): string[] {
    return [...this.#formats.keys()];
  }

  #format(scopes: readonly { keys: ReadonlyMap<string, unknown>; obj: unknown }[]): {
    value: unknown;
    format: Format | undefined;
  } {
    for (let i = scopes.length - 1; i >= 0; i--) {
      if (scopes[i].keys.has(this.selector)) {
        const value = (scopes[i].obj as Record<string, unknown>)[this.selector];
        const key = String(value);
        let format = this.#formats.get(key);
        if (typeof format === "function") {
          format = toFormat(key, format());
          this.#formats.set(key, format);
        }
        return { value, format };
      }
    }
    return { value: undefined, format: undefined };
  }

  decode(c: DecodeContext, offset: number, length: number): unknown {
    const { value, format } = this.#format(c.scopes);
    if (format === undefined) return copyBytes(c.data, offset, length);
    const h = format.header;
    let start = offset;
    let head: Record<string, unknown> | null = null;
    if (h !== null) {
      if (length < h.size) {
        throw c.error(
          `expected at least ${h.size} bytes for ${h.type}, got ${length}`,
          offset - NLA_HDRLEN,
        );
      }
      head = h.read(c, offset) as Record<string, unknown>;
      start = offset + ((h.size + 3) & ~3);
    }
    if (start >= offset + length) return head ?? {};
    // Paths inside name the format: `.linkinfo.data(vxlan).id`.
    const at = c.depth - 1;
    const frame = at >= 0 ? c.frames[at] : undefined;
    if (typeof frame === "string") c.frames[at] = `${frame}(${String(value)})`;
    try {
      const attrs = format.impl.decode(c, start, offset + length);
      return head === null ? attrs : Object.assign(head, attrs);
    } finally {
      if (typeof frame === "string") c.frames[at] = frame;
    }
  }

  encode(w: NetlinkWriter, value: unknown, c: EncodeContext): void {
    if (value instanceof Uint8Array) {
      w.putBytes(value);
      return;
    }
    const { value: sel, format } = this.#format(c.scopes);
    if (format === undefined) {
      throw c.typeError(
        sel === undefined
          ? `the selector ${this.#selectorName} is missing (give it beside this attribute)`
          : `${this.#selectorName} ${describe(sel)} has no known format (known: ${
            this.values.join(", ")
          }; give the payload as a Uint8Array)`,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw c.typeError(`expected an object, got ${describe(value)}`);
    }
    const v = value as Record<string, unknown>;
    let attrs: Record<string, unknown> = v;
    const h = format.header;
    // Paths inside name the format: `.linkinfo.data(vxlan).id`.
    const at = c.depth - 1;
    const frame = at >= 0 ? c.frames[at] : undefined;
    if (typeof frame === "string") c.frames[at] = `${frame}(${String(sel)})`;
    try {
      if (h !== null) {
        // Header members left out are zero, as in a message's fixed header.
        const head: Record<string, unknown> = h.decodeAt(new Uint8Array(h.size), 0);
        attrs = {};
        for (const key in v) {
          if (format.headerKeys.has(key)) head[key] = v[key];
          else attrs[key] = v[key];
        }
        h.encode(w, head as never, c);
        w.align();
      }
      if (format.impl !== EMPTY_SET || Object.keys(attrs).length > 0) {
        // A sub-message of attributes is a nest: mark its attribute header as one.
        const hdr = w.length - (h === null ? 0 : (h.size + 3) & ~3) - NLA_HDRLEN;
        if (h === null && hdr >= 0) {
          w.view.setUint16(hdr + 2, w.view.getUint16(hdr + 2, true) | NLA_F.NESTED, true);
        }
        format.impl.encode(w, attrs, c);
      }
    } finally {
      if (typeof frame === "string") c.frames[at] = frame;
    }
  }
}

function toFormat(value: string, f: SubMessageFormat): Format {
  if (f === null) return { header: null, impl: EMPTY_SET, headerKeys: new Set() };
  if (f instanceof AttrSet) return { header: null, impl: implOf(f), headerKeys: new Set() };
  if (f instanceof StructCodecImpl) {
    return { header: f, impl: EMPTY_SET, headerKeys: new Set(Object.keys(f.members)) };
  }
  const both = f as { header?: unknown; attrs?: unknown };
  if (
    typeof both === "object" && both.header instanceof StructCodecImpl &&
    both.attrs instanceof AttrSet
  ) {
    return {
      header: both.header,
      impl: implOf(both.attrs as AttrSet<AttrFields>),
      headerKeys: new Set(Object.keys(both.header.members)),
    };
  }
  throw new TypeError(
    `Cannot define sub-message format "${value}": expected an attribute set, a struct, { header, attrs } or null`,
  );
}

/**
 * The decoded object of one sub-message format (see {@link SubMessageOf}).
 *
 * @example
 * ```ts
 * import { attrSet, type DecodedFormat, t } from "@nlts/netlink/protocol";
 * const vlan = attrSet("vlan", { id: [1, t.u16()] });
 * const v: DecodedFormat<typeof vlan> = { id: 10 };
 * ```
 */
export type DecodedFormat<X> = X extends AttrSet<infer F> ? DecodedAttrs<F>
  : X extends StructCodecType<infer M> ? DecodedStruct<M>
  : X extends { readonly header: StructCodecType<infer M>; readonly attrs: AttrSet<infer F> }
    ? DecodedStruct<M> & DecodedAttrs<F>
  : X extends null ? { unknown?: UnknownAttr[] }
  : never;

/**
 * The object one sub-message format encodes (see {@link SubMessageOf}); fixed header members
 * left out are zero.
 *
 * @example
 * ```ts
 * import { attrSet, type EncodableFormat, t } from "@nlts/netlink/protocol";
 * const vlan = attrSet("vlan", { id: [1, t.u16()] });
 * const v: EncodableFormat<typeof vlan> = { id: 10 };
 * ```
 */
export type EncodableFormat<X> = X extends AttrSet<infer F> ? EncodableAttrs<F>
  : X extends StructCodecType<infer M> ? Partial<EncodableStruct<M>>
  : X extends { readonly header: StructCodecType<infer M>; readonly attrs: AttrSet<infer F> }
    ? Partial<EncodableStruct<M>> & EncodableAttrs<F>
  : X extends null ? { readonly unknown?: readonly UnknownAttr[] }
  : never;

/**
 * The codec type of `t.subMessage(selector, formats)` for a formats object type `T`: the union
 * of the formats' objects, or the raw payload (a Uint8Array) when the selector's value has no
 * format.
 *
 * @example
 * ```ts
 * import { type AttrSet, attrSet, type FixedCodec, type SubMessageOf, t } from "@nlts/netlink/protocol";
 * export const vlan: AttrSet<{ id: FixedCodec<number> }> = attrSet("vlan", { id: [1, t.u16()] });
 * export const data: SubMessageOf<{ vlan: typeof vlan }> = t.subMessage("kind", { vlan });
 * ```
 */
export type SubMessageOf<T> = Codec<
  DecodedFormat<T[keyof T]> | Uint8Array,
  EncodableFormat<T[keyof T]> | Uint8Array
>;
