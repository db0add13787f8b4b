/**
 * The runtime-neutral interface of the libc calls nlts makes. `src/ffi/deno.ts` and
 * `src/ffi/bun.ts` implement it; nothing here touches a runtime API.
 *
 * Conventions shared by every method:
 * - Calls are synchronous, on the caller's thread (except {@link Libc.waitReadable}).
 * - A failing call returns `ret < 0` (always -1) and `errno`, read from `__errno_location()`
 *   right after the call on the same thread; a successful call has `errno === 0`.
 * - Methods never throw for kernel errors. They throw `RangeError`/`TypeError` only for
 *   arguments that would make the call unsafe (for example `nfds` larger than the buffer).
 * - `Uint8Array` arguments may be subarrays: their `byteOffset` is respected.
 *
 * @module
 */

/**
 * The result of a syscall wrapper: the C return value and, when it failed, errno.
 *
 * @example
 * ```ts
 * import { getLibc } from "./mod.ts";
 * const { ret, errno } = getLibc().close(-1);
 * console.log(ret, errno); // -1 9 (EBADF)
 * ```
 */
export interface SysResult {
  /** The C return value; negative (-1) on failure. `ssize_t` results fit since lengths < 2 GiB. */
  ret: number;
  /** errno when `ret < 0`, read immediately after the call on the same thread; otherwise 0. */
  errno: number;
}

/**
 * The result of {@link Libc.recvmmsg}: how many datagrams were read, and each one's result.
 *
 * @example
 * ```ts
 * import { getLibc, MSG } from "./mod.ts";
 * const c = getLibc();
 * const fd = c.socket(16, 3 | 0o4000 | 0o2000000, 2).ret; // AF_NETLINK, NETLINK_USERSOCK
 * const r = c.recvmmsg?.(fd, [new Uint8Array(64), new Uint8Array(64)], MSG.DONTWAIT);
 * console.log(r?.ret, r?.errno); // -1 11 (EAGAIN: nothing queued)
 * c.close(fd);
 * ```
 */
export interface RecvManyResult extends SysResult {
  /** Datagrams read (at least 1), or -1 with `errno`. */
  ret: number;
  /** Per datagram read: its length (`ret`), flags and source address. */
  results: readonly RecvResult[];
}

/**
 * The result of {@link Libc.recvmsg}.
 *
 * @example
 * ```ts
 * import { getLibc, MSG } from "./mod.ts";
 * const c = getLibc();
 * const fd = c.socket(16, 3 | 0o4000 | 0o2000000, 2).ret; // AF_NETLINK, NETLINK_USERSOCK
 * const r = c.recvmsg(fd, new Uint8Array(64), MSG.DONTWAIT);
 * console.log(r.ret, r.errno); // -1 11 (EAGAIN: nothing queued)
 * c.close(fd);
 * ```
 */
export interface RecvResult extends SysResult {
  /**
   * Bytes received; with `MSG_TRUNC` in the call's flags, the real datagram length even when it
   * exceeds the buffer.
   */
  ret: number;
  /** `msghdr.msg_flags` after the call (`MSG_TRUNC`, `MSG_CTRUNC`, ...); 0 on failure. */
  msgFlags: number;
  /** `nl_pid` of the source `sockaddr_nl` (0 = the kernel); 0 on failure or if no address. */
  portid: number;
  /** `nl_groups` of the source `sockaddr_nl` (multicast group bitmask); 0 on failure. */
  groups: number;
  /** `msghdr.msg_controllen` after the call: bytes of ancillary data written; 0 without one. */
  controlLen: number;
}

/**
 * How {@link Libc.waitReadable} ended.
 *
 * - `"readable"`: `fd` is readable (or has a pending error, `POLLERR`/`POLLHUP`); read it now.
 * - `"cancelled"`: `cancelFd` became readable (it is left readable: the wait does not read it).
 * - `"timeout"`: the timeout passed first.
 * - `"error"`: `poll()` failed (in practice `EINTR`; retry) or `fd` is not open (`POLLNVAL`).
 *
 * @example
 * ```ts
 * import type { WaitResult } from "./types.ts";
 * const done: WaitResult = "timeout";
 * console.log(done);
 * ```
 */
export type WaitResult = "readable" | "cancelled" | "timeout" | "error";

/**
 * The libc calls nlts needs, bound by one runtime backend. Get the process-wide instance with
 * `getLibc()` from `./mod.ts`.
 *
 * @example
 * ```ts
 * import { AF, getLibc, SOCK } from "./mod.ts";
 * const c = getLibc();
 * const s = c.socket(AF.NETLINK, SOCK.RAW | SOCK.NONBLOCK | SOCK.CLOEXEC, 2);
 * console.log(c.runtime, s.ret >= 0);
 * c.close(s.ret);
 * ```
 */
export interface Libc {
  /** Which backend this is ("fake": an in-memory one such as `FakeKernel` from the testing module). */
  readonly runtime: "deno" | "bun" | "fake";
  /** `socket(domain, type, protocol)`; `ret` is the new fd. */
  socket(domain: number, type: number, protocol: number): SysResult;
  /** `bind(fd, addr, addr.length)`. */
  bind(fd: number, addr: Uint8Array): SysResult;
  /** `connect(fd, addr, addr.length)`. */
  connect(fd: number, addr: Uint8Array): SysResult;
  /** `getsockname(fd, addr, &len)` with `len = addr.length`; `addr` is filled in, `ret` is 0. */
  getsockname(fd: number, addr: Uint8Array): SysResult;
  /** `setsockopt(fd, level, name, value, value.length)`. */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult;
  /**
   * `getsockopt(fd, level, name, value, &len)` with `len = value.length`. `ret` is the `len` the
   * kernel returned, which may exceed `value.length` (e.g. `NETLINK_LIST_MEMBERSHIPS` reports the
   * size it needs), or -1.
   */
  getsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult;
  /**
   * `sendmsg()` of the concatenation of `iov` (at most 1024 pieces, each may be a subarray) to
   * `addr` (a `sockaddr`, at most 128 bytes; `null` = the connected peer). `ret` = bytes sent.
   * A single piece is sent with `sendto()`: the same datagram, without the kernel copying in a
   * msghdr and an iovec array.
   */
  sendmsg(
    fd: number,
    iov: readonly Uint8Array[],
    addr: Uint8Array | null,
    flags: number,
  ): SysResult;
  /** `sendto(fd, buf, buf.length, flags, addr, addr.length)`; `ret` = bytes sent. */
  sendto(fd: number, buf: Uint8Array, addr: Uint8Array | null, flags: number): SysResult;
  /**
   * `recvmsg()` of one datagram into `buf` (a single iovec) with a `sockaddr_nl` source address
   * and, if given, `control` as the ancillary-data buffer.
   */
  recvmsg(fd: number, buf: Uint8Array, flags: number, control?: Uint8Array): RecvResult;
  /**
   * `recvmmsg()` of up to `bufs.length` (1..8) datagrams, each into its buffer (one iovec and a
   * `sockaddr_nl` each, no control data, no timeout): one system call for what would take
   * several `recvmsg()` (a reply and its acknowledgement, consecutive dump datagrams). `ret` is
   * the number read (-1 and `errno` when none was); `results[i]` describes datagram `i < ret`
   * like a {@link RecvResult} (`controlLen` 0). The results array is the backend's own, valid
   * until its next call. Optional: transports without it are read with `recvmsg()`.
   */
  recvmmsg?(fd: number, bufs: readonly Uint8Array[], flags: number): RecvManyResult;
  /**
   * Synchronous `poll(fds, nfds, timeoutMs)` on the caller's thread. `fds` holds `nfds` 8-byte
   * `pollfd` entries (see `encodePollfds`); `revents` are written back into it.
   */
  poll(fds: Uint8Array, nfds: number, timeoutMs: number): SysResult;
  /** `close(fd)`. */
  close(fd: number): SysResult;
  /** `eventfd(initval, flags)`; `ret` is the new fd. */
  eventfd(initval: number, flags: number): SysResult;
  /** `read(fd, buf, buf.length)`; `ret` = bytes read. */
  read(fd: number, buf: Uint8Array): SysResult;
  /** `write(fd, buf, buf.length)`; `ret` = bytes written. */
  write(fd: number, buf: Uint8Array): SysResult;
  /**
   * `open(path, flags)` (no `O_CREAT`: mode is 0), for `/proc/thread-self/ns/net` and
   * `/run/netns/NAME`. Throws `TypeError` if `path` contains a NUL character.
   */
  open(path: string, flags: number): SysResult;
  /** `setns(fd, nstype)`: moves the calling thread into the namespace `fd` refers to. */
  setns(fd: number, nstype: number): SysResult;
  /** `getpid()`. */
  getpid(): number;
  /**
   * `clock_gettime(clockId, ts)`: fills `ts` (at least 16 bytes) with a `struct timespec`
   * (`tv_sec` and `tv_nsec`, two native 64-bit integers). `clockId` 1 is CLOCK_MONOTONIC, the
   * clock of Open vSwitch's flow `used` times.
   */
  clockGettime(clockId: number, ts: Uint8Array): SysResult;
  /**
   * Waits off the main thread until `fd` is readable, or `cancelFd` (an eventfd; -1 for none)
   * becomes readable, or `timeoutMs` passes (-1 = forever). Never reads errno, never reads
   * either fd. Write `cancelFd` before closing `fd`: closing an fd does not wake a `poll()`
   * blocked on it in another thread. While a wait is pending it keeps the process alive.
   */
  waitReadable(fd: number, cancelFd: number, timeoutMs: number): Promise<WaitResult>;
  /**
   * `getenv(name)`: the process environment as libc sees it, without the runtime's permission
   * checks (tracing uses it only to warn that `NLTS_DEBUG` is set but not readable). Optional:
   * an in-memory transport need not have it.
   */
  getenv?(name: string): string | undefined;
}
