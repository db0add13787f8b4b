/**
 * Creates an Open vSwitch datapath with two internal ports, prints it the way
 * `ovs-dpctl show` would, and deletes it again (unless `--keep`). Needs the openvswitch
 * module and CAP_NET_ADMIN. Run:
 *
 *   deno run -A examples/ovs_datapath.ts [NAME] [--keep]
 *   bun examples/ovs_datapath.ts [NAME] [--keep]
 *
 * NAME defaults to "nlts-demo" (at most 13 characters: the ports are NAME-a and NAME-b).
 *
 * @module
 */
import process from "node:process";
import { OvsClient } from "../src/ovs/mod.ts";

const args = process.argv.slice(2);
const keep = args.includes("--keep");
const name = args.find((a) => !a.startsWith("--")) ?? "nlts-demo";
if (name.length > 13) {
  console.error("usage: ovs_datapath.ts [NAME] [--keep]  (NAME: at most 13 characters)");
  process.exit(2);
}

using ovs = OvsClient.open();
const dp = await ovs.newDatapath(name);
await ovs.newVport(name, `${name}-a`, { type: "internal" });
await ovs.newVport(name, `${name}-b`, { type: "internal" });

const d = await ovs.getDatapath(dp.ifindex);
console.log(
  `system@${d.name}: ifindex ${d.ifindex}, features ${d.userFeatures.join(",")}, ` +
    `masks cache ${d.masksCacheSize ?? "-"}`,
);
console.log(
  `  lookups: hit:${d.stats?.hit} missed:${d.stats?.missed} lost:${d.stats?.lost} flows:${d.stats?.flows}`,
);
for (const p of await ovs.dumpVports(d.ifindex)) {
  console.log(`  port ${p.portNo}: ${p.name} (${p.type}) ifindex ${p.ifindex}`);
}
if (!keep) {
  await ovs.delDatapath(d.ifindex);
  console.log(`deleted system@${name}`);
}
