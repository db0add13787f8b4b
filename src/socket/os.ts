/**
 * Linux socket-level constants used by {@link NetlinkSocket} (identical on x86_64 and aarch64).
 *
 * @module
 */

/** Address family of netlink sockets. */
export const AF_NETLINK = 16;
/** Unspecified address family (used to disconnect). */
export const AF_UNSPEC = 0;
/** `SOCK_RAW`. */
export const SOCK_RAW = 3;
/** `SOCK_DGRAM`. */
export const SOCK_DGRAM = 2;
/** `SOCK_NONBLOCK` (= O_NONBLOCK). */
export const SOCK_NONBLOCK = 0o4000;
/** `SOCK_CLOEXEC` (= O_CLOEXEC). */
export const SOCK_CLOEXEC = 0o2000000;
/** `MSG_PEEK`. */
export const MSG_PEEK = 0x2;
/** `MSG_TRUNC`. */
export const MSG_TRUNC = 0x20;
/** `MSG_DONTWAIT`. */
export const MSG_DONTWAIT = 0x40;
/** `SOL_SOCKET`. */
export const SOL_SOCKET = 1;

/**
 * Socket options at level `SOL_SOCKET` that {@link NetlinkSocket} exposes.
 *
 * @example
 * ```ts
 * import { SO } from "@nlts/netlink";
 * console.log(SO.RCVBUF); // 8
 * ```
 */
export const SO: {
  readonly SNDBUF: 7;
  readonly RCVBUF: 8;
  readonly SNDBUFFORCE: 32;
  readonly RCVBUFFORCE: 33;
} = { SNDBUF: 7, RCVBUF: 8, SNDBUFFORCE: 32, RCVBUFFORCE: 33 } as const;

/** `EFD_NONBLOCK`. */
export const EFD_NONBLOCK = 0o4000;
/** `EFD_CLOEXEC`. */
export const EFD_CLOEXEC = 0o2000000;
/** `O_RDONLY`. */
export const O_RDONLY = 0;
/** `O_CLOEXEC`. */
export const O_CLOEXEC = 0o2000000;
/** `CLONE_NEWNET` (for setns). */
export const CLONE_NEWNET = 0x40000000;

/** errno values the socket layer acts on. */
export const E = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EAGAIN: 11,
  EACCES: 13,
  EBUSY: 16,
  EINVAL: 22,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  EADDRINUSE: 98,
  ECONNREFUSED: 111,
  ENOBUFS: 105,
} as const;
