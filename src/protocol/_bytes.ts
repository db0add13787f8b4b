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
// valid and unaliased; its `.buffer` may hold other copies). Bun allocates fast: a new array.
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
  if (length > SLAB_MAX) return data.slice(offset, offset + length);
  if (!useSlab) {
    // Bun: a new small array filled byte by byte (slice() looks up the species constructor).
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = data[offset + i];
    return out;
  }
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

// A second table for the common case, a string whose NUL is the payload's last byte: buckets of
// QUICK_WAYS strings keyed by the length and a few sampled bytes, so a hit costs one comparison
// pass and no hashing pass (names that differ in one unsampled byte, such as "tx-ipxip4-..."
// and "tx-ipxip6-...", share a bucket). It only holds strings the hashing pass read: ASCII,
// without NUL. The comparison reads 4 bytes at a time: each entry keeps its bytes as
// little-endian words, the last one the word of its last 4 bytes (overlapping the one before
// unless the length is a multiple of 4).
const QUICK_BUCKETS = 1024;
const QUICK_WAYS = 4;
const quickBytes: (Uint8Array | undefined)[] = new Array(QUICK_BUCKETS * QUICK_WAYS);
const quickWords: Int32Array[] = new Array(QUICK_BUCKETS * QUICK_WAYS);
const quickStrings: string[] = new Array(QUICK_BUCKETS * QUICK_WAYS);

/** The words {@link quickStringAt} compares `bytes` by (see quickWords). */
function wordsOf(bytes: Uint8Array): Int32Array {
  const n = bytes.length;
  const k = n >> 2;
  const words = new Int32Array(k + 1);
  const word = (i: number) =>
    bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
  for (let j = 0; j < k; j++) words[j] = word(j << 2);
  if (n >= 4) words[k] = word(n - 4);
  return words;
}

/** The first entry of the bucket of the `n` bytes at `offset` (n >= 2). */
function quickBucket(data: Uint8Array, offset: number, n: number): number {
  const e = offset + n;
  let h = Math.imul(n ^ 0x811c9dc5, 0x01000193);
  h = Math.imul(h ^ data[e - 1], 0x01000193);
  h = Math.imul(h ^ data[e - 2], 0x01000193);
  h = Math.imul(h ^ data[offset + (n >> 1)], 0x01000193);
  h = Math.imul(h ^ data[offset + (n >> 2)], 0x01000193);
  h = Math.imul(h ^ data[offset], 0x01000193);
  return ((h ^ (h >>> 16)) & (QUICK_BUCKETS - 1)) * QUICK_WAYS;
}

/**
 * The interned string whose bytes fill `data[offset, offset + length - 1)` with a NUL in the
 * payload's last byte, or undefined (then {@link readStringAt} reads it). A hit is an ASCII
 * string of `length - 1` bytes without NUL. `view` views the same bytes as `data` (same
 * offsets). Unchecked, like readStringAt.
 *
 * @example
 * ```ts
 * import { quickStringAt, readStringAt } from "./_bytes.ts";
 * const b = new Uint8Array([0x68, 0x69, 0]);
 * readStringAt(b, 0, 3); // interns "hi"
 * console.log(quickStringAt(b, new DataView(b.buffer), 0, 3)); // "hi"
 * ```
 */
export function quickStringAt(
  data: Uint8Array,
  view: DataView,
  offset: number,
  length: number,
): string | undefined {
  const n = length - 1;
  if (n < 2 || n > INTERN_MAX || data[offset + n] !== 0) return undefined;
  const b = quickBucket(data, offset, n);
  for (let w = b; w < b + QUICK_WAYS; w++) {
    const cached = quickBytes[w];
    if (cached === undefined) return undefined;
    if (cached.length !== n) continue;
    if (n < 4) {
      if (
        cached[0] === data[offset] && cached[1] === data[offset + 1] &&
        (n === 2 || cached[2] === data[offset + 2])
      ) {
        return quickStrings[w];
      }
      continue;
    }
    const words = quickWords[w];
    const k = n >> 2;
    let j = 0;
    while (j < k && view.getInt32(offset + (j << 2), true) === words[j]) j++;
    if (j === k && view.getInt32(offset + n - 4, true) === words[k]) return quickStrings[w];
  }
  return undefined;
}

/** Adds an interned string (its bytes as read) to its quick bucket, evicting the oldest. */
function quickAdd(bytes: Uint8Array, s: string): void {
  const b = quickBucket(bytes, 0, bytes.length);
  let w = b;
  while (w < b + QUICK_WAYS - 1 && quickBytes[w] !== undefined && quickStrings[w] !== s) w++;
  // Newest first: shift the entries before the free (or oldest, or same) one down.
  for (; w > b; w--) {
    quickBytes[w] = quickBytes[w - 1];
    quickWords[w] = quickWords[w - 1];
    quickStrings[w] = quickStrings[w - 1];
  }
  quickBytes[b] = bytes;
  quickWords[b] = wordsOf(bytes);
  quickStrings[b] = s;
}

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
  let s: string | undefined;
  if (cached !== undefined && cached.length === n) {
    s = internStrings[slot];
    for (let i = 0; i < n; i++) {
      if (cached[i] !== data[offset + i]) {
        s = undefined;
        break;
      }
    }
  }
  let bytes = cached;
  if (s === undefined) {
    bytes = data.slice(offset, end);
    s = String.fromCharCode.apply(null, bytes as unknown as number[]);
    internBytes[slot] = bytes;
    internStrings[slot] = s;
  }
  // NUL-terminated right at the payload's end: the quick table finds it next time.
  if (n >= 2 && end === stop - 1) quickAdd(bytes!, s);
  return s;
}
