/**
 * rtnetlink for everyday jobs: {@link RouteClient} lists, creates, changes and deletes links,
 * addresses, routes, neighbours and rules in any network namespace, synchronously or
 * asynchronously, and follows their changes as typed events. Everything goes through the
 * kernel's YNL specs (`@nlts/netlink/families/rt_*`); the results are plain objects
 * ({@link Link}, {@link Address}, {@link Route}, {@link Neighbour}, {@link Rule}) that keep
 * every decoded attribute in `attrs` (routes are instances of one class whose `attrs`, an
 * accessor, is decoded when first read: see {@link Route.attrs}).
 *
 * @example
 * ```ts
 * import { RouteClient } from "@nlts/netlink/route";
 * using rt = RouteClient.open({ netns: "blue" });
 * rt.addLinkSync({ kind: "veth", name: "ve0", peer: { name: "ve1", netns: "red" }, up: true });
 * rt.addAddressSync("ve0", "10.0.0.1/24");
 * rt.addRouteSync({ dst: "default", gateway: "10.0.0.2" });
 * for (const l of rt.linksSync()) console.log(l.index, l.name, l.flags.join(","));
 * ```
 *
 * @module
 */

export * from "./client.ts";
export * from "./constants.ts";
export {
  type Address,
  type AddressAttrs,
  type AddressHeader,
  type Family,
  parsePrefix,
  toAddress,
} from "./address.ts";
export {
  type Link,
  type LinkAttrs,
  linkFlagNames,
  type LinkHeader,
  type LinkInfo,
  type LinkRef,
  type LinkStats,
  type NetnsRef,
  toLink,
} from "./link.ts";
export * from "./kinds.ts";
export {
  decodeMultipath,
  encodeMultipath,
  type Nexthop,
  nexthopFlagNames,
  nexthopFlags,
} from "./multipath.ts";
export * from "./neighbour.ts";
export * from "./route.ts";
export * from "./rule.ts";
