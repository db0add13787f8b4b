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
import { fmtIpv4, fmtIpv6, fmtMac } from "./schema_addr.ts";
import { ALIGNED_MAX_PAYLOAD, type DecodeContext, decodeString, OP } from "./schema_context.ts";

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

/** Operations read inline that never throw (their size is checked before). */
const LEAF_OPS: ReadonlySet<number> = new Set([
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

const HELPER_NAMES = ["decodeString", "fmtIpv4", "fmtIpv6", "fmtMac", "copyBytes", "countAttrs"];
const HELPERS = [decodeString, fmtIpv4, fmtIpv6, fmtMac, copyBytes, countAttrs];

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
  const o = ${fields.length <= 4 ? "{}" : "new O()"};
  const data = c.data;
  const view = c.view;
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
