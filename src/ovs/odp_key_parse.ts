/**
 * Parsing flow keys and masks from the datapath text format (internal): what `ovs-dpctl
 * add-flow` reads (`odp_flow_from_string` of Open vSwitch's lib/odp-util.c). Every attribute
 * yields its key and its mask: fields left out are wildcarded (mask 0), fields without
 * "/mask" are exact.
 *
 * @module
 */

import { t, type UnknownAttr } from "../protocol/schema.ts";
import { DecodeContext } from "../protocol/schema_context.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { flowKeyAttrs, type NshKey, type TunnelKey } from "./keys.ts";
import { CT_STATE_TEXT, TCP_FLAG_TEXT, TUN_FLAG_TEXT } from "./odp_key_format.ts";
import { MAX_ODP_NESTED, type Scanner } from "./odp_scan.ts";
import {
  ctStateList,
  type KeyKind,
  keyMax,
  KIND_OF_TEXT,
  memberMax,
  zeroMask,
} from "./_internal.ts";

export { ctStateList };

type Obj = Record<string, unknown>;

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffff_ffff;

/**
 * `parse_flags`: numeric `value/mask` (when masked), `+name-name` (when masked), or
 * `name|name|number` (mask all ones). Reads up to (not including) `end`.
 */
export function scanFlags(
  sc: Scanner,
  names: ReadonlyMap<number, string>,
  allowed: number,
  masked: boolean,
  end = ")",
  what = "flags",
): [number, number] {
  const start = sc.pos;
  // Numeric masked form.
  if (masked && sc.atDigit()) {
    const save = sc.pos;
    const v = sc.int(U32);
    if (sc.eat("/")) {
      const m = sc.int(U32);
      if ((v & ~allowed) || (m & ~allowed)) sc.bad(`unknown ${what} bits in ${v}/${m}`, start);
      return [v, m];
    }
    sc.pos = save;
  }
  const byName = new Map<string, number>();
  for (const [bit, n] of names) byName.set(n, bit);
  const peekName = (): [string, number] | null => {
    // The longest known name at the cursor.
    let best: [string, number] | null = null;
    for (const [n, bit] of byName) {
      if (sc.at(n) && (best === null || n.length > best[0].length)) best = [n, bit];
    }
    return best;
  };
  if (masked && (sc.peek() === "+" || sc.peek() === "-")) {
    let flags = 0, mask = 0;
    while (!sc.at(end)) {
      const c = sc.peek();
      if (c !== "+" && c !== "-") sc.fail(`"+" or "-" before a ${what} name`);
      sc.pos++;
      const at = sc.pos;
      const nb = peekName();
      if (nb === null) sc.fail(`a ${what} name (${[...byName.keys()].join(", ")})`, at);
      const [n, bit] = nb;
      const after = sc.s[at + n.length];
      if (after !== "+" && after !== "-" && !sc.s.startsWith(end, at + n.length)) {
        sc.fail(`a ${what} name (${[...byName.keys()].join(", ")})`, at);
      }
      if (mask & bit) sc.bad(`${what} flag "${n}" is given twice`, at);
      if (!(bit & allowed)) sc.bad(`${what} flag "${n}" is not allowed here`, at);
      if (c === "+") flags |= bit;
      mask |= bit;
      sc.pos = at + n.length;
    }
    return [flags >>> 0, mask >>> 0];
  }
  let result = 0;
  while (!sc.at(end)) {
    const at = sc.pos;
    if (sc.atDigit()) {
      const v = sc.int(U32);
      if (v & ~allowed) sc.bad(`unknown ${what} bits in ${v}`, at);
      result |= v;
      sc.eat("|");
      continue;
    }
    const nb = peekName();
    if (nb === null) sc.fail(`a ${what} name (${[...byName.keys()].join(", ")}) or a number`, at);
    const [n, bit] = nb;
    sc.pos = at + n.length;
    // Open vSwitch prints some flag lists with ',' (slow_path): accept it as well as '|'.
    if (!sc.eat("|") && !sc.at(end)) {
      if (end === ")" && sc.at(",") && what === "slow_path") sc.pos++;
      else sc.fail(`"|" or ${JSON.stringify(end)}`);
    }
    if (!(bit & allowed)) sc.bad(`${what} flag "${n}" is not allowed here`, at);
    result |= bit;
  }
  return [result >>> 0, U32];
}

/** value[/mask] with `scan` for both; the mask defaults to `full`. */
function masked<T>(sc: Scanner, scan: () => T, full: T): [T, T] {
  const v = scan();
  return [v, sc.eat("/") ? scan() : full];
}

type FieldHandler = (sc: Scanner, k: Obj, m: Obj) => void;

/**
 * The `field=...` list of one attribute, after its "(": handlers by "name=" or "name(",
 * separated by ",", up to ")". Fields may repeat (the last wins), a trailing "," is accepted.
 */
function fields(sc: Scanner, handlers: Record<string, FieldHandler>, k: Obj, m: Obj): void {
  for (;;) {
    if (sc.eat(")")) return;
    const at = sc.pos;
    const name = sc.ident();
    const sep = sc.peek();
    const h = name !== "" && (sep === "=" || sep === "(") ? handlers[name + sep] : undefined;
    if (h === undefined) {
      sc.fail(
        `one of ${Object.keys(handlers).map((x) => JSON.stringify(x)).join(", ")} or ")"`,
        at,
      );
    }
    sc.pos++;
    h(sc, k, m);
    if (!sc.eat(",")) {
      if (!sc.at(")")) sc.fail(`"," or ")"`);
    }
  }
}

const ipv4F = (f: string): FieldHandler => (sc, k, m) => {
  [k[f], m[f]] = masked(sc, () => sc.ipv4(), "255.255.255.255");
};
const ipv6F = (f: string): FieldHandler => (sc, k, m) => {
  [k[f], m[f]] = masked(sc, () => sc.ipv6(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
};
const macF = (f: string): FieldHandler => (sc, k, m) => {
  [k[f], m[f]] = masked(sc, () => sc.mac(), "ff:ff:ff:ff:ff:ff");
};
const intF = (f: string, max: number): FieldHandler => (sc, k, m) => {
  [k[f], m[f]] = masked(sc, () => sc.int(max), max);
};
const fragF = (f: string): FieldHandler => (sc, k, m) => {
  const at = sc.pos;
  const word = /^[a-z]{1,7}/i.exec(sc.s.slice(at, at + 7))?.[0].toLowerCase() ?? "";
  const v = ["no", "first", "later"].indexOf(word);
  if (v < 0) sc.fail(`"no", "first" or "later"`, at);
  sc.pos += word.length;
  k[f] = v;
  m[f] = U8;
};

function store(
  sc: Scanner,
  key: Obj,
  mask: Obj,
  prop: string,
  kv: unknown,
  mv: unknown,
  at: number,
) {
  if (key[prop] !== undefined) {
    sc.bad(`duplicate ${sc.s.slice(at, sc.s.indexOf("(", at))} attribute`, at);
  }
  key[prop] = kv;
  mask[prop] = mv;
}

function struct(
  sc: Scanner,
  key: Obj,
  mask: Obj,
  kind: KeyKind,
  at: number,
  handlers: Record<string, FieldHandler>,
): void {
  // Members the text leaves out are zero (key) and wildcarded (mask).
  const k = zeroMask(kind) as Obj, m = zeroMask(kind) as Obj;
  fields(sc, handlers, k, m);
  store(sc, key, mask, kind, k, m, at);
}

/** A single value `name(value[/mask])`. */
function single(
  sc: Scanner,
  key: Obj,
  mask: Obj,
  prop: string,
  at: number,
  max: number,
): void {
  const [v, mv] = masked(sc, () => sc.int(max), max);
  sc.expect(")", `"/" or ")"`);
  store(sc, key, mask, prop, v, mv, at);
}

function bitfield(
  sc: Scanner,
  kv: number,
  mv: number,
  bits: number,
  shift: number,
  word: number,
): [number, number] {
  const at = sc.pos;
  const max = (2 ** bits) - 1;
  const v = sc.int(word);
  if (v > max) sc.bad(`${v} does not fit in ${bits} bits`, at);
  const field = max * 2 ** shift;
  kv = (kv & ~field) + v * 2 ** shift;
  if (sc.eat("/")) {
    const mat = sc.pos;
    const m = sc.int(word);
    if (m > max) sc.bad(`mask ${m} does not fit in ${bits} bits`, mat);
    mv = (mv & ~field) + m * 2 ** shift;
  } else {
    mv = (mv | field) >>> 0;
  }
  return [kv >>> 0, mv >>> 0];
}

// ---------------------------------------------------------------------------------------------
// Tunnel

function erspan(sc: Scanner): [Uint8Array, Uint8Array] {
  const at = sc.pos;
  let ver = 0, verMask = 0, idx = 0, idxMask = 0, dir = 0, dirMask = 0, hwid = 0, hwidMask = 0;
  if (sc.eat("ver=")) [ver, verMask] = masked(sc, () => sc.int(U8), U8);
  // ovs-dpctl leaves "ver=" out when its mask is zero: infer it from the fields then (none:
  // version 2, whose fields it leaves out when their masks are zero too).
  else if (sc.at("idx=")) ver = 1;
  else ver = 2;
  sc.eat(",");
  if (ver === 1) {
    if (sc.eat("idx=")) [idx, idxMask] = masked(sc, () => sc.int(U32), U32);
  } else if (ver === 2) {
    if (sc.eat("dir=")) [dir, dirMask] = masked(sc, () => sc.int(U8), U8);
    sc.eat(",");
    if (sc.eat("hwid=")) [hwid, hwidMask] = masked(sc, () => sc.int(U8), U8);
  } else {
    sc.fail(`"ver=1" or "ver=2"`, at);
  }
  sc.expect(")");
  // struct erspan_metadata: int version (host order), then index (be32) or md2 (8 bytes).
  const k = new Uint8Array(12);
  const m = new Uint8Array(12).fill(0xff); // Open vSwitch starts the mask all ones
  const kv = new DataView(k.buffer), mv = new DataView(m.buffer);
  kv.setInt32(0, ver, true);
  mv.setInt32(0, verMask === U8 ? -1 : verMask, true);
  if (ver === 1) {
    kv.setUint32(4, idx, false);
    mv.setUint32(4, idxMask, false);
  } else {
    k[11] = ((hwid & 0xf) << 4) | ((dir & 1) << 3);
    m[11] = (m[11] & 0x07) | ((hwidMask & 0xf) << 4) | ((dirMask & 1) << 3);
  }
  return [k, m];
}

/** Significant bytes of the number at `p` ("0x" hex or decimal), and where it ends. */
function numberBytes(s: string, p: number): [number, number] {
  let digits = 0, hex = false;
  if (s[p] === "0" && (s[p + 1] === "x" || s[p + 1] === "X")) {
    hex = true;
    p += 2;
  }
  let v = 0n;
  for (; p < s.length; p++) {
    const c = s.charCodeAt(p);
    const d = c >= 48 && c <= 57
      ? c - 48
      : hex && (c | 32) >= 97 && (c | 32) <= 102
      ? (c | 32) - 87
      : -1;
    if (d < 0) break;
    if (hex) {
      if (d !== 0 || digits > 0) digits++;
    } else if (v < 1n << 64n) v = v * 10n + BigInt(d);
  }
  if (!hex) { while (v > 0n) digits += 2, v >>= 8n; }
  return [Math.ceil(digits / 2), p];
}

/**
 * The data length of a geneve option printed without "len=": the bytes of its data (after
 * ",") and mask (after "/"), rounded up to 4. Reads nothing.
 */
function geneveDataLength(sc: Scanner): number {
  const s = sc.s;
  const at = s[sc.pos] === "," ? sc.pos + 1 : sc.pos;
  const c = s.charCodeAt(at);
  if (!(c >= 48 && c <= 57)) return 0;
  let [n, p] = numberBytes(s, at);
  if (s[p] === "/") n = Math.max(n, numberBytes(s, p + 1)[0]);
  return Math.min(124, (Math.max(n, 1) + 3) & ~3);
}

function geneve(sc: Scanner): [Uint8Array, Uint8Array] {
  const k: number[] = [];
  const m: number[] = [];
  let remain = 252;
  while (sc.peek() === "{" && remain >= 4) {
    sc.pos++;
    remain -= 4;
    const o = k.length;
    k.push(0, 0, 0, 0);
    m.push(0xff, 0xff, 0xff, 0xff);
    let dataLen = 0;
    if (sc.eat("class=")) {
      const [c, cm] = masked(sc, () => sc.int(U16), U16);
      k[o] = c >> 8, k[o + 1] = c & 0xff, m[o] = cm >> 8, m[o + 1] = cm & 0xff;
    } else m[o] = m[o + 1] = 0;
    sc.eat(",");
    if (sc.eat("type=")) {
      [k[o + 2], m[o + 2]] = masked(sc, () => sc.int(U8), U8);
    } else m[o + 2] = 0;
    sc.eat(",");
    if (sc.eat("len=")) {
      const at = sc.pos;
      const [len, lenMask] = masked(sc, () => sc.int(U8), U8);
      if (len > 124 || len % 4 || len > remain) {
        sc.bad(`geneve option length ${len} must be a multiple of 4 up to 124`, at);
      }
      k[o + 3] = len / 4;
      m[o + 3] = lenMask & 0x1f;
      dataLen = len;
    } else {
      // ovs-dpctl leaves "len=" out when its mask is zero; the data (if any) gives the length.
      m[o + 3] = 0;
      dataLen = Math.min(geneveDataLength(sc), remain);
      k[o + 3] = dataLen / 4;
    }
    const data = new Uint8Array(dataLen);
    const mdata = new Uint8Array(dataLen).fill(0xff);
    // The data follows its ","; without "len=" that "," may have gone after the last field.
    if (sc.eat(",") || (dataLen > 0 && m[o + 3] === 0 && sc.atDigit())) {
      data.set(sc.wideInt(dataLen, "geneve option data (0x...)"));
    }
    if (sc.eat("/")) mdata.set(sc.wideInt(dataLen, "geneve option mask (0x...)"));
    k.push(...data);
    m.push(...mdata);
    sc.expect("}");
    remain -= dataLen;
  }
  sc.expect(")", `"{" or ")"`);
  return [Uint8Array.from(k), Uint8Array.from(m)];
}

function vxlanGbp(sc: Scanner): [number, number] {
  let id = 0, idMask = 0, flags = 0, flagsMask = 0;
  if (sc.eat("id=")) [id, idMask] = masked(sc, () => sc.int(U16), U16);
  sc.eat(",");
  if (sc.eat("flags=")) [flags, flagsMask] = masked(sc, () => sc.int(U8), U8);
  sc.expect("))");
  return [((flags << 16) | id) >>> 0, ((flagsMask << 16) | idMask) >>> 0];
}

function tunnel(sc: Scanner, key: Obj, mask: Obj, at: number): void {
  const k: TunnelKey = {};
  const m: TunnelKey = {};
  const ko = k as Obj, mo = m as Obj;
  const h: Record<string, FieldHandler> = {
    "tun_id=": (sc) => {
      [k.id, m.id] = masked(sc, () => sc.bigint(0xffff_ffff_ffff_ffffn), 0xffff_ffff_ffff_ffffn);
    },
    "src=": (sc) => ipv4F("ipv4Src")(sc, ko, mo),
    "dst=": (sc) => ipv4F("ipv4Dst")(sc, ko, mo),
    "ipv6_src=": (sc) => ipv6F("ipv6Src")(sc, ko, mo),
    "ipv6_dst=": (sc) => ipv6F("ipv6Dst")(sc, ko, mo),
    "tos=": (sc) => intF("tos", U8)(sc, ko, mo),
    "ttl=": (sc) => intF("ttl", U8)(sc, ko, mo),
    "tp_src=": (sc) => intF("tpSrc", U16)(sc, ko, mo),
    "tp_dst=": (sc) => intF("tpDst", U16)(sc, ko, mo),
    "erspan(": (sc) => {
      [k.erspanOpts, m.erspanOpts] = erspan(sc);
    },
    "vxlan(": (sc) => {
      sc.expect("gbp(");
      const [g, gm] = vxlanGbp(sc); // reads through the "))" of gbp( and vxlan(
      // A zero GBP is no vxlan option (as Open vSwitch writes it), unless it is all wildcarded
      // ("gbp()", what ovs-dpctl prints for a zero mask).
      if (g !== 0 || gm === 0) k.vxlanOpts = { gbp: g };
      if (gm !== 0) m.vxlanOpts = { gbp: gm };
    },
    "geneve(": (sc) => {
      [k.geneveOpts, m.geneveOpts] = geneve(sc);
    },
    "gtpu(": (sc) => {
      sc.bad("gtpu() tunnel metadata exists only in the userspace datapath", sc.pos - 5);
    },
    "flags(": (sc) => {
      const [f, fm] = scanFlags(sc, TUN_FLAG_TEXT, 0xf, true, ")", "tunnel");
      sc.pos++;
      // "key" is a tunnel ID, which ovs-dpctl leaves out when its mask is zero: an ID of 0.
      if (f & 8 && k.id === undefined) k.id = 0n;
      if (f & 2) k.dontFragment = true;
      if (f & 4) k.csum = true;
      if (f & 1) k.oam = true;
      if (fm & 2) m.dontFragment = true;
      if (fm & 4) m.csum = true;
      if (fm & 1) m.oam = true;
    },
    "ipv4_info_bridge": () => {
      k.ipv4InfoBridge = true;
      m.ipv4InfoBridge = true;
    },
  };
  // "ipv4_info_bridge" is a bare word (no "=" or "("), so the field loop is open-coded.
  for (;;) {
    if (sc.eat(")")) break;
    if (sc.eat("ipv4_info_bridge")) {
      h["ipv4_info_bridge"](sc, ko, mo);
    } else {
      const fat = sc.pos;
      const name = sc.ident();
      const sep = sc.peek();
      const f = name !== "" && (sep === "=" || sep === "(") ? h[name + sep] : undefined;
      if (f === undefined) {
        sc.fail(
          `a tunnel field (${Object.keys(h).map((x) => JSON.stringify(x)).join(", ")}) or ")"`,
          fat,
        );
      }
      sc.pos++;
      f(sc, ko, mo);
    }
    if (!sc.eat(",") && !sc.at(")")) sc.fail(`"," or ")"`);
  }
  store(sc, key, mask, "tunnel", k, m, at);
}

// ---------------------------------------------------------------------------------------------
// NSH

function nsh(sc: Scanner, key: Obj, mask: Obj, at: number): void {
  const kb = { flags: 0, ttl: 0, mdtype: 0, np: 0, pathHdr: 0 };
  const mb = { flags: 0, ttl: 0, mdtype: 0, np: 0, pathHdr: 0 };
  let spi = 0, spiMask = 0, si = 0, siMask = 0;
  const ctx = [0, 0, 0, 0], mctx = [0, 0, 0, 0];
  const kk = kb as unknown as Obj, mm = mb as unknown as Obj;
  const h: Record<string, FieldHandler> = {
    "flags=": (sc) => intF("flags", U8)(sc, kk, mm),
    "ttl=": (sc) => intF("ttl", U8)(sc, kk, mm),
    "mdtype=": (sc) => intF("mdtype", U8)(sc, kk, mm),
    "np=": (sc) => intF("np", U8)(sc, kk, mm),
    "spi=": (sc) => {
      [spi, spiMask] = masked(sc, () => sc.int(U32), U32);
    },
    "si=": (sc) => {
      [si, siMask] = masked(sc, () => sc.int(U8), U8);
    },
  };
  for (let i = 0; i < 4; i++) {
    h[`c${i + 1}=`] = (sc) => {
      [ctx[i], mctx[i]] = masked(sc, () => sc.int(U32), U32);
    };
  }
  fields(sc, h, {}, {});
  kb.pathHdr = (((spi & 0xffffff) << 8) | si) >>> 0;
  mb.pathHdr = (((spiMask & 0xffffff) << 8) | siMask) >>> 0;
  const k: NshKey = { base: kb };
  if (kb.mdtype === 1) k.md1 = { context: ctx };
  const m: NshKey = { base: mb, md1: { context: mctx } };
  store(sc, key, mask, "nsh", k, m, at);
}

// ---------------------------------------------------------------------------------------------
// Generic keyN(...)

/** Decodes raw payload `bytes` of key attribute `type` (known types through the schema). */
const KEY_NEST = t.nest(flowKeyAttrs, { nestedFlag: false });

/** Key attributes whose payload is attributes. */
const NEST_PROPS = new Set(["encap", "tunnel", "nsh"]);

/** Decodes `keyN(...)` bytes; `nesting` encaps enclose them already (MAX_NESTING counts them). */
function rawAttr(type: number, bytes: Uint8Array, nesting: number): [string, unknown] {
  if (flowKeyAttrs.nameOf(type) !== undefined) {
    const w = new NetlinkWriter(Math.max(16, bytes.length + 8));
    const start = w.beginAttr(type);
    w.putBytes(bytes);
    w.endAttr(start);
    const c = new DecodeContext(w.bytes(), { path: "key-attrs" });
    c.nesting = nesting;
    const d = KEY_NEST.decode(c, 0, w.length) as Obj;
    const prop = Object.keys(d).find((x) => x !== "unknown");
    if (prop !== undefined) return [prop, d[prop]];
  }
  return ["unknown", { type, bytes } satisfies UnknownAttr];
}

function generic(sc: Scanner, key: Obj, mask: Obj, at: number, type: number): void {
  const kb = sc.hexPairs();
  const mb = sc.eat("/") ? sc.hexPairs() : null;
  sc.expect(")", `hex bytes or ")"`);
  let kv: [string, unknown], mv: [string, unknown];
  try {
    kv = rawAttr(type, kb, sc.nesting);
    // Without a mask: every byte exact, or for a nest (whose bytes are attributes) no mask.
    mv = mb !== null
      ? rawAttr(type, mb, sc.nesting)
      : NEST_PROPS.has(kv[0])
      ? [kv[0], {}]
      : rawAttr(type, new Uint8Array(kb.length).fill(0xff), sc.nesting);
  } catch (e) {
    sc.bad(`key${type}(): ${(e as Error).message}`, at);
  }
  if (kv[0] === "unknown") {
    ((key.unknown as UnknownAttr[] | undefined) ??= []).push(kv[1] as UnknownAttr);
    ((mask.unknown as UnknownAttr[] | undefined) ??= []).push(mv[1] as UnknownAttr);
    return;
  }
  store(sc, key, mask, kv[0], kv[1], mv[1], at);
}

// ---------------------------------------------------------------------------------------------
// One attribute

const KNOWN =
  "a flow key attribute (in_port, eth, eth_type, vlan, encap, ipv4, ipv6, tcp, udp, ...)";

/** Parses the text inside `name(` ... `)` of one key attribute into `key` and `mask`. */
type KeyParser = (sc: Scanner, key: Obj, mask: Obj, at: number) => void;

/** A single number of attribute `kind`, as wide as the model's codec. */
const num = (kind: KeyKind): KeyParser => (sc, key, mask, at) =>
  single(sc, key, mask, kind, at, keyMax(kind));

/** `name=value` members of struct attribute `kind`; `int` members as wide as the model's. */
function structOf(
  kind: KeyKind,
  fieldsOf: (int: (member: string) => FieldHandler) => Record<string, FieldHandler>,
): KeyParser {
  const h = fieldsOf((member) => intF(member, memberMax(kind, member)));
  return (sc, key, mask, at) => struct(sc, key, mask, kind, at, h);
}

/**
 * How each key attribute of the flow model is read from text (`parse_odp_key_mask_attr`),
 * keyed by the model's attributes: an attribute added to keys.ts without a parser here does
 * not compile. The dispatch goes through the text names of `KEY_TEXT`; null: no text form
 * (kernel-only).
 */
const PARSERS: { readonly [K in KeyKind]: KeyParser | null } = {
  priority: num("priority"),
  skbMark: num("skbMark"),
  recircId: num("recircId"),
  dpHash: num("dpHash"),
  ctState: (sc, key, mask, at) => {
    const [f, fm] = scanFlags(sc, CT_STATE_TEXT, 0xff, true, ")", "ct_state");
    sc.pos++;
    store(sc, key, mask, "ctState", ctStateList(f), ctStateList(fm), at);
  },
  // "ct_zone()", "ct_mark()" and "ct_label()" are how Open vSwitch prints them exact and not
  // verbose: present, value not shown (read as 0).
  ctZone: (sc, key, mask, at) => {
    if (sc.eat(")")) store(sc, key, mask, "ctZone", 0, keyMax("ctZone"), at);
    else num("ctZone")(sc, key, mask, at);
  },
  ctMark: (sc, key, mask, at) => {
    if (sc.eat(")")) store(sc, key, mask, "ctMark", 0, keyMax("ctMark"), at);
    else num("ctMark")(sc, key, mask, at);
  },
  ctLabels: (sc, key, mask, at) => {
    if (sc.eat(")")) {
      store(sc, key, mask, "ctLabels", new Uint8Array(16), new Uint8Array(16).fill(0xff), at);
      return;
    }
    const v = sc.wideInt(16, "a 128-bit number");
    const m = sc.eat("/") ? sc.wideInt(16, "a 128-bit mask") : new Uint8Array(16).fill(0xff);
    sc.expect(")", `"/" or ")"`);
    store(sc, key, mask, "ctLabels", v.reverse(), m.reverse(), at);
  },
  ctOrigTupleIpv4: structOf("ctOrigTupleIpv4", (int) => ({
    "src=": ipv4F("src"),
    "dst=": ipv4F("dst"),
    "proto=": int("proto"),
    "tp_src=": int("srcPort"),
    "tp_dst=": int("dstPort"),
  })),
  ctOrigTupleIpv6: structOf("ctOrigTupleIpv6", (int) => ({
    "src=": ipv6F("src"),
    "dst=": ipv6F("dst"),
    "proto=": int("proto"),
    "tp_src=": int("srcPort"),
    "tp_dst=": int("dstPort"),
    "src_port=": int("srcPort"),
    "dst_port=": int("dstPort"),
  })),
  tunnel: tunnel,
  inPort: (sc, key, mask, at) => {
    let v: number, m = U32;
    if (sc.atDigit()) {
      [v, m] = masked(sc, () => sc.int(U32), U32);
    } else {
      const end = sc.s.indexOf(")", sc.pos);
      const pname = end < 0 ? "" : sc.s.slice(sc.pos, end);
      const port = sc.portByName(pname);
      if (port === undefined) return sc.fail("a port number or a known port name");
      v = port;
      sc.pos = end;
    }
    sc.expect(")", `"/" or ")"`);
    store(sc, key, mask, "inPort", v, m, at);
  },
  ethernet: structOf("ethernet", () => ({ "src=": macF("src"), "dst=": macF("dst") })),
  vlan: (sc, key, mask, at) => {
    let k = 0x1000, m = 0x1000;
    fields(
      sc,
      {
        "vid=": (sc) => {
          [k, m] = bitfield(sc, k, m, 12, 0, U16);
        },
        "pcp=": (sc) => {
          [k, m] = bitfield(sc, k, m, 3, 13, U16);
        },
        "cfi=": (sc) => {
          [k, m] = bitfield(sc, k, m, 1, 12, U16);
        },
      },
      {},
      {},
    );
    store(sc, key, mask, "vlan", k, m, at);
  },
  ethertype: (sc, key, mask, at) => {
    // "eth_type(0/MASK)" is how ovs-dpctl prints a mask on an ethertype the key lacks.
    if (!sc.at("0/")) return num("ethertype")(sc, key, mask, at);
    sc.pos += 2;
    const mv = sc.int(keyMax("ethertype"));
    sc.expect(")");
    if (mask.ethertype !== undefined) sc.bad("duplicate eth_type attribute", at);
    mask.ethertype = mv;
  },
  mpls: (sc, key, mask, at) => {
    const k = [0, 0, 0], m = [0, 0, 0];
    let idx = 0;
    const seen = new Set<string>();
    const lse = (f: string, bits: number, shift: number): FieldHandler => (sc) => {
      if (seen.has(f)) {
        seen.clear();
        if (++idx === 3) sc.bad("more than 3 MPLS label stack entries", at);
      }
      seen.add(f);
      [k[idx], m[idx]] = bitfield(sc, k[idx], m[idx], bits, shift, U32);
    };
    fields(
      sc,
      {
        "label=": lse("label", 20, 12),
        "tc=": lse("tc", 3, 9),
        "ttl=": lse("ttl", 8, 0),
        "bos=": lse("bos", 1, 8),
      },
      {},
      {},
    );
    store(sc, key, mask, "mpls", k.slice(0, idx + 1), m.slice(0, idx + 1), at);
  },
  ipv4: structOf("ipv4", (int) => ({
    "src=": ipv4F("src"),
    "dst=": ipv4F("dst"),
    "proto=": int("proto"),
    "tos=": int("tos"),
    "ttl=": int("ttl"),
    "frag=": fragF("frag"),
  })),
  ipv6: structOf("ipv6", (int) => ({
    "src=": ipv6F("src"),
    "dst=": ipv6F("dst"),
    // The flow label is 20 bits of its u32.
    "label=": intF("label", 0xfffff),
    "proto=": int("proto"),
    "tclass=": int("tclass"),
    "hlimit=": int("hlimit"),
    "frag=": fragF("frag"),
  })),
  tcp: structOf("tcp", (int) => ({ "src=": int("src"), "dst=": int("dst") })),
  udp: structOf("udp", (int) => ({ "src=": int("src"), "dst=": int("dst") })),
  sctp: structOf("sctp", (int) => ({ "src=": int("src"), "dst=": int("dst") })),
  tcpFlags: (sc, key, mask, at) => {
    const [f, fm] = scanFlags(sc, TCP_FLAG_TEXT, 0x0fff, true, ")", "tcp_flags");
    sc.pos++;
    store(sc, key, mask, "tcpFlags", f & 0xffff, fm & 0xffff, at);
  },
  icmp: structOf("icmp", (int) => ({ "type=": int("type"), "code=": int("code") })),
  icmpv6: structOf("icmpv6", (int) => ({ "type=": int("type"), "code=": int("code") })),
  arp: structOf("arp", (int) => ({
    "sip=": ipv4F("sip"),
    "tip=": ipv4F("tip"),
    "op=": int("op"),
    "sha=": macF("sha"),
    "tha=": macF("tha"),
  })),
  nd: structOf("nd", () => ({
    "target=": ipv6F("target"),
    "sll=": macF("sll"),
    "tll=": macF("tll"),
  })),
  ndExtensions: structOf("ndExtensions", (int) => ({
    "nd_reserved=": int("ndReserved"),
    "nd_options_type=": int("ndOptionsType"),
  })),
  packetType: (sc, key, mask, at) => {
    const k = { ns: 0, id: 0 }, m = { ns: 0, id: 0 };
    fields(sc, { "ns=": intF("ns", U16), "id=": intF("id", U16) }, k, m);
    store(sc, key, mask, "packetType", (k.ns * 0x10000) + k.id, (m.ns * 0x10000) + m.id, at);
  },
  nsh: nsh,
  ipv6Exthdrs: (sc, key, mask, at) => {
    const k = zeroMask("ipv6Exthdrs") as Obj, m = zeroMask("ipv6Exthdrs") as Obj;
    fields(sc, { "hdrs=": intF("hdrs", memberMax("ipv6Exthdrs", "hdrs")) }, k, m);
    store(sc, key, mask, "ipv6Exthdrs", k, m, at);
  },
  encap: (sc, key, mask, at) => {
    const k: Obj = {}, m: Obj = {};
    sc.enter(at);
    parseKeyList(sc, k, m, true);
    sc.leave();
    store(sc, key, mask, "encap", k, m, at);
  },
  tunnelInfo: null,
};

/** Parses one key attribute `name(...)` into `key` and `mask`. */
export function parseKeyAttr(sc: Scanner, key: Obj, mask: Obj): void {
  const at = sc.pos;
  if (++sc.depth >= MAX_ODP_NESTED) {
    sc.bad(`attributes nest deeper than ${MAX_ODP_NESTED - 1} levels`, at);
  }
  const name = sc.ident();
  if (name === "" || !sc.eat("(")) sc.fail(KNOWN, at);
  const kind = KIND_OF_TEXT.get(name);
  const parse = kind === undefined ? null : PARSERS[kind];
  if (parse !== null) parse(sc, key, mask, at);
  else {
    const g = /^key([0-9]+)$/.exec(name);
    if (g === null || Number(g[1]) > 0x3fff) sc.fail(KNOWN, at);
    generic(sc, key, mask, at, Number(g[1]));
  }
  sc.depth--;
}

/**
 * A list of key attributes separated by "," or spaces. Inside `encap(...)` (`inner`) it ends
 * at ")" (consumed); at the top it ends at the end of the text or before a `word:` (the
 * statistics and actions of a dump-flows line).
 */
export function parseKeyList(sc: Scanner, key: Obj, mask: Obj, inner: boolean): void {
  // "<empty>": how Open vSwitch prints a key without attributes
  if (!inner) {
    sc.skipDelims();
    if (sc.eat("<empty>")) return;
  }
  for (;;) {
    sc.skipDelims();
    if (sc.done) {
      if (inner) sc.fail(`a key attribute or ")"`);
      return;
    }
    if (inner && sc.eat(")")) return;
    if (!inner && /^[a-z_-]+:/i.test(sc.s.slice(sc.pos, sc.pos + 24))) return;
    parseKeyAttr(sc, key, mask);
  }
}
