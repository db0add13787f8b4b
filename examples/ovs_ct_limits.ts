/**
 * Sets Open vSwitch conntrack limits (per network namespace: a default for every zone and
 * limits for single zones) and prints them with their current connection counts, in
 * `ovs-dpctl ct-get-limits` format. With no arguments it only prints. Run:
 *
 *   deno run -A examples/ovs_ct_limits.ts [default=N] [zone=Z,limit=N]... [--del zone=Z]
 *   bun examples/ovs_ct_limits.ts default=1000 zone=3,limit=10
 *
 * @module
 */
import process from "node:process";
import { OvsClient } from "../src/ovs/mod.ts";

let defaultLimit: number | undefined;
const zones: { zone: number; limit: number }[] = [];
const del: number[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  let m: RegExpExecArray | null;
  if ((m = /^default=(\d+)$/.exec(a))) defaultLimit = Number(m[1]);
  else if ((m = /^zone=(\d+),limit=(\d+)$/.exec(a))) {
    zones.push({ zone: Number(m[1]), limit: Number(m[2]) });
  } else if (a === "--del" && /^zone=\d+$/.test(args[i + 1] ?? "")) {
    del.push(Number(args[++i].slice(5)));
  } else {
    console.error("usage: ovs_ct_limits.ts [default=N] [zone=Z,limit=N]... [--del zone=Z]");
    process.exit(2);
  }
}

using ovs = OvsClient.open();
if (defaultLimit !== undefined || zones.length) await ovs.setCtLimits({ defaultLimit, zones });
if (del.length) await ovs.delCtLimits(del);
const limits = await ovs.getCtLimits();
console.log(`default limit=${limits.defaultLimit ?? 0}`);
for (const z of limits.zones.sort((a, b) => a.zone - b.zone)) {
  console.log(`zone=${z.zone},limit=${z.limit},count=${z.count}`);
}
