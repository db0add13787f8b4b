/**
 * The Bun backend of {@link Libc}: `dlopen("libc.so.6")` from `bun:ffi`.
 *
 * Only `./mod.ts` loads this module, with `require()` and only under Bun, so Deno never sees
 * the `bun:ffi` import. It type-checks with `tsc -p tsconfig.bun.json`.
 *
 * - 64-bit `size_t` parameters are `u64_fast` and take plain numbers; results are `i32`.
 * - Buffer arguments, including the preallocated msghdr, are `"buffer"` parameters.
 * - Addresses inside structs (iovec, msg_name) come from `ptr(view)` (byteOffset included,
 *   ~15 ns; it throws for an empty view, so empty buffers get address 0) and are written as two
 *   u32 halves made integers with `>>> 0`: writing `v % 2**32` and `v / 2**32` instead (a
 *   fraction) made each sendmsg/recvmsg ~150-250 ns slower in Bun 1.4.
 * - errno is read through an `Int32Array` over `__errno_location()`, taken once at load.
 * - `sendmsg` of a single piece calls `sendto()` (no msghdr to fill; the kernel path is
 *   ~60 ns shorter too).
 * - Bun has no non-blocking FFI calls: {@link Libc.waitReadable} hands the `poll()` to a Worker
 *   (inline source, its own `dlopen`), one per concurrent wait, pooled and `unref()`ed while
 *   idle.
 *
 * @module
 */

import { dlopen, FFIType, type Pointer, ptr, toArrayBuffer } from "bun:ffi";
import process from "node:process";
import type { Libc, RecvManyResult, RecvResult, SysResult, WaitResult } from "./types.ts";
import { assertSupportedPlatform, IOVEC, MMSGHDR, MSGHDR, SOCKADDR_NL } from "./structs.ts";
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
  __errno_location: { args: [], returns: "ptr" },
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  bind: { args: ["i32", "buffer", "u32"], returns: "i32" },
  connect: { args: ["i32", "buffer", "u32"], returns: "i32" },
  getsockname: { args: ["i32", "buffer", "buffer"], returns: "i32" },
  setsockopt: { args: ["i32", "i32", "i32", "buffer", "u32"], returns: "i32" },
  getsockopt: { args: ["i32", "i32", "i32", "buffer", "buffer"], returns: "i32" },
  sendmsg: { args: ["i32", "buffer", "i32"], returns: "i32" },
  sendto: { args: ["i32", "buffer", FFIType.u64_fast, "i32", "ptr", "u32"], returns: "i32" },
  recvmsg: { args: ["i32", "buffer", "i32"], returns: "i32" },
  recvmmsg: { args: ["i32", "buffer", "u32", "i32", "ptr"], returns: "i32" },
  poll: { args: ["buffer", FFIType.u64_fast, "i32"], returns: "i32" },
  close: { args: ["i32"], returns: "i32" },
  eventfd: { args: ["u32", "i32"], returns: "i32" },
  read: { args: ["i32", "buffer", FFIType.u64_fast], returns: "i32" },
  write: { args: ["i32", "buffer", FFIType.u64_fast], returns: "i32" },
  // open() is variadic; on x86_64 and aarch64 Linux a fixed 3-argument call is ABI-compatible.
  open: { args: ["buffer", "i32", "u32"], returns: "i32" },
  setns: { args: ["i32", "i32"], returns: "i32" },
  getpid: { args: [], returns: "i32" },
  clock_gettime: { args: ["i32", "buffer"], returns: "i32" },
} as const;

/**
 * The waiter Worker: blocks in poll() on [fd, cancelFd] and posts back
 * [ret, fd revents, cancelFd revents]. A pollfd is {int fd; short events; short revents}, so on
 * little-endian the second Int32 of an entry is events | revents << 16.
 */
const WORKER_SOURCE = `
import { dlopen } from "bun:ffi";
const { symbols } = dlopen("libc.so.6", {
  poll: { args: ["buffer", "u64_fast", "i32"], returns: "i32" },
});
const fds = new Int32Array(4);
self.onmessage = (event) => {
  const [fd, cancelFd, timeout] = event.data;
  fds[0] = fd;
  fds[1] = 1;
  fds[2] = cancelFd;
  fds[3] = 1;
  const ret = symbols.poll(fds, 2, timeout);
  postMessage([ret, fds[1] >>> 16, fds[3] >>> 16]);
};
`;

const TWO_32 = 0x100000000;

/** A fixed-size native scratch buffer: bytes, a DataView and its address. */
interface Scratch {
  bytes: Uint8Array;
  view: DataView;
  address: Pointer;
}

function scratch(size: number): Scratch {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer), address: ptr(bytes) };
}

/** Writes a 64-bit address or size (a safe integer) little-endian. */
function setU64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value >>> 0, true);
  view.setUint32(offset + 4, (value / TWO_32) >>> 0, true);
}

/** The address of `buf`'s first byte (byteOffset included); 0 for an empty buffer. */
function addressOf(buf: Uint8Array): number {
  return buf.byteLength === 0 ? 0 : ptr(buf);
}

/** Bun's Worker, which can be kept from holding the process open. */
type RefWorker = Worker & { ref(): void; unref(): void };

/** One pooled waiter Worker and the wait it is serving. */
interface Waiter {
  worker: RefWorker;
  resolve: ((result: WaitResult) => void) | null;
}

class BunLibc implements Libc {
  readonly runtime = "bun" as const;
  readonly #sym: ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];
  readonly #errno: Int32Array;
  readonly #smsg: Scratch;
  readonly #sname: Scratch;
  #siov: Scratch;
  #siovCap: number;
  readonly #rmsg: Scratch;
  readonly #riov: Scratch;
  readonly #rname: Scratch;
  readonly #rnameU32: Uint32Array;
  /** mmsghdr array, iovecs and sockaddr_nl of recvmmsg (MAX_MMSG each). */
  readonly #mmsg: Scratch;
  readonly #miov: Scratch;
  readonly #mname: Scratch;
  readonly #mnameU32: Uint32Array;
  /** The buffers the iovecs of #miov point at. */
  readonly #mslots = new IovecSlots();
  readonly #mresults: RecvResult[] = [];
  /** The receive buffer the iovec of #rmsg points at. */
  readonly #rslot = new IovecSlots();
  readonly #len: Scratch;
  readonly #lenU32: Uint32Array;
  /** Idle waiter Workers, ready for the next waitReadable. */
  readonly #idle: Waiter[] = [];
  #workerUrl: string | null = null;

  constructor() {
    assertSupportedPlatform(process.platform, process.arch);
    try {
      this.#sym = dlopen("libc.so.6", SYMBOLS).symbols;
    } catch (e) {
      throw new Error(
        `Cannot load libc: dlopen("libc.so.6") from bun:ffi failed: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const errnoPtr = this.#sym.__errno_location();
    if (!errnoPtr) throw new Error("Cannot load libc: __errno_location() returned NULL");
    this.#errno = new Int32Array(toArrayBuffer(errnoPtr, 0, 4));

    this.#smsg = scratch(MSGHDR.size);
    this.#sname = scratch(MAX_SOCKADDR);
    this.#siovCap = 8;
    this.#siov = scratch(IOVEC.size * this.#siovCap);
    setU64(this.#smsg.view, MSGHDR.iov, this.#siov.address);

    this.#rmsg = scratch(MSGHDR.size);
    this.#riov = scratch(IOVEC.size);
    this.#rname = scratch(SOCKADDR_NL.size);
    this.#rnameU32 = new Uint32Array(this.#rname.bytes.buffer);
    const r = this.#rmsg.view;
    setU64(r, MSGHDR.name, this.#rname.address);
    setU64(r, MSGHDR.iov, this.#riov.address);
    setU64(r, MSGHDR.iovlen, 1);

    this.#mmsg = scratch(MMSGHDR.size * MAX_MMSG);
    this.#miov = scratch(IOVEC.size * MAX_MMSG);
    this.#mname = scratch(SOCKADDR_NL.size * MAX_MMSG);
    this.#mnameU32 = new Uint32Array(this.#mname.bytes.buffer);
    for (let i = 0; i < MAX_MMSG; i++) {
      const h = this.#mmsg.view;
      const o = i * MMSGHDR.size;
      setU64(h, o + MSGHDR.name, this.#mname.address + i * SOCKADDR_NL.size);
      setU64(h, o + MSGHDR.iov, this.#miov.address + i * IOVEC.size);
      setU64(h, o + MSGHDR.iovlen, 1);
      this.#mresults.push({ ret: 0, errno: 0, msgFlags: 0, portid: 0, groups: 0, controlLen: 0 });
    }

    this.#len = scratch(4);
    this.#lenU32 = new Uint32Array(this.#len.bytes.buffer);
  }

  #result(ret: number): SysResult {
    return ret < 0 ? { ret, errno: this.#errno[0] } : { ret, errno: 0 };
  }

  socket(domain: number, type: number, protocol: number): SysResult {
    return this.#result(this.#sym.socket(domain, type, protocol));
  }

  bind(fd: number, addr: Uint8Array): SysResult {
    return this.#result(this.#sym.bind(fd, addr, addr.byteLength));
  }

  connect(fd: number, addr: Uint8Array): SysResult {
    return this.#result(this.#sym.connect(fd, addr, addr.byteLength));
  }

  getsockname(fd: number, addr: Uint8Array): SysResult {
    this.#lenU32[0] = addr.byteLength;
    return this.#result(this.#sym.getsockname(fd, addr, this.#len.bytes));
  }

  setsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult {
    return this.#result(this.#sym.setsockopt(fd, level, name, value, value.byteLength));
  }

  getsockopt(fd: number, level: number, name: number, value: Uint8Array): SysResult {
    this.#lenU32[0] = value.byteLength;
    const ret = this.#sym.getsockopt(fd, level, name, value, this.#len.bytes);
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
      setU64(v, o + IOVEC.base, addressOf(piece));
      setU64(v, o + IOVEC.len, piece.byteLength);
    }
    const m = this.#smsg.view;
    if (addr === null) {
      setU64(m, MSGHDR.name, 0);
      m.setUint32(MSGHDR.namelen, 0, true);
    } else {
      this.#sname.bytes.set(addr);
      setU64(m, MSGHDR.name, this.#sname.address);
      m.setUint32(MSGHDR.namelen, addr.byteLength, true);
    }
    m.setUint32(MSGHDR.iovlen, n, true);
    return this.#result(this.#sym.sendmsg(fd, this.#smsg.bytes, flags));
  }

  #growIov(n: number): void {
    checkIovCount(n);
    let cap = this.#siovCap;
    while (cap < n) cap *= 2;
    this.#siov = scratch(IOVEC.size * cap);
    this.#siovCap = cap;
    setU64(this.#smsg.view, MSGHDR.iov, this.#siov.address);
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
    const addrPtr = addrLen === 0 ? null : addr;
    return this.#result(this.#sym.sendto(fd, buf, buf.byteLength, flags, addrPtr, addrLen));
  }

  /** Points iovec `i` of `iv` at `buf` (see IovecSlots for when). */
  #pointIovec(iv: DataView, i: number, buf: Uint8Array): void {
    setU64(iv, i * IOVEC.size + IOVEC.base, addressOf(buf));
    setU64(iv, i * IOVEC.size + IOVEC.len, buf.byteLength);
  }

  recvmsg(fd: number, buf: Uint8Array, flags: number, control?: Uint8Array): RecvResult {
    if (this.#rslot.stale(0, buf)) this.#pointIovec(this.#riov.view, 0, buf);
    const m = this.#rmsg.view;
    m.setUint32(MSGHDR.namelen, SOCKADDR_NL.size, true);
    if (control === undefined) {
      setU64(m, MSGHDR.control, 0);
      setU64(m, MSGHDR.controllen, 0);
    } else {
      setU64(m, MSGHDR.control, addressOf(control));
      setU64(m, MSGHDR.controllen, control.byteLength);
    }
    m.setInt32(MSGHDR.flags, 0, true);
    const ret = this.#sym.recvmsg(fd, this.#rmsg.bytes, flags);
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
    const ret = this.#sym.recvmmsg(fd, this.#mmsg.bytes, n, flags, null);
    if (ret < 0) return { ret, errno: this.#errno[0], results: [] };
    const results = this.#mresults;
    readMmsgResults(h, this.#mnameU32, results, ret);
    return { ret, errno: 0, results };
  }

  poll(fds: Uint8Array, nfds: number, timeoutMs: number): SysResult {
    checkPollfds(fds, nfds);
    return this.#result(this.#sym.poll(fds, nfds, pollTimeout(timeoutMs)));
  }

  close(fd: number): SysResult {
    return this.#result(this.#sym.close(fd));
  }

  eventfd(initval: number, flags: number): SysResult {
    return this.#result(this.#sym.eventfd(initval, flags));
  }

  read(fd: number, buf: Uint8Array): SysResult {
    return this.#result(this.#sym.read(fd, buf, buf.byteLength));
  }

  write(fd: number, buf: Uint8Array): SysResult {
    return this.#result(this.#sym.write(fd, buf, buf.byteLength));
  }

  open(path: string, flags: number): SysResult {
    return this.#result(this.#sym.open(cString(path), flags, 0));
  }

  setns(fd: number, nstype: number): SysResult {
    return this.#result(this.#sym.setns(fd, nstype));
  }

  getpid(): number {
    return this.#sym.getpid();
  }

  clockGettime(clockId: number, ts: Uint8Array): SysResult {
    checkTimespec(ts);
    return this.#result(this.#sym.clock_gettime(clockId, ts));
  }

  getenv(name: string): string | undefined {
    return process.env[name];
  }

  waitReadable(fd: number, cancelFd: number, timeoutMs: number): Promise<WaitResult> {
    let timeout: number;
    try {
      timeout = pollTimeout(timeoutMs);
    } catch (e) {
      return Promise.reject(e);
    }
    const waiter = this.#idle.pop() ?? this.#spawnWaiter();
    return new Promise<WaitResult>((resolve) => {
      waiter.resolve = resolve;
      waiter.worker.ref();
      waiter.worker.postMessage([fd, cancelFd, timeout]);
    });
  }

  #spawnWaiter(): Waiter {
    this.#workerUrl ??= URL.createObjectURL(
      new Blob([WORKER_SOURCE], { type: "text/javascript" }),
    );
    const worker = new Worker(this.#workerUrl) as RefWorker;
    const waiter: Waiter = { worker, resolve: null };
    worker.onmessage = (event: MessageEvent<[number, number, number]>) => {
      const [ret, fdRevents, cancelRevents] = event.data;
      const resolve = waiter.resolve;
      waiter.resolve = null;
      worker.unref();
      this.#idle.push(waiter);
      resolve?.(waitOutcome(ret, fdRevents, cancelRevents));
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const resolve = waiter.resolve;
      waiter.resolve = null;
      worker.terminate();
      resolve?.("error");
    };
    worker.unref();
    return waiter;
  }
}

/**
 * Opens libc with `bun:ffi` and returns the Bun {@link Libc}. Use `getLibc()` from `./mod.ts`
 * instead: it picks the backend and caches the instance.
 *
 * @returns A new Bun backend (one `dlopen`; scratch buffers and waiter Workers per instance).
 * @throws {Error} On an unsupported OS or CPU, or if libc cannot be opened.
 *
 * @example Under Bun only (marked `ignore` so `deno test --doc` skips it)
 * ```ts ignore
 * import { createBunLibc } from "./bun.ts";
 * const c = createBunLibc();
 * console.log(c.getpid() === process.pid); // true
 * ```
 */
export function createBunLibc(): Libc {
  return new BunLibc();
}
