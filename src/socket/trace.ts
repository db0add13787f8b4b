/**
 * Opt-in tracing: with `NLTS_DEBUG=1` in the environment, every message sent and received is
 * printed to stderr, one line each, like strace: message types and flags by name
 * (`type=RTM_GETLINK flags=NLM_F_REQUEST|NLM_F_DUMP`), errors with their extended ack decoded,
 * and payloads decoded with attribute names where a formatter for the message's protocol and
 * type is registered (the generic netlink layer registers one per family it resolves). The
 * library never logs otherwise. Under Deno, reading `NLTS_DEBUG` needs `--allow-env`; when it
 * is set but not readable, one warning line says so.
 *
 * @module
 */

import { getLibc } from "../ffi/mod.ts";
import { NETLINK, NLM_F, NLM_F_ACK_FLAGS, NLMSG } from "../protocol/constants.ts";
import { errnoMessage, errnoName } from "../protocol/errno.ts";
import type { ExtAck } from "../protocol/errors.ts";
import { decodeDoneMessage, decodeErrorMessage } from "../protocol/message.ts";
import { MessageIterator } from "../protocol/reader.ts";

/**
 * Formats one message for the trace; returns undefined to leave it to the next formatter (and
 * finally to the hex dump). `socketName` is the socket's name (e.g. "genl" or a family name),
 * `protocol` its netlink protocol (`NETLINK.*`).
 */
export type TraceFormatter = (
  socketName: string,
  type: number,
  flags: number,
  payload: Uint8Array,
  direction: "send" | "recv",
  protocol: number,
) => string | undefined;

/** Options of {@link addTraceFormatter}. */
export interface TraceFormatterOptions {
  /**
   * The netlink protocol whose messages the formatter decodes (`NETLINK.*`); without it the
   * formatter is asked about every protocol's messages and must check `protocol` itself.
   */
  protocol?: number;
}

const formatters: { f: TraceFormatter; protocol: number | undefined }[] = [];
/** Message type names by protocol (e.g. generic netlink family ids), set by upper layers. */
const typeNames = new Map<number, Map<number, string>>();
let enabled: boolean | undefined;

/** NETLINK_ROUTE message types (`RTM_*`, `<linux/rtnetlink.h>`). */
const RTM_NAMES: Record<number, string> = {
  16: "NEWLINK",
  17: "DELLINK",
  18: "GETLINK",
  19: "SETLINK",
  20: "NEWADDR",
  21: "DELADDR",
  22: "GETADDR",
  24: "NEWROUTE",
  25: "DELROUTE",
  26: "GETROUTE",
  28: "NEWNEIGH",
  29: "DELNEIGH",
  30: "GETNEIGH",
  32: "NEWRULE",
  33: "DELRULE",
  34: "GETRULE",
  36: "NEWQDISC",
  37: "DELQDISC",
  38: "GETQDISC",
  40: "NEWTCLASS",
  41: "DELTCLASS",
  42: "GETTCLASS",
  44: "NEWTFILTER",
  45: "DELTFILTER",
  46: "GETTFILTER",
  48: "NEWACTION",
  49: "DELACTION",
  50: "GETACTION",
  52: "NEWPREFIX",
  58: "GETMULTICAST",
  62: "GETANYCAST",
  64: "NEWNEIGHTBL",
  66: "GETNEIGHTBL",
  67: "SETNEIGHTBL",
  68: "NEWNDUSEROPT",
  72: "NEWADDRLABEL",
  73: "DELADDRLABEL",
  74: "GETADDRLABEL",
  78: "GETDCB",
  79: "SETDCB",
  80: "NEWNETCONF",
  81: "DELNETCONF",
  82: "GETNETCONF",
  84: "NEWMDB",
  85: "DELMDB",
  86: "GETMDB",
  88: "NEWNSID",
  89: "DELNSID",
  90: "GETNSID",
  92: "NEWSTATS",
  94: "GETSTATS",
  95: "SETSTATS",
  96: "NEWCACHEREPORT",
  100: "NEWCHAIN",
  101: "DELCHAIN",
  102: "GETCHAIN",
  104: "NEWNEXTHOP",
  105: "DELNEXTHOP",
  106: "GETNEXTHOP",
  108: "NEWLINKPROP",
  109: "DELLINKPROP",
  110: "GETLINKPROP",
  112: "NEWVLAN",
  113: "DELVLAN",
  114: "GETVLAN",
  116: "NEWNEXTHOPBUCKET",
  117: "DELNEXTHOPBUCKET",
  118: "GETNEXTHOPBUCKET",
  120: "NEWTUNNEL",
  121: "DELTUNNEL",
  122: "GETTUNNEL",
};

const CONTROL_NAMES: Record<number, string> = {
  [NLMSG.NOOP]: "NLMSG_NOOP",
  [NLMSG.ERROR]: "NLMSG_ERROR",
  [NLMSG.DONE]: "NLMSG_DONE",
  [NLMSG.OVERRUN]: "NLMSG_OVERRUN",
};

const COMMON_FLAGS: [number, string][] = [
  [NLM_F.REQUEST, "NLM_F_REQUEST"],
  [NLM_F.MULTI, "NLM_F_MULTI"],
  [NLM_F.ACK, "NLM_F_ACK"],
  [NLM_F.ECHO, "NLM_F_ECHO"],
  [NLM_F.DUMP_INTR, "NLM_F_DUMP_INTR"],
  [NLM_F.DUMP_FILTERED, "NLM_F_DUMP_FILTERED"],
];
const GET_FLAGS: [number, string][] = [
  [0x300, "NLM_F_DUMP"],
  [0x100, "NLM_F_ROOT"],
  [0x200, "NLM_F_MATCH"],
  [0x400, "NLM_F_ATOMIC"],
];
const NEW_FLAGS: [number, string][] = [
  [0x100, "NLM_F_REPLACE"],
  [0x200, "NLM_F_EXCL"],
  [0x400, "NLM_F_CREATE"],
  [0x800, "NLM_F_APPEND"],
];
const DELETE_FLAGS: [number, string][] = [[0x100, "NLM_F_NONREC"], [0x200, "NLM_F_BULK"]];
const ACK_FLAGS: [number, string][] = [
  [NLM_F_ACK_FLAGS.CAPPED, "NLM_F_CAPPED"],
  [NLM_F_ACK_FLAGS.ACK_TLVS, "NLM_F_ACK_TLVS"],
];

function readEnv(): boolean {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  try {
    // Under Deno, `process` is not touched: reading it loads Deno's Node.js process module
    // (node:path, util, assert...), ~30 ms of a script's start.
    const v = g.Deno !== undefined ? g.Deno.env?.get?.("NLTS_DEBUG") : g.process?.env?.NLTS_DEBUG;
    return on(v);
  } catch {
    // Deno without --allow-env: tracing stays off, but say so when it was asked for. libc's
    // getenv reads the variable without Deno's permission (FFI is full access anyway).
    try {
      if (on(getLibc().getenv?.("NLTS_DEBUG"))) {
        console.error(
          "nlts: NLTS_DEBUG is set but Deno may not read it (run with --allow-env=NLTS_DEBUG): tracing is off",
        );
      }
    } catch {
      // no FFI either: nothing to tell with
    }
    return false;
  }
}

function on(v: string | undefined | null): boolean {
  return v !== undefined && v !== null && v !== "" && v !== "0";
}

/**
 * True when tracing is on (NLTS_DEBUG set, or switched on with {@link setTracing}).
 *
 * @example
 * ```ts
 * import { tracing } from "@nlts/netlink";
 * if (tracing()) console.error("tracing netlink traffic");
 * ```
 */
export function tracing(): boolean {
  if (enabled === undefined) enabled = readEnv();
  return enabled;
}

/**
 * Switches tracing on or off regardless of NLTS_DEBUG.
 *
 * @example
 * ```ts
 * import { setTracing } from "@nlts/netlink";
 * setTracing(true);
 * ```
 */
export function setTracing(on: boolean): void {
  enabled = on;
}

/**
 * Registers a formatter that names a message's payload in traces, for one netlink protocol
 * (`{ protocol: NETLINK.ROUTE }`) or, without one, for every protocol.
 *
 * @example
 * ```ts
 * import { addTraceFormatter, NETLINK } from "@nlts/netlink";
 * addTraceFormatter((_sock, type) => type === 0x20 ? "my family's message" : undefined, {
 *   protocol: NETLINK.GENERIC,
 * });
 * ```
 */
export function addTraceFormatter(f: TraceFormatter, options: TraceFormatterOptions = {}): void {
  if (typeof f !== "function") {
    throw new TypeError("Cannot add trace formatter: expected a function");
  }
  formatters.push({ f, protocol: options.protocol });
}

/**
 * Names message type `type` of `protocol` in traces (the generic netlink layer names family
 * ids). Not part of the public API.
 */
export function nameTraceType(protocol: number, type: number, name: string): void {
  let m = typeNames.get(protocol);
  if (!m) typeNames.set(protocol, m = new Map());
  m.set(type, name);
}

function typeName(protocol: number, type: number): string {
  if (type < 0x10) return CONTROL_NAMES[type] ?? String(type);
  const named = typeNames.get(protocol)?.get(type);
  if (named !== undefined) return named;
  if (protocol === NETLINK.ROUTE && RTM_NAMES[type]) return `RTM_${RTM_NAMES[type]}`;
  return String(type);
}

/**
 * nlmsg_flags by name, as strace prints them: the common flags, then the bits whose meaning
 * depends on the message (GET, NEW or DELETE requests, acknowledgements); bits left over in hex.
 */
export function traceFlags(protocol: number, type: number, flags: number): string {
  const parts: string[] = [];
  let rest = flags;
  const take = (table: [number, string][]) => {
    for (const [bit, name] of table) {
      if ((rest & bit) === bit) {
        parts.push(name);
        rest &= ~bit;
      }
    }
  };
  take(COMMON_FLAGS);
  if (type === NLMSG.ERROR || type === NLMSG.DONE) take(ACK_FLAGS);
  else if (protocol === NETLINK.ROUTE && RTM_NAMES[type]) {
    const verb = RTM_NAMES[type].slice(0, 3);
    take(
      verb === "GET" ? GET_FLAGS : verb === "NEW" ? NEW_FLAGS : verb === "DEL" ? DELETE_FLAGS : [],
    );
  } else if (flags & NLM_F.REQUEST && (rest & 0x300) === 0x300) take(GET_FLAGS.slice(0, 1));
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  if (parts.length === 0) return "0";
  return parts.join("|");
}

function hex(b: Uint8Array, max = 256): string {
  let s = "";
  const n = Math.min(b.length, max);
  for (let i = 0; i < n; i++) {
    s += (i && i % 4 === 0 ? " " : "") + b[i].toString(16).padStart(2, "0");
  }
  return b.length > max ? `${s} ... (${b.length} bytes)` : s;
}

function errnoText(errno: number): string {
  // A malformed message may carry anything: print it as it is rather than fail the trace.
  if (!Number.isSafeInteger(errno)) return `${-errno} (not an errno)`;
  return `-${errno} ${errnoName(errno)} (${errnoMessage(errno)})`;
}

function extAckText(a: ExtAck | undefined): string {
  if (!a) return "";
  let s = "";
  if (a.message !== undefined) s += ` msg=${JSON.stringify(a.message)}`;
  if (a.offset !== undefined) s += ` offset=${a.offset}`;
  if (a.missingType !== undefined) s += ` miss-type=${a.missingType}`;
  if (a.missingNest !== undefined) s += ` miss-nest=${a.missingNest}`;
  if (a.cookie !== undefined) s += ` cookie=${hex(a.cookie, 64)}`;
  if (a.policy !== undefined) s += ` policy=${hex(a.policy, 64)}`;
  return s;
}

/** The body of a control message: ACK, ERROR with its ext ack, DONE; undefined for others. */
function controlBody(protocol: number, it: MessageIterator): string | undefined {
  if (it.type === NLMSG.ERROR) {
    const e = decodeErrorMessage(it.data, it.offset, it.length, it.flags);
    const req = `type=${typeName(protocol, e.request.type)} seq=${e.request.seq}`;
    return e.errno === 0
      ? `ACK of ${req}${extAckText(e.extAck)}`
      : `ERROR ${errnoText(e.errno)} of ${req}${extAckText(e.extAck)}`;
  }
  if (it.type === NLMSG.DONE) {
    const d = decodeDoneMessage(it.data, it.offset, it.length, it.flags);
    return d.errno === 0 ? "DONE" : `DONE ${errnoText(d.errno)}${extAckText(d.extAck)}`;
  }
  if (it.type === NLMSG.NOOP) return "NOOP";
  if (it.type === NLMSG.OVERRUN) return "OVERRUN";
  return undefined;
}

/**
 * Formats each message of a datagram as a trace line (what {@link trace} prints).
 *
 * @example
 * ```ts
 * import { NETLINK } from "@nlts/netlink";
 * import { formatTrace } from "./trace.ts";
 * const m = new Uint8Array(32);
 * new DataView(m.buffer).setUint32(0, 32, true);
 * m.set([18, 0, 5, 3], 4); // RTM_GETLINK, NLM_F_REQUEST|NLM_F_ACK|NLM_F_DUMP
 * console.log(formatTrace("send", "rtnetlink", m, NETLINK.ROUTE)[0]);
 * ```
 */
export function formatTrace(
  direction: "send" | "recv",
  socketName: string,
  data: Uint8Array,
  protocol: number,
): string[] {
  const lines: string[] = [];
  const it = new MessageIterator(data);
  for (;;) {
    try {
      if (!it.next()) break;
    } catch (e) {
      lines.push(
        `nlts ${direction} ${socketName}: undecodable (${(e as Error).message}) ${hex(data)}`,
      );
      break;
    }
    const payload = data.subarray(it.payloadOffset, it.messageEnd);
    let body: string | undefined;
    try {
      body = controlBody(protocol, it);
    } catch (e) {
      body = `(undecodable: ${(e as Error).message}) ${hex(payload)}`;
    }
    if (body === undefined) {
      for (const { f, protocol: p } of formatters) {
        if (p !== undefined && p !== protocol) continue;
        try {
          body = f(socketName, it.type, it.flags, payload, direction, protocol);
        } catch (e) {
          body = `(formatter failed: ${(e as Error).message}) ${hex(payload)}`;
        }
        if (body !== undefined) break;
      }
    }
    lines.push(
      `nlts ${direction} ${socketName} len=${it.length} type=${typeName(protocol, it.type)} flags=${
        traceFlags(protocol, it.type, it.flags)
      } seq=${it.seq} pid=${it.pid}: ${body ?? hex(payload)}`,
    );
  }
  return lines;
}

/** Prints each message of a datagram to stderr (only call when {@link tracing} is true). */
export function trace(
  direction: "send" | "recv",
  socketName: string,
  data: Uint8Array,
  protocol: number,
): void {
  console.error(formatTrace(direction, socketName, data, protocol).join("\n"));
}
