/**
 * The pure netlink protocol layer: constants, message and attribute encoding and decoding,
 * error classes. No FFI, no I/O: it runs in any JavaScript runtime.
 *
 * @example
 * ```ts
 * import { AttrIterator, MessageIterator, NetlinkWriter, NLM_F } from "@nlts/netlink/protocol";
 * const w = new NetlinkWriter();
 * const m = w.beginMessage(0x10, NLM_F.REQUEST, 1);
 * w.putU32(0).attrString(2, "nlctrl");
 * w.endMessage(m);
 * const it = new MessageIterator(w.bytes());
 * it.next();
 * const attrs = new AttrIterator(it.data, it.payloadOffset + 4, it.messageEnd);
 * attrs.next();
 * console.log(attrs.type); // 2
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export * from "./errno.ts";
export * from "./errors.ts";
export * from "./writer.ts";
export * from "./reader.ts";
export * from "./message.ts";
export * from "./schema.ts";
