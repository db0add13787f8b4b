/**
 * Linux syscall constants the FFI layer and its callers pass to `Libc` methods, spelled as
 * in the kernel and glibc headers without their prefix (`SOCK.NONBLOCK` is `SOCK_NONBLOCK`).
 *
 * Only values that are identical on x86_64 and aarch64 are listed. Netlink-specific numbers
 * (protocols, socket options such as `NETLINK_ADD_MEMBERSHIP`) and the socket option levels
 * and names (`SOL`, `SO`) live in `src/protocol/constants.ts`; they are re-exported here.
 *
 * @module
 */

export { SO, SOL } from "../protocol/constants.ts";

/**
 * Address families (`AF_*`), the first argument of `Libc.socket`.
 *
 * @example
 * ```ts
 * import { AF } from "./constants.ts";
 * console.log(AF.NETLINK); // 16
 * ```
 */
export const AF: {
  readonly UNSPEC: 0;
  readonly UNIX: 1;
  readonly INET: 2;
  readonly INET6: 10;
  readonly NETLINK: 16;
} = { UNSPEC: 0, UNIX: 1, INET: 2, INET6: 10, NETLINK: 16 } as const;

/**
 * Socket types and `socket()` type flags (`SOCK_*`).
 *
 * @example
 * ```ts
 * import { SOCK } from "./constants.ts";
 * const type = SOCK.RAW | SOCK.NONBLOCK | SOCK.CLOEXEC;
 * console.log(type.toString(8)); // "2004003"
 * ```
 */
export const SOCK: {
  readonly STREAM: 1;
  readonly DGRAM: 2;
  readonly RAW: 3;
  readonly NONBLOCK: 0o4000;
  readonly CLOEXEC: 0o2000000;
} = { STREAM: 1, DGRAM: 2, RAW: 3, NONBLOCK: 0o4000, CLOEXEC: 0o2000000 } as const;

/**
 * `sendmsg()`/`recvmsg()` flags (`MSG_*`), also found in `RecvResult.msgFlags`.
 *
 * @example
 * ```ts
 * import { MSG } from "./constants.ts";
 * const flags = MSG.DONTWAIT | MSG.TRUNC;
 * console.log(flags); // 96
 * ```
 */
export const MSG: {
  readonly OOB: 0x1;
  readonly PEEK: 0x2;
  readonly CTRUNC: 0x8;
  readonly TRUNC: 0x20;
  readonly DONTWAIT: 0x40;
  readonly EOR: 0x80;
  readonly WAITALL: 0x100;
  readonly ERRQUEUE: 0x2000;
  readonly NOSIGNAL: 0x4000;
  readonly CMSG_CLOEXEC: 0x40000000;
} = {
  OOB: 0x1,
  PEEK: 0x2,
  CTRUNC: 0x8,
  TRUNC: 0x20,
  DONTWAIT: 0x40,
  EOR: 0x80,
  WAITALL: 0x100,
  ERRQUEUE: 0x2000,
  NOSIGNAL: 0x4000,
  CMSG_CLOEXEC: 0x40000000,
} as const;

/**
 * `poll()` event bits (`POLL*`), for `pollfd.events` and `pollfd.revents`.
 *
 * @example
 * ```ts
 * import { POLL } from "./constants.ts";
 * console.log(POLL.IN | POLL.ERR); // 9
 * ```
 */
export const POLL: {
  readonly IN: 0x1;
  readonly PRI: 0x2;
  readonly OUT: 0x4;
  readonly ERR: 0x8;
  readonly HUP: 0x10;
  readonly NVAL: 0x20;
} = { IN: 0x1, PRI: 0x2, OUT: 0x4, ERR: 0x8, HUP: 0x10, NVAL: 0x20 } as const;

/**
 * `eventfd()` flags (`EFD_*`).
 *
 * @example
 * ```ts
 * import { EFD } from "./constants.ts";
 * console.log((EFD.CLOEXEC | EFD.NONBLOCK).toString(8)); // "2004000"
 * ```
 */
export const EFD: {
  readonly SEMAPHORE: 1;
  readonly NONBLOCK: 0o4000;
  readonly CLOEXEC: 0o2000000;
} = { SEMAPHORE: 1, NONBLOCK: 0o4000, CLOEXEC: 0o2000000 } as const;

/**
 * `open()` flags (`O_*`) that are the same on x86_64 and aarch64.
 *
 * @example
 * ```ts
 * import { O } from "./constants.ts";
 * console.log(O.RDONLY | O.CLOEXEC); // 524288
 * ```
 */
export const O: {
  readonly RDONLY: 0;
  readonly WRONLY: 1;
  readonly RDWR: 2;
  readonly NONBLOCK: 0o4000;
  readonly CLOEXEC: 0o2000000;
} = { RDONLY: 0, WRONLY: 1, RDWR: 2, NONBLOCK: 0o4000, CLOEXEC: 0o2000000 } as const;

/**
 * Namespace types (`CLONE_NEW*`), the `nstype` argument of `Libc.setns`.
 *
 * @example
 * ```ts
 * import { CLONE } from "./constants.ts";
 * console.log(CLONE.NEWNET.toString(16)); // "40000000"
 * ```
 */
export const CLONE: { readonly NEWNET: 0x40000000 } = { NEWNET: 0x40000000 } as const;
