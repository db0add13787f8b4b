/**
 * Loading a YNL spec at run time: {@link loadSpec} reads a spec (path, name, YAML text or
 * parsed object) and returns a family description built from the ordinary schema codecs — a
 * {@link FamilySpec} for generic netlink families (use it with `GenlSocket.family`), a
 * {@link RawFamilySpec} for netlink-raw ones (use it with {@link RawFamily.open}).
 *
 * @module
 */

import type { AttrSet } from "../protocol/schema_attrs.ts";
import type { Codec, FixedCodec, StructCodec } from "../protocol/schema_types.ts";
import type { FamilySpec } from "../genl/family.ts";
import { buildObjects, genlFamily, rawFamily } from "./build.ts";
import { applyErrata } from "./errata.ts";
import { familyIR } from "./ir.ts";
import { findSpec, licenseOf, parseYaml, readSpecText, type SpecSourceOptions } from "./load.ts";
import { readSpecModel, type SpecModel } from "./model.ts";
import type { RawFamilySpec } from "./raw_family.ts";
import { checkSpecOptions, checkSpecSource } from "./_validate.ts";
import {
  readCachedModel,
  readCachedSpec,
  SPEC_PARSER,
  specCacheDir,
  writeCachedModel,
  writeCachedSpec,
} from "./_cache.ts";
import { checkString } from "../protocol/_validate.ts";
import { blankNestedDocs } from "./_docs.ts";

/** What a loaded family knows of its spec. */
export interface SpecInfo {
  /** The normalised spec. */
  readonly model: SpecModel;
  /** Every attribute set by YNL name. */
  // deno-lint-ignore no-explicit-any
  readonly sets: ReadonlyMap<string, AttrSet<any>>;
  /** Every struct by YNL name. */
  // deno-lint-ignore no-explicit-any
  readonly structs: ReadonlyMap<string, StructCodec<any>>;
  /** Every enum and flags definition: camelCase name -> value (flags: the bit mask). */
  readonly enums: ReadonlyMap<string, Readonly<Record<string, number | bigint>>>;
  /** The spec's SPDX licence line, when it was read from text. */
  readonly license?: string;
  /** Corrections applied to known mistakes of the spec (see the errata). */
  readonly errata: readonly string[];
}

/** The codecs of a set known only at run time: any key, any value. */
// deno-lint-ignore no-explicit-any
export type DynamicFields = { readonly [key: string]: Codec<any, any> };
/** An attribute set known only at run time (decoded values typed `any`). */
export type DynamicSet = AttrSet<DynamicFields>;
/** A struct known only at run time. */
// deno-lint-ignore no-explicit-any
export type DynamicStruct = StructCodec<{ readonly [key: string]: FixedCodec<any, any> }>;

/** A generic netlink family loaded from a spec (its attribute types known only at run time). */
export interface GenlSpecFamily extends FamilySpec {
  /** "genl". */
  readonly kind: "genl";
  /** The spec behind it. */
  readonly ynl: SpecInfo;
  /** The main attribute set. */
  readonly attrs: DynamicSet;
  /** Operations by YNL name. */
  readonly operations: {
    readonly [name: string]: {
      readonly cmd: number;
      readonly replyCmd?: number;
      readonly request: DynamicSet;
      readonly reply: DynamicSet;
      readonly do?: boolean;
      readonly dump?: boolean;
    };
  };
  /** Notifications by YNL name. */
  readonly events: {
    readonly [name: string]: { readonly cmd: number; readonly attrs: DynamicSet };
  };
}

/** A netlink-raw family loaded from a spec (its attribute types known only at run time). */
export interface RawSpecFamily extends RawFamilySpec {
  /** "raw". */
  readonly kind: "raw";
  /** The spec behind it. */
  readonly ynl: SpecInfo;
  /** The main attribute set. */
  readonly attrs: DynamicSet;
  /** Operations by YNL name (`header` is absent at run time for operations without one). */
  readonly operations: {
    readonly [name: string]: {
      readonly cmd: number;
      readonly replyCmd?: number;
      readonly request: DynamicSet;
      readonly reply: DynamicSet;
      readonly header: DynamicStruct;
      readonly do?: boolean;
      readonly dump?: boolean;
    };
  };
}

/** Options of {@link loadSpec}. */
export interface LoadSpecOptions extends SpecSourceOptions {
  /** Name of the spec in error messages when it is given as text or an object. */
  file?: string;
  /**
   * Where parsed spec files are kept for the next process (JSON, keyed by the file's real path,
   * size and modification time): {@link loadSpec} keeps the checked model it makes of a file, so
   * that a later process skips the YAML parse, the errata and the checks. False for no cache.
   * Default: `NLTS_YNL_CACHE` ("off" for none), else `$XDG_CACHE_HOME/nlts/ynl`, else
   * `~/.cache/nlts/ynl`. Under Deno the cache is used only with the read, write and env
   * permissions already granted.
   */
  cache?: string | false;
}

/**
 * Reads `source` into a parsed object plus its file name and licence; `owned` when the object
 * was parsed here (nobody else holds it, so the errata may correct it in place).
 */
export function readSpecSource(
  source: string | object,
  options: LoadSpecOptions = {},
): { doc: unknown; file: string; license?: string; owned: boolean } {
  checkSource(source, options);
  const path = specFile(source, options);
  return readSource(
    source,
    options,
    path,
    path === undefined ? undefined : specCacheDir(options.cache),
  );
}

/** The checks of a spec source and the options of loadSpec. */
function checkSource(source: unknown, options: LoadSpecOptions): void {
  checkSpecSource(source, "load spec");
  checkSpecOptions(options, "load spec");
  if (options.cache !== false) checkString(options.cache, "load spec", "cache", true);
}

/** The file a checked source names (found with `options`), or undefined for text or an object. */
function specFile(source: string | object, options: LoadSpecOptions): string | undefined {
  return typeof source === "string" && !source.includes("\n")
    ? findSpec(source, options)
    : undefined;
}

/**
 * {@link readSpecSource} of a checked source, found at `path` when it names a file, whose parse
 * is kept in cache directory `dir` if one is given (loadSpec gives none: it keeps its model).
 * `docs` false (loadSpec) blanks the nested doc strings before a js-yaml parse (see _docs.ts):
 * the object has `""` for them, and its plain scalars are text (see parseYaml).
 */
function readSource(
  source: string | object,
  options: LoadSpecOptions,
  path: string | undefined,
  dir: string | undefined,
  docs = true,
): { doc: unknown; file: string; license?: string; owned: boolean } {
  if (typeof source === "object") {
    return { doc: source, file: options.file ?? "<object>", owned: false };
  }
  // (Bun's native parser reads docs as fast as it reads "": blanking would only cost there);
  // loadSpec's js-yaml parse leaves every plain scalar text, for the spec reader to type
  const parse = (text: string, file: string) =>
    parseYaml(docs || SPEC_PARSER === "bun" ? text : blankNestedDocs(text), file, !docs);
  if (path === undefined) {
    const file = options.file ?? "<text>";
    return { doc: parse(source, file), file, license: licenseOf(source), owned: true };
  }
  if (dir !== undefined) {
    const hit = readCachedSpec(dir, path, SPEC_PARSER);
    if (hit !== undefined) return { ...hit, file: path, owned: true };
  }
  const text = readSpecText(path);
  const doc = parse(text, path);
  const license = licenseOf(text);
  if (dir !== undefined) writeCachedSpec(dir, path, SPEC_PARSER, { doc, license });
  return { doc, file: path, license, owned: true };
}

/**
 * Loads a YNL spec and builds its family: a path (`.yaml` or `.yaml.gz`), a family name looked
 * up in the spec directories (`dirs` option, `NLTS_YNL_SPECS`, the linux-doc location), YAML
 * text, or a parsed object. A spec the engine cannot use raises {@link YnlSpecError} with the
 * path inside the spec. Where js-yaml parses (not under Bun), the text of `doc` keys below the
 * top level is not parsed (nothing a family holds comes from it; it was a quarter of a first
 * load of tc): a YAML mistake inside one is not reported here, where {@link readSpecSource}
 * and the code generator report it. There its plain scalars are left as text and the spec
 * reader types the ones it expects to be numbers or booleans as the YAML 1.2 core schema does
 * (same family; a number written in quotes where one is expected is taken too).
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { loadSpec } from "@nlts/netlink/ynl";
 * const netdev = loadSpec("netdev");
 * if (netdev.kind === "genl") {
 *   using genl = GenlSocket.open();
 *   for await (const d of genl.family(netdev).dump("dev-get")) console.log(d);
 * }
 * ```
 */
export function loadSpec(
  source: string | object,
  options: LoadSpecOptions = {},
): GenlSpecFamily | RawSpecFamily {
  checkSource(source, options);
  // a spec file: its checked model may be in the cache (then no parse, errata nor checks)
  const path = specFile(source, options);
  const dir = path === undefined ? undefined : specCacheDir(options.cache);
  if (path !== undefined && dir !== undefined) {
    const hit = readCachedModel(dir, path, SPEC_PARSER, path);
    if (hit !== undefined) return family(hit.model, hit.license, hit.errata);
  }
  // the doc strings below the top level are not read: nothing a family holds comes from them
  const { doc, file, license, owned } = readSource(source, options, path, undefined, false);
  const fixed = applyErrata(doc, owned);
  const model = readSpecModel(fixed.doc, file);
  const f = family(model, license, fixed.applied);
  if (path !== undefined && dir !== undefined) {
    writeCachedModel(dir, path, SPEC_PARSER, {
      model,
      errata: fixed.applied,
      ...(license !== undefined ? { license } : {}),
    });
  }
  return f;
}

/** The family of a spec's model (its sets and structs checked and built at their first use). */
function family(
  model: SpecModel,
  license: string | undefined,
  errata: readonly string[],
): GenlSpecFamily | RawSpecFamily {
  const built = buildObjects(familyIR(model, { lazy: true }));
  const ynl: SpecInfo = {
    model,
    sets: built.sets,
    structs: built.structs,
    enums: built.enums,
    ...(license !== undefined ? { license } : {}),
    errata,
  };
  // assigned, not spread: a spread would read (build) the lazily made main set
  const raw = model.protocol === "netlink-raw";
  const f = (raw ? rawFamily(model, built) : genlFamily(model, built)) as unknown as Record<
    string,
    unknown
  >;
  f.kind = raw ? "raw" : "genl";
  f.ynl = ynl;
  return f as unknown as GenlSpecFamily | RawSpecFamily;
}

/**
 * {@link loadSpec} for a generic netlink spec (TypeError for a netlink-raw one).
 *
 * @example
 * ```ts
 * import { GenlSocket } from "@nlts/netlink/genl";
 * import { loadGenlSpec } from "@nlts/netlink/ynl";
 * using genl = GenlSocket.open();
 * const ctrl = genl.family(loadGenlSpec("nlctrl"));
 * console.log(ctrl.doSync("getfamily", { familyName: "nlctrl" })?.familyId); // 16
 * ```
 */
export function loadGenlSpec(source: string | object, options?: LoadSpecOptions): GenlSpecFamily {
  const f = loadSpec(source, options);
  if (f.kind !== "genl") {
    throw new TypeError(`Cannot load ${f.name} as generic netlink: it is a netlink-raw family`);
  }
  return f;
}

/**
 * {@link loadSpec} for a netlink-raw spec (TypeError for a generic netlink one).
 *
 * @example
 * ```ts
 * import { loadRawSpec, RawFamily } from "@nlts/netlink/ynl";
 * using link = RawFamily.open(loadRawSpec("rt_link"));
 * console.log(link.dumpSync("getlink").length);
 * ```
 */
export function loadRawSpec(source: string | object, options?: LoadSpecOptions): RawSpecFamily {
  const f = loadSpec(source, options);
  if (f.kind !== "raw") {
    throw new TypeError(`Cannot load ${f.name} as netlink-raw: it is a generic netlink family`);
  }
  return f;
}
