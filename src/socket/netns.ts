/**
 * Network namespace files: {@link openNamespace} opens one (for IFLA_NET_NS_FD, NETNSA_FD or
 * `setns`) through the same libc calls as the sockets, so an in-memory transport sees them too.
 *
 * @module
 */

import { getLibc } from "../ffi/mod.ts";
import type { Libc } from "../ffi/types.ts";
import { O } from "../ffi/constants.ts";
import { ERRNO as E } from "../protocol/errno.ts";
import { SyscallError } from "../protocol/errors.ts";
import { checkInt, describeValue } from "../protocol/_validate.ts";

/** A transport given to the namespace helpers: an object with the libc calls they make. */
function libcOf(transport: unknown, verb: string): Libc {
  if (transport === undefined) return getLibc();
  const t = transport as { open?: unknown; close?: unknown } | null;
  if (
    typeof t !== "object" || t === null || typeof t.open !== "function" ||
    typeof t.close !== "function"
  ) {
    throw new TypeError(
      `Cannot ${verb}: transport must be a Libc-shaped object (e.g. a FakeKernel), not ${
        describeValue(transport)
      }`,
    );
  }
  return transport as Libc;
}

/** `/run/netns/NAME` for a name (as `ip netns add NAME` makes), a path as it is. */
export function netnsPath(netns: string): string {
  if (typeof netns !== "string" || netns === "" || netns.includes("\0")) {
    throw new TypeError(
      `Cannot use namespace ${
        describeValue(netns)
      }: give a name under /run/netns or an absolute path`,
    );
  }
  return netns.startsWith("/") ? netns : `/run/netns/${netns}`;
}

/**
 * Opens network namespace `netns` (a name under /run/netns or an absolute path such as
 * /proc/PID/ns/net) read-only and close-on-exec; returns the fd. Close it with
 * {@link closeNamespace}.
 *
 * @example
 * ```ts
 * import { closeNamespace, openNamespace } from "@nlts/netlink";
 * const fd = openNamespace("blue");
 * closeNamespace(fd);
 * ```
 */
export function openNamespace(netns: string, transport?: Libc): number {
  const path = netnsPath(netns);
  const libc = libcOf(transport, "open namespace");
  const r = libc.open(path, O.RDONLY | O.CLOEXEC);
  if (r.ret < 0) {
    throw new SyscallError(
      "open",
      r.errno,
      r.errno === E.ENOENT ? `network namespace ${path} does not exist` : path,
    );
  }
  return r.ret;
}

/**
 * Closes an fd from {@link openNamespace}.
 *
 * @example
 * ```ts
 * import { closeNamespace, openNamespace } from "@nlts/netlink";
 * closeNamespace(openNamespace("/proc/self/ns/net"));
 * ```
 */
export function closeNamespace(fd: number, transport?: Libc): void {
  checkInt(fd, "close namespace", "the fd", 0, 0x7fffffff);
  libcOf(transport, "close namespace").close(fd);
}
