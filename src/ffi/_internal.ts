/**
 * Helpers shared by the two FFI backends. Private to `src/ffi/`: pure functions only, no
 * runtime APIs.
 *
 * @module
 */

import { MMSGHDR, MSGHDR, SOCKADDR_NL } from "./structs.ts";
import type { RecvResult } from "./types.ts";

/**
 * Largest socket address `sendmsg`/`sendto` accept (`sizeof(struct sockaddr_storage)`).
 *
 * @example
 * ```ts
 * import { MAX_SOCKADDR } from "./_internal.ts";
 * console.log(MAX_SOCKADDR); // 128
 * ```
 */
export const MAX_SOCKADDR = 128;

/**
 * Most iovec pieces one `sendmsg` takes (`UIO_MAXIOV`).
 *
 * @example
 * ```ts
 * import { MAX_IOV } from "./_internal.ts";
 * console.log(MAX_IOV); // 1024
 * ```
 */
export const MAX_IOV = 1024;

/**
 * Throws a `RangeError` unless `addr` is null or at most {@link MAX_SOCKADDR} bytes.
 *
 * @param op The operation, for the message.
 * @param addr The socket address.
 *
 * @example
 * ```ts
 * import { checkAddr } from "./_internal.ts";
 * checkAddr("sendmsg", new Uint8Array(12)); // ok
 * ```
 */
export function checkAddr(op: string, addr: Uint8Array | null): void {
  if (addr !== null && addr.byteLength > MAX_SOCKADDR) {
    throw new RangeError(
      `Cannot ${op}: address of ${addr.byteLength} bytes exceeds ${MAX_SOCKADDR}`,
    );
  }
}

/** Most datagrams one recvmmsg call reads. */
export const MAX_MMSG = 8;

/**
 * Throws a `RangeError` unless `count` is in 1..{@link MAX_MMSG}.
 *
 * @example
 * ```ts
 * import { checkMmsgCount } from "./_internal.ts";
 * checkMmsgCount(2); // ok
 * ```
 */
export function checkMmsgCount(count: number): void {
  if (!(count >= 1 && count <= MAX_MMSG)) {
    throw new RangeError(
      `Cannot recvmmsg: ${count} buffers given, 1..${MAX_MMSG} are read at once`,
    );
  }
}

/**
 * Before a recvmmsg: each of the first `n` `struct mmsghdr`s in `h` asks for a whole
 * `sockaddr_nl` and has no flags (the kernel wrote both in the last call).
 *
 * @example
 * ```ts
 * import { resetMmsgHeaders } from "./_internal.ts";
 * import { MMSGHDR } from "./structs.ts";
 * resetMmsgHeaders(new DataView(new ArrayBuffer(2 * MMSGHDR.size)), 2);
 * ```
 */
export function resetMmsgHeaders(h: DataView, n: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * MMSGHDR.size;
    h.setUint32(o + MSGHDR.namelen, SOCKADDR_NL.size, true);
    h.setInt32(o + MSGHDR.flags, 0, true);
  }
}

/**
 * After a recvmmsg that read `ret` datagrams: each one's length, flags and sender (port id and
 * groups, 0 without a whole `sockaddr_nl`) from the headers in `h` and the addresses in `names`
 * (3 words per datagram) into `results[0..ret)`.
 *
 * @example
 * ```ts
 * import { readMmsgResults } from "./_internal.ts";
 * import { MMSGHDR } from "./structs.ts";
 * const results = [{ ret: 0, errno: 0, msgFlags: 0, portid: 0, groups: 0, controlLen: 0 }];
 * readMmsgResults(new DataView(new ArrayBuffer(MMSGHDR.size)), new Uint32Array(3), results, 1);
 * console.log(results[0].portid); // 0
 * ```
 */
export function readMmsgResults(
  h: DataView,
  names: Uint32Array,
  results: RecvResult[],
  ret: number,
): void {
  for (let i = 0; i < ret; i++) {
    const o = i * MMSGHDR.size;
    const r = results[i];
    const named = h.getUint32(o + MSGHDR.namelen, true) >= SOCKADDR_NL.size;
    r.ret = h.getUint32(o + MMSGHDR.len, true);
    r.msgFlags = h.getInt32(o + MSGHDR.flags, true);
    r.portid = named ? names[i * 3 + 1] : 0;
    r.groups = named ? names[i * 3 + 2] : 0;
  }
}

/**
 * Throws a `RangeError` unless `iovCount` is in 0..{@link MAX_IOV}.
 *
 * @param iovCount Number of pieces.
 *
 * @example
 * ```ts
 * import { checkIovCount } from "./_internal.ts";
 * checkIovCount(2); // ok
 * ```
 */
export function checkIovCount(iovCount: number): void {
  if (iovCount > MAX_IOV) {
    throw new RangeError(`Cannot sendmsg: ${iovCount} iovec pieces exceed ${MAX_IOV}`);
  }
}

/**
 * Throws a `RangeError` unless `fds` holds at least `nfds` 8-byte `pollfd` entries.
 *
 * @param fds The pollfd array.
 * @param nfds The number of entries `poll()` will access.
 *
 * @example
 * ```ts
 * import { checkPollfds } from "./_internal.ts";
 * checkPollfds(new Uint8Array(16), 2); // ok
 * ```
 */
export function checkPollfds(fds: Uint8Array, nfds: number): void {
  if (!Number.isInteger(nfds) || nfds < 0 || nfds * 8 > fds.byteLength) {
    throw new RangeError(
      `Cannot poll: nfds ${nfds} needs ${nfds * 8} bytes of pollfd, buffer has ${fds.byteLength}`,
    );
  }
}

const encoder = new TextEncoder();

/**
 * Encodes `path` as a NUL-terminated UTF-8 C string.
 *
 * @param path The path.
 * @returns The bytes including the trailing NUL.
 * @throws {TypeError} If `path` contains a NUL character.
 *
 * @example
 * ```ts
 * import { cString } from "./_internal.ts";
 * console.log(cString("ab")); // Uint8Array(3) [97, 98, 0]
 * ```
 */
export function cString(path: string): Uint8Array {
  if (path.includes("\0")) {
    throw new TypeError(`Cannot open path: it contains a NUL character: ${JSON.stringify(path)}`);
  }
  const bytes = new Uint8Array(path.length * 3 + 1);
  const { written } = encoder.encodeInto(path, bytes);
  return bytes.subarray(0, written + 1);
}

/**
 * Throws unless `ts` can hold a `struct timespec` (16 bytes on LP64).
 *
 * @example
 * ```ts
 * import { checkTimespec } from "./_internal.ts";
 * checkTimespec(new Uint8Array(16)); // ok
 * ```
 */
export function checkTimespec(ts: Uint8Array): void {
  if (!(ts instanceof Uint8Array) || ts.byteLength < 16) {
    throw new RangeError("Cannot call clock_gettime: the timespec buffer needs 16 bytes");
  }
}

/**
 * Maps the outcome of `poll()` on `[fd, cancelFd]` (both with `POLLIN`) to a wait result.
 * Cancellation wins over readability; `POLLNVAL` on `fd` (not open) is an error.
 *
 * @param ret `poll()`'s return value.
 * @param fdRevents `revents` of the first entry.
 * @param cancelRevents `revents` of the second entry.
 * @returns What the wait ended with.
 *
 * @example
 * ```ts
 * import { waitOutcome } from "./_internal.ts";
 * console.log(waitOutcome(1, 1, 0)); // "readable"
 * console.log(waitOutcome(0, 0, 0)); // "timeout"
 * ```
 */
export function waitOutcome(
  ret: number,
  fdRevents: number,
  cancelRevents: number,
): "readable" | "cancelled" | "timeout" | "error" {
  if (ret < 0) return "error";
  if (ret === 0) return "timeout";
  if (cancelRevents !== 0) return "cancelled";
  if (fdRevents & 0x20) return "error"; // POLLNVAL
  return fdRevents !== 0 ? "readable" : "error";
}

/**
 * Validates a `poll()` timeout: an integer from -1 (forever) to 2^31-1 ms. Fractions round up
 * so that a wait never ends early.
 *
 * @param timeoutMs The requested timeout.
 * @returns The timeout to pass to `poll()`.
 * @throws {RangeError} For NaN, values below -1 or above 2^31-1.
 *
 * @example
 * ```ts
 * import { pollTimeout } from "./_internal.ts";
 * console.log(pollTimeout(1.5), pollTimeout(-1)); // 2 -1
 * ```
 */
export function pollTimeout(timeoutMs: number): number {
  const t = Math.ceil(timeoutMs);
  if (!(timeoutMs === -1 || (t >= 0 && t <= 0x7fffffff))) {
    throw new RangeError(
      `Cannot poll: timeout ${timeoutMs} ms is not -1 (forever) or in 0..2147483647`,
    );
  }
  return t;
}

/**
 * Which buffer each iovec of an array points at, so that it is rewritten only when its buffer
 * changes (a socket reads into the same buffer call after call). Only a buffer of at least
 * 4096 bytes is remembered: both runtimes keep such bytes where they are (V8 off its heap,
 * JavaScriptCore in place for large typed arrays), while a small typed array's bytes may move
 * when its buffer is asked for, so small buffers are pointed at on every call. A detached or
 * shrunk buffer changes `byteLength`, which is compared too.
 *
 * @example
 * ```ts
 * import { IovecSlots } from "./_internal.ts";
 * const slots = new IovecSlots();
 * const buf = new Uint8Array(32768);
 * console.log(slots.stale(0, buf), slots.stale(0, buf)); // true false
 * ```
 */
export class IovecSlots {
  readonly #bufs: (Uint8Array | undefined)[] = [];
  readonly #lens: number[] = [];

  /** Whether iovec `i` must be pointed at `buf`; notes that it then is. */
  stale(i: number, buf: Uint8Array): boolean {
    const len = buf.byteLength;
    if (buf === this.#bufs[i] && len === this.#lens[i]) return false;
    this.#bufs[i] = len >= 4096 ? buf : undefined;
    this.#lens[i] = len;
    return true;
  }
}
