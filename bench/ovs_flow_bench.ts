/**
 * Open vSwitch flow tables at scale: nlts under Deno and Bun against ovs-dpctl and a plain C
 * dump loop, on the same table in the same run. Needs root and the openvswitch module, so it
 * runs in a guest: `deno task bench:vm` (QEMU) or `deno task bench:uml` (user-mode-linux, whose
 * kernel runs at native speed); elsewhere it prints "not measured".
 *
 * With N flows (NLTS_BENCH_FLOWS, default 100000: one mask, a UFID each):
 * - `ovs_flow_install_cold_per_s`, `ovs_flow_install_per_s`: `FlowTable.newBatch` of N typed
 *   flows built before the clock (each runtime flushes and installs the whole table: the first,
 *   cold, run of the process includes the JIT's warm-up; then the steady state, best of
 *   NLTS_BENCH_ROUNDS); `ovs_flow_install_generated_per_s`: once more, the flows made by a
 *   generator during the call (input and install together);
 *   `ovs-dpctl ovs_flow_install_per_s`: `ovs-dpctl add-flows` of min(N, 20000) text lines;
 * - `ovs_flow_dump_decoded_per_s`: `FlowTable.dumpSync`, every flow decoded into a typed
 *   `Flow` (key, mask, actions, UFID, statistics), best of NLTS_BENCH_ROUNDS (default 3);
 * - `ovs_flow_dump_text_per_s`: the same plus each flow printed as ovs-dpctl prints it;
 * - `ovs_flow_dump_async_per_s`: the async iterator `FlowTable.dump` (best of the rounds too,
 *   each after a round of the decoded dump);
 * - `ovs-dpctl ovs_flow_dump_text_per_s`: `ovs-dpctl dump-flows DP > /dev/null`, process
 *   start included;
 * - `c ovs_flow_dump_walk_per_s`: bench/c/ovs_flow_dump.c (compiled with the guest's cc),
 *   which walks every attribute without building anything;
 * - `c ovs_flow_install_per_s`: bench/c/ovs_flow_install.c, the same N flows installed the way
 *   newBatch does (512 requests per sendmsg) from a patched template: the kernel's own cost.
 *
 * Lines are `RUNTIME NAME VALUE`, then the ratios to ovs-dpctl.
 *
 * @module
 */
import process from "node:process";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenlSocket } from "../src/genl/family.ts";
import { type FlowInit, FlowTable, monotonicMs } from "../src/ovs/flow.ts";
import { formatFlow } from "../src/ovs/odp_text.ts";
import { flowOf, srcOf } from "./_ovs_flows.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const runtime = isBun ? "bun" : "deno";
const N = Number(process.env.NLTS_BENCH_FLOWS ?? 100_000);
const ROUNDS = Number(process.env.NLTS_BENCH_ROUNDS ?? 3);
const DP = "nltsbench";
const self = new URL(import.meta.url).pathname;
const root = new URL("../", import.meta.url).pathname;

/** UFIDs per shared buffer: the input's UFIDs are views into it. */
const UFIDS_PER_SLAB = 4096;

function* flows(n: number): Generator<FlowInit> {
  let slab = new Uint8Array(0), at = 0;
  for (let i = 0; i < n; i++) {
    // Each UFID is a 16-byte view into a buffer shared by 4096 flows, as an application keeping
    // its UFIDs in a table would hand them over: a fresh ArrayBuffer per flow cost Deno ~0.9 us
    // per flow in the user-mode-linux guest (this loop alone 480-505k flows/s, 760-930k with
    // the views), more than the library spends encoding the flow; the C loop builds no input.
    if (at === slab.length) {
      slab = new Uint8Array(16 * UFIDS_PER_SLAB);
      at = 0;
    }
    const ufid = slab.subarray(at, at + 16);
    at += 16;
    // The flow's number, little-endian, in bytes 0-3. Byte stores, not a DataView: reading a
    // small array's .buffer makes JavaScriptCore move its bytes out of the collector's heap
    // (18% of a Bun install profile, all of it this loop's, none of it the library's).
    ufid[0] = i & 255;
    ufid[1] = (i >> 8) & 255;
    ufid[2] = (i >> 16) & 255;
    ufid[3] = i >>> 24;
    ufid[15] = 0xbe;
    yield flowOf(i, ufid);
  }
}

function report(who: string, name: string, value: number): void {
  console.log(`${who} ${name} ${Math.round(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Workers: one measurement in this runtime.

function workerInstall(): void {
  using table = FlowTable.openSync(DP);
  // The N flows, built before the clock (the C loop builds nothing: it patches a template), so
  // that the figure is newBatch's and the kernel's; building them during the call cost more
  // than the library in the guest (Bun: 2-4 us per flow of allocation there).
  const input = [...flows(N)];
  // The first run of the process pays for the JIT's warm-up (cold); then the steady state of a
  // long-running client (warm, best of the rounds like the dumps). The table is flushed before
  // each.
  const install = (what: Iterable<FlowInit>): number => {
    table.flushSync();
    const t0 = performance.now();
    const r = table.newBatch(what);
    const ms = performance.now() - t0;
    if (r.ok !== N) throw new Error(`installed ${r.ok} of ${N}: ${r.errors[0]?.error.message}`);
    return N / ms * 1000;
  };
  report(runtime, "ovs_flow_install_cold_per_s", install(input));
  let top = 0;
  for (let r = 0; r < ROUNDS; r++) top = Math.max(top, install(input));
  report(runtime, "ovs_flow_install_per_s", top);
  // As before: the flows made by a generator during the call, input and install together.
  report(runtime, "ovs_flow_install_generated_per_s", install(flows(N)));
}

/** Flows per second of one dump by `fn` (which returns how many flows it saw: N). */
function rate(fn: () => number): number {
  const t0 = performance.now();
  const n = fn();
  const r = n / (performance.now() - t0) * 1000;
  if (n !== N) throw new Error(`dumped ${n} flows, expected ${N}`);
  return r;
}

function best(fn: () => number): number {
  let top = 0;
  for (let r = 0; r < ROUNDS; r++) top = Math.max(top, rate(fn));
  return top;
}

async function workerDump(): Promise<void> {
  using table = FlowTable.openSync(DP);
  let sink = 0;
  // The sync and async dumps in alternate rounds (the same heap and JIT state for both: an
  // async dump measured after the text dumps ran behind one measured before them), best of
  // each; then the text dumps.
  let syncTop = 0, asyncTop = 0;
  for (let r = 0; r < ROUNDS; r++) {
    syncTop = Math.max(
      syncTop,
      rate(() =>
        table.dumpSync((f) => {
          sink += f.key?.inPort ?? 0;
        })
      ),
    );
    const t0 = performance.now();
    let n = 0;
    for await (const f of table.dump()) n += f.ufid ? 1 : 0;
    if (n !== N) throw new Error(`async dump: ${n} flows`);
    asyncTop = Math.max(asyncTop, n / (performance.now() - t0) * 1000);
  }
  report(runtime, "ovs_flow_dump_decoded_per_s", syncTop);
  report(
    runtime,
    "ovs_flow_dump_text_per_s",
    best(() => {
      const now = monotonicMs();
      return table.dumpSync((f) => {
        sink += formatFlow(f, { now }).length;
      });
    }),
  );
  report(runtime, "ovs_flow_dump_async_per_s", asyncTop);
  if (sink === 0) throw new Error("nothing decoded");
}

// ---------------------------------------------------------------------------------------------
// The driver: the same table for every contender.

function available(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root";
  try {
    using genl = GenlSocket.open();
    genl.resolve("ovs_flow");
  } catch {
    return "no openvswitch module: deno task bench:vm (QEMU) or bench:uml runs it in a guest";
  }
  return undefined;
}

// The user-mode-linux guest has one CPU and no vDSO: every clock_gettime is a system call.
// Bun's concurrent collector then costs its main thread about one clock_gettime per dumped
// flow (strace in the guest, 3 rounds of sync, async and text dumps of 100,000 flows: 833,707
// calls on the main thread; 9,042 with BUN_JSC_useConcurrentGC=0, which also took the sync
// dump from 201k to 278k flows/s in the same guest). Deno's main thread made 8,862. What
// drives them is allocation while a collection marks, scaled by the live heap: JavaScriptCore
// polls its mutator scheduler's clock (shouldStop/timeToStop, MonotonicTime::now) from the
// allocation slow path while it marks concurrently, and on one CPU the marking spans much more
// of the mutator's allocation. Loops of 1,000,000 allocations in the guest (strace -f -c
// --seccomp-bpf), calls with an empty heap / with 300,000 small objects kept alive (building
// them alone: 66 / 47,094): a 3-field object literal 2,267 / 39,002, `new Array(1)` 5,489 /
// 103,011, a 16-byte slice() 4,776 / 70,442, `new Uint8Array(16)` and set() 2,580 / 93,964, a
// string concatenation 2,167 / 80,053. So the runtime's own allocations (array storage, typed
// arrays, strings) drive it far more than objects the JIT allocates inline, and the live heap
// multiplies it; the host, with the same JSC options and one CPU seen, makes ~10x fewer calls.
// A decoded flow holds ~19 cells (the Flow and its FlowAttrs, 3 Uint8Arrays of 2 cells each, 7
// key and mask objects, an actions array, its storage and its item, the source address); a
// printed one adds its strings. The workers run each runtime as a user would, with defaults.
function runWorker(rt: "deno" | "bun", what: string): Record<string, number> {
  const cmd = rt === "deno" ? Deno.execPath() : "bun";
  const args = rt === "deno" ? ["run", "-A", self, "--worker", what] : [self, "--worker", what];
  const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (r.error) {
    console.log(`${rt} ${what}: not measured (${r.error.message})`);
    return {};
  }
  if (r.status !== 0) throw new Error(`${rt} ${what} worker failed (${r.status})`);
  process.stdout.write(r.stdout);
  const out: Record<string, number> = {};
  for (const line of r.stdout.split("\n")) {
    const [, name, v] = line.split(" ");
    if (v !== undefined) out[name] = Number(v);
  }
  return out;
}

function timeCommand(cmd: string, args: string[]): number {
  const t0 = performance.now();
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "inherit"], maxBuffer: 1 << 30 });
  return performance.now() - t0;
}

function driver(): void {
  const why = available();
  if (why) {
    console.log(`${runtime} ovs_flow: not measured (${why})`);
    return;
  }
  if (isBun) {
    // The Deno run drives both runtimes on one table; a second driver would only repeat it.
    console.log("bun ovs_flow: measured by the Deno run (deno run -A bench/ovs_flow_bench.ts)");
    return;
  }
  spawnSync("ovs-dpctl", ["del-dp", DP], { stdio: "ignore" });
  execFileSync("ovs-dpctl", ["add-dp", DP]);
  const tmp = join(tmpdir(), `nlts-flow-bench-${process.pid}`);
  try {
    console.log(`# ${N} flows in system@${DP}, best of ${ROUNDS} dumps`);
    const res: Record<string, Record<string, number>> = { deno: {}, bun: {} };
    for (const rt of ["deno", "bun"] as const) Object.assign(res[rt], runWorker(rt, "install"));
    for (const rt of ["deno", "bun"] as const) Object.assign(res[rt], runWorker(rt, "dump"));

    let dpctlDump = 0;
    for (let r = 0; r < ROUNDS; r++) {
      dpctlDump = Math.max(dpctlDump, N / timeCommand("ovs-dpctl", ["dump-flows", DP]) * 1000);
    }
    report("ovs-dpctl", "ovs_flow_dump_text_per_s", dpctlDump);

    const ifindex = readFileSync(`/sys/class/net/${DP}/ifindex`, "utf8").trim();
    const bin = `${tmp}-dump`;
    const cc = spawnSync("cc", ["-O2", "-o", bin, `${root}bench/c/ovs_flow_dump.c`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (cc.status === 0) {
      process.stdout.write(execFileSync(bin, [ifindex, String(ROUNDS)], { encoding: "utf8" }));
    } else console.log("c ovs_flow_dump: not measured (no C compiler)");

    const install = `${tmp}-install`;
    const cci = spawnSync("cc", ["-O2", "-o", install, `${root}bench/c/ovs_flow_install.c`], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (cci.status === 0) {
      execFileSync("ovs-dpctl", ["del-flows", DP]);
      process.stdout.write(execFileSync(install, [ifindex, String(N)], { encoding: "utf8" }));
    } else console.log("c ovs_flow_install: not measured (no C compiler)");

    const M = Math.min(N, 20_000);
    const file = `${tmp}.flows`;
    const lines: string[] = [];
    for (let i = 0; i < M; i++) {
      lines.push(`in_port(1),eth(),eth_type(0x0800),ipv4(src=${srcOf(i)},frag=no) 2`);
    }
    writeFileSync(file, lines.join("\n") + "\n");
    execFileSync("ovs-dpctl", ["del-flows", DP]);
    const dpctlInstall = M / timeCommand("ovs-dpctl", ["add-flows", DP, file]) * 1000;
    report("ovs-dpctl", "ovs_flow_install_per_s", dpctlInstall);

    for (const rt of ["deno", "bun"] as const) {
      const r = res[rt];
      if (r.ovs_flow_dump_decoded_per_s) {
        console.log(
          `ratio ${rt}_decoded_dump_vs_ovs-dpctl ${
            (r.ovs_flow_dump_decoded_per_s / dpctlDump).toFixed(2)
          }`,
        );
        console.log(
          `ratio ${rt}_text_dump_vs_ovs-dpctl ${
            (r.ovs_flow_dump_text_per_s / dpctlDump).toFixed(2)
          }`,
        );
      }
      if (r.ovs_flow_install_per_s) {
        console.log(
          `ratio ${rt}_install_vs_ovs-dpctl ${
            (r.ovs_flow_install_per_s / dpctlInstall).toFixed(2)
          }`,
        );
      }
    }
  } finally {
    spawnSync("ovs-dpctl", ["del-dp", DP], { stdio: "ignore" });
    rmSync(`${tmp}-dump`, { force: true });
    rmSync(`${tmp}-install`, { force: true });
    rmSync(`${tmp}.flows`, { force: true });
  }
}

const worker = process.argv.indexOf("--worker");
if (worker >= 0) {
  const what = process.argv[worker + 1];
  if (what === "install") workerInstall();
  else if (what === "dump") await workerDump();
  else throw new Error(`unknown worker ${what}`);
} else {
  driver();
}
