/**
 * Clocks the kernel stamps netlink data with, read through libc: {@link monotonicMs} is
 * CLOCK_MONOTONIC, the clock of an OVS flow's `used` and of most kernel timestamps.
 *
 * @module
 */

import { getLibc } from "../ffi/mod.ts";
import { SyscallError } from "../protocol/errors.ts";

/** `CLOCK_MONOTONIC` (`<linux/time.h>`). */
const CLOCK_MONOTONIC = 1;

const TIMESPEC = new Uint8Array(16);
const TIMESPEC_VIEW = new DataView(TIMESPEC.buffer);

/**
 * The current CLOCK_MONOTONIC time in milliseconds: the clock of a flow's `used` (pass it as
 * `formatFlow`'s `now` to print `used:` as ovs-dpctl does).
 *
 * @example
 * ```ts
 * import { formatFlow, monotonicMs } from "@nlts/netlink/ovs";
 * const f = { key: { inPort: 1 }, used: monotonicMs() - 250n, actions: [] };
 * console.log(formatFlow(f, { now: monotonicMs() })); // "in_port(1), packets:0, bytes:0, used:0.250s, actions:drop"
 * ```
 */
export function monotonicMs(): bigint {
  const r = getLibc().clockGettime(CLOCK_MONOTONIC, TIMESPEC);
  if (r.ret < 0) throw new SyscallError("clock_gettime", r.errno);
  const v = TIMESPEC_VIEW;
  return v.getBigInt64(0, true) * 1000n + v.getBigInt64(8, true) / 1_000_000n;
}
