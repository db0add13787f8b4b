/**
 * nlts: netlink for Deno and Bun, through libc FFI (no native addon).
 *
 * - {@link NetlinkSocket}: any netlink protocol; requests, dumps, batches, multicast.
 * - Generic netlink: {@link Controller} (nlctrl), {@link GenlSocket} and typed family clients
 *   from {@link defineFamily} descriptions built with the schema system ({@link attrSet}, `t`).
 * - The pure protocol layer (`@nlts/netlink/protocol`): constants, {@link NetlinkWriter},
 *   {@link MessageIterator}, {@link AttrIterator}, error decoding.
 * - Errors: {@link NetlinkError}, {@link SyscallError}, {@link DecodeError},
 *   {@link DumpInterruptedError}.
 *
 * Run with `deno run --allow-ffi` (Deno) or `bun run` (Bun).
 *
 * @example List the generic netlink families: a CTRL_CMD_GETFAMILY dump framed and decoded by the nlctrl family
 * ```ts
 * import { GenlSocket, nlctrl } from "@nlts/netlink";
 * using genl = GenlSocket.open();
 * const ctrl = genl.family(nlctrl);
 * for (const m of genl.socket.dumpSync(ctrl.encode("getfamily"))) {
 *   console.log(ctrl.decode(m, { op: "getfamily" }).attrs.familyName);
 * }
 * ```
 *
 * @module
 */

export * from "./src/protocol/mod.ts";
export * from "./src/socket/mod.ts";
export * from "./src/genl/mod.ts";
