/**
 * `deno task bench` part: rtnetlink at scale (issue 11), in a network namespace of its own with
 * 100,000 routes (75,000 IPv4 host routes, direct and through a gateway, a few blackhole,
 * unreachable and prohibit; 25,000 IPv6 /64s through a gateway; over tables 100-102). Prints
 * `RUNTIME NAME VALUE` lines:
 * - `route_install_ms` / `route_install_per_s`: `RouteClient.addRoutesSync` of all of them into
 *   the empty namespace (encoded, sent in batches, each acknowledged), and
 *   `ip route_install_batch_ms`: `ip -batch` of the same routes into another empty namespace
 *   (the whole process);
 * - `route_dump_first_ms`: the first `routesSync({ table: "all" })` of the process (every route
 *   decoded into a typed `Route`, the JIT still cold), `route_dump_ms`: the median of the next
 *   rounds, `route_stream_ms`: the same through `routeStream`;
 * - `ip route_dump_json_ms`: `ip -j route show table all` writing the same routes to /dev/null
 *   in the same namespace (the whole process, as a user runs it; the median of the rounds);
 * - `c route_dump_ms`: bench/c/route_dump.c, recvmsg and an attribute walk in C (the floor),
 *   when a C compiler is present;
 * - `route_dump_first_cpu_ms`, `route_dump_cpu_ms`: the process's CPU time (user and system, all
 *   threads: the kernel's share of the dump and the garbage collector's helpers count) of the
 *   same dumps, which a loaded machine stretches less than their wall time;
 * - `route_dump_process_ms`: a whole process of this runtime that opens a `RouteClient` in the
 *   namespace, dumps every table into `Route`s and exits (bench/route_dump_once.ts: startup and
 *   JIT warm-up included, as `ip` is measured; the median of the rounds), and
 *   `route_dump_process_cpu_ms` its CPU time (user and system, the median), `ip
 *   route_dump_json_cpu_ms` ip's; `route_dump_process_vs_ip`: the wall time over ip's;
 * - `route_dump_vs_ip`, `route_dump_vs_c`: `route_dump_ms` over those.
 *
 * Before timing, the dump is checked against iproute2: as many routes, and the same SHA-256 of
 * them as `ip -j route show table all` prints them. Needs root and iproute2; the namespaces are
 * deleted at the end. Run:
 *
 *   deno run -A bench/route_bench.ts
 *   bun bench/route_bench.ts
 *
 * `NLTS_ROUTE_BENCH_ROUTES` changes the count (default 100000), `NLTS_BENCH_ROUNDS` the timed
 * dump rounds (default 7). The install's own data (100,000 route specs, the batch text) is
 * dropped before the dumps are timed, so their garbage collections trace only what a dumping
 * program holds.
 *
 * @module
 */
import process from "node:process";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RouteClient, type RouteSpec } from "../src/route/mod.ts";
import { namesOf, routeJson } from "../src/cli/route_json.ts";

const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : "deno";
const N = Number(process.env.NLTS_ROUTE_BENCH_ROUTES ?? 100_000);
const ROUNDS = Number(process.env.NLTS_BENCH_ROUNDS ?? 7);

function report(who: string, name: string, value: number): void {
  console.log(`${who} ${name} ${value.toFixed(2)}`);
}

function run(cmd: string, args: string[], stdout: "ignore" | number = "ignore"): void {
  execFileSync(cmd, args, { stdio: ["ignore", stdout, "pipe"] });
}

/** The median of `xs`. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The process's CPU time so far (user and system), in milliseconds. */
function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Wall and CPU time (user and system) in milliseconds of a process `cmd args` whose standard
 * output goes to the file `out`, as bash's `time` measures them (bash's own start excluded).
 */
function timed(out: string, cmd: string, args: string[]): { wall: number; cpu: number } {
  const r = spawnSync(
    "bash",
    ["-c", 'TIMEFORMAT="%3R %3U %3S"; time "$@" > "$0"', out, cmd, ...args],
    { encoding: "utf8" },
  );
  const t = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr ?? "");
  if (r.status !== 0 || t === null) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { wall: Number(t[1]) * 1000, cpu: (Number(t[2]) + Number(t[3])) * 1000 };
}

/** Milliseconds `fn` takes. */
function ms(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** The bench's routes (as tests/route/scale_test.ts makes them), as specs and as ip commands. */
function routes(n: number): { specs: RouteSpec[]; batch: string } {
  const kinds = ["blackhole", "unreachable", "prohibit"] as const;
  const specs: RouteSpec[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const table = 100 + (i % 3);
    if (i % 4 === 3) {
      const dst = `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
      specs.push({ dst, gateway: "2001:db8:ffff::2", dev: "br0", table, metric: i % 7 });
      lines.push(`route add ${dst} via 2001:db8:ffff::2 dev br0 table ${table} metric ${i % 7}`);
      continue;
    }
    const dst = `11.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`;
    if (i % 1000 === 5) {
      const type = kinds[(i / 1000 | 0) % 3];
      specs.push({ dst, type, table });
      lines.push(`route add ${type} ${dst} table ${table}`);
    } else if (i % 2 === 0) {
      specs.push({ dst, dev: "br0", table, protocol: "static" });
      lines.push(`route add ${dst} dev br0 table ${table} proto static`);
    } else {
      specs.push({ dst, gateway: "10.0.0.2", dev: "br0", table, metric: 10 + (i % 5) });
      lines.push(`route add ${dst} via 10.0.0.2 dev br0 table ${table} metric ${10 + (i % 5)}`);
    }
  }
  return { specs, batch: lines.join("\n") + "\n" };
}

/** A namespace with lo and bridge br0 up (no IPv6 link-local: nothing appears behind us). */
function namespace(name: string): void {
  run("ip", ["netns", "add", name]);
  for (
    const args of [
      ["link", "set", "lo", "up"],
      ["link", "add", "br0", "type", "bridge"],
      ["link", "set", "br0", "addrgenmode", "none"],
      ["link", "set", "br0", "up"],
      ["addr", "add", "10.0.0.1/16", "dev", "br0"],
      ["addr", "add", "2001:db8:ffff::1/64", "dev", "br0", "nodad"],
    ]
  ) run("ip", ["-n", name, ...args]);
}

/** Count and SHA-256 of routes as ip -j prints them (keys sorted; lines sorted). */
function digest(items: readonly Record<string, unknown>[]): string {
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (typeof v === "object" && v !== null) {
      const o = v as Record<string, unknown>;
      return `{${
        Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")
      }}`;
    }
    return JSON.stringify(v);
  };
  const h = createHash("sha256");
  for (const l of items.map(canonical).sort()) h.update(l + "\n");
  return `${items.length} ${h.digest("hex")}`;
}

const dir = mkdtempSync(join(tmpdir(), "nlts-route-bench-"));
const ns = `nlts-rtb-${process.pid}`;
const ns2 = `nlts-rtb2-${process.pid}`;
const made: string[] = [];
try {
  namespace(ns);
  made.push(ns);
  using rt = RouteClient.open({ netns: ns });
  const batchFile = join(dir, "routes.batch");

  /** Installs the routes; their specs and text are garbage once it returns. */
  const install = (): void => {
    const { specs, batch } = routes(N);
    writeFileSync(batchFile, batch);
    let ok = 0;
    const t = ms(() => ok = rt.addRoutesSync(specs).ok);
    if (ok !== N) throw new Error(`${ok} of ${N} routes installed`);
    report(runtime, "route_install_ms", t);
    report(runtime, "route_install_per_s", N / (t / 1000));
  };
  install();

  let count = 0;
  const c0 = cpu();
  report(runtime, "route_dump_first_ms", ms(() => count = rt.routesSync({ table: "all" }).length));
  report(runtime, "route_dump_first_cpu_ms", cpu() - c0);
  if (count < N) throw new Error(`${count} routes dumped, ${N} installed`);

  // exactly what iproute2 shows, before any figure counts
  const file = join(dir, "ip.json");
  const fd = openSync(file, "w");
  try {
    run("ip", ["-n", ns, "-j", "route", "show", "table", "all"], fd);
  } finally {
    closeSync(fd);
  }
  const names = namesOf(rt.linksSync());
  const ours = digest(
    rt.routesSync({ table: "all" }).map((r) => routeJson(r, names, { allTables: true })),
  );
  const theirs = digest(JSON.parse(readFileSync(file, "utf8")));
  if (ours !== theirs) throw new Error(`nlts ${ours}, ip -j route show ${theirs}`);

  const dumps: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c = cpu();
    dumps.push(ms(() => {
      if (rt.routesSync({ table: "all" }).length !== count) throw new Error("dumps disagree");
    }));
    cpus.push(cpu() - c);
  }
  const dump = median(dumps);
  report(runtime, "route_dump_ms", dump);
  report(runtime, "route_dump_cpu_ms", median(cpus));
  const streams: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    let n = 0;
    for await (const _ of rt.routeStream({ table: "all" })) n++;
    streams.push(performance.now() - t0);
    if (n !== count) throw new Error("the stream and the dump disagree");
  }
  report(runtime, "route_stream_ms", median(streams));

  // ip and a process of ours take turns, so that the load of the machine falls on both alike
  const once = new URL("./route_dump_once.ts", import.meta.url).pathname;
  const args = runtime === "deno" ? ["run", "-A", once, ns] : [once, ns];
  const counted = join(dir, "count");
  const ipDumps: number[] = [];
  const ipCpus: number[] = [];
  const procs: number[] = [];
  const procCpus: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ip = timed("/dev/null", "ip", ["-n", ns, "-j", "route", "show", "table", "all"]);
    ipDumps.push(ip.wall);
    ipCpus.push(ip.cpu);
    const ours = timed(counted, process.execPath, args);
    procs.push(ours.wall);
    procCpus.push(ours.cpu);
    const n = readFileSync(counted, "utf8");
    if (Number(n) !== count) throw new Error(`a dumping process got ${n.trim()} routes`);
  }
  const ipDump = median(ipDumps);
  report("ip", "route_dump_json_ms", ipDump);
  report("ip", "route_dump_json_cpu_ms", median(ipCpus));
  report(runtime, "route_dump_vs_ip", dump / ipDump);
  report(runtime, "route_dump_process_ms", median(procs));
  report(runtime, "route_dump_process_cpu_ms", median(procCpus));
  report(runtime, "route_dump_process_vs_ip", median(procs) / ipDump);

  let cc = true;
  try {
    run("cc", ["-O2", "-o", join(dir, "route_dump"), "bench/c/route_dump.c"]);
  } catch {
    cc = false;
    console.log("c route_dump: not measured (no C compiler)");
  }
  if (cc) {
    const out = execFileSync(join(dir, "route_dump"), [ns, String(ROUNDS * 2)], {
      encoding: "utf8",
    });
    process.stdout.write(out);
    const floor = Number(/route_dump_ms ([\d.]+)/.exec(out)?.[1]);
    const routesC = Number(/route_dump_routes (\d+)/.exec(out)?.[1]);
    if (routesC !== count) throw new Error(`C dumped ${routesC} routes, nlts ${count}`);
    if (floor > 0) report(runtime, "route_dump_vs_c", dump / floor);
  }

  namespace(ns2);
  made.push(ns2);
  report("ip", "route_install_batch_ms", ms(() => run("ip", ["-n", ns2, "-batch", batchFile])));
} finally {
  for (const name of made) run("ip", ["netns", "del", name]);
  rmSync(dir, { recursive: true, force: true });
}
