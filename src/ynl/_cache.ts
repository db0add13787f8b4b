/**
 * The parsed-spec cache (internal): a spec file's parsed YAML kept as JSON, so that a later
 * process loading the same file skips the YAML parser (under Deno the larger part of a first
 * load). One file per spec in `$NLTS_YNL_CACHE`, else `$XDG_CACHE_HOME/nlts/ynl`, else
 * `~/.cache/nlts/ynl`; keyed by the spec's real path, size and modification time, the parser and
 * this module's version, so that an edited or replaced spec is parsed again. Written atomically
 * (a temporary file renamed); a cache that cannot be read or written is ignored. Under Deno it
 * is used only where the process already has the read, write and env permissions (it never
 * prompts). `NLTS_YNL_CACHE=off` (or the loaders' `cache: false`) turns it off.
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

/** Bumped whenever what the cache holds changes meaning. */
const VERSION = 1;

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

/** Where the spec at `path` is cached, and the key its entry must carry. */
function entry(dir: string, path: string, parser: string): { file: string; key: string } | null {
  if (!granted("read", path)) return null;
  try {
    const real = realpathSync(path);
    const st = statSync(real);
    const key = `${VERSION} ${parser} ${st.size} ${st.mtimeMs} ${real}`;
    const base = real.slice(real.lastIndexOf("/") + 1).replace(/[^A-Za-z0-9_.-]/g, "_");
    return { file: `${dir}/${base}.${fnv(key)}.json`, key };
  } catch {
    return null;
  }
}

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
  if (!granted("read", dir)) return undefined;
  const e = entry(dir, path, parser);
  if (e === null) return undefined;
  try {
    const o = JSON.parse(readFileSync(e.file, "utf8"));
    if (typeof o !== "object" || o === null || o.key !== e.key || !("doc" in o)) return undefined;
    return typeof o.license === "string" ? { doc: o.doc, license: o.license } : { doc: o.doc };
  } catch {
    return undefined;
  }
}

/** Keeps the parse of the spec at `path` (silently nothing when the cache cannot be written). */
export function writeCachedSpec(
  dir: string,
  path: string,
  parser: string,
  spec: CachedSpec,
): void {
  if (!granted("write", dir) || !granted("read", dir)) return;
  const e = entry(dir, path, parser);
  if (e === null) return;
  const tmp = `${e.file}.${Date.now().toString(36)}${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify({ key: e.key, license: spec.license, doc: spec.doc }));
    renameSync(tmp, e.file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}
