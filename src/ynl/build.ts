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
import { type Arg, type FamilyIR, type IR, kebab } from "./ir.ts";
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

/** Evaluates the IR: enums, structs, sets. */
export function buildObjects(ir: FamilyIR): BuiltFamily {
  const enums = new Map<string, Record<string, number | bigint>>();
  for (const e of ir.enums) enums.set(e.name, Object.fromEntries(e.values));
  const structs = new Map<string, AnyStruct>();
  const sets = new Map<string, AnySet>();

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
      return Object.fromEntries(a.formats.map((f) => {
        const h = f.header === undefined ? undefined : structs.get(f.header);
        const s = f.set === undefined ? undefined : sets.get(f.set);
        return [f.value, h && s ? { header: h, attrs: s } : h ?? s ?? null];
      }));
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

  for (const s of ir.structs) {
    structs.set(
      s.name,
      t.struct(s.name, Object.fromEntries(s.members.map((m) => [m.key, evalIR(m.ir)])) as never, {
        packed: true,
      }),
    );
  }
  for (const s of ir.sets) {
    const spec: Record<string, AttrEntry> = {};
    for (const f of s.fields) {
      const codec = evalIR(f.ir);
      spec[f.key] = kebab(f.key) === f.name ? [f.value, codec] : [f.value, codec, { name: f.name }];
    }
    sets.set(s.name, new AttrSet(s.name, spec));
  }
  return { sets, structs, enums };
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

/** The family's main set: the attribute set of the first operation that has one. */
function mainSet(model: SpecModel, built: BuiltFamily): AnySet {
  const op = model.ops.find((o) => o.attrSet !== undefined);
  const name = op?.attrSet ?? model.attrSets.keys().next().value;
  return name === undefined ? new AttrSet(model.name, {}) : built.sets.get(name)!;
}

/** A generic netlink family description. */
export function genlFamily(model: SpecModel, built: BuiltFamily): FamilySpec {
  const operations: Record<string, OperationSpec> = {};
  const events: Record<string, EventSpec> = {};
  for (const op of model.ops) {
    if (op.do !== undefined || op.dump !== undefined) {
      const set = built.sets.get(op.attrSet!)!;
      const o: { -readonly [K in keyof OperationSpec]: OperationSpec[K] } = {
        cmd: op.reqValue!,
        request: requestSet(op, set),
        reply: set,
        do: op.do !== undefined,
        dump: op.dump !== undefined,
      };
      if (hasReplyCmd(model, op)) o.replyCmd = op.rspValue;
      operations[op.name] = o;
    } else if (op.rspValue !== undefined && (op.notify !== undefined || op.event !== undefined)) {
      const setName = op.attrSet ?? model.ops.find((x) => x.name === op.notify)!.attrSet!;
      events[op.name] = { cmd: op.rspValue, attrs: built.sets.get(setName)! };
    }
  }
  const header = model.fixedHeader === undefined ? undefined : built.structs.get(model.fixedHeader);
  return {
    name: model.name,
    version: model.version,
    ...(header !== undefined ? { header } : {}),
    attrs: mainSet(model, built),
    operations,
    events,
    mcastGroups: model.mcastGroups.map((g) => g.name),
  };
}

/** A netlink-raw family description. */
export function rawFamily(model: SpecModel, built: BuiltFamily): RawFamilySpec {
  const operations: Record<string, RawOperationSpec> = {};
  const events: Record<string, RawEventSpec> = {};
  for (const op of model.ops) {
    const header = op.fixedHeader === undefined ? undefined : built.structs.get(op.fixedHeader);
    if (op.do !== undefined || op.dump !== undefined) {
      const set = built.sets.get(op.attrSet!)!;
      const o: { -readonly [K in keyof RawOperationSpec]: RawOperationSpec[K] } = {
        cmd: op.reqValue!,
        request: requestSet(op, set),
        reply: set,
        do: op.do !== undefined,
        dump: op.dump !== undefined,
      };
      if (hasReplyCmd(model, op)) o.replyCmd = op.rspValue;
      if (header !== undefined) o.header = header;
      operations[op.name] = o;
    } else if (op.rspValue !== undefined && (op.notify !== undefined || op.event !== undefined)) {
      const setName = op.attrSet ?? model.ops.find((x) => x.name === op.notify)!.attrSet!;
      const e: { -readonly [K in keyof RawEventSpec]: RawEventSpec[K] } = {
        cmd: op.rspValue,
        attrs: built.sets.get(setName)!,
      };
      if (header !== undefined) e.header = header;
      events[op.name] = e;
    }
  }
  const mcastGroups: Record<string, number> = {};
  for (const g of model.mcastGroups) if (g.value !== undefined) mcastGroups[g.name] = g.value;
  return {
    name: model.name,
    protocol: model.protonum!,
    attrs: mainSet(model, built),
    operations,
    events,
    mcastGroups,
  };
}
