// Seeded random flow keys, masks and action lists for the fuzz and oracle tests.
import type { Action, FlowKey, NshKey, TunnelKey } from "./_ovs.ts";
import { fmtIpv6 } from "../../src/protocol/schema_addr.ts";
import { ctStateList } from "../../src/ovs/odp_key_parse.ts";

/** mulberry32: a small seeded PRNG. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  u8(): number {
    return this.int(256);
  }
  u16(): number {
    return this.int(0x10000);
  }
  u32(): number {
    // Often small, sometimes all ones or any value: masks and edge cases.
    const r = this.int(8);
    if (r === 0) return 0;
    if (r === 1) return 0xffffffff;
    if (r < 5) return this.int(1000);
    return this.int(0x100000000);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    const mode = this.int(4);
    for (let i = 0; i < n; i++) b[i] = mode === 0 ? 0 : mode === 1 ? 0xff : this.u8();
    return b;
  }
  ipv4(): string {
    const m = this.int(4);
    if (m === 0) return "0.0.0.0";
    if (m === 1) return "255.255.255.255";
    return `${this.u8()}.${this.u8()}.${this.u8()}.${this.u8()}`;
  }
  ipv6(): string {
    const b = this.bytes(16);
    if (this.bool(0.3)) b.fill(0, 0, 10 + this.int(6));
    return fmtIpv6(b, 0);
  }
  mac(): string {
    return Array.from(this.bytes(6), (x) => x.toString(16).padStart(2, "0")).join(":");
  }
}

/** Options of the generators. */
export interface GenOptions {
  /** Only what Open vSwitch 3.1 can parse back from text. */
  ovsText?: boolean;
}

function geneve(r: Rng): Uint8Array {
  const out: number[] = [];
  const n = r.int(3);
  for (let i = 0; i < n; i++) {
    const words = r.int(3);
    out.push(r.u8(), r.u8(), r.u8(), words);
    for (let j = 0; j < words * 4; j++) out.push(r.u8());
  }
  return Uint8Array.from(out);
}

function erspan(r: Rng): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  const ver = 1 + r.int(2);
  v.setInt32(0, ver, true);
  if (ver === 1) v.setUint32(4, r.u32(), false);
  else b[11] = (r.int(16) << 4) | (r.int(2) << 3);
  return b;
}

function tunnel(r: Rng, o: GenOptions): TunnelKey {
  const t: TunnelKey = {};
  if (r.bool()) t.id = BigInt(r.u32()) << 32n | BigInt(r.u32());
  if (r.bool()) t.ipv4Src = r.ipv4();
  if (r.bool()) t.ipv4Dst = r.ipv4();
  if (r.bool(0.2)) t.ipv6Src = r.ipv6();
  if (r.bool(0.2)) t.ipv6Dst = r.ipv6();
  if (r.bool()) t.tos = r.u8();
  if (r.bool() || o.ovsText) t.ttl = r.u8();
  if (r.bool()) t.dontFragment = true;
  if (r.bool()) t.csum = true;
  if (r.bool()) t.oam = true;
  if (r.bool()) t.tpSrc = r.u16();
  if (r.bool()) t.tpDst = r.u16();
  if (r.bool(0.2)) t.vxlanOpts = { gbp: (r.u8() << 16 | r.u16()) || 1 };
  if (r.bool(0.2)) t.geneveOpts = geneve(r);
  if (r.bool(0.2)) t.erspanOpts = erspan(r);
  if (!o.ovsText && r.bool(0.1)) t.ipv4InfoBridge = true;
  if (!o.ovsText && r.bool(0.1)) t.unknown = [{ type: 20 + r.int(10), bytes: r.bytes(r.int(6)) }];
  return t;
}

function nsh(r: Rng): NshKey {
  const mdtype = 1 + r.int(2);
  const n: NshKey = {
    base: { flags: r.u8(), ttl: r.u8(), mdtype, np: r.u8(), pathHdr: r.u32() },
  };
  if (mdtype === 1) n.md1 = { context: [r.u32(), r.u32(), r.u32(), r.u32()] };
  else if (r.bool()) {
    n.md2 = r.bytes(4 * (1 + r.int(3)));
    n.md2[0] |= 0x10; // ovs-dpctl prints md2 without its leading zeros: text loses them
  }
  return n;
}

/** One random attribute value of `kind`. */
export function randomAttr(r: Rng, kind: string, depth: number, o: GenOptions): unknown {
  switch (kind) {
    case "encap":
      return randomKey(r, depth + 1, o);
    case "priority":
    case "inPort":
    case "skbMark":
    case "dpHash":
    case "recircId":
    case "ctMark":
    case "packetType":
      return r.u32();
    case "vlan":
    case "ethertype":
    case "ctZone":
      return r.u16();
    case "tcpFlags":
      return r.int(0x1000);
    case "ethernet":
      return { src: r.mac(), dst: r.mac() };
    case "ipv4":
      return {
        src: r.ipv4(),
        dst: r.ipv4(),
        proto: r.u8(),
        tos: r.u8(),
        ttl: r.u8(),
        frag: r.int(3),
      };
    case "ipv6":
      return {
        src: r.ipv6(),
        dst: r.ipv6(),
        label: r.int(0x100000),
        proto: r.u8(),
        tclass: r.u8(),
        hlimit: r.u8(),
        frag: r.int(3),
      };
    case "tcp":
    case "udp":
    case "sctp":
      return { src: r.u16(), dst: r.u16() };
    case "icmp":
    case "icmpv6":
      return { type: r.u8(), code: r.u8() };
    case "arp":
      return { sip: r.ipv4(), tip: r.ipv4(), op: r.u16(), sha: r.mac(), tha: r.mac() };
    case "nd":
      return { target: r.ipv6(), sll: r.mac(), tll: r.mac() };
    case "tunnel":
      return tunnel(r, o);
    case "mpls":
      return Array.from({ length: 1 + r.int(3) }, () => r.u32());
    case "ctState":
      return ctStateList(o.ovsText ? r.u8() : r.u32());
    case "ctLabels":
      return r.bytes(16);
    case "ctOrigTupleIpv4":
      return { src: r.ipv4(), dst: r.ipv4(), srcPort: r.u16(), dstPort: r.u16(), proto: r.u8() };
    case "ctOrigTupleIpv6":
      return { src: r.ipv6(), dst: r.ipv6(), srcPort: r.u16(), dstPort: r.u16(), proto: r.u8() };
    case "nsh":
      return nsh(r);
    case "ndExtensions":
      return { ndReserved: r.u32(), ndOptionsType: r.u8() };
    case "tunnelInfo":
      return r.bytes(r.int(12));
    case "ipv6Exthdrs":
      return { hdrs: r.u16() };
  }
  throw new Error(kind);
}

const KINDS = [
  "priority",
  "inPort",
  "ethernet",
  "vlan",
  "ethertype",
  "ipv4",
  "ipv6",
  "tcp",
  "udp",
  "icmp",
  "icmpv6",
  "arp",
  "nd",
  "skbMark",
  "tunnel",
  "sctp",
  "tcpFlags",
  "dpHash",
  "recircId",
  "mpls",
  "ctState",
  "ctZone",
  "ctMark",
  "ctLabels",
  "ctOrigTupleIpv4",
  "ctOrigTupleIpv6",
  "nsh",
  "packetType",
  "ndExtensions",
  "tunnelInfo",
  "ipv6Exthdrs",
  "encap",
];

/** A random key with a random subset of attributes. */
export function randomKey(r: Rng, depth = 0, o: GenOptions = {}): FlowKey {
  const k: Record<string, unknown> = {};
  const n = r.int(8);
  for (let i = 0; i < n; i++) {
    const kind = r.pick(KINDS);
    if (kind === "encap" && depth >= 2) continue;
    if (o.ovsText && (kind === "tunnelInfo" || kind === "ipv6Exthdrs")) continue;
    k[kind] = randomAttr(r, kind, depth, o);
  }
  if (!o.ovsText && r.bool(0.1)) {
    k.unknown = [{ type: 40 + r.int(20), bytes: r.bytes(r.int(9)) }];
  }
  return k as FlowKey;
}

/** A random mask for `key`: some of its attributes with random values. */
export function randomMask(r: Rng, key: FlowKey, o: GenOptions = {}): FlowKey {
  const m: Record<string, unknown> = {};
  for (const [kind, v] of Object.entries(key)) {
    if (kind === "unknown") {
      if (r.bool()) {
        m.unknown = (v as { type: number; bytes: Uint8Array }[]).map((u) => ({
          type: u.type,
          bytes: r.bytes(u.bytes.length),
        }));
      }
      continue;
    }
    if (!r.bool(0.8)) continue;
    if (kind === "encap") m.encap = randomMask(r, v as FlowKey, o);
    else if (kind === "mpls") m.mpls = (v as number[]).map(() => r.u32());
    else if (kind === "tunnelInfo") m.tunnelInfo = r.bytes((v as Uint8Array).length);
    else m[kind] = randomAttr(r, kind, 2, o);
  }
  return m as FlowKey;
}

const FIXED_SET_KINDS = [
  "priority",
  "skbMark",
  "ethernet",
  "ipv4",
  "ipv6",
  "tcp",
  "udp",
  "sctp",
  "icmp",
  "icmpv6",
  "arp",
  "nd",
  "mpls",
  "ctLabels",
  "ethertype",
  "vlan",
  "inPort",
];

/** A random action list. */
export function randomActions(r: Rng, depth = 0, o: GenOptions = {}): Action[] {
  const out: Action[] = [];
  const n = r.int(depth === 0 ? 6 : 3);
  for (let i = 0; i < n; i++) {
    const a = randomAction(r, depth, o);
    if (a !== null) out.push(a);
  }
  return out;
}

function nested(r: Rng, depth: number, o: GenOptions): Action[] {
  return depth >= 2 ? [] : randomActions(r, depth + 1, o);
}

function randomAction(r: Rng, depth: number, o: GenOptions): Action | null {
  const kinds = o.ovsText
    ? [
      "output",
      "userspace",
      "set",
      "setMasked",
      "pushVlan",
      "popVlan",
      "sample",
      "recirc",
      "ct",
      "trunc",
      "ctClear",
      "pushNsh",
      "popNsh",
      "meter",
      "clone",
      "checkPktLen",
      "addMpls",
    ]
    : [
      "output",
      "userspace",
      "set",
      "setMasked",
      "pushVlan",
      "popVlan",
      "sample",
      "recirc",
      "hash",
      "pushMpls",
      "popMpls",
      "ct",
      "trunc",
      "pushEth",
      "popEth",
      "ctClear",
      "pushNsh",
      "popNsh",
      "meter",
      "clone",
      "checkPktLen",
      "addMpls",
      "decTtl",
      "drop",
      "psample",
      "unknown",
    ];
  const kind = r.pick(kinds);
  switch (kind) {
    case "output":
      return { kind, value: r.u32() };
    case "userspace": {
      const u: Record<string, unknown> = { pid: r.u32() };
      // Text without userdata means an all-zero cookie, so text tests always give one.
      if (o.ovsText || r.bool()) {
        // Arbitrary bytes, or a cookie Open vSwitch would show as sFlow(...) etc.
        const b = r.bytes(r.bool() ? 48 : 8 + r.int(20));
        if (b.length === 48) {
          b[0] = 1 + r.int(5);
          b[1] = 0;
          // Slow path reasons beyond the known 7 bits print as numbers no parser accepts.
          if (o.ovsText && b[0] === 2) b.fill(0, 28, 32), b[28] = r.int(0x80);
        }
        u.userdata = b;
      }
      // In text, tunnel_out_port=4294967295 (ODPP_NONE) means "none".
      if (r.bool()) u.egressTunPort = o.ovsText ? r.int(0xffffffff) : r.u32();
      if (r.bool()) u.actions = true;
      return { kind, value: u };
    }
    case "set": {
      const k = o.ovsText ? r.pick(FIXED_SET_KINDS) : r.pick([...FIXED_SET_KINDS, "tunnel", "nsh"]);
      return { kind, value: { [k]: randomAttr(r, k, 2, o) } as FlowKey };
    }
    case "setMasked": {
      const k = r.pick(FIXED_SET_KINDS);
      const key = randomAttr(r, k, 2, o);
      const mask = k === "mpls" ? (key as number[]).map(() => r.u32()) : randomAttr(r, k, 2, o);
      return { kind, value: { key: { [k]: key } as FlowKey, mask: { [k]: mask } as FlowKey } };
    }
    case "pushVlan":
      return {
        kind,
        value: { tpid: r.pick([0x8100, 0x88a8]), tci: r.u16() | (o.ovsText ? 0 : 0) },
      };
    case "popVlan":
    case "popEth":
    case "ctClear":
    case "popNsh":
      return { kind, value: true } as Action;
    case "sample":
      return { kind, value: { probability: r.u32(), actions: nested(r, depth, o) } };
    case "recirc":
      return { kind, value: o.ovsText ? 0 : r.u32() };
    case "hash":
      return { kind, value: { alg: r.int(3), basis: r.u32() } };
    case "pushMpls":
      return { kind, value: { lse: r.u32(), ethertype: r.pick([0x8847, 0x8848]) } };
    case "popMpls":
      return { kind, value: r.u16() };
    case "ct": {
      const c: Record<string, unknown> = {};
      if (r.bool()) c[r.bool() ? "commit" : "forceCommit"] = true;
      if (r.bool()) c.zone = r.u16();
      if (r.bool()) c.mark = { value: r.u32(), mask: r.u32() || 1 };
      if (r.bool()) {
        const mask = r.bytes(16);
        if (o.ovsText) mask[15] |= 1; // a zero mask means "no labels" in text
        c.labels = { value: r.bytes(16), mask };
      }
      if (r.bool()) c.helper = r.pick(["ftp", "tftp", "sip"]);
      if (r.bool()) c.timeout = r.pick(["ovs_tp_1_tcp4", "t1"]);
      if (!o.ovsText && r.bool(0.2)) c.eventmask = r.u32();
      if (r.bool()) {
        const n: Record<string, unknown> = {};
        if (r.bool()) n[r.bool() ? "src" : "dst"] = true;
        if ((n.src || n.dst || !o.ovsText) && r.bool()) {
          const six = r.bool();
          const a = six ? r.ipv6() : r.ipv4();
          n.ipMin = a;
          if (r.bool()) n.ipMax = six ? r.ipv6() : r.ipv4();
          if (r.bool()) {
            n.protoMin = 1 + r.int(60000);
            if (r.bool()) n.protoMax = r.u16();
          }
          if (r.bool()) n.persistent = true;
          if (r.bool()) n[r.bool() ? "protoHash" : "protoRandom"] = true;
        }
        c.nat = n;
      }
      return { kind, value: c };
    }
    case "trunc":
    case "meter":
      return { kind, value: r.u32() } as Action;
    case "pushEth":
      return { kind, value: { src: r.mac(), dst: r.mac() } };
    case "pushNsh":
      return { kind, value: { nsh: nsh(r) } };
    case "clone":
      return { kind, value: nested(r, depth, o) };
    case "checkPktLen":
      return {
        kind,
        value: {
          pktLen: r.u16(),
          actionsIfGreater: nested(r, depth, o),
          actionsIfLessEqual: nested(r, depth, o),
        },
      };
    case "addMpls":
      return {
        kind,
        value: {
          lse: r.u32(),
          ethertype: r.pick([0x8847, 0x8848]),
          tunFlags: o.ovsText ? 0 : r.int(2),
        },
      };
    case "decTtl":
      return { kind, value: { action: nested(r, depth, o) } };
    case "drop":
      return { kind, value: r.int(20) };
    case "psample": {
      const p: Record<string, unknown> = { group: r.u32() };
      if (r.bool()) p.cookie = r.bytes(1 + r.int(16));
      return { kind, value: p };
    }
    case "unknown":
      return { kind: "unknown", type: 30 + r.int(40), bytes: r.bytes(r.int(10)) };
  }
  return null;
}
