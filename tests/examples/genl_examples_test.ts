// examples/ethtool_features.ts and examples/watch_netdev.ts run as-is under the runtime running
// the tests (deno run -A / bun), inside network namespaces of the tests' own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { bitsetActive, ethtool, GenlSocket } from "../../src/genl/mod.ts";
import { ipIn, run, tempNetns } from "../helpers/netns.ts";

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** argv that runs examples/NAME with the current runtime inside namespace `ns`. */
function exampleArgv(ns: string, name: string, args: string[]): string[] {
  const file = new URL(`../../examples/${name}`, import.meta.url).pathname;
  const runtime = isBun ? [process.execPath, file] : [process.execPath, "run", "-A", file];
  return ["netns", "exec", ns, ...runtime, ...args];
}

function vethNetns(): { name: string; [Symbol.dispose](): void } {
  const ns = tempNetns("nlts-ex");
  ipIn(ns.name, ["link", "add", "ex0", "type", "veth", "peer", "name", "ex1"]);
  ipIn(ns.name, ["link", "set", "ex0", "up"]);
  return ns;
}

test("examples/ethtool_features.ts prints a veth's active features", () => {
  using ns = vethNetns();
  const out = execFileSync("ip", exampleArgv(ns.name, "ethtool_features.ts", ["ex0"]), {
    encoding: "utf8",
    timeout: 60_000,
  });
  const lines = out.trim().split("\n");
  // The same answer through the other wire form (verbose bitsets carry their names).
  using genl = GenlSocket.open({ netns: ns.name });
  const f = genl.family(ethtool).doSync("features-get", { header: { devName: "ex0" } });
  assert.deepEqual(lines, bitsetActive(f!.active!));
  assert.ok(lines.includes("tx-checksum-ip-generic"), out);
  assert.ok(!lines.includes("rx-gro"), "veth starts without GRO");

  const all = execFileSync("ip", exampleArgv(ns.name, "ethtool_features.ts", ["ex0", "--all"]), {
    encoding: "utf8",
    timeout: 60_000,
  }).trim().split("\n");
  assert.ok(all.length > lines.length);
  for (const l of all) assert.match(l, /^\S+: (on|off)( \[fixed\])?$/);
  assert.deepEqual(all.filter((l) => / on/.test(l)).map((l) => l.split(":")[0]), lines);
  assert.ok(all.includes("tx-checksum-ipv4: off [fixed]"), "veth cannot checksum IPv4 only");
  try {
    const k = run("ip", ["netns", "exec", ns.name, "ethtool", "-k", "ex0"]);
    assert.match(k, /^\ttx-checksum-ipv4: off \[fixed\]$/m); // ethtool(8) agrees
  } catch (e) {
    if (!/ENOENT/.test(String(e))) throw e; // no ethtool(8) installed
  }

  const bad = spawnSync("ip", exampleArgv(ns.name, "ethtool_features.ts", ["nlts-nodev"]), {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /ENODEV.*no device matches name.*\.header\.dev-name/);
});

test("examples/watch_netdev.ts prints dev-add-ntf for a veth pair added in its namespace", {
  timeout: 90_000,
}, async () => {
  using ns = tempNetns("nlts-ex");
  const child = spawn(
    "ip",
    exampleArgv(ns.name, "watch_netdev.ts", ["--count", "2", "--event", "dev-add-ntf"]),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => stdout += d);
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    // Wait until the example has subscribed (it says so on stderr).
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        if (stderr.includes("watching")) resolve();
      });
      child.on("close", () => reject(new Error(`example exited early: ${stderr}`)));
    });
    ipIn(ns.name, ["link", "add", "ex0", "type", "veth", "peer", "name", "ex1"]);
    const links = JSON.parse(ipIn(ns.name, ["-j", "link"])) as {
      ifindex: number;
      ifname: string;
    }[];
    const added = links.filter((l) => l.ifname !== "lo").map((l) => l.ifindex).sort((a, b) =>
      a - b
    );

    assert.equal(await exited, 0, stderr);
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 2, stdout);
    for (const l of lines) assert.match(l, /^dev-add-ntf ifindex=\d+ xdp-features=\S+ /);
    const seen = lines.map((l) => Number(/ifindex=(\d+)/.exec(l)![1])).sort((a, b) => a - b);
    assert.deepEqual(seen, added);
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
