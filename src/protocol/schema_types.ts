/**
 * Types of the schema system: the {@link Codec} contract every attribute kind implements and
 * the type functions ({@link Decoded}, {@link Encodable}) that turn a schema into the types of
 * the objects it decodes and accepts.
 *
 * @module
 */

import type { NetlinkWriter } from "./writer.ts";
import type { DecodeContext, EncodeContext } from "./schema_context.ts";

/**
 * One codec object per attribute kind drives encoding, decoding, validation and error naming.
 * `D` is the decoded type, `E` the type accepted when encoding (often wider, e.g. u64 decodes to
 * `bigint` and accepts `bigint | number`).
 *
 * Codecs are made by the factories of {@link t}; implementing the interface by hand gives a
 * custom attribute kind.
 *
 * @example
 * ```ts
 * import { type Codec, t } from "@nlts/netlink/protocol";
 * const port: Codec<number> = t.u16be();
 * console.log(port.kind, port.size); // "u16be" 2
 * ```
 */
export interface Codec<D, E = D> {
  /** Kind of codec: "u32", "string", "nest", "struct", ... */
  readonly kind: string;
  /** Human readable type used in messages, e.g. "u16" or "nest op-attrs". */
  readonly type: string;
  /** Exact payload size in bytes, or -1 when the size varies. Checked before {@link Codec.decode}. */
  readonly size: number;
  /** NLA_F_* bits OR-ed into `nla_type` when written (NLA_F_NESTED for nests), else 0. */
  readonly nlaFlags: number;
  /** True for {@link t.multi}: every element of the value is its own attribute. */
  readonly repeated: boolean;
  /**
   * Decodes the payload `ctx.data[offset, offset + length)`. When {@link Codec.size} is not -1
   * the caller has already checked that `length === size`. Throws only {@link DecodeError}.
   */
  decode(ctx: DecodeContext, offset: number, length: number): D;
  /**
   * Validates `value` (TypeError / RangeError naming `ctx.path()`) and appends its payload to
   * `w`; the attribute header has already been written.
   */
  encode(w: NetlinkWriter, value: E, ctx: EncodeContext): void;
}

/**
 * A codec of fixed size that can also be a member of a C struct ({@link t.struct}).
 *
 * @example
 * ```ts
 * import { type FixedCodec, t } from "@nlts/netlink/protocol";
 * const addr: FixedCodec<string> = t.ipv4();
 * console.log(addr.size, addr.align); // 4 4
 * ```
 */
export interface FixedCodec<D, E = D> extends Codec<D, E> {
  /** Alignment of the member in a C struct (1, 2, 4 or 8). */
  readonly align: number;
  /** Reads the value at `offset` (the caller checked that {@link Codec.size} bytes are there). */
  read(ctx: DecodeContext, offset: number): D;
  /** Validates `value` and writes it at `view[offset, offset + size)`. */
  write(view: DataView, offset: number, value: E, ctx: EncodeContext): void;
}

/**
 * A C struct codec ({@link t.struct}); besides being an attribute kind and a struct member it
 * reads and writes standalone, e.g. as a family's fixed header after `genlmsghdr`.
 *
 * @example
 * ```ts
 * import { NetlinkWriter, t } from "@nlts/netlink/protocol";
 * const ovsHeader = t.struct("ovs-header", { dpIfindex: t.s32() });
 * const w = new NetlinkWriter();
 * ovsHeader.encodeTo(w, { dpIfindex: 7 });
 * console.log(ovsHeader.decodeAt(w.bytes(), 0)); // { dpIfindex: 7 }
 * ```
 */
export interface StructCodec<M extends StructMembers>
  extends FixedCodec<DecodedStruct<M>, EncodableStruct<M>> {
  /** The struct's name (YNL spelling), used as root of error paths. */
  readonly name: string;
  /** The member codecs by key. */
  readonly members: M;
  /** Byte offset of every member (padding members included) by key. */
  readonly offsets: { readonly [K in keyof M]: number };
  /**
   * Decodes the struct at `data[offset]`; raises {@link DecodeError} when fewer than
   * {@link Codec.size} bytes remain.
   */
  decodeAt(data: Uint8Array, offset?: number): DecodedStruct<M>;
  /** Validates `value` and appends the struct's {@link Codec.size} bytes to `w` (no alignment). */
  encodeTo(w: NetlinkWriter, value: EncodableStruct<M>): void;
}

/**
 * Member codecs of a struct, by camelCase key.
 *
 * @example
 * ```ts
 * import { type StructMembers, t } from "@nlts/netlink/protocol";
 * const members: StructMembers = { src: t.u16be(), dst: t.u16be() };
 * ```
 */
export type StructMembers = { readonly [key: string]: FixedCodec<unknown, never> };

/**
 * Marker of padding codecs ({@link t.pad}): their keys vanish from decoded and encodable types.
 *
 * @example
 * ```ts
 * import { type PadMarker, t } from "@nlts/netlink/protocol";
 * const marker: PadMarker = t.pad(4);
 * ```
 */
export interface PadMarker {
  /** Always "pad". */
  readonly kind: "pad";
}

/**
 * The keys of `M` whose codecs carry data (every key but padding).
 *
 * @example
 * ```ts
 * import type { FixedCodec, NonPadKeys, PadCodec } from "@nlts/netlink/protocol";
 * type K = NonPadKeys<{ a: FixedCodec<number>; pad: PadCodec }>; // "a"
 * ```
 */
export type NonPadKeys<M> = { [K in keyof M]: M[K] extends PadMarker ? never : K }[keyof M];

/**
 * Decoded type of a codec.
 *
 * @example
 * ```ts
 * import type { DecodedOf, FixedCodec } from "@nlts/netlink/protocol";
 * const n: DecodedOf<FixedCodec<bigint, bigint | number>> = 1n;
 * ```
 */
export type DecodedOf<C> = C extends Codec<infer D, infer _E> ? D : never;
/**
 * Encodable type of a codec.
 *
 * @example
 * ```ts
 * import type { EncodableOf, FixedCodec } from "@nlts/netlink/protocol";
 * const n: EncodableOf<FixedCodec<bigint, bigint | number>> = 5; // a number is accepted
 * ```
 */
export type EncodableOf<C> = C extends Codec<infer _D, infer E> ? E : never;

// `& {}` makes editors show the members instead of the alias name.
/**
 * The decoded object of a struct with members `M` (padding members omitted).
 *
 * @example
 * ```ts
 * import type { DecodedStruct, FixedCodec } from "@nlts/netlink/protocol";
 * const v: DecodedStruct<{ src: FixedCodec<number>; dst: FixedCodec<number> }> = { src: 1, dst: 2 };
 * ```
 */
// deno-lint-ignore ban-types
export type DecodedStruct<M> = { [K in NonPadKeys<M>]: DecodedOf<M[K]> } & {};
/**
 * The object a struct with members `M` encodes: every member but padding is required.
 *
 * @example
 * ```ts
 * import type { EncodableStruct, FixedCodec } from "@nlts/netlink/protocol";
 * const v: EncodableStruct<{ packets: FixedCodec<bigint, bigint | number> }> = { packets: 1 };
 * ```
 */
export type EncodableStruct<M> = { readonly [K in NonPadKeys<M>]: EncodableOf<M[K]> };

/**
 * The bytes a newer kernel's longer struct carries after the members a spec names (property
 * `unknown` of a {@link t.extensible} struct's decoded value, written back after the struct
 * when encoding).
 *
 * @example
 * ```ts
 * import { t, type StructTail } from "@nlts/netlink/protocol";
 * const stats = t.extensible(t.struct("stats", { packets: t.u64() }));
 * const tail: StructTail = { unknown: new Uint8Array(8) };
 * ```
 */
export interface StructTail {
  /** What follows the known members (absent when the payload is exactly the struct). */
  readonly unknown?: Uint8Array;
}

/**
 * The codec of `t.extensible(struct)` for a struct codec type `S` (handy in explicit type
 * annotations): the struct's members plus the {@link StructTail}.
 *
 * @example
 * ```ts
 * import { type ExtensibleOf, t } from "@nlts/netlink/protocol";
 * const stats = t.struct("stats", { packets: t.u64() });
 * const codec: ExtensibleOf<typeof stats> = t.extensible(stats);
 * ```
 */
export type ExtensibleOf<S> = S extends StructCodec<infer M extends StructMembers> ? Codec<
    DecodedStruct<M> & StructTail,
    EncodableStruct<M> & StructTail
  >
  : never;

/**
 * An attribute the schema does not know, kept so it survives a round trip (property `unknown`
 * of decoded objects). `flags` holds the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits when set.
 *
 * @example
 * ```ts
 * import { attrSet, t, type UnknownAttr } from "@nlts/netlink/protocol";
 * const link = attrSet("link", { mtu: [4, t.u32()] });
 * const v = link.decode(new Uint8Array([5, 0, 99, 0, 7, 0, 0, 0]));
 * const u: UnknownAttr | undefined = v.unknown?.[0]; // { type: 99, bytes: Uint8Array [7] }
 * ```
 */
export interface UnknownAttr {
  /** Attribute type (without flag bits). */
  type: number;
  /** An owned copy of the payload. */
  bytes: Uint8Array;
  /** NLA_F_* bits of `nla_type`, present only when non-zero. */
  flags?: number;
}

/**
 * An item of an ordered list ({@link t.list}) whose type the schema does not know.
 *
 * @example
 * ```ts
 * import type { UnknownItem } from "@nlts/netlink/protocol";
 * const item: UnknownItem = { kind: "unknown", type: 99, bytes: new Uint8Array([1, 2]) };
 * ```
 */
export interface UnknownItem extends UnknownAttr {
  /** Always "unknown". */
  kind: "unknown";
}

/**
 * Codecs of an attribute set, by camelCase key.
 *
 * @example
 * ```ts
 * import { type AttrFields, t } from "@nlts/netlink/protocol";
 * const fields: AttrFields = { mtu: t.u32(), ifname: t.string() };
 * ```
 */
export type AttrFields = { readonly [key: string]: Codec<unknown, never> };

/**
 * The decoded object of an attribute set with fields `F`: every attribute is optional (the
 * kernel may omit any); unknown attributes land in `unknown`.
 *
 * @example
 * ```ts
 * import type { DecodedAttrs, FixedCodec } from "@nlts/netlink/protocol";
 * type Link = DecodedAttrs<{ mtu: FixedCodec<number> }>;
 * const v: Link = { mtu: 1500 }; // every attribute optional, plus `unknown`
 * ```
 */
export type DecodedAttrs<F> = {
  [K in NonPadKeys<F> | "unknown"]?: K extends keyof F ? DecodedOf<F[K]> : UnknownAttr[];
};

/**
 * The object an attribute set with fields `F` encodes (every attribute optional).
 *
 * @example
 * ```ts
 * import type { EncodableAttrs, FixedCodec } from "@nlts/netlink/protocol";
 * const v: EncodableAttrs<{ bytes: FixedCodec<bigint, bigint | number> }> = { bytes: 1500 };
 * ```
 */
export type EncodableAttrs<F> = {
  readonly [K in NonPadKeys<F> | "unknown"]?: K extends keyof F ? EncodableOf<F[K]>
    : readonly UnknownAttr[];
};

/**
 * A decoded item of an ordered list ({@link t.list}) over fields `F`.
 *
 * @example
 * ```ts
 * import type { FixedCodec, ListItem } from "@nlts/netlink/protocol";
 * const item: ListItem<{ output: FixedCodec<number> }> = { kind: "output", value: 2 };
 * ```
 */
export type ListItem<F> =
  | { [K in NonPadKeys<F>]: { kind: K; value: DecodedOf<F[K]> } }[NonPadKeys<F>]
  | UnknownItem;

/**
 * An item accepted when encoding an ordered list over fields `F`.
 *
 * @example
 * ```ts
 * import type { EncodableListItem, FixedCodec } from "@nlts/netlink/protocol";
 * const item: EncodableListItem<{ output: FixedCodec<number> }> = { kind: "output", value: 2 };
 * ```
 */
export type EncodableListItem<F> =
  | { [K in NonPadKeys<F>]: { readonly kind: K; readonly value: EncodableOf<F[K]> } }[
    NonPadKeys<F>
  ]
  | UnknownItem;

/**
 * One entry of a keyed map ({@link t.map}): the child attribute's type and its value.
 *
 * @example
 * ```ts
 * import type { MapEntry } from "@nlts/netlink/protocol";
 * const entry: MapEntry<number> = { key: 3, value: 42 };
 * ```
 */
export interface MapEntry<V> {
  /** The child attribute's type (the key). */
  key: number;
  /** The decoded child. */
  value: V;
}

/**
 * `struct nla_bitfield32`.
 *
 * @example
 * ```ts
 * import type { BitField32 } from "@nlts/netlink/protocol";
 * const v: BitField32 = { value: 0x1, selector: 0x3 }; // set bit 0, clear bit 1
 * ```
 */
export interface BitField32 {
  /** Bit values. */
  value: number;
  /** Which bits of `value` are meaningful. */
  selector: number;
}

/**
 * Options of `AttrSet.decode`.
 *
 * @example
 * ```ts
 * import { attrSet, type DecodeOptions, t } from "@nlts/netlink/protocol";
 * const link = attrSet("link", { mtu: [4, t.u32()] });
 * const options: DecodeOptions = { strict: true, path: "link" };
 * link.decode(new Uint8Array([8, 0, 4, 0, 0xdc, 5, 0, 0]), 0, 8, options); // { mtu: 1500 }
 * ```
 */
export interface DecodeOptions {
  /**
   * Raise {@link DecodeError} for attributes the schema does not know, and for integers outside
   * their checks (`IntOptions`: YNL min, max, flags-mask). Default false: keep both in
   * `unknown` as `{ type, bytes }`.
   */
  strict?: boolean;
  /** Root of attribute paths in errors (default: the attribute set's name). */
  path?: string;
}

/**
 * Options of `AttrSet.encode`.
 *
 * @example
 * ```ts
 * import { attrSet, AttrTrace, type EncodeOptions, NetlinkWriter, t } from "@nlts/netlink/protocol";
 * const link = attrSet("link", { mtu: [4, t.u32()] });
 * const options: EncodeOptions = { path: "link", trace: new AttrTrace() };
 * link.encode(new NetlinkWriter(), { mtu: 1500 }, options);
 * ```
 */
export interface EncodeOptions {
  /** Root of attribute paths in errors (default: the attribute set's name). */
  path?: string;
  /** Records `[start, end, path]` of every attribute written (for extended-ack offsets). */
  trace?: import("./schema_trace.ts").AttrTrace;
}

/**
 * The codec type of `t.indexedArray(codec)` and `t.multi(codec)` for a codec type `C`.
 *
 * @example
 * ```ts
 * import { type ArrayOf, type AttrSet, attrSet, type FixedCodec, t } from "@nlts/netlink/protocol";
 * export const s: AttrSet<{ ids: ArrayOf<FixedCodec<number>> }> = attrSet("s", {
 *   ids: [1, t.multi(t.u32())],
 * });
 * ```
 */
export type ArrayOf<C> = Codec<DecodedOf<C>[], readonly EncodableOf<C>[]>;

/**
 * The codec type of `t.map(codec)` for a codec type `C`.
 *
 * @example
 * ```ts
 * import { type AttrSet, attrSet, type FixedCodec, type MapOf, t } from "@nlts/netlink/protocol";
 * export const s: AttrSet<{ byKey: MapOf<FixedCodec<number>> }> = attrSet("s", {
 *   byKey: [1, t.map(t.u32())],
 * });
 * ```
 */
export type MapOf<C> = Codec<MapEntry<DecodedOf<C>>[], readonly MapEntry<EncodableOf<C>>[]>;
