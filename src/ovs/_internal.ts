/**
 * What the datapath text format and the dump filter know of the flow key, derived from the
 * flow model (src/ovs/keys.ts) rather than written again: each key attribute's text name (a
 * table typed by the model's attributes, so an attribute without one is a type error), its
 * all-zero and all-ones values (decoded from 0x00 and 0xff bytes with the attribute's own
 * codec: field widths and struct layouts come from the schema), and Open vSwitch's test of a
 * constant mask. Internal: not part of the public API.
 *
 * @module
 */

import { DecodeContext } from "../protocol/schema_context.ts";
import type { Codec } from "../protocol/schema_types.ts";
import { codegenEnabled } from "../protocol/schema_compile.ts";
import { type FlowKey, flowKeyAttrs, type FlowKeyCodecs } from "./keys.ts";

/** A key attribute of the flow model (a member of {@link FlowKey}). */
export type KeyKind = keyof FlowKeyCodecs;

/**
 * The text name of every key attribute (`ovs_key_attr_to_string` of Open vSwitch's
 * lib/odp-util.c). Typed by the model: a key attribute added to keys.ts without a name here
 * does not compile.
 */
export const KEY_TEXT: { readonly [K in KeyKind]: string } = {
  encap: "encap",
  priority: "skb_priority",
  inPort: "in_port",
  ethernet: "eth",
  vlan: "vlan",
  ethertype: "eth_type",
  ipv4: "ipv4",
  ipv6: "ipv6",
  tcp: "tcp",
  udp: "udp",
  icmp: "icmp",
  icmpv6: "icmpv6",
  arp: "arp",
  nd: "nd",
  skbMark: "skb_mark",
  tunnel: "tunnel",
  sctp: "sctp",
  tcpFlags: "tcp_flags",
  dpHash: "dp_hash",
  recircId: "recirc_id",
  mpls: "mpls",
  ctState: "ct_state",
  ctZone: "ct_zone",
  ctMark: "ct_mark",
  ctLabels: "ct_label",
  ctOrigTupleIpv4: "ct_tuple4",
  ctOrigTupleIpv6: "ct_tuple6",
  nsh: "nsh",
  packetType: "packet_type",
  ndExtensions: "nd_ext",
  tunnelInfo: "<error: kernel-only tunnel_info>",
  ipv6Exthdrs: "ipv6_exthdrs",
};

/** The key attribute a text name names (the parser's dispatch). */
export const KIND_OF_TEXT: ReadonlyMap<string, KeyKind> = new Map(
  (Object.entries(KEY_TEXT) as [KeyKind, string][]).map(([k, t]) => [t, k]),
);

/** The codec of key attribute `kind`. */
export function keyCodec(kind: KeyKind): Codec<unknown, never> {
  return flowKeyAttrs.codecs[kind] as unknown as Codec<unknown, never>;
}

/** A fixed-size codec's value for `size` bytes of `byte`. */
function constant(codec: Codec<unknown, never>, byte: number): unknown {
  const b = new Uint8Array(codec.size).fill(byte);
  return (codec as unknown as { read(c: DecodeContext, o: number): unknown }).read(
    new DecodeContext(b, { path: codec.type }),
    0,
  );
}

/** The all-zero and all-ones values of a fixed-size attribute, and its members (structs). */
interface Constants {
  readonly zero: unknown;
  readonly ones: unknown;
  /** [member, zero value, ones value] of a struct, in layout order. */
  readonly members: readonly (readonly [string, unknown, unknown])[] | null;
}

const CONSTANTS = new Map<KeyKind, Constants>();
for (const kind of Object.keys(KEY_TEXT) as KeyKind[]) {
  const codec = keyCodec(kind);
  if (codec.size < 0) continue;
  const zero = constant(codec, 0), ones = constant(codec, 0xff);
  const members = typeof zero === "object" && zero !== null && !(zero instanceof Uint8Array) &&
      !Array.isArray(zero)
    ? Object.keys(zero).map((m) =>
      [m, (zero as Record<string, unknown>)[m], (ones as Record<string, unknown>)[m]] as const
    )
    : null;
  CONSTANTS.set(kind, { zero, ones, members });
}

/** A mask that is present but wildcards everything (OVS's generated all-zero mask). */
export const ALL_ZERO: FlowKey = Object.freeze({}) as FlowKey;

/**
 * The all-wildcard mask of attribute `kind` whose key value is `v` (a fresh value for structs,
 * so a parser may fill it in).
 */
export function zeroMask(kind: KeyKind, v?: unknown): unknown {
  switch (kind) {
    case "mpls":
      return ((v as number[] | undefined) ?? []).map(() => 0);
    case "encap":
      return ALL_ZERO;
    case "tunnel":
    case "nsh":
      return {};
    case "tunnelInfo":
      return new Uint8Array((v as Uint8Array | undefined)?.length ?? 0);
  }
  const z = CONSTANTS.get(kind)!.zero;
  if (z instanceof Uint8Array) return z.slice();
  if (Array.isArray(z)) return [...z];
  return typeof z === "object" && z !== null ? { ...z } : z;
}

/** The largest value a numeric attribute `kind` holds (its codec's all-ones value). */
export function keyMax(kind: KeyKind): number {
  const ones = CONSTANTS.get(kind)?.ones;
  if (typeof ones !== "number") throw new TypeError(`${kind} is not a numeric key attribute`);
  return ones;
}

/** The largest value member `member` of struct attribute `kind` holds (its all-ones value). */
export function memberMax(kind: KeyKind, member: string): number {
  const m = CONSTANTS.get(kind)?.members?.find((x) => x[0] === member);
  if (!m || typeof m[2] !== "number") {
    throw new TypeError(`${kind}.${member} is not a numeric member of the flow model`);
  }
  return m[2];
}

/** True when every byte of `b` is `v` (false for no bytes at all). */
export function allBytes(b: Uint8Array | undefined, v: number): boolean {
  if (b === undefined) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== v) return false;
  return true;
}

/** True when every item of `w` is `v`. */
function allWords(w: readonly number[], v: number): boolean {
  for (let i = 0; i < w.length; i++) if (w[i] !== v) return false;
  return true;
}

/** True when `o` has no attribute (an empty `unknown` list counts as none). */
export function isEmpty(o: Record<string, unknown> | undefined): boolean {
  if (o === undefined) return true;
  for (const k in o) {
    const v = o[k];
    if (v === undefined) continue;
    if (k === "unknown" && (v as unknown[]).length === 0) continue;
    return false;
  }
  return true;
}

/** A u32 attribute's decoded value for `bits`. */
function decodeU32(codec: Codec<unknown, never>, bits: number): unknown {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, bits >>> 0, true);
  return (codec as unknown as { read(c: DecodeContext, o: number): unknown }).read(
    new DecodeContext(b, { path: codec.type }),
    0,
  );
}

/** The ct_state bit of each name the model's flags codec decodes (`established` -> 0x02). */
const CT_STATE_BITS = new Map<string, number>();
for (let bit = 0; bit < 32; bit++) {
  const [name] = decodeU32(keyCodec("ctState"), 1 << bit) as (string | number)[];
  if (typeof name === "string") CT_STATE_BITS.set(name, (1 << bit) >>> 0);
}

/** The u32 of a decoded ct_state (names and numbers). */
export function ctStateBits(v: readonly (string | number)[] | number | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === "number") return v >>> 0;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    n |= typeof x === "number" ? x : CT_STATE_BITS.get(x) ?? 0;
  }
  return n >>> 0;
}

/** ct_state bits as the model decodes them: names in definition order, then unknown bits. */
export function ctStateList(bits: number): readonly (string | number)[] {
  return decodeU32(keyCodec("ctState"), bits) as readonly (string | number)[];
}

/**
 * Open vSwitch's test of a constant mask for one attribute (`odp_mask_is_constant__`): is the
 * mask all zeros (`zero`) or all ones (`ones`)?
 */
export interface MaskTests {
  /** The mask wildcards every bit. */
  readonly zero: (m: unknown) => boolean;
  /** The mask matches every bit exactly. */
  readonly ones: (m: unknown) => boolean;
  /**
   * Whether the attribute is a scalar whose tests are `m === zeroValue` and `m === onesValue`:
   * a printer compares inline (see maskZero) instead of calling one of the dozens of `zero`
   * closures (a megamorphic call per attribute of every printed flow).
   */
  readonly scalar: boolean;
  /** The scalar's all-zero value (undefined unless `scalar`). */
  readonly zeroValue: unknown;
  /** The scalar's all-ones value (undefined unless `scalar`). */
  readonly onesValue: unknown;
}

/** Tests of one shape for every attribute (the printers' property loads stay monomorphic). */
function tests(
  zero: (m: unknown) => boolean,
  ones: (m: unknown) => boolean,
  scalar = false,
  zeroValue: unknown = undefined,
  onesValue: unknown = undefined,
): MaskTests {
  return { zero, ones, scalar, zeroValue, onesValue };
}

/** Members whose constant test counts fewer bits than the field holds (the IPv6 flow label). */
const MEMBER_BITS: { readonly [kind: string]: { readonly [member: string]: number } } = {
  ipv6: { label: 0xfffff },
};

/**
 * A struct attribute's test against its all-zero or all-ones members: generated once per
 * attribute (named loads and `===` against the constants the codec decoded, so each test is
 * one monomorphic comparison chain), or a loop over the members where `new Function` is not
 * allowed.
 */
function structTest(
  kind: string,
  members: readonly (readonly [string, unknown, unknown])[],
  ones: boolean,
): (m: unknown) => boolean {
  const bits = MEMBER_BITS[kind] ?? {};
  const want = members.map(([, zero, one]) => (ones ? one : zero));
  if (codegenEnabled()) {
    const terms = members.map(([name], i) => {
      const field = `m[${JSON.stringify(name)}]`;
      const b = bits[name];
      return b === undefined ? `${field} === W[${i}]` : `(${field} & ${b}) === ${ones ? b : 0}`;
    });
    return new Function("W", `return function (m) { return ${terms.join(" && ")}; };`)(want);
  }
  return (m) => {
    const x = m as Record<string, unknown>;
    for (let i = 0; i < members.length; i++) {
      const name = members[i][0], b = bits[name];
      if (b === undefined ? x[name] !== want[i] : ((x[name] as number) & b) !== (ones ? b : 0)) {
        return false;
      }
    }
    return true;
  };
}

/** The constant-mask tests of attribute `kind`, from its codec's 0x00/0xff values. */
function maskTests(kind: KeyKind): MaskTests {
  switch (kind) {
    case "tcpFlags":
      // Open vSwitch counts the 12 bits of the TCP flags.
      return tests(
        (m) => ((m as number) & 0x0fff) === 0,
        (m) => ((m as number) & 0x0fff) === 0x0fff,
      );
    case "ctState":
      // A bit set: compared as its u32.
      return tests(
        (m) => ctStateBits(m as (string | number)[]) === 0,
        (m) => ctStateBits(m as (string | number)[]) === 0xffff_ffff,
      );
    case "mpls":
      return tests(
        (m) => allWords(m as number[], 0),
        (m) => allWords(m as number[], 0xffff_ffff),
      );
    case "tunnel":
    case "nsh":
      // The nest's payload (attribute headers included) is all-equal only when empty.
      return tests(
        (m) => isEmpty(m as Record<string, unknown>),
        (m) => isEmpty(m as Record<string, unknown>),
      );
  }
  const c = CONSTANTS.get(kind);
  if (c === undefined) return tests(() => false, () => false);
  if (c.members === null) {
    if (c.zero instanceof Uint8Array) {
      return tests(
        (m) => allBytes(m as Uint8Array, 0),
        (m) => allBytes(m as Uint8Array, 0xff),
      );
    }
    const zero = c.zero, one = c.ones;
    return tests((m) => m === zero, (m) => m === one, true, zero, one);
  }
  return tests(
    structTest(kind, c.members, false),
    // The whole nd_ext struct counts, tail padding (always zero here) included: never all ones.
    kind === "ndExtensions" ? () => false : structTest(kind, c.members, true),
  );
}

/**
 * The constant-mask tests of every key attribute, compiled once at load from the values each
 * attribute's codec decodes from 0x00 and 0xff bytes, with Open vSwitch's exceptions: the IPv6
 * label counts 20 bits, the TCP flags 12, ct_state is a bit set, the padded nd_ext struct is
 * never all ones; nests are constant only when empty, unknown attributes never.
 */
export const MASK_TESTS: { readonly [K in KeyKind]: MaskTests } = Object.fromEntries(
  (Object.keys(KEY_TEXT) as KeyKind[]).map((kind) => [kind, maskTests(kind)]),
) as { [K in KeyKind]: MaskTests };

/**
 * `odp_mask_is_constant__`: is mask `m` of attribute `kind` all zeros (`ones` false) or all
 * ones (`ones` true)? See {@link MASK_TESTS}; false for a name that is no key attribute.
 */
export function maskIs(kind: string, m: unknown, ones: boolean): boolean {
  const t = Object.hasOwn(MASK_TESTS, kind) ? MASK_TESTS[kind as KeyKind] : undefined;
  if (t === undefined) return false;
  return ones ? t.ones(m) : t.zero(m);
}
