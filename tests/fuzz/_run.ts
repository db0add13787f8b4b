// Runs fuzz targets over seeded inputs and counts what happened (shared by the in-suite fuzz
// test and scripts/fuzz.ts). The text corpus is Open vSwitch's tests/odp.at when
// ../shared/conformance/ovs/odp.at is there.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prng } from "../protocol/_helpers.ts";
import { odpChecks } from "../ovs_text/_odp_at.ts";
import { FuzzFailure, type FuzzTarget, textCorpus } from "./_targets.ts";

const ODP_AT = fileURLToPath(new URL("../../../shared/conformance/ovs/odp.at", import.meta.url));

/** Loads the odp.at key and action lines into the text corpus (once); false when absent. */
export function loadTextCorpus(): boolean {
  if (textCorpus.keys.length || textCorpus.actions.length) return true;
  if (!existsSync(ODP_AT)) return false;
  for (const c of odpChecks(readFileSync(ODP_AT, "utf8"))) {
    if (c.mode === "parse-keys" || c.mode === "parse-wc-keys") textCorpus.keys.push(...c.input);
    else if (c.mode === "parse-actions") textCorpus.actions.push(...c.input);
  }
  return true;
}

/** What one target did over a run. */
export interface TargetCounts {
  /** Inputs run. */
  inputs: number;
  /** Accepted (decoded, parsed) and checked. */
  accepted: number;
  /** Refused with the documented error. */
  refused: number;
  /** Unexpected exceptions and broken properties. */
  failures: FuzzFailure[];
}

/**
 * Runs `inputs` inputs of `target`, the i-th drawn from seed `seed + i` (any input can be
 * replayed alone). Stops keeping failures after `keep` of them (they are still counted).
 */
export function runTarget(
  target: FuzzTarget,
  inputs: number,
  seed: number,
  keep = 20,
): TargetCounts & { failed: number } {
  const counts = { inputs: 0, accepted: 0, refused: 0, failures: [] as FuzzFailure[], failed: 0 };
  for (let i = 0; i < inputs; i++) {
    counts.inputs++;
    try {
      if (target.run(prng(seed + i))) counts.accepted++;
      else counts.refused++;
    } catch (e) {
      counts.failed++;
      const f = e instanceof FuzzFailure ? e : new FuzzFailure(target.name, `seed ${seed + i}`, e);
      if (counts.failures.length < keep) counts.failures.push(f);
    }
  }
  return counts;
}
