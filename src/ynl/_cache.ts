/**
 * The spec cache (internal): what a process made of a spec file, kept as JSON so that a later
 * process loading the same file skips that work. Two kinds of entries: a spec's parsed YAML
 * (`readSpecSource`: the code generator and the CLI), and the checked model `loadSpec` reads
 * from it (errata applied, every element checked; the IR's checks run at a set's first use,
 * cached or not): a cached load skips the YAML parser, the errata and the model's checks, the
 * larger part of a first load under Deno. One
 * file per spec and kind in `$NLTS_YNL_CACHE`, else `$XDG_CACHE_HOME/nlts/ynl`, else
 * `~/.cache/nlts/ynl`; keyed by the kind, the spec's real path, size and modification time, the
 * parser and this module's versions, so that an edited or replaced spec is read again. Written
 * atomically (a temporary file renamed); a cache that cannot be read or written is ignored.
 * Under Deno it is used only where the process already has the read, write and env permissions
 * (it never prompts). `NLTS_YNL_CACHE=off` (or the loaders' `cache: false`) turns it off.
 *
 * @module
 */

import {
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { envVar } from "../ffi/_env.ts";
import type {
  AttrDef,
  AttrSetDef,
  ChecksDef,
  FormatDef,
  MemberDef,
  SpecModel,
  StructDef,
  SubMessageDef,
} from "./model.ts";

/** Bumped whenever what the cache holds changes meaning. */
const VERSION = 2;

/**
 * Bumped whenever the model of a spec changes meaning: the model reader (model.ts, with the
 * scalars it types in _core_yaml.ts), the errata (errata.ts, errata_link_kinds.ts, _marks.ts)
 * or the IR's checks (ir.ts). A test keeps a
 * fingerprint of those files and fails when they change without this number.
 */
export const MODEL_VERSION = 6;

// deno-lint-ignore no-explicit-any
const deno = (globalThis as any).Deno as
  | {
    permissions?: {
      querySync?(d: { name: string; path?: string; variable?: string }): { state: string };
    };
  }
  | undefined;

/** Whether the process may do this without asking (always outside Deno). */
function granted(name: "read" | "write" | "env", what: string): boolean {
  const query = deno?.permissions?.querySync;
  if (query === undefined) return true;
  try {
    const d = name === "env" ? { name, variable: what } : { name, path: what };
    return query.call(deno!.permissions, d).state === "granted";
  } catch {
    return false;
  }
}

function env(name: string): string | undefined {
  return granted("env", name) ? envVar(name) : undefined;
}

/**
 * The cache directory: `option` (a directory, or false for none), else `NLTS_YNL_CACHE`
 * ("off" for none), else the XDG cache location; undefined when there is none.
 */
export function specCacheDir(option: string | false | undefined): string | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return option;
  const v = env("NLTS_YNL_CACHE");
  if (v !== undefined) return v === "off" || v === "0" ? undefined : v;
  const xdg = env("XDG_CACHE_HOME");
  if (xdg !== undefined) return `${xdg}/nlts/ynl`;
  const home = env("HOME");
  return home === undefined ? undefined : `${home}/.cache/nlts/ynl`;
}

/** Which parser `parseSpecText` uses here (Bun's native one or js-yaml): part of the key. */
export const SPEC_PARSER: string =
  typeof (globalThis as { Bun?: { YAML?: { parse?: unknown } } }).Bun?.YAML?.parse === "function"
    ? "bun"
    : "js-yaml";

/** FNV-1a (32-bit) of `s`, as 8 hex digits: a short file name for a long key. */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** What an entry holds: the parsed YAML, or the checked model. */
type Kind = "doc" | "model";

/** Where the spec at `path` is cached, and the key its entry must carry. */
function entry(
  dir: string,
  path: string,
  parser: string,
  kind: Kind,
): { file: string; key: string } | null {
  if (!granted("read", path)) return null;
  try {
    const real = realpathSync(path);
    const st = statSync(real);
    const version = kind === "doc" ? `${VERSION}` : `${VERSION}.${MODEL_VERSION} model`;
    const key = `${version} ${parser} ${st.size} ${st.mtimeMs} ${real}`;
    const base = real.slice(real.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9_.-]/g, "_");
    return { file: `${dir}/${base}.${kind === "doc" ? "" : "model."}${fnv(key)}.json`, key };
  } catch {
    return null;
  }
}

/** The entry of `kind` for the spec at `path` (its JSON object), or undefined. */
function readEntry(dir: string, path: string, parser: string, kind: Kind): Obj | undefined {
  if (!granted("read", dir)) return undefined;
  const e = entry(dir, path, parser, kind);
  if (e === null) return undefined;
  try {
    const o = JSON.parse(readFileSync(e.file, "utf8"));
    if (typeof o !== "object" || o === null || o.key !== e.key) return undefined;
    return o;
  } catch {
    return undefined;
  }
}

/** Keeps `value` (with the entry's key) as the entry of `kind` for the spec at `path`. */
function writeEntry(dir: string, path: string, parser: string, kind: Kind, value: Obj): void {
  if (!granted("write", dir) || !granted("read", dir)) return;
  const e = entry(dir, path, parser, kind);
  if (e === null) return;
  const tmp = `${e.file}.${Date.now().toString(36)}${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify({ key: e.key, ...value }));
    renameSync(tmp, e.file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}

type Obj = Record<string, unknown>;

/** What the cache holds of a spec. */
export interface CachedSpec {
  readonly doc: unknown;
  readonly license?: string;
}

/** The cached parse of the spec at `path` by `parser`, or undefined (absent, stale, unreadable). */
export function readCachedSpec(
  dir: string,
  path: string,
  parser: string,
): CachedSpec | undefined {
  const o = readEntry(dir, path, parser, "doc");
  if (o === undefined || !("doc" in o)) return undefined;
  return typeof o.license === "string" ? { doc: o.doc, license: o.license } : { doc: o.doc };
}

/** Keeps the parse of the spec at `path` (silently nothing when the cache cannot be written). */
export function writeCachedSpec(
  dir: string,
  path: string,
  parser: string,
  spec: CachedSpec,
): void {
  writeEntry(dir, path, parser, "doc", { license: spec.license, doc: spec.doc });
}

/** What the cache holds of a loaded spec: its checked model, licence and errata notes. */
export interface CachedModel {
  readonly model: SpecModel;
  readonly license?: string;
  readonly errata: readonly string[];
}

/** A limit too large for a double, as JSON keeps it. */
interface BigLimit {
  readonly bigint: string;
}

/** An attribute's checks as JSON can hold them (a bigint limit as its decimal text). */
function limitsOut(a: AttrDef): AttrDef {
  const c = a.checks;
  if (c === undefined || (typeof c.min !== "bigint" && typeof c.max !== "bigint")) return a;
  const big = (v: unknown) => typeof v === "bigint" ? { bigint: String(v) } : v;
  return { ...a, checks: { ...c, min: big(c.min), max: big(c.max) } as never };
}

/** The model as JSON text keeps it: maps as lists of their values (or entries). */
function modelOut(m: SpecModel): Obj {
  return {
    ...m,
    enums: [...m.enums.values()],
    consts: [...m.consts],
    structs: [...m.structs.values()],
    attrSets: [...m.attrSets.values()].map((s) => ({ ...s, attrs: s.attrs.map(limitsOut) })),
    subMessages: [...m.subMessages.values()],
  };
}

/** The model back from {@link modelOut}'s JSON (undefined when it is not one). */
function modelIn(o: unknown, file: string): SpecModel | undefined {
  const m = o as Obj | null;
  if (
    typeof m !== "object" || m === null || !Array.isArray(m.enums) ||
    !Array.isArray(m.consts) || !Array.isArray(m.structs) || !Array.isArray(m.attrSets) ||
    !Array.isArray(m.subMessages) || !Array.isArray(m.ops)
  ) return undefined;
  const byName = <T extends { name: string }>(l: T[]) => new Map(l.map((x) => [x.name, x]));
  const structs = (m.structs as StructDef[]).map((s) => ({
    ...s,
    members: s.members.map(memberIn),
  }));
  const attrSets = (m.attrSets as AttrSetDef[]).map((s) => ({ ...s, attrs: s.attrs.map(attrIn) }));
  return {
    ...m,
    file,
    enums: byName(m.enums),
    consts: new Map(m.consts),
    structs: byName(structs),
    attrSets: byName(attrSets),
    subMessages: byName(
      (m.subMessages as SubMessageDef[]).map((x) => ({ ...x, formats: x.formats.map(formatIn) })),
    ),
  } as unknown as SpecModel;
}

/** The bigint limits of `c` back from their JSON form. */
function limitsIn(c: ChecksDef): ChecksDef {
  const big = (v: unknown) => BigInt((v as BigLimit).bigint);
  const out: { min?: number | bigint; max?: number | bigint } = {};
  if (typeof c.min === "object") out.min = big(c.min);
  if (typeof c.max === "object") out.max = big(c.max);
  return out;
}

/**
 * An attribute as the model reader makes it: every key (JSON leaves out those it has no value
 * for), in its order, so that the attributes of a cached model share one shape as read ones do.
 */
function attrIn(a: AttrDef): AttrDef {
  const c = a.checks;
  return {
    name: a.name,
    value: a.value,
    type: a.type,
    subType: a.subType,
    byteOrder: a.byteOrder,
    multi: a.multi,
    nested: a.nested,
    enum: a.enum,
    enumAsFlags: a.enumAsFlags,
    displayHint: a.displayHint,
    struct: a.struct,
    subMessage: a.subMessage,
    selector: a.selector,
    typeValue: a.typeValue,
    checks: c === undefined || (typeof c.min !== "object" && typeof c.max !== "object")
      ? c
      : { ...c, ...limitsIn(c) },
    ...(a.nestedFlag === false ? { nestedFlag: false as const } : {}),
    path: a.path,
  };
}

/** A sub-message format as the model reader makes it (see attrIn). */
function formatIn(f: FormatDef): FormatDef {
  return { value: f.value, fixedHeader: f.fixedHeader, attrSet: f.attrSet, path: f.path };
}

/** A struct member as the model reader makes it (see attrIn). */
function memberIn(m: MemberDef): MemberDef {
  return {
    name: m.name,
    type: m.type,
    byteOrder: m.byteOrder,
    enum: m.enum,
    enumAsFlags: m.enumAsFlags,
    displayHint: m.displayHint,
    len: m.len,
    struct: m.struct,
    path: m.path,
  };
}

/** The cached model of the spec at `path` (read as `file`), or undefined. */
export function readCachedModel(
  dir: string,
  path: string,
  parser: string,
  file: string,
): CachedModel | undefined {
  const o = readEntry(dir, path, parser, "model");
  if (o === undefined || !Array.isArray(o.errata)) return undefined;
  const model = modelIn(o.model, file);
  if (model === undefined) return undefined;
  return {
    model,
    errata: o.errata as string[],
    ...(typeof o.license === "string" ? { license: o.license } : {}),
  };
}

/** Keeps the checked model of the spec at `path` (silently nothing when it cannot). */
export function writeCachedModel(
  dir: string,
  path: string,
  parser: string,
  spec: CachedModel,
): void {
  writeEntry(dir, path, parser, "model", {
    license: spec.license,
    errata: spec.errata,
    model: modelOut(spec.model),
  });
}
