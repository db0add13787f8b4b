// ovs-dpctl as an independent peer, when it is installed (no datapath needed): random action
// lists and keys are printed by us, then parsed and printed both by ovs-dpctl
// (`parse-actions`, `normalize-actions`) and by us; both outputs must be equal. Text that
// ovs-dpctl refuses but we accept is counted, not compared (we read more than it does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { formatActions, formatFlowKey, parseActions, parseFlowKey } from "./_ovs.ts";
import { randomActions, randomKey, Rng } from "./_random.ts";

function dpctlVersion(): string | null {
  try {
    const p = spawnSync("ovs-dpctl", ["--version"], { encoding: "utf8" });
    const m = /Open vSwitch\) (\d+\.\d+)/.exec(p.stdout ?? "");
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

const version = dpctlVersion();
const skip = version !== null && Number(version.split(".")[0]) >= 3
  ? false
  : "ovs-dpctl 3.x is not installed (apt-get install openvswitch-switch)";

function ours(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `ERROR ${(e as Error).message}`;
  }
}

test("oracle: action lists print like ovs-dpctl parse-actions", { skip }, () => {
  const r = new Rng(0x0ac1e);
  const texts: string[] = [];
  for (let i = 0; i < 300; i++) texts.push(formatActions(randomActions(r, 0, { ovsText: true })));
  let compared = 0;
  const bad: string[] = [];
  for (let i = 0; i < texts.length; i += 50) {
    const batch = texts.slice(i, i + 50);
    // ovs-dpctl stops at the first text it rejects: run the batch, then the rest one by one.
    const p = spawnSync("ovs-dpctl", ["parse-actions", ...batch], { encoding: "utf8" });
    const lines = p.stdout.split("\n");
    batch.forEach((t, j) => {
      let theirs: string | null = j < lines.length - 1 || p.status === 0 ? lines[j] : null;
      if (p.status !== 0 && j >= lines.length - 1) {
        const q = spawnSync("ovs-dpctl", ["parse-actions", t], { encoding: "utf8" });
        theirs = q.status === 0 ? q.stdout.trimEnd() : null;
      }
      if (theirs === null) return;
      compared++;
      const mine = ours(() => formatActions(parseActions(t)));
      if (mine !== theirs) bad.push(`${t}\n  ovs-dpctl: ${theirs}\n  nlts:      ${mine}`);
    });
  }
  assert.deepEqual(bad, []);
  assert.ok(compared > 150, `only ${compared} compared`);
});

test("oracle: keys print like ovs-dpctl normalize-actions (with and without -m)", { skip }, () => {
  const r = new Rng(0x0ac1f);
  let compared = 0;
  const bad: string[] = [];
  for (let i = 0; i < 120; i++) {
    const t = formatFlowKey(randomKey(r, 0, { ovsText: true }));
    if (t === "<empty>") continue;
    const verbose = r.bool();
    const p = spawnSync("ovs-dpctl", [...(verbose ? ["-m"] : []), "normalize-actions", t, "1"], {
      encoding: "utf8",
    });
    const m = /^input flow: (.*)$/m.exec(p.stdout);
    if (m === null) continue; // ovs-dpctl rejects some of its own output (nsh ttl=, ct_tuple6 ports)
    compared++;
    const mine = ours(() => formatFlowKey(parseFlowKey(t).key, undefined, { verbose }));
    if (mine !== m[1]) bad.push(`${t}\n  ovs-dpctl: ${m[1]}\n  nlts:      ${mine}`);
  }
  assert.deepEqual(bad, []);
  assert.ok(compared > 50, `only ${compared} compared`);
});
