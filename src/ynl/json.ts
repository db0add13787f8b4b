/**
 * The kernel YNL CLI's JSON (`cli.py --output-json`) for a spec's messages, and back: YNL names
 * as keys (`dev-name`), enum and flag values by their spec names (`rx-sg`), bytes as hex
 * (or as their display hint says: mac, ipv4, ipv6, uuid, hex), fixed header members merged into
 * the message, attributes a spec does not know as `UnknownAttr(N)` (as with
 * `--process-unknown`). `nlts ynl` prints and reads this form, so its output and the kernel
 * CLI's can be compared value for value.
 *
 * @module
 */

import type { UnknownAttr } from "../protocol/schema_types.ts";
import { type FamilyIR, familyIR, type IR, type SetIR } from "./ir.ts";
import type { AttrDef, EnumDef, MemberDef, SpecModel, StructDef } from "./model.ts";

/** A JSON object of the kernel CLI's form: YNL names as keys. */
export type YnlJsonObject = Record<string, unknown>;
/** A JSON value (bigints stand for integers of any size). */
export type YnlJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | YnlJsonValue[]
  | { [key: string]: YnlJsonValue };

const NLA_F_NESTED = 0x8000;

function hex(b: Uint8Array, sep = ""): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(sep);
}

function fromHex(s: string, where: string): Uint8Array {
  const t = s.replace(/[\s:]/g, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(t)) {
    throw new TypeError(`Cannot read ${where}: expected hex bytes, got ${JSON.stringify(s)}`);
  }
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function uuid(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Attributes of unknown types as the kernel CLI shows them: nests decoded, the rest hex. */
function unknownAttrs(bytes: Uint8Array, off = 0, end = bytes.length): YnlJsonObject {
  const out: YnlJsonObject = {};
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (off + 4 <= end) {
    const len = view.getUint16(off, true);
    const type = view.getUint16(off + 2, true);
    if (len < 4 || off + len > end) break;
    const u: UnknownAttr = { type: type & 0x3fff, bytes: bytes.slice(off + 4, off + len) };
    if (type & 0xc000) u.flags = type & 0xc000;
    add(out, `UnknownAttr(${u.type})`, unknownValue(u), undefined);
    off += (len + 3) & ~3;
  }
  return out;
}

function unknownValue(u: UnknownAttr): unknown {
  return (u.flags ?? 0) & NLA_F_NESTED ? unknownAttrs(u.bytes) : hex(u.bytes);
}

/** The kernel CLI's way of adding a decoded attribute (a repeat turns a value into a list). */
function add(out: YnlJsonObject, name: string, value: unknown, multi: boolean | undefined): void {
  if (multi === undefined) {
    if (name in out && !Array.isArray(out[name])) out[name] = [out[name], value];
    else if (name in out) (out[name] as unknown[]).push(value);
    else out[name] = value;
  } else out[name] = value;
}

/**
 * Converts a family's decoded values to the kernel YNL CLI's JSON and the CLI's JSON input to
 * values nlts encodes; one per spec (build it from a loaded family's `ynl.model`).
 *
 * @example
 * ```ts
 * import { loadGenlSpec, YnlJson } from "@nlts/netlink/ynl";
 * const netdev = loadGenlSpec("netdev");
 * const json = new YnlJson(netdev.ynl.model);
 * console.log(json.fromMessage("dev", { ifindex: 1, xdpFeatures: ["basic"] }));
 * // { ifindex: 1, "xdp-features": ["basic"] }
 * ```
 */
export class YnlJson {
  readonly #model: SpecModel;
  readonly #ir: FamilyIR;
  readonly #sets = new Map<string, SetIR>();

  /** Builds the converter of a spec. */
  constructor(model: SpecModel) {
    this.#model = model;
    this.#ir = familyIR(model);
    for (const s of this.#ir.sets) this.#sets.set(s.name, s);
  }

  #set(name: string): SetIR {
    const s = this.#sets.get(name);
    if (s === undefined) throw new TypeError(`Cannot convert: no attribute set "${name}"`);
    return s;
  }

  #attrDef(set: string, name: string): AttrDef {
    return this.#model.attrSets.get(set)!.attrs.find((a) => a.name === name)!;
  }

  /** camelCase value -> spec entry name of an enum (index-aligned with the IR's values). */
  #enumNames(enumName: string): { toYnl: Map<string, string>; toCamel: Map<string, string> } {
    const def: EnumDef = this.#model.enums.get(enumName)!;
    const ir = this.#ir.enums.find((e) => e.name === enumName)!;
    const toYnl = new Map<string, string>();
    const toCamel = new Map<string, string>();
    ir.values.forEach(([k], i) => {
      toYnl.set(k, def.entries[i].name);
      toCamel.set(def.entries[i].name, k);
    });
    return { toYnl, toCamel };
  }

  /** The enum a codec IR names (t.enum/t.flags over an enum, or enum-as-flags' literal map). */
  #enumOf(x: IR, def: AttrDef | MemberDef | undefined): string | undefined {
    const a = x.args.find((y) => "enumValues" in y) as { enumValues: string } | undefined;
    return a?.enumValues ?? def?.enum;
  }

  /**
   * A decoded message as the kernel CLI prints it: the set's attributes by YNL name, then the
   * fixed header's members (`header`, decoded with struct `headerStruct`).
   */
  fromMessage(
    set: string,
    attrs: Readonly<YnlJsonObject>,
    headerStruct?: string,
    header?: Readonly<YnlJsonObject>,
  ): YnlJsonObject {
    const out = this.#fromSet(set, attrs, []);
    if (headerStruct !== undefined && header !== undefined) {
      Object.assign(out, this.#fromStruct(headerStruct, header));
    }
    return out;
  }

  #fromSet(
    setName: string,
    v: Readonly<YnlJsonObject>,
    scopes: readonly Readonly<YnlJsonObject>[],
  ): YnlJsonObject {
    const set = this.#set(setName);
    const out: YnlJsonObject = {};
    const inner = [v, ...scopes];
    for (const [key, value] of Object.entries(v)) {
      if (value === undefined) continue;
      if (key === "unknown" && Array.isArray(value)) {
        for (const u of value as UnknownAttr[]) {
          add(out, `UnknownAttr(${u.type})`, unknownValue(u), undefined);
        }
        continue;
      }
      const f = set.fields.find((x) => x.key === key);
      if (f === undefined) continue;
      const def = this.#attrDef(setName, f.name);
      out[f.name] = this.#from(f.ir, def, value, inner);
    }
    return out;
  }

  #fromStruct(name: string, v: Readonly<YnlJsonObject>): YnlJsonObject {
    const def: StructDef = this.#model.structs.get(name)!;
    const ir = this.#ir.structs.find((s) => s.name === name)!;
    const out: YnlJsonObject = {};
    ir.members.forEach((m, i) => {
      const md = def.members[i];
      if (md.type === "pad" || v[m.key] === undefined) return;
      out[md.name] = this.#from(m.ir, md, v[m.key], []);
    });
    return out;
  }

  #from(
    x: IR,
    def: AttrDef | MemberDef,
    v: unknown,
    scopes: readonly Readonly<YnlJsonObject>[],
  ): unknown {
    if (v instanceof Uint8Array && x.fn !== "binary") return hex(v); // a format-less payload
    switch (x.fn) {
      case "nest":
        return this.#fromSet((x.args[0] as { set: string }).set, v as YnlJsonObject, scopes);
      case "multi":
        return (v as unknown[]).map((e) =>
          this.#from((x.args[0] as { ir: IR }).ir, def, e, scopes)
        );
      case "indexedArray": {
        const inner = (x.args[0] as { ir: IR }).ir;
        return (v as unknown[]).map((e, i) => {
          const d = this.#from(inner, def, e, scopes);
          return inner.fn === "nest" ? { [String(i + 1)]: d } : d;
        });
      }
      case "map":
        return this.#fromMap(x, def as AttrDef, v as { key: number; value: unknown }[], scopes);
      case "enum": {
        const e = this.#enumOf(x, def);
        return typeof v === "string" && e ? this.#enumNames(e).toYnl.get(v) ?? v : v;
      }
      case "flags": {
        const e = this.#enumOf(x, def);
        const names = e ? this.#enumNames(e).toYnl : undefined;
        return (v as unknown[]).map((n) => typeof n === "string" ? names?.get(n) ?? n : n);
      }
      case "struct":
      case "bitfield32": {
        const o = v as YnlJsonObject;
        const inner = x.fn === "struct"
          ? ((x.args[1] as { structMembers: { key: string; ir: IR }[] }).structMembers[0].ir)
          : undefined;
        return {
          value: inner ? this.#from(inner, def, o.value, scopes) : o.value,
          selector: inner ? this.#from(inner, def, o.selector, scopes) : o.selector,
        };
      }
      case "extensible":
        return this.#fromStruct((x.args[0] as { struct: string }).struct, v as YnlJsonObject);
      case "":
        return this.#fromStruct((x.args[0] as { struct: string }).struct, v as YnlJsonObject);
      case "binary": {
        const b = v as Uint8Array;
        switch (def.displayHint) {
          case "hex":
            return hex(b, " ");
          case "uuid":
            return b.length === 16 ? uuid(b) : hex(b);
        }
        return hex(b);
      }
      case "subMessage":
        return this.#fromSubMessage(x, v as YnlJsonObject, scopes);
    }
    if (def.displayHint === "hex" && (typeof v === "number" || typeof v === "bigint")) {
      return `0x${v.toString(16)}`;
    }
    return v;
  }

  #fromMap(
    x: IR,
    def: AttrDef,
    entries: readonly { key: number; value: unknown }[],
    scopes: readonly Readonly<YnlJsonObject>[],
  ): unknown {
    // nest-type-value: one object per innermost entry, its type-value keys beside its attributes
    const levels = def.typeValue ?? [];
    const rows: YnlJsonObject[] = [];
    const walk = (
      ir: IR,
      es: readonly { key: number; value: unknown }[],
      depth: number,
      keys: YnlJsonObject,
    ) => {
      for (const e of es) {
        const k = { ...keys, [levels[depth] ?? `type-${depth}`]: e.key };
        const inner = (ir.args[0] as { ir: IR }).ir;
        if (inner.fn === "map") {
          walk(inner, e.value as { key: number; value: unknown }[], depth + 1, k);
        } else rows.push({ ...k, ...(this.#from(inner, def, e.value, scopes) as YnlJsonObject) });
      }
    };
    walk(x, entries, 0, {});
    return rows.length === 1 ? rows[0] : rows;
  }

  #fromSubMessage(x: IR, v: YnlJsonObject, scopes: readonly Readonly<YnlJsonObject>[]): unknown {
    const selector = (x.args[0] as { lit: string }).lit;
    const formats = (x.args[1] as { formats: { value: string; header?: string; set?: string }[] })
      .formats;
    const which = scopes.find((s) => s[selector] !== undefined)?.[selector];
    const f = formats.find((y) => y.value === which);
    if (f === undefined) return v;
    const out: YnlJsonObject = {};
    if (f.header !== undefined) Object.assign(out, this.#fromStruct(f.header, v));
    if (f.set !== undefined) {
      const attrs: YnlJsonObject = {};
      const set = this.#set(f.set);
      for (const [k, val] of Object.entries(v)) {
        if (k === "unknown" || set.fields.some((y) => y.key === k)) attrs[k] = val;
      }
      Object.assign(out, this.#fromSet(f.set, attrs, scopes));
    }
    return out;
  }

  /**
   * The kernel CLI's JSON input of a request to values nlts encodes: attributes of set `set`
   * (camelCase keys, enum names, bytes from hex) and, for an operation with a fixed header
   * (`headerStruct`), the header's members taken out of the same object.
   */
  toRequest(
    set: string,
    json: Readonly<YnlJsonObject>,
    headerStruct?: string,
  ): { attrs: YnlJsonObject; header?: YnlJsonObject } {
    const rest: YnlJsonObject = { ...json };
    let header: YnlJsonObject | undefined;
    if (headerStruct !== undefined) {
      const def = this.#model.structs.get(headerStruct)!;
      const h: YnlJsonObject = {};
      for (const m of def.members) {
        if (m.name in rest) {
          h[m.name] = rest[m.name];
          delete rest[m.name];
        }
      }
      header = this.#toStruct(headerStruct, h, `${headerStruct}`, false);
    }
    return { attrs: this.#toSet(set, rest, set, []), ...(header ? { header } : {}) };
  }

  #toSet(
    setName: string,
    j: Readonly<YnlJsonObject>,
    where: string,
    scopes: readonly Readonly<YnlJsonObject>[],
  ): YnlJsonObject {
    if (typeof j !== "object" || j === null || Array.isArray(j)) {
      throw new TypeError(`Cannot read ${where}: expected an object`);
    }
    const set = this.#set(setName);
    const out: YnlJsonObject = {};
    const inner = [out, ...scopes];
    for (const [name, value] of Object.entries(j)) {
      const f = set.fields.find((x) => x.name === name) ?? set.fields.find((x) => x.key === name);
      if (f === undefined) {
        throw new TypeError(
          `Cannot read ${where}: "${setName}" has no attribute "${name}" (attributes: ${
            set.fields.map((x) => x.name).join(", ")
          })`,
        );
      }
      out[f.key] = this.#to(
        f.ir,
        this.#attrDef(setName, f.name),
        value,
        `${where}.${f.name}`,
        inner,
      );
    }
    return out;
  }

  #toStruct(
    name: string,
    j: Readonly<YnlJsonObject>,
    where: string,
    complete = true,
  ): YnlJsonObject {
    const def = this.#model.structs.get(name)!;
    const ir = this.#ir.structs.find((s) => s.name === name)!;
    const out: YnlJsonObject = {};
    ir.members.forEach((m, i) => {
      const md = def.members[i];
      if (md.type === "pad") return;
      const v = j[md.name] ?? j[m.key];
      if (v !== undefined) out[m.key] = this.#to(m.ir, md, v, `${where}.${md.name}`, []);
      else if (complete) out[m.key] = zero(m.ir, md);
    });
    return out;
  }

  #to(
    x: IR,
    def: AttrDef | MemberDef,
    j: unknown,
    where: string,
    scopes: readonly Readonly<YnlJsonObject>[],
  ): unknown {
    switch (x.fn) {
      case "nest":
        return this.#toSet((x.args[0] as { set: string }).set, j as YnlJsonObject, where, scopes);
      case "multi":
      case "indexedArray": {
        const inner = (x.args[0] as { ir: IR }).ir;
        const list = Array.isArray(j) ? j : [j];
        return list.map((e, i) => {
          // the CLI's form of an indexed array of nests: [{ "1": {...} }, ...]
          const v = x.fn === "indexedArray" && inner.fn === "nest" && isIndexed(e)
            ? Object.values(e as YnlJsonObject)[0]
            : e;
          return this.#to(inner, def, v, `${where}[${i}]`, scopes);
        });
      }
      case "enum": {
        const e = this.#enumOf(x, def);
        return typeof j === "string" && e ? this.#enumNames(e).toCamel.get(j) ?? j : j;
      }
      case "flags": {
        const e = this.#enumOf(x, def);
        const names = e ? this.#enumNames(e).toCamel : undefined;
        const list = typeof j === "string" ? [j] : j;
        return Array.isArray(list)
          ? list.map((n) => typeof n === "string" ? names?.get(n) ?? n : n)
          : list;
      }
      case "struct":
      case "bitfield32": {
        const o = j as YnlJsonObject;
        const inner = x.fn === "struct"
          ? ((x.args[1] as { structMembers: { key: string; ir: IR }[] }).structMembers[0].ir)
          : undefined;
        return {
          value: inner ? this.#to(inner, def, o.value, `${where}.value`, scopes) : o.value,
          selector: inner
            ? this.#to(inner, def, o.selector, `${where}.selector`, scopes)
            : o.selector,
        };
      }
      case "":
      case "extensible": {
        const s = (x.args[0] as { struct: string }).struct;
        return typeof j === "string"
          ? fromHex(j, where)
          : this.#toStruct(s, j as YnlJsonObject, where);
      }
      case "binary":
      case "array":
        return typeof j === "string" ? fromHex(j, where) : j;
      case "subMessage":
        return this.#toSubMessage(x, j as YnlJsonObject, where, scopes);
    }
    if (typeof j === "string" && /^0x[0-9a-f]+$/i.test(j) && def.displayHint === "hex") {
      return BigInt(j);
    }
    return j;
  }

  #toSubMessage(
    x: IR,
    j: YnlJsonObject,
    where: string,
    scopes: readonly Readonly<YnlJsonObject>[],
  ): unknown {
    const selector = (x.args[0] as { lit: string }).lit;
    const formats = (x.args[1] as { formats: { value: string; header?: string; set?: string }[] })
      .formats;
    const which = scopes.find((s) => s[selector] !== undefined)?.[selector];
    const f = formats.find((y) => y.value === which);
    if (f === undefined) return typeof j === "string" ? fromHex(j, where) : j;
    const rest: YnlJsonObject = { ...j };
    let out: YnlJsonObject = {};
    if (f.header !== undefined) {
      const def = this.#model.structs.get(f.header)!;
      const h: YnlJsonObject = {};
      for (const m of def.members) {
        if (m.name in rest) {
          h[m.name] = rest[m.name];
          delete rest[m.name];
        }
      }
      out = this.#toStruct(f.header, h, where, false);
    }
    if (f.set !== undefined) Object.assign(out, this.#toSet(f.set, rest, where, scopes));
    return out;
  }
}

function isIndexed(e: unknown): boolean {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return false;
  const k = Object.keys(e);
  return k.length === 1 && /^\d+$/.test(k[0]);
}

/** The zero value of a struct member nobody gave (the kernel CLI writes zeros). */
function zero(x: IR, def: MemberDef): unknown {
  switch (x.fn) {
    case "binary":
      return new Uint8Array(def.len ?? 0);
    case "mac":
      return "00:00:00:00:00:00";
    case "ipv4":
      return "0.0.0.0";
    case "ipv6":
      return "::";
    case "flags":
      return [];
  }
  return /64/.test(def.type) ? 0n : 0;
}

/**
 * JSON text of a value as the kernel CLI prints it: integers of any size written out exactly
 * (bigints included), bytes as hex, one line.
 *
 * @example
 * ```ts
 * import { ynlJsonText } from "@nlts/netlink/ynl";
 * console.log(ynlJsonText({ id: 18446744073709551615n, mac: new Uint8Array([1, 2]) }));
 * // {"id": 18446744073709551615, "mac": "0102"}
 * ```
 */
export function ynlJsonText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof Uint8Array) return JSON.stringify(hex(v));
  if (Array.isArray(v)) return `[${v.map(ynlJsonText).join(", ")}]`;
  const e = Object.entries(v as YnlJsonObject).filter(([, x]) => x !== undefined);
  return `{${e.map(([k, x]) => `${JSON.stringify(k)}: ${ynlJsonText(x)}`).join(", ")}}`;
}
