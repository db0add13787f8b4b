// Schema-shaped random bytes for the property and fuzz tests: for any attribute set, a run of
// attributes built by walking its codecs (nests hold attributes of their set, lists items,
// maps keyed children, strings and binaries lengths around their limits, fixed-size values
// their size...), with a share of wrong sizes, unknown types, random NLA_F bits and junk, so
// that much of it decodes and the rest fails deep inside rather than at the first header.
import { AttrSet, type Codec } from "../../src/protocol/mod.ts";

/** A seeded source of random numbers in [0, 1). */
export type Rand = () => number;

// deno-lint-ignore no-explicit-any
type AnySet = AttrSet<any>;
// deno-lint-ignore no-explicit-any
type AnyCodec = Codec<any, any> & Record<string, any>;

/** Every attribute set exported by `modules`, and every set reachable from their codecs. */
export function collectSets(modules: readonly Record<string, unknown>[]): [string, AnySet][] {
  const out: [string, AnySet][] = [];
  const seen = new Set<unknown>();
  const walkCodec = (c: AnyCodec): void => {
    if (seen.has(c)) return;
    seen.add(c);
    if (c.kind === "nest" || c.kind === "list") walkSet(c.set as AnySet, c.set.name);
    else if (c.kind === "lazy") walkCodec(c.resolve());
    else if (c.kind === "map" || c.kind === "indexed-array" || c.kind === "multi") {
      walkCodec(c.inner);
    }
  };
  const walkSet = (s: AnySet, name: string): void => {
    if (seen.has(s)) return;
    seen.add(s);
    out.push([name, s]);
    for (const f of s.fields) walkCodec(f.codec as AnyCodec);
  };
  for (const m of modules) {
    for (const [k, v] of Object.entries(m)) if (v instanceof AttrSet) walkSet(v, k);
  }
  return out;
}

export function int(rand: Rand, n: number): number {
  return Math.floor(rand() * n);
}

export function bytes(rand: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(rand, 256);
  return b;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One attribute: header, payload, padding to 4 bytes (payloads over 65531 bytes are cut). */
export function attr(type: number, payload: Uint8Array): Uint8Array {
  const p = payload.length > 0xfffb ? payload.subarray(0, 0xfffb) : payload;
  const len = 4 + p.length;
  const out = new Uint8Array((len + 3) & ~3);
  out.set([len & 0xff, len >> 8, type & 0xff, (type >> 8) & 0xff]);
  out.set(p, 4);
  return out;
}

/** A length near `limit` (just under, at, just over) or anywhere up to `span`. */
function lengthNear(rand: Rand, limit: number, span: number): number {
  if (limit < Infinity && rand() < 0.6) return Math.max(0, limit - 2 + int(rand, 5));
  return int(rand, span + 1);
}

function stringPayload(rand: Rand, max: number): Uint8Array {
  const n = lengthNear(rand, max, 40);
  const b = new Uint8Array(n + 1);
  const mode = rand();
  for (let i = 0; i < n; i++) {
    // mostly printable ASCII; some UTF-8 (valid or not), some NULs inside
    b[i] = mode < 0.7 ? 0x61 + int(rand, 26) : mode < 0.9 ? 0x80 + int(rand, 0x80) : int(rand, 256);
  }
  // usually NUL-terminated, sometimes not
  return rand() < 0.85 ? b : b.subarray(0, n);
}

/** Payload makers for custom codec kinds (by `codec.kind`), registered by the tests using them. */
export const customPayloads: Map<string, (rand: Rand, depth: number) => Uint8Array> = new Map();

/**
 * A payload for `codec`: what it decodes most of the time, sizes it refuses some of the time.
 * `depth` bounds the nests (deeper ones get empty payloads).
 */
export function payloadFor(codec: AnyCodec, rand: Rand, depth: number): Uint8Array {
  const wrongSize = rand() < 0.05;
  switch (codec.kind) {
    case "nest":
    case "list":
      return depth > 6 ? new Uint8Array(0) : attrsFor(codec.set as AnySet, rand, depth + 1);
    case "lazy":
      return payloadFor(codec.resolve(), rand, depth);
    case "multi":
      return payloadFor(codec.inner, rand, depth);
    case "map": {
      if (depth > 6) return new Uint8Array(0);
      const parts: Uint8Array[] = [];
      for (let i = int(rand, 4); i > 0; i--) {
        parts.push(attr(int(rand, 40), payloadFor(codec.inner, rand, depth + 1)));
      }
      return concat(parts);
    }
    case "indexed-array": {
      if (depth > 6) return new Uint8Array(0);
      const parts: Uint8Array[] = [];
      const n = int(rand, 4);
      for (let i = 0; i < n; i++) {
        parts.push(
          attr(rand() < 0.9 ? i + 1 : int(rand, 40), payloadFor(codec.inner, rand, depth + 1)),
        );
      }
      return concat(parts);
    }
    case "string":
      return stringPayload(rand, codec.maxLength ?? Infinity);
    case "binary":
      if (codec.size >= 0) return bytes(rand, wrongSize ? int(rand, codec.size + 4) : codec.size);
      if (codec.maxLength < 0xfffb) {
        return bytes(rand, lengthNear(rand, rand() < 0.5 ? codec.minLength : codec.maxLength, 40));
      }
      return bytes(rand, int(rand, 40));
    case "uint":
    case "sint":
      return bytes(rand, wrongSize ? int(rand, 12) : rand() < 0.5 ? 4 : 8);
    case "nat-address":
      return bytes(rand, wrongSize ? int(rand, 20) : rand() < 0.5 ? 4 : 16);
    case "mpls-lses":
    case "u32-array":
      return bytes(rand, wrongSize ? int(rand, 20) : 4 * int(rand, 5));
    default: {
      const custom = customPayloads.get(codec.kind);
      if (custom !== undefined) return custom(rand, depth);
      if (codec.size >= 0) return bytes(rand, wrongSize ? int(rand, codec.size + 4) : codec.size);
      return bytes(rand, int(rand, 40)); // a custom codec: random bytes of random length
    }
  }
}

/** A run of attributes of `set`: known ones built from their codecs, some unknown, some junk. */
export function attrsFor(set: AnySet, rand: Rand, depth = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  const fields = set.fields;
  for (let n = int(rand, 5); n > 0; n--) {
    if (fields.length === 0 || rand() < 0.08) {
      parts.push(attr(int(rand, 0x40) | (rand() < 0.2 ? 0x8000 : 0), bytes(rand, int(rand, 12))));
      continue;
    }
    const f = fields[int(rand, fields.length)];
    const codec = f.codec as AnyCodec;
    const flags = rand() < 0.1 ? int(rand, 4) << 14 : codec.nlaFlags;
    const reps = codec.repeated ? 1 + int(rand, 3) : 1;
    for (let r = 0; r < reps; r++) parts.push(attr(f.type | flags, payloadFor(codec, rand, depth)));
  }
  if (rand() < 0.03) parts.push(bytes(rand, int(rand, 4))); // a short tail
  return concat(parts);
}
