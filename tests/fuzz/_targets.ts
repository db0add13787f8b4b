// Fuzz targets shared by the in-suite fuzz test (tests/fuzz/fuzz_test.ts, a few thousand
// seeded inputs) and `deno task fuzz` (scripts/fuzz.ts, 1,000,000 binary and 300,000 text
// inputs per runtime). Each target draws one input from a seeded source and runs it through
// the library; the only exceptions allowed are the documented ones: DecodeError for bytes,
// OdpParseError for flow/key/action text, RangeError "Cannot parse flow filter" for filters.
// Whatever is accepted must also keep the properties of issue 15: decoded values encode
// again and decode to the same value; decoded flows print text that parses back to the same
// text; parsed text encodes.
import { isDeepStrictEqual } from "node:util";
import * as genl from "../../src/genl/mod.ts";
import { ctrlAttrs } from "../../src/genl/nlctrl_schema.ts";
import * as ovs from "../../src/ovs/mod.ts";
import {
  type AttrFields,
  type AttrSet,
  decodeDoneMessage,
  DecodeError,
  decodeErrorMessage,
  MessageIterator,
  NetlinkWriter,
} from "../../src/protocol/mod.ts";
import {
  attr,
  attrsFor,
  collectSets,
  concat,
  customPayloads,
  int,
  payloadFor,
  type Rand,
} from "../protocol/_schema_gen.ts";
import { randomActions, randomKey, randomMask, Rng } from "../ovs_text/_random.ts";
import { checkFlowRoundTrip } from "../ovs_text/_round_trip.ts";

export type { Rand };

/** An unexpected exception, or a broken property, for one input. */
export class FuzzFailure extends Error {
  constructor(readonly target: string, readonly input: string, readonly reason: unknown) {
    super(`${target}: ${reason instanceof Error ? `${reason.name}: ${reason.message}` : reason}`);
    this.name = "FuzzFailure";
  }
}

/** One fuzz target. */
export interface FuzzTarget {
  /** Short name, e.g. "schema". */
  readonly name: string;
  /** "binary" (decoders) or "text" (parsers). */
  readonly kind: "binary" | "text";
  /** Runs one input from `rand`: true when it was accepted, false when refused as documented. */
  run(rand: Rand): boolean;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// A masked set action holds one key attribute: a value then a mask of the same size.
customPayloads.set("set-masked", (rand, depth) => {
  const fields = ovs.flowKeyAttrs.fields;
  const f = fields[int(rand, fields.length)];
  // deno-lint-ignore no-explicit-any
  const half = payloadFor(f.codec as any, rand, depth + 1);
  return attr(f.type, concat([half, half]));
});

/**
 * Mutations of a valid input: random bytes, a truncation, a random length in a likely
 * attribute header, inserted junk, a duplicated segment, a random type with random NLA_F bits.
 */
export function mutateBytes(src: Uint8Array, rand: Rand): Uint8Array {
  let b: Uint8Array = src.slice();
  for (let r = 1 + int(rand, 3); r > 0; r--) {
    switch (int(rand, 6)) {
      case 0:
        for (let i = 1 + int(rand, 4); i > 0 && b.length; i--) {
          b[int(rand, b.length)] = int(rand, 256);
        }
        break;
      case 1:
        b = b.slice(0, int(rand, b.length + 1));
        break;
      case 2: {
        if (b.length < 2) break;
        const at = int(rand, b.length >> 2) << 2;
        const len = rand() < 0.5 ? int(rand, 16) : int(rand, 0x10000);
        b[at] = len & 0xff;
        if (at + 1 < b.length) b[at + 1] = len >> 8;
        break;
      }
      case 3: {
        const at = int(rand, b.length + 1);
        const junk = Uint8Array.from({ length: 1 + int(rand, 8) }, () => int(rand, 256));
        b = concat([b.subarray(0, at), junk, b.subarray(at)]);
        break;
      }
      case 4: {
        const from = int(rand, b.length + 1);
        const to = from + int(rand, b.length - from + 1);
        b = concat([b, b.slice(from, to)]);
        break;
      }
      default: {
        if (b.length < 4) break;
        const at = (int(rand, b.length >> 2) << 2) + 2;
        if (at + 1 < b.length) {
          b[at] = int(rand, 256);
          b[at + 1] = int(rand, 256);
        }
      }
    }
  }
  return b;
}

/** Runs `f`; a DecodeError means "refused", anything else is a FuzzFailure. */
function decodes<T>(target: string, input: () => string, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw new FuzzFailure(target, input(), e);
  }
}

/** Runs a property check; any exception is a FuzzFailure. */
function holds(target: string, input: () => string, f: () => void): void {
  try {
    f();
  } catch (e) {
    throw new FuzzFailure(target, input(), e);
  }
}

// ---------------------------------------------------------------------------------------------
// Binary targets

let setsCache: [string, AttrSet<AttrFields>][] | null = null;

/** Every attribute set nlts ships (genl families, openvswitch), and those reachable. */
export function shippedSets(): [string, AttrSet<AttrFields>][] {
  setsCache ??= collectSets([genl, ovs]) as [string, AttrSet<AttrFields>][];
  return setsCache;
}

/** Extra attribute sets (e.g. those of YNL specs) the schema target also draws from. */
export const extraSets: [string, AttrSet<AttrFields>][] = [];

/** Attribute sets: schema-shaped bytes, often mutated; what decodes encodes and decodes again. */
const schemaTarget: FuzzTarget = {
  name: "schema",
  kind: "binary",
  run(rand) {
    const sets = shippedSets();
    const all = extraSets.length && rand() < 0.3 ? extraSets : sets;
    const [name, set] = all[int(rand, all.length)];
    let bytes = attrsFor(set, rand);
    if (rand() < 0.5) bytes = mutateBytes(bytes, rand);
    const strict = rand() < 0.2;
    const input = () => `${name}${strict ? " (strict)" : ""} ${hex(bytes)}`;
    const v = decodes("schema", input, () => set.decode(bytes, 0, bytes.length, { strict }));
    if (v === undefined) return false;
    holds("schema", input, () => {
      const w = new NetlinkWriter();
      set.encode(w, v as never);
      const again = set.decode(w.bytes());
      if (!isDeepStrictEqual(again, v)) throw new Error("decode(encode(v)) differs from v");
    });
    return true;
  },
};

/** A netlink message: header, then `payload`. */
function message(type: number, flags: number, payload: Uint8Array): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(type, flags, 7, 0);
  w.putBytes(payload);
  w.endMessage(m);
  return w.copy();
}

/** Extended-ack attributes (NLMSGERR_ATTR_*) with plausible and random payloads. */
function extAck(rand: Rand): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let n = int(rand, 4); n > 0; n--) {
    const type = 1 + int(rand, 7);
    const payload = type === 1
      ? new TextEncoder().encode("bad attribute\0")
      : Uint8Array.from({ length: [0, 4, 4, 8, 4, 4, 4, 4][type] ?? 4 }, () => int(rand, 256));
    parts.push(attr(type, rand() < 0.1 ? payload.subarray(0, int(rand, payload.length)) : payload));
  }
  return concat(parts);
}

/** Datagrams of replies: errors, dumps' DONE, nlctrl replies; the iterator and decoders. */
const messagesTarget: FuzzTarget = {
  name: "messages",
  kind: "binary",
  run(rand) {
    const parts: Uint8Array[] = [];
    for (let n = 1 + int(rand, 3); n > 0; n--) {
      const k = int(rand, 4);
      if (k === 0) { // NLMSG_ERROR: error, the request's header, maybe its payload, ext ack
        const errno = [0, -2, -22, -95, 5, 513, -0x80000000][int(rand, 7)];
        const req = message(0x10, 5, Uint8Array.from({ length: int(rand, 12) }, () => 0));
        const capped = rand() < 0.5;
        const head = new Uint8Array(4);
        new DataView(head.buffer).setInt32(0, errno, true);
        parts.push(message(
          2,
          (capped ? 0x100 : 0) | (rand() < 0.7 ? 0x200 : 0),
          concat([head, capped ? req.subarray(0, 16) : req, extAck(rand)]),
        ));
      } else if (k === 1) { // NLMSG_DONE with an error and ext ack
        const head = new Uint8Array(4);
        new DataView(head.buffer).setInt32(0, -int(rand, 140), true);
        parts.push(message(3, 2 | (rand() < 0.5 ? 0x200 : 0), concat([head, extAck(rand)])));
      } else if (k === 2) { // an nlctrl reply
        parts.push(
          message(
            0x10,
            2,
            concat([Uint8Array.from([1, 2, 0, 0]), attrsFor(ctrlAttrs as never, rand)]),
          ),
        );
      } else {
        parts.push(
          message(
            int(rand, 0x10000),
            int(rand, 0x10000),
            Uint8Array.from({ length: int(rand, 24) }, () => int(rand, 256)),
          ),
        );
      }
    }
    let buf = concat(parts);
    if (rand() < 0.7) buf = mutateBytes(buf, rand);
    const input = () => hex(buf);
    let ok = true;
    const done = decodes("messages", input, () => {
      const it = new MessageIterator(buf);
      while (it.next()) {
        try {
          if (it.type === 2) decodeErrorMessage(buf, it.offset, it.length, it.flags);
          else if (it.type === 3) decodeDoneMessage(buf, it.offset, it.length, it.flags);
          else if (it.type === 0x10 && it.payloadLength >= 4) {
            ctrlAttrs.decode(buf, it.payloadOffset + 4, it.messageEnd);
          }
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          ok = false;
        }
      }
      return true;
    });
    return ok && done === true;
  },
};

/** A random flow object (key, maybe a mask, actions, stats), from the text tests' generator. */
function randomFlow(r: Rng): ovs.FlowAttrs {
  const key = randomKey(r);
  const flow: ovs.FlowAttrs = r.bool()
    ? { key, mask: randomMask(r, key), actions: randomActions(r) }
    : { key, actions: randomActions(r) };
  if (r.bool(0.3)) flow.stats = { packets: BigInt(r.u32()), bytes: BigInt(r.u32()) };
  if (r.bool(0.3)) flow.tcpFlags = r.int(0x1000);
  if (r.bool(0.3)) flow.ufid = r.bytes(16);
  return flow;
}

function rngOf(rand: Rand): Rng {
  return new Rng(Math.floor(rand() * 0x1_0000_0000));
}

/**
 * openvswitch flow messages: random flows encoded (as a kernel dump sends them), often mutated,
 * or schema-shaped bytes; decodeFlowMessage; what decodes encodes, prints text that parses back
 * to the same text, and goes through a dump filter.
 */
const ovsFlowTarget: FuzzTarget = {
  name: "ovs-flow",
  kind: "binary",
  run(rand) {
    const r = rngOf(rand);
    let attrs: Uint8Array;
    if (rand() < 0.2) {
      attrs = attrsFor(ovs.flowAttrs as never, rand);
    } else {
      const w = new NetlinkWriter();
      try {
        ovs.flowAttrs.encode(w, randomFlow(r));
      } catch {
        return false; // a random object the encoder refuses: nothing sent, nothing to decode
      }
      attrs = w.copy();
    }
    let bytes = concat([Uint8Array.from([1, 1, 0, 0, 7, 0, 0, 0]), attrs]);
    if (rand() < 0.6) bytes = mutateBytes(bytes, rand);
    const input = () => hex(bytes);
    const f = decodes("ovs-flow", input, () => ovs.decodeFlowMessage(bytes));
    if (f === undefined) return false;
    holds("ovs-flow", input, () => {
      const w = new NetlinkWriter();
      ovs.flowAttrs.encode(w, {
        key: f.key,
        mask: f.mask,
        actions: f.actions,
        ufid: f.ufid,
        stats: f.stats,
        used: f.used,
        tcpFlags: f.tcpFlags,
        unknown: f.unknown,
      });
      checkFlowRoundTrip(f, r.bool());
      const filter = FILTERS[int(rand, FILTERS.length)];
      ovs.parseFlowFilter(filter).matches(f);
      if (f.key) {
        const kb = ovs.encodeFlowKey(f.key);
        new ovs.FlowFilter(kb, f.mask ? ovs.encodeFlowKey(f.mask) : kb).matches(f);
      }
    });
    return true;
  },
};

/** Keys and action lists alone: decodeFlowKey / decodeActions of corrupted bytes, printed. */
const ovsKeyActionsTarget: FuzzTarget = {
  name: "ovs-key-actions",
  kind: "binary",
  run(rand) {
    const r = rngOf(rand);
    const isKey = r.bool();
    let bytes: Uint8Array;
    try {
      bytes = isKey ? ovs.encodeFlowKey(randomKey(r)) : ovs.encodeActions(randomActions(r));
    } catch {
      return false;
    }
    bytes = mutateBytes(bytes, rand);
    const input = () => `${isKey ? "key" : "actions"} ${hex(bytes)}`;
    const v = decodes(
      "ovs-key-actions",
      input,
      () => isKey ? ovs.decodeFlowKey(bytes) : ovs.decodeActions(bytes),
    );
    if (v === undefined) return false;
    holds("ovs-key-actions", input, () => {
      if (isKey) {
        const k = v as ovs.FlowKey;
        checkFlowRoundTrip({ key: k, mask: k, actions: [] }, r.bool());
        checkFlowRoundTrip({ key: k, actions: [] }, r.bool());
      } else {
        checkFlowRoundTrip({ key: {}, actions: v as ovs.Action[] }, false);
      }
    });
    return true;
  },
};

// ---------------------------------------------------------------------------------------------
// Text targets

const FILTERS = [
  "",
  "ip",
  "arp",
  "tcp,nw_src=10.0.0.0/8,tp_dst=80",
  "udp6,ipv6_dst=2001:db8::/32",
  "in_port=1,dl_src=00:11:22:33:44:55/ff:ff:ff:00:00:00",
  "dl_vlan=5,dl_vlan_pcp=3",
  "ct_state=+trk-new,ct_zone=5,ct_mark=0x1/0xff",
  "tun_id=0x5,tun_src=1.1.1.1,recirc_id=0,dp_hash=0x1/0xf",
  "icmp,icmp_type=8,icmp_code=0,nw_frag=first",
  "in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)",
  "tcp,tcp_flags=0x2/0x12,pkt_mark=0x5,skb_priority=3",
];

/** What mutated text is made of: syntax, digits, hex, names and a few odd characters. */
const ALPHABET = [
  ..."(),=/:{}[]<>.-+_ \t\n0123456789abcdefxABCDEF",
  "in_port(",
  "encap(",
  "eth(",
  "tunnel(",
  "geneve({",
  "ct(",
  "nat(",
  "clone(",
  "sample(sample=",
  "set(",
  "0x",
  "ffffffff",
  "99999999999999999999",
  "\0",
  "é",
  "\uffff",
  "key99(",
  "action99(",
  ",actions:",
  "packets:",
  "used:",
  "drop",
];

/** A few text edits: inserted tokens, deleted or duplicated spans, replaced or truncated text. */
export function mutateText(s: string, rand: Rand): string {
  const x = rand();
  const numbersOnly = rand() < 0.3; // values changed, syntax kept: much of it still parses
  for (let r = x < 0.6 ? 1 : x < 0.9 ? 2 : 3; r > 0; r--) {
    let at = int(rand, s.length + 1);
    if (numbersOnly) {
      while (at < s.length && !/[0-9]/.test(s[at])) at++;
      while (at > 0 && /[0-9a-fx]/i.test(s[at - 1])) at--;
    }
    switch (numbersOnly ? 4 : int(rand, 9)) {
      case 5:
      case 6:
      case 7: // most often a token inserted (the text often stays readable)
      case 0:
        s = s.slice(0, at) + ALPHABET[int(rand, ALPHABET.length)] + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + int(rand, 8));
        break;
      case 2: {
        const to = at + int(rand, s.length - at + 1);
        s = s.slice(0, to) + s.slice(at, to) + s.slice(to);
        break;
      }
      case 3:
        s = s.slice(0, at) + String.fromCharCode(int(rand, 128)) + s.slice(at + 1);
        break;
      case 4: { // a number (digits from `at` on) replaced by another: the syntax stays
        let end = at;
        while (end < s.length && /[0-9a-fx]/i.test(s[end])) end++;
        const digits = int(rand, 4) === 0 ? "0x" : "";
        let n = "";
        for (let i = 1 + int(rand, rand() < 0.9 ? 6 : 40); i > 0; i--) {
          n += "0123456789abcdef"[int(rand, digits ? 16 : 10)];
        }
        s = s.slice(0, at) + digits + n + s.slice(end);
        break;
      }
      default:
        s = s.slice(0, at);
    }
  }
  return s;
}

/** Texts the text targets start from: Open vSwitch's own test cases, when given. */
export const textCorpus: { keys: string[]; actions: string[] } = { keys: [], actions: [] };

/** A flow line as formatFlow prints a random flow (or a corpus key with corpus actions). */
function flowLine(r: Rng, rand: Rand): string {
  if (textCorpus.keys.length && rand() < 0.4) {
    const k = textCorpus.keys[int(rand, textCorpus.keys.length)];
    const a = textCorpus.actions.length
      ? textCorpus.actions[int(rand, textCorpus.actions.length)]
      : "drop";
    return `${k}, packets:0, bytes:0, used:never, actions:${a}`;
  }
  try {
    // what a dump would print: a random flow through its bytes
    const w = new NetlinkWriter();
    ovs.flowAttrs.encode(w, randomFlow(r));
    return ovs.formatFlow(ovs.flowAttrs.decode(w.bytes()), { verbose: r.bool(), now: 1000n });
  } catch {
    return "in_port(1),eth_type(0x0800), packets:0, bytes:0, used:never, actions:drop";
  }
}

/** Parsed text must encode, and print text that parses to the same text again. */
function parsedHolds(target: string, input: () => string, p: ovs.ParsedFlow): void {
  holds(target, input, () => {
    const w = new NetlinkWriter();
    ovs.flowAttrs.encode(w, { key: p.key, mask: p.mask, actions: p.actions });
    const t2 = ovs.formatFlow({ key: p.key, mask: p.mask, actions: p.actions });
    const p2 = ovs.parseFlow(t2);
    const t3 = ovs.formatFlow({ key: p2.key, mask: p2.mask, actions: p2.actions });
    if (t3 !== t2) throw new Error(`prints ${t2}\n  then ${t3}`);
  });
}

/** Runs a parser; OdpParseError means "refused", anything else is a FuzzFailure. */
function parses<T>(target: string, text: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof ovs.OdpParseError && typeof e.column === "number") return undefined;
    throw new FuzzFailure(target, JSON.stringify(text), e);
  }
}

const flowTextTarget: FuzzTarget = {
  name: "flow-text",
  kind: "text",
  run(rand) {
    const r = rngOf(rand);
    const text = mutateText(flowLine(r, rand), rand);
    const p = parses("flow-text", text, () => ovs.parseFlow(text));
    if (p === undefined) return false;
    parsedHolds("flow-text", () => JSON.stringify(text), p);
    return true;
  },
};

const keyTextTarget: FuzzTarget = {
  name: "key-text",
  kind: "text",
  run(rand) {
    const r = rngOf(rand);
    const base = textCorpus.keys.length && rand() < 0.5
      ? textCorpus.keys[int(rand, textCorpus.keys.length)]
      : ovs.formatFlowKey(randomKey(r), undefined, { verbose: r.bool() });
    const text = mutateText(base, rand);
    const p = parses("key-text", text, () => ovs.parseFlowKey(text));
    if (p === undefined) return false;
    parsedHolds("key-text", () => JSON.stringify(text), { key: p.key, mask: p.mask, actions: [] });
    return true;
  },
};

const actionTextTarget: FuzzTarget = {
  name: "action-text",
  kind: "text",
  run(rand) {
    const r = rngOf(rand);
    const base = textCorpus.actions.length && rand() < 0.5
      ? textCorpus.actions[int(rand, textCorpus.actions.length)]
      : ovs.formatActions(randomActions(r));
    const text = mutateText(base, rand);
    const a = parses("action-text", text, () => ovs.parseActions(text));
    if (a === undefined) return false;
    // parseActions takes what Open vSwitch takes (65535 bytes); a flow's actions attribute holds
    // 4 bytes less: such a list is no flow's, and parseFlow refuses it.
    if (ovs.encodeActions(a).length > 65531) {
      const line = `in_port(1), actions:${ovs.formatActions(a)}`;
      holds("action-text", () => JSON.stringify(text), () => {
        try {
          ovs.parseFlow(line);
        } catch (e) {
          if (e instanceof ovs.OdpParseError) return;
          throw e;
        }
        throw new Error("parseFlow takes actions of more than the 65531 bytes a flow holds");
      });
      return true;
    }
    parsedHolds("action-text", () => JSON.stringify(text), { key: {}, mask: {}, actions: a });
    return true;
  },
};

const filterTextTarget: FuzzTarget = {
  name: "filter-text",
  kind: "text",
  run(rand) {
    const r = rngOf(rand);
    const text = mutateText(FILTERS[int(rand, FILTERS.length)], rand);
    let f: ovs.FlowFilter;
    try {
      f = ovs.parseFlowFilter(text);
    } catch (e) {
      if (e instanceof RangeError && e.message.startsWith("Cannot parse flow filter")) return false;
      throw new FuzzFailure("filter-text", JSON.stringify(text), e);
    }
    holds("filter-text", () => JSON.stringify(text), () => {
      const flow = randomFlow(r);
      try {
        ovs.encodeFlowKey(flow.key!);
        if (flow.mask) ovs.encodeFlowKey(flow.mask);
      } catch {
        return; // a random object the encoder refuses: not a flow the kernel could report
      }
      f.matches(flow);
    });
    return true;
  },
};

const flowLinesTarget: FuzzTarget = {
  name: "flow-lines",
  kind: "text",
  run(rand) {
    const r = rngOf(rand);
    const lines: string[] = [];
    for (let n = 1 + int(rand, 4); n > 0; n--) {
      const flow = ovs.formatFlowKey(randomKey(r), undefined, { verbose: false });
      const cmd = ["", "add ", "modify ", "delete ", "a ", "# "][int(rand, 6)];
      lines.push(cmd + flow + (cmd === "delete " ? "" : " " + ovs.formatActions(randomActions(r))));
    }
    const text = mutateText(lines.join("\n"), rand);
    let accepted = false;
    holds("flow-lines", () => JSON.stringify(text), () => {
      for (const l of ovs.parseFlowLines(text)) {
        if (l.op !== undefined) accepted = true;
        else if (!(l.error instanceof Error)) throw new Error("a line with neither op nor error");
      }
    });
    return accepted;
  },
};

/** Every target, binary first. */
export const TARGETS: readonly FuzzTarget[] = [
  schemaTarget,
  messagesTarget,
  ovsFlowTarget,
  ovsKeyActionsTarget,
  flowTextTarget,
  keyTextTarget,
  actionTextTarget,
  filterTextTarget,
  flowLinesTarget,
];
