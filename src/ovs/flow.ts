/**
 * Datapath flow tables: {@link FlowTable} runs the `ovs_flow` commands on one datapath with the
 * typed flow model ({@link FlowKey} keys and masks, {@link Action} lists): new (create, EEXIST
 * on a duplicate), set (new actions, optionally clearing the statistics), get and del (by key
 * or by UFID), flush, dump (an async iterator, and a synchronous callback form that decodes
 * each flow straight from the receive buffer: constant memory for tables of any size), bulk
 * installs (many flows per `sendmsg`, one result per flow) and notifications of the `ovs_flow`
 * multicast group.
 *
 * Flows decode to {@link Flow}, which is the {@link DatapathFlow} that `formatFlow` prints the
 * way `ovs-dpctl dump-flows` does.
 *
 * @module
 */

import { type FamilyInfo, GenlSocket, type Subscription } from "../genl/family.ts";
import { subscriptionOf } from "../genl/subscription.ts";
import type { Family } from "../genl/family.ts";
import { GenlCodec } from "../genl/_internal.ts";
import { registerFamilySpec } from "../genl/registry.ts";
import type { Libc } from "../socket/mod.ts";
import { NLM_F, NLM_F_NEW, NLMSG_HDRLEN, SO, SOL } from "../protocol/constants.ts";
import { ERRNO } from "../protocol/errno.ts";
import { DecodeError, NetlinkError } from "../protocol/errors.ts";
import { t, type UnknownAttr } from "../protocol/schema.ts";
import { EncodeContext } from "../protocol/schema_context.ts";
import { plainObjects } from "../protocol/schema_compile.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import type { NetlinkSocket } from "../socket/netlink_socket.ts";
import { BatchItems } from "../socket/_batch_items.ts";
import {
  checkBoolean,
  checkFunction,
  checkOptionalInt,
  checkOptions,
  checkString,
  checkTimeout,
  describeValue,
} from "../protocol/_validate.ts";
import { type Action, actionList } from "./actions.ts";
import {
  datapathName,
  type DatapathRef,
  defineOvsCrudFamily,
  type OvsCrudFamily,
  ovsHeader,
} from "./common.ts";
import { ovsDatapath } from "./datapath.ts";
import { type FlowAttrs, flowAttrs, OVS_FLOW_ATTR, OVS_UFID_F } from "./flow_attrs.ts";
import { type FlowKey, flowKeyAttrs, type FlowMask } from "./keys.ts";
import type { DatapathFlow } from "./odp_text.ts";

export { monotonicMs } from "../socket/clock.ts";

/** `OVS_FLOW_VERSION`. */
const OVS_FLOW_VERSION = 1 as const;

/**
 * The `ovs_flow` generic netlink family: flow commands on a datapath (`struct ovs_header`
 * names it by ifindex), notifications on the `ovs_flow` group.
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { ovsFlow } from "@nlts/netlink/ovs";
 * using genl = GenlSocket.open();
 * const flows = genl.family(ovsFlow);
 * for await (const m of flows.dumpMessages("get", {}, { header: { dpIfindex: 7 } })) {
 *   console.log(m.attrs.key, m.attrs.actions);
 * }
 * ```
 */
export const ovsFlow: OvsCrudFamily<"ovs_flow", 1, typeof flowAttrs> = defineOvsCrudFamily(
  "ovs_flow",
  OVS_FLOW_VERSION,
  flowAttrs,
);

registerFamilySpec(ovsFlow);

/**
 * The former name of {@link ovsFlow}.
 *
 * @deprecated Use {@link ovsFlow}, named like the other family descriptions (`nlctrl`,
 * `netdev`, `ethtool`).
 *
 * @example
 * ```ts
 * import { ovsFlow, ovsFlowFamily } from "@nlts/netlink/ovs";
 * console.log(ovsFlowFamily === ovsFlow); // true
 * ```
 */
export const ovsFlowFamily: typeof ovsFlow = ovsFlow;

/**
 * A flow as the kernel reports it (dump, get, notifications, echoed changes): a
 * {@link DatapathFlow} (print it with `formatFlow`) plus the datapath's ifindex. Members the
 * reply left out are absent (the terse UFID flags omit key, mask or actions).
 *
 * @example
 * ```ts
 * import { type Flow, formatFlow } from "@nlts/netlink/ovs";
 * const line = (f: Flow, now: bigint) => formatFlow(f, { now });
 * ```
 */
export interface Flow extends DatapathFlow {
  /** Ifindex of the datapath (`ovs_header.dp_ifindex`). */
  dpIfindex: number;
  /** Attributes this library does not know, kept raw. */
  unknown?: UnknownAttr[];
}

/**
 * What {@link FlowTable.new} installs: a key, its mask (absent: exact match on every
 * attribute of the key), the actions (empty: drop) and an optional UFID (1..16 bytes; the
 * kernel then identifies the flow by it, and dumps report it).
 *
 * @example
 * ```ts
 * import { type FlowInit, parseActions, parseFlowKey } from "@nlts/netlink/ovs";
 * const { key, mask } = parseFlowKey("in_port(1),eth(),eth_type(0x0806)");
 * const f: FlowInit = { key, mask, actions: parseActions("2") };
 * ```
 */
export interface FlowInit {
  /** The flow key. */
  key: FlowKey;
  /** The mask (absent: exact match). */
  mask?: FlowMask;
  /** The actions, in order (empty: drop). */
  actions: readonly Action[];
  /** Unique flow id (1..16 bytes, usually 16). */
  ufid?: Uint8Array;
}

/**
 * Names a flow: by UFID (flows installed with one) or by key (the key it was installed with,
 * exactly; a mask given here is ignored by the kernel for lookups).
 *
 * @example
 * ```ts
 * import { type FlowRef, parseUfid } from "@nlts/netlink/ovs";
 * const byUfid: FlowRef = { ufid: parseUfid("c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f") };
 * const byKey: FlowRef = { key: { inPort: 1, ethertype: 0x0806 } };
 * ```
 */
export interface FlowRef {
  /** The UFID the flow was installed with. */
  ufid?: Uint8Array;
  /** The key the flow was installed with. */
  key?: FlowKey;
}

/**
 * What {@link FlowTable.set} changes: the flow (by `ufid` or `key`) gets `actions`. The kernel
 * needs the key to check new actions even when the UFID names the flow.
 *
 * @example
 * ```ts
 * import type { FlowUpdate } from "@nlts/netlink/ovs";
 * const u: FlowUpdate = { key: { inPort: 1, ethertype: 0x0806 }, actions: [{ kind: "output", value: 3 }] };
 * ```
 */
export interface FlowUpdate extends FlowRef {
  /** The mask the flow was installed with (lets the kernel check the actions against it). */
  mask?: FlowMask;
  /** New actions (absent: keep them; only useful with `clear`). */
  actions?: readonly Action[];
}

/**
 * Members a reply may leave out (the `OVS_UFID_F_OMIT_*` flags): they are omitted only for
 * flows that have a UFID.
 *
 * @example
 * ```ts
 * import type { FlowOmit } from "@nlts/netlink/ovs";
 * const terse: FlowOmit[] = ["key", "mask", "actions"];
 * ```
 */
export type FlowOmit = "key" | "mask" | "actions";

/**
 * Options of requests that may return the flow.
 *
 * @example
 * ```ts
 * import type { FlowRequestOptions } from "@nlts/netlink/ovs";
 * const o: FlowRequestOptions = { echo: true, probe: true };
 * ```
 */
export interface FlowRequestOptions {
  /**
   * Ask the kernel to send the flow back (NLM_F_ECHO): the new flow, the modified flow with the
   * statistics before a `clear`, or the deleted flow's last statistics. Default false.
   */
  echo?: boolean;
  /**
   * `OVS_FLOW_ATTR_PROBE`: the kernel does not log this request's failures (feature probes).
   */
  probe?: boolean;
  /** Members to leave out of the echoed flow. */
  omit?: readonly FlowOmit[];
}

/**
 * Options of {@link FlowTable.new}.
 *
 * @example
 * ```ts
 * import type { NewFlowOptions } from "@nlts/netlink/ovs";
 * const mayModify: NewFlowOptions = { modify: true };
 * ```
 */
export interface NewFlowOptions extends FlowRequestOptions {
  /**
   * Also accept an existing flow with this key (or UFID) and replace its actions, as
   * `ovs-dpctl mod-flow --may-create` does (a NEW without NLM_F_CREATE). Default false: a
   * duplicate raises NetlinkError EEXIST, as does a key that falls inside an existing flow's
   * wildcarded match.
   */
  modify?: boolean;
}

/**
 * Options of {@link FlowTable.set}.
 *
 * @example
 * ```ts
 * import type { SetFlowOptions } from "@nlts/netlink/ovs";
 * const o: SetFlowOptions = { clear: true, echo: true };
 * ```
 */
export interface SetFlowOptions extends FlowRequestOptions {
  /** Reset the packet and byte counters, `used` and the TCP flags (OVS_FLOW_ATTR_CLEAR). */
  clear?: boolean;
}

/**
 * Options of {@link FlowTable.dump} and {@link FlowTable.dumpSync}.
 *
 * @example
 * ```ts
 * import type { DumpFlowsOptions } from "@nlts/netlink/ovs";
 * const terse: DumpFlowsOptions = { omit: ["key", "mask", "actions"] };
 * ```
 */
export interface DumpFlowsOptions {
  /** Members to leave out (flows with a UFID only): a terse dump of UFIDs and statistics. */
  omit?: readonly FlowOmit[];
  /** Milliseconds to wait for each datagram (default 5000). */
  timeoutMs?: number;
}

/**
 * Options of {@link FlowTable.batch}, {@link FlowTable.delBatch}.
 *
 * @example
 * ```ts
 * import type { FlowBatchOptions } from "@nlts/netlink/ovs";
 * const o: FlowBatchOptions = { chunk: 128, rcvbuf: 4 << 20 };
 * ```
 */
export interface FlowBatchOptions {
  /** Requests per `sendmsg` (default 512, at most 1024; at most 256 KiB of requests). */
  chunk?: number;
  /** Set OVS_FLOW_ATTR_PROBE on every request (the kernel logs no failures). */
  probe?: boolean;
  /**
   * SO_RCVBUF the table's socket gets at least (default 4 MiB; 0 leaves it): it holds the
   * failures of a chunk and its one acknowledgement.
   */
  rcvbuf?: number;
  /**
   * Called every few thousand requests, and at the end, with how many were sent so far and how
   * many of those the kernel refused.
   */
  onProgress?: (sent: number, failed: number) => void;
  /** Milliseconds to wait for the kernel's answers to a chunk (default 5000). */
  timeoutMs?: number;
}

/**
 * Options of {@link FlowTable.newBatch}.
 *
 * @example
 * ```ts
 * import type { NewBatchOptions } from "@nlts/netlink/ovs";
 * const o: NewBatchOptions = { chunk: 128, modify: true };
 * ```
 */
export interface NewBatchOptions extends FlowBatchOptions {
  /** Accept existing flows and replace their actions (see {@link NewFlowOptions.modify}). */
  modify?: boolean;
}

/**
 * One operation of {@link FlowTable.batch}.
 *
 * @example
 * ```ts
 * import type { FlowOp } from "@nlts/netlink/ovs";
 * const op: FlowOp = { op: "del", ref: { key: { inPort: 1, ethertype: 0x0806 } } };
 * ```
 */
export type FlowOp =
  | { op: "new"; flow: FlowInit; modify?: boolean }
  | { op: "set"; update: FlowUpdate; clear?: boolean }
  | { op: "del"; ref: FlowRef };

/**
 * The outcome of {@link FlowTable.newBatch}: how many flows were installed and the failures,
 * by index into the input.
 *
 * @example
 * ```ts
 * import type { FlowBatchResult } from "@nlts/netlink/ovs";
 * const report = (r: FlowBatchResult) =>
 *   `${r.ok} installed, ${r.errors.length} failed` +
 *   r.errors.map((e) => `\n  #${e.index}: ${e.error.code}`).join("");
 * ```
 */
export interface FlowBatchResult {
  /** Flows the kernel accepted. */
  ok: number;
  /** Requests the kernel refused, in input order. */
  errors: { index: number; error: NetlinkError }[];
}

/**
 * A notification of the `ovs_flow` group: a flow was created (`new`), changed (`set`) or
 * deleted (`del`, with its last statistics). Flushes send none.
 *
 * @example
 * ```ts
 * import type { FlowEvent } from "@nlts/netlink/ovs";
 * const line = (e: FlowEvent) => `${e.event} on ${e.flow.dpIfindex}: ${e.flow.stats?.packets ?? 0n} packets`;
 * ```
 */
export interface FlowEvent {
  /** `new`, `set` or `del` (`cmd-N` for a command this library does not know). */
  event: string;
  /** The flow as the notification carries it. */
  flow: Flow;
}

/**
 * Options of {@link FlowTable.open}.
 *
 * @example
 * ```ts
 * import type { FlowTableOptions } from "@nlts/netlink/ovs";
 * const o: FlowTableOptions = { netns: "blue" };
 * ```
 */
export interface FlowTableOptions {
  /** Network namespace of the socket that {@link FlowTable.open} opens for itself. */
  netns?: string;
  /** The libc calls of that socket (default: the runtime's; e.g. a `FakeKernel`). */
  transport?: Libc;
}

/**
 * The `OVS_FLOW_ATTR_UFID_FLAGS` bits for members to omit.
 *
 * @example
 * ```ts
 * import { ufidFlags } from "@nlts/netlink/ovs";
 * console.log(ufidFlags(["key", "actions"])); // 5
 * ```
 */
export function ufidFlags(omit: readonly FlowOmit[] | undefined): number {
  // Nothing omitted (every install of a bulk one) costs no array and no iterator.
  if (omit === undefined || omit === null) return 0;
  let f = 0;
  for (const o of omit) {
    if (o === "key") f |= OVS_UFID_F.OMIT_KEY;
    else if (o === "mask") f |= OVS_UFID_F.OMIT_MASK;
    else if (o === "actions") f |= OVS_UFID_F.OMIT_ACTIONS;
    else {
      throw new TypeError(
        `Cannot omit "${String(o)}" from flow replies: use "key", "mask" or "actions"`,
      );
    }
  }
  return f;
}

/**
 * Builds a {@link Flow} from decoded `ovs_flow` attributes.
 *
 * @example
 * ```ts
 * import { toFlow } from "@nlts/netlink/ovs";
 * console.log(toFlow(7, { key: { inPort: 1 }, actions: [] })); // { dpIfindex: 7, key: { inPort: 1 }, actions: [] }
 * ```
 */
export function toFlow(dpIfindex: number, a: FlowAttrs): Flow {
  const f = new PlainFlow();
  f.dpIfindex = dpIfindex;
  if (a.ufid !== undefined) f.ufid = a.ufid;
  if (a.key !== undefined) f.key = a.key;
  if (a.mask !== undefined) f.mask = a.mask;
  if (a.actions !== undefined) f.actions = a.actions;
  if (a.stats !== undefined) f.stats = a.stats;
  if (a.used !== undefined) f.used = a.used;
  if (a.tcpFlags !== undefined) f.tcpFlags = a.tcpFlags;
  if (a.unknown !== undefined) f.unknown = a.unknown;
  return f;
}

/**
 * Makes the flows' plain objects: one allocation with room for all their properties (a `{}`
 * grows a separate property store past 4; see plainObjects).
 */
const PlainFlow = plainObjects<Flow>();

/**
 * Whether async dumps copy each datagram's flow messages and decode each flow when it is
 * handed out (Bun) rather than decoding the datagram's flows at once (Deno). Decoding a
 * datagram up front keeps its hundred-odd flows alive together until they are handed out:
 * JavaScriptCore's collector then promotes them, and Bun's async dump ran at a third of its
 * sync one in the user-mode-linux guest (a sync dump that kept runs of 100 flows alive was as
 * slow: 39-65k flows/s against 143-179k); copied, 96-151k against 55-66k. V8's scavenger
 * copes with the batch, and there the copy costs more than it saves (Deno's async dump 171-304k
 * copied against 279-406k decoded at once).
 */
const COPY_ASYNC_DUMPS = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** Bytes of the arena an async dump copies a datagram's flow messages into (grown if needed). */
const ARENA_BYTES = 64 * 1024;

/** genlmsghdr and `struct ovs_header`: where a flow message's attributes start. */
const FLOW_ATTRS_OFFSET = 8;

/**
 * Decodes an `ovs_flow` message: `data[offset, end)` is the payload after the 16-byte
 * nlmsghdr (genlmsghdr, `struct ovs_header`, attributes). Malformed input raises
 * {@link DecodeError}, and only that.
 *
 * @example
 * ```ts
 * import { decodeFlowMessage, flowAttrs } from "@nlts/netlink/ovs";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * w.putU8(1).putU8(1).putU16(0).putU32(7); // OVS_FLOW_CMD_NEW, version 1; dp_ifindex 7
 * flowAttrs.encode(w, { key: { inPort: 1 }, actions: [{ kind: "output", value: 2 }] });
 * console.log(decodeFlowMessage(w.bytes()).key); // { inPort: 1 }
 * ```
 */
export function decodeFlowMessage(data: Uint8Array, offset = 0, end: number = data.length): Flow {
  if (offset < 0 || end > data.length || offset > end) {
    throw new DecodeError(`offsets ${offset}..${end} are outside the ${data.length} bytes`, 0);
  }
  if (end - offset < FLOW_ATTRS_OFFSET) {
    // Too short for the headers: the family's codec names what is missing.
    const m = FLOW_CODEC.decode(data, offset, end, flowAttrs);
    return toFlow((m.header as { dpIfindex: number }).dpIfindex, m.attrs as FlowAttrs);
  }
  // What the family's codec does, without its message and header objects: ovs_header's
  // dp_ifindex is an s32 in host order (little-endian on the platforms the FFI supports).
  const dpIfindex = data[offset + 4] | data[offset + 5] << 8 | data[offset + 6] << 16 |
    data[offset + 7] << 24;
  return toFlow(dpIfindex, flowAttrs.decode(data, offset + FLOW_ATTRS_OFFSET, end) as FlowAttrs);
}

const FLOW_CODEC = GenlCodec.of(ovsFlow);

/** Bytes of requests per bulk sendmsg at most (the socket's send buffer must hold them). */
const BULK_BYTES = 256 * 1024;

/**
 * Encodes flow requests straight into a writer through the family (framing, fixed header
 * encoded once); masks and action lists shared by many flows (the same object) are encoded once.
 */
class BulkEncoder {
  /** Where the last message started (to undo a failed encode). */
  messageStart = 0;
  readonly #masks = new WeakMap<object, Uint8Array>();
  readonly #actions = new WeakMap<object, Uint8Array>();
  readonly #scratch = new NetlinkWriter(1024);
  // One context, the ovs_header and one option object for every request (the key's paths start
  // at its set's name, as flowKeyAttrs.encode's do), and the attributes of the request being
  // encoded.
  readonly #keyContext = new EncodeContext(flowKeyAttrs.name);
  /** The ovs_header of every request; the options of the SET and DEL ones. */
  readonly #header: Uint8Array;
  readonly #modify: { header: Uint8Array; flags: number };
  #a: RequestAttrs = {};

  constructor(
    readonly family: Family<typeof ovsFlow>,
    dpIfindex: number,
    readonly probe: boolean,
  ) {
    const h = new NetlinkWriter(16);
    ovsHeader.encodeTo(h, { dpIfindex });
    const header = h.copy();
    this.#header = header;
    this.#modify = { header, flags: 0 };
    this.#familyId = family.info.id;
    this.#newCmd = FLOW_CODEC.op("new").cmd;
    this.#version = family.spec.version;
    this.#new = {
      key: undefined,
      mask: undefined,
      actions: undefined,
      ufid: undefined,
      probe: probe ? true : undefined,
    };
  }

  /** Appends the request for `o`; returns its operation. */
  encode(w: NetlinkWriter, o: FlowOp): FlowOp["op"] {
    if (o?.op === "new") return this.encodeNew(w, o.flow, o.modify === true);
    this.messageStart = w.length;
    if (o?.op === "set") {
      this.#a = setAttrs(o.update, { clear: o.clear, probe: this.probe });
    } else if (o?.op === "del") {
      this.#a = delAttrs(o.ref, { probe: this.probe });
    } else {
      throw new TypeError("Cannot run flow batch: the operation is not new, set or del");
    }
    this.family.encodeTo(w, o.op, this.#write, this.#modify);
    return o.op;
  }

  /** Appends the request installing `flow` (checked as {@link FlowTable.new} checks it). */
  encodeNew(w: NetlinkWriter, flow: FlowInit, modify: boolean): "new" {
    this.messageStart = w.length;
    checkNewFlow(flow);
    // One attributes object for every flow of the batch (#write reads it before the next).
    const a = this.#new;
    a.key = flow.key;
    a.mask = flow.mask;
    a.actions = flow.actions;
    a.ufid = flow.ufid;
    this.#a = a;
    // The message family.encodeTo frames, from the numbers looked up once (same bytes).
    const m = w.beginMessage(this.#familyId, modify ? 0 : NLM_F_NEW.CREATE);
    w.putU8(this.#newCmd).putU8(this.#version).putU16(0);
    w.putBytes(this.#header);
    this.#write(w);
    w.endMessage(m);
    return "new";
  }

  /** The attributes of the NEW request being encoded (see encodeNew). */
  readonly #new: RequestAttrs;
  /** The family id, the NEW command and the family version (genlmsghdr) of its messages. */
  readonly #familyId: number;
  readonly #newCmd: number;
  readonly #version: number;

  /** Appends the request deleting the flow `ref` names. */
  encodeDel(w: NetlinkWriter, ref: FlowRef): "del" {
    this.messageStart = w.length;
    this.#a = delAttrs(ref, { probe: this.probe });
    this.family.encodeTo(w, "del", this.#write, this.#modify);
    return "del";
  }

  /** Writes the attributes of the request being encoded (#a). */
  readonly #write = (w: NetlinkWriter): void => {
    const a = this.#a;
    if (a.key !== undefined) {
      const c = this.#keyContext;
      c.depth = 0;
      c.nesting = 0;
      if (c.scopes.length !== 0) c.scopes.length = 0;
      const at = w.beginAttr(OVS_FLOW_ATTR.KEY);
      KEY_NEST.encode(w, a.key, c);
      w.endAttr(at);
    }
    if (a.mask !== undefined) this.#cached(w, OVS_FLOW_ATTR.MASK, a.mask, this.#masks);
    if (a.actions !== undefined) {
      this.#cached(w, OVS_FLOW_ATTR.ACTIONS, a.actions, this.#actions);
    }
    if (a.clear) w.attrFlag(OVS_FLOW_ATTR.CLEAR);
    if (a.probe) w.attrFlag(OVS_FLOW_ATTR.PROBE);
    if (a.ufid !== undefined) w.attrBinary(OVS_FLOW_ATTR.UFID, a.ufid);
  };

  #cached(w: NetlinkWriter, type: number, v: object, cache: WeakMap<object, Uint8Array>): void {
    let b = cache.get(v);
    if (b === undefined) {
      const s = this.#scratch.reset();
      if (type === OVS_FLOW_ATTR.ACTIONS) {
        actionList.encode(s, v as Action[], new EncodeContext("actions"));
      } else flowKeyAttrs.encode(s, v as FlowKey);
      b = s.copy();
      cache.set(v, b);
    }
    w.attrBinary(type, b);
  }
}

/** The flow key as an attribute's payload (what BulkEncoder writes with a context of its own). */
const KEY_NEST = t.nest(flowKeyAttrs);

/** The socket buffers raised for bulk requests, per socket (raised only, never lowered). */
const bulkBuffers = new WeakMap<NetlinkSocket, { snd: number; rcv: number }>();

/** Sets a socket buffer size: the FORCE option (CAP_NET_ADMIN) first, else the capped one. */
function setBuffer(s: NetlinkSocket, force: number, plain: number, bytes: number): void {
  try {
    s.setSocketOption(SOL.SOCKET, force, bytes);
  } catch {
    try {
      s.setSocketOption(SOL.SOCKET, plain, bytes);
    } catch {
      // keep the default
    }
  }
}

/** What a flow request carries (the `ovs_flow` attributes the table's commands set). */
interface RequestAttrs {
  key?: FlowKey;
  mask?: FlowMask;
  actions?: readonly Action[];
  ufid?: Uint8Array;
  clear?: true;
  probe?: true;
  ufidFlags?: number;
}

function checkUfid(ufid: Uint8Array | undefined, op: string): void {
  if (ufid === undefined) return;
  if (!(ufid instanceof Uint8Array) || ufid.length < 1 || ufid.length > 16) {
    throw new TypeError(`Cannot ${op} flow: ufid must be a Uint8Array of 1..16 bytes`);
  }
}

function refAttrs(ref: FlowRef | undefined, op: string, required: boolean): RequestAttrs {
  const out: RequestAttrs = {};
  if (ref === undefined || ref === null) {
    if (required) throw new TypeError(`Cannot ${op} flow: name it by key or by ufid`);
    return out;
  }
  if (typeof ref !== "object") {
    throw new TypeError(`Cannot ${op} flow: expected { key } or { ufid }`);
  }
  checkUfid(ref.ufid, op);
  if (ref.key !== undefined) {
    if (typeof ref.key !== "object" || ref.key === null) {
      throw new TypeError(`Cannot ${op} flow: key must be a FlowKey object`);
    }
    out.key = ref.key;
  }
  if (ref.ufid !== undefined) out.ufid = ref.ufid;
  if (required && out.key === undefined && out.ufid === undefined) {
    throw new TypeError(`Cannot ${op} flow: name it by key or by ufid`);
  }
  return out;
}

function newAttrs(
  flow: FlowInit,
  probe: boolean | undefined,
  omit?: readonly FlowOmit[],
): RequestAttrs {
  checkNewFlow(flow);
  const a: RequestAttrs = { key: flow.key };
  if (flow.mask !== undefined) a.mask = flow.mask;
  a.actions = flow.actions;
  if (flow.ufid !== undefined) a.ufid = flow.ufid;
  if (probe) a.probe = true;
  const f = ufidFlags(omit);
  if (f) a.ufidFlags = f;
  return a;
}

/** Throws the TypeError for a flow that is not `{ key, mask?, actions, ufid? }`. */
function checkNewFlow(flow: FlowInit): void {
  if (typeof flow !== "object" || flow === null) {
    throw new TypeError("Cannot create flow: expected { key, mask?, actions, ufid? }");
  }
  if (typeof flow.key !== "object" || flow.key === null) {
    throw new TypeError("Cannot create flow: key must be a FlowKey object");
  }
  if (!Array.isArray(flow.actions)) {
    throw new TypeError("Cannot create flow: actions must be an array (empty: drop)");
  }
  checkUfid(flow.ufid, "create");
}

function setAttrs(update: FlowUpdate, options: SetFlowOptions | undefined): RequestAttrs {
  const a: RequestAttrs = refAttrs(update, "set", true);
  if (update.mask !== undefined) a.mask = update.mask;
  if (update.actions !== undefined) {
    if (!Array.isArray(update.actions)) {
      throw new TypeError("Cannot set flow: actions must be an array (empty: drop)");
    }
    if (a.key === undefined) {
      throw new TypeError(
        "Cannot set flow actions by UFID alone: the kernel checks actions against the key; give the key too",
      );
    }
    a.actions = update.actions;
  }
  if (options?.clear) a.clear = true;
  if (options?.probe) a.probe = true;
  const f = ufidFlags(options?.omit);
  if (f) a.ufidFlags = f;
  // The kernel reads attributes by type; keep the order of a NEW for readable traces.
  const ordered: Record<string, unknown> = {};
  for (const k of ["key", "mask", "actions", "clear", "probe", "ufid", "ufidFlags"] as const) {
    if (a[k] !== undefined) ordered[k] = a[k];
  }
  return ordered as RequestAttrs;
}

function getAttrs(
  ref: FlowRef,
  options: { probe?: boolean; omit?: readonly FlowOmit[] } | undefined,
): RequestAttrs {
  const a = refAttrs(ref, "get", true);
  if (options?.probe) a.probe = true;
  const f = ufidFlags(options?.omit);
  if (f) a.ufidFlags = f;
  return a;
}

function delAttrs(ref: FlowRef, options: FlowRequestOptions | undefined): RequestAttrs {
  const a = refAttrs(ref, "delete", true);
  if (options?.probe) a.probe = true;
  const f = ufidFlags(options?.omit);
  if (f) a.ufidFlags = f;
  return a;
}

/**
 * The flow table of one datapath. Every change needs CAP_NET_ADMIN. Kernel refusals raise
 * {@link NetlinkError}: EEXIST (a duplicate, or a key inside an existing flow's wildcarded
 * match), ENOENT (no such flow), EINVAL (a malformed key, e.g. a TCP key without
 * `tcpFlags`, or actions the key does not allow), ENODEV (no such datapath).
 *
 * @example
 * ```ts
 * import { FlowTable, parseActions, parseFlowKey } from "@nlts/netlink/ovs";
 * await using flows = await FlowTable.open("dp0");
 * const { key, mask } = parseFlowKey("in_port(1),eth(),eth_type(0x0806)");
 * await flows.new({ key, mask, actions: parseActions("2") });
 * for await (const f of flows.dump()) console.log(f.key, f.stats);
 * await flows.flush();
 * ```
 */
export class FlowTable {
  /** The `ovs_flow` family client. */
  readonly family: Family<typeof ovsFlow>;
  /** The datapath's ifindex (`ovs_header.dp_ifindex`). */
  readonly dpIfindex: number;
  readonly #genl: GenlSocket;
  readonly #owned: boolean;

  /**
   * A table on `genl` for the datapath with ifindex `dpIfindex` (see {@link FlowTable.open}
   * to name the datapath).
   *
   * @example
   * ```ts
   * import { GenlSocket } from "@nlts/netlink/genl";
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using genl = GenlSocket.open();
   * const flows = new FlowTable(genl, 7);
   * console.log(flows.dpIfindex); // 7
   * ```
   */
  constructor(genl: GenlSocket, dpIfindex: number, options: { owned?: boolean } = {}) {
    if (!Number.isInteger(dpIfindex) || dpIfindex <= 0 || dpIfindex > 0x7fff_ffff) {
      throw new RangeError(
        `Cannot use datapath ifindex ${dpIfindex}: an ifindex is a positive 32-bit integer`,
      );
    }
    this.#genl = genl;
    this.#owned = options.owned ?? false;
    this.family = genl.family(ovsFlow);
    this.dpIfindex = dpIfindex;
  }

  /**
   * The flow table of datapath `dp` (a name, `system@NAME`, or an ifindex): on the socket of
   * `source` (an OvsClient or a GenlSocket), or on a socket of its own (closed with the table)
   * when `source` is omitted. An unknown datapath raises NetlinkError ENODEV.
   *
   * @example
   * ```ts
   * import { FlowTable, OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * const flows = await FlowTable.open("dp0", ovs);
   * console.log(flows.dpIfindex);
   * ```
   */
  static async open(
    dp: DatapathRef,
    source?: GenlSocket | { readonly genl: GenlSocket },
    options: FlowTableOptions = {},
  ): Promise<FlowTable> {
    await Promise.resolve();
    return FlowTable.openSync(dp, source, options);
  }

  /**
   * Synchronous {@link FlowTable.open}.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * ```
   */
  static openSync(
    dp: DatapathRef,
    source?: GenlSocket | { readonly genl: GenlSocket },
    options: FlowTableOptions = {},
  ): FlowTable {
    checkOptions(options, "open flow table");
    checkString(options.netns, "open flow table", "netns", true);
    if (
      source !== undefined && !(source instanceof GenlSocket) &&
      !((source as { genl?: unknown } | null)?.genl instanceof GenlSocket)
    ) {
      throw new TypeError(
        `Cannot open flow table: source must be a GenlSocket or an OvsClient, not ${
          describeValue(source)
        }`,
      );
    }
    const owned = source === undefined;
    const genl = source === undefined
      ? GenlSocket.open({ netns: options.netns, transport: options.transport })
      : source instanceof GenlSocket
      ? source
      : source.genl;
    try {
      return new FlowTable(genl, resolveDatapath(genl, dp), { owned });
    } catch (e) {
      if (owned) genl.close();
      throw e;
    }
  }

  /** What the controller reports about `ovs_flow` (family id, the `ovs_flow` group id). */
  get info(): FamilyInfo {
    return this.family.info;
  }

  #header() {
    return { dpIfindex: this.dpIfindex };
  }

  #flags(options: FlowRequestOptions | undefined, base = 0): number {
    return base | (options?.echo ? NLM_F.ECHO : 0);
  }

  #one(replies: { header: { dpIfindex: number }; attrs: unknown }[]): Flow | undefined {
    const m = replies[0];
    return m ? toFlow(m.header.dpIfindex, m.attrs as FlowAttrs) : undefined;
  }

  /**
   * Installs a flow (OVS_FLOW_CMD_NEW with NLM_F_CREATE, as `ovs-dpctl add-flow`). A flow with
   * the same key or UFID, or an existing flow whose wildcarded match covers the key, raises
   * NetlinkError EEXIST (unless `modify`). Returns the flow when `echo` is set.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * await flows.new({
   *   key: { inPort: 1, ethernet: { src: "00:00:00:00:00:01", dst: "00:00:00:00:00:02" }, ethertype: 0x0806 },
   *   mask: { inPort: 0xffffffff, ethertype: 0xffff },
   *   actions: [{ kind: "output", value: 2 }],
   * });
   * ```
   */
  async new(flow: FlowInit, options?: NewFlowOptions): Promise<Flow | undefined> {
    const attrs = newAttrs(flow, options?.probe, options?.omit);
    return this.#one(
      await this.family.request("new", attrs as never, {
        header: this.#header(),
        flags: this.#flags(options, options?.modify ? 0 : NLM_F_NEW.CREATE),
      }),
    );
  }

  /**
   * Synchronous {@link FlowTable.new}.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * flows.newSync({ key: { inPort: 1, ethertype: 0x0806 }, actions: [] });
   * ```
   */
  newSync(flow: FlowInit, options?: NewFlowOptions): Flow | undefined {
    const attrs = newAttrs(flow, options?.probe, options?.omit);
    return this.#one(
      this.family.requestSync("new", attrs as never, {
        header: this.#header(),
        flags: this.#flags(options, options?.modify ? 0 : NLM_F_NEW.CREATE),
      }),
    );
  }

  /**
   * Modifies a flow (OVS_FLOW_CMD_SET, as `ovs-dpctl mod-flow`): new actions, and/or `clear`
   * to reset its statistics. An unknown flow raises NetlinkError ENOENT. With `echo`, returns
   * the flow (its statistics from before a `clear`).
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * const key = { inPort: 1, ethertype: 0x0806 };
   * const before = await flows.set({ key, actions: [{ kind: "output", value: 3 }] }, { clear: true, echo: true });
   * console.log(before?.stats);
   * ```
   */
  async set(update: FlowUpdate, options?: SetFlowOptions): Promise<Flow | undefined> {
    const attrs = setAttrs(update, options);
    return this.#one(
      await this.family.request("set", attrs as never, {
        header: this.#header(),
        flags: this.#flags(options),
      }),
    );
  }

  /**
   * Synchronous {@link FlowTable.set}.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * flows.setSync({ key: { inPort: 1, ethertype: 0x0806 } }, { clear: true });
   * ```
   */
  setSync(update: FlowUpdate, options?: SetFlowOptions): Flow | undefined {
    const attrs = setAttrs(update, options);
    return this.#one(
      this.family.requestSync("set", attrs as never, {
        header: this.#header(),
        flags: this.#flags(options),
      }),
    );
  }

  /**
   * Reads one flow by UFID or by the exact key it was installed with (NetlinkError ENOENT
   * when there is none).
   *
   * @example
   * ```ts
   * import { FlowTable, formatFlow, monotonicMs, parseUfid } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * const f = await flows.get({ ufid: parseUfid("c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f") });
   * console.log(formatFlow(f, { now: monotonicMs() }));
   * ```
   */
  async get(
    ref: FlowRef,
    options?: { probe?: boolean; omit?: readonly FlowOmit[] },
  ): Promise<Flow> {
    const replies = await this.family.request("get", getAttrs(ref, options) as never, {
      header: this.#header(),
    });
    return this.#got(replies);
  }

  /**
   * Synchronous {@link FlowTable.get}.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * console.log(flows.getSync({ key: { inPort: 1, ethertype: 0x0806 } }).stats);
   * ```
   */
  getSync(ref: FlowRef, options?: { probe?: boolean; omit?: readonly FlowOmit[] }): Flow {
    const replies = this.family.requestSync("get", getAttrs(ref, options) as never, {
      header: this.#header(),
    });
    return this.#got(replies);
  }

  #got(replies: { header: { dpIfindex: number }; attrs: unknown }[]): Flow {
    const f = this.#one(replies);
    if (!f) {
      throw new NetlinkError(ERRNO.ENOENT, {
        operation: "ovs_flow.get",
        hint: "the kernel sent no flow",
      });
    }
    return f;
  }

  /**
   * Deletes one flow by UFID or by the exact key it was installed with (NetlinkError ENOENT
   * when there is none; a flow installed with a UFID is found by its UFID only). With `echo`,
   * returns the flow with its last statistics. Without `ref`, deletes every flow, as the
   * kernel does for a DEL naming none (see {@link FlowTable.flush}).
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * const last = await flows.del({ key: { inPort: 1, ethertype: 0x0806 } }, { echo: true });
   * console.log(last?.stats);
   * ```
   */
  async del(ref?: FlowRef, options?: FlowRequestOptions): Promise<Flow | undefined> {
    if (ref === undefined) {
      await this.flush();
      return undefined;
    }
    return this.#one(
      await this.family.request("del", delAttrs(ref, options) as never, {
        header: this.#header(),
        flags: this.#flags(options),
      }),
    );
  }

  /**
   * Synchronous {@link FlowTable.del}.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * flows.delSync({ key: { inPort: 1, ethertype: 0x0806 } });
   * ```
   */
  delSync(ref?: FlowRef, options?: FlowRequestOptions): Flow | undefined {
    if (ref === undefined) {
      this.flushSync();
      return undefined;
    }
    return this.#one(
      this.family.requestSync("del", delAttrs(ref, options) as never, {
        header: this.#header(),
        flags: this.#flags(options),
      }),
    );
  }

  /**
   * Deletes every flow of the datapath (OVS_FLOW_CMD_DEL without key or UFID, as
   * `ovs-dpctl del-flows`). The kernel sends no notifications for a flush.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * await flows.flush();
   * ```
   */
  async flush(): Promise<void> {
    await this.family.request("del", {}, { header: this.#header() });
  }

  /**
   * Synchronous {@link FlowTable.flush}.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * flows.flushSync();
   * ```
   */
  flushSync(): void {
    this.family.requestSync("del", {}, { header: this.#header() });
  }

  /**
   * Dumps the table, one flow at a time, reading one datagram (about 32 KiB of flows) at a
   * time: memory stays constant whatever the table's size. Waits for late datagrams without
   * blocking the event loop.
   *
   * @example
   * ```ts
   * import { FlowTable, formatFlow, monotonicMs } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * const now = monotonicMs();
   * for await (const f of flows.dump()) console.log(formatFlow(f, { now }));
   * ```
   */
  dump(options?: DumpFlowsOptions): AsyncGenerator<Flow, void, undefined> {
    return COPY_ASYNC_DUMPS ? this.#dumpCopied(options) : this.#dumpDecoded(options);
  }

  /** The async dump that decodes each datagram's flows while they sit in the receive buffer. */
  #dumpDecoded(options: DumpFlowsOptions | undefined): AsyncGenerator<Flow, void, undefined> {
    // One await per datagram, its flows handed out item by item (options are checked at the
    // first next()).
    return new BatchItems(() => {
      const id = this.family.id;
      return this.#genl.socket.dumpBatches(
        this.#dumpRequest(options),
        { operation: "ovs_flow.get", timeoutMs: options?.timeoutMs },
        (it) =>
          it.type === id ? decodeFlowMessage(it.data, it.payloadOffset, it.messageEnd) : undefined,
      );
    });
  }

  /**
   * The async dump that copies each datagram's flow messages (bytes, into an arena) while they
   * sit in the receive buffer and decodes each when it is handed out (see COPY_ASYNC_DUMPS).
   */
  #dumpCopied(options: DumpFlowsOptions | undefined): AsyncGenerator<Flow, void, undefined> {
    // The arena is reused once every message copied into it was handed out (from the next
    // datagram on), and grows, keeping its contents, when a datagram does not fit.
    let arena = new Uint8Array(ARENA_BYTES);
    let words = new Int32Array(arena.buffer);
    let at = 0, copied = 0, taken = 0;
    // The attempt being read (its sequence number) and whether the kernel flagged it
    // NLM_F_DUMP_INTR: the socket drops every batch of an interrupted attempt, so its messages
    // are not copied (the arena would otherwise grow to the rest of the dump), and a restarted
    // attempt starts the arena afresh (what the last one copied is never handed out).
    let seq = -1, interrupted = false;
    // The receive buffer as 32-bit words (messages start 4-byte aligned): a message is copied
    // by a word loop, without a view object per message.
    let src: Uint8Array | undefined, srcWords: Int32Array = words;
    return new BatchItems<Flow, number>(() => {
      const id = this.family.id;
      return this.#genl.socket.dumpBatches(
        this.#dumpRequest(options),
        { operation: "ovs_flow.get", timeoutMs: options?.timeoutMs },
        (it) => {
          if (it.seq !== seq) {
            seq = it.seq;
            interrupted = false;
            copied = taken;
          }
          if (interrupted || (it.flags & NLM_F.DUMP_INTR) !== 0) {
            interrupted = true;
            return undefined;
          }
          if (it.type !== id) return undefined;
          if (taken === copied) at = 0;
          const len = it.length;
          const n = (len + 3) >> 2;
          if (at + 4 * n > arena.length) {
            const grown = new Uint8Array(Math.max(2 * arena.length, at + 4 * n));
            grown.set(arena.subarray(0, at));
            arena = grown;
            words = new Int32Array(grown.buffer);
          }
          const data = it.data, offset = it.offset;
          if (data !== src) {
            src = data;
            srcWords = (data.byteOffset & 3) === 0
              ? new Int32Array(data.buffer, data.byteOffset, data.length >> 2)
              : words.subarray(0, 0);
          }
          const from = offset >> 2;
          if ((offset & 3) === 0 && from + n <= srcWords.length) {
            const to = at >> 2;
            for (let i = 0; i < n; i++) words[to + i] = srcWords[from + i];
          } else arena.set(data.subarray(offset, offset + len), at);
          const start = at;
          at += 4 * n;
          copied++;
          return start;
        },
      );
    }, (start) => {
      taken++;
      const len = arena[start] | arena[start + 1] << 8 | arena[start + 2] << 16 |
        arena[start + 3] << 24;
      return decodeFlowMessage(arena, start + NLMSG_HDRLEN, start + len);
    });
  }

  /**
   * Dumps the table synchronously, calling `onFlow` with each flow decoded straight from the
   * receive buffer (nothing is collected: constant memory for tables of any size); returns
   * how many flows there were. The objects are the caller's to keep.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * let packets = 0n;
   * const n = flows.dumpSync((f) => packets += f.stats?.packets ?? 0n);
   * console.log(`${n} flows, ${packets} packets`);
   * ```
   */
  dumpSync(onFlow: (flow: Flow) => void, options?: DumpFlowsOptions): number {
    if (typeof onFlow !== "function") {
      throw new TypeError("Cannot dump flows: onFlow must be a function");
    }
    const id = this.family.id;
    let n = 0;
    this.#genl.socket.exchangeSync(this.#dumpRequest(options), {
      dump: true,
      operation: "ovs_flow.get",
      timeoutMs: options?.timeoutMs,
    }, (it) => {
      if (it.type !== id) return;
      n++;
      onFlow(decodeFlowMessage(it.data, it.payloadOffset, it.messageEnd));
    });
    return n;
  }

  /** The dump request (OVS_FLOW_CMD_GET; the socket adds NLM_F_DUMP and the seq). */
  #dumpRequest(options: DumpFlowsOptions | undefined): Uint8Array {
    checkOptions(options, "dump flows");
    const f = ufidFlags(options?.omit);
    return this.family.encode("get", f ? { ufidFlags: f } : {}, { header: this.#header() });
  }

  /**
   * Every flow of the table, in an array.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * console.log((await flows.list()).length);
   * ```
   */
  async list(options?: DumpFlowsOptions): Promise<Flow[]> {
    const out: Flow[] = [];
    for await (const f of this.dump(options)) out.push(f);
    return out;
  }

  /**
   * Installs many flows, `chunk` requests per `sendmsg` (see {@link FlowTable.batch}); returns
   * how many the kernel accepted and each refusal with its index (nothing is thrown for a
   * refused flow). Synchronous: the kernel installs each flow inside `sendmsg`.
   *
   * @example
   * ```ts
   * import { type FlowInit, FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * const batch: FlowInit[] = [];
   * for (let i = 0; i < 10_000; i++) {
   *   batch.push({
   *     key: { inPort: 1, ethernet: { src: "00:00:00:00:00:01", dst: "00:00:00:00:00:02" }, ethertype: 0x0800,
   *       ipv4: { src: "10.0.0.1", dst: `10.1.${i >> 8}.${i & 255}`, proto: 17, tos: 0, ttl: 64, frag: 0 } },
   *     mask: { inPort: 0xffffffff, ethertype: 0xffff, ipv4: { src: "0.0.0.0", dst: "255.255.255.255", proto: 0, tos: 0, ttl: 0, frag: 0 } },
   *     actions: [{ kind: "output", value: 2 }],
   *   });
   * }
   * const r = flows.newBatch(batch);
   * console.log(r.ok, r.errors.length);
   * ```
   */
  newBatch(flows: Iterable<FlowInit>, options: NewBatchOptions = {}): FlowBatchResult {
    checkIterable(flows, "install flows", "flows");
    checkOptions(options, "install flows");
    const modify = checkBoolean(options.modify, "install flows", "modify", false);
    return this.#batch(flows, options, (enc, w, flow) => enc.encodeNew(w, flow, modify));
  }

  /**
   * Deletes many flows (by UFID or key), `chunk` requests per `sendmsg`; reports refusals
   * (e.g. ENOENT) by index instead of throwing.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * const r = flows.delBatch([{ key: { inPort: 1, ethertype: 0x0806 } }]);
   * console.log(r.ok, r.errors.map((e) => e.error.code));
   * ```
   */
  delBatch(refs: Iterable<FlowRef>, options: FlowBatchOptions = {}): FlowBatchResult {
    checkIterable(refs, "delete flows", "refs");
    return this.#batch(refs, options, (enc, w, ref) => enc.encodeDel(w, ref));
  }

  /**
   * Runs many flow commands (new, set, del, in any mix), `chunk` requests per `sendmsg`, in
   * order; reports each refusal with its index instead of throwing. Requests are encoded
   * straight into one buffer per chunk and sent on a socket of the table's own; only the last
   * request of a chunk asks for an acknowledgement (the kernel reports failures anyway), so
   * the kernel queues one answer per chunk instead of one per flow. Memory stays bounded for
   * any number of operations (pass a generator for huge inputs). A mask object or an action
   * array shared by many operations is encoded once: do not change it during the call. A
   * malformed operation (TypeError/RangeError naming its index) ends the batch; the chunks
   * before it were sent.
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * const key = { inPort: 1, ethertype: 0x0806 };
   * const r = flows.batch([
   *   { op: "new", flow: { key, actions: [] } },
   *   { op: "set", update: { key, actions: [{ kind: "output", value: 2 }] }, clear: true },
   *   { op: "del", ref: { key } },
   * ]);
   * console.log(r.ok); // 3
   * ```
   */
  batch(ops: Iterable<FlowOp>, options: FlowBatchOptions = {}): FlowBatchResult {
    checkIterable(ops, "run flow batch", "ops");
    return this.#batch(ops, options, (enc, w, o) => enc.encode(w, o));
  }

  /**
   * {@link FlowTable.batch} of `items`, each appended by `encodeOne` (which returns its
   * operation): newBatch and delBatch hand their flows and refs over as they are, without an
   * operation object per item.
   */
  #batch<T>(
    items: Iterable<T>,
    options: FlowBatchOptions,
    encodeOne: (enc: BulkEncoder, w: NetlinkWriter, item: T) => FlowOp["op"],
  ): FlowBatchResult {
    const chunk = checkBatchOptions(options, "run flow batch");
    const sock = this.#genl.socket;
    this.#bulkBuffers(sock, options.rcvbuf ?? 4 << 20);
    const result: FlowBatchResult = { ok: 0, errors: [] };
    const w = this.#bulkWriter.reset();
    const enc = new BulkEncoder(this.family, this.dpIfindex, options.probe ?? false);
    const names: string[] = [];
    let base = 0, sinceProgress = 0;
    const send = () => {
      const n = names.length;
      if (n === 0) return;
      // Only the last request asks for an acknowledgement: the kernel answers failures anyway,
      // so a chunk costs one acknowledgement, not one per flow.
      const failed = sock.sendBatchSync(w.bytes(), {
        ack: "last",
        operation: (i) => `ovs_flow.${names[i]}`,
        timeoutMs: options.timeoutMs,
      });
      for (const f of failed) result.errors.push({ index: base + f.index, error: f.error });
      result.ok += n - failed.length;
      base += n;
      sinceProgress += n;
      names.length = 0;
      w.reset();
      if (options.onProgress && (sinceProgress >= 4096 || n < chunk)) {
        sinceProgress = 0;
        options.onProgress(base, result.errors.length);
      }
    };
    for (const item of items) {
      let op: FlowOp["op"];
      try {
        op = encodeOne(enc, w, item);
      } catch (e) {
        if (e instanceof TypeError || e instanceof RangeError) {
          const inner = e.message.replace(/^Cannot run flow batch: /, "");
          e.message = `Cannot run flow batch: operation ${base + names.length}: ${inner}`;
        }
        w.truncate(enc.messageStart);
        send();
        throw e;
      }
      names.push(op);
      if (names.length >= chunk || w.length >= BULK_BYTES) send();
    }
    send();
    if (options.onProgress && sinceProgress) options.onProgress(base, result.errors.length);
    return result;
  }

  readonly #bulkWriter = new NetlinkWriter(BULK_BYTES + 8192);

  /** Raises the socket's buffers for bulk requests (a chunk goes out in one datagram). */
  #bulkBuffers(sock: NetlinkSocket, rcvbuf: number): void {
    let b = bulkBuffers.get(sock);
    if (b === undefined) bulkBuffers.set(sock, b = { snd: 0, rcv: 0 });
    if (b.snd === 0) {
      setBuffer(sock, SO.SNDBUFFORCE, SO.SNDBUF, 4 * BULK_BYTES);
      b.snd = 4 * BULK_BYTES;
    }
    if (rcvbuf > b.rcv) {
      // Only failures and one acknowledgement per chunk are queued: the default would do too.
      setBuffer(sock, SO.RCVBUFFORCE, SO.RCVBUF, rcvbuf);
      b.rcv = rcvbuf;
    }
  }

  /**
   * Follows the `ovs_flow` multicast group on a socket of its own: flows created, modified or
   * deleted in this datapath (every datapath with `anyDatapath`), by anyone. The group is
   * joined before this returns. Close the subscription (or end the iteration) to release it.
   *
   * @example
   * ```ts
   * import { FlowTable, formatFlowKey } from "@nlts/netlink/ovs";
   * using flows = FlowTable.openSync("dp0");
   * using events = flows.subscribe();
   * for await (const e of events) console.log(e.event, e.flow.key && formatFlowKey(e.flow.key, e.flow.mask));
   * ```
   */
  subscribe(
    options: { signal?: AbortSignal; anyDatapath?: boolean } = {},
  ): Subscription<FlowEvent> {
    checkOptions(options, "subscribe to flows");
    const sub = this.family.subscribe(["ovs_flow"], { signal: options.signal });
    const dp = options.anyDatapath ? 0 : this.dpIfindex;
    return subscriptionOf(() => sub, (n): FlowEvent | undefined => {
      const h = n.header as { dpIfindex: number };
      if (dp !== 0 && h.dpIfindex !== dp) return undefined;
      return { event: n.event, flow: toFlow(h.dpIfindex, n.attrs as FlowAttrs) };
    }, () => sub.close());
  }

  /**
   * Closes the table's bulk socket, and its main socket when the table opened it itself
   * ({@link FlowTable.open} without a source).
   *
   * @example
   * ```ts
   * import { FlowTable } from "@nlts/netlink/ovs";
   * const flows = FlowTable.openSync("dp0");
   * flows.close();
   * ```
   */
  close(): void {
    if (this.#owned) this.#genl.close();
  }

  /** Same as {@link FlowTable.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link FlowTable.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

/**
 * The ifindex of datapath `dp` (a name, `system@NAME` or an ifindex) on `genl`. An unknown
 * name raises NetlinkError ENODEV.
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { resolveDatapath } from "@nlts/netlink/ovs";
 * using genl = GenlSocket.open();
 * console.log(resolveDatapath(genl, "system@dp0"));
 * ```
 */
export function resolveDatapath(genl: GenlSocket, dp: DatapathRef): number {
  if (typeof dp === "number") {
    if (!Number.isInteger(dp) || dp <= 0 || dp > 0x7fff_ffff) {
      throw new RangeError(`Cannot address datapath ${dp}: an ifindex is a positive integer`);
    }
    return dp;
  }
  if (typeof dp !== "string" || dp === "") {
    throw new TypeError(`Cannot address datapath ${String(dp)}: expected a name or an ifindex`);
  }
  const name = datapathName(dp);
  const [m] = genl.family(ovsDatapath).requestSync("get", { name }, {
    header: { dpIfindex: 0 },
  });
  if (!m) throw new NetlinkError(ERRNO.ENODEV, { operation: `ovs_datapath.get ${name}` });
  return m.header.dpIfindex;
}

/** Checks the options of a flow batch; returns the chunk size. */
function checkBatchOptions(options: unknown, verb: string): number {
  const o = checkOptions<FlowBatchOptions>(options, verb);
  const chunk = checkOptionalInt(o.chunk, verb, "chunk", 1, 1024, 512);
  checkBoolean(o.probe, verb, "probe", false);
  checkOptionalInt(o.rcvbuf, verb, "rcvbuf", 0, 0x7fffffff, 0);
  checkFunction(o.onProgress, verb, "onProgress", true);
  checkTimeout(o.timeoutMs, verb, 5000);
  return chunk;
}

/** Checks that `v` is an iterable of items (an array, a Set, a generator), not a string. */
function checkIterable(v: unknown, verb: string, what: string): void {
  if (
    typeof v !== "object" || v === null ||
    typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `Cannot ${verb}: ${what} must be an iterable (e.g. an array), not ${describeValue(v)}`,
    );
  }
}
