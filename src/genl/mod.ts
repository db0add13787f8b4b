/**
 * Generic netlink: {@link GenlSocket} (family ids cached per socket), typed family clients
 * ({@link defineFamily}, {@link Family}: do, dump, batch, subscribe), the controller
 * ({@link Controller}, {@link nlctrl}) and family descriptions for this kernel's netdev and ethtool.
 *
 * @example
 * ```ts
 * import { Controller } from "@nlts/netlink/genl";
 * using ctrl = Controller.open();
 * for (const f of ctrl.listFamiliesSync()) console.log(f.id, f.name);
 * ```
 *
 * @module
 */

export * from "./header.ts";
export * from "./nlctrl_schema.ts";
export * from "./family.ts";
export * from "./controller.ts";
export * from "./registry.ts";
export { attrSet, t } from "../protocol/schema.ts";
export * from "./netdev.ts";
export * from "./ethtool.ts";
