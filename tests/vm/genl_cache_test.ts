/**
 * In the VM guest: family ids change when a module is reloaded (the kernel allocates them
 * cyclically), and the per-socket cache of GenlSocket follows: the controller's "notify"
 * announcement drops the cached id, and a Family holding a stale id re-resolves on ENOENT.
 *
 * @module
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { attrSet, defineFamily, GenlSocket, t } from "../../src/genl/mod.ts";

const IN_VM = process.env.NLTS_IN_VM === "1";
const skip = IN_VM ? false : "runs only in the VM guest (deno task test:vm)";

// Just enough of ovs_datapath to dump datapaths (the full description lives in src/ovs).
const dpAttrs = attrSet("ovs-dp-attrs", { name: [1, t.string()] });
const ovsDatapath = defineFamily({
  name: "ovs_datapath",
  version: 2,
  header: t.struct("ovs-header", { dpIfindex: t.s32() }),
  attrs: dpAttrs,
  operations: { get: { cmd: 3, do: true, dump: true } },
});

/** Deletes every datapath (earlier test files in the same guest may leave some). */
function deleteAllDatapaths(): void {
  const dps = execFileSync("ovs-dpctl", ["dump-dps"], { encoding: "utf8" }).split("\n")
    .map((l) => l.trim()).filter((l) => l !== "");
  for (const dp of dps) execFileSync("ovs-dpctl", ["del-dp", dp], { stdio: "ignore" });
}

function reload(): void {
  deleteAllDatapaths(); // a datapath holds the module, and so do the tunnel vport modules
  execFileSync("sh", [
    "-c",
    "for m in vport_vxlan vport_geneve vport_gre; do rmmod $m 2>/dev/null; done; " +
    "rmmod openvswitch && modprobe openvswitch",
  ], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

test(
  "vm: genl cache follows a module reload (notify) and a stale id retries once",
  { skip },
  () => {
    deleteAllDatapaths();
    using genl = GenlSocket.open();
    const before = genl.resolve("ovs_datapath").id;
    const fam = genl.family(ovsDatapath);
    assert.equal(fam.id, before);
    assert.deepEqual(fam.dumpSync("get").length, 0);
    reload();
    const after = genl.resolve("ovs_datapath").id;
    assert.notEqual(after, before, "the reloaded module got a new family id");
    // `fam` still holds the old id: its request fails with ENOENT, re-resolves, and succeeds.
    execFileSync("ovs-dpctl", ["add-dp", "nltscache0"]);
    try {
      const dps = fam.dumpSync("get").map((m) => m.attrs.name);
      assert.deepEqual(dps, ["nltscache0"]);
      assert.equal(fam.id, after);
    } finally {
      execFileSync("ovs-dpctl", ["del-dp", "nltscache0"]);
    }
  },
);
