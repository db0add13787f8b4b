/**
 * The mapping of YNL constructs onto the schema codecs, as a small tree of `t.*` factory calls
 * (internal). The runtime builder evaluates the tree; the code generator prints it, with the
 * matching TypeScript type. One mapping, two back ends: a loaded spec and a generated module
 * describe a family identically.
 *
 * @module
 */

import type { AttrDef, EnumDef, MemberDef, SpecModel, StructDef } from "./model.ts";
import { YnlSpecError } from "./model.ts";

/** An argument of a factory call. */
export type Arg =
  | { readonly ir: IR }
  | { readonly set: string; readonly lazy: boolean }
  | { readonly struct: string }
  | { readonly enumValues: string }
  | { readonly lit: unknown }
  | { readonly structMembers: readonly MemberIR[] }
  | { readonly formats: readonly FormatIR[] };

/** A `t.<fn>(...args)` call. */
export interface IR {
  readonly fn: string;
  readonly args: readonly Arg[];
  /** The TypeScript type of the codec the call returns. */
  readonly type: string;
}

/** One member of a struct. */
export interface MemberIR {
  readonly key: string;
  readonly ir: IR;
}

/** One sub-message format: its selector value and what it holds. */
export interface FormatIR {
  readonly value: string;
  readonly header?: string;
  readonly set?: string;
}

/** A generated enum or flags object. */
export interface EnumIR {
  readonly name: string;
  readonly varName: string;
  readonly kind: "enum" | "flags";
  /** camelCase name -> value (flags: the bit mask). */
  readonly values: readonly (readonly [string, number | bigint])[];
}

/** A struct definition. */
export interface StructIR {
  readonly name: string;
  readonly varName: string;
  readonly members: readonly MemberIR[];
  readonly type: string;
}

/** One attribute of a set. */
export interface FieldIR {
  readonly key: string;
  readonly name: string;
  readonly value: number;
  readonly ir: IR;
}

/** An attribute set. */
export interface SetIR {
  readonly name: string;
  readonly varName: string;
  readonly fields: readonly FieldIR[];
  /** Whether a sub-message is reachable from the set through its nests (or is one of its own). */
  readonly subMessages: boolean;
  /** For YNL subsets: the parent set (picked from it). */
  readonly subsetOf?: string;
}

/**
 * Nests (`family set attribute`) whose decoded objects are shared and frozen
 * (`t.nest(set, { shared: true })`): sets of numbers, strings, flags and such nests that one
 * dump repeats many times over, where a decoded object per occurrence is most of the decoding
 * cost. YNL has no key for it. ethtool's bitsets: a features dump of 1,001 devices carries 4,004
 * bit lists (`bits`, 18 distinct) of ~115,000 `{ index, name, value }` nests (91 distinct).
 */
const SHARED_NESTS: ReadonlySet<string> = new Set([
  "ethtool bitset-bits bit",
  "ethtool bitset bits",
]);

/** The whole family, in declaration order (dependencies first). */
export interface FamilyIR {
  readonly model: SpecModel;
  readonly varName: string;
  readonly enums: readonly EnumIR[];
  readonly structs: readonly StructIR[];
  readonly sets: readonly SetIR[];
  /** The structs' names, in the order of `structs`. */
  readonly structNames: readonly string[];
  /** The IR of struct `name` (built at the first call when the IR is lazy). */
  structIR(name: string): StructIR;
  /** The attribute sets' names, in the order of `sets`. */
  readonly setNames: readonly string[];
  /** The IR of attribute set `name` (built at the first call when the IR is lazy). */
  setIR(name: string): SetIR;
  /** Whether a sub-message is reachable from set `name` (its IR's `subMessages`, unbuilt). */
  reachesSubMessage(name: string): boolean;
}

/** Names already converted by {@link camel} (a spec repeats its names across sets). */
const camels = new Map<string, string>();

/** `rx-otherhost-dropped` -> `rxOtherhostDropped`; `labels mask` -> `labelsMask`. */
export function camel(name: string): string {
  let c = camels.get(name);
  if (c === undefined) {
    c = name.replace(/[-_ ]+([A-Za-z0-9])/g, (_, x: string) => x.toUpperCase()).replace(
      /[-_ ]+$/,
      "",
    );
    if (camels.size < 10000) camels.set(name, c);
  }
  return c;
}

/** `familyName` -> `family-name` (as the schema does for error paths). */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}

/** A valid identifier from a YNL name (`6rd` -> `_6rd`). */
export function ident(name: string): string {
  const c = camel(name).replace(/[^A-Za-z0-9_$]/g, "_");
  return /^[0-9]/.test(c) ? `_${c}` : c;
}

const NUM = "FixedCodec<number>";
const BIG = "FixedCodec<bigint, bigint | number>";
const VAR = "Codec<bigint, bigint | number>";

function call(fn: string, type: string, ...args: Arg[]): IR {
  return { fn, args, type };
}

function intFn(type: string, byteOrder: string | undefined): string {
  const be = byteOrder === "big-endian";
  if (!be || type === "u8" || type === "s8") return type;
  return `${type}be`;
}

function isBig(type: string): boolean {
  return type === "u64" || type === "s64" || type === "uint" || type === "sint";
}

function strLit(s: string): string {
  return JSON.stringify(s);
}

/**
 * Builds the IR of a family from its model; with `lazy`, an attribute set's or a struct's IR
 * is built at its first `setIR(name)` / `structIR(name)` (or `sets` / `structs`), and its
 * attributes or members are checked then (a spec the IR cannot map raises its YnlSpecError
 * when the set or struct is first used, not here).
 */
export function familyIR(
  model: SpecModel,
  options: { lazy?: boolean } = {},
): FamilyIR {
  const fail = (path: string, detail: string): never => {
    throw new YnlSpecError(model.file, path, detail);
  };
  const used = new Set<string>();
  const varName = (base: string): string => {
    let n = base;
    for (let i = 2; used.has(n); i++) n = `${base}${i}`;
    used.add(n);
    return n;
  };
  const famVar = varName(ident(model.name));

  // enums
  const enums = new Map<string, EnumIR>();
  for (const e of model.enums.values()) {
    const values: [string, number | bigint][] = [];
    const keys = new Set<string>();
    for (const en of e.entries) {
      let k = camel(en.name);
      while (keys.has(k)) k += "_";
      keys.add(k);
      const v = e.kind === "flags"
        ? (en.value > 30 ? 1n << BigInt(en.value) : 2 ** en.value)
        : en.value;
      values.push([k, v]);
    }
    enums.set(e.name, {
      name: e.name,
      varName: varName(`${ident(e.name)}Values`),
      kind: e.kind,
      values,
    });
  }

  /** The values of `e` as flags (enum-as-flags: 1 << value). */
  const flagValues = (e: EnumDef, path: string): string => {
    if (e.kind === "flags") return enums.get(e.name)!.varName;
    // enum-as-flags over an enum: a derived object, printed inline
    for (const en of e.entries) {
      if (en.value < 0 || en.value > 63) {
        fail(path, `enum-as-flags value ${en.value} of ${e.name} is not a bit 0..63`);
      }
    }
    return enums.get(e.name)!.varName;
  };

  const enumTypes = new Map<EnumIR, string>();
  const enumType = (e: EnumIR): string => {
    let t = enumTypes.get(e);
    if (t === undefined) {
      t = e.values.length === 0 ? "never" : e.values.map(([k]) => strLit(k)).join(" | ");
      enumTypes.set(e, t);
    }
    return t;
  };

  /** What an enum or flags attribute of `baseType` over `enumName` cannot be (YnlSpecError). */
  const enumChecks = (baseType: string, enumName: string, asFlags: boolean, path: string) => {
    const def = model.enums.get(enumName)!;
    if (def.kind !== "flags" && !asFlags) return;
    flagValues(def, path);
    if (def.kind === "flags" && !isBig(baseType)) {
      for (const [, v] of enums.get(enumName)!.values) {
        if (BigInt(v) > 0xffff_ffffn) fail(path, `flag value ${v} does not fit in ${baseType}`);
      }
    }
  };

  /** t.enum / t.flags over `base`. */
  const enumIR = (
    base: IR,
    baseType: string,
    enumName: string,
    asFlags: boolean,
    path: string,
  ): IR => {
    const def = model.enums.get(enumName)!;
    const e = enums.get(enumName)!;
    const big = baseType === "u64" || baseType === "s64" || baseType === "uint" ||
      baseType === "sint";
    const fixed = base.type.startsWith("Fixed");
    const D = big ? "bigint" : "number";
    const E = big ? "bigint | number" : "number";
    const names = enumType(e);
    const C = fixed ? "FixedCodec" : "Codec";
    if (def.kind === "flags" || asFlags) {
      enumChecks(baseType, enumName, asFlags, path);
      const valuesArg: Arg = def.kind === "flags" ? { enumValues: enumName } : {
        lit: Object.fromEntries(
          e.values.map(([k, v]) => [k, Number(v) > 30 ? 1n << BigInt(v) : 2 ** Number(v)]),
        ),
      };
      const type = `${C}<readonly (${names} | ${D})[], readonly (${names} | ${E})[] | ${E}>`;
      return call("flags", type, { ir: base }, valuesArg);
    }
    return call("enum", `${C}<${names} | ${D}, ${names} | ${E}>`, { ir: base }, {
      enumValues: enumName,
    });
  };

  /** The codec of a scalar of YNL type `type`. */
  const scalar = (
    type: string,
    byteOrder: string | undefined,
    checks: Record<string, unknown> | undefined,
  ): IR => {
    const fn = intFn(type, byteOrder);
    const t = type === "uint" || type === "sint" ? VAR : isBig(type) ? BIG : NUM;
    return checks === undefined ? call(fn, t) : call(fn, t, { lit: checks });
  };

  const structs = new Map<string, StructIR>();
  /** Raises the YnlSpecError struct member `m` cannot be mapped with (see checkAttr). */
  const checkMember = (m: MemberDef): void => {
    if (m.type === "string") fail(m.path, "string struct members are not supported");
    if (m.type === "pad" || m.type === "binary") return;
    if (m.displayHint === "ipv4" && m.type === "u32" && m.byteOrder === "big-endian") return;
    if (m.enum !== undefined) enumChecks(m.type, m.enum, m.enumAsFlags, m.path);
  };
  const memberIR = (m: MemberDef): IR => {
    checkMember(m);
    const path = m.path;
    switch (m.type) {
      case "pad":
        return call("pad", "PadCodec", { lit: m.len });
      case "binary": {
        if (m.struct !== undefined) {
          return { fn: "", args: [{ struct: m.struct }], type: `typeof ${structVar(m.struct)}` };
        }
        const len = m.len!;
        if (m.displayHint === "mac" && len === 6) return call("mac", "FixedCodec<string>");
        if ((m.displayHint === "ipv6" || m.displayHint === "ipv4") && len === 16) {
          return call("ipv6", "FixedCodec<string>");
        }
        if (m.displayHint === "ipv4" && len === 4) return call("ipv4", "FixedCodec<string>");
        return call("binary", "FixedCodec<Uint8Array>", { lit: { length: len } });
      }
      case "string":
        return fail(path, "string struct members are not supported");
      default: {
        if (m.displayHint === "ipv4" && m.type === "u32" && m.byteOrder === "big-endian") {
          return call("ipv4", "FixedCodec<string>");
        }
        const base = scalar(m.type, m.byteOrder, undefined);
        if (m.enum !== undefined) return enumIR(base, m.type, m.enum, m.enumAsFlags, path);
        return base;
      }
    }
  };
  const structVar = (name: string): string => {
    let s = structs.get(name);
    if (s === undefined) {
      const def: StructDef = model.structs.get(name)!;
      const keys = new Set<string>();
      const members = def.members.map((m) => {
        let key = camel(m.name);
        while (keys.has(key)) key += "_";
        keys.add(key);
        return { key, ir: memberIR(m) };
      });
      s = {
        name,
        varName: varName(`${ident(name)}Struct`),
        members,
        type: `StructCodec<{ ${
          members.map((m) => `${propKey(m.key)}: ${m.ir.type}`).join("; ")
        } }>`,
      };
      structs.set(name, s);
    }
    return s.varName;
  };
  if (!options.lazy) { for (const name of model.structs.keys()) structVar(name); }

  // attribute sets: variable names first (for references), then fields in dependency order
  const setVars = new Map<string, string>();
  for (const s of model.attrSets.values()) {
    setVars.set(s.name, varName(/-?attrs$/.test(s.name) ? ident(s.name) : `${ident(s.name)}Attrs`));
  }
  // strongly connected sets need lazy references
  const edges = new Map<string, string[]>();
  const subMsgSets = (name: string): string[] =>
    model.subMessages.get(name)!.formats.flatMap((f) => (f.attrSet ? [f.attrSet] : []));
  for (const s of model.attrSets.values()) {
    const out: string[] = [];
    for (const a of s.attrs) {
      if (a.nested !== undefined) out.push(a.nested);
      if (a.subMessage !== undefined) out.push(...subMsgSets(a.subMessage));
    }
    edges.set(s.name, out);
  }
  const order: string[] = [];
  const state = new Map<string, number>();
  const back = new Set<string>(); // "from->to" edges that close a cycle
  const visit = (n: string): void => {
    state.set(n, 1);
    for (const m of edges.get(n)!) {
      const st = state.get(m);
      if (st === 1) back.add(`${n}->${m}`);
      else if (st === undefined) visit(m);
    }
    state.set(n, 2);
    order.push(n);
  };
  for (const n of model.attrSets.keys()) if (!state.has(n)) visit(n);

  const nestIR = (from: string, to: string, noFlag = false, shared = false): IR => {
    const lazy = back.has(`${from}->${to}`);
    const options = { ...(noFlag ? { nestedFlag: false } : {}), ...(shared ? { shared } : {}) };
    return {
      fn: "nest",
      args: noFlag || shared ? [{ set: to, lazy }, { lit: options }] : [{ set: to, lazy }],
      type: lazy
        ? "Codec<DecodedAttrs<AttrFields>, EncodableAttrs<AttrFields>>"
        : `${shared ? "SharedNestOf" : "NestOf"}<typeof ${setVars.get(to)}>`,
    };
  };

  /** The selector attribute of sub-message attribute `a` (its set's, else any set's). */
  const selectorOf = (setName: string, a: AttrDef): AttrDef =>
    model.attrSets.get(setName)!.attrs.find((x) => x.name === a.selector) ??
      [...model.attrSets.values()].flatMap((s) => s.attrs).find((x) => x.name === a.selector)!;

  /**
   * Raises the YnlSpecError attribute `a` (of set `setName`) cannot be mapped with, before its
   * IR is built (a loaded family builds a set's IR, so checks it, at the set's first use).
   */
  const checkAttr = (setName: string, a: AttrDef): void => {
    const scalarChecks = (type: string) => {
      if (!/^[us](8|16|32|64|int)$/.test(type)) fail(a.path, `unsupported scalar type "${type}"`);
      if (a.displayHint === "ipv4" && type === "u32" && a.byteOrder === "big-endian") return;
      if (a.enum !== undefined) enumChecks(type, a.enum, a.enumAsFlags, a.path);
    };
    switch (a.type) {
      case "pad":
      case "flag":
      case "string":
      case "nest":
      case "nest-type-value":
      case "unused":
        return;
      case "binary":
        if (a.struct === undefined && a.subType !== undefined) {
          if (!/^[us](8|16|32|64)$/.test(a.subType)) {
            fail(`${a.path}.sub-type`, `unsupported sub-type "${a.subType}" of binary`);
          }
        }
        return;
      case "bitfield32":
        if (a.enum !== undefined) enumChecks("u32", a.enum, true, a.path);
        return;
      case "indexed-array":
        if (a.subType !== "nest" && a.subType !== "binary") scalarChecks(a.subType!);
        return;
      case "sub-message": {
        const sm = model.subMessages.get(a.subMessage!)!;
        const byEnum = selectorOf(setName, a).enum !== undefined;
        const seen = new Set<string>();
        for (const f of sm.formats) {
          const value = byEnum ? camel(f.value) : f.value;
          if (seen.has(value)) fail(f.path, `format "${f.value}" appears twice`);
          seen.add(value);
        }
        for (const f of sm.formats) {
          if (f.attrSet !== undefined && back.has(`${setName}->${f.attrSet}`)) {
            fail(
              a.path,
              `sub-message format "${
                byEnum ? camel(f.value) : f.value
              }" refers back to ${setName} (unsupported)`,
            );
          }
        }
        return;
      }
      default: {
        const mask = a.checks?.flagsMask;
        if (mask !== undefined && model.enums.get(mask) === undefined) {
          fail(`${a.path}.checks.flags-mask`, `no flags named "${mask}"`);
        }
        scalarChecks(a.type);
      }
    }
  };

  const attrIR = (setName: string, a: AttrDef): IR => {
    checkAttr(setName, a);
    const path = a.path;
    const checks = a.checks;
    const intChecks = (): Record<string, unknown> | undefined => {
      if (checks === undefined) return undefined;
      const o: Record<string, unknown> = {};
      if (checks.min !== undefined) o.min = checks.min;
      if (checks.max !== undefined) o.max = checks.max;
      if (checks.flagsMask !== undefined) {
        const e = model.enums.get(checks.flagsMask);
        if (e === undefined) {
          return fail(`${path}.checks.flags-mask`, `no flags named "${checks.flagsMask}"`);
        }
        let mask = 0n;
        for (const en of e.entries) {
          mask |= e.kind === "flags" ? 1n << BigInt(en.value) : BigInt(en.value);
        }
        o.mask = mask <= 0x1f_ffff_ffff_ffffn ? Number(mask) : mask;
      }
      return Object.keys(o).length ? o : undefined;
    };
    const lenChecks = (): Record<string, unknown> | undefined => {
      if (checks === undefined) return undefined;
      const o: Record<string, unknown> = {};
      if (checks.exactLen !== undefined) {
        o.minLength = checks.exactLen;
        o.maxLength = checks.exactLen;
      }
      if (checks.minLen !== undefined) o.minLength = checks.minLen;
      if (checks.maxLen !== undefined) o.maxLength = checks.maxLen;
      return Object.keys(o).length ? o : undefined;
    };
    let ir: IR;
    switch (a.type) {
      case "pad":
        return call("pad", "PadCodec");
      case "flag":
        ir = call("flag", "Codec<true, boolean>");
        break;
      case "string": {
        const c = lenChecks();
        ir = c ? call("string", "Codec<string>", { lit: c }) : call("string", "Codec<string>");
        break;
      }
      case "binary":
        ir = binaryIR(a, lenChecks());
        break;
      case "bitfield32":
        if (a.enum !== undefined) {
          const v = enumIR(call("u32", NUM), "u32", a.enum, true, path);
          ir = call("struct", `StructCodec<{ value: ${v.type}; selector: ${v.type} }>`, {
            lit: "nla-bitfield32",
          }, {
            structMembers: [{ key: "value", ir: v }, { key: "selector", ir: v }],
          });
        } else {
          ir = call("bitfield32", `StructCodec<{ value: ${NUM}; selector: ${NUM} }>`);
        }
        break;
      case "nest":
        ir = nestIR(
          setName,
          a.nested!,
          a.nestedFlag === false,
          SHARED_NESTS.has(`${model.name} ${setName} ${a.name}`),
        );
        break;
      case "indexed-array": {
        let inner: IR;
        const noFlag = a.nestedFlag === false;
        if (a.subType === "nest") inner = nestIR(setName, a.nested!, noFlag);
        else if (a.subType === "binary") {
          inner = binaryIR({ ...a, type: "binary", subType: undefined }, undefined);
        } else inner = scalarAttr(a.subType!, a, undefined);
        ir = noFlag
          ? call("indexedArray", `ArrayOf<${inner.type}>`, { ir: inner }, {
            lit: { nestedFlag: false },
          })
          : call("indexedArray", `ArrayOf<${inner.type}>`, { ir: inner });
        break;
      }
      case "nest-type-value": {
        let inner: IR = nestIR(setName, a.nested!);
        for (let i = 0; i < a.typeValue!.length; i++) {
          inner = call("map", `MapOf<${inner.type}>`, { ir: inner });
        }
        ir = inner;
        break;
      }
      case "sub-message": {
        const sm = model.subMessages.get(a.subMessage!)!;
        const formats: FormatIR[] = [];
        const seen = new Set<string>();
        const selector = selectorOf(setName, a);
        for (const f of sm.formats) {
          const value = selector.enum !== undefined ? camel(f.value) : f.value;
          if (seen.has(value)) fail(f.path, `format "${f.value}" appears twice`);
          seen.add(value);
          formats.push({
            value,
            ...(f.fixedHeader !== undefined ? { header: f.fixedHeader } : {}),
            ...(f.attrSet !== undefined ? { set: f.attrSet } : {}),
          });
        }
        const types = () =>
          formats.map((f) => {
            const h = f.header === undefined ? undefined : `typeof ${structVar(f.header)}`;
            const s = f.set === undefined
              ? undefined
              : back.has(`${setName}->${f.set}`)
              ? "AttrSet<AttrFields>"
              : `typeof ${setVars.get(f.set)}`;
            const t = h && s ? `{ readonly header: ${h}; readonly attrs: ${s} }` : h ?? s ?? "null";
            return `${strLit(f.value)}: ${t}`;
          });
        ir = {
          fn: "subMessage",
          args: [{ lit: camel(a.selector!) }, { formats }, { lit: { selectorName: a.selector } }],
          // made when read (by the generator): it names every format's header struct, which a
          // loaded family builds only when the format is met
          get type(): string {
            return `SubMessageOf<{ ${types().join("; ")} }>`;
          },
        };
        for (const f of formats) {
          if (f.set !== undefined && back.has(`${setName}->${f.set}`)) {
            fail(a.path, `sub-message format "${f.value}" refers back to ${setName} (unsupported)`);
          }
        }
        break;
      }
      case "unused":
        return fail(path, "internal: unused attributes have no codec");
      default:
        ir = scalarAttr(a.type, a, intChecks());
    }
    if (a.multi) ir = call("multi", `ArrayOf<${ir.type}>`, { ir });
    return ir;
  };

  const scalarAttr = (
    type: string,
    a: AttrDef,
    checks: Record<string, unknown> | undefined,
  ): IR => {
    if (!/^[us](8|16|32|64|int)$/.test(type)) fail(a.path, `unsupported scalar type "${type}"`);
    if (a.displayHint === "ipv4" && type === "u32" && a.byteOrder === "big-endian") {
      return call("ipv4", "FixedCodec<string>");
    }
    const base = scalar(type, a.byteOrder, checks);
    if (a.enum !== undefined) return enumIR(base, type, a.enum, a.enumAsFlags, a.path);
    return base;
  };

  const binaryIR = (a: AttrDef, lenChecks: Record<string, unknown> | undefined): IR => {
    if (a.struct !== undefined) {
      const v = structVar(a.struct);
      return call("extensible", `ExtensibleOf<typeof ${v}>`, {
        struct: a.struct,
      });
    }
    if (a.subType !== undefined) {
      if (!/^[us](8|16|32|64)$/.test(a.subType)) {
        fail(`${a.path}.sub-type`, `unsupported sub-type "${a.subType}" of binary`);
      }
      const elem = scalar(a.subType, a.byteOrder, undefined);
      const big = isBig(a.subType);
      return call(
        "array",
        big
          ? "Codec<bigint[], readonly (bigint | number)[]>"
          : "Codec<number[], readonly number[]>",
        { ir: elem },
      );
    }
    switch (a.displayHint) {
      case "ipv4":
      case "ipv6":
      case "ipv4-or-v6":
        return call("ip", "Codec<string>");
      case "mac":
        return call("lladdr", "Codec<string>");
    }
    return lenChecks
      ? call("binary", "Codec<Uint8Array>", { lit: lenChecks })
      : call("binary", "Codec<Uint8Array>");
  };

  // the sets from which a sub-message is reachable through nests: each set is told, so that
  // the sets it nests need not be built to find out (AttrSetOptions.subMessages)
  const reaching = new Set<string>();
  for (const s of model.attrSets.values()) {
    if (s.attrs.some((a) => a.type !== "unused" && a.subMessage !== undefined)) {
      reaching.add(s.name);
    }
  }
  for (let grew = reaching.size > 0; grew;) {
    grew = false;
    for (const s of model.attrSets.values()) {
      if (reaching.has(s.name)) continue;
      if (
        s.attrs.some((a) => a.type !== "unused" && a.nested !== undefined && reaching.has(a.nested))
      ) {
        reaching.add(s.name);
        grew = true;
      }
    }
  }

  const setIRs = new Map<string, SetIR>();
  const setIR = (name: string): SetIR => {
    let ir = setIRs.get(name);
    if (ir !== undefined) return ir;
    const s = model.attrSets.get(name)!;
    const keys = new Set<string>();
    const fields: FieldIR[] = [];
    for (const a of s.attrs) {
      if (a.type === "unused") continue;
      let key = camel(a.name);
      if (key === "unknown" || key === "__proto__") key = `${key}Attr`;
      while (keys.has(key)) key += "_";
      keys.add(key);
      fields.push({ key, name: a.name, value: a.value, ir: attrIR(name, a) });
    }
    ir = {
      name,
      varName: setVars.get(name)!,
      fields,
      subMessages: reaching.has(name),
      ...(s.subsetOf !== undefined ? { subsetOf: s.subsetOf } : {}),
    };
    setIRs.set(name, ir);
    return ir;
  };
  if (!options.lazy) { for (const name of order) setIR(name); }
  // structs in dependency order (members first)
  const structOrder: string[] = [];
  const done = new Set<string>();
  const addStruct = (n: string) => {
    if (done.has(n)) return;
    done.add(n);
    for (const m of model.structs.get(n)!.members) if (m.struct !== undefined) addStruct(m.struct);
    structOrder.push(n);
  };
  for (const n of model.structs.keys()) addStruct(n);
  const structIR = (name: string): StructIR => {
    structVar(name);
    return structs.get(name)!;
  };

  return {
    model,
    varName: famVar,
    enums: [...enums.values()],
    get structs(): readonly StructIR[] {
      return structOrder.map(structIR);
    },
    structNames: structOrder,
    structIR,
    get sets(): readonly SetIR[] {
      return order.map(setIR);
    },
    setNames: order,
    setIR,
    reachesSubMessage: (name) => reaching.has(name),
  };
}

/** An object key as TypeScript source: bare when it is an identifier. */
export function propKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}
