/**
 * The YNL spec reader: checks a parsed spec (genetlink, genetlink-c, genetlink-legacy or
 * netlink-raw) and normalises it into a {@link SpecModel}: every value computed (attribute
 * numbers, enum values, operation numbers under either enum model), subsets resolved, names
 * checked. Both the runtime builder and the code generator read this model, so the two agree
 * by construction. Every problem raises a {@link YnlSpecError} naming the file and the path in
 * the spec (`attribute-sets[3].attributes[7].type`).
 *
 * @module
 */

import { describeValue } from "../protocol/_validate.ts";
import { NO_NESTED_FLAG } from "./_marks.ts";
import { coreScalar } from "./_core_yaml.ts";

/**
 * A spec the engine cannot use: a missing or malformed key, an unknown type, a construct it
 * does not support, a dangling reference or a cycle. `file` and `path` say where.
 *
 * @example
 * ```ts
 * import { loadSpec, YnlSpecError } from "@nlts/netlink/ynl";
 * try {
 *   loadSpec({ name: "demo", "attribute-sets": [], operations: { list: [] } });
 * } catch (e) {
 *   if (e instanceof YnlSpecError) console.log(e.path); // "doc"
 * }
 * ```
 */
export class YnlSpecError extends Error {
  /** The spec file (or "<object>" / "<text>" for specs given inline). */
  readonly file: string;
  /** Path of the offending element inside the spec, e.g. `attribute-sets[3].attributes[7].type`. */
  readonly path: string;

  /** Creates the error; the message is "Cannot load spec FILE: PATH: DETAIL". */
  constructor(file: string, path: string, detail: string) {
    super(`Cannot load spec ${file}: ${path === "" ? "" : `${path}: `}${detail}`);
    this.name = "YnlSpecError";
    this.file = file;
    this.path = path;
  }
}

/** An enum or flags definition, values computed. */
export interface EnumDef {
  /** "enum" or "flags". */
  readonly kind: "enum" | "flags";
  /** The YNL name. */
  readonly name: string;
  /** Entries in spec order: `value` is the enum value or the flag's bit number. */
  readonly entries: readonly { readonly name: string; readonly value: number }[];
  /** The C name prefix of its entries (`name-prefix`), when the spec gives one. */
  readonly namePrefix?: string;
  /** Where it is in the spec. */
  readonly path: string;
}

/** A struct member. */
export interface MemberDef {
  /** The YNL name. */
  readonly name: string;
  /** The YNL type. */
  readonly type: string;
  /** "big-endian" or "little-endian" when given. */
  readonly byteOrder?: string;
  /** Name of the enum or flags definition of its values. */
  readonly enum?: string;
  /** The enum is used as a bit set. */
  readonly enumAsFlags: boolean;
  /** How to show it (mac, ipv4, ipv6, hex, uuid...). */
  readonly displayHint?: string;
  /** Length in bytes (binary, pad). */
  readonly len?: number;
  /** Name of the struct it holds. */
  readonly struct?: string;
  /** Where it is in the spec. */
  readonly path: string;
}

/** A struct definition. */
export interface StructDef {
  /** The YNL name. */
  readonly name: string;
  /** Members in order. */
  readonly members: readonly MemberDef[];
  /** Where it is in the spec. */
  readonly path: string;
}

/** Value checks of an attribute, limits and constants already resolved to numbers. */
export interface ChecksDef {
  /** Smallest value. */
  readonly min?: number | bigint;
  /** Largest value. */
  readonly max?: number | bigint;
  /** Shortest length. */
  readonly minLen?: number;
  /** Longest length. */
  readonly maxLen?: number;
  /** Exact length. */
  readonly exactLen?: number;
  /** Name of the flags definition whose bits the value may have. */
  readonly flagsMask?: string;
}

/** One attribute of a set. */
export interface AttrDef {
  /** The YNL name. */
  readonly name: string;
  /** The attribute number. */
  readonly value: number;
  /** The YNL type. */
  readonly type: string;
  /** Element type (indexed-array, binary arrays). */
  readonly subType?: string;
  /** "big-endian" or "little-endian" when given. */
  readonly byteOrder?: string;
  /** The attribute may repeat (multi-attr). */
  readonly multi: boolean;
  /** Name of the nested attribute set. */
  readonly nested?: string;
  /** Name of the enum or flags definition of its values. */
  readonly enum?: string;
  /** The enum is used as a bit set. */
  readonly enumAsFlags: boolean;
  /** How to show it (mac, ipv4, ipv6, hex, uuid...). */
  readonly displayHint?: string;
  /** Name of the struct it holds. */
  readonly struct?: string;
  /** Name of the sub-message definition. */
  readonly subMessage?: string;
  /** Name of the attribute whose value selects the format. */
  readonly selector?: string;
  /** Names of the nest-type-value levels. */
  readonly typeValue?: readonly string[];
  /** Value checks. */
  readonly checks?: ChecksDef;
  /** Length in bytes (binary, pad). */
  readonly len?: number;
  /**
   * false: the kernel writes this nest (and an indexed array's elements) without NLA_F_NESTED,
   * and so does encoding. Only errata set it (src/ynl/_marks.ts); YNL has no key for it.
   */
  readonly nestedFlag?: false;
  /** Where it is in the spec. */
  readonly path: string;
}

/** An attribute set (a subset lists the parent's attributes it keeps). */
export interface AttrSetDef {
  /** The YNL name. */
  readonly name: string;
  /** Attributes in order. */
  readonly attrs: readonly AttrDef[];
  /** The set this one is a subset of. */
  readonly subsetOf?: string;
  /** The C name prefix of its attributes (`name-prefix`), when the spec gives one. */
  readonly namePrefix?: string;
  /** Where it is in the spec. */
  readonly path: string;
}

/** One format of a sub-message. */
export interface FormatDef {
  /** The attribute number. */
  readonly value: string;
  /** Name of the fixed header struct. */
  readonly fixedHeader?: string;
  /** Name of the attribute set. */
  readonly attrSet?: string;
  /** Where it is in the spec. */
  readonly path: string;
}

/** A sub-message definition. */
export interface SubMessageDef {
  /** The YNL name. */
  readonly name: string;
  /** Formats in order. */
  readonly formats: readonly FormatDef[];
  /** Where it is in the spec. */
  readonly path: string;
}

/** The request or reply of one mode of an operation. */
export interface MessageDef {
  /** Attribute names the message lists (undefined: the spec gives no list). */
  readonly attributes?: readonly string[];
}

/** One operation, with its message numbers in both directions. */
export interface OpDef {
  /** The YNL name. */
  readonly name: string;
  /** Where it is in the spec. */
  readonly path: string;
  /** Name of the attribute set. */
  readonly attrSet?: string;
  /** Name of the fixed header struct. */
  readonly fixedHeader?: string;
  /** Message number user -> kernel (undefined for notifications). */
  readonly reqValue?: number;
  /** Message number kernel -> user (undefined when the operation has no reply). */
  readonly rspValue?: number;
  /** The do mode. */
  readonly do?: { readonly request?: MessageDef; readonly reply?: MessageDef };
  /** The dump mode. */
  readonly dump?: { readonly request?: MessageDef; readonly reply?: MessageDef };
  /** For a notification: the operation whose reply it shares. */
  readonly notify?: string;
  /** For an event: the attributes it carries. */
  readonly event?: MessageDef;
  /** The multicast group it goes to. */
  readonly mcgrp?: string;
}

/** A normalised YNL spec. */
export interface SpecModel {
  /** Where it came from (a path, "<text>" or "<object>"). */
  readonly file: string;
  /** The YNL name. */
  readonly name: string;
  /** The schema: genetlink, genetlink-c, genetlink-legacy or netlink-raw. */
  readonly protocol: "genetlink" | "genetlink-c" | "genetlink-legacy" | "netlink-raw";
  /** The netlink protocol number (netlink-raw). */
  readonly protonum?: number;
  /** The generic netlink version (default 1). */
  readonly version: number;
  /** The SPDX licence line. */
  readonly license?: string;
  /** Enum and flags definitions by name. */
  readonly enums: ReadonlyMap<string, EnumDef>;
  /** Constants by name. */
  readonly consts: ReadonlyMap<string, number | string>;
  /** Struct definitions by name. */
  readonly structs: ReadonlyMap<string, StructDef>;
  /** Attribute sets by name. */
  readonly attrSets: ReadonlyMap<string, AttrSetDef>;
  /** Sub-message definitions by name. */
  readonly subMessages: ReadonlyMap<string, SubMessageDef>;
  /** How operations are numbered. */
  readonly enumModel: "unified" | "directional";
  /** The C name prefix of the operations (`operations.name-prefix`), when given. */
  readonly opNamePrefix?: string;
  /** The C name prefix of notifications (`operations.async-prefix`), when given. */
  readonly asyncPrefix?: string;
  /** Name of the fixed header struct. */
  readonly fixedHeader?: string;
  /** Operations in order. */
  readonly ops: readonly OpDef[];
  /** Multicast groups (netlink-raw: with their numbers). */
  readonly mcastGroups: readonly { readonly name: string; readonly value?: number }[];
  /**
   * Inconsistencies the reader worked around (an operation listing an attribute its set does
   * not have, a subset listing one twice): the kernel's own tools ignore them too.
   */
  readonly warnings: readonly string[];
}

type Obj = Record<string, unknown>;

// Keys of every schema (genetlink, -c, -legacy, netlink-raw) per kind of object. Keys that
// only steer C code generation or documentation are accepted and ignored.
const KEYS = {
  top: [
    "name",
    "doc",
    "protocol",
    "protonum",
    "uapi-header",
    "c-family-name",
    "c-version-name",
    "max-by-define",
    "cmd-max-name",
    "cmd-cnt-name",
    "kernel-policy",
    "version",
    "definitions",
    "attribute-sets",
    "sub-messages",
    "operations",
    "mcast-groups",
    "kernel-family",
  ],
  definition: [
    "name",
    "header",
    "scope",
    "type",
    "doc",
    "value",
    "value-start",
    "entries",
    "render-max",
    "enum-name",
    "name-prefix",
    "members",
    "enum-cnt-name",
  ],
  entry: ["name", "value", "doc"],
  member: [
    "name",
    "type",
    "len",
    "byte-order",
    "doc",
    "enum",
    "enum-as-flags",
    "display-hint",
    "struct",
  ],
  set: [
    "name",
    "name-prefix",
    "enum-name",
    "doc",
    "subset-of",
    "attr-cnt-name",
    "attr-max-name",
    "attributes",
    "header",
  ],
  attr: [
    "name",
    "type",
    "doc",
    "value",
    "type-value",
    "byte-order",
    "multi-attr",
    "nested-attributes",
    "enum",
    "enum-as-flags",
    "checks",
    "sub-type",
    "display-hint",
    "name-prefix",
    "struct",
    "sub-message",
    "selector",
  ],
  checks: ["flags-mask", "min", "max", "min-len", "max-len", "exact-len", "unterminated-ok"],
  subMessage: ["name", "formats"],
  format: ["value", "fixed-header", "attribute-set"],
  // fallback-attrs and transparent: options of a Rust generator some vendored specs carry;
  // they do not change the wire format.
  operations: [
    "enum-model",
    "name-prefix",
    "enum-name",
    "async-prefix",
    "async-enum",
    "fixed-header",
    "list",
    "fallback-attrs",
    "transparent",
  ],
  op: [
    "name",
    "doc",
    "value",
    "attribute-set",
    "flags",
    "dont-validate",
    "config-cond",
    "fixed-header",
    "do",
    "dump",
    "notify",
    "event",
    "mcgrp",
  ],
  mode: ["request", "reply", "pre", "post"],
  message: ["attributes", "value"],
  event: ["attributes"],
  mcastGroups: ["list"],
  mcastGroup: ["name", "c-define-name", "flags", "value"],
  kernelFamily: ["headers", "sock-priv"],
} as const;

const ATTR_TYPES = new Set([
  "unused",
  "pad",
  "flag",
  "binary",
  "bitfield32",
  "u8",
  "u16",
  "u32",
  "u64",
  "s8",
  "s16",
  "s32",
  "s64",
  "uint",
  "sint",
  "string",
  "nest",
  "indexed-array",
  "nest-type-value",
  "sub-message",
]);
const MEMBER_TYPES = new Set([
  "u8",
  "u16",
  "u32",
  "u64",
  "s8",
  "s16",
  "s32",
  "s64",
  "string",
  "binary",
  "pad",
]);
const HINTS = new Set([
  "hex",
  "mac",
  "fddi",
  "ipv4",
  "ipv6",
  "uuid",
  "ipv4-or-v6",
  "sockaddr_in-or-sockaddr_in6",
]);
const PROTOCOLS = new Set(["genetlink", "genetlink-c", "genetlink-legacy", "netlink-raw"]);

const LIMITS: Record<string, bigint> = {
  "u8-min": 0n,
  "u8-max": 0xffn,
  "u16-min": 0n,
  "u16-max": 0xffffn,
  "u32-min": 0n,
  "u32-max": 0xffff_ffffn,
  "u64-min": 0n,
  "u64-max": 0xffff_ffff_ffff_ffffn,
  "s8-min": -0x80n,
  "s8-max": 0x7fn,
  "s16-min": -0x8000n,
  "s16-max": 0x7fffn,
  "s32-min": -0x8000_0000n,
  "s32-max": 0x7fff_ffffn,
  "s64-min": -0x8000_0000_0000_0000n,
  "s64-max": 0x7fff_ffff_ffff_ffffn,
};

/** The key lists of KEYS as sets (looked up once per key of every mapping of a spec). */
const keySets = new WeakMap<readonly string[], ReadonlySet<string>>();

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, detail: string): never {
    throw new YnlSpecError(this.file, path, detail);
  }

  obj(v: unknown, path: string, keys: readonly string[]): Obj {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      this.fail(path, `expected a mapping, got ${show(v)}`);
    }
    let known = keySets.get(keys);
    if (known === undefined) keySets.set(keys, known = new Set(keys));
    for (const k of Object.keys(v)) {
      if (!known.has(k)) this.fail(join(path, k), `unsupported key "${k}"`);
    }
    return v as Obj;
  }

  list(v: unknown, path: string, optional = false): unknown[] {
    if ((v === undefined || v === null) && optional) return [];
    if (!Array.isArray(v)) this.fail(path, `expected a list, got ${show(v)}`);
    return v;
  }

  str(o: Obj, key: string, path: string): string;
  str(o: Obj, key: string, path: string, optional: true): string | undefined;
  str(o: Obj, key: string, path: string, optional = false): string | undefined {
    const v = o[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== "string" || v === "") {
      this.fail(join(path, key), v === undefined ? "missing" : `expected a name, got ${show(v)}`);
    }
    return v;
  }

  int(o: Obj, key: string, path: string, optional = true): number | undefined {
    const v = coreScalar(o[key]);
    if (v === undefined && optional) return undefined;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      this.fail(
        join(path, key),
        v === undefined ? "missing" : `expected a non-negative integer, got ${show(v)}`,
      );
    }
    return v;
  }

  bool(o: Obj, key: string, path: string): boolean {
    const v = coreScalar(o[key]);
    if (v === undefined) return false;
    if (typeof v !== "boolean") {
      this.fail(join(path, key), `expected true or false, got ${show(v)}`);
    }
    return v;
  }

  names(v: unknown, path: string): string[] {
    return this.list(v, path, true).map((n, i) => {
      if (typeof n !== "string" || n === "") {
        this.fail(`${path}[${i}]`, `expected a name, got ${show(n)}`);
      }
      return n;
    });
  }
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/**
 * Checks and normalises a parsed YNL spec (the object YAML gives). `file` names it in errors.
 *
 * @example
 * ```ts
 * import { readSpecModel } from "@nlts/netlink/ynl";
 * const m = readSpecModel({
 *   name: "demo",
 *   doc: "A demo family.",
 *   "attribute-sets": [{ name: "main", attributes: [{ name: "id", type: "u32" }] }],
 *   operations: { list: [{ name: "get", doc: "Get.", "attribute-set": "main", do: {} }] },
 * });
 * console.log(m.attrSets.get("main")?.attrs[0].value); // 1
 * ```
 */
export function readSpecModel(doc: unknown, file = "<object>"): SpecModel {
  if (typeof file !== "string") {
    throw new TypeError(`Cannot read spec: file must be a string, not ${describeValue(file)}`);
  }
  const r: Reader = new Reader(file);
  const top = r.obj(doc, "", KEYS.top);
  const name = r.str(top, "name", "");
  if (typeof top.doc !== "string") {
    r.fail("doc", top.doc === undefined ? "missing" : "expected text");
  }
  const protocol = (top.protocol ?? "genetlink") as SpecModel["protocol"];
  if (typeof protocol !== "string" || !PROTOCOLS.has(protocol)) {
    r.fail(
      "protocol",
      `unknown protocol ${
        show(top.protocol)
      } (genetlink, genetlink-c, genetlink-legacy or netlink-raw)`,
    );
  }
  const protonum = r.int(top, "protonum", "");
  if (protocol === "netlink-raw" && protonum === undefined) {
    r.fail("protonum", "missing (netlink-raw needs it)");
  }
  if (protocol !== "netlink-raw" && protonum !== undefined) {
    r.fail("protonum", `only netlink-raw specs have a protocol number`);
  }
  const version = r.int(top, "version", "") ?? 1;
  if (top["kernel-family"] !== undefined) {
    r.obj(top["kernel-family"], "kernel-family", KEYS.kernelFamily);
  }

  const warnings: string[] = [];
  // definitions
  const enums = new Map<string, EnumDef>();
  const consts = new Map<string, number | string>();
  const structs = new Map<string, StructDef>();
  const defNames = new Set<string>();
  r.list(top.definitions, "definitions", true).forEach((d, i) => {
    const path = `definitions[${i}]`;
    const o = r.obj(d, path, KEYS.definition);
    const dname = r.str(o, "name", path);
    if (defNames.has(dname)) r.fail(join(path, "name"), `"${dname}" is defined twice`);
    defNames.add(dname);
    const type = r.str(o, "type", path);
    if (type === "const") {
      const v = coreScalar(o.value);
      if (typeof v !== "number" && typeof v !== "string") {
        r.fail(join(path, "value"), `expected a number, got ${show(v)}`);
      }
      consts.set(dname, v);
      // checks may name the constant by its C spelling: name-prefix + name
      const prefix = r.str(o, "name-prefix", path, true);
      if (prefix !== undefined && !consts.has(prefix + dname)) consts.set(prefix + dname, v);
      if (!consts.has(`${name}-${dname}`)) consts.set(`${name}-${dname}`, v);
    } else if (type === "enum" || type === "flags") {
      let start = 0;
      if (o["value-start"] !== undefined) {
        const vs = coreScalar(o["value-start"]);
        if (typeof vs !== "number" || !Number.isSafeInteger(vs)) {
          r.fail(join(path, "value-start"), `expected an integer, got ${show(vs)}`);
        }
        start = vs;
      }
      const entries: { name: string; value: number }[] = [];
      let next = start;
      const seen = new Set<string>();
      r.list(o.entries, join(path, "entries"), true).forEach((e, j) => {
        const ep = `${path}.entries[${j}]`;
        let ename: string;
        let value = next;
        if (typeof e === "string") ename = e;
        else {
          const eo = r.obj(e, ep, KEYS.entry);
          ename = r.str(eo, "name", ep);
          const v = coreScalar(eo.value);
          if (v !== undefined) {
            if (typeof v !== "number" || !Number.isSafeInteger(v)) {
              r.fail(join(ep, "value"), `expected an integer, got ${show(v)}`);
            }
            value = v;
          }
        }
        if (seen.has(ename)) r.fail(ep, `entry "${ename}" appears twice`);
        seen.add(ename);
        if (type === "flags" && (value < 0 || value > 63)) {
          r.fail(ep, `flag bit ${value} is not 0..63`);
        }
        entries.push({ name: ename, value });
        next = value + 1;
      });
      const namePrefix = r.str(o, "name-prefix", path, true);
      enums.set(dname, {
        kind: type,
        name: dname,
        entries,
        ...(namePrefix !== undefined ? { namePrefix } : {}),
        path,
      });
    } else if (type === "struct") {
      const members = r.list(o.members, join(path, "members")).map((m, j) => {
        const mp = `${path}.members[${j}]`;
        const mo = r.obj(m, mp, KEYS.member);
        const mtype = r.str(mo, "type", mp);
        if (!MEMBER_TYPES.has(mtype)) r.fail(join(mp, "type"), `unknown member type "${mtype}"`);
        const hint = r.str(mo, "display-hint", mp, true);
        if (hint !== undefined && !HINTS.has(hint)) {
          r.fail(join(mp, "display-hint"), `unknown display hint "${hint}"`);
        }
        const md: MemberDef = {
          name: r.str(mo, "name", mp),
          type: mtype,
          byteOrder: byteOrder(r, mo, mp),
          enum: r.str(mo, "enum", mp, true),
          enumAsFlags: r.bool(mo, "enum-as-flags", mp),
          displayHint: hint,
          len: lenOf(r, mo, "len", mp, consts),
          struct: r.str(mo, "struct", mp, true),
          path: mp,
        };
        if (md.type === "pad" && md.len === undefined) r.fail(mp, "a pad member needs len");
        if (md.type === "binary" && md.len === undefined && md.struct === undefined) {
          r.fail(mp, "a binary member needs len or struct");
        }
        if (md.type === "string" && md.len === undefined) r.fail(mp, "a string member needs len");
        return md;
      });
      structs.set(dname, { name: dname, members, path });
    } else {
      r.fail(
        join(path, "type"),
        `unknown definition type "${type}" (const, enum, flags or struct)`,
      );
    }
  });
  for (const s of structs.values()) {
    for (const m of s.members) {
      if (m.enum !== undefined && !enums.has(m.enum)) {
        r.fail(join(m.path, "enum"), `no enum or flags named "${m.enum}"`);
      }
      if (m.struct !== undefined && !structs.has(m.struct)) {
        r.fail(join(m.path, "struct"), `no struct named "${m.struct}"`);
      }
    }
  }
  // struct cycles make infinite structs
  const state = new Map<string, number>();
  const visit = (n: string): void => {
    const st = state.get(n);
    if (st === 2) return;
    const s = structs.get(n)!;
    if (st === 1) r.fail(s.path, `struct "${n}" contains itself`);
    state.set(n, 1);
    for (const m of s.members) if (m.struct !== undefined) visit(m.struct);
    state.set(n, 2);
  };
  for (const n of structs.keys()) visit(n);

  // attribute sets
  const rawSets = r.list(top["attribute-sets"], "attribute-sets");
  const attrSets = new Map<string, AttrSetDef>();
  const subsets: [Obj, string, string][] = [];
  rawSets.forEach((s, i) => {
    const path = `attribute-sets[${i}]`;
    const o = r.obj(s, path, KEYS.set);
    const sname = r.str(o, "name", path);
    if (attrSets.has(sname) || subsets.some(([, n]) => n === sname)) {
      r.fail(join(path, "name"), `attribute set "${sname}" is defined twice`);
    }
    if (o["subset-of"] !== undefined) {
      subsets.push([o, sname, path]);
      attrSets.set(sname, { name: sname, attrs: [], path }); // placeholder, filled below
      return;
    }
    let value = 1;
    const seen = new Set<string>();
    const attrs = r.list(o.attributes, join(path, "attributes")).map((a, j) => {
      const ap = `${path}.attributes[${j}]`;
      const ao = r.obj(a, ap, KEYS.attr);
      const aname = r.str(ao, "name", ap);
      if (seen.has(aname)) {
        r.fail(join(ap, "name"), `attribute "${aname}" appears twice in ${sname}`);
      }
      seen.add(aname);
      const v = r.int(ao, "value", ap);
      if (v !== undefined) value = v;
      if (value > 0x3fff) r.fail(ap, `attribute number ${value} is not 0..16383`);
      const def = readAttr(r, ao, ap, value, consts);
      value++;
      return def;
    });
    const namePrefix = r.str(o, "name-prefix", path, true);
    attrSets.set(sname, {
      name: sname,
      attrs,
      ...(namePrefix !== undefined ? { namePrefix } : {}),
      path,
    });
  });
  // subsets (a subset of a subset resolves through its parent)
  const resolving = new Set<string>();
  const subsetByName = new Map(subsets.map((e) => [e[1], e]));
  // a parent's attributes by name, made once (devlink has 32 subsets of one set)
  const parentIndex = new Map<AttrSetDef, Map<string, AttrDef>>();
  const resolveSubset = (sname: string): AttrSetDef => {
    const entry = subsetByName.get(sname);
    const done = attrSets.get(sname)!;
    if (entry === undefined || done.subsetOf !== undefined) return done;
    const [o, , path] = entry;
    const parentName = r.str(o, "subset-of", path);
    if (resolving.has(sname)) {
      r.fail(join(path, "subset-of"), `subset-of forms a cycle through "${sname}"`);
    }
    if (!attrSets.has(parentName)) {
      r.fail(join(path, "subset-of"), `no attribute set named "${parentName}"`);
    }
    resolving.add(sname);
    const parent = resolveSubset(parentName);
    resolving.delete(sname);
    const seen = new Set<string>();
    let byName = parentIndex.get(parent);
    if (byName === undefined) {
      parentIndex.set(parent, byName = new Map(parent.attrs.map((x) => [x.name, x])));
    }
    const attrs = r.list(o.attributes, join(path, "attributes")).map((a, j) => {
      const ap = `${path}.attributes[${j}]`;
      const ao = r.obj(a, ap, KEYS.attr);
      const aname = r.str(ao, "name", ap);
      const base = byName.get(aname);
      if (base === undefined) {
        r.fail(join(ap, "name"), `"${parentName}" has no attribute "${aname}"`);
      }
      if (seen.has(aname)) {
        warnings.push(`${ap}: "${aname}" is listed twice in ${sname} (the repeat is ignored)`);
        return undefined;
      }
      seen.add(aname);
      return base;
    }).filter((a): a is AttrDef => a !== undefined);
    const def: AttrSetDef = { name: sname, attrs, subsetOf: parentName, path };
    attrSets.set(sname, def);
    return def;
  };
  for (const [, sname] of subsets) resolveSubset(sname);

  // sub-messages
  const subMessages = new Map<string, SubMessageDef>();
  r.list(top["sub-messages"], "sub-messages", true).forEach((s, i) => {
    const path = `sub-messages[${i}]`;
    const o = r.obj(s, path, KEYS.subMessage);
    const sname = r.str(o, "name", path);
    const formats = r.list(o.formats, join(path, "formats")).map((f, j) => {
      const fp = `${path}.formats[${j}]`;
      const fo = r.obj(f, fp, KEYS.format);
      const value = coreScalar(fo.value);
      if (typeof value !== "string" && typeof value !== "number") {
        r.fail(join(fp, "value"), `expected a value, got ${show(value)}`);
      }
      const fd: FormatDef = {
        value: String(value),
        fixedHeader: r.str(fo, "fixed-header", fp, true),
        attrSet: r.str(fo, "attribute-set", fp, true),
        path: fp,
      };
      if (fd.fixedHeader !== undefined && !structs.has(fd.fixedHeader)) {
        r.fail(join(fp, "fixed-header"), `no struct named "${fd.fixedHeader}"`);
      }
      if (fd.attrSet !== undefined && !attrSets.has(fd.attrSet)) {
        r.fail(join(fp, "attribute-set"), `no attribute set named "${fd.attrSet}"`);
      }
      return fd;
    });
    subMessages.set(sname, { name: sname, formats, path });
  });

  // references of attributes
  for (const set of attrSets.values()) {
    if (set.subsetOf !== undefined) continue;
    for (const a of set.attrs) {
      if (a.nested !== undefined && !attrSets.has(a.nested)) {
        r.fail(join(a.path, "nested-attributes"), `no attribute set named "${a.nested}"`);
      }
      if (a.enum !== undefined && !enums.has(a.enum)) {
        r.fail(join(a.path, "enum"), `no enum or flags named "${a.enum}"`);
      }
      if (a.struct !== undefined && !structs.has(a.struct)) {
        r.fail(join(a.path, "struct"), `no struct named "${a.struct}"`);
      }
      if (a.type === "sub-message") {
        const sm = subMessages.get(a.subMessage!);
        if (sm === undefined) {
          r.fail(join(a.path, "sub-message"), `no sub-message named "${a.subMessage}"`);
        }
        const here = set.attrs.some((x) => x.name === a.selector);
        const anywhere = here ||
          [...attrSets.values()].some((s) => s.attrs.some((x) => x.name === a.selector));
        if (!anywhere) {
          r.fail(
            join(a.path, "selector"),
            `no attribute named "${a.selector}" to select the format`,
          );
        }
      }
    }
  }

  // operations
  const ops = readOps(r, top, attrSets, structs, warnings);
  const fixedHeader = (top.operations as Obj)["fixed-header"] as string | undefined;
  const enumModel = ((top.operations as Obj)["enum-model"] ?? "unified") as SpecModel["enumModel"];
  const opNamePrefix = r.str(top.operations as Obj, "name-prefix", "operations", true);
  const asyncPrefix = r.str(top.operations as Obj, "async-prefix", "operations", true);

  // multicast groups
  const mcastGroups: { name: string; value?: number }[] = [];
  if (top["mcast-groups"] !== undefined) {
    const mg = r.obj(top["mcast-groups"], "mcast-groups", KEYS.mcastGroups);
    r.list(mg.list, "mcast-groups.list").forEach((g, i) => {
      const gp = `mcast-groups.list[${i}]`;
      const go = r.obj(g, gp, KEYS.mcastGroup);
      const value = r.int(go, "value", gp);
      if (protocol === "netlink-raw" && value === undefined) {
        warnings.push(`${gp}: the group has no number (value): it cannot be joined`);
      }
      mcastGroups.push({ name: r.str(go, "name", gp), ...(value !== undefined ? { value } : {}) });
    });
  }
  for (const o of ops) {
    if (o.mcgrp !== undefined && !mcastGroups.some((g) => g.name === o.mcgrp)) {
      r.fail(join(o.path, "mcgrp"), `no multicast group named "${o.mcgrp}"`);
    }
  }

  return {
    file,
    name,
    protocol,
    ...(protonum !== undefined ? { protonum } : {}),
    version,
    enums,
    consts,
    structs,
    attrSets,
    subMessages,
    enumModel,
    ...(opNamePrefix !== undefined ? { opNamePrefix } : {}),
    ...(asyncPrefix !== undefined ? { asyncPrefix } : {}),
    ...(fixedHeader !== undefined ? { fixedHeader } : {}),
    ops,
    mcastGroups,
    warnings,
  };
}

function byteOrder(r: Reader, o: Obj, path: string): string | undefined {
  const b = r.str(o, "byte-order", path, true);
  if (b !== undefined && b !== "little-endian" && b !== "big-endian") {
    r.fail(join(path, "byte-order"), `expected little-endian or big-endian, got ${show(b)}`);
  }
  return b;
}

function lenOf(
  r: Reader,
  o: Obj,
  key: string,
  path: string,
  consts: ReadonlyMap<string, number | string>,
): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  return constValue(r, v, join(path, key), consts);
}

/** An integer, a const's name, or "NAME - 1". */
function constValue(
  r: Reader,
  v: unknown,
  path: string,
  consts: ReadonlyMap<string, number | string>,
  depth = 0,
): number {
  v = coreScalar(v);
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === "string") {
    const m = /^([0-9A-Za-z_-]+)( - 1)?$/.exec(v);
    if (m !== null) {
      if (/^[0-9]+$/.test(m[1])) return Number(m[1]) - (m[2] ? 1 : 0);
      const c = consts.get(m[1]);
      if (c !== undefined && depth < 8) {
        return constValue(r, c, path, consts, depth + 1) - (m[2] ? 1 : 0);
      }
      r.fail(path, `no const named "${m[1]}"`);
    }
  }
  r.fail(path, `expected a length or a const's name, got ${show(v)}`);
}

function limitValue(
  r: Reader,
  v: unknown,
  path: string,
  consts: ReadonlyMap<string, number | string>,
): number | bigint {
  v = coreScalar(v);
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string") {
    const l = LIMITS[v];
    if (l !== undefined) {
      return l >= -0x1f_ffff_ffff_ffffn && l <= 0x1f_ffff_ffff_ffffn ? Number(l) : l;
    }
    if (/^-?[0-9]+$/.test(v)) return Number(v);
  }
  return constValue(r, v, path, consts);
}

function readAttr(
  r: Reader,
  o: Obj,
  path: string,
  value: number,
  consts: ReadonlyMap<string, number | string>,
): AttrDef {
  const name = r.str(o, "name", path);
  const type = r.str(o, "type", path);
  if (!ATTR_TYPES.has(type)) r.fail(join(path, "type"), `unknown attribute type "${type}"`);
  const hint = r.str(o, "display-hint", path, true);
  if (hint !== undefined && !HINTS.has(hint)) {
    r.fail(join(path, "display-hint"), `unknown display hint "${hint}"`);
  }
  let checks: ChecksDef | undefined;
  if (o.checks !== undefined) {
    const cp = join(path, "checks");
    const co = r.obj(o.checks, cp, KEYS.checks);
    const c: { -readonly [K in keyof ChecksDef]: ChecksDef[K] } = {};
    if (co.min !== undefined) c.min = limitValue(r, co.min, join(cp, "min"), consts);
    if (co.max !== undefined) c.max = limitValue(r, co.max, join(cp, "max"), consts);
    if (co["min-len"] !== undefined) {
      c.minLen = constValue(r, co["min-len"], join(cp, "min-len"), consts);
    }
    if (co["max-len"] !== undefined) {
      c.maxLen = constValue(r, co["max-len"], join(cp, "max-len"), consts);
    }
    if (co["exact-len"] !== undefined) {
      c.exactLen = constValue(r, co["exact-len"], join(cp, "exact-len"), consts);
    }
    if (co["flags-mask"] !== undefined) c.flagsMask = r.str(co, "flags-mask", cp);
    checks = c;
  }
  const def: AttrDef = {
    name,
    value,
    type,
    subType: r.str(o, "sub-type", path, true),
    byteOrder: byteOrder(r, o, path),
    multi: r.bool(o, "multi-attr", path),
    nested: r.str(o, "nested-attributes", path, true),
    enum: r.str(o, "enum", path, true),
    enumAsFlags: r.bool(o, "enum-as-flags", path),
    displayHint: hint,
    struct: r.str(o, "struct", path, true),
    subMessage: r.str(o, "sub-message", path, true),
    selector: r.str(o, "selector", path, true),
    typeValue: o["type-value"] === undefined
      ? undefined
      : r.names(o["type-value"], join(path, "type-value")),
    checks,
    ...((o as { [NO_NESTED_FLAG]?: boolean })[NO_NESTED_FLAG] === true
      ? { nestedFlag: false as const }
      : {}),
    path,
  };
  if ((type === "nest" || type === "nest-type-value") && def.nested === undefined) {
    r.fail(path, `a ${type} attribute needs nested-attributes`);
  }
  if (type === "indexed-array") {
    if (def.subType === undefined) r.fail(path, "an indexed-array needs sub-type");
    if (def.subType === "nest" && def.nested === undefined) {
      r.fail(path, "an indexed-array of nests needs nested-attributes");
    }
  }
  if (def.subType !== undefined && !ATTR_TYPES.has(def.subType)) {
    r.fail(join(path, "sub-type"), `unknown sub-type "${def.subType}"`);
  }
  if (type === "sub-message" && (def.subMessage === undefined || def.selector === undefined)) {
    r.fail(path, "a sub-message attribute needs sub-message and selector");
  }
  if (type === "nest-type-value" && (def.typeValue === undefined || def.typeValue.length === 0)) {
    r.fail(path, "a nest-type-value attribute needs type-value");
  }
  return def;
}

function readMessage(r: Reader, v: unknown, path: string): { def: MessageDef; value?: number } {
  const o = r.obj(v ?? {}, path, KEYS.message);
  return {
    def: o.attributes === undefined
      ? {}
      : { attributes: r.names(o.attributes, join(path, "attributes")) },
    value: r.int(o, "value", path),
  };
}

function readOps(
  r: Reader,
  top: Obj,
  attrSets: ReadonlyMap<string, AttrSetDef>,
  structs: ReadonlyMap<string, StructDef>,
  warnings: string[],
): OpDef[] {
  const oo = r.obj(top.operations, "operations", KEYS.operations);
  const model = oo["enum-model"] ?? "unified";
  if (model !== "unified" && model !== "directional") {
    r.fail("operations.enum-model", `expected unified or directional, got ${show(model)}`);
  }
  const famHeader = r.str(oo, "fixed-header", "operations", true);
  if (famHeader !== undefined && !structs.has(famHeader)) {
    r.fail("operations.fixed-header", `no struct named "${famHeader}"`);
  }
  const ops: OpDef[] = [];
  let unified = 1;
  let req = 1;
  let rsp = 1;
  const names = new Set<string>();
  r.list(oo.list, "operations.list").forEach((x, i) => {
    const path = `operations.list[${i}]`;
    const o = r.obj(x, path, KEYS.op);
    const name = r.str(o, "name", path);
    if (names.has(name)) r.fail(join(path, "name"), `operation "${name}" is defined twice`);
    names.add(name);
    const attrSet = r.str(o, "attribute-set", path, true);
    if (attrSet !== undefined && !attrSets.has(attrSet)) {
      r.fail(join(path, "attribute-set"), `no attribute set named "${attrSet}"`);
    }
    const fixedHeader = r.str(o, "fixed-header", path, true) ?? famHeader;
    if (fixedHeader !== undefined && !structs.has(fixedHeader)) {
      r.fail(join(path, "fixed-header"), `no struct named "${fixedHeader}"`);
    }
    const modes: { do?: OpDef["do"]; dump?: OpDef["dump"] } = {};
    let reqV: number | undefined;
    let rspV: number | undefined;
    let hasReply = false;
    for (const mode of ["do", "dump"] as const) {
      if (o[mode] === undefined) continue;
      const mp = join(path, mode);
      const mo = r.obj(o[mode] ?? {}, mp, KEYS.mode);
      const rq = mo.request === undefined
        ? undefined
        : readMessage(r, mo.request, join(mp, "request"));
      const rp = mo.reply === undefined ? undefined : readMessage(r, mo.reply, join(mp, "reply"));
      if (rp !== undefined) hasReply = true;
      if (reqV === undefined && rq?.value !== undefined) reqV = rq.value;
      if (rspV === undefined && rp?.value !== undefined) rspV = rp.value;
      modes[mode] = {
        ...(rq !== undefined ? { request: rq.def } : {}),
        ...(rp !== undefined ? { reply: rp.def } : {}),
      };
    }
    const notify = r.str(o, "notify", path, true);
    let event: MessageDef | undefined;
    if (o.event !== undefined) {
      const eo = r.obj(o.event ?? {}, join(path, "event"), KEYS.event);
      event = eo.attributes === undefined
        ? {}
        : { attributes: r.names(eo.attributes, join(path, "event.attributes")) };
    }
    const isAsync = notify !== undefined || event !== undefined;
    const isCall = modes.do !== undefined || modes.dump !== undefined;
    if (isAsync && isCall) {
      r.fail(path, "an operation is either a call (do/dump) or a notification (notify/event)");
    }
    const explicit = r.int(o, "value", path);
    let reqValue: number | undefined;
    let rspValue: number | undefined;
    if (model === "unified") {
      if (explicit !== undefined) unified = explicit;
      if (isAsync) rspValue = unified;
      else {
        reqValue = unified;
        rspValue = unified;
      }
      unified++;
    } else if (isAsync) {
      if (explicit !== undefined) rsp = explicit;
      rspValue = rsp;
      rsp++;
    } else if (isCall) {
      if (reqV !== undefined) req = reqV;
      if (rspV !== undefined) rsp = rspV;
      reqValue = req;
      req++;
      if (hasReply) {
        rspValue = rsp;
        rsp++;
      }
    }
    if (isCall && attrSet === undefined) {
      r.fail(path, "an operation with do or dump needs attribute-set");
    }
    const op: OpDef = {
      name,
      path,
      ...(attrSet !== undefined ? { attrSet } : {}),
      ...(fixedHeader !== undefined ? { fixedHeader } : {}),
      ...(reqValue !== undefined ? { reqValue } : {}),
      ...(rspValue !== undefined ? { rspValue } : {}),
      ...modes,
      ...(notify !== undefined ? { notify } : {}),
      ...(event !== undefined ? { event } : {}),
      ...(o.mcgrp !== undefined ? { mcgrp: r.str(o, "mcgrp", path) } : {}),
    };
    ops.push(op);
  });
  // the attribute names of each set an operation lists from (a set is shared by many)
  const setNames = new Map<string, ReadonlySet<string>>();
  const namesOf = (set: string): ReadonlySet<string> => {
    let n = setNames.get(set);
    if (n === undefined) {
      setNames.set(
        set,
        n = new Set(attrSets.get(set)?.attrs.map((a) => a.name)),
      );
    }
    return n;
  };
  for (const op of ops) {
    if (op.notify !== undefined) {
      const target = ops.find((x) => x.name === op.notify);
      if (target === undefined) {
        r.fail(join(op.path, "notify"), `no operation named "${op.notify}"`);
      }
      if (target.attrSet === undefined && op.attrSet === undefined) {
        r.fail(join(op.path, "notify"), `"${op.notify}" has no attribute set to share`);
      }
    }
    if (op.event !== undefined && op.attrSet === undefined) {
      r.fail(op.path, "an event needs attribute-set");
    }
    // attribute lists name attributes of the set (or members of the fixed header)
    const known = op.attrSet === undefined ? undefined : namesOf(op.attrSet);
    const header = op.fixedHeader === undefined ? undefined : structs.get(op.fixedHeader);
    const check = (list: readonly string[] | undefined, where: string) => {
      list?.forEach((n, j) => {
        if (known?.has(n)) return;
        if (header?.members.some((m) => m.name === n)) return;
        warnings.push(
          `${op.path}.${where}.attributes[${j}]: "${op.attrSet}" has no attribute "${n}" (ignored)`,
        );
      });
    };
    check(op.do?.request?.attributes, "do.request");
    check(op.do?.reply?.attributes, "do.reply");
    check(op.dump?.request?.attributes, "dump.request");
    check(op.dump?.reply?.attributes, "dump.reply");
    check(op.event?.attributes, "event");
  }
  return ops;
}
