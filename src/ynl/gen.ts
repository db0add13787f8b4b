/**
 * The code generator: prints the IR of a spec (the tree of `t.*` calls {@link familyIR} builds
 * and the runtime builder evaluates) as a TypeScript module with explicit types, so a generated
 * family and a loaded one describe the same wire format. The module carries names and numbers
 * only: kernel-spelled constant objects (`NETDEV_CMD`, `NETDEV_A_DEV`, `NETDEV_XDP_ACT`), the
 * structs, the attribute sets and the family, typed as precisely as hand-written schemas.
 *
 * @module
 */

import { hasReplyCmd } from "./build.ts";
import { applyErrata } from "./errata.ts";
import {
  type Arg,
  type EnumIR,
  type FamilyIR,
  familyIR,
  type IR,
  kebab,
  propKey,
  type SetIR,
  type StructIR,
} from "./ir.ts";
import { readSpecModel, type SpecModel } from "./model.ts";
import { type LoadSpecOptions, readSpecSource } from "./spec.ts";
import { checkString } from "../protocol/_validate.ts";
import { checkSpecOptions, checkSpecSource } from "./_validate.ts";

/**
 * Options of {@link generateModule}.
 *
 * @example
 * ```ts
 * import { generateModule, type GenerateOptions } from "@nlts/netlink/ynl";
 * const options: GenerateOptions = { kernel: "6.12", schemaImport: "@nlts/netlink/protocol" };
 * const text = generateModule("netdev", options);
 * ```
 */
export interface GenerateOptions extends LoadSpecOptions {
  /**
   * The kernel version the spec belongs to, named in the module's header (default: read from
   * a `linux-doc-X.Y` path, else "unknown").
   */
  kernel?: string;
  /** Where the spec came from, named in the header (default: the spec file's base name). */
  specName?: string;
  /** Import path of the protocol schema module (default "../protocol/schema.ts"). */
  schemaImport?: string;
  /** Module specifier users import the family from, in the example (default `@nlts/netlink/families/<name>`). */
  exportPath?: string;
}

/**
 * `rt-link` -> `rt_link`: the file name of a family's generated module (and its export,
 * `@nlts/netlink/families/rt_link`).
 *
 * @example
 * ```ts
 * import { moduleName } from "@nlts/netlink/ynl";
 * console.log(moduleName("rt-link")); // "rt_link"
 * ```
 */
export function moduleName(family: string): string {
  if (family === undefined) throw new TypeError("Cannot name module: give the family name");
  checkString(family, "name module", "the family name", true);
  return family.replace(/-/g, "_");
}

const C_IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function cUpper(name: string): string {
  return name.toUpperCase().replace(/-/g, "_");
}

/** `OBJ.KEY` or `OBJ["KEY"]`. */
function member(obj: string, key: string): string {
  return C_IDENT.test(key) ? `${obj}.${key}` : `${obj}[${JSON.stringify(key)}]`;
}

/** A JavaScript literal (numbers, bigints, strings, booleans, null, arrays, plain objects). */
function lit(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(", ")}]`;
  if (typeof v === "object") {
    const e = Object.entries(v as Record<string, unknown>);
    return e.length === 0
      ? "{}"
      : `{ ${e.map(([k, x]) => `${propKey(k)}: ${lit(x)}`).join(", ")} }`;
  }
  throw new TypeError(`Cannot print ${typeof v} as a literal`);
}

/** The type of a literal (`1`, `2n`, `"x"`). */
function litType(v: number | bigint): string {
  return typeof v === "bigint" ? `${v}n` : String(v);
}

/** A kernel-spelled constant object: name, what it is, entries. */
interface ConstObject {
  readonly name: string;
  readonly doc: string;
  readonly entries: readonly (readonly [string, number | bigint])[];
}

/** The kernel's C names of a family (the YNL C generator's rules). */
function constObjects(
  model: SpecModel,
  ir: FamilyIR,
): {
  objects: ConstObject[];
  attrRef: (set: string, attr: string) => string | undefined;
  enumRef: (e: string, entry: string) => string | undefined;
  opRef: (op: string, dir: "request" | "reply") => string | undefined;
} {
  const ident = model.name.replace(/-/g, "_");
  const objects: ConstObject[] = [];
  const taken = new Set<string>();
  const objName = (prefix: string, fallback: string): string => {
    let n = cUpper(prefix).replace(/_+$/, "");
    if (!C_IDENT.test(n) || taken.has(n)) n = cUpper(fallback).replace(/_+$/, "");
    const base = n;
    for (let i = 2; taken.has(n) || !C_IDENT.test(n); i++) {
      n = `${base.replace(/^[^A-Za-z_$]/, "_")}_${i}`;
    }
    taken.add(n);
    return n;
  };
  const add = (
    prefix: string,
    fallback: string,
    doc: string,
    entries: [string, number | bigint][],
  ): { name: string; keys: Map<string, string> } => {
    const name = objName(prefix, fallback);
    const keys = new Map<string, string>();
    const out: [string, number | bigint][] = [];
    const used = new Set<string>();
    for (const [n, v] of entries) {
      let k = cUpper(n);
      while (used.has(k)) k += "_";
      used.add(k);
      keys.set(n, k);
      out.push([k, v]);
    }
    objects.push({ name, doc, entries: out });
    return { name, keys };
  };

  // enums and flags
  const enumKeys = new Map<string, { name: string; keys: Map<string, string> }>();
  for (const e of model.enums.values()) {
    const entries: [string, number | bigint][] = e.entries.map((en) => [
      en.name,
      e.kind === "flags" ? (en.value > 30 ? 1n << BigInt(en.value) : 2 ** en.value) : en.value,
    ]);
    const prefix = e.namePrefix ?? `${ident}-${e.name}-`;
    enumKeys.set(
      e.name,
      add(
        prefix,
        `${ident}-${e.name}-`,
        `${e.kind === "flags" ? "Bit values of the flags" : "Values of the enum"} "${e.name}" (\`${
          cUpper(prefix)
        }*\`).`,
        entries,
      ),
    );
  }
  // attribute sets (subsets share their parent's numbers)
  const setKeys = new Map<string, { name: string; keys: Map<string, string> }>();
  for (const s of model.attrSets.values()) {
    if (s.subsetOf !== undefined) continue;
    const fallback = s.name === model.name ? `${ident}-a-` : `${ident}-a-${s.name}-`;
    const prefix = s.namePrefix ?? fallback;
    setKeys.set(
      s.name,
      add(
        prefix,
        fallback,
        `Attribute numbers of the set "${s.name}" (\`${cUpper(prefix)}*\`).`,
        s.attrs.map((a) => [a.name, a.value]),
      ),
    );
  }
  const rootOf = (set: string): string => {
    let s = model.attrSets.get(set)!;
    while (s.subsetOf !== undefined) s = model.attrSets.get(s.subsetOf)!;
    return s.name;
  };
  // operations
  const opPrefix = model.opNamePrefix ?? `${model.name}-cmd-`;
  const asyncPrefix = model.asyncPrefix ?? opPrefix;
  const isAsync = (o: SpecModel["ops"][number]) => o.reqValue === undefined;
  const reqEntries: [string, number][] = [];
  const ntfEntries: [string, number][] = [];
  const kernelEntries: [string, number][] = [];
  const separate = asyncPrefix !== opPrefix;
  const directional = model.enumModel === "directional";
  for (const o of model.ops) {
    if (!isAsync(o)) reqEntries.push([o.name, o.reqValue!]);
    // directional: notifications are numbered with the kernel's messages (the _KERNEL object)
    else if (o.rspValue !== undefined && !directional) {
      (separate ? ntfEntries : reqEntries).push([o.name, o.rspValue]);
    }
  }
  if (directional) {
    for (const o of model.ops) {
      if (o.rspValue === undefined) continue;
      kernelEntries.push([isAsync(o) ? o.name : `${o.name}-reply`, o.rspValue]);
    }
  }
  const what = model.protocol === "netlink-raw" ? "Message types" : "Command numbers";
  const req = add(
    opPrefix,
    `${ident}-cmd-`,
    directional
      ? `${what} of requests (\`${cUpper(opPrefix)}*\`; notifications by their own number).`
      : `${what} of the operations and notifications (\`${cUpper(opPrefix)}*\`).`,
    reqEntries,
  );
  const ntf = separate && ntfEntries.length > 0
    ? add(
      asyncPrefix,
      `${ident}-ntf-`,
      `${what} of notifications (\`${cUpper(asyncPrefix)}*\`).`,
      ntfEntries,
    )
    : undefined;
  const kernel = directional && kernelEntries.length > 0
    ? add(
      `${opPrefix}kernel`,
      `${ident}-cmd-kernel`,
      `${what} of the kernel's replies (\`*_REPLY\`) and notifications.`,
      kernelEntries,
    )
    : undefined;

  void ir;
  return {
    objects,
    attrRef: (set, attr) => {
      const o = setKeys.get(rootOf(set));
      const k = o?.keys.get(attr);
      return o && k ? member(o.name, k) : undefined;
    },
    enumRef: (e, entry) => {
      const o = enumKeys.get(e);
      const k = o?.keys.get(entry);
      return o && k ? member(o.name, k) : undefined;
    },
    opRef: (op, dir) => {
      const o = model.ops.find((x) => x.name === op)!;
      if (dir === "reply") {
        if (kernel === undefined) return undefined;
        const k = kernel.keys.get(isAsync(o) ? o.name : `${o.name}-reply`);
        return k ? member(kernel.name, k) : undefined;
      }
      if (isAsync(o) && directional && kernel !== undefined) {
        const k = kernel.keys.get(o.name);
        return k ? member(kernel.name, k) : undefined;
      }
      const src = isAsync(o) && ntf ? ntf : req;
      const k = src.keys.get(o.name);
      return k ? member(src.name, k) : undefined;
    },
  };
}

/** Sets that take part in a nesting cycle: they get a named fields type. */
function cyclicSets(model: SpecModel): Set<string> {
  const edges = new Map<string, string[]>();
  for (const s of model.attrSets.values()) {
    const out: string[] = [];
    for (const a of s.attrs) {
      if (a.nested !== undefined) out.push(a.nested);
      if (a.subMessage !== undefined) {
        for (const f of model.subMessages.get(a.subMessage)!.formats) {
          if (f.attrSet !== undefined) out.push(f.attrSet);
        }
      }
    }
    edges.set(s.name, out);
  }
  // Tarjan's strongly connected components
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out = new Set<string>();
  let i = 0;
  const visit = (v: string) => {
    index.set(v, i);
    low.set(v, i);
    i++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || edges.get(v)!.includes(v)) { for (const c of comp) out.add(c); }
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * Generates the TypeScript module of a spec (a path, a name in the spec directories, YAML text or
 * an object, as for `loadSpec`): kernel-spelled constants, structs, attribute sets and the
 * family, with explicit types (JSR "no slow types"), a header naming the spec and its licence,
 * and one example. The modules under `@nlts/netlink/families/*` are its output.
 *
 * @example
 * ```ts
 * import { generateModule } from "@nlts/netlink/ynl";
 * const text = generateModule("netdev");
 * console.log(text.split("\n")[0]); // "// Generated by `nlts ynl gen` from the YNL spec netdev.yaml: do not edit."
 * ```
 */
export function generateModule(source: string | object, options: GenerateOptions = {}): string {
  const verb = "generate module";
  checkSpecSource(source, verb);
  const o = checkSpecOptions<GenerateOptions>(options, verb);
  for (const k of ["kernel", "specName", "schemaImport", "exportPath"] as const) {
    checkString(o[k], verb, k, true);
  }
  const { doc, file, license, owned } = readSpecSource(source, options);
  const fixed = applyErrata(doc, owned);
  const model = readSpecModel(fixed.doc, file);
  return printModule(model, familyIR(model), {
    ...options,
    license,
    errata: fixed.applied,
  });
}

interface PrintOptions extends GenerateOptions {
  license?: string;
  errata: readonly string[];
}

function baseName(file: string): string {
  return file.split("/").pop()!.replace(/\.gz$/, "");
}

function kernelOf(file: string): string {
  const m = /linux-doc-([0-9.]+)\//.exec(file);
  return m === null ? "unknown" : m[1];
}

/** Wraps `words` into comment lines of at most `width` characters after `prefix`. */
function wrap(text: string, prefix: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const w of text.split(" ")) {
    if (line !== "" && prefix.length + line.length + 1 + w.length > width) {
      lines.push(prefix + line);
      line = w;
    } else line = line === "" ? w : `${line} ${w}`;
  }
  if (line !== "") lines.push(prefix + line);
  return lines;
}

function printModule(model: SpecModel, ir: FamilyIR, options: PrintOptions): string {
  const raw = model.protocol === "netlink-raw";
  const consts = constObjects(model, ir);
  const cyclic = cyclicSets(model);
  const setVar = new Map(ir.sets.map((s) => [s.name, s.varName]));
  const structVar = new Map(ir.structs.map((s) => [s.name, s.varName]));
  const enumVar = new Map(ir.enums.map((e) => [e.name, e.varName]));
  // sets in a nesting cycle get named types (interfaces may refer to themselves)
  const fieldsType = new Map<string, string>();
  const cycleBase = new Map<string, string>();
  for (const s of ir.sets) {
    if (cyclic.has(s.name)) {
      const base = s.varName.replace(/Attrs$/, "");
      const pascal = `${base[0].toUpperCase()}${base.slice(1)}`;
      cycleBase.set(s.name, pascal);
      fieldsType.set(s.name, `${pascal}Fields`);
    }
  }
  const setType = (name: string): string =>
    fieldsType.has(name) ? `AttrSet<${fieldsType.get(name)}>` : `typeof ${setVar.get(name)}`;

  // ---- expressions and types of the IR
  const typeOf = (x: IR): string => {
    if (x.fn === "nest") {
      const a = x.args[0] as { set: string; lazy: boolean };
      const c = cycleBase.get(a.set);
      if (c !== undefined) return `Codec<${c}Value, ${c}Init>`;
      const shared = (x.args[1] as { lit?: { shared?: boolean } } | undefined)?.lit?.shared;
      return `${shared ? "SharedNestOf" : "NestOf"}<${setType(a.set)}>`;
    }
    if (x.fn === "subMessage") {
      const formats =
        (x.args[1] as { formats: readonly { value: string; header?: string; set?: string }[] })
          .formats;
      const ts = formats.map((f) => {
        const h = f.header === undefined ? undefined : `typeof ${structVar.get(f.header)}`;
        const s = f.set === undefined ? undefined : setType(f.set);
        const t = h && s ? `{ readonly header: ${h}; readonly attrs: ${s} }` : h ?? s ?? "null";
        return `${propKey(f.value)}: ${t}`;
      });
      return `SubMessageOf<{ ${ts.join("; ")} }>`;
    }
    // composite types carry their inner types: rebuild them from the args
    switch (x.fn) {
      case "multi":
      case "indexedArray":
        return `ArrayOf<${typeOf((x.args[0] as { ir: IR }).ir)}>`;
      case "map":
        return `MapOf<${typeOf((x.args[0] as { ir: IR }).ir)}>`;
    }
    return x.type;
  };
  const expr = (x: IR): string => {
    if (x.fn === "") return argExpr(x.args[0]);
    if (x.fn === "nest") {
      const a = x.args[0] as { set: string; lazy: boolean };
      const v = x.args[1] === undefined
        ? setVar.get(a.set)!
        : `${setVar.get(a.set)!}, ${argExpr(x.args[1])}`;
      return a.lazy ? `t.lazy(() => t.nest(${v}))` : `t.nest(${v})`;
    }
    if (x.fn === "struct") {
      return `t.struct(${argExpr(x.args[0])}, ${argExpr(x.args[1])}, { packed: true })`;
    }
    return `t.${x.fn}(${x.args.map(argExpr).join(", ")})`;
  };
  const argExpr = (a: Arg): string => {
    if ("ir" in a) return expr(a.ir);
    if ("set" in a) return setVar.get(a.set)!;
    if ("struct" in a) return structVar.get(a.struct)!;
    if ("enumValues" in a) return enumVar.get(a.enumValues)!;
    if ("structMembers" in a) {
      return `{ ${a.structMembers.map((m) => `${propKey(m.key)}: ${expr(m.ir)}`).join(", ")} }`;
    }
    if ("formats" in a) {
      return `{ ${
        a.formats.map((f) => {
          const h = f.header === undefined ? undefined : structVar.get(f.header)!;
          const s = f.set === undefined ? undefined : setVar.get(f.set)!;
          const v = h && s ? `{ header: ${h}, attrs: ${s} }` : h ?? s ?? "null";
          return `${propKey(f.value)}: ${v}`;
        }).join(", ")
      } }`;
    }
    return lit(a.lit);
  };

  // ---- the body
  const out: string[] = [];
  const emit = (...lines: string[]) => out.push(...lines);

  for (const c of consts.objects) {
    emit(`/** ${c.doc} */`);
    if (c.entries.length === 0) {
      emit(`export const ${c.name}: Record<never, never> = {};`, "");
      continue;
    }
    emit(`export const ${c.name}: {`);
    for (const [k, v] of c.entries) emit(`  readonly ${propKey(k)}: ${litType(v)};`);
    emit(`} = {`);
    for (const [k, v] of c.entries) emit(`  ${propKey(k)}: ${lit(v)},`);
    emit(`};`, "");
  }

  // codec maps of the enums: decoded names -> the kernel-spelled values
  for (const e of ir.enums) {
    if (!usedEnum(ir, e)) continue;
    const def = model.enums.get(e.name)!;
    const parts = e.values.map(([k], i) => {
      const ref = consts.enumRef(e.name, def.entries[i].name)!;
      return `${propKey(k)}: ${ref}`;
    });
    const one = `const ${e.varName} = { ${parts.join(", ")} } as const;`;
    if (one.length <= 100) emit(one, "");
    else emit(`const ${e.varName} = {`, ...parts.map((p) => `  ${p},`), `} as const;`, "");
  }

  const structDoc = (s: StructIR) => {
    const size = structSize(model, s.name);
    return `/** The struct "${s.name}" (\`struct ${
      s.name.replace(/-/g, "_")
    }\`, ${size} bytes). */`;
  };
  for (const s of ir.structs) {
    emit(structDoc(s));
    const members = s.members.map((m) => `  ${propKey(m.key)}: ${typeOf(m.ir)};`);
    emit(`export const ${s.varName}: StructCodec<{`, ...members, `}> = t.struct(`);
    emit(`  ${JSON.stringify(s.name)},`, `  {`);
    for (const m of s.members) emit(`    ${propKey(m.key)}: ${expr(m.ir)},`);
    emit(`  },`, `  { packed: true },`, `);`, "");
  }

  const printSet = (s: SetIR) => {
    const fields = s.fields.map((f) => `  ${propKey(f.key)}: ${typeOf(f.ir)};`);
    const ft = fieldsType.get(s.name);
    if (ft !== undefined) {
      const c = cycleBase.get(s.name)!;
      const data = s.fields.filter((f) => f.ir.fn !== "pad");
      emit(`/** Decoded attributes of the set "${s.name}" (it takes part in a nesting cycle). */`);
      emit(`export interface ${c}Value {`);
      const doc = (f: (typeof data)[number]) => `  /** ${f.name} (${f.value}). */`;
      for (const f of data) emit(doc(f), `  ${propKey(f.key)}?: DecodedOf<${typeOf(f.ir)}>;`);
      emit(`  /** Attributes the spec does not name. */`, `  unknown?: UnknownAttr[];`, `}`, "");
      emit(
        `/** Attributes of the set "${s.name}" to encode (it takes part in a nesting cycle). */`,
      );
      emit(`export interface ${c}Init {`);
      for (const f of data) {
        emit(doc(f), `  readonly ${propKey(f.key)}?: EncodableOf<${typeOf(f.ir)}>;`);
      }
      emit(
        `  /** Attributes the spec does not name (written back as they are). */`,
        `  readonly unknown?: readonly UnknownAttr[];`,
        `}`,
        "",
      );
      emit(`/** The codecs of the attribute set "${s.name}". */`);
      emit(`export type ${ft} = {`, ...fields, `};`, "");
    }
    const what = s.subsetOf !== undefined ? ` (a subset of "${s.subsetOf}")` : "";
    emit(`/** The attribute set "${s.name}"${what}. */`);
    const type = ft ??
      (fields.length === 0 ? "Record<never, never>" : `{\n${fields.join("\n")}\n}`);
    // the entries as a function: the set is built at its first use, not at import
    emit(
      `export const ${s.varName}: AttrSet<${type}> = attrSet(${JSON.stringify(s.name)}, () => ({`,
    );
    for (const f of s.fields) {
      const num = consts.attrRef(s.name, f.name) ?? String(f.value);
      const name = kebab(f.key) === f.name ? "" : `, { name: ${JSON.stringify(f.name)} }`;
      emit(`  ${propKey(f.key)}: [${num}, ${expr(f.ir)}${name}],`);
    }
    // whether a sub-message lies below: the sets it nests are then built only when reached
    emit(`}), { subMessages: ${s.subMessages} });`, "");
  };
  for (const s of ir.sets) printSet(s);

  // ---- the family
  const famType: string[] = [];
  const famVal: string[] = [];
  const mainSet = (() => {
    const op = model.ops.find((o) => o.attrSet !== undefined);
    return op?.attrSet ?? ir.sets[0]?.name;
  })();
  famType.push(`  readonly name: ${JSON.stringify(model.name)};`);
  famVal.push(`  name: ${JSON.stringify(model.name)},`);
  if (raw) {
    famType.push(`  readonly protocol: ${model.protonum};`);
    famVal.push(`  protocol: ${model.protonum},`);
  } else {
    famType.push(`  readonly version: ${model.version};`);
    famVal.push(`  version: ${model.version},`);
    if (model.fixedHeader !== undefined) {
      const v = structVar.get(model.fixedHeader)!;
      famType.push(`  readonly header: typeof ${v};`);
      famVal.push(`  header: ${v},`);
    }
  }
  if (mainSet !== undefined) {
    famType.push(`  readonly attrs: ${setType(mainSet)};`);
    famVal.push(`  attrs: ${setVar.get(mainSet)},`);
  } else {
    famType.push(`  readonly attrs: AttrSet<Record<never, never>>;`);
    famVal.push(`  attrs: attrSet(${JSON.stringify(model.name)}, {}),`);
  }
  const opsT: string[] = [];
  const opsV: string[] = [];
  const evT: string[] = [];
  const evV: string[] = [];
  for (const op of model.ops) {
    const header = raw && op.fixedHeader !== undefined ? structVar.get(op.fixedHeader) : undefined;
    if (op.do !== undefined || op.dump !== undefined) {
      const set = ir.sets.find((s) => s.name === op.attrSet)!;
      const keys = requestKeys(op, set);
      const cmd = consts.opRef(op.name, "request") ?? String(op.reqValue);
      const t: string[] = [`readonly cmd: ${op.reqValue}`];
      const v: string[] = [`cmd: ${cmd}`];
      if (hasReplyCmd(model, op)) {
        t.push(`readonly replyCmd: ${op.rspValue}`);
        v.push(`replyCmd: ${consts.opRef(op.name, "reply") ?? op.rspValue}`);
      }
      if (header !== undefined) {
        t.push(`readonly header: typeof ${header}`);
        v.push(`header: ${header}`);
      }
      const fieldsOf = fieldsType.get(set.name) ?? `(typeof ${set.varName})["codecs"]`;
      t.push(
        `readonly request: AttrSet<Pick<${fieldsOf}, ${
          keys.length ? keys.map((k) => JSON.stringify(k)).join(" | ") : "never"
        }>>`,
      );
      v.push(`request: ${set.varName}.pick([${keys.map((k) => JSON.stringify(k)).join(", ")}])`);
      t.push(`readonly reply: ${setType(set.name)}`);
      v.push(`reply: ${set.varName}`);
      t.push(`readonly do: ${op.do !== undefined}`, `readonly dump: ${op.dump !== undefined}`);
      v.push(`do: ${op.do !== undefined}`, `dump: ${op.dump !== undefined}`);
      opsT.push(
        `    readonly ${JSON.stringify(op.name)}: {`,
        ...t.map((x) => `      ${x};`),
        `    };`,
      );
      opsV.push(`    ${JSON.stringify(op.name)}: {`, ...v.map((x) => `      ${x},`), `    },`);
    } else if (op.rspValue !== undefined && (op.notify !== undefined || op.event !== undefined)) {
      const setName = op.attrSet ?? model.ops.find((x) => x.name === op.notify)!.attrSet!;
      const cmd = consts.opRef(op.name, "request") ?? String(op.rspValue);
      const t = [`readonly cmd: ${op.rspValue}`, `readonly attrs: ${setType(setName)}`];
      const v = [`cmd: ${cmd}`, `attrs: ${setVar.get(setName)}`];
      if (header !== undefined) {
        t.push(`readonly header: typeof ${header}`);
        v.push(`header: ${header}`);
      }
      evT.push(`    readonly ${JSON.stringify(op.name)}: { ${t.join("; ")} };`);
      evV.push(`    ${JSON.stringify(op.name)}: { ${v.join(", ")} },`);
    }
  }
  const EMPTY = "Record<never, never>";
  if (opsT.length) famType.push(`  readonly operations: {`, ...opsT, `  };`);
  else famType.push(`  readonly operations: ${EMPTY};`);
  famVal.push(...(opsV.length ? [`  operations: {`, ...opsV, `  },`] : [`  operations: {},`]));
  if (evT.length) famType.push(`  readonly events: {`, ...evT, `  };`);
  else famType.push(`  readonly events: ${EMPTY};`);
  famVal.push(...(evV.length ? [`  events: {`, ...evV, `  },`] : [`  events: {},`]));
  if (raw) {
    const groups = model.mcastGroups.filter((g) => g.value !== undefined);
    famType.push(
      groups.length
        ? `  readonly mcastGroups: { ${
          groups.map((g) => `readonly ${JSON.stringify(g.name)}: ${g.value}`).join("; ")
        } };`
        : `  readonly mcastGroups: ${EMPTY};`,
    );
    famVal.push(
      `  mcastGroups: { ${
        groups.map((g) => `${JSON.stringify(g.name)}: ${g.value}`).join(", ")
      } },`,
    );
  } else {
    const names = model.mcastGroups.map((g) => JSON.stringify(g.name)).join(", ");
    famType.push(`  readonly mcastGroups: readonly [${names}];`);
    famVal.push(`  mcastGroups: [${names}],`);
  }
  const famDoc = raw
    ? `The ${model.name} family (netlink protocol ${model.protonum}), for \`RawFamily.open\`.`
    : `The ${model.name} family, for \`GenlSocket.family\`.`;
  emit(`/** ${famDoc} */`);
  emit(`export const ${ir.varName}: {`, ...famType, `} = {`, ...famVal, `};`);

  // ---- header, imports
  const body = out.join("\n") + "\n";
  const typeNames = [
    "ArrayOf",
    "AttrSet",
    "Codec",
    "DecodedOf",
    "EncodableOf",
    "ExtensibleOf",
    "FixedCodec",
    "MapOf",
    "NestOf",
    "PadCodec",
    "SharedNestOf",
    "StructCodec",
    "SubMessageOf",
    "UnknownAttr",
  ].filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  const valueNames = ["attrSet", "t"].filter((n) =>
    new RegExp(n === "t" ? `\\bt\\.` : `\\b${n}\\(`).test(body)
  );
  const imports = [
    ...typeNames.map((n) => ({ n, type: true })),
    ...valueNames.map((n) => ({ n, type: false })),
  ]
    .sort((a, b) => a.n.localeCompare(b.n, "en", { sensitivity: "base" }) || (a.n < b.n ? -1 : 1))
    .map((x) => (x.type ? `type ${x.n}` : x.n));

  const kernel = options.kernel ?? kernelOf(model.file);
  const specName = options.specName ?? baseName(model.file);
  const mod = moduleName(model.name);
  const exportPath = options.exportPath ?? `@nlts/netlink/families/${mod}`;
  const head: string[] = [];
  head.push(`// Generated by \`nlts ynl gen\` from the YNL spec ${specName}: do not edit.`);
  head.push("/**");
  const intro = raw
    ? `The \`${model.name}\` netlink-raw family (protocol ${model.protonum}), from the kernel's YNL spec.`
    : `The \`${model.name}\` generic netlink family (${model.protocol}), from the kernel's YNL spec.`;
  head.push(...wrap(intro, " * "));
  head.push(" *");
  head.push(
    ...wrap(
      `Generated by \`nlts ynl gen\` from ${specName} (${
        /^[0-9.]+$/.test(kernel) ? `Linux ${kernel}` : kernel
      }); do not edit. The spec is available under BSD-3-Clause (its licence line: ${
        options.license ?? "none"
      }); this module carries its names and numbers only.`,
      " * ",
    ),
  );
  head.push(" *");
  const opsLine = model.ops.filter((o) => o.do !== undefined || o.dump !== undefined).map((o) => {
    const modes = [o.do !== undefined ? "do" : "", o.dump !== undefined ? "dump" : ""].filter((m) =>
      m
    )
      .join("/");
    return `${o.name} (${o.reqValue}, ${modes})`;
  });
  head.push(...wrap(`Operations: ${opsLine.join(", ")}.`, " * "));
  const evs = model.ops.filter((o) => o.reqValue === undefined && o.rspValue !== undefined).map((
    o,
  ) => `${o.name} (${o.rspValue}${o.mcgrp ? `, ${o.mcgrp}` : ""})`);
  if (evs.length) head.push(" *", ...wrap(`Notifications: ${evs.join(", ")}.`, " * "));
  if (model.mcastGroups.length) {
    head.push(
      " *",
      ...wrap(
        `Multicast groups: ${
          model.mcastGroups.map((g) => (g.value === undefined ? g.name : `${g.name} (${g.value})`))
            .join(", ")
        }.`,
        " * ",
      ),
    );
  }
  for (const e of options.errata) head.push(" *", ...wrap(`Erratum applied: ${e}.`, " * "));
  head.push(" *", " * @example", " * ```ts");
  head.push(...exampleOf(model, ir, exportPath).map((l) => ` * ${l}`));
  head.push(" * ```", " *", " * @module", " */", "");
  head.push(
    `import { ${imports.join(", ")} } from "${options.schemaImport ?? "../protocol/schema.ts"}";`,
    "",
  );
  return head.join("\n") + "\n" + body;
}

/** Whether some codec uses the enum's name map. */
function usedEnum(ir: FamilyIR, e: EnumIR): boolean {
  const uses = (x: IR): boolean =>
    x.args.some((a) =>
      ("enumValues" in a && a.enumValues === e.name) ||
      ("ir" in a && uses(a.ir)) ||
      ("structMembers" in a && a.structMembers.some((m) => uses(m.ir)))
    );
  return ir.structs.some((s) => s.members.some((m) => uses(m.ir))) ||
    ir.sets.some((s) => s.fields.some((f) => uses(f.ir)));
}

function structSize(model: SpecModel, name: string): number {
  let n = 0;
  for (const m of model.structs.get(name)!.members) {
    if (m.struct !== undefined) n += structSize(model, m.struct);
    else if (m.len !== undefined) n += m.len;
    else n += Number(/[0-9]+/.exec(m.type)![0]) / 8;
  }
  return n;
}

/** The camelCase keys an operation's request may carry (its do and dump request lists). */
function requestKeys(op: SpecModel["ops"][number], set: SetIR): string[] {
  const keys: string[] = [];
  for (const l of [op.do?.request?.attributes, op.dump?.request?.attributes]) {
    for (const name of l ?? []) {
      const f = set.fields.find((x) => x.name === name);
      if (f !== undefined && f.ir.fn !== "pad" && !keys.includes(f.key)) keys.push(f.key);
    }
  }
  return keys;
}

/**
 * Operations whose dump the example should not show although they come first: the kernel
 * refuses the dump (nftables' getcompat is nft_compat's, which has no dump: EINVAL).
 */
const NO_EXAMPLE_DUMP: Record<string, readonly string[]> = { nftables: ["getcompat"] };

/** One example per module: a dump (or a do) of its first operation that has one. */
function exampleOf(model: SpecModel, ir: FamilyIR, path: string): string[] {
  const v = ir.varName;
  const skip = NO_EXAMPLE_DUMP[model.name] ?? [];
  const dump = model.ops.find((o) => o.dump !== undefined && !skip.includes(o.name));
  const op = dump ?? model.ops.find((o) => o.do !== undefined || o.dump !== undefined);
  if (model.protocol === "netlink-raw") {
    return [
      `import { RawFamily } from "@nlts/netlink/ynl";`,
      `import { ${v} } from "${path}";`,
      `using fam = RawFamily.open(${v});`,
      dump
        ? `for (const m of fam.dumpSync(${
          JSON.stringify(dump.name)
        })) console.log(m.header, m.attrs);`
        : `console.log(Object.keys(fam.spec.operations)); // ${
          JSON.stringify(op?.name ?? "")
        }, ...`,
    ];
  }
  return [
    `import { GenlSocket } from "@nlts/netlink/genl";`,
    `import { ${v} } from "${path}";`,
    `using genl = GenlSocket.open();`,
    `const fam = genl.family(${v});`,
    dump
      ? `for (const m of fam.dumpSync(${JSON.stringify(dump.name)})) console.log(m.attrs);`
      : `console.log(Object.keys(fam.spec.operations)); // ${JSON.stringify(op?.name ?? "")}, ...`,
  ];
}
