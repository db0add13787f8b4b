// Seeded, bounded fuzzing of every decoder and text parser (issue 15): a few hundred inputs per
// target under Deno and Bun (`deno task fuzz` runs 1,000,000 binary and 300,000 text inputs).
// Only the documented errors may come out: DecodeError from bytes, OdpParseError from flow,
// key and action text, RangeError "Cannot parse flow filter" from filters; and what is
// accepted keeps its properties (decoded values encode again and decode the same, decoded
// flows print text that parses back to the same text, parsed text encodes). See _targets.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TARGETS } from "./_targets.ts";
import { loadTextCorpus, runTarget } from "./_run.ts";

const SEED = 0x15_f022;
const INPUTS: Record<string, number> = {
  "schema": 400,
  "messages": 400,
  "ovs-flow": 200,
  "ovs-key-actions": 300,
  "flow-text": 200,
  "key-text": 200,
  "action-text": 200,
  "filter-text": 300,
  "flow-lines": 100,
};

loadTextCorpus(); // Open vSwitch's odp.at lines as text seeds, when ../shared has them

for (const target of TARGETS) {
  test(`fuzz ${target.name}: ${INPUTS[target.name]} ${target.kind} inputs, only documented errors`, () => {
    const c = runTarget(target, INPUTS[target.name], SEED);
    assert.deepEqual(
      c.failures.map((f) => `${f.message}\n  input: ${f.input.slice(0, 600)}`),
      [],
      `${c.failed} of ${c.inputs} inputs failed`,
    );
    // Not vacuous: some inputs were accepted and checked, some refused.
    assert.ok(c.accepted > 0 && c.refused > 0, `accepted ${c.accepted}, refused ${c.refused}`);
  });
}
