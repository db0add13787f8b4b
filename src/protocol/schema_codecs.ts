/**
 * Codec factories of the schema system, imported as the namespace `t`
 * (`import { t } from "@nlts/netlink/protocol"`). Every attribute kind of the kernel's YNL
 * specs has one:
 *
 * | YNL type | factory | decoded as |
 * |---|---|---|
 * | u8, u16, u32, s8, s16, s32 | `t.u8()` ... `t.s32()` | number |
 * | u64, s64 | `t.u64()`, `t.s64()` | bigint (encode: bigint or safe integer) |
 * | byte-order: big-endian | `t.u16be()`, `t.u32be()`, `t.u64be()` | number / bigint |
 * | uint, sint (4 or 8 bytes) | `t.uint()`, `t.sint()` | bigint, always |
 * | string | `t.string()` | string (encode adds the NUL) |
 * | binary | `t.binary()` | owned Uint8Array |
 * | flag | `t.flag()` | true |
 * | pad | `t.pad()` | skipped |
 * | bitfield32 | `t.bitfield32()` | { value, selector } |
 * | nest | `t.nest(set)` | object |
 * | indexed-array | `t.indexedArray(codec)` | array |
 * | multi-attr | `t.multi(codec)` | array |
 * | nest-type-value | `t.map(codec)` | { key, value }[] |
 * | (ordered actions) | `t.list(set)` | { kind, value }[] |
 * | struct | `t.struct(name, members)` | object |
 * | enum / enum-as-flags | `t.enum(base, names)`, `t.flags(base, names)` | name(s), numbers when unknown |
 * | display-hint ipv4 / ipv6 / mac | `t.ipv4()`, `t.ipv6()`, `t.mac()` | "10.0.0.1", "2001:db8::1", "00:11:22:33:44:55" |
 *
 * @module
 */

import {
  type AttrSet,
  IndexedArrayCodec,
  type IndexedArrayOptions,
  LazyCodec,
  ListCodec,
  type ListOf,
  MapCodec,
  MultiCodec,
  NestCodec,
  type NestOf,
  type NestOptions,
  SharedNestCodec,
  type SharedNestOf,
  SubMessageCodec,
  type SubMessageFormat,
  type SubMessageOf,
  type SubMessageOptions,
} from "./schema_attrs.ts";
import {
  BigIntCodec,
  BinaryCodec,
  type BinaryOptions,
  EnumCodec,
  type EnumValues,
  ExtensibleStructCodec,
  FixedArrayCodec,
  FlagCodec,
  FlagsCodec,
  IntCodec,
  type IntOptions,
  IpCodec,
  Ipv4Codec,
  Ipv6Codec,
  LladdrCodec,
  MacCodec,
  PadCodec as PadCodecImpl,
  StringCodec,
  type StringOptions,
  StructCodecImpl,
  type StructOptions,
  VarArrayCodec,
  VarIntCodec,
} from "./schema_scalars.ts";
import { OP } from "./schema_context.ts";
import type {
  ArrayOf,
  AttrFields,
  Codec,
  DecodedStruct,
  EncodableStruct,
  FixedCodec,
  MapOf,
  PadMarker,
  StructCodec,
  StructMembers,
  StructTail,
} from "./schema_types.ts";

export type { BinaryOptions, EnumValues, IndexedArrayOptions, NestOptions, StringOptions };
export type { IntOptions, StructOptions, SubMessageFormat, SubMessageOptions };

const U8 = new IntCodec("u8", OP.U8, 1, 0, 0xff);
const U16 = new IntCodec("u16", OP.U16, 2, 0, 0xffff);
const U32 = new IntCodec("u32", OP.U32, 4, 0, 0xffff_ffff);
const S8 = new IntCodec("s8", OP.S8, 1, -0x80, 0x7f);
const S16 = new IntCodec("s16", OP.S16, 2, -0x8000, 0x7fff);
const S32 = new IntCodec("s32", OP.S32, 4, -0x8000_0000, 0x7fff_ffff);
const U16BE = new IntCodec("u16be", OP.U16BE, 2, 0, 0xffff);
const U32BE = new IntCodec("u32be", OP.U32BE, 4, 0, 0xffff_ffff);
const U64 = new BigIntCodec("u64", OP.U64);
const S64 = new BigIntCodec("s64", OP.S64);
const U64BE = new BigIntCodec("u64be", OP.U64BE);
const S16BE = new IntCodec("s16be", OP.S16BE, 2, -0x8000, 0x7fff);
const S32BE = new IntCodec("s32be", OP.S32BE, 4, -0x8000_0000, 0x7fff_ffff);
const S64BE = new BigIntCodec("s64be", OP.S64BE);
const IP = new IpCodec();
const LLADDR = new LladdrCodec();
const UINT = new VarIntCodec("uint");
const SINT = new VarIntCodec("sint");
const STRING = new StringCodec();
const BINARY = new BinaryCodec();
const FLAG = new FlagCodec();
const IPV4 = new Ipv4Codec();
const IPV6 = new Ipv6Codec();
const MAC = new MacCodec();
const PAD_ATTR = new PadCodecImpl(-1);

/**
 * Unsigned 8-bit integer.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { proto: [1, t.u8()] });
 * ```
 */
export function u8(options?: IntOptions): FixedCodec<number> {
  return U8.withChecks(options);
}

/**
 * Unsigned 16-bit integer, host byte order.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("ctrl", { familyId: [1, t.u16()] });
 * ```
 */
export function u16(options?: IntOptions): FixedCodec<number> {
  return U16.withChecks(options);
}

/**
 * Unsigned 32-bit integer, host byte order.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("ctrl", { version: [3, t.u32()] });
 * ```
 */
export function u32(options?: IntOptions): FixedCodec<number> {
  return U32.withChecks(options);
}

/**
 * Unsigned 64-bit integer, host byte order: decodes to bigint, encodes a bigint or a safe
 * integer number.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("stats", { bytes: [1, t.u64()] });
 * ```
 */
export function u64(options?: IntOptions): FixedCodec<bigint, bigint | number> {
  return U64.withChecks(options);
}

/**
 * Signed 8-bit integer.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { offset: [1, t.s8()] });
 * ```
 */
export function s8(options?: IntOptions): FixedCodec<number> {
  return S8.withChecks(options);
}

/**
 * Signed 16-bit integer, host byte order.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { delta: [1, t.s16()] });
 * ```
 */
export function s16(options?: IntOptions): FixedCodec<number> {
  return S16.withChecks(options);
}

/**
 * Signed 32-bit integer, host byte order.
 *
 * @example
 * ```ts
 * import { t } from "@nlts/netlink/protocol";
 * const ovsHeader = t.struct("ovs-header", { dpIfindex: t.s32() });
 * ```
 */
export function s32(options?: IntOptions): FixedCodec<number> {
  return S32.withChecks(options);
}

/**
 * Signed 64-bit integer, host byte order: decodes to bigint.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("policy-attrs", { minValueS: [2, t.s64()] });
 * ```
 */
export function s64(options?: IntOptions): FixedCodec<bigint, bigint | number> {
  return S64.withChecks(options);
}

/**
 * Unsigned 16-bit integer in network byte order (YNL `byte-order: big-endian`).
 *
 * @example
 * ```ts
 * import { t } from "@nlts/netlink/protocol";
 * const ports = t.struct("ovs-key-tcp", { src: t.u16be(), dst: t.u16be() });
 * ```
 */
export function u16be(options?: IntOptions): FixedCodec<number> {
  return U16BE.withChecks(options);
}

/**
 * Unsigned 32-bit integer in network byte order.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("mpls", { lse: [1, t.u32be()] });
 * ```
 */
export function u32be(options?: IntOptions): FixedCodec<number> {
  return U32BE.withChecks(options);
}

/**
 * Unsigned 64-bit integer in network byte order: decodes to bigint.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("tunnel-key", { id: [1, t.u64be()] });
 * ```
 */
export function u64be(options?: IntOptions): FixedCodec<bigint, bigint | number> {
  return U64BE.withChecks(options);
}

/**
 * Signed 16-bit integer in network byte order.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { offset: [1, t.s16be()] });
 * ```
 */
export function s16be(options?: IntOptions): FixedCodec<number> {
  return S16BE.withChecks(options);
}

/**
 * Signed 32-bit integer in network byte order.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { delta: [1, t.s32be()] });
 * ```
 */
export function s32be(options?: IntOptions): FixedCodec<number> {
  return S32BE.withChecks(options);
}

/**
 * Signed 64-bit integer in network byte order: decodes to bigint.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { stamp: [1, t.s64be()] });
 * ```
 */
export function s64be(options?: IntOptions): FixedCodec<bigint, bigint | number> {
  return S64BE.withChecks(options);
}

/**
 * YNL `uint`: an unsigned integer sent in 4 or 8 bytes. Always decodes to bigint (so the type
 * does not depend on the value); encodes in 4 bytes when the value fits in 32 bits, else 8.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("qstats", { rxPackets: [8, t.uint()] });
 * ```
 */
export function uint(options?: IntOptions): Codec<bigint, bigint | number> {
  return UINT.withChecks(options);
}

/**
 * YNL `sint`: a signed integer sent in 4 or 8 bytes; decodes to bigint.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { offset: [1, t.sint()] });
 * ```
 */
export function sint(options?: IntOptions): Codec<bigint, bigint | number> {
  return SINT.withChecks(options);
}

/**
 * NUL-terminated UTF-8 string. Decoding stops at the first NUL (a missing NUL is tolerated);
 * encoding appends one and rejects strings containing NUL or longer than `maxLength` bytes.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("ctrl", { familyName: [2, t.string({ maxLength: 15 })] });
 * ```
 */
export function string(options?: StringOptions): Codec<string> {
  return options ? new StringCodec(options) : STRING;
}

/**
 * Opaque bytes, decoded to an owned copy. With `length` the codec is fixed-size: any other
 * length is a DecodeError, and it can be a struct member.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { cookie: [1, t.binary({ maxLength: 16 })], key: [2, t.binary({ length: 8 })] });
 * ```
 */
export function binary(options: BinaryOptions & { length: number }): FixedCodec<Uint8Array>;
/** Opaque bytes of any length (see the overload with `length`). */
export function binary(options?: BinaryOptions): Codec<Uint8Array>;
export function binary(options?: BinaryOptions): Codec<Uint8Array> {
  return options ? new BinaryCodec(options) : BINARY;
}

/**
 * Flag attribute: decodes to `true` when present; encoding `true` writes it, `false` omits it.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { userFeatures: [1, t.flag()] });
 * ```
 */
export function flag(): Codec<true, boolean> {
  return FLAG;
}

/**
 * A padding codec (see {@link pad}).
 *
 * @example
 * ```ts
 * import { type PadCodec, t } from "@nlts/netlink/protocol";
 * const reserved: PadCodec = t.pad(2);
 * ```
 */
export interface PadCodec extends FixedCodec<undefined>, PadMarker {
  /** Always "pad". */
  readonly kind: "pad";
}

/**
 * Padding. In a struct, `size` bytes of zeros between members (excluded from the struct's
 * types). As an attribute (YNL `pad`, no size) the kernel's 64-bit alignment filler: skipped
 * by decoding, never written, absent from the types.
 *
 * @example
 * ```ts
 * import { t } from "@nlts/netlink/protocol";
 * const stats = t.struct("ovs-dp-megaflow-stats", {
 *   maskHit: t.u64(), masks: t.u32(), pad0: t.pad(4), cacheHit: t.u64(), pad1: t.pad(8),
 * });
 * ```
 */
export function pad(size?: number): PadCodec {
  if (size === undefined) return PAD_ATTR as PadCodec;
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`Cannot define pad: size ${size} must be a non-negative integer`);
  }
  return new PadCodecImpl(size) as PadCodec;
}

/**
 * IPv4 address (`__be32`) as a dotted quad, "10.0.0.1". Attribute or struct member.
 *
 * @example
 * ```ts
 * import { t } from "@nlts/netlink/protocol";
 * const key = t.struct("ovs-key-ipv4", {
 *   src: t.ipv4(), dst: t.ipv4(), proto: t.u8(), tos: t.u8(), ttl: t.u8(), frag: t.u8(),
 * });
 * ```
 */
export function ipv4(): FixedCodec<string> {
  return IPV4;
}

/**
 * IPv6 address (16 bytes) as RFC 5952 text: lowercase, longest zero run compressed,
 * IPv4-mapped addresses as "::ffff:10.0.0.1". Encoding accepts any valid IPv6 text.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("tunnel", { ipv6Src: [13, t.ipv6()] });
 * ```
 */
export function ipv6(): FixedCodec<string> {
  return IPV6;
}

/**
 * Ethernet address (6 bytes) as lowercase "00:11:22:33:44:55"; encoding accepts either case.
 *
 * @example
 * ```ts
 * import { t } from "@nlts/netlink/protocol";
 * const eth = t.struct("ovs-key-ethernet", { src: t.mac(), dst: t.mac() });
 * ```
 */
export function mac(): FixedCodec<string> {
  return MAC;
}

/**
 * An IP address of either family, told apart by the payload length: 4 bytes as "10.0.0.1",
 * 16 bytes as RFC 5952 text (YNL `binary` with an ipv4 / ipv6 display hint: rt-addr's
 * `address` carries both). Encoding writes 4 bytes for dotted quads, else 16.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("addr-attrs", { address: [1, t.ip()] });
 * ```
 */
export function ip(): Codec<string> {
  return IP;
}

/**
 * A link-layer address of any length as lowercase colon-separated hex (YNL `binary` with the
 * mac display hint): "00:11:22:33:44:55" for Ethernet, 4 or 16 bytes for IP tunnels.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("link-attrs", { address: [1, t.lladdr()] });
 * ```
 */
export function lladdr(): Codec<string> {
  return LLADDR;
}

/**
 * An enumeration over an integer codec: decodes to the camelCase name of the value, or to the
 * number (bigint for 64-bit bases) when the schema does not know it; encodes names or numbers.
 * Exported as `t.enum`.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("policy-attrs", {
 *   type: [1, t.enum(t.u32(), { invalid: 0, flag: 1, u8: 2, u16: 3, u32: 4 })],
 * });
 * ```
 */
function enumCodec<N extends string, D extends number | bigint, E>(
  base: FixedCodec<D, E>,
  values: { readonly [K in N]: number | bigint },
): FixedCodec<N | D, N | E>;
/** An enumeration over a variable-size integer codec (`t.uint()`). */
function enumCodec<N extends string, D extends number | bigint, E>(
  base: Codec<D, E>,
  values: { readonly [K in N]: number | bigint },
): Codec<N | D, N | E>;
function enumCodec<N extends string, D extends number | bigint, E>(
  base: Codec<D, E>,
  values: { readonly [K in N]: number | bigint },
): Codec<N | D, N | E> {
  return new EnumCodec(base as Codec<unknown, never>, values) as unknown as Codec<
    N | D,
    N | E
  >;
}

export { enumCodec as enum };

/**
 * A flag set (YNL `enum-as-flags`) over an integer codec: decodes to the names of the set bits
 * in definition order followed by each unknown set bit as a number (bigint for 64-bit bases);
 * encodes an array of names and bit numbers, or a raw mask. A decoded list is frozen (readonly)
 * and shared by the decodes of the same value (a dump of 1,001 devices with the same features
 * makes one list, not 1,001): copy it (`[...list]`) to change it. `flagsValue` turns a
 * list back into its word, `flagsList` a word into its list.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("op-attrs", {
 *   flags: [2, t.flags(t.u32(), { adminPerm: 1, cmdCapDo: 2, cmdCapDump: 4 })],
 * });
 * ```
 */
export function flags<N extends string, D extends number | bigint, E>(
  base: FixedCodec<D, E>,
  values: { readonly [K in N]: number | bigint },
): FixedCodec<readonly (N | D)[], readonly (N | E)[] | E>;
/** A flag set over a variable-size integer codec (`t.uint()`). */
export function flags<N extends string, D extends number | bigint, E>(
  base: Codec<D, E>,
  values: { readonly [K in N]: number | bigint },
): Codec<readonly (N | D)[], readonly (N | E)[] | E>;
export function flags<N extends string, D extends number | bigint, E>(
  base: Codec<D, E>,
  values: { readonly [K in N]: number | bigint },
): Codec<readonly (N | D)[], readonly (N | E)[] | E> {
  return new FlagsCodec(base as Codec<unknown, never>, values) as unknown as Codec<
    readonly (N | D)[],
    readonly (N | E)[] | E
  >;
}

/**
 * A C struct: members are fixed-size codecs laid out with C alignment (LP64) unless `packed`;
 * the size is rounded up to the largest member alignment, like `sizeof`. Usable as an
 * attribute (payload must be exactly `size` bytes), as a struct member, and standalone through
 * `decodeAt` / `encodeTo` (fixed headers such as `struct ovs_header`).
 *
 * @example
 * ```ts
 * import { t } from "@nlts/netlink/protocol";
 * const dpStats = t.struct("ovs-dp-stats", { hit: t.u64(), missed: t.u64(), lost: t.u64(), flows: t.u64() });
 * console.log(dpStats.size); // 32
 * ```
 */
export function struct<const M extends StructMembers>(
  name: string,
  members: M,
  options?: StructOptions,
): StructCodec<M> {
  return new StructCodecImpl(name, members, options);
}

/**
 * A fixed-length array of a fixed-size element (C `T x[n]`), e.g. `__be32 context[4]`.
 *
 * @example
 * ```ts
 * import { t } from "@nlts/netlink/protocol";
 * const md1 = t.struct("ovs-nsh-key-md1", { context: t.array(t.u32be(), 4) });
 * ```
 */
export function array<D, E>(elem: FixedCodec<D, E>, count: number): FixedCodec<D[], readonly E[]>;
/**
 * A C array filling the whole payload (YNL `binary` with a scalar `sub-type`): as many
 * elements as fit, the payload must be a whole number of them.
 */
export function array<D, E>(elem: FixedCodec<D, E>): Codec<D[], readonly E[]>;
export function array<D, E>(elem: FixedCodec<D, E>, count?: number): Codec<D[], readonly E[]> {
  if (count === undefined) {
    return new VarArrayCodec(elem as FixedCodec<unknown, never>) as unknown as Codec<
      D[],
      readonly E[]
    >;
  }
  return new FixedArrayCodec(elem as FixedCodec<unknown, never>, count) as unknown as FixedCodec<
    D[],
    readonly E[]
  >;
}

/**
 * A struct attribute that tolerates a longer payload (a newer kernel's larger struct, e.g.
 * `rtnl_link_stats64`): the struct is read from the first bytes and the bytes after it are kept
 * in `unknown` (see {@link StructTail}), which encoding writes back after the struct, so a
 * value survives a round trip; a shorter payload is a DecodeError.
 *
 * @example
 * ```ts
 * import { attrSet, NetlinkWriter, t } from "@nlts/netlink/protocol";
 * const stats = t.struct("stats", { packets: t.u64(), bytes: t.u64() }, { packed: true });
 * const link = attrSet("link", { stats: [1, t.extensible(stats)] });
 * const w = new NetlinkWriter();
 * link.encode(w, { stats: { packets: 1n, bytes: 2n, unknown: new Uint8Array(8) } });
 * console.log(link.decode(w.bytes()).stats?.unknown?.length); // 8
 * ```
 */
export function extensible<M extends StructMembers>(
  struct: StructCodec<M>,
): Codec<DecodedStruct<M> & StructTail, EncodableStruct<M> & StructTail> {
  return new ExtensibleStructCodec(
    struct as unknown as StructCodec<StructMembers>,
  ) as unknown as Codec<DecodedStruct<M> & StructTail, EncodableStruct<M> & StructTail>;
}

const BITFIELD32 = new StructCodecImpl("nla-bitfield32", { value: U32, selector: U32 });

/**
 * `struct nla_bitfield32 { u32 value; u32 selector; }`.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { reloadActions: [1, t.bitfield32()] });
 * ```
 */
export function bitfield32(): StructCodec<{
  value: FixedCodec<number>;
  selector: FixedCodec<number>;
}> {
  return BITFIELD32;
}

/**
 * A nested attribute set whose decoded objects are frozen and shared between payloads equal
 * byte for byte (`shared: true`, {@link NestOptions}): for sets of numbers, strings, flags and
 * shared nests (multi-attr ones as frozen arrays) that a dump repeats many times, such as
 * ethtool's bitsets. Decoded read-only ({@link SharedNestOf}); a set with any other field
 * raises a TypeError at its first decode.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const bit = attrSet("bit", { index: [1, t.u32()], name: [2, t.string()], value: [3, t.flag()] });
 * const bits = attrSet("bits", { bit: [1, t.multi(t.nest(bit, { shared: true }))] });
 * ```
 */
export function nest<F extends AttrFields>(
  set: AttrSet<F>,
  options: NestOptions & { readonly shared: true },
): SharedNestOf<AttrSet<F>>;
/**
 * A nested attribute set.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const header = attrSet("header", { devIndex: [1, t.u32()], devName: [2, t.string()] });
 * const req = attrSet("linkinfo", { header: [1, t.nest(header)] });
 * ```
 */
export function nest<F extends AttrFields>(
  set: AttrSet<F>,
  options?: NestOptions & { readonly shared?: false },
): NestOf<AttrSet<F>>;
/**
 * A nested attribute set, shared or not as `options.shared` says (see the overloads above).
 *
 * @example
 * ```ts
 * import { attrSet, type NestOptions, t } from "@nlts/netlink/protocol";
 * const header = attrSet("header", { devIndex: [1, t.u32()] });
 * const options: NestOptions = { shared: true };
 * const codec = t.nest(header, options);
 * ```
 */
export function nest<F extends AttrFields>(
  set: AttrSet<F>,
  options?: NestOptions,
): NestOf<AttrSet<F>> | SharedNestOf<AttrSet<F>>;
export function nest<F extends AttrFields>(
  set: AttrSet<F>,
  options?: NestOptions,
): NestOf<AttrSet<F>> | SharedNestOf<AttrSet<F>> {
  const s = set as unknown as AttrSet<AttrFields>;
  const shared = options?.shared;
  if (shared !== undefined && typeof shared !== "boolean") {
    throw new TypeError(`Cannot define nest of ${set.name}: shared must be a boolean`);
  }
  return (shared
    ? new SharedNestCodec(s, options)
    : new NestCodec(s, options)) as unknown as NestOf<AttrSet<F>>;
}

/**
 * YNL `indexed-array`: a nest whose children are the elements (each child's type is its index,
 * from `base`, default 1). Decodes to an array; the indexes are not kept.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const op = attrSet("op-attrs", { id: [1, t.u32()] });
 * const ctrl = attrSet("ctrl-attrs", { ops: [6, t.indexedArray(t.nest(op))] });
 * ```
 */
export function indexedArray<D, E>(
  inner: Codec<D, E>,
  options?: IndexedArrayOptions,
): ArrayOf<Codec<D, E>> {
  return new IndexedArrayCodec(inner as Codec<unknown, never>, options) as unknown as ArrayOf<
    Codec<D, E>
  >;
}

/**
 * YNL `multi-attr`: the attribute may appear many times; decodes to an array of the
 * occurrences in wire order, encodes one attribute per element.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { addr: [1, t.multi(t.ipv4())] });
 * ```
 */
export function multi<D, E>(inner: Codec<D, E>): ArrayOf<Codec<D, E>> {
  return new MultiCodec(inner as Codec<unknown, never>) as unknown as ArrayOf<Codec<D, E>>;
}

/**
 * An ordered heterogeneous list: a nest whose children are attributes of `set` whose order
 * matters (openvswitch actions). Decodes to `{ kind, value }` items (kind = the camelCase key);
 * children the set does not know become `{ kind: "unknown", type, bytes }` and are written
 * back in place.
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const action = attrSet("action-attrs", { output: [1, t.u32()], popVlan: [4, t.flag()] });
 * const flow = attrSet("flow-attrs", { actions: [3, t.list(action)] });
 * // decoded: { actions: [{ kind: "popVlan", value: true }, { kind: "output", value: 2 }] }
 * ```
 */
export function list<F extends AttrFields>(
  set: AttrSet<F>,
  options?: NestOptions,
): ListOf<AttrSet<F>> {
  return new ListCodec(set as unknown as AttrSet<AttrFields>, options) as unknown as ListOf<
    AttrSet<F>
  >;
}

/**
 * A keyed map (YNL `nest-type-value`): a nest whose children's types are keys (e.g. nlctrl's
 * policy index -> attribute type -> policy). Decodes to `{ key, value }[]` in wire order (an
 * array, not a Map: it keeps order and duplicates, compares with deepEqual and round-trips).
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const opPolicy = attrSet("op-policy-attrs", { do: [1, t.u32()], dump: [2, t.u32()] });
 * const ctrl = attrSet("ctrl-attrs", { opPolicy: [9, t.map(t.nest(opPolicy))] });
 * ```
 */
export function map<D, E>(
  inner: Codec<D, E>,
  options?: NestOptions,
): MapOf<Codec<D, E>> {
  return new MapCodec(inner as Codec<unknown, never>, options) as unknown as MapOf<Codec<D, E>>;
}

/**
 * A codec resolved on first use, for recursive schemas (openvswitch `clone` and `sample`
 * actions contain action lists). The recursive set needs an explicit type annotation.
 *
 * @example
 * ```ts
 * import { type AttrSet, attrSet, type Codec, t } from "@nlts/netlink/protocol";
 * type Actions = AttrSet<{ output: Codec<number>; clone: Codec<unknown[], readonly unknown[]> }>;
 * const actions: Actions = attrSet("action-attrs", {
 *   output: [1, t.u32()],
 *   clone: [20, t.lazy(() => t.list(actions) as Codec<unknown[], readonly unknown[]>)],
 * });
 * ```
 */
export function lazy<D, E>(thunk: () => Codec<D, E>): Codec<D, E> {
  return new LazyCodec(thunk as () => Codec<unknown, never>) as unknown as Codec<D, E>;
}

/**
 * YNL `sub-message`: an attribute whose layout is chosen by the value of another attribute,
 * the selector (its camelCase key), looked up in the same attribute set first, then in the
 * enclosing ones. Each format is an attribute set, a struct, `{ header, attrs }` or `null`;
 * struct members left out encode as zero. Paths inside name the format (`data(vlan).id`).
 * A selector value with no format keeps the payload as a Uint8Array (written back as is).
 *
 * @example
 * ```ts
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const vlan = attrSet("linkinfo-vlan-attrs", { id: [1, t.u16()] });
 * const linkinfo = attrSet("linkinfo-attrs", {
 *   kind: [1, t.string()],
 *   data: [2, t.subMessage("kind", { vlan })],
 * });
 * // decoded: { kind: "vlan", data: { id: 10 } }
 * ```
 */
export function subMessage<const T extends { readonly [value: string]: SubMessageFormat }>(
  selector: string,
  formats: T,
  options?: SubMessageOptions,
): SubMessageOf<T> {
  return new SubMessageCodec(selector, formats, options) as unknown as SubMessageOf<T>;
}
