/**
 * Parsing action lists from the datapath text format (internal): what `ovs-dpctl add-flow`
 * reads (`odp_actions_from_string` of Open vSwitch's lib/odp-util.c), plus the forms
 * ovs-dpctl prints but cannot read back (`recirc(0x5)`, `hash(...)`, `push_mpls(...)`,
 * `pop_mpls(...)`, `push_eth(...)`, `pop_eth`, `dec_ttl(...)`, `drop` inside a list,
 * `actionN(...)`).
 *
 * @module
 */

import type { UnknownAttr } from "../protocol/schema.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { DecodeContext, EncodeContext } from "../protocol/schema_context.ts";
import { parseIpv6 } from "../protocol/schema_addr.ts";
import {
  type Action,
  actionAttrs,
  actionList,
  type CtAction,
  type NatAction,
  type PsampleAction,
  type UserspaceAction,
} from "./actions.ts";
import { type FlowKey, flowKeyAttrs, type NshKey } from "./keys.ts";
import { parseKeyAttr, scanFlags } from "./odp_key_parse.ts";
import { MAX_ODP_NESTED, type Scanner } from "./odp_scan.ts";
import { COOKIE, newCookie, SLOW_PATH_TEXT } from "./odp_userdata.ts";

type Obj = Record<string, unknown>;

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffff_ffff;

function userspaceOnly(sc: Scanner, name: string, at: number): never {
  return sc.bad(
    `${name} is an action of the Open vSwitch userspace datapath; the kernel datapath does not implement it`,
    at,
    "a kernel datapath action",
  );
}

// ---------------------------------------------------------------------------------------------
// userspace

function userspace(sc: Scanner): UserspaceAction {
  sc.expect("pid=");
  const u: UserspaceAction = { pid: sc.int(U32) };
  let userdata: Uint8Array | undefined;
  if (sc.eat(",sFlow(vid=")) {
    const vid = sc.int(U32);
    sc.expect(",pcp=");
    const pcp = sc.int(U32);
    sc.expect(",output=");
    const output = sc.int(U32);
    sc.expect(")");
    const [c, v] = newCookie(COOKIE.SFLOW);
    let tci = (vid | (pcp << 13)) & 0xffff;
    if (tci) tci |= 0x1000;
    v.setUint16(24, tci, false);
    v.setUint32(28, output, true);
    userdata = c;
  } else if (sc.eat(",slow_path(")) {
    const [reason] = scanFlags(sc, SLOW_PATH_TEXT, 0x7f, false, ")", "slow_path");
    sc.pos++;
    const [c, v] = newCookie(COOKIE.SLOW_PATH);
    v.setUint32(28, reason, true);
    userdata = c;
  } else if (sc.eat(",flow_sample(probability=")) {
    const probability = sc.int(U16);
    sc.expect(",collector_set_id=");
    const collector = sc.int(U32);
    sc.expect(",obs_domain_id=");
    const domain = sc.int(U32);
    sc.expect(",obs_point_id=");
    const point = sc.int(U32);
    sc.expect(",output_port=");
    const out = portOrNumber(sc, ",)");
    const dir = sc.eat(",ingress") ? 1 : sc.eat(",egress") ? 2 : 0;
    sc.expect(")", `",ingress", ",egress" or ")"`);
    const [c, v] = newCookie(COOKIE.FLOW_SAMPLE);
    v.setUint16(24, probability, true);
    v.setUint32(28, collector, true);
    v.setUint32(32, domain, true);
    v.setUint32(36, point, true);
    v.setUint32(40, out, true);
    v.setUint32(44, dir, true);
    userdata = c;
  } else if (sc.eat(",ipfix(output_port=")) {
    const out = portOrNumber(sc, ")");
    sc.expect(")");
    const [c, v] = newCookie(COOKIE.IPFIX);
    v.setUint32(24, out, true);
    userdata = c;
  } else if (sc.eat(",controller(reason=")) {
    const reason = sc.int(U16, 10);
    sc.expect(",dont_send=");
    const dontSend = sc.int(U8, 10);
    sc.expect(",continuation=");
    const cont = sc.int(U8, 10);
    sc.expect(",recirc_id=");
    const recirc = sc.int(U32, 10);
    sc.expect(",rule_cookie=");
    const rule = sc.bigint(0xffff_ffff_ffff_ffffn, 16);
    sc.expect(",controller_id=");
    const ctl = sc.int(U16, 10);
    sc.expect(",max_len=");
    const maxLen = sc.int(U16, 10);
    sc.expect(")");
    const [c, v] = newCookie(COOKIE.CONTROLLER);
    c[24] = dontSend ? 1 : 0;
    c[25] = cont ? 1 : 0;
    v.setUint16(26, reason, true);
    v.setUint32(28, recirc, true);
    v.setBigUint64(32, rule, false);
    v.setUint16(40, ctl, true);
    v.setUint16(42, maxLen, true);
    userdata = c;
  } else if (sc.eat(",userdata(")) {
    const b = sc.hexPairs();
    sc.expect(")", `hex byte pairs or ")"`);
    // Like Open vSwitch, send at least 8 bytes (older kernels required exactly 8).
    userdata = b.length >= 8 ? b : Uint8Array.from([...b, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8));
  }
  // Without a cookie or userdata, Open vSwitch sends an all-zero cookie: so do we.
  u.userdata = userdata ?? new Uint8Array(48);
  if (sc.eat(",actions")) u.actions = true;
  if (sc.eat(",tunnel_out_port=")) {
    // ODPP_NONE (u32 max) means "no tunnel port" to Open vSwitch: the attribute is left out.
    const p = portOrNumber(sc, ")");
    if (p !== U32) u.egressTunPort = p;
  }
  sc.expect(")", `",actions", ",tunnel_out_port=" or ")"`);
  // Reorder as Open vSwitch writes the attributes: pid, userdata, egress port, actions.
  const out: UserspaceAction = { pid: u.pid };
  if (u.userdata) out.userdata = u.userdata;
  if (u.egressTunPort !== undefined) out.egressTunPort = u.egressTunPort;
  if (u.actions) out.actions = true;
  return out;
}

function portOrNumber(sc: Scanner, stops: string): number {
  if (sc.atDigit()) return sc.int(U32);
  const start = sc.pos;
  let end = start;
  while (end < sc.s.length && !stops.includes(sc.s[end])) end++;
  const p = sc.portByName(sc.s.slice(start, end));
  if (p === undefined) sc.fail("a port number or a known port name");
  sc.pos = end;
  return p;
}

// ---------------------------------------------------------------------------------------------
// set / set_masked

const scratch = new NetlinkWriter(512);
/** checkActionsSize's own writer, reused (reset first) rather than allocated per parsed line. */
const sizeScratch = new NetlinkWriter(1024);

/** The payload bytes of attribute `kind` of the key set holding value `v`. */
function payload(kind: string, v: unknown): Uint8Array {
  scratch.reset();
  flowKeyAttrs.encode(scratch, { [kind]: v } as FlowKey);
  return scratch.bytes().slice(4, 4 + (scratch.view.getUint16(0, true) - 4));
}

function allOnes(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0xff) return false;
  return true;
}

function setAction(sc: Scanner, at: number): Action {
  const k: Obj = {}, m: Obj = {};
  parseKeyAttr(sc, k, m);
  sc.expect(")");
  const kind = Object.keys(k)[0];
  if (kind === "unknown") {
    const ku = (k.unknown as UnknownAttr[])[0], mu = (m.unknown as UnknownAttr[])[0];
    if (mu.bytes.length === ku.bytes.length && allOnes(mu.bytes)) {
      return { kind: "set", value: { unknown: [ku] } };
    }
    const both = new Uint8Array(ku.bytes.length + mu.bytes.length);
    both.set(ku.bytes);
    both.set(mu.bytes, ku.bytes.length);
    return {
      kind: "setMasked",
      value: { key: { unknown: [{ type: ku.type, bytes: both }] }, mask: {} },
    };
  }
  if (kind === "tunnel" || kind === "encap") {
    // The kernel cannot mask these: always a plain set (of the key).
    return { kind: "set", value: k as FlowKey };
  }
  if (kind === "nsh") {
    const kn = k.nsh as NshKey, mn = m.nsh as NshKey;
    let exact = allOnes(
      new Uint8Array([
        mn.base!.flags,
        mn.base!.ttl,
        mn.base!.mdtype,
        mn.base!.np,
      ]),
    ) && (mn.base!.pathHdr >>> 0) === U32;
    if (kn.md1) exact &&= mn.md1!.context.every((x) => (x >>> 0) === U32);
    if (exact) return { kind: "set", value: k as FlowKey };
    const mask: NshKey = { base: mn.base };
    if (kn.md1) mask.md1 = mn.md1;
    return { kind: "setMasked", value: { key: k as FlowKey, mask: { nsh: mask } } };
  }
  let kb: Uint8Array, mb: Uint8Array;
  try {
    kb = payload(kind, k[kind]);
    mb = payload(kind, m[kind]);
  } catch (e) {
    sc.bad(`set(): ${(e as Error).message}`, at);
  }
  if (kb.length === mb.length && allOnes(mb)) return { kind: "set", value: k as FlowKey };
  return { kind: "setMasked", value: { key: k as FlowKey, mask: m as FlowKey } };
}

// ---------------------------------------------------------------------------------------------
// ct

interface NatParams {
  src: boolean;
  dst: boolean;
  min: string | null;
  max: string | null;
  six: boolean;
  protoMin: number;
  protoMax: number;
  persistent: boolean;
  hash: boolean;
  random: boolean;
}

function addr6(sc: Scanner): string {
  if (sc.eat("[")) {
    const a = sc.ipv6();
    sc.expect("]");
    return a;
  }
  return sc.ipv6();
}

function natRange(sc: Scanner, p: NatParams): void {
  if (!sc.eat("=")) return;
  const save = sc.pos;
  if (/^[0-9]{1,3}\.[0-9]/.test(sc.s.slice(save, save + 5))) {
    p.min = sc.ipv4();
    p.six = false;
    if (sc.eat("-")) p.max = sc.ipv4();
  } else {
    p.min = addr6(sc);
    p.six = true;
    if (sc.eat("-")) p.max = addr6(sc);
  }
  if (sc.eat(":")) {
    p.protoMin = sc.int(U16, 10);
    if (sc.eat("-")) p.protoMax = sc.int(U16, 10);
  }
}

function bytesOf(a: string, six: boolean): Uint8Array {
  if (six) return parseIpv6(a) ?? new Uint8Array(16);
  return Uint8Array.from(a.split(".").map(Number));
}

function cmpBytes(x: Uint8Array, y: Uint8Array): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

function nat(sc: Scanner, at: number): NatAction {
  const p: NatParams = {
    src: false,
    dst: false,
    min: null,
    max: null,
    six: false,
    protoMin: 0,
    protoMax: 0,
    persistent: false,
    hash: false,
    random: false,
  };
  if (sc.eat("(")) {
    for (;;) {
      sc.skipDelims();
      if (sc.eat(")")) break;
      if (sc.eat("src")) {
        natRange(sc, p);
        p.src = true;
      } else if (sc.eat("dst")) {
        natRange(sc, p);
        p.dst = true;
      } else if (sc.eat("persistent")) p.persistent = true;
      else if (sc.eat("hash")) p.hash = true;
      else if (sc.eat("random")) p.random = true;
      else sc.fail(`"src", "dst", "persistent", "hash", "random" or ")"`);
    }
    if (p.src && p.dst) sc.bad(`nat() takes "src" or "dst", not both`, at);
    if (p.min !== null && p.max !== null) {
      const mn = bytesOf(p.min, p.six), mx = bytesOf(p.max, p.six);
      if (!mx.every((b) => b === 0) && cmpBytes(mx, mn) < 0) {
        sc.bad(`nat() address range ${p.min}-${p.max} is backwards`, at);
      }
    }
    if (p.protoMax && p.protoMax < p.protoMin) {
      sc.bad(`nat() port range ${p.protoMin}-${p.protoMax} is backwards`, at);
    }
    if (p.hash && p.random) sc.bad(`nat() takes "hash" or "random", not both`, at);
  }
  // nl_msg_put_ct_nat: options only come with a type and an address.
  const n: NatAction = {};
  if (p.src) n.src = true;
  else if (p.dst) n.dst = true;
  else return n;
  if (p.min !== null) {
    n.ipMin = p.min;
    if (p.max !== null && cmpBytes(bytesOf(p.max, p.six), bytesOf(p.min, p.six)) > 0) {
      n.ipMax = p.max;
    }
    if (p.protoMin) {
      n.protoMin = p.protoMin;
      if (p.protoMax && p.protoMax > p.protoMin) n.protoMax = p.protoMax;
    }
    if (p.persistent) n.persistent = true;
    if (p.hash) n.protoHash = true;
    if (p.random) n.protoRandom = true;
  }
  return n;
}

const DELIMS_END = ", \t\r\n)";

const utf8 = new TextEncoder();

/** A name up to the next delimiter: 1 to `max` UTF-8 bytes, no NUL (the kernel's strings). */
function word(sc: Scanner, max: number, what: string): string {
  const start = sc.pos;
  let p = start;
  while (p < sc.s.length && !DELIMS_END.includes(sc.s[p])) {
    if (sc.s.charCodeAt(p) === 0) sc.bad(`${what} cannot contain a NUL character`, p);
    p++;
  }
  const w = sc.s.slice(start, p);
  const n = utf8.encode(w).length;
  if (n === 0 || n > max) sc.bad(`${what} must be 1 to ${max} bytes (UTF-8)`, start);
  sc.pos = p;
  return w;
}

function ct(sc: Scanner, at: number): CtAction {
  let commit = false, force = false, zone = 0, helper: string | null = null;
  let timeout: string | null = null, natv: NatAction | null = null;
  let mark: [number, number] = [0, 0];
  let label: [Uint8Array, Uint8Array] | null = null;
  if (sc.eat("(")) {
    for (;;) {
      sc.skipDelims();
      if (sc.eat(")")) break;
      if (sc.eat("commit")) commit = true;
      else if (sc.eat("force_commit")) force = true;
      else if (sc.eat("zone=")) zone = sc.int(U16);
      else if (sc.eat("mark=")) {
        const v = sc.int(U32, 16);
        mark = [v, sc.eat("/") ? sc.int(U32, 16) : U32];
      } else if (sc.eat("label=")) {
        const v = sc.wideInt(16, "a 128-bit label");
        const m = sc.eat("/") ? sc.wideInt(16, "a 128-bit mask") : new Uint8Array(16).fill(0xff);
        label = [v.reverse(), m.reverse()];
      } else if (sc.eat("helper=")) helper = word(sc, 15, "helper");
      else if (sc.eat("timeout=")) timeout = word(sc, 31, "timeout");
      else if (sc.at("nat")) {
        const nat0 = sc.pos;
        sc.pos += 3;
        natv = nat(sc, nat0);
      } else {
        sc.fail(
          `"commit", "force_commit", "zone=", "mark=", "label=", "helper=", "timeout=", "nat" or ")"`,
        );
      }
    }
  }
  if (commit && force) sc.bad(`ct() takes "commit" or "force_commit", not both`, at);
  const c: CtAction = {};
  if (commit) c.commit = true;
  else if (force) c.forceCommit = true;
  if (zone) c.zone = zone;
  if (mark[1]) c.mark = { value: mark[0], mask: mark[1] };
  if (label !== null && !label[1].every((b) => b === 0)) {
    c.labels = { value: label[0], mask: label[1] };
  }
  if (helper !== null) c.helper = helper;
  if (timeout !== null) c.timeout = timeout;
  if (natv !== null) c.nat = natv;
  return c;
}

// ---------------------------------------------------------------------------------------------
// push_nsh, psample, generic

function pushNsh(sc: Scanner): FlowKey {
  const base = { flags: 0, ttl: 63, mdtype: 1, np: 3, pathHdr: 0 };
  let spi = 0, si = 255;
  const ctx = [0, 0, 0, 0];
  let md2: Uint8Array | null = null;
  for (;;) {
    sc.skipDelims();
    if (sc.eat(")")) break;
    if (sc.eat("flags=")) base.flags = sc.int(U8);
    else if (sc.eat("ttl=")) base.ttl = sc.int(U8);
    else if (sc.eat("mdtype=")) {
      const at = sc.pos;
      base.mdtype = sc.int(U8);
      if (base.mdtype !== 1 && base.mdtype !== 2) sc.bad("mdtype must be 1 or 2", at);
      if (base.mdtype === 2) md2 = null;
    } else if (sc.eat("np=")) base.np = sc.int(U8);
    else if (sc.eat("spi=")) spi = sc.int(0xffffff, 16);
    else if (sc.eat("si=")) si = sc.int(U8);
    else if (base.mdtype === 1 && /^c[1-4]=/.test(sc.s.slice(sc.pos, sc.pos + 3))) {
      const i = Number(sc.s[sc.pos + 1]) - 1;
      sc.pos += 3;
      ctx[i] = sc.int(U32, 16);
    } else if (base.mdtype === 2 && sc.eat("md2=")) {
      // "0x" and hex bytes; also "0", which ovs-dpctl prints for empty metadata.
      const at = sc.pos;
      if (!sc.eat("0x")) {
        sc.expect("0", `"0x" and hex digits`);
        md2 = null;
        continue;
      }
      let m = /^[0-9a-fA-F]*/.exec(sc.s.slice(sc.pos))![0];
      if (m.length === 0 || m.length > 511) sc.bad("md2 takes up to 255 bytes in hex", at);
      sc.pos += m.length;
      if (m.length % 2) m = "0" + m;
      const b = new Uint8Array(((m.length / 2) + 3) & ~3);
      for (let i = 0; i < m.length; i += 2) b[i / 2] = parseInt(m.slice(i, i + 2), 16);
      md2 = b;
    } else {
      sc.fail(`a push_nsh field (flags=, ttl=, mdtype=, np=, spi=, si=, c1=..c4= or md2=) or ")"`);
    }
  }
  base.pathHdr = (((spi & 0xffffff) << 8) | si) >>> 0;
  const n: NshKey = { base };
  if (base.mdtype === 1) n.md1 = { context: ctx };
  else if (md2 !== null && md2.length > 0) n.md2 = md2;
  return { nsh: n };
}

function psample(sc: Scanner, at: number): PsampleAction {
  const p: PsampleAction = {};
  for (;;) {
    sc.skipDelims();
    if (sc.eat(")")) break;
    if (p.group === undefined && sc.eat("group=")) {
      p.group = sc.int(U32);
    } else if (p.cookie === undefined && /^cookie=0[,)]/.test(sc.s.slice(sc.pos, sc.pos + 9))) {
      // an all-zero cookie, as Open vSwitch prints it (ds_put_hex)
      sc.pos += 8;
      p.cookie = new Uint8Array(1);
    } else if (p.cookie === undefined && sc.eat("cookie=0x")) {
      const cat = sc.pos;
      let h = /^[0-9a-fA-F]*/.exec(sc.s.slice(cat))![0];
      if (h.length === 0 || h.length > 32) sc.bad("the cookie takes 1 to 16 bytes in hex", cat);
      sc.pos = cat + h.length;
      if (h.length % 2) h = "0" + h;
      p.cookie = Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
    } else {
      sc.fail(p.group === undefined ? `"group=" or "cookie=0x"` : `"cookie=0x" or ")"`);
    }
  }
  if (p.group === undefined) sc.bad(`psample() needs "group="`, at);
  return p.group !== undefined && p.cookie !== undefined ? { group: p.group, cookie: p.cookie } : p;
}

function genericAction(sc: Scanner, type: number, at: number): Action {
  let bytes: Uint8Array = new Uint8Array(0);
  if (sc.eat("(")) {
    bytes = sc.hexPairs();
    sc.expect(")", `hex bytes or ")"`);
  }
  if (actionAttrs.nameOf(type) !== undefined) {
    const w = new NetlinkWriter(Math.max(16, bytes.length + 8));
    const s = w.beginAttr(type);
    w.putBytes(bytes);
    w.endAttr(s);
    try {
      const b = w.bytes();
      const c = new DecodeContext(b, { path: "actions" });
      c.nesting = sc.nesting;
      const items = actionList.decode(c, 0, b.length);
      if (items.length === 1) return items[0] as Action;
    } catch (e) {
      sc.bad(`action${type}(): ${(e as Error).message}`, at);
    }
  }
  return { kind: "unknown", type, bytes };
}

/** A nested list up to and including its ")"; "drop" (any case) means no actions. */
function list(sc: Scanner, out: Action[]): void {
  if (/^drop\)/i.test(sc.s.slice(sc.pos, sc.pos + 5))) {
    sc.pos += 5;
    return;
  }
  nested(sc, out);
}

/** A nested action list up to its ")", counted against MAX_NESTING as the codecs count it. */
function nested(sc: Scanner, out: Action[]): void {
  sc.enter(sc.pos);
  parseActionList(sc, out, true);
  sc.leave();
}

// ---------------------------------------------------------------------------------------------

/** Parses one action. */
export function parseAction(sc: Scanner): Action {
  const at = sc.pos;
  if (++sc.depth >= MAX_ODP_NESTED) {
    sc.bad(`actions nest deeper than ${MAX_ODP_NESTED - 1} levels`, at);
  }
  const a = parseAction__(sc, at);
  sc.depth--;
  return a;
}

function parseAction__(sc: Scanner, at: number): Action {
  if (sc.atDigit()) return { kind: "output", value: sc.int(U32) };
  if (sc.portNames !== undefined) {
    let end = at;
    while (end < sc.s.length && !", \t\r\n".includes(sc.s[end])) end++;
    const p = sc.portByName(sc.s.slice(at, end));
    if (p !== undefined) {
      sc.pos = end;
      return { kind: "output", value: p };
    }
  }
  const name = sc.ident();
  const paren = sc.eat("(");
  const need = () => {
    if (!paren) sc.fail(`"(" after ${name}`);
  };
  const close = () => sc.expect(")");
  switch (name) {
    case "lb_output":
    case "tnl_pop":
    case "tnl_push":
      return userspaceOnly(sc, name, at);
    case "trunc": {
      need();
      const v = sc.int(U32);
      close();
      return { kind: "trunc", value: v };
    }
    case "recirc": {
      need();
      const v = sc.int(U32); // ovs-dpctl prints recirc(0x5) but reads only decimal
      close();
      return { kind: "recirc", value: v };
    }
    case "meter": {
      need();
      const v = sc.int(U32);
      close();
      return { kind: "meter", value: v };
    }
    case "userspace":
      need();
      return { kind: "userspace", value: userspace(sc) };
    case "set":
      need();
      return setAction(sc, at);
    case "push_vlan": {
      need();
      let tpid = 0x8100, vid = 0, pcp = 0, cfi = 1;
      for (;;) {
        if (sc.eat(")")) break;
        const fat = sc.pos;
        if (sc.eat("tpid=")) tpid = sc.int(U16);
        else if (sc.eat("vid=")) vid = sc.int(U16);
        else if (sc.eat("pcp=")) pcp = sc.int(U16);
        else if (sc.eat("cfi=")) cfi = sc.int(U16);
        else sc.fail(`"tpid=", "vid=", "pcp=", "cfi=" or ")"`);
        if (vid > 0xfff || pcp > 7) sc.bad("vid must be 0..4095 and pcp 0..7", fat);
        if (!sc.eat(",") && !sc.at(")")) sc.fail(`"," or ")"`);
      }
      return {
        kind: "pushVlan",
        value: { tpid, tci: (vid | (pcp << 13) | (cfi ? 0x1000 : 0)) & 0xffff },
      };
    }
    case "pop_vlan":
      return { kind: "popVlan", value: true };
    case "sample": {
      need();
      sc.expect("sample=");
      const pat = sc.pos;
      const num = /^[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?/.exec(sc.s.slice(pat))![0];
      const pct = Number(num);
      if (num === "" || num === "." || !(pct >= 0 && pct <= 100)) {
        sc.fail("a percentage from 0 to 100", pat);
      }
      sc.pos = pat + num.length;
      sc.expect("%,actions(");
      const prob = Math.floor(0xffff_ffff * (pct / 100.0) + 0.5);
      const actions: Action[] = [];
      nested(sc, actions);
      close();
      return {
        kind: "sample",
        value: { probability: prob <= 0 ? 0 : prob >= U32 ? U32 : prob, actions },
      };
    }
    case "clone": {
      need();
      const actions: Action[] = [];
      nested(sc, actions);
      return { kind: "clone", value: actions };
    }
    case "push_nsh":
      need();
      return { kind: "pushNsh", value: pushNsh(sc) };
    case "pop_nsh":
      if (paren) close();
      return { kind: "popNsh", value: true };
    case "ct_clear":
      return { kind: "ctClear", value: true };
    case "check_pkt_len": {
      need();
      sc.expect("size=");
      const size = sc.int(U16);
      sc.expect(",gt(");
      const gt: Action[] = [];
      list(sc, gt);
      sc.expect(",le(");
      const le: Action[] = [];
      list(sc, le);
      close();
      return {
        kind: "checkPktLen",
        value: { pktLen: size, actionsIfGreater: gt, actionsIfLessEqual: le },
      };
    }
    case "ct":
      if (paren) sc.pos--;
      return { kind: "ct", value: ct(sc, at) };
    case "add_mpls":
    case "push_mpls": {
      need();
      sc.expect("label=");
      const label = sc.int(0xfffff);
      sc.expect(",tc=");
      const tc = sc.int(7);
      sc.expect(",ttl=");
      const ttl = sc.int(U8);
      sc.expect(",bos=");
      const bos = sc.int(1);
      sc.expect(",eth_type=");
      const et = sc.int(U16, 16);
      close();
      const lse = ((label << 12) | (tc << 9) | (bos << 8) | ttl) >>> 0;
      return name === "add_mpls"
        ? { kind: "addMpls", value: { lse, ethertype: et, tunFlags: 0 } }
        : { kind: "pushMpls", value: { lse, ethertype: et } };
    }
    case "pop_mpls": {
      need();
      sc.expect("eth_type=");
      const et = sc.int(U16, 16);
      close();
      return { kind: "popMpls", value: et };
    }
    case "psample":
      need();
      return { kind: "psample", value: psample(sc, at) };
    case "hash": {
      need();
      let alg: number;
      if (sc.eat("l4(")) alg = 0;
      else if (sc.eat("sym_l4(")) alg = 1;
      else sc.fail(`"l4(" or "sym_l4("`);
      const basis = sc.int(U32);
      sc.expect("))");
      return { kind: "hash", value: { alg, basis } };
    }
    case "push_eth": {
      need();
      sc.expect("src=");
      const src = sc.mac();
      sc.expect(",dst=");
      const dst = sc.mac();
      close();
      return { kind: "pushEth", value: { src, dst } };
    }
    case "pop_eth":
      return { kind: "popEth", value: true };
    case "dec_ttl": {
      need();
      sc.expect("le_1(");
      const actions: Action[] = [];
      list(sc, actions);
      close();
      return { kind: "decTtl", value: { action: actions } };
    }
    case "drop":
      return { kind: "drop", value: 0 };
    default: {
      const g = /^action([0-9]+)$/.exec(name);
      if (g !== null && Number(g[1]) <= 0x3fff) {
        if (paren) sc.pos--;
        return genericAction(sc, Number(g[1]), at);
      }
      return sc.fail("an action (a port number, ct, set, push_vlan, userspace, ...)", at);
    }
  }
}

/**
 * A list of actions separated by "," or spaces. Nested (`inner`) lists end at ")" (consumed);
 * the top-level list ends at the end of the text.
 */
export function parseActionList(sc: Scanner, out: Action[], inner: boolean): void {
  for (;;) {
    sc.skipDelims();
    if (sc.done) {
      if (inner) sc.fail(`an action or ")"`);
      return;
    }
    if (inner && sc.eat(")")) return;
    out.push(parseAction(sc));
    if (!inner && !sc.done && !", \t\r\n".includes(sc.peek())) sc.fail(`"," between actions`);
  }
}

/** Encodes `actions` to check that they fit in a netlink attribute (Open vSwitch's E2BIG). */
export function checkActionsSize(
  sc: Scanner,
  actions: readonly Action[],
  max: number = 0xffff,
): void {
  const w = sizeScratch.reset();
  try {
    actionList.encode(w, actions as never, new EncodeContext("actions"));
  } catch (e) {
    if (e instanceof RangeError) {
      sc.bad(`the actions do not fit in netlink: ${e.message}`, 0, "shorter actions");
    }
    // Not reached while the parsers check what they read; a parse error all the same.
    sc.bad(`the actions cannot be encoded: ${(e as Error).message}`, 0, "encodable actions");
  }
  // Open vSwitch reads action lists of up to 65535 bytes; a flow's go in an attribute
  // (OVS_FLOW_ATTR_ACTIONS, whose nla_len counts its header too): 65531 there.
  if (w.length > max) {
    sc.bad(
      `the actions take ${w.length} bytes, more than the ${max} ${
        max === 0xffff ? "Open vSwitch accepts" : "a flow's actions attribute holds"
      }`,
      0,
      "shorter actions",
    );
  }
}
