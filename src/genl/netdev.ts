/**
 * The `netdev` generic netlink family (Linux 6.3+, `<linux/netdev.h>`): device XDP/AF_XDP
 * capabilities (dev-get), page pools, queues, NAPI instances, per-queue statistics and dmabuf
 * bindings, and the "mgmt" / "page-pool" notifications. Generated from YNL's `netdev.yaml` into
 * `@nlts/netlink/families/netdev` and re-exported here (registered for `nlts genl monitor` and
 * traces); tests/genl/netdev_test.ts checks it against the running kernel's policy dump.
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

import type { Decoded } from "../protocol/schema.ts";
import { type devAttrs, netdev } from "../families/netdev.ts";
import { registerFamilySpec } from "./registry.ts";

export {
  devAttrs,
  dmabufAttrs,
  ioUringProviderInfoAttrs,
  napiAttrs,
  netdev,
  NETDEV_A_DEV,
  NETDEV_CMD,
  NETDEV_QUEUE_TYPE,
  NETDEV_XDP_ACT,
  NETDEV_XDP_RX_METADATA,
  NETDEV_XSK_FLAGS,
  pagePoolAttrs,
  pagePoolInfoAttrs,
  pagePoolStatsAttrs,
  qstatsAttrs,
  queueAttrs,
  queueIdAttrs,
  xskInfoAttrs,
} from "../families/netdev.ts";

/**
 * Names of the XDP feature flags as decoded from `xdp-features`.
 *
 * @example
 * ```ts
 * import type { XdpActName } from "@nlts/netlink/genl";
 * const f: XdpActName = "redirect";
 * ```
 */
export type XdpActName = Exclude<
  NonNullable<Decoded<typeof devAttrs>["xdpFeatures"]>[number],
  bigint
>;

/**
 * Names of the XDP receive metadata flags as decoded from `xdp-rx-metadata-features`.
 *
 * @example
 * ```ts
 * import type { XdpRxMetadataName } from "@nlts/netlink/genl";
 * const f: XdpRxMetadataName = "vlanTag";
 * ```
 */
export type XdpRxMetadataName = Exclude<
  NonNullable<Decoded<typeof devAttrs>["xdpRxMetadataFeatures"]>[number],
  bigint
>;

/**
 * Names of the AF_XDP flags as decoded from `xsk-features`.
 *
 * @example
 * ```ts
 * import type { XskFlagName } from "@nlts/netlink/genl";
 * const f: XskFlagName = "txChecksum";
 * ```
 */
export type XskFlagName = Exclude<
  NonNullable<Decoded<typeof devAttrs>["xskFeatures"]>[number],
  bigint
>;

registerFamilySpec(netdev);
