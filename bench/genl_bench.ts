/**
 * `deno task bench` part (issue 14): the typed generic netlink path beside its floors, in one run.
 * Four workloads, each reply fully decoded by every client and checked against the C walk
 * (counts and checksums, see bench/c/genl_workloads.c):
 * - `getfamily`: nlctrl CTRL_CMD_GETFAMILY "nlctrl" round trip with ACK
 *   (`GenlSocket.family(nlctrl).doSync("getfamily")`);
 * - `families`: the dump of every family (`family(nlctrl).dumpSync("getfamily")`);
 * - `features`: ethtool features-get dump over 1,001 devices, verbose bitsets
 *   (`family(ethtool).dumpSync("features-get")`);
 * - `netdev`: netdev dev-get dump over 1,001 devices (`family(netdev).dumpSync("dev-get")`).
 *
 * Clients: C (bench/c/genl_workloads.c), libnl-genl (bench/c/libnl_workloads.c, when
 * `pkg-config libnl-genl-3.0` finds it), the plain-FFI floor (bench/genl_floor.ts) and nlts
 * (bench/genl_typed.ts) under Deno and Bun. Each round runs every client once, in a rotated
 * order (the machine may be loaded: interleaving spreads the load over all), each client in its
 * own process inside a temporary network namespace holding lo and 500 veth pairs (needs root and
 * iproute2; removed at the end). Prints the medians over the rounds as microseconds and as ratios
 * to C, with the load average before and after: wall time per operation, then the process's CPU
 * time per operation (user and system, all threads: GC and JIT helpers count). On a machine
 * shared with other work the wall time also holds the time spent waiting for a core; the CPU
 * time much less so.
 *
 *   deno run -A bench/genl_bench.ts
 *
 * Environment: `NLTS_BENCH_ROUNDS` (default 5), `NLTS_BENCH_ITERATIONS` (round trips per round,
 * default 20000; the dumps scale with it), `NLTS_BENCH_WARMUP_MS` (each client warms each
 * workload up for a tenth of its count and at least this long, default 1500: a JIT that is still
 * compiling in the background would be timed with it, compiler threads' CPU time included; with
 * 500 ms, Bun's round trip measured about twice its steady CPU time on a loaded machine), `NLTS_BENCH_BASELINE=DIR` adds the nlts
 * client of another checkout (DIR/bench/genl_typed.ts) as "base" for A/B comparisons in the
 * same run.
 *
 * @module
 */
import process from "node:process";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PAIRS = 500;
const DEVICES = 2 * PAIRS + 1;
const WORKLOADS = ["getfamily", "families", "features", "netdev"] as const;
const rounds = Number(process.env.NLTS_BENCH_ROUNDS ?? 5);
const rtt = Number(process.env.NLTS_BENCH_ITERATIONS ?? 20000);
const iterations = [rtt, Math.ceil(rtt / 10), Math.ceil(rtt / 1000), Math.ceil(rtt / 50)];
const bench = new URL(".", import.meta.url).pathname;

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}
function has(cmd: string, args: string[]): boolean {
  try {
    run(cmd, args);
    return true;
  } catch {
    return false;
  }
}
function load(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

const out = mkdtempSync(join(tmpdir(), "nlts-genl-bench-"));
const clients: { name: string; cmd: string[] }[] = [];
if (!has("cc", ["--version"])) {
  console.log("genl_bench: not measured (no C compiler for the baseline)");
  process.exit(0);
}
run("cc", ["-O2", "-o", join(out, "c"), join(bench, "c/genl_workloads.c")]);
clients.push({ name: "c", cmd: [join(out, "c")] });
if (has("pkg-config", ["--exists", "libnl-genl-3.0"])) {
  const flags = run("pkg-config", ["--cflags", "--libs", "libnl-genl-3.0"]).trim().split(/\s+/);
  run("cc", ["-O2", "-o", join(out, "libnl"), join(bench, "c/libnl_workloads.c"), ...flags]);
  clients.push({ name: "libnl", cmd: [join(out, "libnl")] });
} else {
  console.log("libnl: not measured (apt-get install libnl-genl-3-dev)");
}
const runtimes: [string, string[]][] = [];
if (has("deno", ["--version"])) runtimes.push(["deno", ["deno", "run", "-A"]]);
if (has("bun", ["--version"])) runtimes.push(["bun", ["bun"]]);
const baseline = process.env.NLTS_BENCH_BASELINE;
for (const [rt, cmd] of runtimes) {
  clients.push({ name: `${rt}-ffi`, cmd: [...cmd, join(bench, "genl_floor.ts")] });
  clients.push({ name: `${rt}-nlts`, cmd: [...cmd, join(bench, "genl_typed.ts")] });
  if (baseline) {
    clients.push({ name: `${rt}-base`, cmd: [...cmd, join(baseline, "bench/genl_typed.ts")] });
  }
}

const ns = `nlts-bench-${process.pid}`;
const times = new Map<string, number[]>();
const cpus = new Map<string, number[]>();
const sums = new Map<string, string>();
const loadBefore = load();
let created = false;
try {
  run("ip", ["netns", "add", ns]);
  created = true;
  const batch = join(out, "veth.batch");
  const lines: string[] = [];
  for (let i = 0; i < PAIRS; i++) lines.push(`link add b${i}a type veth peer name b${i}b`);
  writeFileSync(batch, lines.join("\n") + "\n");
  run("ip", ["-n", ns, "-batch", batch]);

  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < clients.length; k++) {
      const client = clients[(k + r) % clients.length];
      const [cmd, ...args] = client.cmd;
      const text = run("ip", ["netns", "exec", ns, cmd, ...args, ...iterations.map(String)]);
      for (const line of text.trim().split("\n")) {
        const [, workload, us, sum, cpu] = line.split(" ");
        const key = `${client.name} ${workload}`;
        (times.get(key) ?? times.set(key, []).get(key)!).push(Number(us));
        // (a baseline tree from before the CPU column prints none)
        if (cpu !== undefined) (cpus.get(key) ?? cpus.set(key, []).get(key)!).push(Number(cpu));
        const want = sums.get(workload);
        if (want === undefined) sums.set(workload, sum);
        else if (want !== sum) {
          throw new Error(`${client.name} ${workload}: decoded ${sum}, expected ${want}`);
        }
      }
    }
  }
} finally {
  if (created) run("ip", ["netns", "del", ns]);
  rmSync(out, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const w of WORKLOADS) {
  const devices = w === "features" || w === "netdev" ? ` over ${DEVICES} devices` : "";
  console.log(`${w}${devices}: checksum ${sums.get(w)} (all clients agree)`);
}
const loadAfter = load();
const names = clients.map((c) => c.name);
for (const [what, table] of [["wall time", times], ["CPU time", cpus]] as const) {
  console.log(
    `medians of ${rounds} rounds, ${what}, us per operation (ratio to C); load ${loadBefore} -> ${loadAfter}`,
  );
  console.log(["workload", ...names].join(" | "));
  for (const w of WORKLOADS) {
    const c = median(table.get(`c ${w}`)!);
    const cells = names.map((n) => {
      const xs = table.get(`${n} ${w}`);
      if (xs === undefined) return "-";
      const m = median(xs);
      return n === "c" ? `${m.toFixed(2)}` : `${m.toFixed(2)} (${(m / c).toFixed(2)}x)`;
    });
    console.log([w, ...cells].join(" | "));
  }
}
