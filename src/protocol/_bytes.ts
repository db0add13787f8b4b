/**
 * The byte copies and string reads behind every decoder, unchecked (callers pass bounds they
 * validated). Internal: the package exports the checked `copyBytes` and `readString`.
 *
 * @module
 */

import { lastStringScan } from "./_internal.ts";

const decoder = new TextDecoder("utf-8", { fatal: false });

// Owned copies of small payloads. Deno allocates a fresh small ArrayBuffer slowly (~400 ns),
// so there small copies are carved out of a shared slab that is never reused (each copy stays
// valid and unaliased; its `.buffer` may hold other copies). Bun allocates fast: plain slice().
const SLAB_SIZE = 16384;
const SLAB_MAX = 256;
const useSlab = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
let slab = new ArrayBuffer(0);
let slabPos = 0;

/**
 * An owned copy of `data[offset, offset + length)` (never a view of `data`), made in the way
 * that is fastest for the runtime. Unchecked: the decoders call it with bounds they checked
 * (the public, checked one is `copyBytes`).
 *
 * @example
 * ```ts
 * import { copyBytesAt } from "./_bytes.ts";
 * console.log(copyBytesAt(new Uint8Array([1, 2, 3, 4]), 1, 2)); // Uint8Array [2, 3]
 * ```
 */
export function copyBytesAt(data: Uint8Array, offset: number, length: number): Uint8Array {
  if (!useSlab || length > SLAB_MAX) return data.slice(offset, offset + length);
  if (slabPos + length > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    slabPos = 0;
  }
  const out = new Uint8Array(slab, slabPos, length);
  for (let i = 0; i < length; i++) out[i] = data[offset + i];
  slabPos = (slabPos + length + 7) & ~7;
  return out;
}

// Netlink strings repeat a great deal (interface, feature, family and group names), so short
// ones are interned: a small direct-mapped cache keyed by a hash of the bytes, verified byte by
// byte on a hit. A hit costs one pass over the bytes and allocates nothing.
const INTERN_MAX = 48;
const INTERN_SLOTS = 4096;
const internBytes: (Uint8Array | undefined)[] = new Array(INTERN_SLOTS);
const internStrings: string[] = new Array(INTERN_SLOTS);

/**
 * Reads a string payload: stops at the first NUL byte (or the end), decodes UTF-8. Unchecked:
 * the decoders call it with bounds they checked (the public, checked one is `readString`).
 *
 * @example
 * ```ts
 * import { readStringAt } from "./_bytes.ts";
 * console.log(readStringAt(new Uint8Array([0x68, 0x69, 0]), 0, 3)); // "hi"
 * ```
 */
export function readStringAt(data: Uint8Array, offset: number, length: number): string {
  const stop = offset + length;
  let end = offset;
  let hash = 0x811c9dc5;
  let ascii = true;
  while (end < stop) {
    const c = data[end];
    if (c === 0) break;
    if (c > 0x7f) ascii = false;
    hash = Math.imul(hash ^ c, 0x01000193);
    end++;
  }
  const n = end - offset;
  lastStringScan.bytes = n;
  lastStringScan.ascii = ascii;
  if (n === 0) return "";
  if (!ascii || n > INTERN_MAX) return decoder.decode(data.subarray(offset, end));
  const slot = (hash >>> 0) & (INTERN_SLOTS - 1);
  const cached = internBytes[slot];
  if (cached !== undefined && cached.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (cached[i] !== data[offset + i]) {
        same = false;
        break;
      }
    }
    if (same) return internStrings[slot];
  }
  const bytes = data.slice(offset, end);
  const s = String.fromCharCode.apply(null, bytes as unknown as number[]);
  internBytes[slot] = bytes;
  internStrings[slot] = s;
  return s;
}
