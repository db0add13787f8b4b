// The OVS examples run as-is under the runtime running the tests (deno run / bun). VM only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { OvsClient } from "../../src/ovs/mod.ts";
import { tempNetns } from "../helpers/netns.ts";
import {
  dpctlShow,
  isBun,
  quietIpv6,
  root,
  sendUdp,
  sh,
  shTry,
  skip,
  startChild,
  uniq,
  vethPair,
} from "./_helpers.ts";

quietIpv6();

function argv(name: string, args: string[]): string[] {
  const file = `${root}examples/${name}`;
  return isBun ? [file, ...args] : ["run", "-A", file, ...args];
}

/** Runs examples/NAME (optionally inside network namespace `netns`); returns stdout. */
function runExample(name: string, args: string[] = [], netns?: string): string {
  const [cmd, cmdArgs] = netns
    ? ["ip", ["netns", "exec", netns, process.execPath, ...argv(name, args)]]
    : [process.execPath, argv(name, args)];
  return execFileSync(cmd, cmdArgs, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
}

test("examples/ovs_datapath.ts creates a datapath with two ports, prints and deletes it", {
  skip,
}, () => {
  const name = uniq("ex");
  const lines = runExample("ovs_datapath.ts", [name]).trim().split("\n");
  assert.match(lines[0], new RegExp(`^system@${name}: ifindex \\d+, features unaligned,vportPids`));
  assert.equal(lines[1], "  lookups: hit:0 missed:0 lost:0 flows:0");
  assert.match(lines[2], new RegExp(`^  port 0: ${name} \\(internal\\) ifindex \\d+$`));
  assert.match(lines[3], new RegExp(`^  port 1: ${name}-a \\(internal\\) ifindex \\d+$`));
  assert.match(lines[4], new RegExp(`^  port 2: ${name}-b \\(internal\\) ifindex \\d+$`));
  assert.equal(lines[5], `deleted system@${name}`);
  assert.equal(dpctlShow().has(name), false);

  runExample("ovs_datapath.ts", [name, "--keep"]);
  try {
    const shown = dpctlShow(name).get(name)!;
    assert.ok(shown.includes(`  port 2: ${name}-b (internal)`), shown.join("\n"));
  } finally {
    shTry("ovs-dpctl", "del-dp", name);
  }
});

test("examples/ovs_upcalls.ts prints a MISS upcall and restores the upcall pids", {
  skip,
}, async () => {
  const name = uniq("exu");
  using veth = vethPair(uniq("va"), uniq("vb"));
  using ovs = OvsClient.open();
  try {
    await ovs.newDatapath(name);
    await ovs.newVport(name, veth.a, { type: "netdev" });
    sh("ip", "link", "set", veth.a, "up");
    const child = await startChild(
      process.execPath,
      argv("ovs_upcalls.ts", [name, "--count", "1"]),
      /listening for upcalls/,
    );
    sendUdp(veth.b, "10.91.0");
    assert.equal(await child.done, 0);
    assert.match(
      child.out(),
      /^miss in_port=1 len=\d+ 02:00:00:00:00:03 < [0-9a-f:]{17} type 0x0800\n$/,
    );
    assert.deepEqual((await ovs.getVport(name, 1)).upcallPids, [0]);
  } finally {
    await ovs.delDatapath(name).catch(() => {});
  }
});

test("examples/ovs_ct_limits.ts sets and prints conntrack limits (in a test namespace)", {
  skip,
}, () => {
  using ns = tempNetns("nltsexct");
  assert.equal(runExample("ovs_ct_limits.ts", [], ns.name), "default limit=0\n");
  assert.equal(
    runExample("ovs_ct_limits.ts", ["default=50", "zone=2,limit=5", "zone=1,limit=4"], ns.name),
    "default limit=50\nzone=1,limit=4,count=0\nzone=2,limit=5,count=0\n",
  );
  assert.equal(
    runExample("ovs_ct_limits.ts", ["--del", "zone=1"], ns.name),
    "default limit=50\nzone=2,limit=5,count=0\n",
  );
});
