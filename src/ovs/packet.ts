/**
 * The `ovs_packet` generic netlink family (`<linux/openvswitch.h>`): executing actions on a
 * packet (`OVS_PACKET_CMD_EXECUTE`) and the upcalls the kernel sends to userspace
 * (`OVS_PACKET_CMD_MISS` for a flow-table miss, `OVS_PACKET_CMD_ACTION` for a `userspace`
 * action). {@link UpcallSocket} receives upcalls on a socket whose port id is registered as a
 * port's (or a CPU's) upcall pid.
 *
 * Flow keys and actions travel as runs of `OVS_KEY_ATTR_*` / `OVS_ACTION_ATTR_*` attributes
 * (the payloads of the `OVS_PACKET_ATTR_KEY` / `OVS_PACKET_ATTR_ACTIONS` nests). Execute takes
 * either the typed model ({@link FlowKey}, {@link Action}) or those raw bytes; upcalls carry
 * both the raw key and its decoded {@link FlowKey}. {@link outputActions} and
 * {@link keyInPort} cover the simplest cases without the model.
 *
 * @module
 */

import type { Libc } from "../socket/mod.ts";
import { defineFamily } from "../genl/family.ts";
import { registerFamilySpec } from "../genl/registry.ts";
import { NETLINK } from "../protocol/constants.ts";
import type { AttrSet, Codec, DecodedAttrs, FixedCodec } from "../protocol/schema.ts";
import { attrSet, t } from "../protocol/schema.ts";
import { NetlinkWriter } from "../protocol/writer.ts";
import { NetlinkSocket } from "../socket/netlink_socket.ts";
import { checkInt, checkOptions } from "../protocol/_validate.ts";
import type { Action } from "./actions.ts";
import { decodeOvsMessage, ovsHeader } from "./common.ts";
import { decodeFlowKey, encodeActions, encodeFlowKey } from "./flow_attrs.ts";
import type { FlowKey } from "./keys.ts";

/**
 * `ovs_packet` commands (`OVS_PACKET_CMD_*`): MISS and ACTION are kernel-to-user upcalls.
 *
 * @example
 * ```ts
 * import { OVS_PACKET_CMD } from "@nlts/netlink/ovs";
 * console.log(OVS_PACKET_CMD.EXECUTE); // 3
 * ```
 */
export const OVS_PACKET_CMD: {
  readonly UNSPEC: 0;
  readonly MISS: 1;
  readonly ACTION: 2;
  readonly EXECUTE: 3;
} = { UNSPEC: 0, MISS: 1, ACTION: 2, EXECUTE: 3 } as const;

/**
 * `ovs_packet` attributes (`OVS_PACKET_ATTR_*`).
 *
 * @example
 * ```ts
 * import { OVS_PACKET_ATTR } from "@nlts/netlink/ovs";
 * console.log(OVS_PACKET_ATTR.MRU); // 9
 * ```
 */
export const OVS_PACKET_ATTR: {
  readonly UNSPEC: 0;
  readonly PACKET: 1;
  readonly KEY: 2;
  readonly ACTIONS: 3;
  readonly USERDATA: 4;
  readonly EGRESS_TUN_KEY: 5;
  readonly UNUSED1: 6;
  readonly UNUSED2: 7;
  readonly PROBE: 8;
  readonly MRU: 9;
  readonly LEN: 10;
  readonly HASH: 11;
} = {
  UNSPEC: 0,
  PACKET: 1,
  KEY: 2,
  ACTIONS: 3,
  USERDATA: 4,
  EGRESS_TUN_KEY: 5,
  UNUSED1: 6,
  UNUSED2: 7,
  PROBE: 8,
  MRU: 9,
  LEN: 10,
  HASH: 11,
} as const;

/** `OVS_PACKET_VERSION`. */
export const OVS_PACKET_VERSION = 1 as const;

/**
 * The `packet` attribute set. `key`, `actions` and `egressTunKey` are nests in the kernel;
 * here they are their raw payloads (runs of attributes).
 *
 * @example
 * ```ts
 * import { packetAttrs } from "@nlts/netlink/ovs";
 * console.log(packetAttrs.nameOf(11)); // "hash"
 * ```
 */
export const packetAttrs: AttrSet<{
  packet: Codec<Uint8Array>;
  key: Codec<Uint8Array>;
  actions: Codec<Uint8Array>;
  userdata: Codec<Uint8Array>;
  egressTunKey: Codec<Uint8Array>;
  probe: Codec<true, boolean>;
  mru: FixedCodec<number>;
  len: FixedCodec<number>;
  hash: FixedCodec<bigint, bigint | number>;
}> = attrSet("packet", {
  packet: [OVS_PACKET_ATTR.PACKET, t.binary()],
  key: [OVS_PACKET_ATTR.KEY, t.binary()],
  actions: [OVS_PACKET_ATTR.ACTIONS, t.binary()],
  userdata: [OVS_PACKET_ATTR.USERDATA, t.binary()],
  egressTunKey: [OVS_PACKET_ATTR.EGRESS_TUN_KEY, t.binary()],
  probe: [OVS_PACKET_ATTR.PROBE, t.flag()],
  mru: [OVS_PACKET_ATTR.MRU, t.u16()],
  len: [OVS_PACKET_ATTR.LEN, t.u32()],
  hash: [OVS_PACKET_ATTR.HASH, t.u64()],
});

/**
 * The `ovs_packet` family: the `execute` operation and the `miss` / `action` upcalls.
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { ovsPacket } from "@nlts/netlink/ovs";
 * using genl = GenlSocket.open();
 * console.log(genl.family(ovsPacket).id);
 * ```
 */
export const ovsPacket: {
  readonly name: "ovs_packet";
  readonly version: 1;
  readonly header: typeof ovsHeader;
  readonly attrs: typeof packetAttrs;
  readonly operations: { readonly execute: { readonly cmd: 3 } };
  readonly events: {
    readonly miss: { readonly cmd: 1 };
    readonly action: { readonly cmd: 2 };
  };
  readonly module: "openvswitch";
} = defineFamily(
  {
    name: "ovs_packet",
    version: OVS_PACKET_VERSION,
    header: ovsHeader,
    attrs: packetAttrs,
    operations: { execute: { cmd: OVS_PACKET_CMD.EXECUTE } },
    events: { miss: { cmd: OVS_PACKET_CMD.MISS }, action: { cmd: OVS_PACKET_CMD.ACTION } },
    module: "openvswitch",
  } as const,
);

registerFamilySpec(ovsPacket);

/**
 * The former name of {@link ovsPacket}.
 *
 * @deprecated Use {@link ovsPacket}, named like the other family descriptions (`nlctrl`,
 * `netdev`, `ethtool`).
 *
 * @example
 * ```ts
 * import { ovsPacket, ovsPacketFamily } from "@nlts/netlink/ovs";
 * console.log(ovsPacketFamily === ovsPacket); // true
 * ```
 */
export const ovsPacketFamily: typeof ovsPacket = ovsPacket;

/**
 * What {@link OvsClient.execute} sends: the packet (from its Ethernet header), its flow key
 * and the actions to apply.
 *
 * @example
 * ```ts
 * import { outputActions, type PacketExecute } from "@nlts/netlink/ovs";
 * const p: PacketExecute = { packet: new Uint8Array(60), actions: outputActions([1]) };
 * ```
 */
export interface PacketExecute {
  /** The frame, from the Ethernet header on. */
  packet: Uint8Array;
  /**
   * Flow key metadata (in_port, priority, mark, tunnel...), typed or as raw `OVS_KEY_ATTR_*`
   * attributes; the kernel extracts the rest from the packet. Default: empty.
   */
  key?: FlowKey | Uint8Array;
  /** Actions, typed (`parseActions("1,2")`) or as raw `OVS_ACTION_ATTR_*` attributes. */
  actions: readonly Action[] | Uint8Array;
  /** A feature probe: the kernel does not log errors. */
  probe?: boolean;
  /** Maximum received fragment size (after IP defragmentation). */
  mru?: number;
  /** Packet hash to set on the skb (`hash | sw_hash << 32 | l4_hash << 33`). */
  hash?: bigint | number;
}

/**
 * A decoded upcall.
 *
 * @example
 * ```ts
 * import { formatFlowKey, type Upcall } from "@nlts/netlink/ovs";
 * const describe = (u: Upcall) => `${u.cmd} ${formatFlowKey(u.flowKey)}: ${u.packet.length} bytes`;
 * ```
 */
export interface Upcall {
  /** "miss" (no flow matched) or "action" (a `userspace` action); the number when unknown. */
  cmd: "miss" | "action" | number;
  /** Ifindex of the datapath. */
  dpIfindex: number;
  /** The packet, from the Ethernet header on (possibly truncated, see `len`). */
  packet: Uint8Array;
  /** The flow key as raw `OVS_KEY_ATTR_*` attributes. */
  key: Uint8Array;
  /** The flow key decoded (print it with `formatFlowKey`). */
  flowKey: FlowKey;
  /** The `userspace` action's user data. */
  userdata?: Uint8Array;
  /** Egress tunnel key as raw `OVS_TUNNEL_KEY_ATTR_*` attributes. */
  egressTunKey?: Uint8Array;
  /** Actions (when the `userspace` action asked for them), raw. */
  actions?: Uint8Array;
  /** Maximum received fragment size. */
  mru?: number;
  /** Packet length before truncation. */
  len?: number;
  /** Packet hash. */
  hash?: bigint;
}

/**
 * The raw attribute bytes of a key or an action list given typed or raw.
 *
 * @example
 * ```ts
 * import { packetBytes } from "@nlts/netlink/ovs";
 * console.log(packetBytes([{ kind: "output", value: 1 }], "actions")); // Uint8Array [8, 0, 1, 0, 1, 0, 0, 0]
 * ```
 */
export function packetBytes(
  v: FlowKey | readonly Action[] | Uint8Array | undefined,
  what: "key" | "actions",
): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (what === "actions") {
    if (!Array.isArray(v)) throw new TypeError("Cannot encode actions: expected an array");
    return encodeActions(v as readonly Action[]);
  }
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new TypeError("Cannot encode key: expected a FlowKey object or bytes");
  }
  return encodeFlowKey(v as FlowKey);
}

/**
 * Builds an {@link Upcall} from a decoded message.
 *
 * @example
 * ```ts
 * import { toUpcall } from "@nlts/netlink/ovs";
 * const u = toUpcall(1, 7, { packet: new Uint8Array(60), key: new Uint8Array(0) });
 * console.log(u.cmd); // "miss"
 * ```
 */
export function toUpcall(
  cmd: number,
  dpIfindex: number,
  a: DecodedAttrs<typeof packetAttrs.codecs>,
): Upcall {
  const u: Upcall = {
    cmd: cmd === OVS_PACKET_CMD.MISS ? "miss" : cmd === OVS_PACKET_CMD.ACTION ? "action" : cmd,
    dpIfindex,
    packet: a.packet ?? new Uint8Array(0),
    key: a.key ?? new Uint8Array(0),
    flowKey: decodeFlowKey(a.key ?? new Uint8Array(0)),
  };
  if (a.userdata) u.userdata = a.userdata;
  if (a.egressTunKey) u.egressTunKey = a.egressTunKey;
  if (a.actions) u.actions = a.actions;
  if (a.mru !== undefined) u.mru = a.mru;
  if (a.len !== undefined) u.len = a.len;
  if (a.hash !== undefined) u.hash = a.hash;
  return u;
}

/** `OVS_ACTION_ATTR_OUTPUT`. */
const ACTION_OUTPUT = 1;
/** `OVS_KEY_ATTR_IN_PORT`. */
const KEY_IN_PORT = 3;

/**
 * Encodes `output(port)` actions (`OVS_ACTION_ATTR_OUTPUT`, u32), in order: the raw action
 * bytes {@link PacketExecute.actions} takes.
 *
 * @example
 * ```ts
 * import { outputActions } from "@nlts/netlink/ovs";
 * console.log(outputActions([2])); // Uint8Array [8, 0, 1, 0, 2, 0, 0, 0]
 * ```
 */
export function outputActions(ports: readonly number[]): Uint8Array {
  const w = new NetlinkWriter(16 + ports.length * 8);
  for (const p of ports) {
    if (!Number.isInteger(p) || p < 0 || p > 0xffff_ffff) {
      throw new RangeError(`Cannot encode output action: port ${p} is not a u32`);
    }
    w.attrU32(ACTION_OUTPUT, p);
  }
  return w.copy();
}

/**
 * Encodes a flow key holding only `in_port` (`OVS_KEY_ATTR_IN_PORT`).
 *
 * @example
 * ```ts
 * import { inPortKey } from "@nlts/netlink/ovs";
 * console.log(inPortKey(1)); // Uint8Array [8, 0, 3, 0, 1, 0, 0, 0]
 * ```
 */
export function inPortKey(port: number): Uint8Array {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff_ffff) {
    throw new RangeError(`Cannot encode in_port key: port ${port} is not a u32`);
  }
  return new NetlinkWriter(16).attrU32(KEY_IN_PORT, port).copy();
}

/**
 * Reads `in_port` (`OVS_KEY_ATTR_IN_PORT`) from raw key attributes, e.g. an upcall's key.
 *
 * @example
 * ```ts
 * import { inPortKey, keyInPort } from "@nlts/netlink/ovs";
 * console.log(keyInPort(inPortKey(3))); // 3
 * ```
 */
export function keyInPort(key: Uint8Array): number | undefined {
  const v = new DataView(key.buffer, key.byteOffset, key.byteLength);
  for (let p = 0; p + 4 <= key.length;) {
    const len = v.getUint16(p, true);
    const type = v.getUint16(p + 2, true) & 0x3fff;
    if (len < 4 || p + len > key.length) return undefined;
    if (type === KEY_IN_PORT && len === 8) return v.getUint32(p + 4, true);
    p += (len + 3) & ~3;
  }
  return undefined;
}

/** Options of {@link UpcallSocket.open}. */
export interface UpcallSocketOptions {
  /** Network namespace (name under /run/netns or a path). */
  netns?: string;
  /** The libc calls the socket makes (default: the runtime's; see `OvsClientOptions`). */
  transport?: Libc;
  /** SO_RCVBUF to request in bytes (default 4 MiB, so bursts of upcalls are not lost). */
  rcvbuf?: number;
}

/**
 * A netlink socket that receives upcalls. Register its {@link UpcallSocket.portid} as a port's
 * upcall pid ({@link OvsClient.setVport} `upcallPids`) or as a per-CPU pid
 * ({@link OvsClient.setDatapath} `perCpuPids`), then iterate {@link UpcallSocket.upcalls}.
 *
 * @example
 * ```ts
 * import { OvsClient } from "@nlts/netlink/ovs";
 * using ovs = OvsClient.open();
 * using sock = ovs.openUpcallSocket();
 * await ovs.setVport("dp0", "veth0", { upcallPids: [sock.portid] });
 * const ac = new AbortController();
 * for await (const u of sock.upcalls({ signal: ac.signal })) {
 *   console.log(u.cmd, u.packet.length);
 *   ac.abort();
 * }
 * ```
 */
export class UpcallSocket {
  /** The underlying socket. */
  readonly socket: NetlinkSocket;
  /** Id of the `ovs_packet` family (upcalls carry it as their nlmsg_type). */
  readonly familyId: number;

  private constructor(socket: NetlinkSocket, familyId: number) {
    this.socket = socket;
    this.familyId = familyId;
  }

  /**
   * Opens a NETLINK_GENERIC socket for the upcalls of `ovs_packet` family `familyId`
   * ({@link OvsClient.openUpcallSocket} passes it).
   *
   * @example
   * ```ts
   * import { UpcallSocket } from "@nlts/netlink/ovs";
   * using sock = UpcallSocket.open(29);
   * console.log(sock.portid);
   * ```
   */
  static open(familyId: number, options: UpcallSocketOptions = {}): UpcallSocket {
    checkInt(familyId, "open upcall socket", "the ovs_packet family id", 16, 0xffff);
    checkOptions(options, "open upcall socket");
    if (options.rcvbuf === null) {
      throw new TypeError("Cannot open upcall socket: rcvbuf must be a number of bytes, not null");
    }
    const s = NetlinkSocket.open(NETLINK.GENERIC, {
      name: "ovs-upcalls",
      netns: options.netns,
      transport: options.transport,
      receiveMode: "peek",
      rcvbuf: options.rcvbuf ?? 4 << 20,
    });
    return new UpcallSocket(s, familyId);
  }

  /** The port id to register as an upcall pid. */
  get portid(): number {
    return this.socket.portid;
  }

  /**
   * Yields upcalls as they arrive (other messages are skipped) until `signal` aborts or the
   * socket closes. A receive-queue overflow (upcalls were dropped) raises SyscallError ENOBUFS;
   * the socket stays usable.
   *
   * @example
   * ```ts
   * import { OvsClient } from "@nlts/netlink/ovs";
   * using ovs = OvsClient.open();
   * using sock = ovs.openUpcallSocket();
   * for await (const u of sock.upcalls({ signal: AbortSignal.timeout(5000) })) console.log(u.cmd);
   * ```
   */
  async *upcalls(options: { signal?: AbortSignal } = {}): AsyncGenerator<Upcall, void, undefined> {
    for await (const m of this.socket.messages({ signal: options.signal })) {
      if (m.type !== this.familyId) continue;
      const d = decodeOvsMessage(m.payload, packetAttrs);
      yield toUpcall(d.cmd, d.dpIfindex, d.attrs);
    }
  }

  /** Same as {@link UpcallSocket.upcalls} without a signal. */
  [Symbol.asyncIterator](): AsyncGenerator<Upcall, void, undefined> {
    return this.upcalls();
  }

  /**
   * Closes the socket; a pending iteration ends.
   *
   * @example
   * ```ts
   * import { UpcallSocket } from "@nlts/netlink/ovs";
   * const sock = UpcallSocket.open(29);
   * sock.close();
   * ```
   */
  close(): void {
    this.socket.close();
  }

  /** Same as {@link UpcallSocket.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
