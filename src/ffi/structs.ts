/**
 * C struct layouts used by the FFI backends, and pure encode/decode helpers for them.
 *
 * Layouts are for Linux LP64 little-endian targets, checked for x86_64 and aarch64 (both use
 * the same sizes and offsets); {@link assertSupportedPlatform} refuses anything else. Pointers
 * and `size_t` are 8 bytes, `int`/`socklen_t` 4 bytes.
 *
 * @module
 */

/**
 * Byte offsets and size of `struct sockaddr_nl` (`<linux/netlink.h>`).
 *
 * @example
 * ```ts
 * import { SOCKADDR_NL } from "./structs.ts";
 * console.log(SOCKADDR_NL.size, SOCKADDR_NL.pid); // 12 4
 * ```
 */
export const SOCKADDR_NL: {
  readonly size: 12;
  /** `nl_family`, u16 (`AF_NETLINK` = 16). */
  readonly family: 0;
  /** `nl_pad`, u16, zero. */
  readonly pad: 2;
  /** `nl_pid`, u32: the port id. */
  readonly pid: 4;
  /** `nl_groups`, u32: multicast group bitmask. */
  readonly groups: 8;
} = { size: 12, family: 0, pad: 2, pid: 4, groups: 8 } as const;

/**
 * Byte offsets and size of `struct iovec`.
 *
 * @example
 * ```ts
 * import { IOVEC } from "./structs.ts";
 * console.log(IOVEC.size); // 16
 * ```
 */
export const IOVEC: {
  readonly size: 16;
  /** `iov_base`, pointer. */
  readonly base: 0;
  /** `iov_len`, size_t. */
  readonly len: 8;
} = { size: 16, base: 0, len: 8 } as const;

/**
 * Byte offsets and size of `struct msghdr` on LP64.
 *
 * @example
 * ```ts
 * import { MSGHDR } from "./structs.ts";
 * console.log(MSGHDR.size, MSGHDR.flags); // 56 48
 * ```
 */
export const MSGHDR: {
  readonly size: 56;
  /** `msg_name`, pointer. */
  readonly name: 0;
  /** `msg_namelen`, socklen_t (u32), then 4 bytes of padding. */
  readonly namelen: 8;
  /** `msg_iov`, pointer to an array of {@link IOVEC}. */
  readonly iov: 16;
  /** `msg_iovlen`, size_t. */
  readonly iovlen: 24;
  /** `msg_control`, pointer. */
  readonly control: 32;
  /** `msg_controllen`, size_t. */
  readonly controllen: 40;
  /** `msg_flags`, int, then 4 bytes of padding. */
  readonly flags: 48;
} = {
  size: 56,
  name: 0,
  namelen: 8,
  iov: 16,
  iovlen: 24,
  control: 32,
  controllen: 40,
  flags: 48,
} as const;

/**
 * Byte offsets and size of `struct mmsghdr` on LP64 (recvmmsg): a {@link MSGHDR}, then
 * `msg_len`, the bytes received, and 4 bytes of padding.
 *
 * @example
 * ```ts
 * import { MMSGHDR } from "./structs.ts";
 * console.log(MMSGHDR.size, MMSGHDR.len); // 64 56
 * ```
 */
export const MMSGHDR: {
  readonly size: 64;
  /** `msg_len`, unsigned int. */
  readonly len: 56;
} = { size: 64, len: 56 } as const;

/**
 * Byte offsets and size of `struct cmsghdr` on LP64; data starts at `CMSG_DATA` = 16.
 *
 * @example
 * ```ts
 * import { CMSGHDR } from "./structs.ts";
 * console.log(CMSGHDR.size, CMSGHDR.type); // 16 12
 * ```
 */
export const CMSGHDR: {
  readonly size: 16;
  /** `cmsg_len`, size_t: header plus data, unpadded. */
  readonly len: 0;
  /** `cmsg_level`, int. */
  readonly level: 8;
  /** `cmsg_type`, int. */
  readonly type: 12;
} = { size: 16, len: 0, level: 8, type: 12 } as const;

/**
 * Byte offsets and size of `struct pollfd`.
 *
 * @example
 * ```ts
 * import { POLLFD } from "./structs.ts";
 * console.log(POLLFD.size, POLLFD.revents); // 8 6
 * ```
 */
export const POLLFD: {
  readonly size: 8;
  /** `fd`, int. */
  readonly fd: 0;
  /** `events`, short. */
  readonly events: 4;
  /** `revents`, short. */
  readonly revents: 6;
} = { size: 8, fd: 0, events: 4, revents: 6 } as const;

/** Largest address {@link encodeMsghdr} callers may pass (`sizeof(struct sockaddr_storage)`). */
const SOCKADDR_STORAGE_SIZE = 128;

function checkU32(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`Cannot encode ${what}: ${value} is not an integer in 0..4294967295`);
  }
}

function checkLength(what: string, bytes: Uint8Array, size: number): void {
  if (bytes.byteLength < size) {
    throw new RangeError(`Cannot decode ${what}: need ${size} bytes, got ${bytes.byteLength}`);
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Checks that the FFI layouts in this file apply: Linux on x86_64 or aarch64. Backends call it
 * before `dlopen`.
 *
 * @param os The operating system (`Deno.build.os` or `process.platform`).
 * @param arch The CPU (`Deno.build.arch` spelling `"x86_64"`/`"aarch64"`, or Node/Bun's
 *   `"x64"`/`"arm64"`).
 * @throws {Error} "Cannot load libc: ..." for any other combination.
 *
 * @example
 * ```ts
 * import { assertSupportedPlatform } from "./structs.ts";
 * assertSupportedPlatform("linux", "x86_64"); // ok
 * try {
 *   assertSupportedPlatform("linux", "riscv64");
 * } catch (e) {
 *   console.log((e as Error).message);
 * }
 * ```
 */
export function assertSupportedPlatform(os: string, arch: string): void {
  if (os !== "linux") {
    throw new Error(`Cannot load libc: nlts needs Linux (netlink), this is "${os}"`);
  }
  if (arch !== "x86_64" && arch !== "x64" && arch !== "aarch64" && arch !== "arm64") {
    throw new Error(
      `Cannot load libc: CPU architecture "${arch}" is not supported; nlts's struct layouts are ` +
        `checked for x86_64 and aarch64 (LP64, little-endian) only`,
    );
  }
}

/**
 * A decoded `struct sockaddr_nl`.
 *
 * @example
 * ```ts
 * import type { SockaddrNl } from "./structs.ts";
 * const kernel: SockaddrNl = { family: 16, pid: 0, groups: 0 };
 * console.log(kernel.pid);
 * ```
 */
export interface SockaddrNl {
  /** `nl_family`; 16 (`AF_NETLINK`) for a netlink address. */
  family: number;
  /** `nl_pid`: the port id (0 = the kernel). */
  pid: number;
  /** `nl_groups`: multicast group bitmask (groups 1..32). */
  groups: number;
}

/**
 * Encodes a 12-byte `struct sockaddr_nl` with `nl_family = AF_NETLINK`.
 *
 * @param pid The port id (`nl_pid`); 0 lets the kernel choose when binding, or means "the
 *   kernel" as a destination.
 * @param groups The multicast group bitmask (`nl_groups`).
 * @returns A new 12-byte buffer.
 * @throws {RangeError} If `pid` or `groups` is not a u32.
 *
 * @example
 * ```ts
 * import { encodeSockaddrNl } from "./structs.ts";
 * console.log(encodeSockaddrNl(0x1234, 1)); // Uint8Array(12) [16, 0, 0, 0, 52, 18, 0, 0, 1, 0, 0, 0]
 * ```
 */
export function encodeSockaddrNl(pid: number, groups = 0): Uint8Array {
  checkU32("sockaddr_nl.nl_pid", pid);
  checkU32("sockaddr_nl.nl_groups", groups);
  const out = new Uint8Array(SOCKADDR_NL.size);
  const dv = view(out);
  dv.setUint16(SOCKADDR_NL.family, 16, true);
  dv.setUint32(SOCKADDR_NL.pid, pid, true);
  dv.setUint32(SOCKADDR_NL.groups, groups, true);
  return out;
}

/**
 * Decodes a `struct sockaddr_nl` (the first 12 bytes of `bytes`).
 *
 * @param bytes At least 12 bytes, e.g. filled in by `getsockname()`.
 * @returns The family, port id and groups.
 * @throws {RangeError} If `bytes` is shorter than 12 bytes.
 *
 * @example
 * ```ts
 * import { decodeSockaddrNl, encodeSockaddrNl } from "./structs.ts";
 * console.log(decodeSockaddrNl(encodeSockaddrNl(42, 4))); // { family: 16, pid: 42, groups: 4 }
 * ```
 */
export function decodeSockaddrNl(bytes: Uint8Array): SockaddrNl {
  checkLength("sockaddr_nl", bytes, SOCKADDR_NL.size);
  const dv = view(bytes);
  return {
    family: dv.getUint16(SOCKADDR_NL.family, true),
    pid: dv.getUint32(SOCKADDR_NL.pid, true),
    groups: dv.getUint32(SOCKADDR_NL.groups, true),
  };
}

/**
 * A decoded `struct iovec`; the pointer is a raw address.
 *
 * @example
 * ```ts
 * import type { Iovec } from "./structs.ts";
 * const empty: Iovec = { base: 0n, len: 0 };
 * console.log(empty.len);
 * ```
 */
export interface Iovec {
  /** `iov_base` as an address. */
  base: bigint;
  /** `iov_len` in bytes. */
  len: number;
}

/**
 * Encodes one 16-byte `struct iovec` into `out` at `offset` (default: a new buffer).
 *
 * @param iov The address and length.
 * @param out Where to write; defaults to a new 16-byte buffer.
 * @param offset Byte offset in `out`.
 * @returns `out`.
 *
 * @example
 * ```ts
 * import { decodeIovec, encodeIovec } from "./structs.ts";
 * const bytes = encodeIovec({ base: 0x1000n, len: 64 });
 * console.log(decodeIovec(bytes)); // { base: 4096n, len: 64 }
 * ```
 */
export function encodeIovec(
  iov: Iovec,
  out: Uint8Array = new Uint8Array(IOVEC.size),
  offset = 0,
): Uint8Array {
  const dv = view(out);
  dv.setBigUint64(offset + IOVEC.base, iov.base, true);
  dv.setBigUint64(offset + IOVEC.len, BigInt(iov.len), true);
  return out;
}

/**
 * Decodes one `struct iovec` at `offset`.
 *
 * @param bytes The encoded iovec(s).
 * @param offset Byte offset of the entry.
 * @returns The address and length.
 * @throws {RangeError} If fewer than 16 bytes follow `offset`.
 *
 * @example
 * ```ts
 * import { decodeIovec, encodeIovec } from "./structs.ts";
 * console.log(decodeIovec(encodeIovec({ base: 8n, len: 1 })).len); // 1
 * ```
 */
export function decodeIovec(bytes: Uint8Array, offset = 0): Iovec {
  checkLength("iovec", bytes, offset + IOVEC.size);
  const dv = view(bytes);
  return {
    base: dv.getBigUint64(offset + IOVEC.base, true),
    len: Number(dv.getBigUint64(offset + IOVEC.len, true)),
  };
}

/**
 * A decoded `struct msghdr`; pointers are raw addresses.
 *
 * @example
 * ```ts
 * import type { Msghdr } from "./structs.ts";
 * const m: Msghdr = {
 *   name: 0n, namelen: 0, iov: 0n, iovlen: 0, control: 0n, controllen: 0, flags: 0,
 * };
 * console.log(m.iovlen);
 * ```
 */
export interface Msghdr {
  /** `msg_name`. */
  name: bigint;
  /** `msg_namelen`. */
  namelen: number;
  /** `msg_iov`. */
  iov: bigint;
  /** `msg_iovlen`. */
  iovlen: number;
  /** `msg_control`. */
  control: bigint;
  /** `msg_controllen`. */
  controllen: number;
  /** `msg_flags`. */
  flags: number;
}

/**
 * Encodes a 56-byte `struct msghdr` (padding zeroed).
 *
 * @param m The fields.
 * @returns A new 56-byte buffer.
 * @throws {RangeError} If `namelen` exceeds 128 (`sockaddr_storage`).
 *
 * @example
 * ```ts
 * import { decodeMsghdr, encodeMsghdr } from "./structs.ts";
 * const bytes = encodeMsghdr({
 *   name: 0n, namelen: 0, iov: 0x2000n, iovlen: 2, control: 0n, controllen: 0, flags: 0,
 * });
 * console.log(bytes.length, decodeMsghdr(bytes).iovlen); // 56 2
 * ```
 */
export function encodeMsghdr(m: Msghdr): Uint8Array {
  if (m.namelen > SOCKADDR_STORAGE_SIZE) {
    throw new RangeError(`Cannot encode msghdr: namelen ${m.namelen} exceeds 128`);
  }
  checkU32("msghdr.msg_namelen", m.namelen);
  const out = new Uint8Array(MSGHDR.size);
  const dv = view(out);
  dv.setBigUint64(MSGHDR.name, m.name, true);
  dv.setUint32(MSGHDR.namelen, m.namelen, true);
  dv.setBigUint64(MSGHDR.iov, m.iov, true);
  dv.setBigUint64(MSGHDR.iovlen, BigInt(m.iovlen), true);
  dv.setBigUint64(MSGHDR.control, m.control, true);
  dv.setBigUint64(MSGHDR.controllen, BigInt(m.controllen), true);
  dv.setInt32(MSGHDR.flags, m.flags, true);
  return out;
}

/**
 * Decodes a `struct msghdr`.
 *
 * @param bytes At least 56 bytes.
 * @returns The fields.
 * @throws {RangeError} If `bytes` is shorter than 56 bytes.
 *
 * @example
 * ```ts
 * import { decodeMsghdr } from "./structs.ts";
 * console.log(decodeMsghdr(new Uint8Array(56)).flags); // 0
 * ```
 */
export function decodeMsghdr(bytes: Uint8Array): Msghdr {
  checkLength("msghdr", bytes, MSGHDR.size);
  const dv = view(bytes);
  return {
    name: dv.getBigUint64(MSGHDR.name, true),
    namelen: dv.getUint32(MSGHDR.namelen, true),
    iov: dv.getBigUint64(MSGHDR.iov, true),
    iovlen: Number(dv.getBigUint64(MSGHDR.iovlen, true)),
    control: dv.getBigUint64(MSGHDR.control, true),
    controllen: Number(dv.getBigUint64(MSGHDR.controllen, true)),
    flags: dv.getInt32(MSGHDR.flags, true),
  };
}

/**
 * One `pollfd` entry: the fd and the events to wait for; `revents` is what `poll()` reported.
 *
 * @example
 * ```ts
 * import type { Pollfd } from "./structs.ts";
 * const p: Pollfd = { fd: 3, events: 1, revents: 0 };
 * console.log(p.fd);
 * ```
 */
export interface Pollfd {
  /** The fd; negative entries are ignored by `poll()`. */
  fd: number;
  /** Requested events (`POLL.IN`, ...). */
  events: number;
  /** Returned events; ignored by {@link encodePollfds}. */
  revents: number;
}

/**
 * Encodes an array of `struct pollfd` (8 bytes each, `revents` zeroed) for `Libc.poll`.
 *
 * @param entries The fds and their requested events.
 * @returns A new buffer of `8 * entries.length` bytes.
 *
 * @example
 * ```ts
 * import { decodePollfds, encodePollfds } from "./structs.ts";
 * const fds = encodePollfds([{ fd: 3, events: 1 }, { fd: 4, events: 1 }]);
 * console.log(fds.length, decodePollfds(fds)[1]); // 16 { fd: 4, events: 1, revents: 0 }
 * ```
 */
export function encodePollfds(
  entries: readonly { fd: number; events: number }[],
): Uint8Array {
  const out = new Uint8Array(entries.length * POLLFD.size);
  const dv = view(out);
  for (let i = 0; i < entries.length; i++) {
    const o = i * POLLFD.size;
    dv.setInt32(o + POLLFD.fd, entries[i].fd, true);
    dv.setInt16(o + POLLFD.events, entries[i].events, true);
  }
  return out;
}

/**
 * Decodes every whole `struct pollfd` in `bytes`, including `revents`.
 *
 * @param bytes A `pollfd` array, typically after `Libc.poll`.
 * @returns One entry per 8 bytes.
 *
 * @example
 * ```ts
 * import { decodePollfds, encodePollfds } from "./structs.ts";
 * console.log(decodePollfds(encodePollfds([{ fd: 0, events: 4 }]))); // [{ fd: 0, events: 4, revents: 0 }]
 * ```
 */
export function decodePollfds(bytes: Uint8Array): Pollfd[] {
  const dv = view(bytes);
  const out: Pollfd[] = [];
  for (let o = 0; o + POLLFD.size <= bytes.byteLength; o += POLLFD.size) {
    out.push({
      fd: dv.getInt32(o + POLLFD.fd, true),
      events: dv.getUint16(o + POLLFD.events, true),
      revents: dv.getUint16(o + POLLFD.revents, true),
    });
  }
  return out;
}

/**
 * `CMSG_ALIGN(len)`: rounds up to the 8-byte alignment of control messages on LP64.
 *
 * @param len A length in bytes.
 * @returns `len` rounded up to a multiple of 8.
 *
 * @example
 * ```ts
 * import { cmsgAlign } from "./structs.ts";
 * console.log(cmsgAlign(4)); // 8
 * ```
 */
export function cmsgAlign(len: number): number {
  return (len + 7) & ~7;
}

/**
 * `CMSG_SPACE(dataLen)`: bytes a control message with `dataLen` bytes of data occupies in a
 * control buffer; use it to size the `control` argument of `Libc.recvmsg`.
 *
 * @param dataLen Payload bytes (e.g. 4 for `NETLINK_PKTINFO`'s group number).
 * @returns Header plus padded payload.
 *
 * @example
 * ```ts
 * import { cmsgSpace } from "./structs.ts";
 * console.log(cmsgSpace(4)); // 24
 * ```
 */
export function cmsgSpace(dataLen: number): number {
  return CMSGHDR.size + cmsgAlign(dataLen);
}

/**
 * `CMSG_LEN(dataLen)`: the `cmsg_len` value of a control message with `dataLen` bytes of data.
 *
 * @param dataLen Payload bytes.
 * @returns Header plus unpadded payload.
 *
 * @example
 * ```ts
 * import { cmsgLen } from "./structs.ts";
 * console.log(cmsgLen(4)); // 20
 * ```
 */
export function cmsgLen(dataLen: number): number {
  return CMSGHDR.size + dataLen;
}

/**
 * One decoded control message.
 *
 * @example
 * ```ts
 * import type { Cmsg } from "./structs.ts";
 * const m: Cmsg = { level: 270, type: 3, data: new Uint8Array(4) };
 * console.log(m.type);
 * ```
 */
export interface Cmsg {
  /** `cmsg_level` (e.g. `SOL_NETLINK` = 270). */
  level: number;
  /** `cmsg_type` (e.g. `NETLINK_PKTINFO` = 3). */
  type: number;
  /** The payload, an owned copy. */
  data: Uint8Array;
}

/**
 * Encodes control messages the way the kernel lays them out (each padded to `CMSG_SPACE`).
 *
 * @param messages The messages.
 * @returns A new buffer of the summed `CMSG_SPACE` sizes.
 *
 * @example
 * ```ts
 * import { decodeCmsgs, encodeCmsgs } from "./structs.ts";
 * const bytes = encodeCmsgs([{ level: 270, type: 3, data: new Uint8Array([5, 0, 0, 0]) }]);
 * console.log(bytes.length, decodeCmsgs(bytes)[0].type); // 24 3
 * ```
 */
export function encodeCmsgs(messages: readonly Cmsg[]): Uint8Array {
  let size = 0;
  for (const m of messages) size += cmsgSpace(m.data.byteLength);
  const out = new Uint8Array(size);
  const dv = view(out);
  let o = 0;
  for (const m of messages) {
    dv.setBigUint64(o + CMSGHDR.len, BigInt(cmsgLen(m.data.byteLength)), true);
    dv.setInt32(o + CMSGHDR.level, m.level, true);
    dv.setInt32(o + CMSGHDR.type, m.type, true);
    out.set(m.data, o + CMSGHDR.size);
    o += cmsgSpace(m.data.byteLength);
  }
  return out;
}

/**
 * Decodes the control messages in `bytes` (pass `control.subarray(0, result.controlLen)` after
 * `Libc.recvmsg`). Stops at the first header whose length is impossible, like `CMSG_NXTHDR`.
 *
 * @param bytes The filled part of a control buffer.
 * @returns The messages, with payloads copied.
 *
 * @example
 * ```ts
 * import { decodeCmsgs } from "./structs.ts";
 * console.log(decodeCmsgs(new Uint8Array(0))); // []
 * ```
 */
export function decodeCmsgs(bytes: Uint8Array): Cmsg[] {
  const dv = view(bytes);
  const out: Cmsg[] = [];
  let o = 0;
  while (o + CMSGHDR.size <= bytes.byteLength) {
    const len = Number(dv.getBigUint64(o + CMSGHDR.len, true));
    if (len < CMSGHDR.size || o + len > bytes.byteLength) break;
    out.push({
      level: dv.getInt32(o + CMSGHDR.level, true),
      type: dv.getInt32(o + CMSGHDR.type, true),
      data: bytes.slice(o + CMSGHDR.size, o + len),
    });
    o += cmsgAlign(len);
  }
  return out;
}
