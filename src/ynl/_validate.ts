/**
 * Checks of the YNL entry points' arguments: spec sources, their options, raw family
 * descriptions. Internal (not exported by the package). Raises TypeError or RangeError
 * "Cannot <verb>: <what> must be ..., not <value>"; a malformed spec document stays a
 * YnlSpecError (it is data, not an argument).
 *
 * @module
 */

import { isAttrSet, pending } from "../genl/_validate.ts";
import { checkInt, checkOptions, checkString, describeValue } from "../protocol/_validate.ts";

/**
 * Checks a spec source: a name, a path or YAML text (a non-empty string without NUL), or a
 * parsed spec (an object).
 *
 * @example
 * ```ts
 * import { checkSpecSource } from "./_validate.ts";
 * checkSpecSource("netdev", "load spec");
 * ```
 */
export function checkSpecSource(source: unknown, verb: string): void {
  if (typeof source === "string") {
    checkString(source, verb, "the spec", true);
    return;
  }
  if (typeof source !== "object" || source === null || Array.isArray(source)) {
    throw new TypeError(
      `Cannot ${verb}: the spec must be a name, a path, YAML text or a parsed spec object, not ${
        describeValue(source)
      }`,
    );
  }
}

/**
 * Checks the options that find and name a spec (`dirs`, `file`) and returns them (`{}` for
 * `undefined`).
 *
 * @example
 * ```ts
 * import { checkSpecOptions } from "./_validate.ts";
 * const o = checkSpecOptions({ dirs: ["/tmp"] }, "load spec"); // { dirs: ["/tmp"] }
 * ```
 */
export function checkSpecOptions<T extends { dirs?: readonly string[]; file?: string }>(
  options: unknown,
  verb: string,
): T {
  const o = checkOptions<T>(options, verb);
  if (o.dirs !== undefined) {
    if (!Array.isArray(o.dirs)) {
      throw new TypeError(
        `Cannot ${verb}: dirs must be an array of directories, not ${describeValue(o.dirs)}`,
      );
    }
    for (const d of o.dirs) checkString(d, verb, "a directory", true);
  }
  checkString(o.file, verb, "file");
  return o;
}

/**
 * Checks that `spec` is a raw family description: a name, a protocol 0..31, an attribute set,
 * operations with message types 0..65535, optional sets, structs and groups well typed.
 *
 * @example
 * ```ts
 * import { checkRawFamilySpec } from "./_validate.ts";
 * import { attrSet } from "../protocol/schema.ts";
 * checkRawFamilySpec({ name: "x", protocol: 0, attrs: attrSet("x", {}), operations: {} }, "use raw family");
 * ```
 */
export function checkRawFamilySpec(spec: unknown, verb: string): void {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new TypeError(
      `Cannot ${verb}: expected a raw family description (defineRawFamily, loadRawSpec), not ${
        describeValue(spec)
      }`,
    );
  }
  const s = spec as Record<string, unknown>;
  if (s.name === undefined) throw new TypeError(`Cannot ${verb}: the description has no name`);
  const name = checkString(s.name, verb, "the family name", true) as string;
  checkInt(s.protocol, `${verb} ${name}`, "protocol", 0, 31);
  if (!pending(s, "attrs") && !isAttrSet(s.attrs)) {
    throw new TypeError(
      `Cannot ${verb} ${name}: attrs must be an attribute set (attrSet), not ${
        describeValue(s.attrs)
      }`,
    );
  }
  checkStruct(s.header, `${verb} ${name}`, "header");
  const ops = s.operations;
  if (typeof ops !== "object" || ops === null || Array.isArray(ops)) {
    throw new TypeError(
      `Cannot ${verb} ${name}: operations must be an object by name, not ${describeValue(ops)}`,
    );
  }
  for (const [op, o] of Object.entries(ops)) {
    const v = `${verb} ${name}.${op}`;
    if (typeof o !== "object" || o === null) {
      throw new TypeError(`Cannot ${v}: expected { cmd, ... }, not ${describeValue(o)}`);
    }
    const od = o as Record<string, unknown>;
    checkInt(od.cmd, v, "cmd", 0, 0xffff);
    if (od.replyCmd !== undefined) checkInt(od.replyCmd, v, "replyCmd", 0, 0xffff);
    for (const k of ["request", "reply"]) {
      if (pending(od, k)) continue;
      if (od[k] !== undefined && !isAttrSet(od[k])) {
        throw new TypeError(
          `Cannot ${v}: ${k} must be an attribute set, not ${describeValue(od[k])}`,
        );
      }
    }
    checkStruct(od.header, v, "header");
  }
  const groups = s.mcastGroups;
  if (groups !== undefined) {
    if (typeof groups !== "object" || groups === null || Array.isArray(groups)) {
      throw new TypeError(
        `Cannot ${verb} ${name}: mcastGroups must be an object of group numbers by name, not ${
          describeValue(groups)
        }`,
      );
    }
    for (const [g, id] of Object.entries(groups)) {
      checkInt(id, `${verb} ${name}`, `group ${g}`, 1, 0xffffffff);
    }
  }
}

/** An optional fixed header: a struct codec (encodeTo, decodeAt and a size). */
function checkStruct(v: unknown, verb: string, what: string): void {
  if (v === undefined) return;
  const c = v as { encodeTo?: unknown; decodeAt?: unknown; size?: unknown } | null;
  if (
    typeof c !== "object" || c === null || typeof c.encodeTo !== "function" ||
    typeof c.decodeAt !== "function" || typeof c.size !== "number"
  ) {
    throw new TypeError(
      `Cannot ${verb}: ${what} must be a struct codec (t.struct), not ${describeValue(v)}`,
    );
  }
}
