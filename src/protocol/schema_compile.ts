/**
 * Specialised decoders (internal). For every attribute set and struct the schema generates, once
 * at definition time, a decode function with a `switch` on the attribute type and named property
 * stores (`o.familyId = ...`), so V8 and JavaScriptCore see monomorphic stores and build
 * objects of one shape instead of going through megamorphic keyed stores. Only numbers, quoted
 * keys (JSON.stringify) and references into arrays passed as arguments are pasted into the code.
 * Where `new Function` is not allowed (a CSP), the generic loops are used instead.
 *
 * @module
 */

import { copyBytesAt as copyBytes } from "./_bytes.ts";
import { fmtIpv4, fmtIpv6, fmtMac, ipv4ToU32, putMac } from "./schema_addr.ts";
import {
  ALIGNED_MAX_PAYLOAD,
  type DecodeContext,
  decodeString,
  type EncodeContext,
  flagsSlot,
  OP,
} from "./schema_context.ts";
import type { NetlinkWriter } from "./writer.ts";

function probe(): boolean {
  try {
    return new Function("return 1")() === 1;
  } catch {
    return false;
  }
}

let enabled = probe();

/** True when decoders are generated (false under a CSP that forbids `new Function`). */
export function codegenEnabled(): boolean {
  return enabled;
}

/** Turns generation on or off for sets and structs defined afterwards (tests use it). */
export function setCodegen(on: boolean): void {
  enabled = on && probe();
}

/**
 * How many well-formed attribute headers `[pos, end)` holds, counting only those of `type`
 * (or all with -1): up to the first bad header, which the decoding loop raises. Sizes arrays
 * before they are filled. Internal.
 */
export function countAttrs(view: DataView, pos: number, end: number, type: number): number {
  let n = 0;
  while (end - pos >= 4) {
    const len = view.getUint16(pos, true);
    if (len < 4 || len > end - pos) break;
    if (type < 0 || (view.getUint16(pos + 2, true) & 0x3fff) === type) n++;
    pos += (len + 3) & ~3;
  }
  return n;
}

/**
 * A copy of `f`, compiled anew (the same function when generation is off): its call sites are
 * its own, so what it calls through a parameter (one codec's element set) is called from one
 * site with one target, which V8 and JavaScriptCore inline. `f` must refer to nothing but its
 * parameters and globals.
 */
export function ownCopy<T extends (...args: never[]) => unknown>(f: T): T {
  if (!enabled) return f;
  return new Function(`return ${f.toString()};`)() as T;
}

/** The expression decoding a value of operation `op` at `off` (length `len`), or null. */
function valueExpr(op: number, ref: string, off: string, len: string, member: boolean): string {
  switch (op) {
    case OP.U8:
      return `data[${off}]`;
    case OP.U16:
      return `view.getUint16(${off}, true)`;
    case OP.U32:
      return `view.getUint32(${off}, true)`;
    case OP.U64:
      return `view.getBigUint64(${off}, true)`;
    case OP.S8:
      return `view.getInt8(${off})`;
    case OP.S16:
      return `view.getInt16(${off}, true)`;
    case OP.S32:
      return `view.getInt32(${off}, true)`;
    case OP.S64:
      return `view.getBigInt64(${off}, true)`;
    case OP.U16BE:
      return `view.getUint16(${off}, false)`;
    case OP.U32BE:
      return `view.getUint32(${off}, false)`;
    case OP.U64BE:
      return `view.getBigUint64(${off}, false)`;
    case OP.STRING:
      return `decodeString(c, ${off}, ${len}, ${ref}.max)`;
    case OP.FLAG:
      return "true";
    case OP.BINARY:
      return `copyBytes(data, ${off}, ${len})`;
    case OP.IPV4:
      return `fmtIpv4(data, ${off})`;
    case OP.IPV6:
      return `fmtIpv6(data, ${off})`;
    case OP.MAC:
      return `fmtMac(data, ${off})`;
    case OP.NEST:
      return member
        ? `${ref}.codec.read(c, ${off})`
        : `${ref}.set.decode(c, ${off}, ${off} + ${len})`;
    case OP.STRUCT:
      return member ? `${ref}.codec.read(c, ${off})` : `${ref}.struct.read(c, ${off})`;
    default:
      return member ? `${ref}.codec.read(c, ${off})` : `${ref}.codec.decode(c, ${off}, ${len})`;
  }
}

/** Operations read inline that never throw (their size is checked before). Internal. */
export const LEAF_OPS: ReadonlySet<number> = new Set([
  OP.U8,
  OP.U16,
  OP.U32,
  OP.U64,
  OP.S8,
  OP.S16,
  OP.S32,
  OP.S64,
  OP.U16BE,
  OP.U32BE,
  OP.U64BE,
  OP.FLAG,
  OP.BINARY,
  OP.IPV4,
  OP.IPV6,
  OP.MAC,
]);

const HELPER_NAMES = [
  "decodeString",
  "fmtIpv4",
  "fmtIpv6",
  "fmtMac",
  "copyBytes",
  "countAttrs",
  "flagsSlot",
];
const HELPERS = [decodeString, fmtIpv4, fmtIpv6, fmtMac, copyBytes, countAttrs, flagsSlot];

/** What the struct compiler needs of a member. */
export interface MemberLike {
  readonly key: string;
  readonly op: number;
  readonly offset: number;
  readonly codec: { readonly size: number };
}

/**
 * A generated struct reader, or null when generation is off (`on`: whether it was on when the
 * struct was defined; default: whether it is now).
 */
export function compileStructReader(
  members: readonly MemberLike[],
  on: boolean = enabled,
): ((c: DecodeContext, offset: number) => Record<string, unknown>) | null {
  if (!on) return null;
  const parts: string[] = [];
  members.forEach((m, i) => {
    if (m.op === OP.PAD) return;
    const off = `o + ${m.offset}`;
    parts.push(
      `${JSON.stringify(m.key)}: ${valueExpr(m.op, `M[${i}]`, off, String(m.codec.size), true)}`,
    );
  });
  const body = `return function read(c, o) {
  const data = c.data;
  const view = c.view;
  return { ${parts.join(",\n    ")} };
};`;
  return new Function("M", ...HELPER_NAMES, body)(members, ...HELPERS);
}

/**
 * A constructor of plain objects (prototype `Object.prototype`, constructor `Object`: equal to,
 * and printed as, `{}`), one per decoder. An object made by `{}` has room for 4 properties: a
 * set's object grows a separate property store as its attributes are added, reallocated as it
 * fills (garbage, and slow: a 12-attribute flow key cost 500 ns in V8). Objects made by `new`
 * get their room from the properties the first ones received (V8's slack tracking, JSC's
 * allocation profile), so a decoded set is one allocation of the right size.
 *
 * @example
 * ```ts
 * import { plainObjects } from "./schema_compile.ts";
 * const O = plainObjects();
 * const o = new O();
 * o.a = 1;
 * console.log(o, Object.getPrototypeOf(o) === Object.prototype); // { a: 1 } true
 * ```
 */
export function plainObjects<T = Record<string, unknown>>(): new () => T {
  const O = function Object() {} as unknown as new () => T;
  O.prototype = Object.prototype;
  return O;
}

/** What the set compiler needs of a field. */
export interface FieldLike {
  readonly key: string;
  readonly name: string;
  readonly type: number;
  readonly op: number;
  readonly size: number;
  readonly repeated: boolean;
  /** Longest string (a string field's `maxLength`). */
  readonly max: number;
  /** A checked integer read inline: its operation and range (null: none). */
  readonly check?: { readonly op: number; readonly min: number; readonly max: number } | null;
  /**
   * The codec (a u64 flag set's has `memo64`, its last word, compared inline; a u32 flag set's
   * `memo32`, its table of words, probed inline).
   */
  readonly codec?: object;
}

/** Error and unknown-attribute helpers the generated set decoder calls. */
export interface SetHelpers {
  /** Throws the DecodeError for a bad attribute header at `pos`. */
  headerError(c: DecodeContext, pos: number, end: number): never;
  /** Builds the DecodeError for a payload of the wrong size. */
  sizeError(c: DecodeContext, field: FieldLike, pos: number, len: number): Error;
  /** Keeps (or, when strict, rejects) an attribute the set does not know. */
  unknown(
    c: DecodeContext,
    o: Record<string, unknown>,
    raw: number,
    pos: number,
    len: number,
  ): void;
  /**
   * After `e` was thrown decoding the attributes of `[pos, end)`: keeps the one that failed in
   * `o.unknown` when it is a value outside its checks (not strict) and returns where the next
   * attribute starts; rethrows anything else. `d` is the set's path depth.
   */
  keep(
    c: DecodeContext,
    o: Record<string, unknown>,
    e: unknown,
    pos: number,
    end: number,
    d: number,
  ): number;
  /** Throws unless a nest that grew when decoded (or is nearly full) still re-encodes. */
  checkGrowth(c: DecodeContext, start: number, end: number, before: number): void;
}

/** Whether `f` is a u32 flag set whose memo generated decoders probe (FlagsCodec.memo32). */
function memo32(f: FieldLike): boolean {
  return !f.repeated && f.size === 4 &&
    (f.codec as { memo32?: unknown } | undefined)?.memo32 != null;
}

/**
 * The code that stores flag set `f`'s remembered list for the word at `p` and leaves its case
 * (`break`), when its codec has it: a u64 set's last word (memo64: netdev's three per device)
 * compared, a u32 set's table of words (memo32: nlctrl's op flags) probed. Null for any other
 * field.
 */
function memoProbe(f: FieldLike, ref: string, key: string): string | null {
  if (!f.repeated && f.size === 8 && (f.codec as { memo64?: unknown } | undefined)?.memo64) {
    return `const m = ${ref}.codec.memo64;
        if (plen === 8 && view.getUint32(p, true) === m.lo && view.getUint32(p + 4, true) === m.hi) {
          o[${key}] = m.list;
          break;
        }`;
  }
  if (!memo32(f)) return null;
  const q = memo32Lookup(ref, "v", "");
  return `if (plen === 4) {
          const v = view.getUint32(p, true);
          ${q.bind}
          if (${q.hit}) {
            o[${key}] = ${q.list};
            break;
          }
        }`;
}

/**
 * The generated code that looks word `w` up in u32 flag set `ref`'s table of remembered words
 * (FlagsCodec.memo32): `bind` declares `m${n}` (the table) and `s${n}` (the word's slot),
 * `hit` tests that the slot holds `w`, `list` is its remembered list. One place for the
 * table's layout, which the set decoder's loop and its whole-layout literal both probe.
 */
function memo32Lookup(
  ref: string,
  w: string,
  n: string | number,
): { bind: string; hit: string; list: string } {
  return {
    bind: `const m${n} = ${ref}.codec.memo32;
          const s${n} = flagsSlot(${w});`,
    hit: `m${n}.words[s${n}] === ${w}`,
    list: `m${n}.lists[s${n}]`,
  };
}

/**
 * The generated code that decodes a payload holding every field of a small set once, in
 * definition order, each of a fixed size whose value cannot fail (nlctrl's {id, flags} ops, the
 * order the kernel writes them in): when the payload's length and every header word are those
 * of that layout, the object is made as one literal of all its fields (the same keys, order
 * and values the loop gives, without a header loop, a switch and a store per field); any other
 * payload goes on to the loop. "" for a set this does not fit.
 */
function wholeLayout(fields: readonly FieldLike[]): string {
  if (fields.length === 0 || fields.length > 4) return "";
  let at = 0;
  const tests: string[] = [];
  const values: string[] = [];
  const props: string[] = [];
  for (const [i, f] of fields.entries()) {
    const flags = memo32(f);
    if (f.repeated || f.size < 0 || f.check || !(LEAF_OPS.has(f.op) || flags)) return "";
    const len = 4 + f.size;
    tests.push(`view.getUint32(start + ${at}, true) === ${(len | (f.type << 16)) >>> 0}`);
    const p = `start + ${at + 4}`;
    if (flags) {
      const q = memo32Lookup(`F[${i}]`, `w${i}`, i);
      values.push(`  const w${i} = view.getUint32(${p}, true);
    ${q.bind}
    const v${i} = ${q.hit} ? ${q.list} : F[${i}].codec.decode(c, ${p}, 4);`);
    } else values.push(`  const v${i} = ${valueExpr(f.op, `F[${i}]`, p, String(f.size), false)};`);
    props.push(`${JSON.stringify(f.key)}: v${i}`);
    at += (len + 3) & ~3;
  }
  return `  if (end - start === ${at} && ${tests.join(" && ")}) {
  ${values.join("\n  ")}
    return { ${props.join(", ")} };
  }
`;
}

/**
 * A generated attribute-set decoder, or null when generation is off. With `checks` (a field's
 * value may fail its checks), the loop restarts after the failed attribute, which `H.keep` keeps.
 */
export function compileSetDecoder(
  fields: readonly FieldLike[],
  helpers: SetHelpers,
  checks = false,
): ((c: DecodeContext, start: number, end: number) => Record<string, unknown>) | null {
  if (!enabled) return null;
  let cases = "";
  // Without checks (no attribute is skipped once counted), a repeated attribute's array is made
  // at its first occurrence with room for all of them (counted from there: one pass over the
  // headers) and filled by index: an array grown by push() has room for 17 at the first push
  // and 41 at the 18th, garbage and slack (the ethtool features dump's 4,004 bit lists of ~29).
  const sized = !checks;
  let counters = "";
  fields.forEach((f, i) => {
    if (f.op === OP.PAD) {
      cases += `      case ${f.type}:\n        break;\n`;
      return;
    }
    const ref = `F[${i}]`;
    const key = JSON.stringify(f.key);
    const check = f.size >= 0
      ? `if (plen !== ${f.size}) throw H.sizeError(c, ${ref}, pos, plen);`
      : "";
    const value = valueExpr(f.op, ref, "p", "plen", false);
    const ic = f.check;
    if (ic && !f.repeated && f.size >= 0 && LEAF_OPS.has(ic.op)) {
      // A checked integer read inline, its range compared here: only a value outside it goes
      // through the codec, which raises the check failure the loop's catch keeps.
      cases += `      case ${f.type}: {
        if (plen !== ${f.size}) {
          frames[d] = ${JSON.stringify(f.name)};
          c.depth = d + 1;
          throw H.sizeError(c, ${ref}, pos, plen);
        }
        const v = ${valueExpr(ic.op, ref, "p", "plen", false)};
        if (v < ${ic.min} || v > ${ic.max}) {
          frames[d] = ${JSON.stringify(f.name)};
          c.depth = d + 1;
          o[${key}] = ${value};
          c.depth = d;
        } else o[${key}] = v;
        break;
      }
`;
      return;
    }
    const probe = memoProbe(f, ref, key);
    if (probe !== null) {
      // A flag set whose codec remembers the lists of words: only a word it has not seen goes
      // through the codec.
      cases += `      case ${f.type}: {
        ${probe}
        frames[d] = ${JSON.stringify(f.name)};
        c.depth = d + 1;
        ${check}
        o[${key}] = ${value};
        c.depth = d;
        break;
      }\n`;
      return;
    }
    if (LEAF_OPS.has(f.op)) {
      // A value read inline that cannot fail: the path is written only when its size is wrong.
      const sizeCheck = f.size >= 0
        ? `if (plen !== ${f.size}) {
          frames[d] = ${JSON.stringify(f.name)};
          ${
          f.repeated
            ? `frames[d + 1] = (o[${key}] ?? []).length;
          c.depth = d + 2;`
            : "c.depth = d + 1;"
        }
          throw H.sizeError(c, ${ref}, pos, plen);
        }`
        : "";
      if (f.repeated && sized) counters += `  let n${i} = 0;\n`;
      cases += f.repeated && sized
        ? `      case ${f.type}: {
        ${sizeCheck.replace(`(o[${key}] ?? []).length`, `n${i}`)}
        let l = o[${key}];
        if (l === undefined) o[${key}] = l = new Array(countAttrs(view, pos, end, ${f.type}));
        l[n${i}++] = ${value};
        break;
      }
`
        : f.repeated
        ? `      case ${f.type}: {
        ${sizeCheck}
        const l = o[${key}];
        if (l === undefined) o[${key}] = [${value}];
        else l.push(${value});
        break;
      }
`
        : `      case ${f.type}:
        ${sizeCheck}
        o[${key}] = ${value};
        break;
`;
      return;
    }
    if (f.repeated && sized) {
      counters += `  let n${i} = 0;\n`;
      cases += `      case ${f.type}: {
        frames[d] = ${JSON.stringify(f.name)};
        let l = o[${key}];
        if (l === undefined) o[${key}] = l = new Array(countAttrs(view, pos, end, ${f.type}));
        frames[d + 1] = n${i};
        c.depth = d + 2;
        ${check}
        l[n${i}++] = ${value};
        c.depth = d;
        break;
      }\n`;
    } else if (f.repeated) {
      cases += `      case ${f.type}: {
        frames[d] = ${JSON.stringify(f.name)};
        let l = o[${key}];
        if (l === undefined) o[${key}] = l = [];
        frames[d + 1] = l.length;
        c.depth = d + 2;
        ${check}
        l.push(${value});
        c.depth = d;
        break;
      }\n`;
    } else {
      cases += `      case ${f.type}:
        frames[d] = ${JSON.stringify(f.name)};
        c.depth = d + 1;
        ${check}
        o[${key}] = ${value};
        c.depth = d;
        break;\n`;
    }
  });
  const loop = `while (end - pos >= 4) {
    const len = view.getUint16(pos, true);
    if (len < 4 || len > end - pos) H.headerError(c, pos, end);
    const raw = view.getUint16(pos + 2, true);
    const p = pos + 4;
    const plen = len - 4;
    switch (raw & 0x3fff) {
${cases}      default:
        H.unknown(c, o, raw, pos, plen);
    }
    pos += (len + 3) & ~3;
  }`;
  // A set of at most 4 attributes fits a {} literal's own room, and a literal's allocation site
  // lets V8 pretenure results a dump keeps (ethtool features' bits: {index, name, value}); a
  // larger set is made by \`new\` (see plainObjects). All sets by \`new\`: the features dump of
  // 1,001 devices took 5-16% longer (Deno 12.7 against 12.0 ms, Bun 14.8 against 12.4).
  const body = `return function decode(c, start, end) {
  const data = c.data;
  const view = c.view;
${checks ? "" : wholeLayout(fields)}  const o = ${fields.length <= 4 ? "{}" : "new O()"};
  const frames = c.frames;
  const d = c.depth;
  const grow = c.grow;
  let pos = start;
${counters}  ${
    checks
      ? `for (;;) {
    try {
      ${loop}
      break;
    } catch (e) {
      pos = H.keep(c, o, e, pos, end, d);
    }
  }`
      : loop
  }
  if (c.grow !== grow || end - start > ${ALIGNED_MAX_PAYLOAD}) H.checkGrowth(c, start, end, grow);
  return o;
};`;
  return new Function("F", "H", "O", ...HELPER_NAMES, body)(
    fields,
    helpers,
    plainObjects(),
    ...HELPERS,
  );
}

// ---------------------------------------------------------------------------------------------
// Encoders

/**
 * The check (true when `${v}` cannot be written) and the store of an integer operation the
 * encoders write inline, or null for any other operation.
 */
function intStore(op: number, v: string, at: string): [bad: string, store: string] | null {
  switch (op) {
    case OP.U8:
      return [`(${v} & 0xff) !== ${v}`, `view.setUint8(${at}, ${v})`];
    case OP.U16:
      return [`(${v} & 0xffff) !== ${v}`, `view.setUint16(${at}, ${v}, true)`];
    case OP.U32:
      return [`(${v} >>> 0) !== ${v}`, `view.setUint32(${at}, ${v}, true)`];
    case OP.S8:
      return [`((${v} << 24) >> 24) !== ${v}`, `view.setInt8(${at}, ${v})`];
    case OP.S16:
      return [`((${v} << 16) >> 16) !== ${v}`, `view.setInt16(${at}, ${v}, true)`];
    case OP.S32:
      return [`(${v} | 0) !== ${v}`, `view.setInt32(${at}, ${v}, true)`];
    case OP.U16BE:
      return [`(${v} & 0xffff) !== ${v}`, `view.setUint16(${at}, ${v}, false)`];
    case OP.U32BE:
      return [`(${v} >>> 0) !== ${v}`, `view.setUint32(${at}, ${v}, false)`];
    default:
      return null;
  }
}

/** Whether the struct writer compiler handles every member (see compileStructWriter). */
export function structWritable(members: readonly MemberLike[]): boolean {
  return members.every((m) =>
    m.op === OP.PAD || m.op === OP.IPV4 || m.op === OP.MAC || intStore(m.op, "x", "o") !== null
  );
}

/**
 * A generated struct writer: writes `v` at `o` and returns true, or returns false (having
 * written some of it) when `v` is not exactly an object of the members, each a value its codec
 * accepts; the caller then takes the generic path, which raises the error. Null when a member
 * is of an operation it does not write (see structWritable) or generation is off.
 */
export function compileStructWriter(
  members: readonly MemberLike[],
  on: boolean = enabled,
): ((view: DataView, o: number, v: unknown) => boolean) | null {
  if (!on || !structWritable(members)) return null;
  let body = "";
  let cache = "";
  let named = 0;
  members.forEach((m, i) => {
    const at = `o + ${m.offset}`;
    if (m.op === OP.PAD) {
      for (let i = 0; i < m.codec.size; i++) body += `  view.setUint8(o + ${m.offset + i}, 0);\n`;
      return;
    }
    named++;
    body += `  x = v[${JSON.stringify(m.key)}];\n`;
    // An address member keeps the last text it parsed and its value (null before): the same
    // address in many structs (a mask, a flow table's MACs) is compared, not parsed again.
    if (m.op === OP.MAC) {
      cache += `let s${i} = null, h${i} = 0, l${i} = 0;\n`;
      body += `  if (x === s${i} && x !== null) {
    view.setUint16(${at}, h${i}, false);
    view.setUint32(${at} + 2, l${i}, false);
  } else {
    if (!putMac(view, ${at}, x)) return false;
    s${i} = x;
    h${i} = view.getUint16(${at}, false);
    l${i} = view.getUint32(${at} + 2, false);
  }\n`;
    } else if (m.op === OP.IPV4) {
      cache += `let s${i} = null, n${i} = 0;\n`;
      body += `  if (x === s${i} && x !== null) n = n${i};
  else {
    n = typeof x === "string" ? ipv4ToU32(x) : -1;
    if (n < 0) return false;
    s${i} = x;
    n${i} = n;
  }
  view.setUint32(${at}, n, false);\n`;
    } else {
      const [bad, store] = intStore(m.op, "x", at)!;
      body += `  if (${bad}) return false;\n  ${store};\n`;
    }
  });
  // Every member is defined (undefined fails its check): no other key when the counts agree.
  const src = `${cache}return function write(view, o, v) {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  let x, n;
${body}  n = 0;
  for (const k in v) n++;
  return n === ${named};
};`;
  return new Function("putMac", "ipv4ToU32", src)(putMac, ipv4ToU32);
}

/** What the set encoder compiler needs of a field. */
export interface EncodeFieldLike {
  readonly key: string;
  readonly type: number;
  readonly op: number;
  readonly repeated: boolean;
  readonly codec: {
    readonly nlaFlags: number;
    readonly size: number;
    /** A struct's generated writer (see compileStructWriter), when it has one. */
    readonly writeFast?: unknown;
  };
}

/** The generic paths a generated set encoder falls back on. */
export interface EncodeHelpers {
  /** Encodes field `f`'s value `v` as the generic loop does (path frames, tracing, errors). */
  field(w: NetlinkWriter, f: EncodeFieldLike, v: unknown, c: EncodeContext): void;
  /**
   * Undoes what was written since `start` and encodes `obj` by the generic loop (which raises
   * the error for what the generated code would not write).
   */
  slow(w: NetlinkWriter, obj: unknown, c: EncodeContext, start: number): void;
}

/**
 * A generated attribute-set encoder, or null when generation is off: a `switch` on the value's
 * keys (in their order, as the generic loop) that writes integers, flags, IPv4 addresses and
 * structs of such members inline; any other attribute goes through `H.field` (the generic
 * code), and a value the inline code would not write (wrong type, out of range, an unknown
 * key, `unknown`) makes it start over on the generic loop through `H.slow`, so errors and their
 * paths are the generic loop's. Callers keep sets that hold sub-message selectors and traced
 * encodes on the generic loop.
 */
export function compileSetEncoder(
  fields: readonly EncodeFieldLike[],
  helpers: EncodeHelpers,
): ((w: NetlinkWriter, obj: Record<string, unknown>, c: EncodeContext) => void) | null {
  if (!enabled) return null;
  let cases = "";
  const seen = new Set<string>(["unknown"]);
  fields.forEach((f, i) => {
    if (seen.has(f.key)) return;
    seen.add(f.key);
    const key = JSON.stringify(f.key);
    const type = f.type | f.codec.nlaFlags;
    if (f.op === OP.PAD) {
      cases += `      case ${key}:\n        break;\n`;
      return;
    }
    if (f.repeated) {
      cases += `      case ${key}:\n        H.field(w, F[${i}], v, c);\n        break;\n`;
      return;
    }
    const int = intStore(f.op, "v", "p");
    if (int !== null && f.codec.size > 0) {
      cases += `      case ${key}: {
        if (${int[0]}) return H.slow(w, obj, c, start);
        const a = w.beginAttr(${type});
        const p = w.reserve(${f.codec.size});
        const view = w.view;
        ${int[1]};
        w.endAttr(a);
        break;
      }\n`;
    } else if (f.op === OP.FLAG) {
      cases += `      case ${key}:
        if (v === true) w.attrFlag(${type});
        else if (v !== false) return H.slow(w, obj, c, start);
        break;\n`;
    } else if (f.op === OP.IPV4) {
      cases += `      case ${key}: {
        const n = typeof v === "string" ? ipv4ToU32(v) : -1;
        if (n < 0) return H.slow(w, obj, c, start);
        const a = w.beginAttr(${type});
        const p = w.reserve(4);
        w.view.setUint32(p, n, false);
        w.endAttr(a);
        break;
      }\n`;
    } else if (f.op === OP.STRUCT && typeof f.codec.writeFast === "function") {
      cases += `      case ${key}: {
        const a = w.beginAttr(${type});
        const p = w.reserve(${f.codec.size});
        if (!F[${i}].codec.writeFast(w.view, p, v)) return H.slow(w, obj, c, start);
        w.endAttr(a);
        break;
      }\n`;
    } else {
      cases += `      case ${key}:\n        H.field(w, F[${i}], v, c);\n        break;\n`;
    }
  });
  const src = `return function encode(w, obj, c) {
  const start = w.length;
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined) continue;
    switch (key) {
${cases}      default:
        return H.slow(w, obj, c, start);
    }
  }
};`;
  return new Function("F", "H", "ipv4ToU32", src)(fields, helpers, ipv4ToU32);
}
