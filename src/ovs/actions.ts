/**
 * The Open vSwitch datapath action model (`<linux/openvswitch.h>`): attribute numbers in
 * kernel spelling (`OVS_ACTION_ATTR.OUTPUT`) and the attribute sets that encode and decode an
 * ordered action list (`OVS_ACTION_ATTR_*`) with its nested attributes (userspace, sample, ct
 * and nat, check_pkt_len, dec_ttl, psample). Pure: no I/O.
 *
 * An action list decodes to `{ kind, value }` items in wire order ({@link Action}); actions a
 * newer kernel adds come back as `{ kind: "unknown", type, bytes }` and encode back in place.
 * Covers every action of Linux 6.1's header and of the newest kernels (`drop`, `psample`).
 *
 * @module
 */

import {
  type AttrSet,
  attrSet,
  type Codec,
  type FixedCodec,
  type ListOf,
  t,
  type UnknownItem,
} from "../protocol/schema.ts";
import { natAddress, type SetMasked, setMasked } from "./actions_codecs.ts";
import { type FlowKey, flowKeyAttrs, ovsKeyEthernet } from "./keys.ts";

export type { SetMasked } from "./actions_codecs.ts";

/**
 * Action types (`OVS_ACTION_ATTR_*`). `DROP` (Linux 6.4+) and `PSAMPLE` (Linux 6.11+) are
 * newer than the 6.1 header; `TUNNEL_PUSH`, `TUNNEL_POP` and `LB_OUTPUT` exist only in the
 * Open vSwitch userspace datapath (numbers from its copy of the header) and are listed in
 * {@link OVS_USERSPACE_ACTION_ATTR}.
 *
 * @example
 * ```ts
 * import { OVS_ACTION_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_ACTION_ATTR.CT); // 12
 * ```
 */
export const OVS_ACTION_ATTR: {
  readonly UNSPEC: 0;
  readonly OUTPUT: 1;
  readonly USERSPACE: 2;
  readonly SET: 3;
  readonly PUSH_VLAN: 4;
  readonly POP_VLAN: 5;
  readonly SAMPLE: 6;
  readonly RECIRC: 7;
  readonly HASH: 8;
  readonly PUSH_MPLS: 9;
  readonly POP_MPLS: 10;
  readonly SET_MASKED: 11;
  readonly CT: 12;
  readonly TRUNC: 13;
  readonly PUSH_ETH: 14;
  readonly POP_ETH: 15;
  readonly CT_CLEAR: 16;
  readonly PUSH_NSH: 17;
  readonly POP_NSH: 18;
  readonly METER: 19;
  readonly CLONE: 20;
  readonly CHECK_PKT_LEN: 21;
  readonly ADD_MPLS: 22;
  readonly DEC_TTL: 23;
  readonly DROP: 24;
  readonly PSAMPLE: 25;
} = {
  UNSPEC: 0,
  OUTPUT: 1,
  USERSPACE: 2,
  SET: 3,
  PUSH_VLAN: 4,
  POP_VLAN: 5,
  SAMPLE: 6,
  RECIRC: 7,
  HASH: 8,
  PUSH_MPLS: 9,
  POP_MPLS: 10,
  SET_MASKED: 11,
  CT: 12,
  TRUNC: 13,
  PUSH_ETH: 14,
  POP_ETH: 15,
  CT_CLEAR: 16,
  PUSH_NSH: 17,
  POP_NSH: 18,
  METER: 19,
  CLONE: 20,
  CHECK_PKT_LEN: 21,
  ADD_MPLS: 22,
  DEC_TTL: 23,
  DROP: 24,
  PSAMPLE: 25,
} as const;

/**
 * Actions of the Open vSwitch userspace datapath only, with the numbers of its private header
 * since Open vSwitch 3.4 (before, 23..26 overlapped the kernel's dec_ttl, drop and psample).
 * The kernel rejects them; the text parser names them in its error.
 *
 * @example
 * ```ts
 * import { OVS_USERSPACE_ACTION_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_USERSPACE_ACTION_ATTR.TUNNEL_POP); // 27
 * ```
 */
export const OVS_USERSPACE_ACTION_ATTR: {
  readonly TUNNEL_PUSH: 26;
  readonly TUNNEL_POP: 27;
  readonly LB_OUTPUT: 28;
} = { TUNNEL_PUSH: 26, TUNNEL_POP: 27, LB_OUTPUT: 28 } as const;

/**
 * `OVS_USERSPACE_ATTR_*`.
 *
 * @example
 * ```ts
 * import { OVS_USERSPACE_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_USERSPACE_ATTR.USERDATA); // 2
 * ```
 */
export const OVS_USERSPACE_ATTR: {
  readonly UNSPEC: 0;
  readonly PID: 1;
  readonly USERDATA: 2;
  readonly EGRESS_TUN_PORT: 3;
  readonly ACTIONS: 4;
} = { UNSPEC: 0, PID: 1, USERDATA: 2, EGRESS_TUN_PORT: 3, ACTIONS: 4 } as const;

/**
 * `OVS_SAMPLE_ATTR_*`.
 *
 * @example
 * ```ts
 * import { OVS_SAMPLE_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_SAMPLE_ATTR.ACTIONS); // 2
 * ```
 */
export const OVS_SAMPLE_ATTR: {
  readonly UNSPEC: 0;
  readonly PROBABILITY: 1;
  readonly ACTIONS: 2;
} = { UNSPEC: 0, PROBABILITY: 1, ACTIONS: 2 } as const;

/**
 * `OVS_CT_ATTR_*`.
 *
 * @example
 * ```ts
 * import { OVS_CT_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_CT_ATTR.NAT); // 6
 * ```
 */
export const OVS_CT_ATTR: {
  readonly UNSPEC: 0;
  readonly COMMIT: 1;
  readonly ZONE: 2;
  readonly MARK: 3;
  readonly LABELS: 4;
  readonly HELPER: 5;
  readonly NAT: 6;
  readonly FORCE_COMMIT: 7;
  readonly EVENTMASK: 8;
  readonly TIMEOUT: 9;
} = {
  UNSPEC: 0,
  COMMIT: 1,
  ZONE: 2,
  MARK: 3,
  LABELS: 4,
  HELPER: 5,
  NAT: 6,
  FORCE_COMMIT: 7,
  EVENTMASK: 8,
  TIMEOUT: 9,
} as const;

/**
 * `OVS_NAT_ATTR_*`.
 *
 * @example
 * ```ts
 * import { OVS_NAT_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_NAT_ATTR.PROTO_RANDOM); // 9
 * ```
 */
export const OVS_NAT_ATTR: {
  readonly UNSPEC: 0;
  readonly SRC: 1;
  readonly DST: 2;
  readonly IP_MIN: 3;
  readonly IP_MAX: 4;
  readonly PROTO_MIN: 5;
  readonly PROTO_MAX: 6;
  readonly PERSISTENT: 7;
  readonly PROTO_HASH: 8;
  readonly PROTO_RANDOM: 9;
} = {
  UNSPEC: 0,
  SRC: 1,
  DST: 2,
  IP_MIN: 3,
  IP_MAX: 4,
  PROTO_MIN: 5,
  PROTO_MAX: 6,
  PERSISTENT: 7,
  PROTO_HASH: 8,
  PROTO_RANDOM: 9,
} as const;

/**
 * `OVS_CHECK_PKT_LEN_ATTR_*`.
 *
 * @example
 * ```ts
 * import { OVS_CHECK_PKT_LEN_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_CHECK_PKT_LEN_ATTR.ACTIONS_IF_LESS_EQUAL); // 3
 * ```
 */
export const OVS_CHECK_PKT_LEN_ATTR: {
  readonly UNSPEC: 0;
  readonly PKT_LEN: 1;
  readonly ACTIONS_IF_GREATER: 2;
  readonly ACTIONS_IF_LESS_EQUAL: 3;
} = { UNSPEC: 0, PKT_LEN: 1, ACTIONS_IF_GREATER: 2, ACTIONS_IF_LESS_EQUAL: 3 } as const;

/**
 * `OVS_DEC_TTL_ATTR_*`.
 *
 * @example
 * ```ts
 * import { OVS_DEC_TTL_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_DEC_TTL_ATTR.ACTION); // 1
 * ```
 */
export const OVS_DEC_TTL_ATTR: { readonly UNSPEC: 0; readonly ACTION: 1 } = {
  UNSPEC: 0,
  ACTION: 1,
} as const;

/**
 * `OVS_PSAMPLE_ATTR_*` (Linux 6.11+); the cookie holds at most
 * `OVS_PSAMPLE_COOKIE_MAX_SIZE` (16) bytes.
 *
 * @example
 * ```ts
 * import { OVS_PSAMPLE_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_PSAMPLE_ATTR.COOKIE); // 2
 * ```
 */
export const OVS_PSAMPLE_ATTR: { readonly GROUP: 1; readonly COOKIE: 2 } = {
  GROUP: 1,
  COOKIE: 2,
} as const;

/**
 * Hash algorithms of the `hash` action (`OVS_HASH_ALG_*`; `SYM_L4` is userspace only).
 *
 * @example
 * ```ts
 * import { OVS_HASH_ALG } from "@nlts/netlink/ovs";
 * console.log(OVS_HASH_ALG.L4); // 0
 * ```
 */
export const OVS_HASH_ALG: { readonly L4: 0; readonly SYM_L4: 1 } = { L4: 0, SYM_L4: 1 } as const;

/**
 * The `userspace` action (`OVS_USERSPACE_ATTR_*`).
 *
 * @example
 * ```ts
 * import type { UserspaceAction } from "@nlts/netlink/ovs";
 * const u: UserspaceAction = { pid: 6633, userdata: new Uint8Array(8), actions: true };
 * ```
 */
export interface UserspaceAction {
  /** Netlink port id to send the upcall to. */
  pid?: number;
  /** Opaque cookie copied into the upcall. */
  userdata?: Uint8Array;
  /** Tunnel port whose egress key the upcall carries. */
  egressTunPort?: number;
  /** Include the actions in the upcall. */
  actions?: true;
}

/**
 * `struct ovs_action_push_vlan`.
 *
 * @example
 * ```ts
 * import type { PushVlan } from "@nlts/netlink/ovs";
 * const v: PushVlan = { tpid: 0x8100, tci: 0x1000 | 12 };
 * ```
 */
export interface PushVlan {
  /** Tag protocol identifier (0x8100 or 0x88a8). */
  tpid: number;
  /** Tag control information; the CFI bit (0x1000) must be set. */
  tci: number;
}

/**
 * `struct ovs_action_hash`.
 *
 * @example
 * ```ts
 * import type { HashAction } from "@nlts/netlink/ovs";
 * const h: HashAction = { alg: 0, basis: 0 };
 * ```
 */
export interface HashAction {
  /** One of {@link OVS_HASH_ALG}. */
  alg: number;
  /** Hash basis. */
  basis: number;
}

/**
 * `struct ovs_action_push_mpls`.
 *
 * @example
 * ```ts
 * import type { PushMpls } from "@nlts/netlink/ovs";
 * const m: PushMpls = { lse: (100 << 12) | (1 << 8) | 64, ethertype: 0x8847 };
 * ```
 */
export interface PushMpls {
  /** Label stack entry. */
  lse: number;
  /** 0x8847 (unicast) or 0x8848 (multicast). */
  ethertype: number;
}

/**
 * `struct ovs_action_add_mpls`.
 *
 * @example
 * ```ts
 * import type { AddMpls } from "@nlts/netlink/ovs";
 * const m: AddMpls = { lse: (200 << 12) | (7 << 9) | (1 << 8) | 64, ethertype: 0x8847, tunFlags: 0 };
 * ```
 */
export interface AddMpls extends PushMpls {
  /** Bit 0: insert at the L3 header instead of the start of the packet. */
  tunFlags: number;
}

/**
 * `struct ovs_action_push_eth`.
 *
 * @example
 * ```ts
 * import type { PushEth } from "@nlts/netlink/ovs";
 * const e: PushEth = { src: "00:01:02:03:04:05", dst: "10:11:12:13:14:15" };
 * ```
 */
export interface PushEth {
  /** Source MAC address. */
  src: string;
  /** Destination MAC address. */
  dst: string;
}

/**
 * The `sample` action (`OVS_SAMPLE_ATTR_*`).
 *
 * @example
 * ```ts
 * import type { SampleAction } from "@nlts/netlink/ovs";
 * const s: SampleAction = { probability: 0xffffffff, actions: [{ kind: "output", value: 1 }] };
 * ```
 */
export interface SampleAction {
  /** Fraction of packets sampled, out of 0xffffffff. */
  probability?: number;
  /** Actions run on sampled packets. */
  actions?: Action[];
}

/**
 * A 32-bit value and mask (ct `mark`).
 *
 * @example
 * ```ts
 * import type { CtMark } from "@nlts/netlink/ovs";
 * const m: CtMark = { value: 1, mask: 0xffffffff };
 * ```
 */
export interface CtMark {
  /** Value. */
  value: number;
  /** Mask. */
  mask: number;
}

/**
 * A 128-bit value and mask (ct `labels`), 16 raw bytes each.
 *
 * @example
 * ```ts
 * import type { CtLabels } from "@nlts/netlink/ovs";
 * const l: CtLabels = { value: new Uint8Array(16), mask: new Uint8Array(16).fill(0xff) };
 * ```
 */
export interface CtLabels {
  /** Value. */
  value: Uint8Array;
  /** Mask. */
  mask: Uint8Array;
}

/**
 * The `nat` part of a ct action (`OVS_NAT_ATTR_*`).
 *
 * @example
 * ```ts
 * import type { NatAction } from "@nlts/netlink/ovs";
 * const n: NatAction = { src: true, ipMin: "10.0.0.240", protoMin: 32768, protoMax: 65535, protoRandom: true };
 * ```
 */
export interface NatAction {
  /** Source NAT. */
  src?: true;
  /** Destination NAT. */
  dst?: true;
  /** First address of the range (IPv4 or IPv6 text). */
  ipMin?: string;
  /** Last address of the range. */
  ipMax?: string;
  /** First port of the range. */
  protoMin?: number;
  /** Last port of the range. */
  protoMax?: number;
  /** Persistent mapping. */
  persistent?: true;
  /** Hash-based port selection. */
  protoHash?: true;
  /** Random port selection. */
  protoRandom?: true;
}

/**
 * The `ct` action (`OVS_CT_ATTR_*`).
 *
 * @example
 * ```ts
 * import type { CtAction } from "@nlts/netlink/ovs";
 * const ct: CtAction = { commit: true, zone: 5, nat: { src: true, ipMin: "10.0.0.240" } };
 * ```
 */
export interface CtAction {
  /** Commit the connection. */
  commit?: true;
  /** Zone. */
  zone?: number;
  /** Mark to set. */
  mark?: CtMark;
  /** Labels to set. */
  labels?: CtLabels;
  /** Connection helper name ("ftp"). */
  helper?: string;
  /** NAT. */
  nat?: NatAction;
  /** Commit, replacing a connection of the other direction. */
  forceCommit?: true;
  /** Events to deliver (IPCT_* bits). */
  eventmask?: number;
  /** Timeout policy name. */
  timeout?: string;
}

/**
 * The `check_pkt_len` action (`OVS_CHECK_PKT_LEN_ATTR_*`).
 *
 * @example
 * ```ts
 * import type { CheckPktLen } from "@nlts/netlink/ovs";
 * const c: CheckPktLen = { pktLen: 200, actionsIfGreater: [], actionsIfLessEqual: [{ kind: "output", value: 5 }] };
 * ```
 */
export interface CheckPktLen {
  /** Length to compare with. */
  pktLen?: number;
  /** Actions when the packet is longer. */
  actionsIfGreater?: Action[];
  /** Actions otherwise. */
  actionsIfLessEqual?: Action[];
}

/**
 * The `dec_ttl` action (`OVS_DEC_TTL_ATTR_*`): actions run when the TTL would reach 0.
 *
 * @example
 * ```ts
 * import type { DecTtl } from "@nlts/netlink/ovs";
 * const d: DecTtl = { action: [] };
 * ```
 */
export interface DecTtl {
  /** Actions for packets whose TTL is 1 or less. */
  action?: Action[];
}

/**
 * The `psample` action (`OVS_PSAMPLE_ATTR_*`).
 *
 * @example
 * ```ts
 * import type { PsampleAction } from "@nlts/netlink/ovs";
 * const p: PsampleAction = { group: 12, cookie: new Uint8Array([0xf1, 2, 3, 4]) };
 * ```
 */
export interface PsampleAction {
  /** psample group. */
  group?: number;
  /** Up to 16 bytes of user cookie. */
  cookie?: Uint8Array;
}

/**
 * One datapath action: `{ kind, value }` (flag actions have `value: true`), or an action
 * type this model does not know, kept as `{ kind: "unknown", type, bytes }`.
 *
 * @example
 * ```ts
 * import type { Action } from "@nlts/netlink/ovs";
 * const actions: Action[] = [
 *   { kind: "pushVlan", value: { tpid: 0x8100, tci: 0x1000 | 12 } },
 *   { kind: "ct", value: { commit: true, zone: 5 } },
 *   { kind: "output", value: 2 },
 * ];
 * ```
 */
export type Action =
  | { kind: "output"; value: number }
  | { kind: "userspace"; value: UserspaceAction }
  | { kind: "set"; value: FlowKey }
  | { kind: "pushVlan"; value: PushVlan }
  | { kind: "popVlan"; value: true }
  | { kind: "sample"; value: SampleAction }
  | { kind: "recirc"; value: number }
  | { kind: "hash"; value: HashAction }
  | { kind: "pushMpls"; value: PushMpls }
  | { kind: "popMpls"; value: number }
  | { kind: "setMasked"; value: SetMasked }
  | { kind: "ct"; value: CtAction }
  | { kind: "trunc"; value: number }
  | { kind: "pushEth"; value: PushEth }
  | { kind: "popEth"; value: true }
  | { kind: "ctClear"; value: true }
  | { kind: "pushNsh"; value: FlowKey }
  | { kind: "popNsh"; value: true }
  | { kind: "meter"; value: number }
  | { kind: "clone"; value: Action[] }
  | { kind: "checkPktLen"; value: CheckPktLen }
  | { kind: "addMpls"; value: AddMpls }
  | { kind: "decTtl"; value: DecTtl }
  | { kind: "drop"; value: number }
  | { kind: "psample"; value: PsampleAction }
  | UnknownItem;

/** The kind of an {@link Action} ("output", "ct", ..., "unknown"). */
export type ActionKind = Action["kind"];

/**
 * The codec type of a nested action list (sample, clone, check_pkt_len, dec_ttl).
 *
 * @example
 * ```ts
 * import type { ActionListCodec } from "@nlts/netlink/ovs";
 * import { sampleAttrs } from "@nlts/netlink/ovs";
 * const c: ActionListCodec = sampleAttrs.codecs.actions;
 * ```
 */
export type ActionListCodec = Codec<Action[], readonly Action[]>;

/**
 * `OVS_USERSPACE_ATTR_*` (`userspace-attrs`).
 *
 * @example
 * ```ts
 * import { userspaceAttrs } from "@nlts/netlink/ovs";
 * console.log(userspaceAttrs.nameOf(3)); // "egress-tun-port"
 * ```
 */
export const userspaceAttrs: AttrSet<{
  pid: FixedCodec<number>;
  userdata: Codec<Uint8Array>;
  egressTunPort: FixedCodec<number>;
  actions: Codec<true, boolean>;
}> = attrSet("userspace-attrs", {
  pid: [OVS_USERSPACE_ATTR.PID, t.u32()],
  userdata: [OVS_USERSPACE_ATTR.USERDATA, t.binary()],
  egressTunPort: [OVS_USERSPACE_ATTR.EGRESS_TUN_PORT, t.u32()],
  actions: [OVS_USERSPACE_ATTR.ACTIONS, t.flag()],
});

/**
 * `OVS_NAT_ATTR_*` (`nat-attrs`); `ipMin`/`ipMax` are IPv4 or IPv6 by length.
 *
 * @example
 * ```ts
 * import { natAttrs } from "@nlts/netlink/ovs";
 * console.log(natAttrs.nameOf(3)); // "ip-min"
 * ```
 */
export const natAttrs: AttrSet<{
  src: Codec<true, boolean>;
  dst: Codec<true, boolean>;
  ipMin: Codec<string>;
  ipMax: Codec<string>;
  protoMin: FixedCodec<number>;
  protoMax: FixedCodec<number>;
  persistent: Codec<true, boolean>;
  protoHash: Codec<true, boolean>;
  protoRandom: Codec<true, boolean>;
}> = attrSet("nat-attrs", {
  src: [OVS_NAT_ATTR.SRC, t.flag()],
  dst: [OVS_NAT_ATTR.DST, t.flag()],
  ipMin: [OVS_NAT_ATTR.IP_MIN, natAddress()],
  ipMax: [OVS_NAT_ATTR.IP_MAX, natAddress()],
  protoMin: [OVS_NAT_ATTR.PROTO_MIN, t.u16()],
  protoMax: [OVS_NAT_ATTR.PROTO_MAX, t.u16()],
  persistent: [OVS_NAT_ATTR.PERSISTENT, t.flag()],
  protoHash: [OVS_NAT_ATTR.PROTO_HASH, t.flag()],
  protoRandom: [OVS_NAT_ATTR.PROTO_RANDOM, t.flag()],
});

/**
 * `OVS_CT_ATTR_*` (`ct-attrs`): `mark` is `{ value, mask }` (host order u32s), `labels`
 * `{ value, mask }` (16 raw bytes each).
 *
 * @example
 * ```ts
 * import { ctAttrs } from "@nlts/netlink/ovs";
 * console.log(ctAttrs.nameOf(7)); // "force-commit"
 * ```
 */
export const ctAttrs: AttrSet<{
  commit: Codec<true, boolean>;
  zone: FixedCodec<number>;
  mark: FixedCodec<CtMark>;
  labels: FixedCodec<CtLabels>;
  helper: Codec<string>;
  nat: Codec<NatAction, NatAction>;
  forceCommit: Codec<true, boolean>;
  eventmask: FixedCodec<number>;
  timeout: Codec<string>;
}> = attrSet("ct-attrs", {
  commit: [OVS_CT_ATTR.COMMIT, t.flag()],
  zone: [OVS_CT_ATTR.ZONE, t.u16()],
  mark: [OVS_CT_ATTR.MARK, t.struct("ovs-ct-mark", { value: t.u32(), mask: t.u32() })],
  labels: [
    OVS_CT_ATTR.LABELS,
    t.struct("ovs-ct-labels", {
      value: t.binary({ length: 16 }),
      mask: t.binary({ length: 16 }),
    }),
  ],
  helper: [OVS_CT_ATTR.HELPER, t.string({ maxLength: 15 })],
  nat: [
    OVS_CT_ATTR.NAT,
    t.nest(natAttrs, { nestedFlag: false }) as unknown as Codec<NatAction, NatAction>,
  ],
  forceCommit: [OVS_CT_ATTR.FORCE_COMMIT, t.flag()],
  eventmask: [OVS_CT_ATTR.EVENTMASK, t.u32()],
  timeout: [OVS_CT_ATTR.TIMEOUT, t.string({ maxLength: 31 })],
});

/**
 * `OVS_PSAMPLE_ATTR_*` (`psample-attrs`).
 *
 * @example
 * ```ts
 * import { psampleAttrs } from "@nlts/netlink/ovs";
 * console.log(psampleAttrs.nameOf(1)); // "group"
 * ```
 */
export const psampleAttrs: AttrSet<{
  group: FixedCodec<number>;
  cookie: Codec<Uint8Array>;
}> = attrSet("psample-attrs", {
  group: [OVS_PSAMPLE_ATTR.GROUP, t.u32()],
  cookie: [OVS_PSAMPLE_ATTR.COOKIE, t.binary({ maxLength: 16 })],
});

const nestedActions = (): ActionListCodec =>
  t.lazy((): ActionListCodec =>
    t.list(actionAttrs, { nestedFlag: false }) as unknown as ActionListCodec
  );

/**
 * `OVS_SAMPLE_ATTR_*` (`sample-attrs`).
 *
 * @example
 * ```ts
 * import { sampleAttrs } from "@nlts/netlink/ovs";
 * console.log(sampleAttrs.nameOf(1)); // "probability"
 * ```
 */
export const sampleAttrs: AttrSet<{
  probability: FixedCodec<number>;
  actions: ActionListCodec;
}> = attrSet("sample-attrs", {
  probability: [OVS_SAMPLE_ATTR.PROBABILITY, t.u32()],
  actions: [OVS_SAMPLE_ATTR.ACTIONS, nestedActions()],
});

/**
 * `OVS_CHECK_PKT_LEN_ATTR_*` (`check-pkt-len-attrs`).
 *
 * @example
 * ```ts
 * import { checkPktLenAttrs } from "@nlts/netlink/ovs";
 * console.log(checkPktLenAttrs.nameOf(2)); // "actions-if-greater"
 * ```
 */
export const checkPktLenAttrs: AttrSet<{
  pktLen: FixedCodec<number>;
  actionsIfGreater: ActionListCodec;
  actionsIfLessEqual: ActionListCodec;
}> = attrSet("check-pkt-len-attrs", {
  pktLen: [OVS_CHECK_PKT_LEN_ATTR.PKT_LEN, t.u16()],
  actionsIfGreater: [OVS_CHECK_PKT_LEN_ATTR.ACTIONS_IF_GREATER, nestedActions()],
  actionsIfLessEqual: [OVS_CHECK_PKT_LEN_ATTR.ACTIONS_IF_LESS_EQUAL, nestedActions()],
});

/**
 * `OVS_DEC_TTL_ATTR_*` (`dec-ttl-attrs`).
 *
 * @example
 * ```ts
 * import { decTtlAttrs } from "@nlts/netlink/ovs";
 * console.log(decTtlAttrs.nameOf(1)); // "action"
 * ```
 */
export const decTtlAttrs: AttrSet<{ action: ActionListCodec }> = attrSet("dec-ttl-attrs", {
  action: [OVS_DEC_TTL_ATTR.ACTION, nestedActions()],
});

/** The codecs of {@link actionAttrs}, by kind. */
export type ActionCodecs = {
  /** `OVS_ACTION_ATTR_OUTPUT`. */
  output: FixedCodec<number>;
  /** `OVS_ACTION_ATTR_USERSPACE`. */
  userspace: Codec<UserspaceAction, UserspaceAction>;
  /** `OVS_ACTION_ATTR_SET`. */
  set: Codec<FlowKey, FlowKey>;
  /** `OVS_ACTION_ATTR_PUSH_VLAN`. */
  pushVlan: FixedCodec<PushVlan>;
  /** `OVS_ACTION_ATTR_POP_VLAN`. */
  popVlan: Codec<true, boolean>;
  /** `OVS_ACTION_ATTR_SAMPLE`. */
  sample: Codec<SampleAction, SampleAction>;
  /** `OVS_ACTION_ATTR_RECIRC`. */
  recirc: FixedCodec<number>;
  /** `OVS_ACTION_ATTR_HASH`. */
  hash: FixedCodec<HashAction>;
  /** `OVS_ACTION_ATTR_PUSH_MPLS`. */
  pushMpls: FixedCodec<PushMpls>;
  /** `OVS_ACTION_ATTR_POP_MPLS`. */
  popMpls: FixedCodec<number>;
  /** `OVS_ACTION_ATTR_SET_MASKED`. */
  setMasked: Codec<SetMasked, SetMasked>;
  /** `OVS_ACTION_ATTR_CT`. */
  ct: Codec<CtAction, CtAction>;
  /** `OVS_ACTION_ATTR_TRUNC`. */
  trunc: FixedCodec<number>;
  /** `OVS_ACTION_ATTR_PUSH_ETH`. */
  pushEth: FixedCodec<PushEth>;
  /** `OVS_ACTION_ATTR_POP_ETH`. */
  popEth: Codec<true, boolean>;
  /** `OVS_ACTION_ATTR_CT_CLEAR`. */
  ctClear: Codec<true, boolean>;
  /** `OVS_ACTION_ATTR_PUSH_NSH`. */
  pushNsh: Codec<FlowKey, FlowKey>;
  /** `OVS_ACTION_ATTR_POP_NSH`. */
  popNsh: Codec<true, boolean>;
  /** `OVS_ACTION_ATTR_METER`. */
  meter: FixedCodec<number>;
  /** `OVS_ACTION_ATTR_CLONE`. */
  clone: ActionListCodec;
  /** `OVS_ACTION_ATTR_CHECK_PKT_LEN`. */
  checkPktLen: Codec<CheckPktLen, CheckPktLen>;
  /** `OVS_ACTION_ATTR_ADD_MPLS`. */
  addMpls: FixedCodec<AddMpls>;
  /** `OVS_ACTION_ATTR_DEC_TTL`. */
  decTtl: Codec<DecTtl, DecTtl>;
  /** `OVS_ACTION_ATTR_DROP`. */
  drop: FixedCodec<number>;
  /** `OVS_ACTION_ATTR_PSAMPLE`. */
  psample: Codec<PsampleAction, PsampleAction>;
};

function nest<T>(set: AttrSet<never>, nestedFlag = false): Codec<T, T> {
  return t.nest(set, { nestedFlag }) as unknown as Codec<T, T>;
}

/**
 * The action attributes (`action-attrs`, `OVS_ACTION_ATTR_*`). Use it through
 * {@link actionList} (`t.list`), which keeps the order of the actions. `set` and `pushNsh`
 * hold a nested key ({@link FlowKey}: `{ ipv4: ... }`, `{ nsh: ... }`); `setMasked` a
 * {@link SetMasked}. Nests are written without NLA_F_NESTED except `psample`'s, which the
 * kernel parses strictly.
 *
 * @example
 * ```ts
 * import { actionAttrs } from "@nlts/netlink/ovs";
 * console.log(actionAttrs.nameOf(12)); // "ct"
 * ```
 */
export const actionAttrs: AttrSet<ActionCodecs> = attrSet("action-attrs", {
  output: [OVS_ACTION_ATTR.OUTPUT, t.u32()],
  userspace: [OVS_ACTION_ATTR.USERSPACE, nest<UserspaceAction>(userspaceAttrs as never)],
  set: [OVS_ACTION_ATTR.SET, nest<FlowKey>(flowKeyAttrs as never)],
  pushVlan: [
    OVS_ACTION_ATTR.PUSH_VLAN,
    t.struct("ovs-action-push-vlan", { tpid: t.u16be(), tci: t.u16be() }),
  ],
  popVlan: [OVS_ACTION_ATTR.POP_VLAN, t.flag()],
  sample: [OVS_ACTION_ATTR.SAMPLE, nest<SampleAction>(sampleAttrs as never)],
  recirc: [OVS_ACTION_ATTR.RECIRC, t.u32()],
  hash: [OVS_ACTION_ATTR.HASH, t.struct("ovs-action-hash", { alg: t.u32(), basis: t.u32() })],
  pushMpls: [
    OVS_ACTION_ATTR.PUSH_MPLS,
    t.struct("ovs-action-push-mpls", { lse: t.u32be(), ethertype: t.u16be() }),
  ],
  popMpls: [OVS_ACTION_ATTR.POP_MPLS, t.u16be()],
  setMasked: [OVS_ACTION_ATTR.SET_MASKED, setMasked()],
  ct: [OVS_ACTION_ATTR.CT, nest<CtAction>(ctAttrs as never)],
  trunc: [OVS_ACTION_ATTR.TRUNC, t.u32()],
  pushEth: [OVS_ACTION_ATTR.PUSH_ETH, ovsKeyEthernet],
  popEth: [OVS_ACTION_ATTR.POP_ETH, t.flag()],
  ctClear: [OVS_ACTION_ATTR.CT_CLEAR, t.flag()],
  pushNsh: [OVS_ACTION_ATTR.PUSH_NSH, nest<FlowKey>(flowKeyAttrs as never)],
  popNsh: [OVS_ACTION_ATTR.POP_NSH, t.flag()],
  meter: [OVS_ACTION_ATTR.METER, t.u32()],
  clone: [OVS_ACTION_ATTR.CLONE, nestedActions()],
  checkPktLen: [OVS_ACTION_ATTR.CHECK_PKT_LEN, nest<CheckPktLen>(checkPktLenAttrs as never)],
  addMpls: [
    OVS_ACTION_ATTR.ADD_MPLS,
    t.struct("ovs-action-add-mpls", { lse: t.u32be(), ethertype: t.u16be(), tunFlags: t.u16() }),
  ],
  decTtl: [OVS_ACTION_ATTR.DEC_TTL, nest<DecTtl>(decTtlAttrs as never)],
  drop: [OVS_ACTION_ATTR.DROP, t.u32()],
  psample: [OVS_ACTION_ATTR.PSAMPLE, nest<PsampleAction>(psampleAttrs as never, true)],
});

/**
 * The ordered action list codec (a `t.list` of {@link actionAttrs} without NLA_F_NESTED):
 * the codec of `OVS_FLOW_ATTR_ACTIONS`, `OVS_PACKET_ATTR_ACTIONS` and every nested action
 * list.
 *
 * @example
 * ```ts
 * import { actionList } from "@nlts/netlink/ovs";
 * import { attrSet, NetlinkWriter } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { actions: [2, actionList] });
 * const w = new NetlinkWriter();
 * s.encode(w, { actions: [{ kind: "popVlan", value: true }, { kind: "output", value: 2 }] });
 * console.log(s.decode(w.bytes()).actions?.length); // 2
 * ```
 */
export const actionList: ListOf<AttrSet<ActionCodecs>> = t.list(actionAttrs, {
  nestedFlag: false,
});
