/**
 * Pieces shared by the Open vSwitch datapath families (`<linux/openvswitch.h>`): the fixed
 * `struct ovs_header`, the statistics structs, the user-feature flags, codecs for the
 * u32 arrays the kernel sends as one binary attribute, and a decoder for raw OVS messages
 * (notifications, upcalls). Pure: no I/O.
 *
 * @module
 */

import { type AnySet, defineFamily, type FamilySpec } from "../genl/family.ts";
import { GenlCodec } from "../genl/_internal.ts";
import type { DecodeContext, EncodeContext } from "../protocol/schema_context.ts";
import type {
  AttrSet,
  Codec,
  DecodedAttrs,
  FixedCodec,
  PadCodec,
  StructCodec,
  StructMembers,
} from "../protocol/schema.ts";
import { attrSet, t } from "../protocol/schema.ts";
import type { NetlinkWriter } from "../protocol/writer.ts";

/**
 * `struct ovs_header`: the fixed header after genlmsghdr in every OVS family's messages.
 * `dpIfindex` is the ifindex of the datapath's local port (0: not specific to a datapath).
 *
 * @example
 * ```ts
 * import { ovsHeader } from "@nlts/netlink/ovs";
 * console.log(ovsHeader.size); // 4
 * ```
 */
export const ovsHeader: StructCodec<{ dpIfindex: FixedCodec<number> }> = t.struct(
  "ovs-header",
  { dpIfindex: t.s32() },
);

/**
 * The commands of `ovs_datapath`, `ovs_vport` and `ovs_flow`, which `<linux/openvswitch.h>`
 * numbers alike (`OVS_DP_CMD_*`, `OVS_VPORT_CMD_*`, `OVS_FLOW_CMD_*`): the one table behind
 * {@link OVS_DP_CMD}, {@link OVS_VPORT_CMD}, {@link OVS_FLOW_CMD} and the operations of
 * {@link defineOvsCrudFamily}.
 *
 * @example
 * ```ts
 * import { OVS_CRUD_CMD, OVS_FLOW_CMD } from "@nlts/netlink/ovs";
 * console.log(OVS_CRUD_CMD.GET, OVS_FLOW_CMD === OVS_CRUD_CMD); // 3 true
 * ```
 */
export const OVS_CRUD_CMD: {
  readonly UNSPEC: 0;
  readonly NEW: 1;
  readonly DEL: 2;
  readonly GET: 3;
  readonly SET: 4;
} = { UNSPEC: 0, NEW: 1, DEL: 2, GET: 3, SET: 4 } as const;

/**
 * A datapath's name without ovs-dpctl's `system@` prefix (`system@dp0` and `dp0` both name
 * the kernel datapath `dp0`).
 *
 * @example
 * ```ts
 * import { datapathName } from "@nlts/netlink/ovs";
 * console.log(datapathName("system@dp0"), datapathName("dp0")); // "dp0" "dp0"
 * ```
 */
export function datapathName(name: string): string {
  return name.startsWith("system@") ? name.slice(7) : name;
}

/** Size of genlmsghdr plus `struct ovs_header`: where the attributes of an OVS message start. */
export const OVS_HDRLEN = 8 as const;

/**
 * The datapath's local port number (`OVSP_LOCAL`): port 0 is the internal device named like
 * the datapath.
 *
 * @example
 * ```ts
 * import { OVSP_LOCAL } from "@nlts/netlink/ovs";
 * console.log(OVSP_LOCAL); // 0
 * ```
 */
export const OVSP_LOCAL = 0 as const;

/**
 * Datapath user features (`OVS_DP_F_*`), the bits of `OVS_DP_ATTR_USER_FEATURES`.
 *
 * @example
 * ```ts
 * import { OVS_DP_F } from "@nlts/netlink/ovs";
 * console.log(OVS_DP_F.DISPATCH_UPCALL_PER_CPU); // 8
 * ```
 */
export const OVS_DP_F: {
  readonly UNALIGNED: 1;
  readonly VPORT_PIDS: 2;
  readonly TC_RECIRC_SHARING: 4;
  readonly DISPATCH_UPCALL_PER_CPU: 8;
} = {
  UNALIGNED: 1,
  VPORT_PIDS: 2,
  TC_RECIRC_SHARING: 4,
  DISPATCH_UPCALL_PER_CPU: 8,
} as const;

/**
 * Names of the datapath user features, as decoded and accepted by the library.
 *
 * @example
 * ```ts
 * import type { UserFeature } from "@nlts/netlink/ovs";
 * const f: UserFeature[] = ["unaligned", "vportPids"];
 * ```
 */
export type UserFeature = "unaligned" | "vportPids" | "tcRecircSharing" | "dispatchUpcallPerCpu";

/**
 * The user-features codec: a u32 of `OVS_DP_F_*` bits decoded to {@link UserFeature} names
 * (unknown bits as numbers).
 *
 * @example
 * ```ts
 * import { userFeatures } from "@nlts/netlink/ovs";
 * console.log(userFeatures.size); // 4
 * ```
 */
export const userFeatures: FixedCodec<
  readonly (UserFeature | number)[],
  readonly (UserFeature | number)[] | number
> = t.flags(t.u32(), {
  unaligned: OVS_DP_F.UNALIGNED,
  vportPids: OVS_DP_F.VPORT_PIDS,
  tcRecircSharing: OVS_DP_F.TC_RECIRC_SHARING,
  dispatchUpcallPerCpu: OVS_DP_F.DISPATCH_UPCALL_PER_CPU,
});

/**
 * `struct ovs_dp_stats`: flow table lookups that hit, missed (upcall), were lost (the upcall
 * could not be queued), and the number of flows. Members without the `n_` prefix.
 *
 * @example
 * ```ts
 * import { dpStats } from "@nlts/netlink/ovs";
 * console.log(dpStats.size); // 32
 * ```
 */
export const dpStats: StructCodec<{
  hit: FixedCodec<bigint, bigint | number>;
  missed: FixedCodec<bigint, bigint | number>;
  lost: FixedCodec<bigint, bigint | number>;
  flows: FixedCodec<bigint, bigint | number>;
}> = t.struct("ovs-dp-stats", {
  hit: t.u64(),
  missed: t.u64(),
  lost: t.u64(),
  flows: t.u64(),
});

/**
 * `struct ovs_dp_megaflow_stats`: mask lookups, number of masks, mask-cache hits. The kernel's
 * struct has a u32 pad after `n_masks` and a u64 pad at the end (32 bytes in all).
 *
 * @example
 * ```ts
 * import { megaflowStats } from "@nlts/netlink/ovs";
 * console.log(megaflowStats.size, megaflowStats.offsets.cacheHit); // 32 16
 * ```
 */
export const megaflowStats: StructCodec<{
  maskHit: FixedCodec<bigint, bigint | number>;
  masks: FixedCodec<number>;
  pad0: PadCodec;
  cacheHit: FixedCodec<bigint, bigint | number>;
  pad1: PadCodec;
}> = t.struct("ovs-dp-megaflow-stats", {
  maskHit: t.u64(),
  masks: t.u32(),
  pad0: t.pad(4),
  cacheHit: t.u64(),
  pad1: t.pad(8),
});

/**
 * `struct ovs_vport_stats`: the port's packet, byte, error and drop counters.
 *
 * @example
 * ```ts
 * import { vportStats } from "@nlts/netlink/ovs";
 * console.log(vportStats.size); // 64
 * ```
 */
export const vportStats: StructCodec<{
  rxPackets: FixedCodec<bigint, bigint | number>;
  txPackets: FixedCodec<bigint, bigint | number>;
  rxBytes: FixedCodec<bigint, bigint | number>;
  txBytes: FixedCodec<bigint, bigint | number>;
  rxErrors: FixedCodec<bigint, bigint | number>;
  txErrors: FixedCodec<bigint, bigint | number>;
  rxDropped: FixedCodec<bigint, bigint | number>;
  txDropped: FixedCodec<bigint, bigint | number>;
}> = t.struct("ovs-vport-stats", {
  rxPackets: t.u64(),
  txPackets: t.u64(),
  rxBytes: t.u64(),
  txBytes: t.u64(),
  rxErrors: t.u64(),
  txErrors: t.u64(),
  rxDropped: t.u64(),
  txDropped: t.u64(),
});

/**
 * `struct ovs_flow_stats`: packets and bytes (of a flow, a meter or a meter band).
 *
 * @example
 * ```ts
 * import { flowStats } from "@nlts/netlink/ovs";
 * console.log(flowStats.size); // 16
 * ```
 */
export const flowStats: StructCodec<{
  packets: FixedCodec<bigint, bigint | number>;
  bytes: FixedCodec<bigint, bigint | number>;
}> = t.struct("ovs-flow-stats", { packets: t.u64(), bytes: t.u64() });

/** Decoded `struct ovs_dp_stats`. */
export interface DpStats {
  /** Lookups that matched a flow. */
  hit: bigint;
  /** Lookups that matched no flow (sent to userspace as MISS upcalls). */
  missed: bigint;
  /** Misses that could not be sent to userspace. */
  lost: bigint;
  /** Flows in the table. */
  flows: bigint;
}

/** Decoded `struct ovs_dp_megaflow_stats`. */
export interface MegaflowStats {
  /** Masks visited by lookups. */
  maskHit: bigint;
  /** Masks in the table. */
  masks: number;
  /** Lookups answered by the mask cache (0 on kernels without one). */
  cacheHit: bigint;
}

/** Decoded `struct ovs_vport_stats`. */
export interface VportStats {
  /** Packets received. */
  rxPackets: bigint;
  /** Packets transmitted. */
  txPackets: bigint;
  /** Bytes received. */
  rxBytes: bigint;
  /** Bytes transmitted. */
  txBytes: bigint;
  /** Receive errors. */
  rxErrors: bigint;
  /** Transmit errors. */
  txErrors: bigint;
  /** Received packets dropped. */
  rxDropped: bigint;
  /** Packets dropped on transmit. */
  txDropped: bigint;
}

/** Decoded `struct ovs_flow_stats`. */
export interface FlowStats {
  /** Packets. */
  packets: bigint;
  /** Bytes. */
  bytes: bigint;
}

/**
 * A datapath named by its name (the local port's device name, e.g. "ovs-system") or by the
 * ifindex of its local port.
 *
 * @example
 * ```ts
 * import type { DatapathRef } from "@nlts/netlink/ovs";
 * const byName: DatapathRef = "dp0";
 * const byIfindex: DatapathRef = 7;
 * ```
 */
export type DatapathRef = string | number;

class U32ArrayCodec implements Codec<number[], readonly number[]> {
  readonly kind = "u32-array";
  readonly type = "binary (u32 array)";
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;

  decode(ctx: DecodeContext, offset: number, length: number): number[] {
    if (length % 4 !== 0) {
      throw ctx.error(`expected a multiple of 4 bytes for a u32 array, got ${length}`, offset);
    }
    const out: number[] = new Array(length / 4);
    for (let i = 0; i < out.length; i++) out[i] = ctx.view.getUint32(offset + 4 * i, true);
    return out;
  }

  encode(w: NetlinkWriter, value: readonly number[], ctx: EncodeContext): void {
    if (!Array.isArray(value)) throw ctx.typeError(`expected an array of u32 numbers`);
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) {
        throw ctx.rangeError(`element ${i} (${String(v)}) is not a u32`);
      }
      w.putU32(v);
    }
  }
}

const U32_ARRAY = new U32ArrayCodec();

/**
 * A binary attribute holding an array of host-order u32 (YNL `binary` with `sub-type: u32`),
 * e.g. `OVS_VPORT_ATTR_UPCALL_PID` and `OVS_DP_ATTR_PER_CPU_PIDS`.
 *
 * @example
 * ```ts
 * import { u32Array } from "@nlts/netlink/ovs";
 * import { attrSet, NetlinkWriter } from "@nlts/netlink/protocol";
 * const s = attrSet("demo", { pids: [1, u32Array()] });
 * const w = new NetlinkWriter();
 * s.encode(w, { pids: [10, 20] });
 * console.log(s.decode(w.bytes())); // { pids: [10, 20] }
 * ```
 */
export function u32Array(): Codec<number[], readonly number[]> {
  return U32_ARRAY;
}

class StructArrayCodec<M extends StructMembers>
  implements Codec<ReturnType<StructCodec<M>["decodeAt"]>[], readonly unknown[]> {
  readonly kind = "struct-array";
  readonly type: string;
  readonly size = -1;
  readonly nlaFlags = 0;
  readonly repeated = false;
  readonly #struct: StructCodec<M>;
  readonly #stride: number;

  constructor(struct: StructCodec<M>) {
    this.#struct = struct;
    this.#stride = (struct.size + 3) & ~3;
    this.type = `array of ${struct.type}`;
  }

  decode(
    ctx: DecodeContext,
    offset: number,
    length: number,
  ): ReturnType<StructCodec<M>["decodeAt"]>[] {
    const out: ReturnType<StructCodec<M>["decodeAt"]>[] = [];
    const size = this.#struct.size;
    let p = offset;
    const end = offset + length;
    for (let i = 0; end - p >= size; i++) {
      const d = ctx.push(i);
      out.push(this.#struct.read(ctx, p) as ReturnType<StructCodec<M>["decodeAt"]>);
      ctx.pop(d);
      p += this.#stride;
    }
    if (p < end) {
      throw ctx.error(`${end - p} trailing bytes after ${out.length} ${this.#struct.type}`, p);
    }
    return out;
  }

  encode(w: NetlinkWriter, value: readonly unknown[], ctx: EncodeContext): void {
    if (!Array.isArray(value)) throw ctx.typeError(`expected an array of ${this.#struct.type}`);
    for (let i = 0; i < value.length; i++) {
      const d = ctx.push(i);
      const off = w.reserve(this.#stride);
      // deno-lint-ignore no-explicit-any
      this.#struct.write(w.view, off, value[i] as any, ctx);
      ctx.pop(d);
    }
  }
}

/**
 * A binary attribute holding back-to-back C structs, each padded to 4 bytes (the kernel's
 * `nla_put_nohdr` lists, e.g. `struct ovs_zone_limit` in `OVS_CT_LIMIT_ATTR_ZONE_LIMIT`).
 *
 * @example
 * ```ts
 * import { structArray } from "@nlts/netlink/ovs";
 * import { attrSet, t } from "@nlts/netlink/protocol";
 * const pair = t.struct("pair", { a: t.u32(), b: t.u32() });
 * const s = attrSet("demo", { pairs: [1, structArray(pair)] });
 * ```
 */
export function structArray<M extends StructMembers>(
  struct: StructCodec<M>,
): Codec<
  ReturnType<StructCodec<M>["decodeAt"]>[],
  readonly Parameters<StructCodec<M>["encodeTo"]>[1][]
> {
  return new StructArrayCodec(struct) as unknown as Codec<
    ReturnType<StructCodec<M>["decodeAt"]>[],
    readonly Parameters<StructCodec<M>["encodeTo"]>[1][]
  >;
}

/** A raw OVS message decoded: genlmsghdr command and version, `dp_ifindex`, attributes. */
export interface OvsMessage<A> {
  /** genlmsghdr command. */
  cmd: number;
  /** genlmsghdr version. */
  version: number;
  /** `ovs_header.dp_ifindex`. */
  dpIfindex: number;
  /** The decoded attributes. */
  attrs: A;
}

/**
 * Decodes the payload of an OVS message (everything after the 16-byte nlmsghdr: genlmsghdr,
 * `struct ovs_header`, attributes) with attribute set `set`. Raises DecodeError on bad input.
 *
 * @example
 * ```ts
 * import { datapathAttrs, decodeOvsMessage } from "@nlts/netlink/ovs";
 * const payload = new Uint8Array([1, 2, 0, 0, 7, 0, 0, 0]);
 * console.log(decodeOvsMessage(payload, datapathAttrs)); // { cmd: 1, version: 2, dpIfindex: 7, attrs: {} }
 * ```
 */
export function decodeOvsMessage<F extends Record<string, Codec<unknown, never>>>(
  payload: Uint8Array,
  set: AttrSet<F>,
  options: { strict?: boolean } = {},
): OvsMessage<DecodedAttrs<F>> {
  const m = GenlCodec.of(OVS_FRAMING).decode(
    payload,
    0,
    payload.length,
    set,
    options.strict ?? false,
  );
  const { dpIfindex } = m.header as { dpIfindex: number };
  return { cmd: m.cmd, version: m.version, dpIfindex, attrs: m.attrs as DecodedAttrs<F> };
}

/** The framing every OVS family shares (genlmsghdr, `struct ovs_header`), for decodeOvsMessage. */
const OVS_FRAMING: FamilySpec = defineFamily({
  name: "ovs",
  version: 0,
  header: ovsHeader,
  attrs: attrSet("ovs", {}),
  operations: {},
});

/**
 * The shape of the Open vSwitch families whose commands are NEW, DEL, GET (also a dump) and SET,
 * numbered 1-4, each also a notification on the family's one multicast group of the same name:
 * `ovs_datapath`, `ovs_vport` and `ovs_flow`.
 *
 * @example
 * ```ts
 * import { type OvsCrudFamily, ovsFlow } from "@nlts/netlink/ovs";
 * const f: OvsCrudFamily<"ovs_flow", 1, typeof ovsFlow.attrs> = ovsFlow;
 * console.log(f.operations.get.cmd); // 3
 * ```
 */
export type OvsCrudFamily<N extends string, V extends number, A extends AnySet> = {
  readonly name: N;
  readonly version: V;
  readonly header: typeof ovsHeader;
  readonly attrs: A;
  readonly operations: {
    readonly new: { readonly cmd: typeof OVS_CRUD_CMD.NEW };
    readonly del: { readonly cmd: typeof OVS_CRUD_CMD.DEL };
    readonly get: { readonly cmd: typeof OVS_CRUD_CMD.GET; readonly dump: true };
    readonly set: { readonly cmd: typeof OVS_CRUD_CMD.SET };
  };
  readonly events: {
    readonly new: { readonly cmd: typeof OVS_CRUD_CMD.NEW };
    readonly del: { readonly cmd: typeof OVS_CRUD_CMD.DEL };
    readonly get: { readonly cmd: typeof OVS_CRUD_CMD.GET };
    readonly set: { readonly cmd: typeof OVS_CRUD_CMD.SET };
  };
  readonly mcastGroups: readonly [N];
  readonly module: "openvswitch";
};

/**
 * Describes one of the {@link OvsCrudFamily} families: name, interface version, attribute set.
 *
 * @example
 * ```ts
 * import { defineOvsCrudFamily, ovsFlow } from "@nlts/netlink/ovs";
 * const flows = defineOvsCrudFamily("ovs_flow", 1, ovsFlow.attrs);
 * console.log(flows.mcastGroups); // [ "ovs_flow" ]
 * ```
 */
export function defineOvsCrudFamily<N extends string, V extends number, A extends AnySet>(
  name: N,
  version: V,
  attrs: A,
): OvsCrudFamily<N, V, A> {
  return defineFamily(
    {
      name,
      version,
      header: ovsHeader,
      attrs,
      operations: {
        new: { cmd: OVS_CRUD_CMD.NEW },
        del: { cmd: OVS_CRUD_CMD.DEL },
        get: { cmd: OVS_CRUD_CMD.GET, dump: true },
        set: { cmd: OVS_CRUD_CMD.SET },
      },
      events: {
        new: { cmd: OVS_CRUD_CMD.NEW },
        del: { cmd: OVS_CRUD_CMD.DEL },
        get: { cmd: OVS_CRUD_CMD.GET },
        set: { cmd: OVS_CRUD_CMD.SET },
      },
      mcastGroups: [name],
      module: "openvswitch",
    } as const,
  );
}
