/**
 * Open vSwitch's datapath flow text format (lib/odp-util.c): the lines `ovs-dpctl dump-flows`
 * prints and the keys and actions `ovs-dpctl add-flow` reads, e.g.
 *
 * ```text
 * recirc_id(0),in_port(2),eth(src=00:01:02:03:04:05,dst=10:11:12:13:14:15),eth_type(0x0800),
 * ipv4(src=10.0.0.1/255.255.255.0,frag=no), packets:3, bytes:294, used:0.512s, actions:ct(commit,zone=5),2
 * ```
 *
 * Printing follows ovs-dpctl 3.1 character for character (field order, what is left out when
 * wildcarded or zero, hex or decimal, masks); attributes ovs-dpctl 3.1 cannot name print with
 * the newer name (`ipv6_exthdrs(...)` for Linux 6.1's type 32, which 3.1 shows as `key32(...)`;
 * both parse). Parsing accepts everything ovs-dpctl reads plus what it prints but cannot read
 * (`recirc(0x5)`, `hash(l4(0))`, `push_mpls(...)`, `pop_mpls(...)`, `dec_ttl(...)`,
 * `push_eth(...)`, `keyN(...)`, `actionN(...)`). Actions of the userspace datapath only
 * (`tnl_push`, `tnl_pop`, `lb_output`) are rejected with an {@link OdpParseError} naming them.
 *
 * Byte-order caveat: like ovs-dpctl, ct labels and userspace cookies are read in host order
 * (little-endian on every platform nlts supports).
 *
 * @module
 */

import type { Action } from "./actions.ts";
import type { FlowKey, FlowMask } from "./keys.ts";
import { flowKeyAttrs } from "./keys.ts";
import { formatUfid, parseUfid } from "./flow_attrs.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { formatActionList } from "./odp_action_format.ts";
import { checkActionsSize, parseActionList } from "./odp_action_parse.ts";
import { formatKeyAttrs, type PortNames } from "./odp_key_format.ts";
import { parseKeyList } from "./odp_key_parse.ts";
import { OdpParseError, Scanner } from "./odp_scan.ts";

export { OdpParseError } from "./odp_scan.ts";
export type { PortNames } from "./odp_key_format.ts";

/**
 * Options of the parsers.
 *
 * @example
 * ```ts
 * import { type OdpParseOptions, parseActions } from "@nlts/netlink/ovs";
 * const options: OdpParseOptions = { portNames: new Map([[2, "eth1"]]) };
 * console.log(parseActions("eth1", options)); // [ { kind: "output", value: 2 } ]
 * ```
 */
export interface OdpParseOptions {
  /** Port numbers by name: `in_port(eth1)` and an `eth1` output action resolve through it. */
  portNames?: PortNames;
}

/**
 * Options of the printers.
 *
 * @example
 * ```ts
 * import { formatFlowKey, type OdpFormatOptions } from "@nlts/netlink/ovs";
 * const options: OdpFormatOptions = { verbose: true, portNames: new Map([[1, "eth0"]]) };
 * console.log(formatFlowKey({ inPort: 1 }, undefined, options)); // "in_port(eth0)"
 * ```
 */
export interface OdpFormatOptions {
  /**
   * Print wildcarded fields and attributes too (`ovs-dpctl -m`). Default: false when a mask
   * is given, true without one (like Open vSwitch's `odp_flow_key_format`).
   */
  verbose?: boolean;
  /** Port names to print instead of numbers (`ovs-dpctl --names`). */
  portNames?: PortNames;
}

/**
 * The result of {@link parseFlowKey}: the key, its mask (fields left out of the text are
 * wildcarded, fields without "/mask" exact) and the UFID when the text starts with one.
 *
 * @example
 * ```ts
 * import { type ParsedFlowKey, parseFlowKey } from "@nlts/netlink/ovs";
 * const p: ParsedFlowKey = parseFlowKey("in_port(1/0xff)");
 * console.log(p.key.inPort, p.mask.inPort); // 1 255
 * ```
 */
export interface ParsedFlowKey {
  /** The key. */
  key: FlowKey;
  /** The mask, shaped like the key. */
  mask: FlowMask;
  /** The UFID of a leading `ufid:...`. */
  ufid?: Uint8Array;
}

/** Open vSwitch's limit on key and mask text (nl_attr_oversized(size - NLA_HDRLEN)). */
/** Longest key or mask payload: it goes in one attribute (nla_len counts the header). */
const MAX_ATTR = 0xffff - 4;

/** Reused by every size check (reset first): a fresh writer per parsed line cost ~18%. */
const sizeScratch = new NetlinkWriter(1024);

function checkKeySize(sc: Scanner, key: FlowKey, what: string): void {
  const w = sizeScratch.reset();
  try {
    flowKeyAttrs.encode(w, key);
  } catch (e) {
    if (e instanceof RangeError) {
      sc.bad(`the ${what} does not fit in netlink: ${e.message}`, 0, `a shorter ${what}`);
    }
    // Not reached while the parsers check what they read; a parse error all the same.
    sc.bad(`the ${what} cannot be encoded: ${(e as Error).message}`, 0, `an encodable ${what}`);
  }
  if (w.length > MAX_ATTR) {
    sc.bad(
      `the ${what} takes ${w.length} bytes, more than the ${MAX_ATTR} Open vSwitch accepts`,
      0,
      `a shorter ${what}`,
    );
  }
}

function ufidPrefix(sc: Scanner): Uint8Array | undefined {
  if (!sc.eat("ufid:")) return undefined;
  const at = sc.pos;
  const text = sc.s.slice(at, at + 36);
  let u: Uint8Array;
  try {
    u = parseUfid(text);
  } catch {
    return sc.fail("a UFID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", at);
  }
  sc.pos = at + 36;
  return u;
}

/**
 * Parses a datapath flow key in the format `ovs-dpctl add-flow` reads and `dump-flows`
 * prints (a leading `ufid:...` is accepted), into a {@link FlowKey} and its mask. Raises
 * {@link OdpParseError} with the column and what was expected.
 *
 * @example
 * ```ts
 * import { parseFlowKey } from "@nlts/netlink/ovs";
 * const { key, mask } = parseFlowKey(
 *   "in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,dst=10.0.0.2,proto=6,frag=no)",
 * );
 * console.log(key.ipv4); // { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, tos: 0, ttl: 0, frag: 0 }
 * console.log(mask.ipv4?.src, mask.ipv4?.tos); // "255.255.255.0" 0
 * ```
 */
export function parseFlowKey(text: string, options?: OdpParseOptions): ParsedFlowKey {
  const sc: Scanner = new Scanner(text, "flow key", options?.portNames);
  const key: Record<string, unknown> = {}, mask: Record<string, unknown> = {};
  sc.skipDelims();
  const ufid = ufidPrefix(sc);
  parseKeyList(sc, key, mask, false);
  if (!sc.done) sc.fail("a flow key attribute");
  checkKeySize(sc, key as FlowKey, "flow key");
  checkKeySize(sc, mask as FlowKey, "flow mask");
  const out: ParsedFlowKey = { key: key as FlowKey, mask: mask as FlowKey };
  if (ufid !== undefined) out.ufid = ufid;
  return out;
}

/**
 * Prints a flow key (and its mask) as ovs-dpctl does: with a mask, fully wildcarded
 * attributes and fields are left out unless `verbose`; without one every field prints.
 *
 * @example
 * ```ts
 * import { formatFlowKey } from "@nlts/netlink/ovs";
 * console.log(formatFlowKey(
 *   { inPort: 1, ethertype: 0x0800 },
 *   { inPort: 0xffffffff, ethertype: 0xffff },
 * )); // "in_port(1),eth_type(0x0800)"
 * ```
 */
export function formatFlowKey(key: FlowKey, mask?: FlowMask, options?: OdpFormatOptions): string {
  return formatKeyAttrs(key, mask, {
    verbose: options?.verbose ?? mask === undefined,
    portNames: options?.portNames,
  });
}

/**
 * Parses datapath actions (`ovs-dpctl add-flow`'s ACTIONS argument, a dump's `actions:`
 * text) into an ordered {@link Action} list. `"drop"` alone is the empty list. Raises
 * {@link OdpParseError}, also for actions that do not fit in a netlink message and for
 * actions of the userspace datapath only (`tnl_push`, `tnl_pop`, `lb_output`).
 *
 * @example
 * ```ts
 * import { parseActions } from "@nlts/netlink/ovs";
 * console.log(parseActions("push_vlan(vid=12,pcp=0),ct(commit,zone=5),2"));
 * // [
 * //   { kind: "pushVlan", value: { tpid: 33024, tci: 4108 } },
 * //   { kind: "ct", value: { commit: true, zone: 5 } },
 * //   { kind: "output", value: 2 }
 * // ]
 * ```
 */
export function parseActions(text: string, options?: OdpParseOptions): Action[] {
  const sc: Scanner = new Scanner(text, "actions", options?.portNames);
  if (text.trim().toLowerCase() === "drop") return [];
  const out: Action[] = [];
  parseActionList(sc, out, false);
  checkActionsSize(sc, out);
  return out;
}

/**
 * Prints an action list as ovs-dpctl does ("drop" for none).
 *
 * @example
 * ```ts
 * import { formatActions } from "@nlts/netlink/ovs";
 * console.log(formatActions([
 *   { kind: "ct", value: { commit: true, nat: { src: true, ipMin: "10.0.0.240", protoMin: 32768, protoMax: 65535, protoRandom: true } } },
 *   { kind: "output", value: 2 },
 * ])); // "ct(commit,nat(src=10.0.0.240:32768-65535,random)),2"
 * ```
 */
export function formatActions(actions: readonly Action[], options?: OdpFormatOptions): string {
  return formatActionList(actions, { portNames: options?.portNames });
}

/**
 * A datapath flow as a dump reports it; the shape of a decoded `ovs_flow` message
 * ({@link flowAttrs}), so a dump entry can be printed as it is.
 *
 * @example
 * ```ts
 * import type { DatapathFlow } from "@nlts/netlink/ovs";
 * const f: DatapathFlow = {
 *   key: { inPort: 1 }, mask: { inPort: 0xffffffff },
 *   stats: { packets: 3n, bytes: 180n }, actions: [{ kind: "output", value: 2 }],
 * };
 * ```
 */
export interface DatapathFlow {
  /** Unique flow id (`OVS_FLOW_ATTR_UFID`). */
  ufid?: Uint8Array;
  /** The key (absent when the dump omitted it). */
  key?: FlowKey;
  /** The mask (absent: exact match). */
  mask?: FlowMask;
  /** The actions. */
  actions?: readonly Action[];
  /** Packet and byte counters (absent: zero). */
  stats?: { packets: bigint; bytes: bigint };
  /** CLOCK_MONOTONIC milliseconds of the last packet (absent or 0: never). */
  used?: bigint;
  /** OR of the TCP flags seen (low 8 bits of the TCP flags; kernels report a u8). */
  tcpFlags?: number;
}

/**
 * Options of {@link formatFlow}.
 *
 * @example
 * ```ts
 * import type { FormatFlowOptions } from "@nlts/netlink/ovs";
 * const o: FormatFlowOptions = { verbose: true, now: 123_456n };
 * ```
 */
export interface FormatFlowOptions extends OdpFormatOptions {
  /**
   * The current CLOCK_MONOTONIC time in milliseconds, to print `used:` as ovs-dpctl does
   * (seconds since the last packet); needed when a flow has `used`.
   */
  now?: bigint | number;
  /**
   * The datapath layer that verbose lines name after the statistics (`, dp:ovs` as
   * `ovs-dpctl dump-flows -m` prints for every kernel flow); default "ovs", `null` leaves it
   * out. Only printed when `verbose`.
   */
  dpLayer?: string | null;
}

/**
 * `packet_format_tcp_flags`: tcpdump-style letters ("S", "F", "P", "R", "U", ".", "E", "C",
 * "N"), "none" for 0.
 *
 * @example
 * ```ts
 * import { formatTcpFlags } from "@nlts/netlink/ovs";
 * console.log(formatTcpFlags(0x12)); // "S."
 * ```
 */
export function formatTcpFlags(flags: number): string {
  if (!flags) return "none";
  let s = "";
  if (flags & 0x002) s += "S";
  if (flags & 0x001) s += "F";
  if (flags & 0x008) s += "P";
  if (flags & 0x004) s += "R";
  if (flags & 0x020) s += "U";
  if (flags & 0x010) s += ".";
  if (flags & 0x040) s += "E";
  if (flags & 0x080) s += "C";
  if (flags & 0x100) s += "N";
  if (flags & 0x200) s += "[200]";
  if (flags & 0x400) s += "[400]";
  if (flags & 0x800) s += "[800]";
  return s;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A u64 counter as decimal text (through a number when it is small enough: much faster). */
function u64Text(v: bigint): string {
  return v <= SAFE ? String(Number(v)) : v.toString();
}

function formatUsed(used: bigint | undefined, now: bigint | number | undefined): string {
  if (used === undefined || used === 0n) return "never";
  if (now === undefined) {
    throw new TypeError(
      "Cannot format flow: it has `used`; pass options.now (CLOCK_MONOTONIC milliseconds)",
    );
  }
  // "%.3f" of whole milliseconds / 1000: exact with integer arithmetic.
  let ms: number;
  if (used <= SAFE && (typeof now === "number" || now <= SAFE)) {
    ms = Number(now) - Number(used);
  } else {
    const d = BigInt(now) - used;
    if (d > SAFE || d < -SAFE) {
      const neg = d < 0n, a = neg ? -d : d;
      return `${neg ? "-" : ""}${a / 1000n}.${(a % 1000n).toString().padStart(3, "0")}s`;
    }
    ms = Number(d);
  }
  const neg = ms < 0;
  if (neg) ms = -ms;
  const frac = ms % 1000;
  return `${neg ? "-" : ""}${(ms - frac) / 1000}.${
    frac < 10 ? "00" : frac < 100 ? "0" : ""
  }${frac}s`;
}

/**
 * Prints one flow exactly as `ovs-dpctl dump-flows` does: `[ufid:..., ]KEY, packets:N,
 * bytes:N, used:never|S.MMMs[, flags:...][, dp:ovs], actions:ACTIONS` (the UFID and `dp:`
 * only when verbose, as `-m` prints them).
 *
 * @example
 * ```ts
 * import { formatFlow } from "@nlts/netlink/ovs";
 * console.log(formatFlow({
 *   key: { recircId: 0, inPort: 1, ethertype: 0x0806 },
 *   mask: { recircId: 0xffffffff, inPort: 0xffffffff, ethertype: 0xffff },
 *   stats: { packets: 2n, bytes: 84n },
 *   used: 10_000n,
 *   actions: [{ kind: "output", value: 2 }],
 * }, { now: 10_250n }));
 * // "recirc_id(0),in_port(1),eth_type(0x0806), packets:2, bytes:84, used:0.250s, actions:2"
 * ```
 */
export function formatFlow(flow: DatapathFlow, options?: FormatFlowOptions): string {
  const verbose = options?.verbose ?? false;
  let s = "";
  if (verbose && flow.ufid !== undefined) s += `ufid:${formatUfid(flow.ufid)}, `;
  s += formatKeyAttrs(flow.key ?? {}, flow.mask, { verbose, portNames: options?.portNames });
  const stats = flow.stats, used = flow.used;
  if (stats === undefined && (used === undefined || used === 0n)) {
    // A flow no packet went through (the kernel then sends no stats and no used time).
    s += ", packets:0, bytes:0, used:never";
  } else {
    s += `, packets:${stats === undefined ? "0" : u64Text(stats.packets)}, bytes:${
      stats === undefined ? "0" : u64Text(stats.bytes)
    }, used:${formatUsed(used, options?.now)}`;
  }
  if (flow.tcpFlags) s += `, flags:${formatTcpFlags(flow.tcpFlags)}`;
  if (verbose) {
    const layer = options?.dpLayer === undefined ? "ovs" : options.dpLayer;
    if (layer !== null) s += `, dp:${layer}`;
  }
  s += `, actions:${formatActionList(flow.actions ?? [], { portNames: options?.portNames })}`;
  return s;
}

/**
 * The result of {@link parseFlow}.
 *
 * @example
 * ```ts
 * import { type ParsedFlow, parseFlow } from "@nlts/netlink/ovs";
 * const f: ParsedFlow = parseFlow("in_port(1), packets:0, bytes:0, used:never, actions:drop");
 * console.log(f.actions.length); // 0
 * ```
 */
export interface ParsedFlow {
  /** UFID of a leading `ufid:...`. */
  ufid?: Uint8Array;
  /** The key. */
  key: FlowKey;
  /** The mask. */
  mask: FlowMask;
  /** The actions. */
  actions: Action[];
  /** `packets:` and `bytes:`, when the line has them. */
  stats?: { packets: bigint; bytes: bigint };
  /** Milliseconds since the last packet (`used:0.250s` gives 250); absent for `never`. */
  usedAgo?: number;
  /** `flags:` as TCP flag bits. */
  tcpFlags?: number;
}

const TCP_LETTERS: Record<string, number> = {
  S: 0x002,
  F: 0x001,
  P: 0x008,
  R: 0x004,
  U: 0x020,
  ".": 0x010,
  E: 0x040,
  C: 0x080,
  N: 0x100,
};

function tcpFlagsText(sc: Scanner): number {
  if (sc.eat("none")) return 0;
  let f = 0;
  const start = sc.pos;
  for (;;) {
    if (sc.eat("[200]")) f |= 0x200;
    else if (sc.eat("[400]")) f |= 0x400;
    else if (sc.eat("[800]")) f |= 0x800;
    else if (TCP_LETTERS[sc.peek()] !== undefined) f |= TCP_LETTERS[sc.s[sc.pos++]];
    else break;
  }
  if (sc.pos === start) sc.fail("TCP flags (S, F, P, R, U, ., E, C, N) or none");
  return f;
}

/**
 * Parses one `ovs-dpctl dump-flows` line (also `KEY actions:ACTIONS` and the verbose form
 * with `ufid:`, `dp:` and `offloaded:`).
 *
 * @example
 * ```ts
 * import { parseFlow } from "@nlts/netlink/ovs";
 * const f = parseFlow(
 *   "recirc_id(0),in_port(1),eth_type(0x0806), packets:2, bytes:84, used:0.250s, flags:S., actions:2",
 * );
 * console.log(f.stats, f.usedAgo, f.tcpFlags, f.actions);
 * // { packets: 2n, bytes: 84n } 250 18 [ { kind: "output", value: 2 } ]
 * ```
 */
export function parseFlow(line: string, options?: OdpParseOptions): ParsedFlow {
  const sc: Scanner = new Scanner(line, "datapath flow", options?.portNames);
  sc.skipDelims();
  const ufid = ufidPrefix(sc);
  const key: Record<string, unknown> = {}, mask: Record<string, unknown> = {};
  parseKeyList(sc, key, mask, false);
  const out: ParsedFlow = { key: key as FlowKey, mask: mask as FlowKey, actions: [] };
  if (ufid !== undefined) out.ufid = ufid;
  let packets: bigint | undefined, bytes: bigint | undefined;
  let sawActions = false;
  while (!sc.done) {
    sc.skipDelims();
    if (sc.done) break;
    const at = sc.pos;
    const name = /^[a-z_-]+/i.exec(sc.s.slice(at))?.[0] ?? "";
    sc.pos += name.length;
    if (name === "" || !sc.eat(":")) sc.fail(`a key attribute, "packets:", ... or "actions:"`, at);
    switch (name) {
      case "packets":
        packets = sc.bigint(0xffff_ffff_ffff_ffffn, 10);
        break;
      case "bytes":
        bytes = sc.bigint(0xffff_ffff_ffff_ffffn, 10);
        break;
      case "used": {
        if (sc.eat("never")) break;
        const uat = sc.pos;
        const m = /^(-?)([0-9]+)\.([0-9]{3})s/.exec(sc.s.slice(uat));
        if (m === null) sc.fail(`"never" or seconds like 0.250s`, uat);
        out.usedAgo = (m[1] ? -1 : 1) * (Number(m[2]) * 1000 + Number(m[3]));
        sc.pos = uat + m[0].length;
        break;
      }
      case "flags":
        out.tcpFlags = tcpFlagsText(sc);
        break;
      case "dp":
      case "offloaded":
        while (!sc.done && !", ".includes(sc.peek())) sc.pos++;
        break;
      case "actions": {
        let text = sc.s.slice(sc.pos);
        const extra = text.indexOf(", dp-extra-info:");
        if (extra >= 0) text = text.slice(0, extra);
        try {
          out.actions = parseActions(text, options);
        } catch (e) {
          if (e instanceof OdpParseError) {
            throw new OdpParseError(
              "datapath flow",
              line,
              sc.pos + e.index,
              e.expected,
              e.message.replace(/^Cannot parse actions at column \d+: /, ""),
            );
          }
          throw e;
        }
        sc.pos = sc.s.length;
        sawActions = true;
        break;
      }
      default:
        sc.fail(`"packets:", "bytes:", "used:", "flags:" or "actions:"`, at);
    }
  }
  if (!sawActions) sc.fail(`"actions:"`);
  if (packets !== undefined || bytes !== undefined) {
    out.stats = { packets: packets ?? 0n, bytes: bytes ?? 0n };
  }
  checkKeySize(sc, out.key, "flow key");
  checkKeySize(sc, out.mask, "flow mask");
  checkActionsSize(sc, out.actions, MAX_ATTR);
  return out;
}
