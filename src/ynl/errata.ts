/**
 * Known mistakes of published specs, corrected when a spec is read (internal). Each entry says
 * what the spec gets wrong against the kernel's uapi header; a spec that no longer has the
 * mistake is left alone.
 *
 * @module
 */

type Obj = Record<string, unknown>;

/**
 * nlctrl.yaml (through Linux 6.18) lists policy-attrs `mask` before `pad`, numbering them 11
 * and 12, while `<linux/netlink.h>` has NL_POLICY_TYPE_ATTR_PAD = 11 and
 * NL_POLICY_TYPE_ATTR_MASK = 12: swap them back.
 */
function nlctrlPolicyPad(doc: Obj): string | undefined {
  if (doc.name !== "nlctrl") return undefined;
  const sets = doc["attribute-sets"];
  if (!Array.isArray(sets)) return undefined;
  const set = sets.find((s) => (s as Obj)?.name === "policy-attrs") as Obj | undefined;
  const attrs = set?.attributes;
  if (!Array.isArray(attrs)) return undefined;
  const i = attrs.findIndex((a) => (a as Obj)?.name === "mask");
  const j = attrs.findIndex((a) => (a as Obj)?.name === "pad");
  if (i < 0 || j !== i + 1 || attrs.some((a) => (a as Obj)?.value !== undefined)) return undefined;
  [attrs[i], attrs[j]] = [attrs[j], attrs[i]];
  return "policy-attrs: pad and mask swapped back to the uapi numbers (PAD 11, MASK 12)";
}

const ERRATA = [nlctrlPolicyPad];

/**
 * Applies the errata to a parsed spec (a deep copy is made first when one applies); returns
 * the spec to use and what was corrected.
 */
export function applyErrata(doc: unknown): { doc: unknown; applied: string[] } {
  if (typeof doc !== "object" || doc === null) return { doc, applied: [] };
  const copy = structuredClone(doc) as Obj;
  const applied: string[] = [];
  for (const e of ERRATA) {
    const note = e(copy);
    if (note !== undefined) applied.push(note);
  }
  return applied.length ? { doc: copy, applied } : { doc, applied };
}
