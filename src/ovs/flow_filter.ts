/**
 * Flow filters: `ovs-dpctl dump-flows filter=...`. A filter names fields, OpenFlow style
 * (`filter="tcp,nw_src=10.0.0.0/8,tp_dst=80"`, `in_port=1`, `arp`, `dl_dst=...`) or in the
 * datapath flow syntax (`filter="in_port(1),eth_type(0x0800)"`). A flow passes when, on every
 * bit the filter names and the flow matches on, the two agree; a field the flow wildcards
 * never excludes it (what ovs-dpctl does with `minimatch_matches_flow`).
 *
 * @module
 */

import type {
  AttrSet,
  Codec,
  StructCodec,
  StructMembers,
  UnknownAttr,
} from "../protocol/schema.ts";
import { parseIpv4, parseIpv6 } from "../protocol/schema_addr.ts";
import { EncodeContext } from "../protocol/schema_context.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { type FlowKey, flowKeyAttrs, type FlowMask, OVS_KEY_ATTR, tunnelKeyAttrs } from "./keys.ts";
import { keyCodec, type KeyKind } from "./_internal.ts";
import { excerpt } from "./odp_scan.ts";
import { parseFlowKey, type PortNames } from "./odp_text.ts";

/** Attributes by type, nests as nested maps. */
type AttrMap = Map<number, Uint8Array | AttrMap>;

// deno-lint-ignore no-explicit-any
type AnyAttrSet = AttrSet<any>;

const scratch = new NetlinkWriter(64);

/** The payload bytes `codec` writes for `value` (the schema's encoder, attribute by attribute). */
function payloadOf(codec: Codec<unknown, never>, value: unknown): Uint8Array {
  const w = scratch.reset();
  (codec as Codec<unknown, unknown>).encode(w, value, new EncodeContext(codec.type));
  return w.copy();
}

/**
 * The attributes of a decoded key (or mask) by type, each as the bytes its codec encodes; the
 * key's nests (encap, tunnel, nsh) as nested maps.
 */
function mapOfKey(key: FlowKey, set: AnyAttrSet = flowKeyAttrs): AttrMap {
  const m: AttrMap = new Map();
  const k = key as Record<string, unknown>;
  for (const f of set.fields) {
    const v = k[f.key];
    if (v === undefined) continue;
    const nested = set === flowKeyAttrs && (f.codec.kind === "nest" || f.codec.kind === "lazy");
    if (!nested) m.set(f.type, payloadOf(f.codec, v));
    else {
      const inner = f.codec.kind === "lazy"
        ? flowKeyAttrs
        : (f.codec as unknown as { set: AnyAttrSet }).set;
      m.set(f.type, mapOfKey(v as FlowKey, inner));
    }
  }
  for (const u of (k.unknown as UnknownAttr[] | undefined) ?? []) m.set(u.type, u.bytes);
  return m;
}

function mapOf(key: FlowKey | undefined): AttrMap {
  return key ? flatten(mapOfKey(key)) : new Map();
}

/**
 * A pseudo attribute (no OVS_KEY_ATTR has this number) holding the outermost VLAN tag's TPID,
 * Open vSwitch's `vlans[0].tpid`: a flattened VLAN key's own ethertype is the innermost one.
 */
const VLAN_TPID = 0x3ffe;

/**
 * Open vSwitch's view of a key (struct flow): the attributes of the innermost encapsulated
 * packet (its ethertype, addresses, ports) with the outermost VLAN tag and its TPID.
 */
function flatten(m: AttrMap): AttrMap {
  const enc = m.get(OVS_KEY_ATTR.ENCAP);
  if (!(enc instanceof Map)) return m;
  const inner = flatten(enc);
  const out: AttrMap = new Map(m);
  out.delete(OVS_KEY_ATTR.ENCAP);
  const tpid = m.get(OVS_KEY_ATTR.ETHERTYPE);
  if (tpid !== undefined) out.set(VLAN_TPID, tpid);
  for (const [t, v] of inner) {
    if ((t === OVS_KEY_ATTR.VLAN || t === VLAN_TPID) && out.has(t)) continue;
    out.set(t, v);
  }
  return out;
}

/** True when, on every bit both masks cover, the keys agree. */
function agree(fk: AttrMap, fm: AttrMap, k: AttrMap, m: AttrMap): boolean {
  for (const [type, fmask] of fm) {
    const mask = m.get(type);
    if (mask === undefined) continue; // the flow wildcards the whole attribute
    const fkey = fk.get(type), key = k.get(type);
    if (fmask instanceof Map) {
      if (!(mask instanceof Map)) continue;
      const empty: AttrMap = new Map();
      if (
        !agree(
          fkey instanceof Map ? fkey : empty,
          fmask,
          key instanceof Map ? key : empty,
          mask,
        )
      ) return false;
      continue;
    }
    if (mask instanceof Map) continue;
    const a = fkey instanceof Uint8Array ? fkey : undefined;
    const b = key instanceof Uint8Array ? key : undefined;
    const n = Math.min(fmask.length, mask.length);
    for (let i = 0; i < n; i++) {
      const bits = fmask[i] & mask[i];
      if (bits && ((a?.[i] ?? 0) ^ (b?.[i] ?? 0)) & bits) return false;
    }
  }
  return true;
}

/** Attribute maps for the next FlowFilter this module constructs. */
let seed: [AttrMap, AttrMap] | undefined;

/** A filter on attribute maps (kernel fragment types unless `fragBits`). */
function filterOf(key: AttrMap, mask: AttrMap, fragBits: boolean): FlowFilter {
  seed = [key, mask];
  return new FlowFilter(EMPTY, EMPTY, fragBits);
}

const EMPTY = new Uint8Array(0);

/**
 * A parsed dump filter; {@link FlowFilter.matches} tells whether a flow passes. As in
 * Open vSwitch, a flow's fields are those of its innermost encapsulated packet (a VLAN flow
 * of IPv4 packets is an `ip` flow), with its outermost VLAN tag.
 *
 * @example
 * ```ts
 * import { parseFlowFilter } from "@nlts/netlink/ovs";
 * const f = parseFlowFilter("in_port=1");
 * console.log(f.matches({ key: { inPort: 1 }, mask: { inPort: 0xffffffff } })); // true
 * console.log(f.matches({ key: { inPort: 2 }, mask: { inPort: 0xffffffff } })); // false
 * ```
 */
export class FlowFilter {
  readonly #key: AttrMap;
  readonly #mask: AttrMap;

  /**
   * A filter on the attributes of `key` under `mask` (encoded `OVS_KEY_ATTR_*` runs, as the
   * kernel has them; `fragBits`: their fragment bytes are Open vSwitch's nw_frag bits).
   * Encaps nested more than `MAX_NESTING` deep raise `DecodeError` (from the model's decoder).
   */
  constructor(key: Uint8Array, mask: Uint8Array, fragBits = false) {
    if (seed !== undefined) {
      // Built from attribute maps by this module (parseFlowFilter).
      [this.#key, this.#mask] = seed;
      seed = undefined;
    } else {
      // Read through the model's decoder (which bounds encaps by MAX_NESTING).
      this.#key = mapOf(flowKeyAttrs.decode(key));
      this.#mask = mapOf(flowKeyAttrs.decode(mask));
    }
    if (!fragBits) fragToBits(this.#key, this.#mask);
  }

  /**
   * Whether a flow (its key and mask; no mask: exact on every attribute of the key) passes.
   * A flow reported without its key (a terse dump) always passes.
   *
   * @example
   * ```ts
   * import { parseFlowFilter } from "@nlts/netlink/ovs";
   * console.log(parseFlowFilter("arp").matches({ key: { ethertype: 0x0800 } })); // false
   * ```
   */
  matches(flow: { key?: FlowKey; mask?: FlowMask }): boolean {
    if (!flow.key) return true;
    const k = mapOf(flow.key);
    const m = flow.mask ? mapOf(flow.mask) : exactMask(k);
    fragToBits(k, m);
    // A flow without a VLAN attribute matches untagged packets only (Open vSwitch's view).
    if (this.#mask.has(OVS_KEY_ATTR.VLAN) && !k.has(OVS_KEY_ATTR.VLAN)) {
      k.set(OVS_KEY_ATTR.VLAN, new Uint8Array(2));
      m.set(OVS_KEY_ATTR.VLAN, new Uint8Array([0xff, 0xff]));
    }
    return agree(this.#key, this.#mask, k, m);
  }
}

/** Offsets of the fragment type in `ovs_key_ipv4` / `ovs_key_ipv6` (from the model). */
const FRAG_AT: ReadonlyMap<number, number> = new Map([
  [OVS_KEY_ATTR.IPV4, member("ipv4", "frag").offset],
  [OVS_KEY_ATTR.IPV6, member("ipv6", "frag").offset],
]);

/**
 * Rewrites the kernel's fragment type (none 0, first 1, later 2; mask 0xff) as Open vSwitch's
 * nw_frag bits (any 1, later 2), which OpenFlow-style filters are written in.
 */
function fragToBits(k: AttrMap, m: AttrMap): void {
  for (const [type, at] of FRAG_AT) {
    const kb = k.get(type), mb = m.get(type);
    if (!(kb instanceof Uint8Array) || kb.length <= at) continue;
    const kk = kb.slice(), v = kk[at];
    kk[at] = v === 1 ? 1 : v === 2 ? 3 : 0;
    k.set(type, kk);
    if (mb instanceof Uint8Array && mb.length > at) {
      const mm = mb.slice();
      mm[at] = mm[at] === 0xff ? 3 : mm[at] & 3;
      m.set(type, mm);
    }
  }
}

function exactMask(k: AttrMap): AttrMap {
  const m: AttrMap = new Map();
  for (const [t, v] of k) {
    m.set(t, v instanceof Map ? exactMask(v) : new Uint8Array(v.length).fill(0xff));
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// OpenFlow-style field names

/** One field: attribute type path, byte offset, width, and how to read a value. */
interface FieldDef {
  path: number[];
  /** Size of the attribute's payload. */
  size: number;
  offset: number;
  width: number;
  kind: "uint" | "mac" | "ipv4" | "ipv6";
  /** Integers in host order (little-endian), as `t.u32()` and the flags are. */
  host: boolean;
}

const T = OVS_KEY_ATTR;

/** The attribute number of `key` in `set`. */
function typeOf(set: AnyAttrSet, key: string): number {
  const f = set.fields.find((x) => x.key === key);
  if (!f) throw new TypeError(`${set.name} has no attribute ${key}`);
  return f.type;
}

/** A field of codec `c` at `offset` in an attribute of `size` bytes at `path`. */
function fieldOf(path: number[], size: number, offset: number, c: Codec<unknown, never>): FieldDef {
  const k = c.kind;
  return {
    path,
    size,
    offset,
    width: c.size,
    kind: k === "mac" || k === "ipv4" || k === "ipv6" ? k : "uint",
    host: !k.endsWith("be"),
  };
}

/** A whole key attribute as one field (`in_port`, `eth_type`). */
function whole(kind: KeyKind): FieldDef {
  const c = keyCodec(kind);
  return fieldOf([typeOf(flowKeyAttrs, kind)], c.size, 0, c);
}

/** Member `name` of struct attribute `kind`, at the offset the model lays it out. */
function member(kind: KeyKind, name: string): FieldDef {
  const c = keyCodec(kind) as unknown as StructCodec<StructMembers>;
  return fieldOf([typeOf(flowKeyAttrs, kind)], c.size, c.offsets[name], c.members[name]);
}

/** Tunnel key attribute `key` (a nested attribute of the key's tunnel). */
function tunnel(key: string): FieldDef {
  const c = tunnelKeyAttrs.codecs[key as keyof typeof tunnelKeyAttrs.codecs] as Codec<
    unknown,
    never
  >;
  return fieldOf([T.TUNNEL, typeOf(tunnelKeyAttrs, key)], c.size, 0, c);
}

const FIELDS: Record<string, FieldDef> = {
  in_port: whole("inPort"),
  recirc_id: whole("recircId"),
  dp_hash: whole("dpHash"),
  skb_priority: whole("priority"),
  skb_mark: whole("skbMark"),
  pkt_mark: whole("skbMark"),
  ct_zone: whole("ctZone"),
  ct_mark: whole("ctMark"),
  dl_src: member("ethernet", "src"),
  eth_src: member("ethernet", "src"),
  dl_dst: member("ethernet", "dst"),
  eth_dst: member("ethernet", "dst"),
  dl_type: whole("ethertype"),
  eth_type: whole("ethertype"),
  vlan_tci: whole("vlan"),
  tcp_flags: whole("tcpFlags"),
  tun_id: tunnel("id"),
  tunnel_id: tunnel("id"),
  tun_src: tunnel("ipv4Src"),
  tun_dst: tunnel("ipv4Dst"),
  arp_op: member("arp", "op"),
  arp_spa: member("arp", "sip"),
  arp_tpa: member("arp", "tip"),
  arp_sha: member("arp", "sha"),
  arp_tha: member("arp", "tha"),
  ipv6_src: member("ipv6", "src"),
  ipv6_dst: member("ipv6", "dst"),
  ipv6_label: member("ipv6", "label"),
  nd_target: member("nd", "target"),
  nd_sll: member("nd", "sll"),
  nd_tll: member("nd", "tll"),
};

function l4Kind(type: number): KeyKind {
  return type === T.TCP ? "tcp" : type === T.UDP ? "udp" : "sctp";
}

/** Protocol shortcuts: ethertype and IP protocol. */
const SHORTCUTS: Record<string, [number, number?]> = {
  ip: [0x0800],
  ipv6: [0x86dd],
  icmp: [0x0800, 1],
  icmp6: [0x86dd, 58],
  tcp: [0x0800, 6],
  tcp6: [0x86dd, 6],
  udp: [0x0800, 17],
  udp6: [0x86dd, 17],
  sctp: [0x0800, 132],
  sctp6: [0x86dd, 132],
  arp: [0x0806],
  rarp: [0x8035],
  mpls: [0x8847],
  mplsm: [0x8848],
};

/** nw_frag values: Open vSwitch's bits (any 1, later 2) and mask. */
const FRAG: Record<string, [number, number]> = {
  no: [0, 1],
  yes: [1, 1],
  first: [1, 3],
  later: [3, 3],
  not_later: [0, 2],
};

const CT_BITS: Record<string, number> = {
  new: 0x01,
  est: 0x02,
  rel: 0x04,
  rpl: 0x08,
  inv: 0x10,
  trk: 0x20,
  snat: 0x40,
  dnat: 0x80,
};

class Builder {
  readonly key: AttrMap = new Map();
  readonly mask: AttrMap = new Map();

  /** The key and mask byte arrays of the attribute at `path` (created with `size` bytes). */
  slot(path: number[], size: number): [Uint8Array, Uint8Array] {
    let k = this.key, m = this.mask;
    for (let i = 0; i < path.length - 1; i++) {
      const t = path[i];
      if (!(k.get(t) instanceof Map)) k.set(t, new Map());
      if (!(m.get(t) instanceof Map)) m.set(t, new Map());
      k = k.get(t) as AttrMap;
      m = m.get(t) as AttrMap;
    }
    const t = path[path.length - 1];
    let kb = k.get(t) as Uint8Array | undefined, mb = m.get(t) as Uint8Array | undefined;
    if (!kb) k.set(t, kb = new Uint8Array(size));
    if (!mb) m.set(t, mb = new Uint8Array(size));
    return [kb, mb];
  }

  set(path: number[], size: number, offset: number, value: Uint8Array, mask: Uint8Array): void {
    const [kb, mb] = this.slot(path, size);
    // Merged with what earlier fields set on the same bytes (dl_vlan and dl_vlan_pcp share
    // the TCI).
    for (let i = 0; i < value.length; i++) {
      kb[offset + i] = (kb[offset + i] & ~mask[i]) | (value[i] & mask[i]);
      mb[offset + i] |= mask[i];
    }
  }
}

function fail(text: string, what: string): never {
  throw new RangeError(`Cannot parse flow filter "${excerpt(text, 60)}": ${excerpt(what, 500)}`);
}

function uintBytes(v: bigint, width: number, hostOrder: boolean): Uint8Array {
  const b = new Uint8Array(width);
  for (let i = 0; i < width; i++) {
    const byte = Number((v >> BigInt(8 * i)) & 0xffn);
    b[hostOrder ? i : width - 1 - i] = byte;
  }
  return b;
}

function parseUint(s: string, width: number, text: string, name: string): bigint {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(s)) fail(text, `${name}: "${s}" is not a number`);
  const v = BigInt(s);
  if (v >> BigInt(width * 8)) fail(text, `${name}: ${s} does not fit in ${width * 8} bits`);
  return v;
}

function prefixMask(bits: number, width: number): Uint8Array {
  const m = new Uint8Array(width);
  for (let i = 0; i < width; i++) {
    const b = Math.max(0, Math.min(8, bits - 8 * i));
    m[i] = b === 0 ? 0 : (0xff << (8 - b)) & 0xff;
  }
  return m;
}

function parseMac(s: string, text: string, name: string): Uint8Array {
  const m =
    /^([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2}):([0-9a-f]{1,2})$/i
      .exec(s);
  if (!m) fail(text, `${name}: "${s}" is not an Ethernet address`);
  return Uint8Array.from(m.slice(1).map((x) => parseInt(x, 16)));
}

function parseValue(
  def: FieldDef,
  s: string,
  text: string,
  name: string,
): [Uint8Array, Uint8Array] {
  const slash = s.indexOf("/");
  const vs = slash < 0 ? s : s.slice(0, slash);
  const ms = slash < 0 ? undefined : s.slice(slash + 1);
  const w = def.width;
  switch (def.kind) {
    case "mac":
      return [
        parseMac(vs, text, name),
        ms === undefined ? new Uint8Array(6).fill(0xff) : parseMac(ms, text, name),
      ];
    case "ipv4": {
      const v = new Uint8Array(4);
      if (!parseIpv4(vs, v, 0)) fail(text, `${name}: "${vs}" is not an IPv4 address`);
      if (ms === undefined) return [v, new Uint8Array(4).fill(0xff)];
      if (/^\d+$/.test(ms) && Number(ms) <= 32) return [v, prefixMask(Number(ms), 4)];
      const m = new Uint8Array(4);
      if (!parseIpv4(ms, m, 0)) fail(text, `${name}: "${ms}" is not a mask or prefix length`);
      return [v, m];
    }
    case "ipv6": {
      const v = parseIpv6(vs);
      if (!v) fail(text, `${name}: "${vs}" is not an IPv6 address`);
      if (ms === undefined) return [v, new Uint8Array(16).fill(0xff)];
      if (/^\d+$/.test(ms) && Number(ms) <= 128) return [v, prefixMask(Number(ms), 16)];
      const m = parseIpv6(ms);
      if (!m) fail(text, `${name}: "${ms}" is not a mask or prefix length`);
      return [v, m];
    }
    default: {
      const host = def.host;
      const v = parseUint(vs, w, text, name);
      const m = ms === undefined ? (1n << BigInt(8 * w)) - 1n : parseUint(ms, w, text, name);
      return [uintBytes(v, w, host), uintBytes(m, w, host)];
    }
  }
}

/**
 * Options of {@link parseFlowFilter}.
 *
 * @example
 * ```ts
 * import { type FlowFilterOptions, parseFlowFilter } from "@nlts/netlink/ovs";
 * const o: FlowFilterOptions = { portNames: new Map([[1, "eth0"]]) };
 * console.log(parseFlowFilter("in_port=eth0", o).matches({ key: { inPort: 1 } })); // true
 * ```
 */
export interface FlowFilterOptions {
  /** Port numbers by name, for `in_port=NAME` / `in_port(NAME)`. */
  portNames?: PortNames;
}

/**
 * Parses a dump filter: OpenFlow-style fields separated by commas (`ip`, `tcp`, `arp`, ...;
 * `in_port`, `dl_src`, `dl_dst`, `dl_type`, `dl_vlan`, `nw_src`, `nw_dst`, `nw_proto`,
 * `nw_tos`, `nw_ttl`, `nw_frag`, `tp_src`, `tp_dst`, `icmp_type`, `icmp_code`, `arp_*`, `ipv6_*`,
 * `nd_*`, `tun_id`, `tun_src`, `tun_dst`, `recirc_id`, `dp_hash`, `skb_priority`, `pkt_mark`,
 * `ct_state`, `ct_zone`, `ct_mark`, `tcp_flags`; values with `/mask` or `/prefix`), or a flow
 * in the datapath syntax (`in_port(1),eth_type(0x0806)`). RangeError on bad text.
 *
 * @example
 * ```ts
 * import { parseFlowFilter } from "@nlts/netlink/ovs";
 * const f = parseFlowFilter("tcp,nw_dst=10.0.0.0/8,tp_dst=80");
 * console.log(f.matches({ key: { ethertype: 0x0806 }, mask: { ethertype: 0xffff } })); // false
 * ```
 */
export function parseFlowFilter(text: string, options: FlowFilterOptions = {}): FlowFilter {
  if (typeof text !== "string") throw new TypeError("Cannot parse flow filter: expected text");
  const t = text.trim();
  if (t.includes("(")) {
    let p;
    try {
      p = parseFlowKey(t, { portNames: options.portNames });
    } catch (e) {
      fail(text, (e as Error).message);
    }
    return filterOf(mapOf(p.key), mapOf(p.mask), false);
  }
  const b = new Builder();
  let ethertype: number | undefined, proto: number | undefined;
  const items = t === "" ? [] : t.split(/[,\s]+/).filter((x) => x !== "");
  const fields: [string, string][] = [];
  for (const item of items) {
    const eq = item.indexOf("=");
    const name = (eq < 0 ? item : item.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : item.slice(eq + 1);
    if (value === undefined) {
      const sc = SHORTCUTS[name];
      if (!sc) fail(text, `unknown protocol "${name}"`);
      ethertype = sc[0];
      if (sc[1] !== undefined) proto = sc[1];
      continue;
    }
    if (name === "dl_type" || name === "eth_type") {
      ethertype = Number(parseUint(value, 2, text, name));
    }
    if (name === "nw_proto" || name === "ip_proto") proto = Number(parseUint(value, 1, text, name));
    fields.push([name, value]);
  }
  // Fields of IPv4 imply it when no protocol was named (OpenFlow's prerequisites).
  if (
    ethertype === undefined &&
    fields.some(([n]) => /^(nw_|ip_)|^(tp|tcp|udp|sctp)_(src|dst)$|^icmp_/.test(n))
  ) ethertype = 0x0800;
  if (ethertype !== undefined) {
    b.set([T.ETHERTYPE], 2, 0, uintBytes(BigInt(ethertype), 2, false), new Uint8Array([255, 255]));
  }
  const v6 = ethertype === 0x86dd;
  const l3: KeyKind = v6 ? "ipv6" : "ipv4";
  /** Sets a one-byte member of the IP attribute. */
  const ipByte = (name: string, value: number, mask: number) => {
    const f = member(l3, name);
    b.set(f.path, f.size, f.offset, new Uint8Array([value]), new Uint8Array([mask]));
  };
  if (proto !== undefined && (ethertype === 0x0800 || v6)) ipByte("proto", proto, 0xff);
  const l4 = proto === 6 ? T.TCP : proto === 17 ? T.UDP : proto === 132 ? T.SCTP : undefined;
  for (const [name, value] of fields) {
    if (name === "dl_type" || name === "eth_type" || name === "nw_proto" || name === "ip_proto") {
      continue;
    }
    let def = FIELDS[name];
    if (name === "in_port" && options.portNames && !/^(0x)?[0-9a-f]+$/i.test(value)) {
      const no = [...options.portNames].find(([, n]) => n === value)?.[0];
      if (no === undefined) fail(text, `in_port: no port named "${value}"`);
      b.set([T.IN_PORT], 4, 0, uintBytes(BigInt(no), 4, true), new Uint8Array(4).fill(255));
      continue;
    }
    if (name === "ct_state") {
      let bits = 0, mask = 0;
      for (const m of value.matchAll(/([+-])([a-z]+)/g)) {
        const bit = CT_BITS[m[2]];
        if (bit === undefined) fail(text, `ct_state: unknown flag "${m[2]}"`);
        mask |= bit;
        if (m[1] === "+") bits |= bit;
      }
      if (!mask) {
        const [vv, mm] = parseValue(whole("ctState"), value, text, name);
        b.set([T.CT_STATE], 4, 0, vv, mm);
      } else {
        b.set(
          [T.CT_STATE],
          4,
          0,
          uintBytes(BigInt(bits), 4, true),
          uintBytes(BigInt(mask), 4, true),
        );
      }
      continue;
    }
    if (name === "dl_vlan" || name === "vlan_vid") {
      // dl_vlan (OpenFlow 1.0): a VID, the tag present; 0xffff: no tag. vlan_vid (OpenFlow
      // 1.2): the 13 bits VID | 0x1000 (present), so vlan_vid=0x100a is dl_vlan=10.
      const v = Number(parseUint(value, 2, text, name));
      const tci = name === "vlan_vid" ? v & 0x1fff : v === 0xffff ? 0 : (v & 0xfff) | 0x1000;
      b.set([T.VLAN], 2, 0, uintBytes(BigInt(tci), 2, false), new Uint8Array([0x1f, 0xff]));
      continue;
    }
    if (name === "dl_vlan_pcp" || name === "vlan_pcp") {
      const pcp = Number(parseUint(value, 1, text, name)) & 7;
      b.set(
        [T.VLAN],
        2,
        0,
        uintBytes(BigInt((pcp << 13) | 0x1000), 2, false),
        new Uint8Array([0xf0, 0]),
      );
      continue;
    }
    if (name === "nw_src" || name === "ip_src" || name === "nw_dst" || name === "ip_dst") {
      const src = name.endsWith("src");
      def = ethertype === 0x0806 || ethertype === 0x8035
        ? FIELDS[src ? "arp_spa" : "arp_tpa"]
        : member("ipv4", src ? "src" : "dst");
    } else if (name === "nw_frag" || name === "ip_frag") {
      const f = FRAG[value];
      if (!f) fail(text, `${name}: "${value}" is not no, yes, first, later or not_later`);
      ipByte("frag", f[0], f[1]);
      continue;
    } else if (name === "nw_tos" || name === "nw_ttl" || name === "nw_ecn") {
      const field = name === "nw_ttl" ? (v6 ? "hlimit" : "ttl") : (v6 ? "tclass" : "tos");
      const n = Number(parseUint(value, 1, text, name));
      const [vv, mm] = name === "nw_tos"
        ? [n & 0xfc, 0xfc]
        : name === "nw_ecn"
        ? [n & 3, 3]
        : [n, 0xff];
      ipByte(field, vv, mm);
      continue;
    } else if (/^(tp|tcp|udp|sctp)_(src|dst)$/.test(name)) {
      const kind = name.split("_")[0];
      const type = kind === "tcp" ? T.TCP : kind === "udp" ? T.UDP : kind === "sctp" ? T.SCTP : l4;
      if (type === undefined) fail(text, `${name} needs tcp, udp or sctp first`);
      def = member(l4Kind(type), name.endsWith("src") ? "src" : "dst");
    } else if (/^icmp(v6)?_(type|code)$/.test(name)) {
      const type = name.startsWith("icmpv6") || v6 ? T.ICMPV6 : T.ICMP;
      def = member(type === T.ICMPV6 ? "icmpv6" : "icmp", name.endsWith("type") ? "type" : "code");
    }
    if (!def) fail(text, `unknown field "${name}"`);
    const [vv, mm] = parseValue(def, value, text, name);
    b.set(def.path, def.size, def.offset, vv, mm);
  }
  // Like Open vSwitch (flow_fix_vlan_tpid), a VLAN field also matches the outer tag's TPID
  // under the mask 0x8100: 802.1Q tags when the TCI is nonzero, so an 802.1ad (0x88a8) outer
  // tag never passes dl_vlan=10 (ovs-dpctl dump-flows agrees).
  const tci = b.key.get(T.VLAN);
  if (tci instanceof Uint8Array) {
    const tagged = tci.some((x) => x !== 0);
    b.set(
      [VLAN_TPID],
      2,
      0,
      new Uint8Array(tagged ? [0x81, 0] : [0, 0]),
      new Uint8Array([0x81, 0]),
    );
  }
  return filterOf(flatten(b.key), flatten(b.mask), true);
}
