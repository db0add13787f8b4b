/**
 * The `ovs_flow` attribute set (`OVS_FLOW_ATTR_*`) of the flow model, and byte helpers:
 * encode/decode a flow key or an action list on its own (the payload of
 * `OVS_FLOW_ATTR_KEY` / `OVS_FLOW_ATTR_ACTIONS`), UFID text. Pure: no I/O.
 *
 * @module
 */

import {
  type AttrSet,
  attrSet,
  type Codec,
  type DecodedAttrs,
  type FixedCodec,
  NetlinkWriter,
  type PadCodec,
  t,
} from "../protocol/mod.ts";
import { DecodeContext, EncodeContext } from "../protocol/schema_context.ts";
import { type Action, actionList } from "./actions.ts";
import { OVS_CRUD_CMD } from "./common.ts";
import { type FlowKey, flowKeyAttrs } from "./keys.ts";

/**
 * `ovs_flow` commands (`OVS_FLOW_CMD_*`): the table the three CRUD families share,
 * {@link OVS_CRUD_CMD}.
 *
 * @example
 * ```ts
 * import { OVS_FLOW_CMD } from "@nlts/netlink/ovs";
 * console.log(OVS_FLOW_CMD.GET); // 3
 * ```
 */
export const OVS_FLOW_CMD: typeof OVS_CRUD_CMD = OVS_CRUD_CMD;

/**
 * `ovs_flow` attributes (`OVS_FLOW_ATTR_*`).
 *
 * @example
 * ```ts
 * import { OVS_FLOW_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_FLOW_ATTR.UFID); // 9
 * ```
 */
export const OVS_FLOW_ATTR: {
  readonly UNSPEC: 0;
  readonly KEY: 1;
  readonly ACTIONS: 2;
  readonly STATS: 3;
  readonly TCP_FLAGS: 4;
  readonly USED: 5;
  readonly CLEAR: 6;
  readonly MASK: 7;
  readonly PROBE: 8;
  readonly UFID: 9;
  readonly UFID_FLAGS: 10;
  readonly PAD: 11;
} = {
  UNSPEC: 0,
  KEY: 1,
  ACTIONS: 2,
  STATS: 3,
  TCP_FLAGS: 4,
  USED: 5,
  CLEAR: 6,
  MASK: 7,
  PROBE: 8,
  UFID: 9,
  UFID_FLAGS: 10,
  PAD: 11,
} as const;

/**
 * UFID flags (`OVS_UFID_F_*`): leave the key, mask or actions out of replies.
 *
 * @example
 * ```ts
 * import { OVS_UFID_F } from "@nlts/netlink/ovs";
 * console.log(OVS_UFID_F.OMIT_ACTIONS); // 4
 * ```
 */
export const OVS_UFID_F: {
  readonly OMIT_KEY: 1;
  readonly OMIT_MASK: 2;
  readonly OMIT_ACTIONS: 4;
} = { OMIT_KEY: 1, OMIT_MASK: 2, OMIT_ACTIONS: 4 } as const;

/**
 * The codecs of {@link flowAttrs}, by key.
 */
export type FlowAttrCodecs = {
  /** `OVS_FLOW_ATTR_KEY`. */
  key: Codec<FlowKey, FlowKey>;
  /** `OVS_FLOW_ATTR_ACTIONS`. */
  actions: Codec<Action[], readonly Action[]>;
  /** `OVS_FLOW_ATTR_STATS`. */
  stats: FixedCodec<
    { packets: bigint; bytes: bigint },
    { readonly packets: bigint | number; readonly bytes: bigint | number }
  >;
  /** `OVS_FLOW_ATTR_TCP_FLAGS`. */
  tcpFlags: FixedCodec<number>;
  /** `OVS_FLOW_ATTR_USED`. */
  used: FixedCodec<bigint, bigint | number>;
  /** `OVS_FLOW_ATTR_CLEAR`. */
  clear: Codec<true, boolean>;
  /** `OVS_FLOW_ATTR_MASK`. */
  mask: Codec<FlowKey, FlowKey>;
  /** `OVS_FLOW_ATTR_PROBE`. */
  probe: Codec<true, boolean>;
  /** `OVS_FLOW_ATTR_UFID`. */
  ufid: Codec<Uint8Array>;
  /** `OVS_FLOW_ATTR_UFID_FLAGS`. */
  ufidFlags: FixedCodec<number>;
  /** `OVS_FLOW_ATTR_PAD`. */
  pad: PadCodec;
};

/**
 * A decoded `ovs_flow` message's attributes: what a flow dump or a flow notification holds.
 *
 * @example
 * ```ts
 * import type { FlowAttrs } from "@nlts/netlink/ovs";
 * const f: FlowAttrs = { key: { inPort: 1 }, actions: [{ kind: "output", value: 2 }] };
 * ```
 */
export type FlowAttrs = DecodedAttrs<FlowAttrCodecs>;

/**
 * The `ovs_flow` attributes (`flow-attrs`): key and mask are {@link FlowKey}s, actions an
 * ordered {@link Action} list, stats `{ packets, bytes }`, `used` the CLOCK_MONOTONIC
 * millisecond of the last packet.
 *
 * @example
 * ```ts
 * import { flowAttrs } from "@nlts/netlink/ovs";
 * import { NetlinkWriter } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * flowAttrs.encode(w, { key: { inPort: 1 }, actions: [{ kind: "output", value: 2 }] });
 * console.log(flowAttrs.decode(w.bytes()).actions); // [ { kind: "output", value: 2 } ]
 * ```
 */
export const flowAttrs: AttrSet<FlowAttrCodecs> = attrSet("flow-attrs", {
  key: [OVS_FLOW_ATTR.KEY, t.nest(flowKeyAttrs, { nestedFlag: false }) as Codec<FlowKey, FlowKey>],
  actions: [OVS_FLOW_ATTR.ACTIONS, actionList as unknown as Codec<Action[], readonly Action[]>],
  stats: [OVS_FLOW_ATTR.STATS, t.struct("ovs-flow-stats", { packets: t.u64(), bytes: t.u64() })],
  tcpFlags: [OVS_FLOW_ATTR.TCP_FLAGS, t.u8()],
  used: [OVS_FLOW_ATTR.USED, t.u64()],
  clear: [OVS_FLOW_ATTR.CLEAR, t.flag()],
  mask: [
    OVS_FLOW_ATTR.MASK,
    t.nest(flowKeyAttrs, { nestedFlag: false }) as Codec<FlowKey, FlowKey>,
  ],
  probe: [OVS_FLOW_ATTR.PROBE, t.flag()],
  ufid: [OVS_FLOW_ATTR.UFID, t.binary({ minLength: 1, maxLength: 16 })],
  ufidFlags: [OVS_FLOW_ATTR.UFID_FLAGS, t.u32()],
  pad: [OVS_FLOW_ATTR.PAD, t.pad()],
});

/**
 * Encodes a flow key (or mask) as the run of `OVS_KEY_ATTR_*` attributes that
 * `OVS_FLOW_ATTR_KEY`, `OVS_FLOW_ATTR_MASK` and `OVS_PACKET_ATTR_KEY` carry.
 *
 * @example
 * ```ts
 * import { encodeFlowKey } from "@nlts/netlink/ovs";
 * console.log(encodeFlowKey({ inPort: 1 })); // Uint8Array(8) [ 8, 0, 3, 0, 1, 0, 0, 0 ]
 * ```
 */
export function encodeFlowKey(key: FlowKey): Uint8Array {
  const w = new NetlinkWriter(256);
  flowKeyAttrs.encode(w, key);
  return w.copy();
}

/**
 * Decodes a run of `OVS_KEY_ATTR_*` attributes (a key or a mask). Raises DecodeError on
 * malformed input.
 *
 * @example
 * ```ts
 * import { decodeFlowKey, encodeFlowKey } from "@nlts/netlink/ovs";
 * console.log(decodeFlowKey(encodeFlowKey({ inPort: 1 }))); // { inPort: 1 }
 * ```
 */
export function decodeFlowKey(bytes: Uint8Array): FlowKey {
  return flowKeyAttrs.decode(bytes) as FlowKey;
}

/**
 * Encodes an action list as the run of `OVS_ACTION_ATTR_*` attributes that
 * `OVS_FLOW_ATTR_ACTIONS` and `OVS_PACKET_ATTR_ACTIONS` carry.
 *
 * @example
 * ```ts
 * import { encodeActions } from "@nlts/netlink/ovs";
 * console.log(encodeActions([{ kind: "output", value: 2 }]).length); // 8
 * ```
 */
export function encodeActions(actions: readonly Action[]): Uint8Array {
  const w = new NetlinkWriter(256);
  actionList.encode(w, actions as never, new EncodeContext("actions"));
  return w.copy();
}

/**
 * Decodes a run of `OVS_ACTION_ATTR_*` attributes into an ordered {@link Action} list.
 * Raises DecodeError on malformed input; unknown action types come back as
 * `{ kind: "unknown", type, bytes }`.
 *
 * @example
 * ```ts
 * import { decodeActions, encodeActions } from "@nlts/netlink/ovs";
 * console.log(decodeActions(encodeActions([{ kind: "popVlan", value: true }])));
 * // [ { kind: "popVlan", value: true } ]
 * ```
 */
export function decodeActions(bytes: Uint8Array): Action[] {
  const c = new DecodeContext(bytes, { path: "actions" });
  return actionList.decode(c, 0, bytes.length) as Action[];
}

const HEX = "0123456789abcdef";

function hex32(n: number, digits: number): string {
  let s = "";
  for (let i = digits - 1; i >= 0; i--) s += HEX[(n >>> (i * 4)) & 0xf];
  return s;
}

/**
 * Formats a UFID (`OVS_FLOW_ATTR_UFID`, 16 bytes) as Open vSwitch does: the bytes read as four
 * host-order (little-endian) 32-bit words, printed like a UUID. Shorter UFIDs are zero-filled.
 *
 * @example
 * ```ts
 * import { formatUfid } from "@nlts/netlink/ovs";
 * const b = new Uint8Array(16);
 * b[0] = 1;
 * console.log(formatUfid(b)); // "00000001-0000-0000-0000-000000000000"
 * ```
 */
export function formatUfid(ufid: Uint8Array): string {
  const b = new Uint8Array(16);
  b.set(ufid.subarray(0, 16));
  const v = new DataView(b.buffer);
  const p0 = v.getUint32(0, true), p1 = v.getUint32(4, true);
  const p2 = v.getUint32(8, true), p3 = v.getUint32(12, true);
  return `${hex32(p0, 8)}-${hex32(p1 >>> 16, 4)}-${hex32(p1 & 0xffff, 4)}-${hex32(p2 >>> 16, 4)}-${
    hex32(p2 & 0xffff, 4)
  }${hex32(p3, 8)}`;
}

const UFID_RE =
  /^([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})$/;

/**
 * Parses UFID text (as {@link formatUfid} prints it) into its 16 bytes; RangeError when the
 * text is not a UUID.
 *
 * @example
 * ```ts
 * import { formatUfid, parseUfid } from "@nlts/netlink/ovs";
 * const u = parseUfid("c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f");
 * console.log(formatUfid(u)); // "c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f"
 * ```
 */
export function parseUfid(text: string): Uint8Array {
  const m = UFID_RE.exec(text);
  if (m === null) {
    throw new RangeError(
      `Cannot parse UFID: "${text}" is not of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
    );
  }
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint32(0, parseInt(m[1], 16), true);
  v.setUint32(4, ((parseInt(m[2], 16) << 16) | parseInt(m[3], 16)) >>> 0, true);
  v.setUint32(8, ((parseInt(m[4], 16) << 16) | parseInt(m[5].slice(0, 4), 16)) >>> 0, true);
  v.setUint32(12, parseInt(m[5].slice(4), 16), true);
  return b;
}
