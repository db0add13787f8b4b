/**
 * Listens for the upcalls of an Open vSwitch datapath: registers its own netlink socket as
 * the upcall receiver of every port (per-port dispatch) or of every CPU (per-CPU dispatch),
 * prints one line per upcall, and puts the previous receivers back on exit (Ctrl-C or after
 * `--count N` upcalls). With no flows in the datapath, every packet entering a port is a MISS
 * upcall. Run:
 *
 *   deno run -A examples/ovs_upcalls.ts DP [--count N]
 *   bun examples/ovs_upcalls.ts DP [--count N]
 *
 * A line reads `miss in_port=1 len=48 02:00:00:00:00:03 < 6a:0e:9d:59:86:37 type 0x0800`.
 * "listening" goes to stderr once the socket is registered.
 *
 * @module
 */
import process from "node:process";
import { keyInPort, OvsClient } from "../src/ovs/mod.ts";

const args = process.argv.slice(2);
const i = args.indexOf("--count");
const count = i >= 0 ? Number(args[i + 1]) : Infinity;
const dpName = args.find((a, j) => !a.startsWith("--") && (i < 0 || j !== i + 1));
if (!dpName || !(count > 0)) {
  console.error("usage: ovs_upcalls.ts DP [--count N]");
  process.exit(2);
}

using ovs = OvsClient.open();
const dp = await ovs.getDatapath(dpName);
using sock = ovs.openUpcallSocket();
const perCpu = dp.userFeatures.includes("dispatchUpcallPerCpu");
const saved = new Map<number, number[]>();
if (perCpu) {
  await ovs.setDatapath(dp.ifindex, { perCpuPids: [sock.portid] });
} else {
  for (const p of await ovs.dumpVports(dp.ifindex)) {
    saved.set(p.portNo, p.upcallPids);
    await ovs.setVport(dp.ifindex, p.portNo, { upcallPids: [sock.portid] });
  }
}

const ac = new AbortController();
process.on("SIGINT", () => ac.abort());
console.error(`listening for upcalls of system@${dp.name} on netlink port ${sock.portid}`);

const mac = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
let seen = 0;
try {
  for await (const u of sock.upcalls({ signal: ac.signal })) {
    const p = u.packet;
    const type = p.length >= 14 ? (p[12] << 8) | p[13] : 0;
    console.log(
      `${u.cmd} in_port=${keyInPort(u.key)} len=${u.len ?? p.length} ${mac(p.subarray(0, 6))} < ${
        mac(p.subarray(6, 12))
      } type 0x${type.toString(16).padStart(4, "0")}`,
    );
    if (++seen >= count) break;
  }
} finally {
  if (perCpu) await ovs.setDatapath(dp.ifindex, { perCpuPids: dp.perCpuPids ?? [0] });
  for (const [portNo, pids] of saved) {
    await ovs.setVport(dp.ifindex, portNo, { upcallPids: pids }).catch(() => {});
  }
}
