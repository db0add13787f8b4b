/**
 * Netlink sockets: {@link NetlinkSocket}, tracing controls and the kernel's monotonic clock
 * ({@link monotonicMs}).
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
  type BatchFailure,
  type BatchOptions,
  type BatchResult,
  type MessageHandler,
  type NetlinkMessage,
  type NetlinkMessageInit,
  NetlinkSocket,
  type NetlinkSocketOptions,
  type RequestOptions,
  type SendBatchOptions,
} from "./netlink_socket.ts";
export type { Libc, RecvManyResult, RecvResult, SysResult, WaitResult } from "../ffi/types.ts";
export { monotonicMs } from "./clock.ts";
export { closeNamespace, netnsPath, openNamespace } from "./netns.ts";
export {
  addTraceFormatter,
  setTracing,
  type TraceFormatter,
  type TraceFormatterOptions,
  tracing,
} from "./trace.ts";
