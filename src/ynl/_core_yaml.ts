/**
 * The YAML 1.2 core schema's implicit scalar types (internal), as js-yaml has them: for
 * {@link loadSpec}'s parse, which leaves every plain scalar text, and the spec reader, which
 * reads the scalars it expects to be numbers or booleans as the core schema would have.
 *
 * @module
 */

import * as jsYaml from "js-yaml";
import type { Type } from "js-yaml";

/** js-yaml's null, bool, int and float types, in the core schema's order. */
export const CORE_TYPES: readonly Type[] = (() => {
  const types = (jsYaml as unknown as { types: Record<string, Type> }).types;
  return [types.null, types.bool, types.int, types.float];
})();

/**
 * What the core schema makes of `v` when it is the text of a plain scalar (`"0x10"` -> 16,
 * `"true"` -> true, `"~"` -> null); anything else as it is.
 */
export function coreScalar(v: unknown): unknown {
  if (typeof v !== "string") return v;
  for (const t of CORE_TYPES) if (t.resolve(v)) return t.construct(v);
  return v;
}
