/**
 * Checks of generic netlink descriptions, shared by `defineFamily`, `GenlSocket.family`,
 * `registerTrace` and the registry. Internal (not exported by the package).
 *
 * @module
 */

import { checkInt, checkString, describeValue } from "../protocol/_validate.ts";

/**
 * Checks that `spec` is a family description: a name, a version 0..255, an attribute set,
 * operations with commands 0..255, and well-typed optional members. Raises TypeError or
 * RangeError "Cannot <verb>: ...".
 *
 * @example
 * ```ts
 * import { checkFamilySpec } from "./_validate.ts";
 * import { nlctrl } from "./nlctrl_schema.ts";
 * checkFamilySpec(nlctrl, "use family");
 * ```
 */
export function checkFamilySpec(spec: unknown, verb: string): void {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new TypeError(
      `Cannot ${verb}: expected a family description (defineFamily), not ${describeValue(spec)}`,
    );
  }
  const s = spec as Record<string, unknown>;
  checkString(s.name, verb, "the family name", true);
  if (s.name === undefined) {
    throw new TypeError(`Cannot ${verb}: the family description has no name`);
  }
  const name = s.name as string;
  checkInt(s.version, `${verb} ${name}`, "version", 0, 255);
  if (!pending(s, "attrs") && !isAttrSet(s.attrs)) {
    throw new TypeError(
      `Cannot ${verb} ${name}: attrs must be an attribute set (attrSet), not ${
        describeValue(s.attrs)
      }`,
    );
  }
  const ops = s.operations;
  if (typeof ops !== "object" || ops === null || Array.isArray(ops)) {
    throw new TypeError(
      `Cannot ${verb} ${name}: operations must be an object by name, not ${describeValue(ops)}`,
    );
  }
  for (const [op, o] of Object.entries(ops)) {
    if (typeof o !== "object" || o === null) {
      throw new TypeError(
        `Cannot ${verb} ${name}.${op}: expected { cmd, ... }, not ${describeValue(o)}`,
      );
    }
    const od = o as Record<string, unknown>;
    checkInt(od.cmd, `${verb} ${name}.${op}`, "cmd", 0, 255);
    for (const k of ["request", "reply"]) {
      if (pending(od, k)) continue;
      if (od[k] !== undefined && !isAttrSet(od[k])) {
        throw new TypeError(
          `Cannot ${verb} ${name}.${op}: ${k} must be an attribute set, not ${
            describeValue(od[k])
          }`,
        );
      }
    }
  }
  if (s.fixedId !== undefined) checkInt(s.fixedId, `${verb} ${name}`, "fixedId", 1, 0xffff);
  if (s.module !== undefined) checkString(s.module, `${verb} ${name}`, "module");
  if (s.mcastGroups !== undefined) {
    if (!Array.isArray(s.mcastGroups)) {
      throw new TypeError(
        `Cannot ${verb} ${name}: mcastGroups must be an array of names, not ${
          describeValue(s.mcastGroups)
        }`,
      );
    }
    for (const g of s.mcastGroups) checkString(g, `${verb} ${name}`, "a group name", true);
  }
}

/**
 * Whether `obj[key]` is still to be made by a getter (a family loaded from a spec builds an
 * operation's sets at their first use): checking it would build it, so it is taken as it comes.
 *
 * @example
 * ```ts
 * import { pending } from "./_validate.ts";
 * console.log(pending({ get reply() { return 1; } }, "reply"), pending({ reply: 1 }, "reply")); // true false
 * ```
 */
export function pending(obj: object, key: string): boolean {
  return Object.getOwnPropertyDescriptor(obj, key)?.get !== undefined;
}

/**
 * Whether `v` is an attribute set (an object with `encode` and `decode`).
 *
 * @example
 * ```ts
 * import { isAttrSet } from "./_validate.ts";
 * import { attrSet } from "../protocol/schema.ts";
 * console.log(isAttrSet(attrSet("a", {})), isAttrSet({})); // true false
 * ```
 */
export function isAttrSet(v: unknown): boolean {
  const a = v as { encode?: unknown; decode?: unknown } | null;
  return typeof a === "object" && a !== null && typeof a.encode === "function" &&
    typeof a.decode === "function";
}
