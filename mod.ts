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
 * @example List the generic netlink families with a raw CTRL_CMD_GETFAMILY dump
 * ```ts
 * import { AttrIterator, MessageIterator, NETLINK, NetlinkSocket, readString } from "@nlts/netlink";
 * using sock = NetlinkSocket.open(NETLINK.GENERIC);
 * // genlmsghdr: cmd CTRL_CMD_GETFAMILY (3), version 1
 * for (const m of sock.dumpSync({ type: 0x10, payload: new Uint8Array([3, 1, 0, 0]) })) {
 *   const attrs = new AttrIterator(m.payload, 4);
 *   while (attrs.next()) {
 *     if (attrs.type === 2) console.log(readString(m.payload, attrs.offset, attrs.length));
 *   }
 * }
 * ```
 *
 * @module
 */

export * from "./src/protocol/mod.ts";
export * from "./src/socket/mod.ts";
export * from "./src/genl/mod.ts";
