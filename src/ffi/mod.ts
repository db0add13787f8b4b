/**
 * The FFI layer of nlts: the only module that touches `Deno.dlopen` or `bun:ffi`.
 *
 * {@link getLibc} returns one process-wide {@link Libc} (per thread/Worker), loaded
 * synchronously on first use: the Deno backend is imported statically (it only touches `Deno`
 * when called); the Bun backend is `require()`d under Bun only, which Bun resolves
 * synchronously (also in `bun build --compile` output) and which Deno's module graph never
 * follows.
 *
 * @example
 * ```ts
 * import { AF, encodeSockaddrNl, getLibc, SOCK } from "./mod.ts";
 * const c = getLibc();
 * const fd = c.socket(AF.NETLINK, SOCK.RAW | SOCK.NONBLOCK | SOCK.CLOEXEC, 2).ret;
 * console.log(c.bind(fd, encodeSockaddrNl(0, 0)).ret); // 0
 * c.close(fd);
 * ```
 *
 * @module
 */

import type { Libc } from "./types.ts";
import { createDenoLibc } from "./deno.ts";

export type { Libc, RecvManyResult, RecvResult, SysResult, WaitResult } from "./types.ts";
export { AF, CLONE, EFD, MSG, O, POLL, SO, SOCK, SOL } from "./constants.ts";
export { ERRNO, errnoMessage, type ErrnoName, errnoName } from "../protocol/errno.ts";
export {
  assertSupportedPlatform,
  type Cmsg,
  cmsgAlign,
  CMSGHDR,
  cmsgLen,
  cmsgSpace,
  decodeCmsgs,
  decodeIovec,
  decodeMsghdr,
  decodePollfds,
  decodeSockaddrNl,
  encodeCmsgs,
  encodeIovec,
  encodeMsghdr,
  encodePollfds,
  encodeSockaddrNl,
  IOVEC,
  type Iovec,
  MSGHDR,
  type Msghdr,
  POLLFD,
  type Pollfd,
  SOCKADDR_NL,
  type SockaddrNl,
} from "./structs.ts";

/** Bun's `require`, which Bun provides in ES modules too. Never called under Deno. */
declare const require: (specifier: string) => unknown;

let instance: Libc | undefined;

/**
 * Returns the process-wide {@link Libc}, loading it on first call (synchronously, in Deno and
 * in Bun).
 *
 * @returns The backend for the current runtime; the same object on every call.
 * @throws {Error} "nlts needs Deno or Bun: ..." in any other runtime (e.g. Node.js), or
 *   "Cannot load libc: ..." on an unsupported OS or CPU.
 *
 * @example
 * ```ts
 * import { getLibc } from "./mod.ts";
 * console.log(getLibc().runtime); // "deno" (or "bun")
 * ```
 */
export function getLibc(): Libc {
  if (instance !== undefined) return instance;
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (typeof g.Deno !== "undefined") {
    instance = createDenoLibc();
  } else if (typeof g.Bun !== "undefined") {
    const bun = require("./bun.ts") as { createBunLibc(): Libc };
    instance = bun.createBunLibc();
  } else {
    const version = (globalThis as { process?: { version?: string } }).process?.version;
    throw new Error(
      "nlts needs Deno or Bun: it calls libc through Deno.dlopen or bun:ffi, and this runtime " +
        `has neither${version ? ` (it looks like Node.js ${version})` : ""}`,
    );
  }
  return instance;
}

/**
 * Same as {@link getLibc}; kept for callers written against an asynchronous loader.
 *
 * @returns A promise of the process-wide {@link Libc}.
 *
 * @example
 * ```ts
 * import { loadLibc } from "./mod.ts";
 * const c = await loadLibc();
 * console.log(c.getpid() > 0); // true
 * ```
 */
export function loadLibc(): Promise<Libc> {
  try {
    return Promise.resolve(getLibc());
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * Same as {@link getLibc}: the process-wide {@link Libc}. Loading is synchronous in both
 * runtimes, so it never needs a prior `await loadLibc()`.
 *
 * @returns The process-wide {@link Libc}.
 *
 * @example
 * ```ts
 * import { libc } from "./mod.ts";
 * console.log(libc().close(-1).errno); // 9 (EBADF)
 * ```
 */
export function libc(): Libc {
  return getLibc();
}
