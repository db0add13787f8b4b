// Every generated family tells each attribute set whether a sub-message lies below it
// (attrSet's subMessages option, from the spec's graph), so that a set's first use does not
// build the sets it nests to find out. The hint must say what walking the built sets finds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AttrSet } from "../../src/protocol/mod.ts";

type Walked = { kind: string; set?: AttrSet<never>; inner?: Walked; resolve?: () => Walked };

/** True when `codec` is, or holds below it through nests, a sub-message (no hint consulted). */
function reaches(codec: Walked, seen: Set<AttrSet<never>>): boolean {
  switch (codec.kind) {
    case "sub-message":
      return true;
    case "lazy":
      return reaches(codec.resolve!(), seen);
    case "multi":
    case "indexed-array":
    case "map":
      return reaches(codec.inner!, seen);
    case "nest":
    case "list":
      return walk(codec.set!, seen);
    default:
      return false;
  }
}

function walk(set: AttrSet<never>, seen: Set<AttrSet<never>>): boolean {
  if (seen.has(set)) return false;
  seen.add(set);
  return set.fields.some((f) => reaches(f.codec as unknown as Walked, seen));
}

const dir = new URL("../../src/families/", import.meta.url);

test("generated families: each set's subMessages hint is what a walk of its nests finds", async () => {
  let sets = 0;
  let reaching = 0;
  for (const file of readdirSync(fileURLToPath(dir)).sort()) {
    if (!file.endsWith(".ts") || file === "mod.ts") continue;
    const mod = await import(new URL(file, dir).href) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (!(value instanceof AttrSet) || value.subMessages === undefined) continue;
      sets++;
      const walked = walk(value as AttrSet<never>, new Set());
      if (walked) reaching++;
      assert.equal(value.subMessages, walked, `${file}: ${name} (${value.name})`);
    }
  }
  assert.ok(sets > 300, `${sets} sets with a hint`);
  assert.ok(reaching >= 3, `${reaching} sets reach a sub-message (rt_link's linkinfo at least)`);
});
