/**
 * A registry of family descriptions by name, used by tools that meet families at run time
 * (the `nlts genl monitor` command, traces): nlctrl and every family nlts describes register
 * here; {@link familySpecFor} falls back to a description that keeps every attribute raw.
 *
 * @module
 */

import { attrSet } from "../protocol/schema_attrs.ts";
import { defineFamily, type FamilySpec } from "./family.ts";
import { checkFamilySpec } from "./_validate.ts";
import { checkInt, checkString } from "../protocol/_validate.ts";

const registry = new Map<string, FamilySpec>();

/**
 * Registers a family description under its name (later registrations win).
 *
 * @example
 * ```ts
 * import { attrSet, defineFamily, registerFamilySpec } from "@nlts/netlink/genl";
 * registerFamilySpec(defineFamily({ name: "demo", version: 1, attrs: attrSet("demo", {}), operations: {} }));
 * ```
 */
export function registerFamilySpec(spec: FamilySpec): void {
  checkFamilySpec(spec, "register family");
  registry.set(spec.name, spec);
}

/**
 * The registered description of `name`, or one that decodes every attribute as `unknown`.
 *
 * @example
 * ```ts
 * import { familySpecFor } from "@nlts/netlink/genl";
 * console.log(familySpecFor("nlctrl").version); // 2
 * ```
 */
export function familySpecFor(name: string, version = 1): FamilySpec {
  checkString(name, "describe family", "the family name", true);
  if (name === undefined) throw new TypeError("Cannot describe family: give its name");
  checkInt(version, "describe family", "version", 0, 255);
  return registry.get(name) ??
    defineFamily({ name, version, attrs: attrSet(name, {}), operations: {} });
}

/**
 * Names of every registered family.
 *
 * @example
 * ```ts
 * import { registeredFamilies } from "@nlts/netlink/genl";
 * console.log(registeredFamilies()); // ["nlctrl", ...]
 * ```
 */
export function registeredFamilies(): string[] {
  return [...registry.keys()];
}
