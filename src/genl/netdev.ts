/**
 * The `netdev` generic netlink family (Linux 6.3+, `<linux/netdev.h>`, YNL `netdev.yaml`):
 * device XDP/AF_XDP capabilities (dev-get), page pools, queues, NAPI instances, per-queue
 * statistics and dmabuf bindings, and the "mgmt" / "page-pool" notifications. Described with
 * the schema system only: {@link netdev} is an ordinary {@link FamilySpec}.
 *
 * Attribute and command numbers follow the kernel's uapi header one to one. Debian 12 ships no
 * `<linux/netdev.h>` (its headers are Linux 6.1's); the numbers were checked against the running
 * kernel's policy dump (`Controller.getPolicy("netdev")`), which tests/genl/netdev_test.ts
 * repeats.
 *
 * @example
 * ```ts
 * import { GenlSocket, netdev } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const dev = genl.family(netdev).doSync("dev-get", { ifindex: 1 });
 * console.log(dev?.xdpFeatures); // e.g. ["basic", "redirect", "rxSg"]
 * ```
 *
 * @module
 */

import {
  type ArrayOf,
  type AttrSet,
  attrSet,
  type Codec,
  type FixedCodec,
  type NestOf,
  type PadCodec,
  t,
} from "../protocol/schema.ts";
import { defineFamily } from "./family.ts";
import { registerFamilySpec } from "./registry.ts";

/**
 * netdev commands (`NETDEV_CMD_*`): requests and the notifications' command numbers.
 *
 * @example
 * ```ts
 * import { NETDEV_CMD } from "@nlts/netlink/genl";
 * console.log(NETDEV_CMD.DEV_ADD_NTF); // 2
 * ```
 */
export const NETDEV_CMD: {
  readonly DEV_GET: 1;
  readonly DEV_ADD_NTF: 2;
  readonly DEV_DEL_NTF: 3;
  readonly DEV_CHANGE_NTF: 4;
  readonly PAGE_POOL_GET: 5;
  readonly PAGE_POOL_ADD_NTF: 6;
  readonly PAGE_POOL_DEL_NTF: 7;
  readonly PAGE_POOL_CHANGE_NTF: 8;
  readonly PAGE_POOL_STATS_GET: 9;
  readonly QUEUE_GET: 10;
  readonly NAPI_GET: 11;
  readonly QSTATS_GET: 12;
  readonly BIND_RX: 13;
  readonly NAPI_SET: 14;
  readonly BIND_TX: 15;
} = {
  DEV_GET: 1,
  DEV_ADD_NTF: 2,
  DEV_DEL_NTF: 3,
  DEV_CHANGE_NTF: 4,
  PAGE_POOL_GET: 5,
  PAGE_POOL_ADD_NTF: 6,
  PAGE_POOL_DEL_NTF: 7,
  PAGE_POOL_CHANGE_NTF: 8,
  PAGE_POOL_STATS_GET: 9,
  QUEUE_GET: 10,
  NAPI_GET: 11,
  QSTATS_GET: 12,
  BIND_RX: 13,
  NAPI_SET: 14,
  BIND_TX: 15,
} as const;

/**
 * Attributes of the `dev` set (`NETDEV_A_DEV_*`).
 *
 * @example
 * ```ts
 * import { NETDEV_A_DEV } from "@nlts/netlink/genl";
 * console.log(NETDEV_A_DEV.XDP_FEATURES); // 3
 * ```
 */
export const NETDEV_A_DEV: {
  readonly IFINDEX: 1;
  readonly PAD: 2;
  readonly XDP_FEATURES: 3;
  readonly XDP_ZC_MAX_SEGS: 4;
  readonly XDP_RX_METADATA_FEATURES: 5;
  readonly XSK_FEATURES: 6;
} = {
  IFINDEX: 1,
  PAD: 2,
  XDP_FEATURES: 3,
  XDP_ZC_MAX_SEGS: 4,
  XDP_RX_METADATA_FEATURES: 5,
  XSK_FEATURES: 6,
} as const;

/**
 * XDP features (`enum netdev_xdp_act`, `NETDEV_XDP_ACT_*`), bit values.
 *
 * @example
 * ```ts
 * import { NETDEV_XDP_ACT } from "@nlts/netlink/genl";
 * console.log(NETDEV_XDP_ACT.RX_SG); // 32
 * ```
 */
export const NETDEV_XDP_ACT: {
  readonly BASIC: 1;
  readonly REDIRECT: 2;
  readonly NDO_XMIT: 4;
  readonly XSK_ZEROCOPY: 8;
  readonly HW_OFFLOAD: 16;
  readonly RX_SG: 32;
  readonly NDO_XMIT_SG: 64;
} = {
  BASIC: 1,
  REDIRECT: 2,
  NDO_XMIT: 4,
  XSK_ZEROCOPY: 8,
  HW_OFFLOAD: 16,
  RX_SG: 32,
  NDO_XMIT_SG: 64,
} as const;

/**
 * XDP receive metadata features (`enum netdev_xdp_rx_metadata`), bit values.
 *
 * @example
 * ```ts
 * import { NETDEV_XDP_RX_METADATA } from "@nlts/netlink/genl";
 * console.log(NETDEV_XDP_RX_METADATA.HASH); // 2
 * ```
 */
export const NETDEV_XDP_RX_METADATA: {
  readonly TIMESTAMP: 1;
  readonly HASH: 2;
  readonly VLAN_TAG: 4;
} = { TIMESTAMP: 1, HASH: 2, VLAN_TAG: 4 } as const;

/**
 * AF_XDP features (`enum netdev_xsk_flags`), bit values.
 *
 * @example
 * ```ts
 * import { NETDEV_XSK_FLAGS } from "@nlts/netlink/genl";
 * console.log(NETDEV_XSK_FLAGS.TX_CHECKSUM); // 2
 * ```
 */
export const NETDEV_XSK_FLAGS: {
  readonly TX_TIMESTAMP: 1;
  readonly TX_CHECKSUM: 2;
  readonly TX_LAUNCH_TIME_FIFO: 4;
} = { TX_TIMESTAMP: 1, TX_CHECKSUM: 2, TX_LAUNCH_TIME_FIFO: 4 } as const;

/**
 * Queue types (`enum netdev_queue_type`).
 *
 * @example
 * ```ts
 * import { NETDEV_QUEUE_TYPE } from "@nlts/netlink/genl";
 * console.log(NETDEV_QUEUE_TYPE.TX); // 1
 * ```
 */
export const NETDEV_QUEUE_TYPE: { readonly RX: 0; readonly TX: 1 } = { RX: 0, TX: 1 } as const;

/**
 * Names of the XDP feature flags as decoded from `xdp-features`.
 *
 * @example
 * ```ts
 * import type { XdpActName } from "@nlts/netlink/genl";
 * const f: XdpActName = "redirect";
 * ```
 */
export type XdpActName =
  | "basic"
  | "redirect"
  | "ndoXmit"
  | "xskZerocopy"
  | "hwOffload"
  | "rxSg"
  | "ndoXmitSg";

/**
 * Names of the XDP receive metadata flags as decoded from `xdp-rx-metadata-features`.
 *
 * @example
 * ```ts
 * import type { XdpRxMetadataName } from "@nlts/netlink/genl";
 * const f: XdpRxMetadataName = "vlanTag";
 * ```
 */
export type XdpRxMetadataName = "timestamp" | "hash" | "vlanTag";

/**
 * Names of the AF_XDP flags as decoded from `xsk-features`.
 *
 * @example
 * ```ts
 * import type { XskFlagName } from "@nlts/netlink/genl";
 * const f: XskFlagName = "txChecksum";
 * ```
 */
export type XskFlagName = "txTimestamp" | "txChecksum" | "txLaunchTimeFifo";

/**
 * The `dev` attribute set: dev-get requests and replies, and the "mgmt" notifications.
 * Flag sets decode to names: `xdpFeatures: ["basic", "redirect", "rxSg"]`.
 *
 * @example
 * ```ts
 * import { devAttrs } from "@nlts/netlink/genl";
 * console.log(devAttrs.nameOf(3)); // "xdp-features"
 * ```
 */
export const devAttrs: AttrSet<{
  ifindex: FixedCodec<number>;
  pad: PadCodec;
  xdpFeatures: FixedCodec<
    (XdpActName | bigint)[],
    readonly (XdpActName | bigint | number)[] | bigint | number
  >;
  xdpZcMaxSegs: FixedCodec<number>;
  xdpRxMetadataFeatures: FixedCodec<
    (XdpRxMetadataName | bigint)[],
    readonly (XdpRxMetadataName | bigint | number)[] | bigint | number
  >;
  xskFeatures: FixedCodec<
    (XskFlagName | bigint)[],
    readonly (XskFlagName | bigint | number)[] | bigint | number
  >;
}> = attrSet("dev", {
  ifindex: [NETDEV_A_DEV.IFINDEX, t.u32()],
  pad: [NETDEV_A_DEV.PAD, t.pad()],
  xdpFeatures: [
    NETDEV_A_DEV.XDP_FEATURES,
    t.flags(t.u64(), {
      basic: NETDEV_XDP_ACT.BASIC,
      redirect: NETDEV_XDP_ACT.REDIRECT,
      ndoXmit: NETDEV_XDP_ACT.NDO_XMIT,
      xskZerocopy: NETDEV_XDP_ACT.XSK_ZEROCOPY,
      hwOffload: NETDEV_XDP_ACT.HW_OFFLOAD,
      rxSg: NETDEV_XDP_ACT.RX_SG,
      ndoXmitSg: NETDEV_XDP_ACT.NDO_XMIT_SG,
    }),
  ],
  xdpZcMaxSegs: [NETDEV_A_DEV.XDP_ZC_MAX_SEGS, t.u32()],
  xdpRxMetadataFeatures: [
    NETDEV_A_DEV.XDP_RX_METADATA_FEATURES,
    t.flags(t.u64(), {
      timestamp: NETDEV_XDP_RX_METADATA.TIMESTAMP,
      hash: NETDEV_XDP_RX_METADATA.HASH,
      vlanTag: NETDEV_XDP_RX_METADATA.VLAN_TAG,
    }),
  ],
  xskFeatures: [
    NETDEV_A_DEV.XSK_FEATURES,
    t.flags(t.u64(), {
      txTimestamp: NETDEV_XSK_FLAGS.TX_TIMESTAMP,
      txChecksum: NETDEV_XSK_FLAGS.TX_CHECKSUM,
      txLaunchTimeFifo: NETDEV_XSK_FLAGS.TX_LAUNCH_TIME_FIFO,
    }),
  ],
});

/**
 * `io-uring-provider-info` (an empty nest today: its presence says "io_uring provides the
 * memory"; attributes a newer kernel adds land in `unknown`).
 *
 * @example
 * ```ts
 * import { ioUringProviderInfoAttrs } from "@nlts/netlink/genl";
 * console.log(ioUringProviderInfoAttrs.name); // "io-uring-provider-info"
 * ```
 */
export const ioUringProviderInfoAttrs: AttrSet<Record<never, never>> = attrSet(
  "io-uring-provider-info",
  {},
);

/**
 * `xsk-info` (an empty nest today: present when an AF_XDP socket is bound to the queue).
 *
 * @example
 * ```ts
 * import { xskInfoAttrs } from "@nlts/netlink/genl";
 * console.log(xskInfoAttrs.name); // "xsk-info"
 * ```
 */
export const xskInfoAttrs: AttrSet<Record<never, never>> = attrSet("xsk-info", {});

/**
 * The `page-pool` attribute set (`NETDEV_A_PAGE_POOL_*`): page-pool-get and the "page-pool"
 * notifications. `id`, `napiId`, `inflight*` and `detachTime` are YNL `uint` (bigint).
 *
 * @example
 * ```ts
 * import { pagePoolAttrs } from "@nlts/netlink/genl";
 * console.log(pagePoolAttrs.nameOf(6)); // "detach-time"
 * ```
 */
export const pagePoolAttrs: AttrSet<{
  id: Codec<bigint, bigint | number>;
  ifindex: FixedCodec<number>;
  napiId: Codec<bigint, bigint | number>;
  inflight: Codec<bigint, bigint | number>;
  inflightMem: Codec<bigint, bigint | number>;
  detachTime: Codec<bigint, bigint | number>;
  dmabuf: FixedCodec<number>;
  ioUring: NestOf<typeof ioUringProviderInfoAttrs>;
}> = attrSet("page-pool", {
  id: [1, t.uint()],
  ifindex: [2, t.u32()],
  napiId: [3, t.uint()],
  inflight: [4, t.uint()],
  inflightMem: [5, t.uint()],
  detachTime: [6, t.uint()],
  dmabuf: [7, t.u32()],
  ioUring: [8, t.nest(ioUringProviderInfoAttrs)],
});

/**
 * `page-pool-info` (a subset of `page-pool`: `{ id, ifindex }`), inside page-pool statistics.
 *
 * @example
 * ```ts
 * import { pagePoolInfoAttrs } from "@nlts/netlink/genl";
 * console.log(pagePoolInfoAttrs.nameOf(2)); // "ifindex"
 * ```
 */
export const pagePoolInfoAttrs: AttrSet<
  { id: Codec<bigint, bigint | number>; ifindex: FixedCodec<number> }
> = attrSet(
  "page-pool-info",
  { id: [1, t.uint()], ifindex: [2, t.u32()] },
);

/**
 * The `page-pool-stats` attribute set (`NETDEV_A_PAGE_POOL_STATS_*`). The operation exists only
 * on kernels built with CONFIG_PAGE_POOL_STATS.
 *
 * @example
 * ```ts
 * import { pagePoolStatsAttrs } from "@nlts/netlink/genl";
 * console.log(pagePoolStatsAttrs.nameOf(8)); // "alloc-fast"
 * ```
 */
export const pagePoolStatsAttrs: AttrSet<{
  info: NestOf<typeof pagePoolInfoAttrs>;
  allocFast: Codec<bigint, bigint | number>;
  allocSlow: Codec<bigint, bigint | number>;
  allocSlowHighOrder: Codec<bigint, bigint | number>;
  allocEmpty: Codec<bigint, bigint | number>;
  allocRefill: Codec<bigint, bigint | number>;
  allocWaive: Codec<bigint, bigint | number>;
  recycleCached: Codec<bigint, bigint | number>;
  recycleCacheFull: Codec<bigint, bigint | number>;
  recycleRing: Codec<bigint, bigint | number>;
  recycleRingFull: Codec<bigint, bigint | number>;
  recycleReleasedRefcnt: Codec<bigint, bigint | number>;
}> = attrSet("page-pool-stats", {
  info: [1, t.nest(pagePoolInfoAttrs)],
  allocFast: [8, t.uint()],
  allocSlow: [9, t.uint()],
  allocSlowHighOrder: [10, t.uint()],
  allocEmpty: [11, t.uint()],
  allocRefill: [12, t.uint()],
  allocWaive: [13, t.uint()],
  recycleCached: [14, t.uint()],
  recycleCacheFull: [15, t.uint()],
  recycleRing: [16, t.uint()],
  recycleRingFull: [17, t.uint()],
  recycleReleasedRefcnt: [18, t.uint()],
});

/**
 * The `napi` attribute set (`NETDEV_A_NAPI_*`): napi-get and napi-set.
 *
 * @example
 * ```ts
 * import { napiAttrs } from "@nlts/netlink/genl";
 * console.log(napiAttrs.nameOf(6)); // "gro-flush-timeout"
 * ```
 */
export const napiAttrs: AttrSet<{
  ifindex: FixedCodec<number>;
  id: FixedCodec<number>;
  irq: FixedCodec<number>;
  pid: FixedCodec<number>;
  deferHardIrqs: FixedCodec<number>;
  groFlushTimeout: Codec<bigint, bigint | number>;
  irqSuspendTimeout: Codec<bigint, bigint | number>;
  threaded: FixedCodec<"disabled" | "enabled" | number>;
}> = attrSet("napi", {
  ifindex: [1, t.u32()],
  id: [2, t.u32()],
  irq: [3, t.u32()],
  pid: [4, t.u32()],
  deferHardIrqs: [5, t.u32()],
  groFlushTimeout: [6, t.uint()],
  irqSuspendTimeout: [7, t.uint()],
  threaded: [8, t.enum(t.u32(), { disabled: 0, enabled: 1 })],
});

const queueType = t.enum(t.u32(), { rx: NETDEV_QUEUE_TYPE.RX, tx: NETDEV_QUEUE_TYPE.TX });

/**
 * The `queue` attribute set (`NETDEV_A_QUEUE_*`): queue-get. `type` decodes to "rx" / "tx".
 *
 * @example
 * ```ts
 * import { queueAttrs } from "@nlts/netlink/genl";
 * console.log(queueAttrs.nameOf(4)); // "napi-id"
 * ```
 */
export const queueAttrs: AttrSet<{
  id: FixedCodec<number>;
  ifindex: FixedCodec<number>;
  type: FixedCodec<"rx" | "tx" | number>;
  napiId: FixedCodec<number>;
  dmabuf: FixedCodec<number>;
  ioUring: NestOf<typeof ioUringProviderInfoAttrs>;
  xsk: NestOf<typeof xskInfoAttrs>;
}> = attrSet("queue", {
  id: [1, t.u32()],
  ifindex: [2, t.u32()],
  type: [3, queueType],
  napiId: [4, t.u32()],
  dmabuf: [5, t.u32()],
  ioUring: [6, t.nest(ioUringProviderInfoAttrs)],
  xsk: [7, t.nest(xskInfoAttrs)],
});

/**
 * The `qstats` attribute set (`NETDEV_A_QSTATS_*`): qstats-get (dump only). Counters are YNL
 * `uint` (bigint); `scope: ["queue"]` asks for per-queue rows.
 *
 * @example
 * ```ts
 * import { qstatsAttrs } from "@nlts/netlink/genl";
 * console.log(qstatsAttrs.nameOf(8)); // "rx-packets"
 * ```
 */
export const qstatsAttrs: AttrSet<{
  ifindex: FixedCodec<number>;
  queueType: FixedCodec<"rx" | "tx" | number>;
  queueId: FixedCodec<number>;
  scope: Codec<("queue" | bigint)[], readonly ("queue" | bigint | number)[] | bigint | number>;
  rxPackets: Codec<bigint, bigint | number>;
  rxBytes: Codec<bigint, bigint | number>;
  txPackets: Codec<bigint, bigint | number>;
  txBytes: Codec<bigint, bigint | number>;
  rxAllocFail: Codec<bigint, bigint | number>;
  rxHwDrops: Codec<bigint, bigint | number>;
  rxHwDropOverruns: Codec<bigint, bigint | number>;
  rxCsumComplete: Codec<bigint, bigint | number>;
  rxCsumUnnecessary: Codec<bigint, bigint | number>;
  rxCsumNone: Codec<bigint, bigint | number>;
  rxCsumBad: Codec<bigint, bigint | number>;
  rxHwGroPackets: Codec<bigint, bigint | number>;
  rxHwGroBytes: Codec<bigint, bigint | number>;
  rxHwGroWirePackets: Codec<bigint, bigint | number>;
  rxHwGroWireBytes: Codec<bigint, bigint | number>;
  rxHwDropRatelimits: Codec<bigint, bigint | number>;
  txHwDrops: Codec<bigint, bigint | number>;
  txHwDropErrors: Codec<bigint, bigint | number>;
  txCsumNone: Codec<bigint, bigint | number>;
  txNeedsCsum: Codec<bigint, bigint | number>;
  txHwGsoPackets: Codec<bigint, bigint | number>;
  txHwGsoBytes: Codec<bigint, bigint | number>;
  txHwGsoWirePackets: Codec<bigint, bigint | number>;
  txHwGsoWireBytes: Codec<bigint, bigint | number>;
  txHwDropRatelimits: Codec<bigint, bigint | number>;
  txStop: Codec<bigint, bigint | number>;
  txWake: Codec<bigint, bigint | number>;
}> = attrSet("qstats", {
  ifindex: [1, t.u32()],
  queueType: [2, queueType],
  queueId: [3, t.u32()],
  scope: [4, t.flags(t.uint(), { queue: 1 })],
  rxPackets: [8, t.uint()],
  rxBytes: [9, t.uint()],
  txPackets: [10, t.uint()],
  txBytes: [11, t.uint()],
  rxAllocFail: [12, t.uint()],
  rxHwDrops: [13, t.uint()],
  rxHwDropOverruns: [14, t.uint()],
  rxCsumComplete: [15, t.uint()],
  rxCsumUnnecessary: [16, t.uint()],
  rxCsumNone: [17, t.uint()],
  rxCsumBad: [18, t.uint()],
  rxHwGroPackets: [19, t.uint()],
  rxHwGroBytes: [20, t.uint()],
  rxHwGroWirePackets: [21, t.uint()],
  rxHwGroWireBytes: [22, t.uint()],
  rxHwDropRatelimits: [23, t.uint()],
  txHwDrops: [24, t.uint()],
  txHwDropErrors: [25, t.uint()],
  txCsumNone: [26, t.uint()],
  txNeedsCsum: [27, t.uint()],
  txHwGsoPackets: [28, t.uint()],
  txHwGsoBytes: [29, t.uint()],
  txHwGsoWirePackets: [30, t.uint()],
  txHwGsoWireBytes: [31, t.uint()],
  txHwDropRatelimits: [32, t.uint()],
  txStop: [33, t.uint()],
  txWake: [34, t.uint()],
});

/**
 * `queue-id` (a subset of `queue`: `{ id, type }`), the queues of a dmabuf binding.
 *
 * @example
 * ```ts
 * import { queueIdAttrs } from "@nlts/netlink/genl";
 * console.log(queueIdAttrs.nameOf(3)); // "type"
 * ```
 */
export const queueIdAttrs: AttrSet<
  { id: FixedCodec<number>; type: FixedCodec<"rx" | "tx" | number> }
> = attrSet("queue-id", { id: [1, t.u32()], type: [3, queueType] });

/**
 * The `dmabuf` attribute set (`NETDEV_A_DMABUF_*`): bind-rx and bind-tx.
 *
 * @example
 * ```ts
 * import { dmabufAttrs } from "@nlts/netlink/genl";
 * console.log(dmabufAttrs.nameOf(2)); // "queues"
 * ```
 */
export const dmabufAttrs: AttrSet<{
  ifindex: FixedCodec<number>;
  queues: ArrayOf<NestOf<typeof queueIdAttrs>>;
  fd: FixedCodec<number>;
  id: FixedCodec<number>;
}> = attrSet("dmabuf", {
  ifindex: [1, t.u32()],
  queues: [2, t.multi(t.nest(queueIdAttrs))],
  fd: [3, t.u32()],
  id: [4, t.u32()],
});

/**
 * The netdev family, for {@link GenlSocket.family}: operations dev-get, page-pool-get,
 * page-pool-stats-get, queue-get, napi-get, qstats-get (dump only), bind-rx, napi-set, bind-tx;
 * notifications dev-add-ntf / dev-del-ntf / dev-change-ntf on "mgmt" and page-pool-add-ntf /
 * page-pool-del-ntf / page-pool-change-ntf on "page-pool". The kernel sends notifications
 * to the network namespace of the device: subscribe there (`subscribe(["mgmt"], { netns })`).
 *
 * @example
 * ```ts
 * import { GenlSocket, netdev } from "@nlts/netlink/genl";
 * using genl = GenlSocket.open();
 * const fam = genl.family(netdev);
 * for (const m of fam.dumpSync("dev-get")) console.log(m.attrs.ifindex, m.attrs.xdpFeatures);
 * ```
 */
export const netdev: {
  readonly name: "netdev";
  readonly version: 1;
  readonly attrs: typeof devAttrs;
  readonly operations: {
    readonly "dev-get": { readonly cmd: 1; readonly do: true; readonly dump: true };
    readonly "page-pool-get": {
      readonly cmd: 5;
      readonly request: typeof pagePoolAttrs;
      readonly do: true;
      readonly dump: true;
    };
    readonly "page-pool-stats-get": {
      readonly cmd: 9;
      readonly request: typeof pagePoolStatsAttrs;
      readonly do: true;
      readonly dump: true;
    };
    readonly "queue-get": {
      readonly cmd: 10;
      readonly request: typeof queueAttrs;
      readonly do: true;
      readonly dump: true;
    };
    readonly "napi-get": {
      readonly cmd: 11;
      readonly request: typeof napiAttrs;
      readonly do: true;
      readonly dump: true;
    };
    readonly "qstats-get": {
      readonly cmd: 12;
      readonly request: typeof qstatsAttrs;
      readonly do: false;
      readonly dump: true;
    };
    readonly "bind-rx": { readonly cmd: 13; readonly request: typeof dmabufAttrs };
    readonly "napi-set": { readonly cmd: 14; readonly request: typeof napiAttrs };
    readonly "bind-tx": { readonly cmd: 15; readonly request: typeof dmabufAttrs };
  };
  readonly events: {
    readonly "dev-add-ntf": { readonly cmd: 2 };
    readonly "dev-del-ntf": { readonly cmd: 3 };
    readonly "dev-change-ntf": { readonly cmd: 4 };
    readonly "page-pool-add-ntf": { readonly cmd: 6; readonly attrs: typeof pagePoolAttrs };
    readonly "page-pool-del-ntf": { readonly cmd: 7; readonly attrs: typeof pagePoolAttrs };
    readonly "page-pool-change-ntf": { readonly cmd: 8; readonly attrs: typeof pagePoolAttrs };
  };
  readonly mcastGroups: readonly ["mgmt", "page-pool"];
} = defineFamily(
  {
    name: "netdev",
    version: 1,
    attrs: devAttrs,
    operations: {
      "dev-get": { cmd: NETDEV_CMD.DEV_GET, do: true, dump: true },
      "page-pool-get": {
        cmd: NETDEV_CMD.PAGE_POOL_GET,
        request: pagePoolAttrs,
        do: true,
        dump: true,
      },
      "page-pool-stats-get": {
        cmd: NETDEV_CMD.PAGE_POOL_STATS_GET,
        request: pagePoolStatsAttrs,
        do: true,
        dump: true,
      },
      "queue-get": { cmd: NETDEV_CMD.QUEUE_GET, request: queueAttrs, do: true, dump: true },
      "napi-get": { cmd: NETDEV_CMD.NAPI_GET, request: napiAttrs, do: true, dump: true },
      "qstats-get": { cmd: NETDEV_CMD.QSTATS_GET, request: qstatsAttrs, do: false, dump: true },
      "bind-rx": { cmd: NETDEV_CMD.BIND_RX, request: dmabufAttrs },
      "napi-set": { cmd: NETDEV_CMD.NAPI_SET, request: napiAttrs },
      "bind-tx": { cmd: NETDEV_CMD.BIND_TX, request: dmabufAttrs },
    },
    events: {
      "dev-add-ntf": { cmd: NETDEV_CMD.DEV_ADD_NTF },
      "dev-del-ntf": { cmd: NETDEV_CMD.DEV_DEL_NTF },
      "dev-change-ntf": { cmd: NETDEV_CMD.DEV_CHANGE_NTF },
      "page-pool-add-ntf": { cmd: NETDEV_CMD.PAGE_POOL_ADD_NTF, attrs: pagePoolAttrs },
      "page-pool-del-ntf": { cmd: NETDEV_CMD.PAGE_POOL_DEL_NTF, attrs: pagePoolAttrs },
      "page-pool-change-ntf": { cmd: NETDEV_CMD.PAGE_POOL_CHANGE_NTF, attrs: pagePoolAttrs },
    },
    mcastGroups: ["mgmt", "page-pool"],
  } as const,
);

registerFamilySpec(netdev);
