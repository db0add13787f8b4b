type Obj = Record<string, unknown>;

/**
 * Printing flow keys and masks in the datapath text format (internal): what `ovs-dpctl
 * dump-flows` prints, field for field (`odp_flow_format` of Open vSwitch's lib/odp-util.c).
 *
 * Mask conventions follow Open vSwitch: `mask === undefined` means "no mask" (every field
 * printed as exact); with a mask, an attribute missing from it is all-wildcarded.
 *
 * @module
 */

import type { UnknownAttr } from "../protocol/schema.ts";
import type {
  FlowKey,
  NshKey,
  OvsKeyArp,
  OvsKeyCtTuple,
  OvsKeyEthernet,
  OvsKeyIcmp,
  OvsKeyIpv4,
  OvsKeyIpv6,
  OvsKeyNd,
  OvsKeyNdExtensions,
  OvsKeyPorts,
  TunnelKey,
} from "./keys.ts";
import { encodeFlowKey } from "./flow_attrs.ts";
import { hexAlt, hexAlt64, hexBytes, ntop6, putHex } from "./odp_scan.ts";
import {
  ALL_ZERO,
  allBytes,
  ctStateBits,
  isEmpty,
  KEY_TEXT,
  type KeyKind,
  MASK_TESTS,
  zeroMask,
} from "./_internal.ts";

/** Port number to name, as `ovs-dpctl --names` prints ports. */
export type PortNames = ReadonlyMap<number, string>;

/**
 * Set by the printers when they print what Open vSwitch prints for a malformed attribute (a
 * diagnostic such as `frag=<error>` or `opt len 8 greater than remaining 4`, unknown flag bits):
 * text no parser reads back. The attribute loops then print that attribute in the generic
 * form (`keyN(hex/hex)`, `actionN(hex)`) instead, which parses back to the same bytes.
 * Internal.
 */
export const printState: { lossy: boolean } = { lossy: false };

/** Marks the attribute being printed as lossy (see {@link printState}) and returns `text`. */
function lossy(text: string): string {
  printState.lossy = true;
  return text;
}

const V4_ZERO = "0.0.0.0";
const V4_ONES = "255.255.255.255";
const V6_ZERO = "::";
const V6_ONES = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
const MAC_ZERO = "00:00:00:00:00:00";
const MAC_ONES = "ff:ff:ff:ff:ff:ff";

// ---------------------------------------------------------------------------------------------
// Field printers. Each returns "name=value[/mask]" or "" (left out); `cat` joins them with ",".

function fIpv4(name: string, k: string, m: string | undefined, verbose: boolean): string {
  if (!verbose && m === V4_ZERO) return "";
  return m === undefined || m === V4_ONES ? `${name}=${k}` : `${name}=${k}/${m}`;
}

function fIn6(name: string, k: string, m: string | undefined, verbose: boolean): string {
  if (!verbose && m === V6_ZERO) return "";
  return m === undefined || m === V6_ONES
    ? `${name}=${ntop6(k)}`
    : `${name}=${ntop6(k)}/${ntop6(m)}`;
}

function fEth(name: string, k: string, m: string | undefined, verbose: boolean): string {
  if (!verbose && m === MAC_ZERO) return "";
  return m === undefined || m === MAC_ONES ? `${name}=${k}` : `${name}=${k}/${m}`;
}

function fU8u(name: string, k: number, m: number | undefined, verbose: boolean): string {
  if (!verbose && m === 0) return "";
  return m === undefined || m === 0xff ? `${name}=${k}` : `${name}=${k}/${hexAlt(m)}`;
}

function fU8x(name: string, k: number, m: number | undefined, verbose: boolean): string {
  if (!verbose && m === 0) return "";
  return m === undefined || m === 0xff
    ? `${name}=${hexAlt(k)}`
    : `${name}=${hexAlt(k)}/${hexAlt(m)}`;
}

function fBe16(name: string, k: number, m: number | undefined, verbose: boolean): string {
  if (!verbose && m === 0) return "";
  return m === undefined || m === 0xffff ? `${name}=${k}` : `${name}=${k}/${hexAlt(m)}`;
}

function fBe16x(name: string, k: number, m: number | undefined, verbose: boolean): string {
  if (!verbose && m === 0) return "";
  return m === undefined || m === 0xffff
    ? `${name}=${hexAlt(k)}`
    : `${name}=${hexAlt(k)}/${hexAlt(m)}`;
}

function fBe64(name: string, k: bigint, m: bigint | undefined, verbose: boolean): string {
  // OVS reads a missing mask as 0 here: without a mask the field shows only when verbose.
  if (!verbose && (m === undefined || m === 0n)) return "";
  const full = m === undefined || m === 0xffff_ffff_ffff_ffffn;
  return `${name}=0x${k.toString(16)}${full ? "" : "/" + hexAlt64(m)}`;
}

function fLabel(k: number, m: number | undefined, verbose: boolean): string {
  if (!verbose && m === 0) return "";
  const full = m === undefined || (m & 0xfffff) === 0xfffff;
  // The parsers read 20 bits.
  if (k > 0xfffff || (!full && (m as number) > 0xfffff)) printState.lossy = true;
  return full ? `label=${hexAlt(k)}` : `label=${hexAlt(k)}/${hexAlt(m)}`;
}

const FRAG = ["no", "first", "later"];

function fFrag(k: number, m: number | undefined): string {
  if (m === 0) return "";
  if (m !== undefined && m !== 0xff) {
    return lossy(`error: partial mask not supported for frag (${hexAlt(m)})`);
  }
  return `frag=${FRAG[k] ?? lossy("<error>")}`;
}

/** Joins non-empty parts with ",". */
function cat(a: string, b: string): string {
  return b === "" ? a : a === "" ? b : a + "," + b;
}

/** A field printer's text followed by "," (for the builders that chomp at the end). */
function c(x: string): string {
  return x === "" ? "" : x + ",";
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `%04x` of a 16-bit number. */
function hex4(n: number): string {
  return HEX2[(n >> 8) & 0xff] + HEX2[n & 0xff];
}

function chomp(s: string): string {
  return s.length > 0 && s.charCodeAt(s.length - 1) === 44 ? s.slice(0, -1) : s;
}

// ---------------------------------------------------------------------------------------------
// Flags

/** Text names of the ct_state bits (`odp_ct_state_to_string`). */
export const CT_STATE_TEXT: ReadonlyMap<number, string> = new Map([
  [0x08, "rpl"],
  [0x20, "trk"],
  [0x01, "new"],
  [0x02, "est"],
  [0x04, "rel"],
  [0x10, "inv"],
  [0x40, "snat"],
  [0x80, "dnat"],
]);

/** Text names of the TCP flag bits (`packet_tcp_flag_to_string`). */
export const TCP_FLAG_TEXT: ReadonlyMap<number, string> = new Map([
  [0x001, "fin"],
  [0x002, "syn"],
  [0x004, "rst"],
  [0x008, "psh"],
  [0x010, "ack"],
  [0x020, "urg"],
  [0x040, "ece"],
  [0x080, "cwr"],
  [0x100, "ns"],
  [0x200, "[200]"],
  [0x400, "[400]"],
  [0x800, "[800]"],
]);

/** Text names of the tunnel flags (`flow_tun_flag_to_string`). */
export const TUN_FLAG_TEXT: ReadonlyMap<number, string> = new Map([
  [1, "oam"],
  [2, "df"],
  [4, "csum"],
  [8, "key"],
]);

/** `format_flags`: names of the set bits, lowest first, joined by `del`; "0" for none. */
export function formatFlags(
  names: ReadonlyMap<number, string>,
  flags: number,
  del: string,
): string {
  if (flags === 0) return "0";
  let s = "";
  let bad = 0;
  let f = flags >>> 0;
  while (f !== 0) {
    const bit = (f & -f) >>> 0;
    const n = names.get(bit);
    if (n !== undefined) s += n + del;
    else bad = (bad | bit) >>> 0;
    f = (f ^ bit) >>> 0;
  }
  if (bad) s += lossy("0x" + bad.toString(16) + del);
  return s.slice(0, -del.length);
}

/** `format_flags_masked` (without a name). */
export function formatFlagsMasked(
  names: ReadonlyMap<number, string>,
  flags: number,
  mask: number,
  maxMask: number,
): string {
  if (mask === maxMask) return formatFlags(names, flags, "|");
  if (mask === 0) return "0/0";
  let s = "";
  let m = mask >>> 0;
  while (m !== 0) {
    const bit = (m & -m) >>> 0;
    s += (flags & bit ? "+" : "-") + (names.get(bit) ?? lossy("[Unknown]"));
    m = (m ^ bit) >>> 0;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Attributes

/** `format_vlan_tci`. */
export function formatVlanTci(tci: number, mask: number, verbose: boolean): string {
  let s = "";
  const vid = tci & 0xfff, vidMask = mask & 0xfff;
  if (verbose || vid !== 0 || vidMask !== 0) {
    s += `vid=${vid}`;
    if (vidMask !== 0xfff) s += `/0x${vidMask.toString(16)}`;
    s += ",";
  }
  const pcp = tci >> 13, pcpMask = (mask >> 13) & 7;
  if (verbose || pcp !== 0 || pcpMask !== 0) {
    s += `pcp=${pcp}`;
    if (pcpMask !== 7) s += `/0x${pcpMask.toString(16)}`;
    s += ",";
  }
  if (!(tci & 0x1000)) s += "cfi=0,";
  return chomp(s);
}

/** `format_mpls_lse`. */
export function formatMplsLse(lse: number): string {
  return `label=${lse >>> 12},tc=${(lse >> 9) & 7},ttl=${lse & 0xff},bos=${(lse >> 8) & 1}`;
}

function formatMpls(k: number[], m: number[] | undefined): string {
  let s = "";
  for (let i = 0; i < k.length; i++) {
    const lse = k[i];
    if (m === undefined) s += formatMplsLse(lse);
    else {
      const ml = m[i];
      s += `label=${lse >>> 12}/0x${(ml >>> 12).toString(16)},tc=${(lse >> 9) & 7}/${
        ((ml >> 9) & 7).toString(16)
      },ttl=${lse & 0xff}/0x${(ml & 0xff).toString(16)},bos=${(lse >> 8) & 1}/${(ml >> 8) & 1}`;
    }
    s += ",";
  }
  return chomp(s);
}

/** `format_u128`: 16 raw (host-order, little-endian) bytes printed as one hex number. */
export function formatU128(v: Uint8Array, m: Uint8Array | undefined, verbose: boolean): string {
  if (!(verbose || (m !== undefined && !allBytes(m, 0)))) return "";
  let s = putHex(reverse16(v));
  if (m !== undefined && !allBytes(m, 0xff)) s += "/" + putHex(reverse16(m));
  return s;
}

/** The 16 bytes reversed (host-order u128 <-> big-endian). */
export function reverse16(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = b[15 - i];
  return out;
}

function generic(b: Uint8Array): string {
  return hexBytes(b, " ");
}

function formatUnknownKey(u: UnknownAttr, m: UnknownAttr | undefined): string {
  let s = `key${u.type}(${generic(u.bytes)}`;
  if (m !== undefined && !allBytes(m.bytes, 0xff)) s += "/" + generic(m.bytes);
  return s + ")";
}

function formatNshBase(
  k: NshKey,
  m: NshKey | undefined,
): string {
  const kb = k.base ?? { flags: 0, ttl: 0, mdtype: 0, np: 0, pathHdr: 0 };
  const ctx = k.md1?.context ?? [0, 0, 0, 0];
  if (m === undefined) {
    let s = `flags=${kb.flags},ttl=${kb.ttl},mdtype=${kb.mdtype},np=${kb.np},spi=0x${
      (kb.pathHdr >>> 8).toString(16)
    },si=${kb.pathHdr & 0xff}`;
    if (kb.mdtype === 1) {
      for (let i = 0; i < 4; i++) s += `,c${i + 1}=0x${(ctx[i] >>> 0).toString(16)}`;
    }
    return s;
  }
  // A present nsh mask starts all-ones; the mask attributes of the key's own attributes
  // replace parts of it (format_odp_nsh_attr walks the key: a kernel mask's md1 is ignored
  // when the key has none, and c1..c4 then print as exact zeros).
  const mb = (k.base && m.base) ??
    { flags: 0xff, ttl: 0xff, mdtype: 0xff, np: 0xff, pathHdr: 0xffff_ffff };
  const mctx = (k.md1 && m.md1?.context) ??
    [0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff];
  return formatNshMasked(kb, mb, ctx, mctx);
}

/** `format_nsh_key_mask`. */
export function formatNshMasked(
  kb: { flags: number; ttl: number; mdtype: number; np: number; pathHdr: number },
  mb: { flags: number; ttl: number; mdtype: number; np: number; pathHdr: number },
  ctx: readonly number[],
  mctx: readonly number[],
): string {
  const parts: string[] = [];
  const u8 = (name: string, v: number, mk: number) => {
    if (mk === 0) return;
    parts.push(
      mk === 0xff
        ? `${name}=${v}`
        : `${name}=0x${v.toString(16).padStart(2, "0")}/0x${mk.toString(16).padStart(2, "0")}`,
    );
  };
  const b32 = (name: string, v: number, mk: number) => {
    if (mk === 0) return;
    parts.push(
      mk === 0xffff_ffff
        ? `${name}=0x${(v >>> 0).toString(16)}`
        : `${name}=0x${(v >>> 0).toString(16)}/0x${(mk >>> 0).toString(16).padStart(8, "0")}`,
    );
  };
  u8("flags", kb.flags, mb.flags);
  u8("ttl", kb.ttl, mb.ttl);
  u8("mdtype", kb.mdtype, mb.mdtype);
  u8("np", kb.np, mb.np);
  let spiMask = mb.pathHdr >>> 8;
  if (spiMask === 0xffffff) spiMask = 0xffff_ffff;
  b32("spi", kb.pathHdr >>> 8, spiMask);
  u8("si", kb.pathHdr & 0xff, mb.pathHdr & 0xff);
  for (let i = 0; i < 4; i++) b32(`c${i + 1}`, ctx[i] ?? 0, mctx[i] ?? 0);
  return parts.join(",");
}

const ERSPAN_LEN = 12;

function formatErspan(k: Uint8Array, m: Uint8Array | undefined, verbose: boolean): string {
  if (k.length < ERSPAN_LEN || (m !== undefined && m.length < ERSPAN_LEN)) {
    return lossy(hexBytes(k, " "));
  }
  const kv = new DataView(k.buffer, k.byteOffset, k.byteLength);
  const mv = m === undefined ? undefined : new DataView(m.buffer, m.byteOffset, m.byteLength);
  const version = kv.getInt32(0, true);
  if (version !== 1 && version !== 2) printState.lossy = true;
  let s = c(fU8u(
    "ver",
    version & 0xff,
    mv === undefined ? undefined : mv.getInt32(0, true) & 0xff,
    verbose,
  ));
  if (version === 1) {
    s += mv === undefined
      ? `idx=${hexAlt(kv.getUint32(4, false))},`
      : `idx=${hexAlt(kv.getUint32(4, false))}/${hexAlt(mv.getUint32(4, false))},`;
  } else if (version === 2) {
    const b = k[11], mb = m === undefined ? 0 : m[11];
    s += c(fU8u("dir", (b >> 3) & 1, m === undefined ? undefined : (mb >> 3) & 1, verbose));
    s += c(fU8x("hwid", b >> 4, m === undefined ? undefined : mb >> 4, verbose));
  }
  return chomp(s);
}

function formatGeneve(k: Uint8Array, m: Uint8Array | undefined, verbose: boolean): string {
  if (m !== undefined && m.length !== k.length) {
    return lossy(`value len ${k.length} different from mask len ${m.length}`);
  }
  let s = "";
  let off = 0;
  let left = k.length;
  while (left > 0) {
    if (left < 4) return s + lossy(`opt len ${left} less than minimum 4`);
    const dataLen = (k[off + 3] & 0x1f) * 4;
    let lenMask = 0;
    if (m !== undefined) lenMask = (m[off + 3] & 0x1f) === 0x1f ? 0xff : m[off + 3] & 0x1f;
    const len = 4 + dataLen;
    if (len > left) return s + lossy(`opt len ${len} greater than remaining ${left}`);
    let o = "{";
    const cls = (k[off] << 8) | k[off + 1];
    o += c(fBe16x("class", cls, m === undefined ? undefined : (m[off] << 8) | m[off + 1], verbose));
    o += c(fU8x("type", k[off + 2], m === undefined ? undefined : m[off + 2], verbose));
    o += c(fU8u("len", dataLen, m === undefined ? undefined : lenMask, verbose));
    const data = k.subarray(off + 4, off + len);
    const mdata = m?.subarray(off + 4, off + len);
    if (dataLen && (verbose || m === undefined || !allBytes(mdata, 0))) {
      o += putHex(data);
      if (mdata !== undefined && !allBytes(mdata, 0xff)) o += "/" + putHex(mdata);
    } else {
      o = chomp(o);
    }
    s += o + "}";
    off += len;
    left -= len;
  }
  return s;
}

function formatVxlan(k: Obj, m: Obj | undefined, verbose: boolean): string {
  let s = "";
  for (const key in k) {
    const v = k[key];
    if (v === undefined) continue;
    if (key === "gbp") {
      const mg = m === undefined ? undefined : (m.gbp as number | undefined) ?? 0;
      const g = v as number;
      // A zero GBP reads back as no vxlan option (Open vSwitch writes none for it), unless its
      // mask is zero too ("gbp()").
      if (g === 0 && mg !== 0) printState.lossy = true;
      let o = "gbp(";
      o += c(fBe16("id", g & 0xffff, mg === undefined ? undefined : mg & 0xffff, verbose));
      o += c(fU8x(
        "flags",
        (g >>> 16) & 0xff,
        mg === undefined ? undefined : (mg >>> 16) & 0xff,
        verbose,
      ));
      s += chomp(o) + "),";
    } else if (key === "unknown") {
      for (const u of v as UnknownAttr[]) {
        s += lossy(formatUnknownKey(u, maskUnknown(m, u, true)) + ",");
      }
    }
  }
  return chomp(s);
}

/** The mask attribute of unknown attribute `u` (or a generated zero one when `zero`). */
function maskUnknown(m: Obj | undefined, u: UnknownAttr, zero: boolean): UnknownAttr | undefined {
  if (m === undefined) return undefined;
  const list = m.unknown as UnknownAttr[] | undefined;
  const found = list?.find((x) => x.type === u.type);
  if (found !== undefined || !zero) return found;
  return { type: u.type, bytes: new Uint8Array(u.bytes.length) };
}

/** `format_odp_tun_attr`. */
function formatTunnel(k: TunnelKey, m: TunnelKey | undefined, verbose: boolean): string {
  let s = "";
  let flags = 0;
  let maskFlags = 0;
  const mo = m as Obj | undefined;
  const mv = (name: string): unknown =>
    mo === undefined ? undefined : mo[name] ?? (ZERO_TUN as Obj)[name];
  for (const key in k) {
    const v = (k as Obj)[key];
    if (v === undefined) continue;
    switch (key) {
      case "id":
        s += c(fBe64("tun_id", v as bigint, mv("id") as bigint | undefined, verbose));
        flags |= 8;
        if (m !== undefined) maskFlags |= 8;
        break;
      case "ipv4Src":
        s += c(fIpv4("src", v as string, mv("ipv4Src") as string | undefined, verbose));
        break;
      case "ipv4Dst":
        s += c(fIpv4("dst", v as string, mv("ipv4Dst") as string | undefined, verbose));
        break;
      case "ipv6Src":
        s += c(fIn6("ipv6_src", v as string, mv("ipv6Src") as string | undefined, verbose));
        break;
      case "ipv6Dst":
        s += c(fIn6("ipv6_dst", v as string, mv("ipv6Dst") as string | undefined, verbose));
        break;
      case "tos":
        s += c(fU8x("tos", v as number, mv("tos") as number | undefined, verbose));
        break;
      case "ttl":
        s += c(fU8u("ttl", v as number, mv("ttl") as number | undefined, verbose));
        break;
      case "dontFragment":
        flags |= 2;
        break;
      case "csum":
        flags |= 4;
        break;
      case "oam":
        flags |= 1;
        break;
      case "tpSrc":
        s += c(fBe16("tp_src", v as number, mv("tpSrc") as number | undefined, verbose));
        break;
      case "tpDst":
        s += c(fBe16("tp_dst", v as number, mv("tpDst") as number | undefined, verbose));
        break;
      case "vxlanOpts": {
        const x = formatVxlan(
          v as Obj,
          m === undefined ? undefined : (mo?.vxlanOpts as Obj) ?? {},
          verbose,
        );
        if (x === "") printState.lossy = true; // "vxlan()": the parsers need a gbp()
        s += `vxlan(${x}),`;
        break;
      }
      case "geneveOpts": {
        const gm = m === undefined
          ? undefined
          : (mo?.geneveOpts as Uint8Array | undefined) ?? new Uint8Array((v as Uint8Array).length);
        s += `geneve(${formatGeneve(v as Uint8Array, gm, verbose)}),`;
        break;
      }
      case "erspanOpts": {
        const em = m === undefined
          ? undefined
          : (mo?.erspanOpts as Uint8Array | undefined) ?? new Uint8Array((v as Uint8Array).length);
        s += `erspan(${formatErspan(v as Uint8Array, em, verbose)}),`;
        break;
      }
      case "ipv4InfoBridge":
        s += "ipv4_info_bridge,";
        break;
      case "unknown":
        for (const u of v as UnknownAttr[]) {
          s += lossy(formatUnknownKey(u, maskUnknown(mo, u, true)) + ",");
        }
        break;
    }
  }
  if (m !== undefined) {
    if (m.dontFragment) maskFlags |= 2;
    if (m.csum) maskFlags |= 4;
    if (m.oam) maskFlags |= 1;
  }
  if (verbose || m === undefined || maskFlags !== 0) {
    s += "flags(" +
      (m === undefined
        ? formatFlags(TUN_FLAG_TEXT, flags, "|")
        : formatFlagsMasked(TUN_FLAG_TEXT, flags, maskFlags & 0xf, 0xf)) +
      "),";
  }
  return chomp(s);
}

const ZERO_TUN: TunnelKey = {
  id: 0n,
  ipv4Src: V4_ZERO,
  ipv4Dst: V4_ZERO,
  ipv6Src: V6_ZERO,
  ipv6Dst: V6_ZERO,
  tos: 0,
  ttl: 0,
  tpSrc: 0,
  tpDst: 0,
};

function portName(port: number, names: PortNames | undefined): string {
  const n = names?.get(port);
  return n === undefined ? String(port) : n;
}

/** Options of the key printers. */
export interface KeyFormatOptions {
  /** Print wildcarded fields too (`ovs-dpctl -m`). */
  verbose: boolean;
  /** Port names for `in_port`. */
  portNames?: PortNames;
}

/** No mask, or an all-ones one: the attributes that print a mask leave it out. */
function isExact(kind: KeyKind, m: unknown): boolean {
  if (m === undefined) return true;
  const t = MASK_TESTS[kind];
  return t.scalar ? m === t.onesValue : t.ones(m);
}

/**
 * `format_odp_key_attr__`: one attribute `kind(...)`. `m` undefined means exact (no mask).
 */
export function formatKeyAttr(
  kind: KeyKind,
  v: unknown,
  m: unknown,
  o: KeyFormatOptions,
): string {
  const verbose = o.verbose;
  const name = KEY_TEXT[kind];
  switch (kind) {
    case "encap": {
      const k = v as FlowKey;
      let inner = "";
      if (!isEmpty(k as Obj)) {
        const mm = m as FlowKey | undefined;
        const masked = mm !== undefined && (mm === ALL_ZERO || !isEmpty(mm as Obj));
        // An empty mask prints the inner key as without a mask, inside a flow with one: that
        // reads back exact, which prints differently.
        if (mm !== undefined && !masked) printState.lossy = true;
        inner = masked ? formatKeyAttrs(k, mm, o, false) : formatKeyAttrs(k, undefined, o, false);
      }
      return `encap(${inner})`;
    }
    case "priority":
    case "skbMark":
    case "dpHash":
    case "recircId":
      return `${name}(${hexAlt(v as number)}${isExact(kind, m) ? "" : "/" + hexAlt(m as number)})`;
    case "ctMark":
      if (verbose || (m !== undefined && (m as number) !== 0)) {
        return `ct_mark(${hexAlt(v as number)}${
          isExact(kind, m) ? "" : "/" + hexAlt(m as number)
        })`;
      }
      return "ct_mark()";
    case "ctState": {
      const bits = ctStateBits(v as (string | number)[]);
      const mb = m === undefined ? 0 : ctStateBits(m as (string | number)[]);
      const exact = m === undefined || mb === 0xffff_ffff;
      if (verbose) {
        // the parsers know the 8 bits of OVS_CS_F_* only
        if ((bits | (exact ? 0 : mb)) & ~0xff) printState.lossy = true;
        return `ct_state(${hexAlt(bits)}${exact ? "" : "/" + hexAlt(mb)})`;
      }
      if (!exact) return `ct_state(${formatFlagsMasked(CT_STATE_TEXT, bits, mb, 0xffff_ffff)})`;
      return `ct_state(${formatFlags(CT_STATE_TEXT, bits, "|")})`;
    }
    case "ctZone":
      if (verbose || (m !== undefined && (m as number) !== 0)) {
        return `ct_zone(${hexAlt(v as number)}${
          isExact(kind, m) ? "" : "/" + hexAlt(m as number)
        })`;
      }
      return "ct_zone()";
    case "ctLabels":
      return `ct_label(${formatU128(v as Uint8Array, m as Uint8Array | undefined, verbose)})`;
    case "ctOrigTupleIpv4":
    case "ctOrigTupleIpv6": {
      const k = v as OvsKeyCtTuple, mm = m as OvsKeyCtTuple | undefined;
      const v6 = kind === "ctOrigTupleIpv6";
      let s = c(v6 ? fIn6("src", k.src, mm?.src, verbose) : fIpv4("src", k.src, mm?.src, verbose));
      s += c(v6 ? fIn6("dst", k.dst, mm?.dst, verbose) : fIpv4("dst", k.dst, mm?.dst, verbose));
      s += c(fU8u("proto", k.proto, mm?.proto, verbose));
      s += c(fBe16(v6 ? "src_port" : "tp_src", k.srcPort, mm?.srcPort, verbose));
      s += c(fBe16(v6 ? "dst_port" : "tp_dst", k.dstPort, mm?.dstPort, verbose));
      return `${name}(${chomp(s)})`;
    }
    case "tunnel":
      return `tunnel(${formatTunnel(v as TunnelKey, m as TunnelKey | undefined, verbose)})`;
    case "inPort":
      return isExact(kind, m)
        ? `in_port(${portName(v as number, o.portNames)})`
        : `in_port(${v as number}/${hexAlt(m as number)})`;
    case "packetType": {
      const val = v as number, mk = m === undefined ? 0xffff_ffff : (m as number);
      let s = c(fBe16("ns", val >>> 16, mk >>> 16, verbose));
      s += c(fBe16x("id", val & 0xffff, mk & 0xffff, verbose));
      return `packet_type(${chomp(s)})`;
    }
    case "ethernet": {
      const k = v as OvsKeyEthernet, mm = m as OvsKeyEthernet | undefined;
      return `eth(${
        cat(fEth("src", k.src, mm?.src, verbose), fEth("dst", k.dst, mm?.dst, verbose))
      })`;
    }
    case "vlan":
      return `vlan(${
        formatVlanTci(v as number, m === undefined ? 0xffff : (m as number), verbose)
      })`;
    case "mpls": {
      const k = v as number[];
      if (k.length === 0) return lossy("mpls((bad key length 0)");
      // Open vSwitch reads at most 3 label stack entries back
      if (k.length > 3) printState.lossy = true;
      let mm: number[] | undefined;
      if (!isExact(kind, m)) {
        mm = m as number[];
        if (mm.length !== k.length) {
          return lossy(`mpls((key length ${k.length * 4} != mask length ${mm.length * 4})`);
        }
      }
      return `mpls(${formatMpls(k, mm)})`;
    }
    case "ethertype": {
      const s = `eth_type(0x${hex4(v as number)}`;
      return isExact(kind, m) ? s + ")" : `${s}/0x${hex4(m as number)})`;
    }
    case "ipv4": {
      const k = v as OvsKeyIpv4, mm = m as OvsKeyIpv4 | undefined;
      let s = cat(fIpv4("src", k.src, mm?.src, verbose), fIpv4("dst", k.dst, mm?.dst, verbose));
      s = cat(s, fU8u("proto", k.proto, mm?.proto, verbose));
      s = cat(s, fU8x("tos", k.tos, mm?.tos, verbose));
      s = cat(s, fU8u("ttl", k.ttl, mm?.ttl, verbose));
      return `ipv4(${cat(s, fFrag(k.frag, mm?.frag))})`;
    }
    case "ipv6": {
      const k = v as OvsKeyIpv6, mm = m as OvsKeyIpv6 | undefined;
      let s = cat(fIn6("src", k.src, mm?.src, verbose), fIn6("dst", k.dst, mm?.dst, verbose));
      s = cat(s, fLabel(k.label, mm?.label, verbose));
      s = cat(s, fU8u("proto", k.proto, mm?.proto, verbose));
      s = cat(s, fU8x("tclass", k.tclass, mm?.tclass, verbose));
      s = cat(s, fU8u("hlimit", k.hlimit, mm?.hlimit, verbose));
      return `ipv6(${cat(s, fFrag(k.frag, mm?.frag))})`;
    }
    case "tcp":
    case "udp":
    case "sctp": {
      const k = v as OvsKeyPorts, mm = m as OvsKeyPorts | undefined;
      return `${name}(${
        cat(fBe16("src", k.src, mm?.src, verbose), fBe16("dst", k.dst, mm?.dst, verbose))
      })`;
    }
    case "tcpFlags":
      return isExact(kind, m)
        ? `tcp_flags(${formatFlags(TCP_FLAG_TEXT, v as number, "|")})`
        : `tcp_flags(${
          formatFlagsMasked(TCP_FLAG_TEXT, v as number, (m as number) & 0x0fff, 0x0fff)
        })`;
    case "icmp":
    case "icmpv6": {
      const k = v as OvsKeyIcmp, mm = m as OvsKeyIcmp | undefined;
      return `${name}(${
        cat(fU8u("type", k.type, mm?.type, verbose), fU8u("code", k.code, mm?.code, verbose))
      })`;
    }
    case "arp": {
      const k = v as OvsKeyArp, mm = m as OvsKeyArp | undefined;
      let s = cat(fIpv4("sip", k.sip, mm?.sip, verbose), fIpv4("tip", k.tip, mm?.tip, verbose));
      s = cat(s, fBe16("op", k.op, mm?.op, verbose));
      s = cat(s, fEth("sha", k.sha, mm?.sha, verbose));
      return `arp(${cat(s, fEth("tha", k.tha, mm?.tha, verbose))})`;
    }
    case "nd": {
      const k = v as OvsKeyNd, mm = m as OvsKeyNd | undefined;
      const s = cat(
        fIn6("target", k.target, mm?.target, verbose),
        fEth("sll", k.sll, mm?.sll, verbose),
      );
      return `nd(${cat(s, fEth("tll", k.tll, mm?.tll, verbose))})`;
    }
    case "ndExtensions": {
      const k = v as OvsKeyNdExtensions, mm = m as OvsKeyNdExtensions | undefined;
      const s = cat(
        `nd_reserved=0x${(k.ndReserved >>> 0).toString(16)}`,
        fU8u("nd_options_type", k.ndOptionsType, mm?.ndOptionsType, verbose),
      );
      return `nd_ext(${s})`;
    }
    case "nsh": {
      // The parsers read md1 for a printed mdtype of 1 only (as Open vSwitch sends it; the
      // kernel refuses md1 with another mdtype): md1 under any other reads back without it.
      const n = v as NshKey, mm = m as NshKey | undefined;
      const shown = mm === undefined || !(n.base && mm.base && mm.base.mdtype === 0);
      if (n.md1 && !(shown && n.base?.mdtype === 1)) printState.lossy = true;
      return `nsh(${formatNshBase(n, mm)})`;
    }
    case "ipv6Exthdrs": {
      const hdrs = (v as { hdrs: number }).hdrs;
      const mk = m === undefined ? undefined : (m as { hdrs: number }).hdrs;
      return `ipv6_exthdrs(hdrs=${hexAlt(hdrs)}${
        mk === undefined || mk === 0xffff ? "" : "/" + hexAlt(mk)
      })`;
    }
    case "tunnelInfo": {
      // Kernel-internal: generic bytes, which no parser reads under this name.
      printState.lossy = true;
      const b = v as Uint8Array;
      let s = `${name}(${generic(b)}`;
      if (m !== undefined && !isExact(kind, m)) s += "/" + generic(m as Uint8Array);
      return s + ")";
    }
    default: {
      // Every attribute of the model has a case: a new one without is a type error here.
      const missing: never = kind;
      throw new TypeError(`Cannot format key attribute ${String(missing)}`);
    }
  }
}

/** The payload of key attribute `kind` with value `v` as encoded, and its type; null if not. */
function encodedKeyAttr(kind: string, v: unknown): [number, Uint8Array] | null {
  try {
    const b = encodeFlowKey({ [kind]: v } as FlowKey);
    if (b.length < 4) return null;
    const len = b[0] | (b[1] << 8);
    return [(b[2] | (b[3] << 8)) & 0x3fff, b.subarray(4, len)];
  } catch {
    return null; // a value the encoder refuses (not from a decoder): print it as it is
  }
}

/**
 * `keyN(hex[/hex])`: attribute `kind` as its encoded bytes, for values whose own text does not
 * parse back (see {@link printState}); the parsers read it to the same bytes.
 */
function genericKeyAttr(kind: string, v: unknown, m: unknown): string | null {
  const k = encodedKeyAttr(kind, v);
  if (k === null) return null;
  let s = `key${k[0]}(${generic(k[1])}`;
  if (m !== undefined) {
    const mb = encodedKeyAttr(kind, m);
    if (mb === null) return null;
    if (!allBytes(mb[1], 0xff) || mb[1].length !== k[1].length) s += "/" + generic(mb[1]);
  }
  return s + ")";
}

/**
 * `odp_flow_format`: every attribute of `key` (with `mask`), comma-separated; in non-verbose
 * mode fully wildcarded attributes are left out.
 */
export function formatKeyAttrs(
  key: FlowKey,
  mask: FlowKey | undefined,
  o: KeyFormatOptions,
  top = true,
): string {
  const k = key as Obj;
  const mo = mask as Obj | undefined;
  const hasMask = mo !== undefined && (mo === ALL_ZERO || !isEmpty(mo));
  let out = "";
  let first = true;
  let any = false;
  let hasEthtype = false;
  let hasPacketType = false;
  for (const key in k) {
    const v = k[key];
    if (v === undefined) continue;
    if (key === "unknown") {
      for (const u of v as UnknownAttr[]) {
        any = true;
        const ma = hasMask ? maskUnknown(mo, u, false) : undefined;
        if (o.verbose || !hasMask || ma !== undefined) {
          const mm = hasMask && ma === undefined
            ? { type: u.type, bytes: new Uint8Array(u.bytes.length) }
            : ma;
          if (!first) out += ",";
          // An all-ones mask is left out (Open vSwitch prints it): it reads back the same.
          out += `key${u.type}(${generic(u.bytes)}${
            mm === undefined || (mm.bytes.length === u.bytes.length && allBytes(mm.bytes, 0xff))
              ? ""
              : "/" + generic(mm.bytes)
          })`;
          first = false;
        }
      }
      continue;
    }
    const kind = key as KeyKind;
    any = true;
    if (kind === "ethertype") hasEthtype = true;
    else if (kind === "packetType") hasPacketType = true;
    let ma: unknown = hasMask ? mo[kind] : undefined;
    let isWildcard = false;
    if (hasMask) {
      // A scalar's test inline (the same `===`), a struct's or a nest's through its closure.
      const t = MASK_TESTS[kind];
      isWildcard = ma === undefined || (t.scalar ? ma === t.zeroValue : t.zero(ma));
    }
    if (o.verbose || !isWildcard || kind === "encap" || kind === "tunnel" || kind === "nsh") {
      if (isWildcard && ma === undefined) ma = zeroMask(kind, v);
      const outer = printState.lossy;
      printState.lossy = false;
      let text = formatKeyAttr(kind, v, ma, o);
      if (printState.lossy) text = genericKeyAttr(kind, v, ma) ?? text;
      printState.lossy = outer;
      // One concatenation per attribute (out is "" before the first).
      out = first ? text : out + "," + text;
      first = false;
    } else if (kind === "ethernet" && !hasPacketType) {
      out = first ? "eth()" : out + ",eth()";
      first = false;
    } else if (kind === "packetType" && isWildcard) {
      hasPacketType = false;
    }
  }
  // Open vSwitch prints nothing for a key whose attributes are all wildcarded; "<empty>" reads
  // back (to a key without attributes, which prints "<empty>" again).
  if (top && (!any || out === "")) return "<empty>";
  if (!hasEthtype && mo !== undefined && mo !== ALL_ZERO && mo.ethertype !== undefined) {
    out += `,eth_type(0/0x${(mo.ethertype as number).toString(16).padStart(4, "0")})`;
  }
  return out;
}
