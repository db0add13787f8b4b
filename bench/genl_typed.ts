/**
 * The nlts client of bench/genl_bench.ts: the four workloads of bench/c/genl_workloads.c through
 * the public typed API, every reply decoded into its objects by the families' codecs, with the
 * same checksums taken from the decoded values. One timed round per process; prints
 * `RUNTIME-nlts WORKLOAD US_PER_OP CHECKSUM CPU_US_PER_OP` (wall time, then the process's CPU
 * time, all threads).
 *
 *   deno run -A bench/genl_typed.ts RTT FAMS FEATS NETDEVS
 *   bun bench/genl_typed.ts RTT FAMS FEATS NETDEVS
 *
 * @module
 */
import process from "node:process";
import { ethtool, GenlSocket, netdev, nlctrl } from "../src/genl/mod.ts";

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const iters = process.argv.slice(2).map(Number);
/** Least warm-up time per workload (NLTS_BENCH_WARMUP_MS, default 1500). */
const WARMUP_MS = Number(process.env.NLTS_BENCH_WARMUP_MS ?? 1500);
if (iters.length !== 4 || iters.some((n) => !(n > 0))) {
  throw new TypeError("Cannot run the typed client: pass four iteration counts");
}

using genl = GenlSocket.open();
const ctrl = genl.family(nlctrl);
const eth = genl.family(ethtool);
const dev = genl.family(netdev);
const featuresRequest = { header: {} };

const workloads: [string, () => string][] = [
  ["getfamily", () => {
    const r = ctrl.doSync("getfamily", { familyName: "nlctrl" });
    return `${r?.familyId}:${r?.ops?.length ?? 0}`;
  }],
  ["families", () => {
    let ids = 0, ops = 0;
    const all = ctrl.dumpSync("getfamily");
    for (const f of all) {
      ids += f.attrs.familyId ?? 0;
      ops += f.attrs.ops?.length ?? 0;
    }
    return `${all.length}:${ids}:${ops}`;
  }],
  ["features", () => {
    let ifindex = 0, bits = 0, set = 0;
    const all = eth.dumpSync("features-get", featuresRequest);
    for (const { attrs: a } of all) {
      ifindex += a.header?.devIndex ?? 0;
      for (const b of [a.hw, a.wanted, a.active, a.nochange]) {
        for (const bit of b?.bits?.bit ?? []) {
          bits++;
          if (bit.value) set++;
        }
      }
    }
    return `${all.length}:${ifindex}:${bits}:${set}`;
  }],
  ["netdev", () => {
    let ifindex = 0, xdp = 0;
    const all = dev.dumpSync("dev-get");
    for (const { attrs: a } of all) {
      ifindex += a.ifindex ?? 0;
      xdp += a.xdpFeatures?.length ?? 0;
    }
    return `${all.length}:${ifindex}:${xdp}`;
  }],
];

workloads.forEach(([name, run], i) => {
  // Warm up for a tenth of the count and at least WARMUP_MS (a JIT tiers up in the background:
  // a short timed loop would also time its compiler threads).
  const warm = performance.now() + WARMUP_MS;
  for (let k = 0; k < iters[i] / 10 + 1 || performance.now() < warm; k++) run();
  let sum = "";
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let k = 0; k < iters[i]; k++) sum = run();
  const c = process.cpuUsage(c0);
  const us = (performance.now() - t0) * 1000 / iters[i];
  const cpu = (c.user + c.system) / iters[i];
  console.log(`${runtime}-nlts ${name} ${us.toFixed(3)} ${sum} ${cpu.toFixed(3)}`);
});
