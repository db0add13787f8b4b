/**
 * Printing action lists in the datapath text format (internal): `format_odp_actions` of Open
 * vSwitch's lib/odp-util.c, action for action.
 *
 * @module
 */

import { parseIpv6 } from "../protocol/schema_addr.ts";
import { EncodeContext } from "../protocol/schema_context.ts";
import { type KeyKind, maskIs } from "./_internal.ts";
import type { UnknownAttr } from "../protocol/schema.ts";
import type {
  Action,
  CheckPktLen,
  CtAction,
  DecTtl,
  NatAction,
  PsampleAction,
  SampleAction,
  SetMasked,
  UserspaceAction,
} from "./actions.ts";
import type { FlowKey, NshKey } from "./keys.ts";
import { actionList } from "./actions.ts";
import {
  formatKeyAttr,
  formatMplsLse,
  formatNshMasked,
  formatU128,
  formatVlanTci,
  type PortNames,
  printState,
} from "./odp_key_format.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { fixed1, hexAlt, hexBytes, ntop6, putHex } from "./odp_scan.ts";
import { formatCookie } from "./odp_userdata.ts";

type Obj = Record<string, unknown>;

/** Options of the action printer. */
export interface ActionFormatOptions {
  /** Port names for `output` and cookie ports. */
  portNames?: PortNames;
}

function portName(p: number, names: PortNames | undefined): string {
  return names?.get(p) ?? String(p);
}

function generic(type: number, bytes: Uint8Array): string {
  return bytes.length ? `action${type}(${hexBytes(bytes, " ")})` : `action${type}`;
}

function formatUserspace(u: UserspaceAction, o: ActionFormatOptions): string {
  if (u.pid === undefined) return lossy("userspace(error)");
  // What the parsers would not read back as it was: no userdata (they add Open vSwitch's zero
  // cookie), userdata under 8 bytes (padded to 8), tunnel_out_port=4294967295 (read as none).
  if (u.userdata === undefined || u.userdata.length < 8 || u.egressTunPort === 0xffff_ffff) {
    printState.lossy = true;
  }
  let s = `userspace(pid=${u.pid}`;
  if (u.userdata !== undefined) {
    const c = formatCookie(u.userdata, o.portNames);
    s += c ?? `,userdata(${hexBytes(u.userdata)})`;
  }
  if (u.actions) s += ",actions";
  if (u.egressTunPort !== undefined) {
    s += `,tunnel_out_port=${portName(u.egressTunPort, o.portNames)}`;
  }
  return s + ")";
}

function v4(s: string): number {
  const p = s.split(".");
  return ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0;
}

function cmp6(a: string, b: string): number {
  const x = parseIpv6(a) ?? new Uint8Array(16), y = parseIpv6(b) ?? new Uint8Array(16);
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/** `format_odp_ct_nat`. */
function formatNat(n: NatAction): string {
  const other = n.ipMin !== undefined || n.ipMax !== undefined || n.protoMin !== undefined ||
    n.protoMax !== undefined || n.persistent || n.protoHash || n.protoRandom;
  if (!(n.src || n.dst) && other) {
    return lossy('nat(error: options allowed only with "src" or "dst")');
  }
  if (n.src && n.dst) return lossy('nat(error: Only one of "src" or "dst" may be present.)');
  if (n.ipMin === undefined && n.protoMin !== undefined) {
    return lossy("nat(error: proto but no IP.)");
  }
  if (
    (n.ipMin === undefined && n.ipMax !== undefined) ||
    (n.protoMin === undefined && n.protoMax !== undefined)
  ) return lossy("nat(error: range max without min.)");
  // The parsers keep these flags only with an address, and only one of hash and random.
  if (
    (n.ipMin === undefined && (n.persistent || n.protoHash || n.protoRandom)) ||
    (n.protoHash && n.protoRandom)
  ) printState.lossy = true;
  const six = n.ipMin !== undefined && n.ipMin.includes(":");
  if (n.ipMin !== undefined && n.ipMax !== undefined && n.ipMax.includes(":") !== six) {
    return lossy("nat(error: IP address sizes do not match)");
  }
  const addrLen = n.ipMin === undefined ? 0 : six ? 16 : 4;
  const protoMin = n.protoMin ?? 0, protoMax = n.protoMax ?? 0;
  const max6 = n.ipMax ?? "::";
  if (
    (addrLen === 4 && n.ipMax !== undefined && v4(n.ipMax) !== 0 &&
      v4(n.ipMin!) > v4(n.ipMax)) ||
    (addrLen === 16 && max6 !== "::" && cmp6(n.ipMin!, max6) > 0) ||
    (protoMax !== 0 && protoMin > protoMax)
  ) return lossy("nat(range error)");
  let s = "nat";
  if (n.src || n.dst) {
    s += n.src ? "(src" : "(dst";
    if (addrLen > 0) {
      s += "=";
      if (addrLen === 4) {
        s += n.ipMin!;
        if (n.ipMax !== undefined && v4(n.ipMax) !== 0 && n.ipMax !== n.ipMin) s += `-${n.ipMax}`;
      } else {
        const br = (a: string) => protoMin ? `[${ntop6(a)}]` : ntop6(a);
        s += br(n.ipMin!);
        if (max6 !== "::" && max6 !== n.ipMin) s += `-${br(max6)}`;
      }
      if (protoMin) {
        s += `:${protoMin}`;
        if (protoMax && protoMax !== protoMin) s += `-${protoMax}`;
      }
    }
    s += ",";
    if (n.persistent) s += "persistent,";
    if (n.protoHash) s += "hash,";
    if (n.protoRandom) s += "random,";
    s = s.slice(0, -1) + ")";
  }
  return s;
}

/** A ct helper or timeout name the parsers read back: no delimiter, no NUL, 1..max bytes. */
function ctName(name: string, max: number): string {
  if (!/^[^, \t\r\n)\0]+$/.test(name) || new TextEncoder().encode(name).length > max) {
    printState.lossy = true;
  }
  return name;
}

/** `format_odp_conntrack_action`. */
function formatCt(c: CtAction): string {
  // What the parsers would not read back as it was: both commits, a zero mark or label mask
  // (read as none).
  if (
    (c.commit && c.forceCommit) || (c.mark && c.mark.mask === 0) ||
    (c.labels && c.labels.mask.every((b) => b === 0))
  ) printState.lossy = true;
  const zone = c.zone ?? 0;
  if (
    !(c.commit || c.forceCommit || zone || c.mark || c.labels || c.helper !== undefined ||
      c.timeout !== undefined || c.nat)
  ) return "ct";
  let s = "ct(";
  if (c.commit) s += "commit,";
  if (c.forceCommit) s += "force_commit,";
  if (zone) s += `zone=${zone},`;
  if (c.mark) s += `mark=${hexAlt(c.mark.value)}/${hexAlt(c.mark.mask)},`;
  if (c.labels) s += `label=${formatU128(c.labels.value, c.labels.mask, true)},`;
  if (c.helper !== undefined) s += `helper=${ctName(c.helper, 15)},`;
  if (c.timeout !== undefined) s += `timeout=${ctName(c.timeout, 31)},`;
  if (c.nat) s += formatNat(c.nat);
  if (s.endsWith(",")) s = s.slice(0, -1);
  return s + ")";
}

/** The first attribute of a key object: [kind, value], or null when empty. */
function firstAttr(k: FlowKey): [string, unknown] | null {
  const o = k as Obj;
  for (const kind in o) {
    const v = o[kind];
    if (v === undefined) continue;
    if (kind === "unknown") {
      const list = v as UnknownAttr[];
      if (list.length === 0) continue;
      return ["unknown", list[0]];
    }
    return [kind, v];
  }
  return null;
}

/** More than one attribute in `k` (a set action prints only its first). */
function several(k: FlowKey): boolean {
  let n = 0;
  const o = k as Obj;
  for (const kind in o) {
    const v = o[kind];
    if (v === undefined) continue;
    n += kind === "unknown" ? (v as UnknownAttr[]).length : 1;
  }
  return n > 1;
}

function formatSet(k: FlowKey): string {
  if (several(k)) printState.lossy = true;
  const a = firstAttr(k);
  if (a === null) return lossy("set()");
  if (a[0] === "unknown") {
    const u = a[1] as UnknownAttr;
    return `set(key${u.type}(${hexBytes(u.bytes, " ")}))`;
  }
  return `set(${formatKeyAttr(a[0] as KeyKind, a[1], undefined, { verbose: true })})`;
}

function formatSetMasked(v: SetMasked): string {
  if (several(v.key)) printState.lossy = true;
  const a = firstAttr(v.key);
  if (a === null) return lossy("set()");
  if (a[0] === "unknown") {
    // A key attribute kept whole (unknown, or a nest other than nsh): its halves do not read
    // back as the value and mask they print as.
    printState.lossy = true;
    const u = a[1] as UnknownAttr;
    const half = u.bytes.length >> 1;
    return `set(key${u.type}(${hexBytes(u.bytes.subarray(0, half), " ")}/${
      hexBytes(u.bytes.subarray(half, 2 * half), " ")
    }))`;
  }
  const m = (v.mask as Obj)[a[0]];
  if (a[0] === "nsh") {
    // format_odp_set_nsh: value and mask start at zero.
    const k = a[1] as NshKey, mm = (m ?? {}) as NshKey;
    const z = { flags: 0, ttl: 0, mdtype: 0, np: 0, pathHdr: 0 };
    return `set(nsh(${
      formatNshMasked(
        k.base ?? z,
        mm.base ?? z,
        k.md1?.context ?? [0, 0, 0, 0],
        mm.md1?.context ?? [0, 0, 0, 0],
      )
    }))`;
  }
  // A zero mask prints as nothing ("ct_label()", "eth()"), which reads back as exact.
  if (m === undefined || maskIs(a[0], m, false)) printState.lossy = true;
  return `set(${formatKeyAttr(a[0] as KeyKind, a[1], m, { verbose: false })})`;
}

/** `format_odp_push_nsh_action` of the nsh key in a push_nsh action. */
function formatPushNsh(k: FlowKey): string {
  const n = (k as Obj).nsh as NshKey | undefined;
  const b = n?.base;
  // Printed from the NSH header built from the key: 2 bits of flags, 6 bits of TTL.
  const flags = (b?.flags ?? 0) & 3, ttl = (b?.ttl ?? 63) & 0x3f;
  const mdtype = b?.mdtype ?? 0, np = b?.np ?? 0;
  const path = b?.pathHdr ?? 0;
  let s = `push_nsh(flags=${flags},ttl=${ttl},mdtype=${mdtype},np=${np},spi=0x${
    (path >>> 8).toString(16)
  },si=${path & 0xff}`;
  if (mdtype === 1) {
    const c = n?.md1?.context ?? [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) s += `,c${i + 1}=0x${(c[i] >>> 0).toString(16)}`;
    if (n?.md2 !== undefined) printState.lossy = true; // md2 without mdtype 2: not printed
  } else if (mdtype === 2) {
    const md2 = n?.md2;
    s += `,md2=${putHex(md2 ?? new Uint8Array(0))}`;
    // md2 prints as a number (leading zero bytes go) that reads back padded to 4 bytes: what
    // it would change (or md1, not printed with mdtype 2) prints as bytes.
    if (
      n?.md1 !== undefined ||
      (md2 !== undefined &&
        (md2.length === 0 || md2.length % 4 !== 0 || md2[0] === 0 || md2.length > 255))
    ) printState.lossy = true;
  } else {
    s += lossy(",<error: unknown mdtype>");
  }
  return s + ")";
}

function formatPsample(p: PsampleAction): string {
  if (p.group === undefined) return lossy("psample()"); // the parsers need a group
  let s = `psample(group=${p.group}`;
  if (p.cookie !== undefined) {
    // An empty cookie prints as "0", which reads back as one zero byte.
    if (p.cookie.length === 0) printState.lossy = true;
    s += `,cookie=${putHex(p.cookie)}`;
  }
  return s + ")";
}

function formatSample(v: SampleAction, o: ActionFormatOptions): string {
  if (v.probability === undefined || v.actions === undefined) return lossy("sample(error)");
  const pct = (100.0 * v.probability) / 0xffff_ffff;
  return `sample(sample=${fixed1(pct)}%,actions(${formatActionList(v.actions, o)}))`;
}

function formatCheckPktLen(v: CheckPktLen, o: ActionFormatOptions): string {
  if (
    v.pktLen === undefined || v.actionsIfGreater === undefined ||
    v.actionsIfLessEqual === undefined
  ) return lossy("check_pkt_len(error)");
  return `check_pkt_len(size=${v.pktLen},gt(${formatActionList(v.actionsIfGreater, o)}),le(${
    formatActionList(v.actionsIfLessEqual, o)
  }))`;
}

function formatDecTtl(v: DecTtl, o: ActionFormatOptions): string {
  return `dec_ttl(le_1(${v.action === undefined ? lossy("") : formatActionList(v.action, o)}))`;
}

/** `format_odp_action`: one action. */
export function formatAction(a: Action, o: ActionFormatOptions): string {
  switch (a.kind) {
    case "output":
      return portName(a.value, o.portNames);
    case "userspace":
      return formatUserspace(a.value, o);
    case "set":
      return formatSet(a.value);
    case "pushVlan": {
      const v = a.value;
      return `push_vlan(${
        v.tpid !== 0x8100 ? `tpid=0x${v.tpid.toString(16).padStart(4, "0")},` : ""
      }${formatVlanTci(v.tci, 0xffff, false)})`;
    }
    case "popVlan":
      return "pop_vlan";
    case "sample":
      return formatSample(a.value, o);
    case "recirc":
      return `recirc(${hexAlt(a.value)})`;
    case "hash": {
      const h = a.value;
      if (h.alg === 0) return `hash(l4(${h.basis}))`;
      if (h.alg === 1) return `hash(sym_l4(${h.basis}))`;
      return lossy(`hash(Unknown hash algorithm(${h.alg}))`);
    }
    case "pushMpls":
      return `push_mpls(${formatMplsLse(a.value.lse)},eth_type=0x${
        a.value.ethertype.toString(16)
      })`;
    case "popMpls":
      return `pop_mpls(eth_type=0x${a.value.toString(16)})`;
    case "setMasked":
      return formatSetMasked(a.value);
    case "ct":
      return formatCt(a.value);
    case "trunc":
      return `trunc(${a.value})`;
    case "pushEth":
      return `push_eth(src=${a.value.src},dst=${a.value.dst})`;
    case "popEth":
      return "pop_eth";
    case "ctClear":
      return "ct_clear";
    case "pushNsh":
      return formatPushNsh(a.value);
    case "popNsh":
      return "pop_nsh()";
    case "meter":
      return `meter(${a.value})`;
    case "clone":
      return `clone(${formatActionList(a.value, o)})`;
    case "checkPktLen":
      return formatCheckPktLen(a.value, o);
    case "addMpls":
      return `add_mpls(${formatMplsLse(a.value.lse)},eth_type=0x${a.value.ethertype.toString(16)})`;
    case "decTtl":
      return formatDecTtl(a.value, o);
    case "drop":
      return "drop";
    case "psample":
      return formatPsample(a.value);
    case "unknown":
      return generic(a.type, a.bytes);
    default: {
      const x = a as { kind: string };
      throw new TypeError(`Cannot format action: unknown kind ${JSON.stringify(x.kind)}`);
    }
  }
}

/** Marks the action being printed as lossy (see `printState`) and returns `text`. */
function lossy(text: string): string {
  printState.lossy = true;
  return text;
}

/**
 * `actionN(hex)`: action `a` as its encoded bytes, for actions whose own text does not parse
 * back (see `printState`); the parser reads it to the same bytes. Null when it cannot be
 * encoded (not from a decoder): then it prints as it is.
 */
function genericAction(a: Action): string | null {
  try {
    const w = new NetlinkWriter();
    actionList.encode(w, [a], new EncodeContext("actions"));
    const b = w.bytes();
    const len = b[0] | (b[1] << 8);
    return generic((b[2] | (b[3] << 8)) & 0x3fff, b.subarray(4, len));
  } catch {
    return null;
  }
}

/** One action, in the generic form when its own text would not parse back. */
function formatOne(a: Action, o: ActionFormatOptions): string {
  const outer = printState.lossy;
  printState.lossy = false;
  let s = formatAction(a, o);
  if (printState.lossy) s = genericAction(a) ?? s;
  printState.lossy = outer;
  return s;
}

/** `format_odp_actions`: the actions joined by ","; "drop" for none. */
export function formatActionList(actions: readonly Action[], o: ActionFormatOptions): string {
  if (actions.length === 0) return "drop";
  let s = formatOne(actions[0], o);
  for (let i = 1; i < actions.length; i++) s += "," + formatOne(actions[i], o);
  return s;
}
