/**
 * Opt-in tracing: with `NLTS_DEBUG=1` in the environment, every message sent and received is
 * printed to stderr, decoded with names where a formatter is registered (the generic netlink
 * layer registers one per family). The library never logs otherwise.
 *
 * @module
 */

import { MessageIterator } from "../protocol/reader.ts";

/**
 * Formats one message for the trace; returns undefined to fall back to the hex dump.
 * `socketName` is the socket's name (e.g. "GENERIC" or a family name).
 */
export type TraceFormatter = (
  socketName: string,
  type: number,
  flags: number,
  payload: Uint8Array,
  direction: "send" | "recv",
) => string | undefined;

const formatters: TraceFormatter[] = [];
let enabled: boolean | undefined;

function readEnv(): boolean {
  try {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const v = g.Deno?.env?.get?.("NLTS_DEBUG") ?? g.process?.env?.NLTS_DEBUG;
    return v !== undefined && v !== "" && v !== "0";
  } catch {
    return false; // no --allow-env: tracing stays off
  }
}

/**
 * True when tracing is on (NLTS_DEBUG set, or switched on with {@link setTracing}).
 *
 * @example
 * ```ts
 * import { tracing } from "@nlts/netlink";
 * if (tracing()) console.error("tracing netlink traffic");
 * ```
 */
export function tracing(): boolean {
  if (enabled === undefined) enabled = readEnv();
  return enabled;
}

/**
 * Switches tracing on or off regardless of NLTS_DEBUG.
 *
 * @example
 * ```ts
 * import { setTracing } from "@nlts/netlink";
 * setTracing(true);
 * ```
 */
export function setTracing(on: boolean): void {
  enabled = on;
}

/**
 * Registers a formatter that names message types and attributes in traces.
 *
 * @example
 * ```ts
 * import { addTraceFormatter } from "@nlts/netlink";
 * addTraceFormatter((sock, type) => type === 0x10 ? "nlctrl message" : undefined);
 * ```
 */
export function addTraceFormatter(f: TraceFormatter): void {
  formatters.push(f);
}

function hex(b: Uint8Array, max = 256): string {
  let s = "";
  const n = Math.min(b.length, max);
  for (let i = 0; i < n; i++) {
    s += (i && i % 4 === 0 ? " " : "") + b[i].toString(16).padStart(2, "0");
  }
  return b.length > max ? `${s} ... (${b.length} bytes)` : s;
}

/** Prints each message of a datagram to stderr (only call when {@link tracing} is true). */
export function trace(direction: "send" | "recv", socketName: string, data: Uint8Array): void {
  const lines: string[] = [];
  try {
    const it = new MessageIterator(data);
    while (it.next()) {
      const payload = data.subarray(it.payloadOffset, it.messageEnd);
      let body: string | undefined;
      if (it.type === 2 && payload.length >= 4) {
        const err = new DataView(payload.buffer, payload.byteOffset).getInt32(0, true);
        body = err === 0
          ? "ACK"
          : `ERROR ${err}${payload.length > 20 ? ` ${hex(payload.subarray(20))}` : ""}`;
      } else if (it.type === 3) {
        const err = payload.length >= 4
          ? new DataView(payload.buffer, payload.byteOffset).getInt32(0, true)
          : 0;
        body = `DONE${err ? ` ${err}` : ""}`;
      }
      for (const f of body === undefined ? formatters : []) {
        try {
          body = f(socketName, it.type, it.flags, payload, direction);
        } catch (e) {
          body = `(formatter failed: ${(e as Error).message}) ${hex(payload)}`;
        }
        if (body !== undefined) break;
      }
      lines.push(
        `nlts ${direction} ${socketName} len=${it.length} type=${it.type} flags=0x${
          it.flags.toString(16)
        } seq=${it.seq} pid=${it.pid}: ${body ?? hex(payload)}`,
      );
    }
  } catch (e) {
    lines.push(
      `nlts ${direction} ${socketName}: undecodable (${(e as Error).message}) ${hex(data)}`,
    );
  }
  console.error(lines.join("\n"));
}
