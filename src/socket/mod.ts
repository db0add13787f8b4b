/**
 * Netlink sockets: {@link NetlinkSocket} and tracing controls.
 *
 * @example
 * ```ts
 * import { NETLINK, NetlinkSocket } from "@nlts/netlink";
 * using s = NetlinkSocket.open(NETLINK.ROUTE);
 * console.log(s.portid);
 * ```
 *
 * @module
 */

export {
  type BatchOptions,
  type BatchResult,
  type MessageHandler,
  type NetlinkMessage,
  type NetlinkMessageInit,
  NetlinkSocket,
  type NetlinkSocketOptions,
  type RequestOptions,
} from "./netlink_socket.ts";
export { SO } from "../ffi/constants.ts";
export type { Libc, RecvResult, SysResult, WaitResult } from "../ffi/types.ts";
export { addTraceFormatter, setTracing, type TraceFormatter, tracing } from "./trace.ts";
