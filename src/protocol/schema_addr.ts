/**
 * Text forms of addresses (internal): IPv4 dotted quads, RFC 5952 IPv6 text and MAC addresses,
 * formatting and parsing.
 *
 * @module
 */

const DEC: string[] = Array.from({ length: 256 }, (_, i) => String(i));
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

// Direct-mapped caches of recently formatted addresses: flow dumps repeat the same few MAC and
// IP addresses (and masks) many times, and building the string is the costly part.
const CACHE = 1024;
const v4Keys = new Float64Array(CACHE).fill(-1);
const v4Strs: string[] = new Array<string>(CACHE).fill("");
const macKeys = new Float64Array(CACHE).fill(-1);
const macStrs: string[] = new Array<string>(CACHE).fill("");

// The text of the last /24 formatted ("10.1.2."): a table dump's addresses come sorted, so the
// next address mostly shares it and is made with one concatenation instead of seven.
let v4Top = -1;
let v4TopStr = "";

/** Formats 4 bytes at `data[o]` as "10.0.0.1". */
export function fmtIpv4(d: Uint8Array, o: number): string {
  const a = d[o], b = d[o + 1], c = d[o + 2], e = d[o + 3];
  const top = a * 0x10000 + b * 0x100 + c;
  const key = top * 0x100 + e;
  const h = (a * 7 + b * 31 + c * 131 + e * 1031) & (CACHE - 1);
  if (v4Keys[h] === key) return v4Strs[h];
  if (top !== v4Top) {
    v4TopStr = DEC[a] + "." + DEC[b] + "." + DEC[c] + ".";
    v4Top = top;
  }
  const s = v4TopStr + DEC[e];
  v4Keys[h] = key;
  v4Strs[h] = s;
  return s;
}

/**
 * The dotted quad `s` as an unsigned 32-bit number (network order: "10.0.0.1" is 0x0a000001),
 * or -1 when `s` is not exactly four decimal parts 0-255 without leading zeros. Scans the
 * characters once and allocates nothing (flow installs parse millions of these).
 */
export function ipv4ToU32(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0, part = 0, digits = 0, parts = 0, first = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46; // a virtual "." ends the last part
    if (c === 46) {
      if (digits === 0 || (digits > 1 && first === 48) || part > 255 || parts === 4) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) first = c;
      if (++digits > 3) return -1;
      part = part * 10 + (c - 48);
    } else return -1;
  }
  return parts === 4 ? value : -1;
}

/** Parses a dotted quad into `out[at..at+4)`; false when `s` is not one. */
export function parseIpv4(s: string, out: number[] | Uint8Array, at: number): boolean {
  const v = typeof s === "string" ? ipv4ToU32(s) : -1;
  if (v < 0) return false;
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 255;
  out[at + 2] = (v >>> 8) & 255;
  out[at + 3] = v & 255;
  return true;
}

const v6Keys = new Int32Array(CACHE * 4);
const v6Strs: string[] = new Array<string>(CACHE).fill("");

/**
 * Formats 16 bytes at `data[o]` as RFC 5952 text. Recently formatted addresses come from a
 * direct-mapped cache (route dumps repeat the same gateways), checked against all 16 bytes.
 * With a `suffix` ("/64": a route's destination, unique in its dump) the text is followed by
 * it and made fresh, as one flat string, bypassing the cache.
 */
export function fmtIpv6(d: Uint8Array, o: number, suffix = ""): string {
  const k0 = (d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
  const k1 = (d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7];
  const k2 = (d[o + 8] << 24) | (d[o + 9] << 16) | (d[o + 10] << 8) | d[o + 11];
  const k3 = (d[o + 12] << 24) | (d[o + 13] << 16) | (d[o + 14] << 8) | d[o + 15];
  if (suffix !== "") {
    return suffix.length <= MAX_SUFFIX
      ? formatIpv6(d, o, k0, k1, k2, suffix)
      : fmtIpv6(d, o) + suffix;
  }
  const h = (Math.imul(k0 ^ k2, 0x9e3779b1) ^ Math.imul(k1 ^ k3, 0x85ebca6b)) >>> 22;
  const at = h * 4;
  if (
    v6Keys[at] === k0 && v6Keys[at + 1] === k1 && v6Keys[at + 2] === k2 &&
    v6Keys[at + 3] === k3 && v6Strs[h] !== ""
  ) return v6Strs[h];
  const s = formatIpv6(d, o, k0, k1, k2, "");
  v6Keys[at] = k0;
  v6Keys[at + 1] = k1;
  v6Keys[at + 2] = k2;
  v6Keys[at + 3] = k3;
  v6Strs[h] = s;
  return s;
}

// The character codes of one IPv6 text, made into a string by one String.fromCharCode call: `+`
// makes a text of 13 characters or more a tree of concatenations (a "2001:db8:0:3::/64" kept by
// a route was 3 such nodes and 2 flat strings, about 150 bytes), this one flat string (40 bytes)
// with no intermediate ones, and in less time. The codes are written to CODES, then copied to
// the array of their exact count: no array here ever changes its length (truncating one, or
// growing it past its end, made V8 throw away formatIpv6's optimised code in a first dump).
/** The longest text: 39 characters of address, then a suffix of up to 8 ("/128" is 4). */
const MAX_CODES = 47;
const MAX_SUFFIX = 8;
const CODES: number[] = new Array<number>(MAX_CODES).fill(0);
/** `CODES_OF[n]`: an array of `n` codes, handed to String.fromCharCode. */
const CODES_OF: number[][] = Array.from(
  { length: MAX_CODES + 1 },
  (_, n) => new Array<number>(n).fill(0),
);
/** The character code of each hex digit. */
const HEX_CODE: number[] = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));

function formatIpv6(
  d: Uint8Array,
  o: number,
  k0: number,
  k1: number,
  k2: number,
  suffix: string,
): string {
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  if (k0 === 0 && k1 === 0 && k2 === 0xffff) return `::ffff:${fmtIpv4(d, o + 12)}${suffix}`;
  // The longest run of two or more zero groups becomes "::" (the first one on a tie).
  let best = -1;
  let bestLen = 1;
  for (let i = 0, run = 0; i < 8; i++) {
    if (d[o + 2 * i] !== 0 || d[o + 2 * i + 1] !== 0) {
      run = 0;
      continue;
    }
    if (++run > bestLen) {
      best = i - run + 1;
      bestLen = run;
    }
  }
  const codes = CODES;
  let n = 0;
  let sep = false;
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      codes[n++] = 58; // "::"
      codes[n++] = 58;
      i += bestLen - 1;
      sep = false;
      continue;
    }
    if (sep) codes[n++] = 58;
    const g = (d[o + 2 * i] << 8) | d[o + 2 * i + 1];
    if (g >= 0x1000) codes[n++] = HEX_CODE[g >> 12];
    if (g >= 0x100) codes[n++] = HEX_CODE[(g >> 8) & 15];
    if (g >= 0x10) codes[n++] = HEX_CODE[(g >> 4) & 15];
    codes[n++] = HEX_CODE[g & 15];
    sep = true;
  }
  for (let i = 0; i < suffix.length; i++) codes[n++] = suffix.charCodeAt(i);
  const out = CODES_OF[n];
  for (let i = 0; i < n; i++) out[i] = codes[i];
  return String.fromCharCode.apply(null, out);
}

function parseGroups(s: string, out: number[]): boolean {
  if (s === "") return true;
  for (const p of s.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return false;
    out.push(parseInt(p, 16));
  }
  return true;
}

/** Parses IPv6 text (with "::" and a trailing dotted quad) into 16 bytes; null when invalid. */
export function parseIpv6(input: string): Uint8Array | null {
  let s = input;
  const bytes = new Uint8Array(16);
  let v4 = false;
  const last = s.lastIndexOf(":");
  if (last !== -1 && s.indexOf(".", last) !== -1) {
    if (!parseIpv4(s.slice(last + 1), bytes, 12)) return null;
    s = s.slice(0, last + 1);
    // "::ffff:" keeps its trailing "::"; "1:2:3:4:5:6:" loses the dangling ":".
    if (!s.endsWith("::")) s = s.slice(0, -1);
    v4 = true;
  }
  const total = v4 ? 6 : 8;
  const dbl = s.indexOf("::");
  const head: number[] = [];
  const tail: number[] = [];
  if (dbl === -1) {
    if (!parseGroups(s, head) || head.length !== total) return null;
  } else {
    if (s.indexOf("::", dbl + 1) !== -1) return null;
    if (!parseGroups(s.slice(0, dbl), head) || !parseGroups(s.slice(dbl + 2), tail)) return null;
    if (head.length + tail.length > total - 1) return null;
  }
  for (let i = 0; i < head.length; i++) {
    bytes[2 * i] = head[i] >> 8;
    bytes[2 * i + 1] = head[i] & 0xff;
  }
  const t0 = total - tail.length;
  for (let i = 0; i < tail.length; i++) {
    bytes[2 * (t0 + i)] = tail[i] >> 8;
    bytes[2 * (t0 + i) + 1] = tail[i] & 0xff;
  }
  return bytes;
}

/** Formats 6 bytes at `data[o]` as "00:11:22:33:44:55". */
export function fmtMac(d: Uint8Array, o: number): string {
  const a = d[o], b = d[o + 1], c = d[o + 2], e = d[o + 3], f = d[o + 4], g = d[o + 5];
  const key = ((a * 0x100 + b) * 0x100 + c) * 0x1000000 + e * 0x10000 + f * 0x100 + g;
  const h = (a * 3 + b * 7 + c * 31 + e * 131 + f * 521 + g * 1031) & (CACHE - 1);
  if (macKeys[h] === key) return macStrs[h];
  const s = HEX2[a] + ":" + HEX2[b] + ":" + HEX2[c] + ":" + HEX2[e] + ":" + HEX2[f] + ":" +
    HEX2[g];
  macKeys[h] = key;
  macStrs[h] = s;
  return s;
}

/** The value of one hex digit's character code, or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * Writes the MAC address `s` ("00:11:22:33:44:55", either case) at `offset`, parsing it once;
 * false (bytes written so far left as they are) when `s` is not one.
 */
export function putMac(view: DataView, offset: number, s: unknown): boolean {
  if (typeof s !== "string" || s.length !== 17) return false;
  for (let i = 0; i < 6; i++) {
    const hi = hexValue(s.charCodeAt(3 * i)), lo = hexValue(s.charCodeAt(3 * i + 1));
    if (hi < 0 || lo < 0 || (i < 5 && s.charCodeAt(3 * i + 2) !== 58)) return false;
    view.setUint8(offset + i, (hi << 4) | lo);
  }
  return true;
}
