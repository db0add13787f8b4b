// Shared helpers of the schema tests: annotated hex fixtures and round trips.
import assert from "node:assert/strict";
import { type AttrFields, type AttrSet, NetlinkWriter } from "../../src/protocol/mod.ts";

/** Bytes from hex strings ("0a 00 02 00", one annotated line per argument). */
export function hex(...lines: string[]): Uint8Array {
  const out: number[] = [];
  for (const line of lines) {
    for (const b of line.trim().split(/\s+/)) {
      if (b === "") continue;
      if (!/^[0-9a-f]{2}$/i.test(b)) throw new Error(`bad hex byte "${b}"`);
      out.push(parseInt(b, 16));
    }
  }
  return new Uint8Array(out);
}

/** Encodes `value` with `set` and returns a copy of the bytes. */
export function encode<F extends AttrFields>(set: AttrSet<F>, value: unknown): Uint8Array {
  const w = new NetlinkWriter(16);
  set.encode(w, value as never);
  return w.copy();
}

/** decode(bytes) deep-equals `value`, and encode(value) equals `bytes` byte for byte. */
export function roundTrip<F extends AttrFields>(
  set: AttrSet<F>,
  bytes: Uint8Array,
  value: unknown,
  options: { strict?: boolean } = {},
): void {
  const decoded = set.decode(bytes, 0, bytes.length, { strict: options.strict ?? true });
  assert.deepEqual(decoded, value);
  assert.deepEqual(encode(set, value), bytes);
  // A decoded object re-encodes to the same bytes too (key order follows the wire).
  assert.deepEqual(encode(set, decoded), bytes);
}

/** Deterministic PRNG (mulberry32) for reproducible fuzzing. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
