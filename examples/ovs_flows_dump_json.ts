/**
 * Dumps the flow table of datapath DP as JSON on stdout: an array with one object per flow,
 * written as the dump goes (constant memory for any table size). Each object has the UFID,
 * the flow and its actions as ovs-dpctl prints them, the typed key, mask and action list, and
 * the counters. `--terse` asks the kernel to leave out the key, mask and actions of flows that
 * have a UFID (the OVS_UFID_F_OMIT_* flags). Run:
 *
 *   deno run -A examples/ovs_flows_dump_json.ts DP [--terse]
 *   bun examples/ovs_flows_dump_json.ts DP [--terse] | jq '.[].packets'
 *
 * @module
 */
import process from "node:process";
import { writeSync } from "node:fs";
import {
  type Flow,
  FlowTable,
  formatActions,
  formatFlowKey,
  formatUfid,
  monotonicMs,
} from "../src/ovs/mod.ts";

const args = process.argv.slice(2);
const terse = args.includes("--terse");
const dp = args.find((a) => !a.startsWith("--"));
if (dp === undefined || args.length > 2) {
  console.error("usage: ovs_flows_dump_json.ts DP [--terse]");
  process.exit(2);
}

/** bigints as numbers when exact, byte arrays as hex. */
function replacer(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : String(v);
  if (v instanceof Uint8Array) {
    return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return v;
}

function toJson(f: Flow, now: bigint): string {
  return JSON.stringify({
    ufid: f.ufid ? formatUfid(f.ufid) : undefined,
    flow: f.key ? formatFlowKey(f.key, f.mask) : undefined,
    actions: f.actions ? formatActions(f.actions) : undefined,
    key: f.key,
    mask: f.mask,
    actionList: f.actions,
    packets: f.stats?.packets ?? 0n,
    bytes: f.stats?.bytes ?? 0n,
    usedMsAgo: f.used ? now - f.used : null,
    tcpFlags: f.tcpFlags ?? 0,
  }, replacer);
}

let pending = "";
const write = (s: string) => {
  pending += s;
  if (pending.length > 1 << 16) {
    writeSync(1, pending);
    pending = "";
  }
};

using flows = FlowTable.openSync(dp);
const now = monotonicMs();
let n = 0;
write("[");
flows.dumpSync((f) => write(`${n++ ? "," : ""}\n  ${toJson(f, now)}`), {
  omit: terse ? ["key", "mask", "actions"] : undefined,
});
write(n ? "\n]\n" : "]\n");
writeSync(1, pending);
