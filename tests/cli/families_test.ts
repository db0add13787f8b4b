// The command line's catalog of family descriptions (src/cli/families.ts): every generated
// module is in it, and each family is found by its kernel name with the richer description.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { FAMILY_MODULES, knownFamily } from "../../src/cli/families.ts";

test("cli families: FAMILY_MODULES lists every module of src/families", () => {
  const dir = new URL("../../src/families/", import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
  assert.deepEqual(Object.keys(FAMILY_MODULES).sort(), files.sort());
});

test("cli families: known by kernel name, from nlts or from a generated module", async () => {
  const nlctrl = await knownFamily("nlctrl");
  assert.ok(nlctrl && nlctrl.spec.operations.getfamily);
  const tcp = await knownFamily("tcp_metrics");
  assert.equal(tcp?.source, "generated");
  assert.equal(tcp?.spec.name, "tcp_metrics");
  assert.equal((await knownFamily("ovs_datapath"))?.spec.name, "ovs_datapath");
  assert.equal(await knownFamily("rt-link"), undefined, "netlink-raw families are not genl ones");
  assert.equal(await knownFamily("no_such_family_here"), undefined);
});
