/**
 * One fresh process's measure for `bench/ynl_bench.ts` (run by it, one process per spec, so an
 * earlier load does not warm the JIT): `loadSpec(PATH)` the first time in this process, then
 * the first use of operation OP (encoding an empty request, decoding an empty reply: the sets
 * a loaded family builds at their first use), then the fastest of later loads. Prints one JSON
 * line: `{ firstWall, firstCpu, useWall, useCpu, best }` in ms (CPU: user + system, JIT and GC
 * threads included).
 *
 *   deno run -A bench/ynl_load_child.ts PATH OP [LATER_LOADS]
 *   bun bench/ynl_load_child.ts PATH OP [LATER_LOADS]
 *
 * @module
 */
import process from "node:process";
import { NetlinkWriter } from "../src/protocol/mod.ts";
import { loadSpec } from "../src/ynl/mod.ts";

const [path, op, later = "10"] = process.argv.slice(2);

/** CPU time of this process so far (user + system), in ms. */
function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

let w = performance.now(), c = cpu();
const family = loadSpec(path);
const firstWall = performance.now() - w, firstCpu = cpu() - c;

w = performance.now(), c = cpu();
const o = family.operations[op];
if (o === undefined) throw new Error(`${family.name} has no operation ${op}`);
o.request.encode(new NetlinkWriter(), {});
o.reply.decode(new Uint8Array(0));
const useWall = performance.now() - w, useCpu = cpu() - c;

let best = Infinity;
for (let i = 0; i < Number(later); i++) {
  const t0 = performance.now();
  loadSpec(path);
  best = Math.min(best, performance.now() - t0);
}
console.log(JSON.stringify({ firstWall, firstCpu, useWall, useCpu, best }));
