/**
 * `deno task bench` part: the typed generic netlink client, everything decoded through the
 * schemas. Prints `RUNTIME NAME VALUE` lines:
 * - `genl_getfamily_rtt_us`: nlctrl CTRL_CMD_GETFAMILY for "nlctrl" through `Family.doSync`
 *   (request encoded, reply and ACK received, reply decoded to an object);
 * - `genl_dump_all_families_us`: a CTRL_CMD_GETFAMILY dump of every family, fully decoded;
 * - `ethtool_features_dump_{verbose,compact}_ms` / `_per_dev_us`: an ethtool features-get
 *   dump over the 1,001 devices (lo + 500 veth pairs) of a temporary network namespace, fully
 *   decoded (verbose: bitsets as named bit lists; compact: value words), and
 *   `ethtool_features_dump_compact_named_ms`: compact plus every device's active feature names.
 *
 * The namespace (needs root and iproute2) is deleted at the end. Run:
 *
 *   deno run -A bench/genl_bench.ts
 *   bun bench/genl_bench.ts
 *
 * `NLTS_BENCH_ITERATIONS` scales the round-trip count (default 20000).
 *
 * @module
 */
import process from "node:process";
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bitsetActive, ETH_SS, ethtool, GenlSocket, nlctrl, stringSetOf } from "../src/genl/mod.ts";

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const iterations = Number(process.env.NLTS_BENCH_ITERATIONS ?? 20000);
const PAIRS = 500;

function report(name: string, value: number): void {
  console.log(`${runtime} ${name} ${value.toFixed(2)}`);
}

/** Mean time of `fn` in ms over `n` runs, after `n / 10 + 1` warm-up runs. */
function time(n: number, fn: () => void): number {
  for (let i = 0; i < n / 10 + 1; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

{
  using genl = GenlSocket.open();
  const ctrl = genl.family(nlctrl);
  let ops = 0;
  const rtt = time(iterations, () => {
    ops += ctrl.doSync("getfamily", { familyName: "nlctrl" })?.ops?.length ?? 0;
  });
  if (ops === 0) throw new Error("nlctrl reply not decoded");
  report("genl_getfamily_rtt_us", rtt * 1000);

  let families = 0;
  const dump = time(Math.max(10, Math.floor(iterations / 20)), () => {
    families = ctrl.dumpSync("getfamily").length;
  });
  if (families < 3) throw new Error("dump not decoded");
  report("genl_dump_all_families_us", dump * 1000);
}

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

const ns = `nlts-bench-${process.pid}`;
let created = false;
try {
  ip(["netns", "add", ns]);
  created = true;
  const batch = join(tmpdir(), `${ns}.batch`);
  const lines: string[] = [];
  for (let i = 0; i < PAIRS; i++) lines.push(`link add b${i}a type veth peer name b${i}b`);
  writeFileSync(batch, lines.join("\n") + "\n");
  try {
    ip(["-n", ns, "-batch", batch]);
  } finally {
    rmSync(batch, { force: true });
  }
  const devices = PAIRS * 2 + 1;

  using genl = GenlSocket.open({ netns: ns });
  const fam = genl.family(ethtool);
  const strset = fam.doSync("strset-get", {
    header: {},
    stringsets: { stringset: [{ id: ETH_SS.FEATURES }] },
  });
  const names = stringSetOf(strset!, ETH_SS.FEATURES)!;
  const rounds = Math.max(5, Math.floor(iterations / 1000));
  const check = (n: number) => {
    if (n !== devices) throw new Error(`dump returned ${n} devices, expected ${devices}`);
  };

  const verbose = time(rounds, () => check(fam.dumpSync("features-get", { header: {} }).length));
  report("ethtool_features_dump_verbose_ms", verbose);
  report("ethtool_features_dump_verbose_per_dev_us", (verbose * 1000) / devices);

  const compactHeader = { header: { flags: ["compactBitsets"] as const } };
  const compact = time(rounds, () => check(fam.dumpSync("features-get", compactHeader).length));
  report("ethtool_features_dump_compact_ms", compact);
  report("ethtool_features_dump_compact_per_dev_us", (compact * 1000) / devices);

  let active = 0;
  const named = time(rounds, () => {
    const all = fam.dumpSync("features-get", compactHeader);
    check(all.length);
    for (const m of all) active += bitsetActive(m.attrs.active!, names).length;
  });
  if (active === 0) throw new Error("no active features");
  report("ethtool_features_dump_compact_named_ms", named);
} finally {
  if (created) ip(["netns", "del", ns]);
}
