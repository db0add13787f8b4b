/**
 * The scanner under the datapath text parsers (internal): a cursor over the text with the
 * number, address and hex readers of Open vSwitch's `ovs_scan` formats, and
 * {@link OdpParseError}.
 *
 * @module
 */

import { fmtIpv6, parseIpv6 } from "../protocol/schema_addr.ts";
import { MAX_NESTING } from "../protocol/schema_context.ts";

/**
 * Raised by the datapath text parsers: where (1-based `column`, and `index` into `input`) and
 * what was expected there.
 *
 * @example
 * ```ts
 * import { OdpParseError, parseFlowKey } from "@nlts/netlink/ovs";
 * try {
 *   parseFlowKey("in_port(1),eth_type(0x0800");
 * } catch (e) {
 *   if (e instanceof OdpParseError) console.log(e.column, e.expected); // 27 '"/" or ")"'
 * }
 * ```
 */
export class OdpParseError extends SyntaxError {
  /** The text being parsed. */
  readonly input: string;
  /** 0-based offset of the error in {@link OdpParseError.input}. */
  readonly index: number;
  /** 1-based column of the error. */
  readonly column: number;
  /** What the parser expected at that column. */
  readonly expected: string;

  /** Creates the error for `input` at `index`. */
  constructor(what: string, input: string, index: number, expected: string, detail?: string) {
    const found = index >= input.length
      ? "the end of the text"
      : JSON.stringify(input.slice(index, index + 16) + (input.length > index + 16 ? "..." : ""));
    // A detail quoting the input is cut, so a huge input never makes a huge message.
    const why = detail === undefined
      ? `expected ${excerpt(expected, 500)}, found ${found}`
      : excerpt(detail, 500);
    super(`Cannot parse ${what} at column ${index + 1}: ${why}`);
    this.name = "OdpParseError";
    this.input = input;
    this.index = index;
    this.column = index + 1;
    this.expected = expected;
  }
}

/**
 * `s` when it has at most `max` characters, else its start, "..." and its length: for error
 * messages that quote input. Internal.
 */
export function excerpt(s: string, max = 40): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}... (${s.length} characters)`;
}

/** Nesting depth at which Open vSwitch gives up (`MAX_ODP_NESTED`). */
export const MAX_ODP_NESTED = 32;

const HEXITS = "0123456789abcdef";

function digit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** A cursor over datapath text. Internal. */
export class Scanner {
  readonly s: string;
  pos = 0;
  readonly what: string;
  depth = 0;
  /**
   * How many recursive constructs (encaps, nested action lists) enclose the position: at most
   * MAX_NESTING, the limit of the binary codecs, so what parses also encodes.
   */
  nesting = 0;
  #portsByName: Map<string, number> | null = null;
  readonly portNames: ReadonlyMap<number, string> | undefined;

  constructor(s: string, what: string, portNames?: ReadonlyMap<number, string>) {
    this.s = s;
    this.what = what;
    this.portNames = portNames;
  }

  /** The port number named `name`, when port names were given. */
  portByName(name: string): number | undefined {
    if (this.portNames === undefined) return undefined;
    if (this.#portsByName === null) {
      this.#portsByName = new Map();
      for (const [n, v] of this.portNames) this.#portsByName.set(v, n);
    }
    return this.#portsByName.get(name);
  }

  fail(expected: string, at: number = this.pos, detail?: string): never {
    throw new OdpParseError(this.what, this.s, at, expected, detail);
  }

  /** Enters an encap or a nested action list that starts at `at` (see {@link Scanner.nesting}). */
  enter(at: number): void {
    if (++this.nesting > MAX_NESTING) {
      this.bad(
        `encaps and nested action lists go deeper than ${MAX_NESTING} levels (MAX_NESTING)`,
        at,
      );
    }
  }

  /** Leaves what {@link Scanner.enter} entered. */
  leave(): void {
    this.nesting--;
  }

  /** Raises "<detail>" at `at`. */
  bad(detail: string, at: number, expected = "a valid value"): never {
    throw new OdpParseError(this.what, this.s, at, expected, detail);
  }

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string {
    return this.s[this.pos] ?? "";
  }

  at(lit: string): boolean {
    return this.s.startsWith(lit, this.pos);
  }

  eat(lit: string): boolean {
    if (this.s.startsWith(lit, this.pos)) {
      this.pos += lit.length;
      return true;
    }
    return false;
  }

  expect(lit: string, expected: string = JSON.stringify(lit)): void {
    if (!this.eat(lit)) this.fail(expected);
  }

  /** Skips the list delimiters of Open vSwitch (", \t\r\n"). */
  skipDelims(): void {
    const s = this.s;
    let p = this.pos;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (c === 44 || c === 32 || c === 9 || c === 13 || c === 10) p++;
      else break;
    }
    this.pos = p;
  }

  skipSpaces(): void {
    while (this.pos < this.s.length && /[ \t\r\n]/.test(this.s[this.pos])) this.pos++;
  }

  /** An identifier `[A-Za-z0-9_]+` (possibly empty). */
  ident(): string {
    const s = this.s;
    const start = this.pos;
    let p = start;
    while (p < s.length) {
      const c = s.charCodeAt(p);
      if (
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95
      ) p++;
      else break;
    }
    this.pos = p;
    return s.slice(start, p);
  }

  /**
   * An unsigned integer as C's `%i` reads it (0x: hex, leading 0: octal, else decimal), or
   * with a fixed base; RangeError-like parse error above `max`.
   */
  int(max: number, base = 0, expected = "a number"): number {
    if (max > Number.MAX_SAFE_INTEGER) return Number(this.bigint(BigInt(max), base, expected));
    // The same scan as bigint() in plain numbers (exact up to 2^53, beyond any max here).
    const s = this.s;
    const start = this.pos;
    let [p, b] = this.#radix(base);
    let v = 0;
    const first = p;
    // Past `max` the digits are only skipped: no arithmetic on an ever longer number.
    for (let d; p < s.length && (d = digit(s.charCodeAt(p))) >= 0 && d < b; p++) {
      if (v <= max) v = v * b + d;
    }
    this.#endInt(start, p, first, v > max, max, expected);
    return v;
  }

  /** Like {@link Scanner.int} for values up to 64 bits. */
  bigint(max: bigint, base = 0, expected = "a number"): bigint {
    const s = this.s;
    const start = this.pos;
    let [p, b] = this.#radix(base);
    let v = 0n;
    const first = p;
    const bb = BigInt(b);
    // Past `max` the digits are only skipped: a bigint growing digit by digit is quadratic.
    for (let d; p < s.length && (d = digit(s.charCodeAt(p))) >= 0 && d < b; p++) {
      if (v <= max) v = v * bb + BigInt(d);
    }
    this.#endInt(start, p, first, v > max, max, expected);
    return v;
  }

  /** Where the digits of an integer at `pos` start, and their base (C's `%i` rules for 0). */
  #radix(base: number): [number, number] {
    const s = this.s;
    let p = this.pos;
    if (s.charCodeAt(p) === 43) p++; // "+"
    if ((base === 0 || base === 16) && s[p] === "0" && (s[p + 1] === "x" || s[p + 1] === "X")) {
      return [p + 2, 16];
    }
    return [p, base === 0 ? (s[p] === "0" ? 8 : 10) : base];
  }

  /** Ends an integer scan: errors for no digits or too large a value, else moves past it. */
  #endInt(
    start: number,
    p: number,
    first: number,
    tooLarge: boolean,
    max: number | bigint,
    expected: string,
  ): void {
    if (p === first) this.fail(expected, start);
    if (tooLarge) {
      this.bad(
        `${excerpt(this.s.slice(start, p))} does not fit (largest accepted: ${max})`,
        start,
        expected,
      );
    }
    this.pos = p;
  }

  /** True when an integer starts here (digit, or + then digit). */
  atDigit(): boolean {
    const c = this.s.charCodeAt(this.s[this.pos] === "+" ? this.pos + 1 : this.pos);
    return c >= 48 && c <= 57;
  }

  /** A dotted quad. */
  ipv4(): string {
    // Four groups of 1-3 decimal digits (leading zeros are decimal, as inet_aton's callers in
    // odp-util read them), each 0-255; normalized text.
    const s = this.s;
    const start = this.pos;
    let p = start;
    let out = "";
    for (let g = 0; g < 4; g++) {
      if (g > 0) {
        if (s.charCodeAt(p) !== 46) this.fail("an IPv4 address", start);
        p++;
      }
      let v = 0, n = 0;
      for (let c = s.charCodeAt(p); n < 3 && c >= 48 && c <= 57; c = s.charCodeAt(p)) {
        v = v * 10 + (c - 48);
        n++;
        p++;
      }
      if (n === 0 || v > 255) this.fail("an IPv4 address", start);
      out += g > 0 ? "." + v : String(v);
    }
    this.pos = p;
    return out;
  }

  /** IPv6 text (the characters `inet_pton` accepts), normalized to RFC 5952. */
  ipv6(): string {
    const start = this.pos;
    const m = /^[0-9a-fA-F:.]{2,45}/.exec(this.s.slice(start, start + 46));
    const b = m === null ? null : parseIpv6(m[0]);
    if (m === null || b === null) this.fail("an IPv6 address", start);
    this.pos = start + m[0].length;
    return fmtIpv6(b, 0);
  }

  /** A MAC address (1 or 2 hex digits per byte). */
  mac(): string {
    const s = this.s;
    const start = this.pos;
    let p = start;
    let out = "";
    for (let g = 0; g < 6; g++) {
      if (g > 0) {
        if (s.charCodeAt(p) !== 58) this.fail("an Ethernet address (xx:xx:xx:xx:xx:xx)", start);
        p++;
      }
      const hi = digit(s.charCodeAt(p));
      if (hi < 0 || hi > 15) this.fail("an Ethernet address (xx:xx:xx:xx:xx:xx)", start);
      const lo = digit(s.charCodeAt(p + 1));
      if (lo >= 0 && lo < 16) {
        out += (g > 0 ? ":" : "") + HEXITS[hi] + HEXITS[lo];
        p += 2;
      } else {
        out += (g > 0 ? ":0" : "0") + HEXITS[hi];
        p += 1;
      }
    }
    this.pos = p;
    return out;
  }

  /**
   * Hex byte pairs, optionally separated by spaces or dots (`ofpbuf_put_hex`); stops at the
   * first character that does not start a pair.
   */
  hexPairs(): Uint8Array {
    const s = this.s;
    const out: number[] = [];
    let p = this.pos;
    for (;;) {
      let q = p;
      while (q < s.length && " .\t\r\n".includes(s[q])) q++;
      const hi = digit(s.charCodeAt(q));
      const lo = digit(s.charCodeAt(q + 1));
      if (hi < 0 || lo < 0) break;
      out.push(hi * 16 + lo);
      p = q + 2;
    }
    this.pos = p;
    return Uint8Array.from(out);
  }

  /**
   * An integer written into `width` big-endian bytes (`parse_int_string`): "0x" and any number
   * of hex digits (leading zeros ignored), or a decimal/octal number up to 64 bits.
   */
  wideInt(width: number, expected = "a number"): Uint8Array {
    const s = this.s;
    const start = this.pos;
    const out = new Uint8Array(width);
    if (s[start] === "0" && (s[start + 1] === "x" || s[start + 1] === "X")) {
      let p = start + 2;
      const digits: number[] = [];
      let count = 0; // significant digits, of which the first width * 2 + 1 are kept
      for (;;) {
        let c = s.charCodeAt(p);
        while (c === 32 || c === 9 || c === 13 || c === 10) c = s.charCodeAt(++p);
        const d = digit(c);
        if (d < 0) break;
        if (d !== 0 || count > 0) {
          if (count++ <= width * 2) digits.push(d);
        }
        p++;
      }
      if (count > width * 2) {
        this.bad(`${excerpt(s.slice(start, p))} does not fit in ${width} bytes`, start, expected);
      }
      let idx = width;
      for (let i = digits.length - 1; i >= 0; i -= 2) {
        idx--;
        out[idx] = digits[i] + (i > 0 ? digits[i - 1] << 4 : 0);
      }
      this.pos = p;
      return out;
    }
    let v = this.bigint(0xffff_ffff_ffff_ffffn, 0, expected);
    for (let i = width - 1; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }
}

/** `%#x`: "0" for zero, else "0x" and lowercase hex. */
export function hexAlt(n: number): string {
  return n === 0 ? "0" : "0x" + n.toString(16);
}

/** `%#"PRIx64`. */
export function hexAlt64(n: bigint): string {
  return n === 0n ? "0" : "0x" + n.toString(16);
}

/** `ds_put_hex`: "0x" and the bytes without leading zero bytes (the first byte unpadded), "0". */
export function putHex(b: Uint8Array): string {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return "0";
  let s = "0x" + b[i].toString(16);
  for (i++; i < b.length; i++) s += HEXITS[b[i] >> 4] + HEXITS[b[i] & 15];
  return s;
}

/** Plain lowercase hex of every byte ("0102..."). */
export function hexBytes(b: Uint8Array, sep = ""): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    if (i && sep) s += sep;
    s += HEXITS[b[i] >> 4] + HEXITS[b[i] & 15];
  }
  return s;
}

/**
 * IPv6 text as glibc's `inet_ntop` prints it: RFC 5952, except that an address whose first
 * 96 bits are zero and whose last 32 bits are not 0 or 1 prints as "::a.b.c.d". Takes the
 * RFC 5952 text the schema decodes to.
 */
export function ntop6(rfc: string): string {
  // RFC 5952 text of such addresses is "::x:y" with x != 0 (x == 0 would be "::y").
  if (rfc.length > 4 && rfc.charCodeAt(0) === 58 && rfc.charCodeAt(1) === 58) {
    const m = /^::([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(rfc);
    if (m !== null) {
      const hi = parseInt(m[1], 16), lo = parseInt(m[2], 16);
      return `::${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
    }
  }
  return rfc;
}

/** C's `%.1f` (round half to even on exact ties). */
export function fixed1(x: number): string {
  const q = x * 4;
  if (Number.isInteger(q) && q % 2 !== 0) {
    // x is k.25 or k.75: an exact tie at one decimal; round to even.
    const t = Math.round(x * 10 - 0.5); // the lower neighbour
    const r = t % 2 === 0 ? t : t + 1;
    return (r / 10).toFixed(1);
  }
  return x.toFixed(1);
}
