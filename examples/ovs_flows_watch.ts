/**
 * Prints the flow notifications of datapath DP (the `ovs_flow` multicast group): flows
 * created, modified or deleted by anyone (ovs-vswitchd, ovs-dpctl, nlts), one line each, the
 * flow in ovs-dpctl's verbose syntax (`dump-flows -m`). Until Ctrl-C or `--count N` events. "watching"
 * goes to stderr once the group is joined. Run:
 *
 *   deno run -A examples/ovs_flows_watch.ts DP [--count N]
 *   bun examples/ovs_flows_watch.ts DP [--count N]
 *
 * A line reads `new ufid:..., recirc_id(0/0),...,in_port(1),..., packets:0, bytes:0,
 * used:never, actions:2`. Deleted flows carry their last counters. Flushes send nothing.
 *
 * @module
 */
import process from "node:process";
import { FlowTable, formatFlow, monotonicMs } from "../src/ovs/mod.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--count");
const count = at >= 0 ? Number(args.splice(at, 2)[1]) : Infinity;
if (args.length !== 1 || !(count > 0)) {
  console.error("usage: ovs_flows_watch.ts DP [--count N]");
  process.exit(2);
}

using flows = FlowTable.openSync(args[0]);
const ac = new AbortController();
process.on("SIGINT", () => ac.abort());
using events = flows.subscribe({ signal: ac.signal });
console.error(`watching the flows of ${args[0]}`);
let seen = 0;
for await (const e of events) {
  console.log(`${e.event} ${formatFlow(e.flow, { now: monotonicMs(), verbose: true })}`);
  if (++seen >= count) break;
}
ac.abort();
