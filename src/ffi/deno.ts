/**
 * The Deno backend of {@link Libc}: `Deno.dlopen("libc.so.6")`.
 *
 * Speed notes (measured with Deno 2.9 on x86_64):
 * - `usize` parameters get BigInts (a number takes a ~10x slower path); results that fit are
 *   declared `i32`, so `ssize_t` comes back as a number.
 * - User buffers are passed as `"buffer"` parameters. Where a C struct must hold a buffer's
 *   address (iovec), `Deno.UnsafePointer.of()` costs ~300 ns, so the address is taken with
 *   `memmove(buf, buf, 0)`, which returns its first argument (~30 ns).
 * - Fixed scratch buffers (msghdr, iovec array, sockaddr, socklen) are allocated once and passed
 *   as cached `"pointer"` values, the cheapest parameter kind.
 * - errno is read through an `Int32Array` over `__errno_location()`, taken once at load.
 * - `sendmsg` of a single piece calls `sendto()` (no msghdr to fill; the kernel path is
 *   ~60 ns shorter too).
 * - `Deno.dlopen` makes a function per symbol (~0.3 ms each, ~2.5 ms for the first): the calls
 *   every request or dump makes (`CORE`) are bound when the backend is made, every other symbol
 *   (recvmsg, which recvmmsg stands in for, sendmsg of several pieces, getsockopt...) by its
 *   own `dlopen` at its first call, so a script binds only what it uses.
 *
 * @module
 */

import type { Libc, RecvManyResult, RecvResult, SysResult, WaitResult } from "./types.ts";
import { assertSupportedPlatform, IOVEC, MMSGHDR, MSGHDR, POLLFD, SOCKADDR_NL } from "./structs.ts";
import {
  checkAddr,
  checkIovCount,
  checkMmsgCount,
  checkPollfds,
  checkTimespec,
  cString,
  IovecSlots,
  MAX_MMSG,
  MAX_SOCKADDR,
  pollTimeout,
  readMmsgResults,
  resetMmsgHeaders,
  waitOutcome,
} from "./_internal.ts";

const SYMBOLS = {
  __errno_location: { parameters: [], result: "pointer" },
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "pointer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "pointer"], result: "i32" },
  sendmsg: { parameters: ["i32", "pointer", "i32"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "i32" },
  recvmsg: { parameters: ["i32", "pointer", "i32"], result: "i32" },
  recvmmsg: { parameters: ["i32", "pointer", "u32", "i32", "pointer"], result: "i32" },
  poll: { parameters: ["buffer", "usize", "i32"], result: "i32" },
  pollNonblocking: {
    name: "poll",
    parameters: ["buffer", "usize", "i32"],
    result: "i32",
    nonblocking: true,
  },
  close: { parameters: ["i32"], result: "i32" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  // open() is variadic; on x86_64 and aarch64 Linux a fixed 3-argument call is ABI-compatible.
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  setns: { parameters: ["i32", "i32"], result: "i32" },
  getpid: { parameters: [], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  getenv: { parameters: ["buffer"], result: "pointer" },
  // memmove(p, p, 0) returns p: the cheapest way to learn a buffer's address.
  memmove: { parameters: ["buffer", "buffer", "usize"], result: "usize" },
} as const;

type SymbolName = keyof typeof SYMBOLS;

/**
 * The symbols every socket calls (bound together when the backend is made); the others (waits,
 * eventfd, namespaces, clocks, getenv, and recvmsg, sendmsg and getsockopt, which a request or
 * dump over recvmmsg and sendto never calls) are bound one by one at their first call.
 */
const CORE = [
  "__errno_location",
  "memmove",
  "socket",
  "bind",
  "getsockname",
  "setsockopt",
  "sendto",
  "recvmmsg",
  "close",
] as const satisfies readonly SymbolName[];

/** The definitions of `names` in {@link SYMBOLS}, as `Deno.dlopen` takes them. */
function pick(names: readonly SymbolName[]): Partial<typeof SYMBOLS> {
  const out: Record<string, unknown> = {};
  for (const n of names) out[n] = SYMBOLS[n];
  return out as Partial<typeof SYMBOLS>;
}

/**
 * The part of Deno's FFI API this backend uses, declared here rather than taken from the `Deno`
 * namespace, so that the library type-checks outside Deno too (a Bun project's `tsc` follows the
 * static import of this file).
 */
interface PointerObject {
  readonly __brand: "PointerObject";
}
type PointerValue = PointerObject | null;
type BufferArg = ArrayBufferView | null;

/** The symbols of {@link SYMBOLS}, typed as `Deno.dlopen` returns them. */
interface Symbols {
  __errno_location(): PointerValue;
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: BufferArg, len: number): number;
  connect(fd: number, addr: BufferArg, len: number): number;
  getsockname(fd: number, addr: BufferArg, len: PointerValue): number;
  setsockopt(fd: number, level: number, name: number, value: BufferArg, len: number): number;
  getsockopt(fd: number, level: number, name: number, value: BufferArg, len: PointerValue): number;
  sendmsg(fd: number, msg: PointerValue, flags: number): number;
  sendto(
    fd: number,
    buf: BufferArg,
    len: bigint,
    flags: number,
    addr: BufferArg,
    addrLen: number,
  ): number;
  recvmsg(fd: number, msg: PointerValue, flags: number): number;
  recvmmsg(fd: number, msgs: PointerValue, n: number, flags: number, timeout: PointerValue): number;
  poll(fds: BufferArg, nfds: bigint, timeout: number): number;
  pollNonblocking(fds: BufferArg, nfds: bigint, timeout: number): Promise<number>;
  close(fd: number): number;
  eventfd(initval: number, flags: number): number;
  read(fd: number, buf: BufferArg, len: bigint): number;
  write(fd: number, buf: BufferArg, len: bigint): number;
  open(path: BufferArg, flags: number, mode: number): number;
  setns(fd: number, nstype: number): number;
  getpid(): number;
  clock_gettime(clockId: number, ts: BufferArg): number;
  getenv(name: BufferArg): PointerValue;
  memmove(dst: BufferArg, src: BufferArg, n: bigint): bigint | number;
}

/** `Deno`'s FFI entry points, as far as this backend uses them. */
interface DenoFfi {
  build: { os: string; arch: string };
  dlopen(path: string, symbols: Partial<typeof SYMBOLS>): { symbols: Symbols; close(): void };
  UnsafePointer: {
    of(buf: ArrayBufferView): PointerValue;
    value(p: PointerValue): bigint | number;
  };
  UnsafePointerView: {
    getArrayBuffer(p: PointerObject, length: number): ArrayBuffer;
    getCString(p: PointerObject): string;
  };
}

/** The `Deno` global, typed by what this backend uses of it (only read under Deno). */
const Deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;

const POLLIN = 1;

/** A fixed-size native scratch buffer: bytes, a DataView, its pointer and its address. */
interface Scratch {
  bytes: Uint8Array;
  view: DataView;
  pointer: PointerObject;
  address: bigint;
}

function scratch(size: number): Scratch {
  const bytes = new Uint8Array(size);
  const pointer = Deno.UnsafePointer.of(bytes);
  if (pointer === null) throw new Error("Cannot load libc: no address for a scratch buffer");
  return {
    bytes,
    view: new DataView(bytes.buffer),
    pointer,
    address: BigInt(Deno.UnsafePointer.value(pointer)),
  };
}

class DenoLibc implements Libc {
  readonly runtime = "deno" as const;
  /** The {@link CORE} symbols (only those are set). */
  readonly #sym: Symbols;
  /** The other symbols, each bound by {@link DenoLibc.#bind} at its first call. */
  readonly #lazy: Partial<Symbols> = {};
  readonly #errno: Int32Array;
  /** msghdr + sockaddr for sendmsg. */
  readonly #smsg: Scratch;
  readonly #sname: Scratch;
  /** iovec array for sendmsg; grows. */
  #siov: Scratch;
  #siovCap: number;
  /** msghdr, one iovec and sockaddr_nl for recvmsg. */
  readonly #rmsg: Scratch;
  readonly #riov: Scratch;
  readonly #rname: Scratch;
  readonly #rnameU32: Uint32Array;
  /** The receive buffer the iovec of #rmsg points at. */
  readonly #rslot = new IovecSlots();
  /** The last length sendto() passed, as the bigint its usize parameter takes. */
  #sendLength = -1;
  #sendLengthBig = 0n;
  /** mmsghdr array, iovecs and sockaddr_nl of recvmmsg (MAX_MMSG each). */
  readonly #mmsg: Scratch;
  readonly #miov: Scratch;
  readonly #mname: Scratch;
  readonly #mnameU32: Uint32Array;
  /** The buffers the iovecs of #miov point at. */
  readonly #mslots = new IovecSlots();
  readonly #mresults: RecvResult[] = [];
  /** socklen_t for getsockname/getsockopt. */
  readonly #len: Scratch;
  readonly #lenU32: Uint32Array;

  constructor() {
    assertSupportedPlatform(Deno.build.os, Deno.build.arch);
    this.#sym = open(CORE);
    const errnoPtr = this.#sym.__errno_location();
    if (errnoPtr === null) throw new Error("Cannot load libc: __errno_location() returned NULL");
    this.#errno = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(errnoPtr, 4));

    this.#smsg = scratch(MSGHDR.size);
    this.#sname = scratch(MAX_SOCKADDR);
    this.#siovCap = 8;
    this.#siov = scratch(IOVEC.size * this.#siovCap);
    this.#smsg.view.setBigUint64(MSGHDR.iov, this.#siov.address, true);

    this.#rmsg = scratch(MSGHDR.size);
    this.#riov = scratch(IOVEC.size);
    this.#rname = scratch(SOCKADDR_NL.size);
    this.#rnameU32 = new Uint32Array(this.#rname.bytes.buffer);
    const r = this.#rmsg.view;
    r.setBigUint64(MSGHDR.name, this.#rname.address, true);
    r.setBigUint64(MSGHDR.iov, this.#riov.address, true);
    r.setBigUint64(MSGHDR.iovlen, 1n, true);

    this.#mmsg = scratch(MMSGHDR.size * MAX_MMSG);
    this.#miov = scratch(IOVEC.size * MAX_MMSG);
    this.#mname = scratch(SOCKADDR_NL.size * MAX_MMSG);
    this.#mnameU32 = new Uint32Array(this.#mname.bytes.buffer);
    for (let i = 0; i < MAX_MMSG; i++) {
      const h = this.#mmsg.view;
      const o = i * MMSGHDR.size;
      h.setBigUint64(o + MSGHDR.name, this.#mname.address + BigInt(i * SOCKADDR_NL.size), true);
      h.setBigUint64(o + MSGHDR.iov, this.#miov.address + BigInt(i * IOVEC.size), true);
      h.setBigUint64(o + MSGHDR.iovlen, 1n, true);
      this.#mresults.push({ ret: 0, errno: 0, msgFlags: 0, portid: 0, groups: 0, controlLen: 0 });
    }

    this.#len = scratch(4);
    this.#lenU32 = new Uint32Array(this.#len.bytes.buffer);
  }

  /** Binds symbol `name` (its first call), kept for the next calls. */
  #bind<K extends Exclude<SymbolName, (typeof CORE)[number]>>(name: K): Symbols[K] {
    const f = open([name])[name];
    this.#lazy[name] = f;
    return f;
  }

  #result(ret: number): SysResult {
    return ret < 0 ? { ret, errno: this.#errno[0] } : { ret, errno: 0 };
  }

  /** The address of `buf`'s first byte (byteOffset included); 0 for an empty buffer. */
  #addressOf(buf: Uint8Array): bigint {
    return buf.byteLength === 0 ? 0n : this.#sym.memmove(buf, buf, 0n) as bigint;
  }

  socket(domain: number, type: number, protocol: number): SysResult {
    return this.#result(this.#sym.socket(domain, type, protocol));
  }

  bind(fd: number, addr: Uint8Array): SysResult {
    return this.#result(this.#sym.bind(fd, addr, addr.byteLength));
  }

  connect(fd: number, addr: Uint8Array): SysResult {
    return this.#result((this.#lazy.connect ?? this.#bind("connect"))(fd, addr, addr.byteLength));
  }

  getsockname(fd: number, addr: Uint8Array): SysResult {
    this.#lenU32[0] = addr.byteLength;
    return this.#result(this.#sym.getsockname(fd, addr, this.#len.pointer));
  }

  setsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult {
    return this.#result(this.#sym.setsockopt(fd, level, name, value, value.byteLength));
  }

  getsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult {
    this.#lenU32[0] = value.byteLength;
    const ret = (this.#lazy.getsockopt ?? this.#bind("getsockopt"))(
      fd,
      level,
      name,
      value,
      this.#len.pointer,
    );
    return ret < 0 ? { ret, errno: this.#errno[0] } : { ret: this.#lenU32[0], errno: 0 };
  }

  sendmsg(
    fd: number,
    iov: readonly Uint8Array[],
    addr: Uint8Array | null,
    flags: number,
  ): SysResult {
    const n = iov.length;
    // One piece: sendto() is the same datagram, and the kernel skips copying in a msghdr and
    // an iovec array (it builds a single-segment iterator instead).
    if (n === 1) return this.#sendto("sendmsg", fd, iov[0], addr, flags);
    if (n > this.#siovCap) this.#growIov(n);
    checkAddr("sendmsg", addr);
    const v = this.#siov.view;
    for (let i = 0, o = 0; i < n; i++, o += IOVEC.size) {
      const piece = iov[i];
      const len = piece.byteLength;
      v.setBigUint64(o + IOVEC.base, this.#addressOf(piece), true);
      v.setUint32(o + IOVEC.len, len, true);
      v.setUint32(o + IOVEC.len + 4, (len / 0x100000000) >>> 0, true);
    }
    const m = this.#smsg.view;
    if (addr === null) {
      m.setBigUint64(MSGHDR.name, 0n, true);
      m.setUint32(MSGHDR.namelen, 0, true);
    } else {
      this.#sname.bytes.set(addr);
      m.setBigUint64(MSGHDR.name, this.#sname.address, true);
      m.setUint32(MSGHDR.namelen, addr.byteLength, true);
    }
    m.setUint32(MSGHDR.iovlen, n, true);
    return this.#result(
      (this.#lazy.sendmsg ?? this.#bind("sendmsg"))(fd, this.#smsg.pointer, flags),
    );
  }

  #growIov(n: number): void {
    checkIovCount(n);
    let cap = this.#siovCap;
    while (cap < n) cap *= 2;
    this.#siov = scratch(IOVEC.size * cap);
    this.#siovCap = cap;
    this.#smsg.view.setBigUint64(MSGHDR.iov, this.#siov.address, true);
  }

  sendto(fd: number, buf: Uint8Array, addr: Uint8Array | null, flags: number): SysResult {
    return this.#sendto("sendto", fd, buf, addr, flags);
  }

  #sendto(
    op: string,
    fd: number,
    buf: Uint8Array,
    addr: Uint8Array | null,
    flags: number,
  ): SysResult {
    checkAddr(op, addr);
    const addrLen = addr === null ? 0 : addr.byteLength;
    const n = buf.byteLength;
    if (n !== this.#sendLength) {
      // Requests repeat their length: no bigint made per call.
      this.#sendLengthBig = BigInt(n);
      this.#sendLength = n;
    }
    return this.#result(this.#sym.sendto(fd, buf, this.#sendLengthBig, flags, addr, addrLen));
  }

  /** Points iovec `i` of `iv` at `buf` (see IovecSlots for when). */
  #pointIovec(iv: DataView, i: number, buf: Uint8Array): void {
    const v = i * IOVEC.size;
    iv.setBigUint64(v + IOVEC.base, this.#addressOf(buf), true);
    iv.setUint32(v + IOVEC.len, buf.byteLength, true);
    iv.setUint32(v + IOVEC.len + 4, (buf.byteLength / 0x100000000) >>> 0, true);
  }

  recvmsg(fd: number, buf: Uint8Array, flags: number, control?: Uint8Array): RecvResult {
    if (this.#rslot.stale(0, buf)) this.#pointIovec(this.#riov.view, 0, buf);
    const m = this.#rmsg.view;
    m.setUint32(MSGHDR.namelen, SOCKADDR_NL.size, true);
    if (control === undefined) {
      m.setBigUint64(MSGHDR.control, 0n, true);
      m.setUint32(MSGHDR.controllen, 0, true);
    } else {
      m.setBigUint64(MSGHDR.control, this.#addressOf(control), true);
      m.setUint32(MSGHDR.controllen, control.byteLength, true);
    }
    m.setInt32(MSGHDR.flags, 0, true);
    const ret = (this.#lazy.recvmsg ?? this.#bind("recvmsg"))(fd, this.#rmsg.pointer, flags);
    if (ret < 0) {
      return { ret, errno: this.#errno[0], msgFlags: 0, portid: 0, groups: 0, controlLen: 0 };
    }
    const named = m.getUint32(MSGHDR.namelen, true) >= SOCKADDR_NL.size;
    return {
      ret,
      errno: 0,
      msgFlags: m.getInt32(MSGHDR.flags, true),
      portid: named ? this.#rnameU32[1] : 0,
      groups: named ? this.#rnameU32[2] : 0,
      controlLen: control === undefined ? 0 : m.getUint32(MSGHDR.controllen, true),
    };
  }

  recvmmsg(fd: number, bufs: readonly Uint8Array[], flags: number): RecvManyResult {
    const n = bufs.length;
    checkMmsgCount(n);
    const h = this.#mmsg.view;
    const iv = this.#miov.view;
    for (let i = 0; i < n; i++) {
      const buf = bufs[i];
      if (this.#mslots.stale(i, buf)) this.#pointIovec(iv, i, buf);
    }
    resetMmsgHeaders(h, n);
    const ret = this.#sym.recvmmsg(fd, this.#mmsg.pointer, n, flags, null);
    if (ret < 0) return { ret, errno: this.#errno[0], results: [] };
    const results = this.#mresults;
    readMmsgResults(h, this.#mnameU32, results, ret);
    return { ret, errno: 0, results };
  }

  poll(fds: Uint8Array, nfds: number, timeoutMs: number): SysResult {
    checkPollfds(fds, nfds);
    return this.#result(
      (this.#lazy.poll ?? this.#bind("poll"))(fds, BigInt(nfds), pollTimeout(timeoutMs)),
    );
  }

  close(fd: number): SysResult {
    return this.#result(this.#sym.close(fd));
  }

  eventfd(initval: number, flags: number): SysResult {
    return this.#result((this.#lazy.eventfd ?? this.#bind("eventfd"))(initval, flags));
  }

  read(fd: number, buf: Uint8Array): SysResult {
    return this.#result((this.#lazy.read ?? this.#bind("read"))(fd, buf, BigInt(buf.byteLength)));
  }

  write(fd: number, buf: Uint8Array): SysResult {
    return this.#result((this.#lazy.write ?? this.#bind("write"))(fd, buf, BigInt(buf.byteLength)));
  }

  open(path: string, flags: number): SysResult {
    return this.#result((this.#lazy.open ?? this.#bind("open"))(cString(path), flags, 0));
  }

  setns(fd: number, nstype: number): SysResult {
    return this.#result((this.#lazy.setns ?? this.#bind("setns"))(fd, nstype));
  }

  getpid(): number {
    return (this.#lazy.getpid ?? this.#bind("getpid"))();
  }

  clockGettime(clockId: number, ts: Uint8Array): SysResult {
    checkTimespec(ts);
    return this.#result((this.#lazy.clock_gettime ?? this.#bind("clock_gettime"))(clockId, ts));
  }

  getenv(name: string): string | undefined {
    const p = (this.#lazy.getenv ?? this.#bind("getenv"))(cString(name));
    return p === null ? undefined : Deno.UnsafePointerView.getCString(p);
  }

  async waitReadable(fd: number, cancelFd: number, timeoutMs: number): Promise<WaitResult> {
    const timeout = pollTimeout(timeoutMs);
    // Owned by this wait: the poll runs on a blocking-pool thread and writes revents here.
    const fds = new Uint8Array(2 * POLLFD.size);
    const v = new DataView(fds.buffer);
    v.setInt32(POLLFD.fd, fd, true);
    v.setInt16(POLLFD.events, POLLIN, true);
    v.setInt32(POLLFD.size + POLLFD.fd, cancelFd, true);
    v.setInt16(POLLFD.size + POLLFD.events, POLLIN, true);
    const ret = await (this.#lazy.pollNonblocking ?? this.#bind("pollNonblocking"))(
      fds,
      2n,
      timeout,
    );
    return waitOutcome(
      ret,
      v.getUint16(POLLFD.revents, true),
      v.getUint16(POLLFD.size + POLLFD.revents, true),
    );
  }
}

/** Opens libc with the symbols `names` (libc is loaded once; each call binds what it names). */
function open(names: readonly SymbolName[]): Symbols {
  try {
    return Deno.dlopen("libc.so.6", pick(names)).symbols;
  } catch (e) {
    throw new Error(
      `Cannot load libc: Deno.dlopen("libc.so.6") failed (FFI needs --allow-ffi, ` +
        `without a path list): ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * Opens libc with `Deno.dlopen` and returns the Deno {@link Libc}. Use `getLibc()` from
 * `./mod.ts` instead: it picks the backend and caches the instance.
 *
 * @returns A new Deno backend (the socket calls bound, the others at their first call; scratch
 *   buffers are per instance).
 * @throws {Error} On an unsupported OS or CPU, or if libc cannot be opened (e.g. FFI not
 *   permitted: run with `--allow-ffi`).
 *
 * @example
 * ```ts
 * import { createDenoLibc } from "./deno.ts";
 * const c = createDenoLibc();
 * console.log(c.getpid() === Deno.pid); // true
 * ```
 */
export function createDenoLibc(): Libc {
  return new DenoLibc();
}
