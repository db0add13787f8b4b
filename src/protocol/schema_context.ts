/**
 * Cursor state shared by the schema codecs while they decode or encode one message:
 * {@link DecodeContext} and {@link EncodeContext}. Both keep the current attribute path as a
 * stack of frames and only build a path string when an error is raised (or an
 * {@link AttrTrace} records offsets), so the fast path allocates nothing for naming.
 *
 * Path format: `<root>.<attr-name>[<index>].<attr-name>`; the root is the attribute set's YNL
 * name (or the `path` option), names are YNL (kebab-case) names, `[i]` is an array position
 * (indexed array, multi-attr occurrence, list item) or a map key.
 *
 * @module
 */

import { lastStringScan } from "./_internal.ts";
import { DecodeError } from "./errors.ts";
import { quickStringAt, readStringAt as readString } from "./_bytes.ts";
import type { AttrTrace } from "./schema_trace.ts";

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);

/**
 * How deep recursive schemas may nest: a recursive ({@link t.lazy}) codec may hold itself at
 * most this many times on one path (a flow key's `encap` inside `encap`, an action list inside
 * `clone` inside `sample`...). Decoding deeper input raises {@link DecodeError}, encoding a
 * deeper (or cyclic) value a RangeError, so whatever decodes also encodes. Every decoder of nlts
 * that follows nests uses this one limit.
 *
 * 24 is above what the kernel builds (openvswitch accepts 16 nested action lists,
 * `OVS_COPY_ACTIONS_MAX_DEPTH`, and two VLAN encaps) and below what Open vSwitch's text parser
 * reads (`MAX_ODP_NESTED` is 32 levels, a flow's text adding up to 3 around its recursion), so a
 * flow that decodes prints as text that parses back.
 *
 * @example
 * ```ts
 * import { MAX_NESTING } from "@nlts/netlink/protocol";
 * console.log(MAX_NESTING); // 24
 * ```
 */
export const MAX_NESTING = 24;

/** Whether typed arrays read little-endian here (DecodeContext.words). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** How many distinct words of up to 32 bits a flag set (FlagsCodec) remembers the lists of. */
export const FLAGS_MEMO = 64;

/**
 * The slot of a word of up to 32 bits in a flag set's memo (FlagsCodec.memo32, probed by
 * generated set decoders too). Internal.
 */
export function flagsSlot(v: number): number {
  return (v ^ (v >>> 6) ^ (v >>> 12) ^ (v >>> 20) ^ (v >>> 26)) & (FLAGS_MEMO - 1);
}

function buildPath(root: string, frames: (string | number)[], depth: number): string {
  let s = root;
  for (let i = 0; i < depth; i++) {
    if (depth > 40 && i === 16) {
      s += "...";
      i = depth - 17; // keep the first and the last 16 elements of very deep paths
      continue;
    }
    const f = frames[i];
    if (typeof f === "number") s += `[${f}]`;
    else s += s === "" ? f : `.${f}`;
  }
  return s;
}

/**
 * Decoding state: the buffer, a DataView over it, strictness and the attribute path as a
 * stack of frames. Codecs receive it in {@link Codec.decode}; custom codecs use
 * {@link DecodeContext.error} to raise a {@link DecodeError} that names the attribute.
 *
 * @example
 * ```ts
 * import { DecodeContext } from "@nlts/netlink/protocol";
 * const ctx = new DecodeContext(new Uint8Array([1, 2, 3, 4]), { path: "demo" });
 * ctx.push("field");
 * console.log(ctx.path()); // "demo.field"
 * console.log(ctx.view.getUint16(0, true)); // 513
 * ```
 */
export class DecodeContext {
  /** The buffer being decoded (offsets are indexes into it). */
  data: Uint8Array = EMPTY;
  /** A DataView over {@link DecodeContext.data}. */
  view: DataView = EMPTY_VIEW;
  /** When true, attributes unknown to the schema raise {@link DecodeError}. */
  strict = false;
  /** Root of the attribute path (the attribute set's name or the caller's `path`). */
  root = "";
  /** Path frames: attribute names (strings) and array positions / map keys (numbers). */
  readonly frames: (string | number)[] = [];
  /** Number of valid entries in {@link DecodeContext.frames}. */
  depth = 0;
  /** How many recursive ({@link t.lazy}) codecs enclose the value being decoded. */
  nesting = 0;
  /**
   * Bytes by which re-encoding what was decoded so far would outgrow the input (strings without
   * their NUL, invalid UTF-8 widened to U+FFFD), so nests can check that they still fit.
   */
  grow = 0;
  /** True while a top-level decode uses this context. */
  busy = false;
  /**
   * Objects being decoded by the enclosing attribute sets that hold a sub-message selector
   * (innermost last), with the set's runtime; {@link t.subMessage} looks its selector up here.
   */
  readonly scopes: { readonly keys: ReadonlyMap<string, unknown>; readonly obj: unknown }[] = [];

  /** Creates a context over `data`. */
  constructor(data?: Uint8Array, options?: { path?: string; strict?: boolean }) {
    if (data) this.reset(data, options?.path ?? "", options?.strict === true);
  }

  /** Points the context at `data` (reusing the DataView when the buffer is the same). */
  reset(data: Uint8Array, root: string, strict: boolean): this {
    if (data !== this.data) {
      this.data = data;
      this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      this.#words = undefined;
    }
    this.root = root;
    this.strict = strict;
    this.depth = 0;
    // Setting an array's length is a slow path in V8 and JSC (tens of ns): only when needed.
    if (this.scopes.length !== 0) this.scopes.length = 0;
    this.nesting = 0;
    this.grow = 0;
    return this;
  }

  #words: Int32Array | null | undefined;

  /**
   * The 4-byte words of {@link DecodeContext.data}'s buffer in the machine's order, word `i` at
   * byte `4 * i` of the buffer (not of data); null on a big-endian machine. Made at the first
   * call per buffer. Internal (shared nests compare payloads with it).
   */
  words(): Int32Array | null {
    let w = this.#words;
    if (w === undefined) {
      const b = this.data.buffer;
      w = this.#words = LITTLE_ENDIAN ? new Int32Array(b, 0, b.byteLength >> 2) : null;
    }
    return w;
  }

  /** Pushes a path frame and returns the previous depth (give it to {@link DecodeContext.pop}). */
  push(frame: string | number): number {
    const d = this.depth;
    this.frames[d] = frame;
    this.depth = d + 1;
    return d;
  }

  /** Restores the depth returned by {@link DecodeContext.push}. */
  pop(depth: number): void {
    this.depth = depth;
  }

  /** The current attribute path, e.g. `ctrl-attrs.ops[1].flags`. */
  path(): string {
    return buildPath(this.root, this.frames, this.depth);
  }

  /** A {@link DecodeError} at `offset` naming the current path (throw it). */
  error(reason: string, offset: number): DecodeError {
    return new DecodeError(reason, offset, this.path());
  }

  /**
   * The error of a decoded value outside its codec's checks (YNL min, max, flags-mask), at
   * `offset` (throw it): a {@link DecodeError} that the attribute set decoding the value turns
   * into an `unknown` attribute (kept as its bytes) unless strict. Anywhere else (a struct
   * decoded on its own, a fixed header) it stays the DecodeError.
   */
  checkFailure(reason: string, offset: number): DecodeError {
    return new CheckFailure(reason, offset, this.path());
  }
}

/**
 * A value outside its codec's checks (see {@link DecodeContext.checkFailure}): the kernel's
 * input policy, which a newer kernel's replies may exceed. Internal.
 */
export class CheckFailure extends DecodeError {}

/** Longest attribute payload: nla_len is 16 bits and counts the 4-byte header. */
const MAX_PAYLOAD = 0xffff - 4;

/**
 * Nests with a payload longer than this (or that grew) call {@link checkGrowth}: 65531 rounded
 * down to a multiple of 4. Internal.
 */
export const ALIGNED_MAX_PAYLOAD = MAX_PAYLOAD & ~3;

/** Bytes of `s` in UTF-8 (TextDecoder output: surrogates come in pairs). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x80) n += 1;
    else if (ch < 0x800) n += 2;
    else if (ch >= 0xd800 && ch <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Decodes the string payload `[p, p + len)` and makes sure the string encodes again: at most
 * `max` UTF-8 bytes (the codec's `maxLength`), and a payload that still fits an attribute when
 * it is longer than this one (no NUL, invalid UTF-8); such growth is added to
 * {@link DecodeContext.grow} for the enclosing nests to check. Internal.
 */
export function decodeString(c: DecodeContext, p: number, len: number, max: number): string {
  // An interned string NUL-terminated at the payload's end: len - 1 ASCII bytes, no growth.
  const quick = len - 1 <= max ? quickStringAt(c.data, c.view, p, len) : undefined;
  if (quick !== undefined) {
    lastStringScan.bytes = len - 1; // (t.string's minLength check reads it)
    lastStringScan.ascii = true;
    return quick;
  }
  const s = readString(c.data, p, len);
  const bytes = lastStringScan.ascii ? lastStringScan.bytes : utf8Length(s);
  if (bytes > max) {
    throw c.error(`the string is ${bytes} bytes long (UTF-8), at most ${max} fit`, p - 4);
  }
  if (bytes >= len) {
    if (bytes + 1 > MAX_PAYLOAD) {
      throw c.error(
        `the string re-encodes to ${
          bytes + 1
        } bytes (NUL added, invalid UTF-8 as U+FFFD), more than the ${MAX_PAYLOAD} an attribute holds`,
        p - 4,
      );
    }
    c.grow += ((bytes + 4) & ~3) - ((len + 3) & ~3);
  }
  return s;
}

/**
 * Called by a nest whose payload is `[start, end)` when {@link DecodeContext.grow} changed while
 * it was decoded (it was `before`) or when the payload is within 3 bytes of the limit (it
 * re-encodes padded to 4 bytes): throws unless its re-encoded payload still fits an attribute.
 * The top level (no enclosing attribute) has no such limit. Internal.
 */
export function checkGrowth(c: DecodeContext, start: number, end: number, before: number): void {
  if (c.depth === 0) return;
  const size = ((end - start + 3) & ~3) + c.grow - before;
  if (size > MAX_PAYLOAD) {
    throw c.error(
      `re-encoded (padded to 4 bytes, strings with their NUL, invalid UTF-8 as U+FFFD) its payload would be ${size} bytes, more than the ${MAX_PAYLOAD} an attribute holds`,
      start - 4,
    );
  }
}

let shared: DecodeContext = new DecodeContext();

/** Takes the shared decode context (or a fresh one when it is in use). Internal. */
export function acquireDecode(data: Uint8Array, root: string, strict: boolean): DecodeContext {
  let c = shared;
  if (c.busy) c = new DecodeContext();
  c.busy = true;
  return c.reset(data, root, strict);
}

/** Returns a context taken with {@link acquireDecode}. Internal. */
export function releaseDecode(c: DecodeContext): void {
  c.busy = false;
  c.depth = 0;
  if (c !== shared && !shared.busy) shared = c;
}

let freeEncode: EncodeContext | undefined;

/**
 * Takes the free encode context (or a fresh one while it is in use: an encode inside an encode)
 * ready for paths starting at `root`: no context made per encoded message. Internal.
 */
export function acquireEncode(root: string, trace: AttrTrace | null): EncodeContext {
  const c = freeEncode;
  if (c === undefined) return new EncodeContext(root, trace);
  freeEncode = undefined;
  return c.reset(root, trace);
}

/** Returns a context taken with {@link acquireEncode}. Internal. */
export function releaseEncode(c: EncodeContext): void {
  c.trace = null;
  freeEncode = c;
}

/**
 * Encoding state: the attribute path as a stack of frames (for error messages) and an optional
 * {@link AttrTrace} that records where each attribute was written. Custom codecs use
 * {@link EncodeContext.typeError} / {@link EncodeContext.rangeError} for bad values.
 *
 * @example
 * ```ts
 * import { EncodeContext } from "@nlts/netlink/protocol";
 * const ctx = new EncodeContext("ctrl-attrs");
 * ctx.push("family-id");
 * console.log(ctx.rangeError("70000 does not fit in u16").message);
 * // "Cannot encode ctrl-attrs.family-id: 70000 does not fit in u16"
 * ```
 */
export class EncodeContext {
  /** Root of the attribute path. */
  root: string;
  /** Path frames: attribute names (strings) and array positions / map keys (numbers). */
  readonly frames: (string | number)[] = [];
  /** Number of valid entries in {@link EncodeContext.frames}. */
  depth = 0;
  /** How many recursive ({@link t.lazy}) codecs enclose the value being encoded. */
  nesting = 0;
  /** Records attribute offsets when set (see {@link AttrTrace}). */
  trace: AttrTrace | null;
  /** Values being encoded by the enclosing sets that hold a sub-message selector. */
  readonly scopes: { readonly keys: ReadonlyMap<string, unknown>; readonly obj: unknown }[] = [];

  /** Creates a context whose paths start at `root`. */
  constructor(root = "", trace: AttrTrace | null = null) {
    this.root = root;
    this.trace = trace;
  }

  /** Ready for a new encode whose paths start at `root` (internal: see acquireEncode). */
  reset(root: string, trace: AttrTrace | null): this {
    this.root = root;
    this.trace = trace;
    this.depth = 0;
    this.nesting = 0;
    if (this.scopes.length !== 0) this.scopes.length = 0;
    return this;
  }

  /** Pushes a path frame and returns the previous depth (give it to {@link EncodeContext.pop}). */
  push(frame: string | number): number {
    const d = this.depth;
    this.frames[d] = frame;
    this.depth = d + 1;
    return d;
  }

  /** Restores the depth returned by {@link EncodeContext.push}. */
  pop(depth: number): void {
    this.depth = depth;
  }

  /** The current attribute path, e.g. `ctrl-attrs.family-id`. */
  path(): string {
    return buildPath(this.root, this.frames, this.depth);
  }

  /** The current path in YNL extended-ack style, without the root: `.ops[1].flags`. */
  ynlPath(): string {
    const s = buildPath("", this.frames, this.depth);
    return s === "" || s[0] === "[" ? s : `.${s}`;
  }

  /** A TypeError "Cannot encode <path>: <detail>" (throw it). */
  typeError(detail: string): TypeError {
    return new TypeError(`Cannot encode ${this.path() || "value"}: ${detail}`);
  }

  /** A RangeError "Cannot encode <path>: <detail>" (throw it). */
  rangeError(detail: string): RangeError {
    return new RangeError(`Cannot encode ${this.path() || "value"}: ${detail}`);
  }
}

/** Describes a value for error messages: `70000`, `"abc"`, `an object`. Internal. */
export function describe(v: unknown): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
    case "number":
      return String(v);
    case "bigint":
      return `${v}n`;
    case "boolean":
      return String(v);
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    default:
      if (v === null) return "null";
      if (Array.isArray(v)) return "an array";
      if (v instanceof Uint8Array) return `a Uint8Array of ${v.length} bytes`;
      return "an object";
  }
}

/** `familyName` -> `family-name` (the YNL spelling of a camelCase key). Internal. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}

/**
 * Operation codes the attribute-set and struct loops switch on, so the common leaf types are
 * decoded inline instead of through a megamorphic method call. Internal.
 */
export const OP = {
  CALL: 0,
  U8: 1,
  U16: 2,
  U32: 3,
  U64: 4,
  S8: 5,
  S16: 6,
  S32: 7,
  S64: 8,
  U16BE: 9,
  U32BE: 10,
  U64BE: 11,
  STRING: 12,
  FLAG: 13,
  BINARY: 14,
  PAD: 15,
  NEST: 16,
  STRUCT: 17,
  IPV4: 18,
  IPV6: 19,
  MAC: 20,
  S16BE: 21,
  S32BE: 22,
  S64BE: 23,
} as const;

const ops = new WeakMap<object, number>();

const checking = new WeakSet<object>();

/**
 * Marks `codec` as one whose decoding may raise a check failure
 * ({@link DecodeContext.checkFailure}): with no `parts`, always; else when one of `parts`
 * (the codecs it decodes through, outside an attribute set of their own) may. Attribute sets
 * whose fields may are the ones that catch it. Internal.
 */
export function markChecks(codec: object, ...parts: unknown[]): void {
  if (
    parts.length === 0 || parts.some((p) => typeof p === "object" && p !== null && checking.has(p))
  ) {
    checking.add(codec);
  }
}

/** Whether decoding `codec` may raise a check failure (see {@link markChecks}). Internal. */
export function raisesChecks(codec: unknown): boolean {
  return typeof codec === "object" && codec !== null && checking.has(codec);
}

/** Registers the inline operation of a codec instance. Internal. */
export function setOp(codec: object, op: number): void {
  ops.set(codec, op);
}

/** The inline operation of a codec ({@link OP.CALL} when it has none). Internal. */
export function opOf(codec: object): number {
  return ops.get(codec) ?? OP.CALL;
}
