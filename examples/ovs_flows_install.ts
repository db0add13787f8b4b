/**
 * Installs the flows of a file in the format of `ovs-dpctl add-flows` into datapath DP, many
 * requests per system call: one `[add|modify|delete] FLOW [ACTIONS]` per line (`#` comments,
 * FLOW may start with `ufid:UUID,`; `-` reads standard input). Prints what it did, and each
 * refused or unreadable line with its number on stderr. Needs the openvswitch module and
 * CAP_NET_ADMIN. Run:
 *
 *   deno run -A examples/ovs_flows_install.ts DP FILE [--batch N]
 *   bun examples/ovs_flows_install.ts DP FILE [--batch N]
 *
 * `--batch N`: requests per sendmsg (default 512). Exit status 1 when a line failed.
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { FlowTable, parseFlowLines } from "../src/ovs/mod.ts";

const args = process.argv.slice(2);
const at = args.indexOf("--batch");
const chunk = at >= 0 ? Number(args.splice(at, 2)[1]) : 512;
if (args.length !== 2 || !(chunk >= 1 && chunk <= 1024)) {
  console.error("usage: ovs_flows_install.ts DP FILE [--batch 1..1024]");
  process.exit(2);
}
const [dp, file] = args;

using flows = FlowTable.openSync(dp);
const text = readFileSync(file === "-" ? "/dev/stdin" : file, "utf8");
let failed = 0;
const lineOf: number[] = [];
// Lines are parsed as the batch consumes them: any file size in bounded memory.
function* ops() {
  for (const l of parseFlowLines(text)) {
    if (l.op) {
      lineOf.push(l.line);
      yield l.op;
    } else {
      console.error(`line ${l.line}: ${l.error?.message}`);
      failed++;
    }
  }
}
const t0 = performance.now();
const r = flows.batch(ops(), { chunk });
const ms = performance.now() - t0;
for (const e of r.errors) console.error(`line ${lineOf[e.index]}: ${e.error.message}`);
failed += r.errors.length;
console.log(
  `${r.ok} requests done in ${ms.toFixed(0)} ms (${Math.round(r.ok / ms * 1000)}/s), ` +
    `${failed} failed`,
);
process.exit(failed ? 1 : 0);
