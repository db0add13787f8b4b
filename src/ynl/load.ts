/**
 * Finding and reading YNL spec files: by path (`.yaml` or `.yaml.gz`), by family name in the
 * spec directories (the `dirs` option, then `NLTS_YNL_SPECS`, then Debian's linux-doc
 * location), from YAML text, or from an already parsed object.
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { envVar } from "../ffi/_env.ts";
import { CORE_SCHEMA, FAILSAFE_SCHEMA, load, type Schema } from "js-yaml";
import { CORE_TYPES } from "./_core_yaml.ts";
import { YnlSpecError } from "./model.ts";
import { checkString } from "../protocol/_validate.ts";
import { checkSpecOptions } from "./_validate.ts";

/** Checks a required string argument (`nonEmpty`: no "" and no NUL, as for a path). */
function checkArg(value: unknown, verb: string, what: string, nonEmpty: boolean): void {
  if (value === undefined) throw new TypeError(`Cannot ${verb}: give ${what}`);
  checkString(value, verb, what, nonEmpty);
}

/**
 * Where spec names are looked up when no directory is given: Debian's linux-doc packages
 * (newest first).
 *
 * @example
 * ```ts
 * import { DEFAULT_SPEC_GLOB } from "@nlts/netlink/ynl";
 * console.log(DEFAULT_SPEC_GLOB); // "/usr/share/doc/linux-doc-*\/Documentation/netlink/specs"
 * ```
 */
export const DEFAULT_SPEC_GLOB = "/usr/share/doc/linux-doc-*/Documentation/netlink/specs";

/**
 * Options of the spec loaders.
 *
 * @example
 * ```ts
 * import { loadSpec, type SpecSourceOptions } from "@nlts/netlink/ynl";
 * const options: SpecSourceOptions = { dirs: ["/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs"] };
 * const spec = loadSpec("netdev", options);
 * ```
 */
export interface SpecSourceOptions {
  /**
   * Directories searched for a spec given by name, before `NLTS_YNL_SPECS` (a colon-separated
   * list) and the linux-doc location.
   */
  dirs?: readonly string[];
}

/** One spec file found in the spec directories. */
export interface SpecFileInfo {
  /** The family name as files spell it ("rt_link" and "rt-link" are the same name). */
  name: string;
  /** Full path. */
  path: string;
  /** The directory it was found in. */
  dir: string;
}

function envDirs(): string[] {
  const v = envVar("NLTS_YNL_SPECS");
  return v ? v.split(":").filter((d) => d !== "") : [];
}

function linuxDocDirs(): string[] {
  const base = "/usr/share/doc";
  let entries: string[];
  try {
    entries = readdirSync(base).filter((e) => /^linux-doc-[0-9.]+$/.test(e));
  } catch {
    return [];
  }
  const version = (e: string) => e.slice("linux-doc-".length).split(".").map(Number);
  entries.sort((a, b) => {
    const va = version(a), vb = version(b);
    for (let i = 0; i < Math.max(va.length, vb.length); i++) {
      const d = (vb[i] ?? 0) - (va[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return entries.map((e) => `${base}/${e}/Documentation/netlink/specs`).filter((d) =>
    existsSync(d)
  );
}

/**
 * The directories searched for specs by name, in order: `options.dirs`, `NLTS_YNL_SPECS`,
 * then the linux-doc location(s).
 *
 * @example
 * ```ts
 * import { specDirs } from "@nlts/netlink/ynl";
 * console.log(specDirs()); // ["/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs"]
 * ```
 */
export function specDirs(options: SpecSourceOptions = {}): string[] {
  checkSpecOptions(options, "list spec directories");
  return [...(options.dirs ?? []), ...envDirs(), ...linuxDocDirs()];
}

const SPEC_FILE = /^(.*)\.yaml(\.gz)?$/;

/** `rt-link`, `rt_link` -> `rt_link`: the key names are compared by. */
export function normalName(name: string): string {
  checkArg(name, "normalise spec name", "the name", false);
  return name.replace(/-/g, "_");
}

/**
 * Every spec in the spec directories; where two directories have the same family, the first
 * directory wins.
 *
 * @example
 * ```ts
 * import { listSpecs } from "@nlts/netlink/ynl";
 * for (const s of listSpecs()) console.log(s.name, s.path);
 * ```
 */
export function listSpecs(options: SpecSourceOptions = {}): SpecFileInfo[] {
  checkSpecOptions(options, "list specs");
  const out = new Map<string, SpecFileInfo>();
  for (const dir of specDirs(options)) {
    let files: string[];
    try {
      files = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      const m = SPEC_FILE.exec(f);
      if (m === null) continue;
      const key = normalName(m[1]);
      if (!out.has(key)) out.set(key, { name: m[1], path: `${dir}/${f}`, dir });
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The path of the spec `nameOrPath`: an existing file as given, else the family name looked up
 * in the spec directories (`rt-link` finds `rt_link.yaml.gz`). Raises a TypeError listing the
 * directories when nothing matches.
 *
 * @example
 * ```ts
 * import { findSpec } from "@nlts/netlink/ynl";
 * console.log(findSpec("netdev")); // ".../specs/netdev.yaml.gz"
 * ```
 */
export function findSpec(nameOrPath: string, options: SpecSourceOptions = {}): string {
  checkArg(nameOrPath, "find spec", "the spec name or path", true);
  checkSpecOptions(options, "find spec");
  if (nameOrPath.includes("/") || SPEC_FILE.test(nameOrPath)) {
    if (existsSync(nameOrPath) && statSync(nameOrPath).isFile()) return nameOrPath;
    if (nameOrPath.includes("/")) {
      throw new TypeError(`Cannot load spec ${nameOrPath}: no such file`);
    }
  }
  const want = normalName(nameOrPath.replace(SPEC_FILE, "$1"));
  const dirs = specDirs(options);
  for (const dir of dirs) {
    for (const ext of [".yaml", ".yaml.gz"]) {
      for (const n of new Set([want, want.replace(/_/g, "-")])) {
        const p = `${dir}/${n}${ext}`;
        if (existsSync(p)) return p;
      }
    }
  }
  throw new TypeError(
    `Cannot load spec ${nameOrPath}: not found in ${
      dirs.length ? dirs.join(", ") : "any spec directory"
    } (install linux-doc-6.12, set NLTS_YNL_SPECS or give a path)`,
  );
}

/**
 * Reads a spec file (`.yaml`, or `.yaml.gz` decompressed) and returns its text.
 *
 * @example
 * ```ts
 * import { findSpec, readSpecText } from "@nlts/netlink/ynl";
 * console.log(readSpecText(findSpec("netdev")).split("\n")[0]); // "# SPDX-License-Identifier: ..."
 * ```
 */
export function readSpecText(path: string): string {
  checkArg(path, "read spec", "the path", true);
  const bytes = readFileSync(path);
  const data = path.endsWith(".gz") || (bytes[0] === 0x1f && bytes[1] === 0x8b)
    ? gunzipSync(bytes)
    : bytes;
  return new TextDecoder().decode(data);
}

/** Bun's native YAML parser (YAML 1.2 core schema), when the runtime has one. */
const nativeYaml: ((text: string) => unknown) | undefined = (() => {
  const y = (globalThis as { Bun?: { YAML?: { parse?: unknown } } }).Bun?.YAML;
  return typeof y?.parse === "function"
    ? (y.parse as (text: string) => unknown).bind(y)
    : undefined;
})();

/**
 * Parses YAML text into the spec object (YAML 1.2 core schema: the `js-yaml` package, or Bun's
 * native parser under Bun, about ten times faster on a first load, with the same result on every
 * kernel spec); syntax errors become {@link YnlSpecError}s naming the line and column (as
 * `js-yaml` words them: text the native parser rejects is parsed again by `js-yaml`).
 *
 * @example
 * ```ts
 * import { parseSpecText } from "@nlts/netlink/ynl";
 * console.log(parseSpecText("name: demo\n")); // { name: "demo" }
 * ```
 */
export function parseSpecText(text: string, file = "<text>"): unknown {
  checkArg(text, "parse spec", "the text", false);
  checkString(file, "parse spec", "file");
  return parseYaml(text, file, false);
}

/**
 * js-yaml's failsafe schema (every plain scalar text) with the core schema's explicit tags
 * (`!!int 5` is 5 as there).
 */
const PLAIN_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({ explicit: [...CORE_TYPES] });

/**
 * {@link parseSpecText} of checked arguments; `plain` (loadSpec) parses with js-yaml's failsafe
 * schema, every scalar left as text: the spec reader reads the numbers and booleans it expects
 * from their YAML 1.2 core spellings (0x10, -1, true; see model.ts), the same values, without
 * the core types' resolvers on every plain scalar, key or value (any implicit type makes
 * js-yaml's cold parse of a large spec ~10% more instructions, and V8 compiles more of it).
 * Bun's native parser reads them as the core schema does.
 */
export function parseYaml(text: string, file: string, plain: boolean): unknown {
  if (nativeYaml !== undefined) {
    try {
      return nativeYaml(text);
    } catch {
      // js-yaml below says where, in its words (or accepts what the native parser did not)
    }
  }
  try {
    // the core schema: no timestamp or merge resolvers tried on every plain scalar (as the
    // default schema does), the same values as Bun's parser (YAML 1.2 core)
    return load(text, { schema: plain ? PLAIN_SCHEMA : CORE_SCHEMA });
  } catch (e) {
    throw new YnlSpecError(file, "", `YAML: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** The SPDX licence line of a spec's text, if it has one. */
export function licenseOf(text: string): string | undefined {
  checkArg(text, "read spec licence", "the text", false);
  const m = /^#\s*SPDX-License-Identifier:\s*(.+)$/m.exec(text);
  return m === null ? undefined : m[1].trim();
}
