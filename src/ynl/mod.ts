/**
 * YNL: the kernel's netlink family specs (Documentation/netlink/specs/*.yaml) as nlts
 * families. {@link loadSpec} builds a family at run time from a spec file, a name, YAML text or
 * an object; generic netlink families work with `GenlSocket.family`, netlink-raw ones
 * (rt-link, rt-addr, rt-route, tc, nftables, conntrack) with {@link RawFamily}. The typed
 * modules under `@nlts/netlink/families/*` are generated from the same specs
 * ({@link generateModule}, `nlts ynl gen`).
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { loadGenlSpec } from "@nlts/netlink/ynl";
 * using genl = GenlSocket.open();
 * const netdev = genl.family(loadGenlSpec("netdev"));
 * for (const m of netdev.dumpSync("dev-get")) console.log(m.attrs.ifindex, m.attrs.xdpFeatures);
 * ```
 *
 * @module
 */

export * from "./model.ts";
export * from "./load.ts";
export * from "./spec.ts";
export * from "./raw_family.ts";
export * from "./gen.ts";
export * from "./json.ts";
