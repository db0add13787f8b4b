/**
 * The runtime back end of the YNL mapping (internal): evaluates a family's IR into attribute
 * sets, structs and a {@link FamilySpec} (generic netlink) or {@link RawFamilySpec}
 * (netlink-raw) built from the ordinary `t.*` codecs.
 *
 * @module
 */

import { type AttrEntry, AttrSet } from "../protocol/schema_attrs.ts";
import * as t from "../protocol/schema_codecs.ts";
import type { NestOptions } from "../protocol/schema_codecs.ts";
import type { Codec, StructCodec } from "../protocol/schema_types.ts";
import type { EventSpec, FamilySpec, OperationSpec } from "../genl/family.ts";
import type { RawEventSpec, RawFamilySpec, RawOperationSpec } from "./raw_family.ts";
import type { Arg, FamilyIR, IR } from "./ir.ts";
import type { OpDef, SpecModel } from "./model.ts";

// deno-lint-ignore no-explicit-any
type AnySet = AttrSet<any>;
// deno-lint-ignore no-explicit-any
type AnyStruct = StructCodec<any>;
type AnyCodec = Codec<unknown, never>;

/** The runtime objects of a family. */
export interface BuiltFamily {
  readonly sets: ReadonlyMap<string, AnySet>;
  readonly structs: ReadonlyMap<string, AnyStruct>;
  readonly enums: ReadonlyMap<string, Readonly<Record<string, number | bigint>>>;
}

/**
 * A read-only map whose values are made on their first `get` (iterating makes them all, in
 * the order of `names`): a family loaded from a spec builds only the sets and structs a script
 * reaches.
 */
class LazyMap<V> implements ReadonlyMap<string, V> {
  readonly #names: readonly string[];
  readonly #known: ReadonlySet<string>;
  readonly #make: (name: string) => V;
  readonly #made = new Map<string, V>();
  #all: Map<string, V> | undefined;

  constructor(names: readonly string[], make: (name: string) => V) {
    this.#names = names;
    this.#known = new Set(names);
    this.#make = make;
  }

  get size(): number {
    return this.#names.length;
  }

  has(name: string): boolean {
    return this.#known.has(name);
  }

  get(name: string): V | undefined {
    let v = this.#made.get(name);
    if (v === undefined && this.#known.has(name)) {
      v = this.#make(name);
      this.#made.set(name, v);
    }
    return v;
  }

  /** Every value, made now, in declaration order. */
  #every(): Map<string, V> {
    if (this.#all === undefined) {
      const all = new Map<string, V>();
      for (const n of this.#names) all.set(n, this.get(n)!);
      this.#all = all;
    }
    return this.#all;
  }

  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, self?: unknown): void {
    for (const [k, v] of this.#every()) fn.call(self, v, k, this);
  }

  keys(): MapIterator<string> {
    return new Map(this.#names.map((n) => [n, 0])).keys();
  }

  values(): MapIterator<V> {
    return this.#every().values();
  }

  entries(): MapIterator<[string, V]> {
    return this.#every().entries();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.#every().entries();
  }

  get [Symbol.toStringTag](): string {
    return "Map";
  }
}

/**
 * Evaluates the IR: enums now; structs and attribute sets at their first use (a set nested in
 * another is built when a message first reaches it; sub-message formats when their selector
 * value is met).
 */
export function buildObjects(ir: FamilyIR): BuiltFamily {
  const enums = new Map<string, Record<string, number | bigint>>();
  for (const e of ir.enums) enums.set(e.name, Object.fromEntries(e.values));

  const structs: LazyMap<AnyStruct> = new LazyMap(ir.structNames, (name) => {
    const s = ir.structIR(name);
    return t.struct(
      s.name,
      Object.fromEntries(s.members.map((m) => [m.key, evalIR(m.ir)])) as never,
      { packed: true },
    );
  });
  // a set's entries are made at its first use, and the sets it nests at theirs (when a message
  // reaches them): the IR says which sets lead to a sub-message, so none is built to find out
  const sets: LazyMap<AnySet> = new LazyMap(ir.setNames, (name) => {
    return new AttrSet(name, () => {
      const spec: Record<string, AttrEntry> = {};
      for (const f of ir.setIR(name).fields) {
        // the YNL name given, so the set need not derive it from the key
        spec[f.key] = [f.value, evalIR(f.ir), { name: f.name }];
      }
      return spec;
    }, { subMessages: ir.reachesSubMessage(name) });
  });

  const evalArg = (a: Arg): unknown => {
    if ("ir" in a) return evalIR(a.ir);
    if ("set" in a) {
      const name = a.set;
      return a.lazy ? null : sets.get(name);
    }
    if ("struct" in a) return structs.get(a.struct);
    if ("enumValues" in a) return enums.get(a.enumValues);
    if ("structMembers" in a) {
      return Object.fromEntries(a.structMembers.map((m) => [m.key, evalIR(m.ir)]));
    }
    if ("formats" in a) {
      // made when the selector value is first met (SubMessageCodec takes functions)
      return Object.fromEntries(a.formats.map((f) => [f.value, () => {
        const h = f.header === undefined ? undefined : structs.get(f.header);
        const s = f.set === undefined ? undefined : sets.get(f.set);
        return h && s ? { header: h, attrs: s } : h ?? s ?? null;
      }]));
    }
    return a.lit;
  };
  const evalIR = (x: IR): AnyCodec => {
    if (x.fn === "") return evalArg(x.args[0]) as AnyCodec; // a bare struct reference
    if (x.fn === "nest") {
      const a = x.args[0] as { set: string; lazy: boolean };
      const options = x.args[1] === undefined ? undefined : evalArg(x.args[1]) as NestOptions;
      if (a.lazy) return t.lazy(() => t.nest(sets.get(a.set)!, options)) as AnyCodec;
      return t.nest(sets.get(a.set)!, options) as AnyCodec;
    }
    if (x.fn === "struct") {
      return t.struct(evalArg(x.args[0]) as string, evalArg(x.args[1]) as never, {
        packed: true,
      }) as AnyCodec;
    }
    const args = x.args.map(evalArg);
    // deno-lint-ignore no-explicit-any
    const f = (t as any)[x.fn === "enum" ? "enum" : x.fn] as (...a: unknown[]) => AnyCodec;
    return f(...args);
  };
  return { sets, structs, enums };
}

/**
 * Defines `obj[key]` as made by `make` at its first read (then a plain property): an
 * operation's sets are built when a script uses the operation.
 */
function lazyProp<T extends object>(obj: T, key: string, make: () => unknown): void {
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = make();
      Object.defineProperty(obj, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return value;
    },
  });
}

/** The camelCase keys of the attributes an operation's messages list (unknown names dropped). */
function listedKeys(set: AnySet, lists: (readonly string[] | undefined)[]): string[] | undefined {
  if (lists.every((l) => l === undefined)) return undefined;
  const keys: string[] = [];
  for (const l of lists) {
    for (const name of l ?? []) {
      const f = set.fields.find((x) => x.name === name);
      if (f !== undefined && !keys.includes(f.key) && f.codec.kind !== "pad") keys.push(f.key);
    }
  }
  return keys;
}

/**
 * Whether an operation's description names its reply's message number: when it differs from
 * the request's, and always under the directional enum model (where replies are numbered
 * apart, even when a number happens to coincide).
 */
export function hasReplyCmd(model: SpecModel, op: OpDef): op is OpDef & { rspValue: number } {
  return op.rspValue !== undefined &&
    (op.rspValue !== op.reqValue || model.enumModel === "directional");
}

/** The set a request of `op` may carry: the attributes its do/dump requests list. */
export function requestSet(op: OpDef, set: AnySet): AnySet {
  const keys = listedKeys(set, [op.do?.request?.attributes, op.dump?.request?.attributes]);
  return set.pick((keys ?? []) as never);
}

/**
 * An operation's description: cmd, request and reply sets (built at their first read), do,
 * dump, replyCmd.
 */
function opSpec(model: SpecModel, op: OpDef, built: BuiltFamily): Record<string, unknown> {
  const o: Record<string, unknown> = { cmd: op.reqValue! };
  lazyProp(o, "request", () => requestSet(op, built.sets.get(op.attrSet!)!));
  lazyProp(o, "reply", () => built.sets.get(op.attrSet!)!);
  o.do = op.do !== undefined;
  o.dump = op.dump !== undefined;
  if (hasReplyCmd(model, op)) o.replyCmd = op.rspValue;
  return o;
}

/** A notification's description: cmd and its set (built at its first read). */
function eventSpec(model: SpecModel, op: OpDef, built: BuiltFamily): Record<string, unknown> {
  const setName = op.attrSet ?? model.ops.find((x) => x.name === op.notify)!.attrSet!;
  const e: Record<string, unknown> = { cmd: op.rspValue! };
  lazyProp(e, "attrs", () => built.sets.get(setName)!);
  return e;
}

/** The family's main set: the attribute set of the first operation that has one. */
function mainSet(model: SpecModel, built: BuiltFamily): AnySet {
  const op = model.ops.find((o) => o.attrSet !== undefined);
  const name = op?.attrSet ?? model.attrSets.keys().next().value;
  return name === undefined ? new AttrSet(model.name, {}) : built.sets.get(name)!;
}

/**
 * A generic netlink family description; its main set (`attrs`, the default of operations
 * without sets of their own) is built at its first read.
 */
export function genlFamily(model: SpecModel, built: BuiltFamily): FamilySpec {
  const operations: Record<string, OperationSpec> = {};
  const events: Record<string, EventSpec> = {};
  for (const op of model.ops) {
    if (op.do !== undefined || op.dump !== undefined) {
      operations[op.name] = opSpec(model, op, built) as unknown as OperationSpec;
    } else if (op.rspValue !== undefined && (op.notify !== undefined || op.event !== undefined)) {
      events[op.name] = eventSpec(model, op, built) as unknown as EventSpec;
    }
  }
  const header = model.fixedHeader === undefined ? undefined : built.structs.get(model.fixedHeader);
  const f: Record<string, unknown> = { name: model.name, version: model.version };
  if (header !== undefined) f.header = header;
  lazyProp(f, "attrs", () => mainSet(model, built));
  f.operations = operations;
  f.events = events;
  f.mcastGroups = model.mcastGroups.map((g) => g.name);
  return f as unknown as FamilySpec;
}

/** A netlink-raw family description; its main set (`attrs`) is built at its first read. */
export function rawFamily(model: SpecModel, built: BuiltFamily): RawFamilySpec {
  const operations: Record<string, RawOperationSpec> = {};
  const events: Record<string, RawEventSpec> = {};
  for (const op of model.ops) {
    const header = op.fixedHeader === undefined ? undefined : built.structs.get(op.fixedHeader);
    if (op.do !== undefined || op.dump !== undefined) {
      const o = opSpec(model, op, built) as unknown as {
        -readonly [K in keyof RawOperationSpec]: RawOperationSpec[K];
      };
      if (header !== undefined) o.header = header;
      operations[op.name] = o;
    } else if (op.rspValue !== undefined && (op.notify !== undefined || op.event !== undefined)) {
      const e = eventSpec(model, op, built) as unknown as {
        -readonly [K in keyof RawEventSpec]: RawEventSpec[K];
      };
      if (header !== undefined) e.header = header;
      events[op.name] = e;
    }
  }
  const mcastGroups: Record<string, number> = {};
  for (const g of model.mcastGroups) if (g.value !== undefined) mcastGroups[g.name] = g.value;
  const f: Record<string, unknown> = { name: model.name, protocol: model.protonum! };
  lazyProp(f, "attrs", () => mainSet(model, built));
  f.operations = operations;
  f.events = events;
  f.mcastGroups = mcastGroups;
  return f as unknown as RawFamilySpec;
}
