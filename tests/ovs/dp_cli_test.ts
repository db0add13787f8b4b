// `nlts dp` against ovs-dpctl in the VM: show (text line for line, -s, --json), port and
// datapath commands, cache sizes, conntrack limits, meters, monitor, upcalls, execute, exit
// codes. Most commands run in-process through main(); exit codes, monitor and upcalls run as
// child processes of the current runtime. VM only.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { RouteClient } from "../../src/route/mod.ts";
import { OvsClient } from "../../src/ovs/mod.ts";
import { tempNetns } from "../helpers/netns.ts";
import {
  collector,
  devStat,
  dpctlShow,
  isBun,
  nltsTry,
  quietIpv6,
  root,
  sendUdp,
  sh,
  shTry,
  skip,
  startChild,
  uniq,
  unloadTunnelModules,
  vethPair,
  waitFor,
} from "./_helpers.ts";

quietIpv6();
const ovs = skip ? undefined : OvsClient.open();
after(() => {
  ovs?.close();
  unloadTunnelModules();
});

/** Runs `nlts ARGS` in-process; returns status and outputs. */
async function dp(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const c = collector();
  const status = await main(["dp", ...args], c.io);
  return { status, out: c.out(), err: c.err() };
}

/** Runs `nlts dp ARGS`, asserting success; returns stdout. */
async function ok(...args: string[]): Promise<string> {
  const r = await dp(...args);
  assert.equal(r.status, 0, `nlts dp ${args.join(" ")}: ${r.err}`);
  return r.out;
}

/** nlts's show text split per datapath, as dpctlShow does for ovs-dpctl. */
function split(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of text.split("\n")) {
    const m = /^system@(\S+):$/.exec(line);
    if (m) out.set(m[1], cur = [line]);
    else if (cur && line) cur.push(line);
  }
  return out;
}

const nltsArgv = (args: string[]) =>
  isBun ? [`${root}src/cli/main.ts`, ...args] : ["run", "-A", `${root}src/cli/main.ts`, ...args];

test("cli: dp show matches ovs-dpctl show line for line (nlts-made and ovs-dpctl-made)", {
  skip,
}, async () => {
  const a = uniq("dpa");
  const b = uniq("dpb");
  using veth = vethPair(uniq("va"), uniq("vb"));
  using veth2 = vethPair(uniq("va"), uniq("vb"));
  try {
    await ok("add-dp", a, veth.a, `${uniq("in")},type=internal`, `${uniq("in")},type=internal`);
    sh("ovs-dpctl", "add-dp", b, veth2.a, `${uniq("in")},type=internal`);
    for (const stats of [[], ["-s"]]) {
      const theirs = dpctlShow(...stats);
      const ours = split(await ok("show", ...stats));
      for (const name of [a, b]) {
        assert.deepEqual(ours.get(name), theirs.get(name), `show ${stats.join(" ")} ${name}`);
      }
      // Named datapaths, with and without system@.
      assert.deepEqual(
        split(await ok("show", ...stats, a, `system@${b}`)),
        new Map([[a, theirs.get(a)], [b, theirs.get(b)]]),
      );
    }
    const dps = (await ok("dump-dps")).trim().split("\n");
    assert.ok(dps.includes(`system@${a}`) && dps.includes(`system@${b}`), dps.join(" "));
  } finally {
    await dp("del-dp", a);
    shTry("ovs-dpctl", "del-dp", b);
  }
});

test("cli: dp show --json is an array of datapaths with ports, numbers as numbers", {
  skip,
}, async () => {
  const name = uniq("dpj");
  const vx = uniq("vx");
  try {
    await ok("add-dp", name, `${vx},type=vxlan,remote_ip=flow,dst_port=4800,exts=gbp`);
    const shown = JSON.parse(await ok("show", "--json", name));
    assert.equal(shown.length, 1);
    const d = shown[0];
    const lib = await ovs!.getDatapath(name);
    assert.equal(d.name, name);
    assert.equal(d.ifindex, lib.ifindex);
    assert.deepEqual(d.stats, { hit: 0, missed: 0, lost: 0, flows: 0 });
    assert.deepEqual(d.megaflowStats, { maskHit: 0, masks: 0, cacheHit: 0 });
    assert.deepEqual(d.userFeatures, lib.userFeatures);
    assert.deepEqual(
      d.ports.map((
        p: { portNo: number; name: string; type: string },
      ) => [p.portNo, p.name, p.type]),
      [
        [0, name, "internal"],
        [1, vx, "netdev"],
      ],
    );
    // the port is the vxlan device made through rtnetlink, as ovs-vswitchd makes it
    using rt = RouteClient.open();
    const dev = rt.linkSync(vx);
    assert.equal(dev.kind, "vxlan");
    assert.deepEqual(
      [
        (dev.linkinfo?.data as Record<string, unknown>).port,
        (dev.linkinfo?.data as Record<string, unknown>).gbp,
      ],
      [4800, true],
    );
    assert.equal(d.ports[1].stats.rxPackets, 0);
    const text = await ok("show", name);
    assert.ok(text.includes(`  port 1: ${vx}\n`), text);
    assert.ok(
      dpctlShow(name).get(name)!.includes(`  port 1: ${vx}`),
      "ovs-dpctl sees the vxlan port",
    );
  } finally {
    await dp("del-dp", name);
  }
});

test("cli: add-if, set-if, del-if, del-dp as ovs-dpctl sees them", { skip }, async () => {
  const name = uniq("dpi");
  using veth = vethPair(uniq("va"), uniq("vb"));
  const internal = uniq("in");
  const gn = uniq("gn");
  try {
    await ok("add-dp", name);
    await ok(
      "add-if",
      name,
      `${veth.a},port_no=5`,
      `${internal},type=internal`,
      `${gn},type=geneve,remote_ip=10.0.0.9`,
    );
    let lines = dpctlShow(name).get(name)!;
    assert.ok(lines.includes(`  port 5: ${veth.a}`), lines.join("\n"));
    assert.ok(lines.includes(`  port 1: ${internal} (internal)`), lines.join("\n"));
    assert.ok(lines.includes(`  port 2: ${gn}`), lines.join("\n"));
    // add-if brings the devices up, as ovs-dpctl does.
    assert.match(sh("ip", "link", "show", internal), /[<,]UP[,>]/);
    using rt = RouteClient.open();
    const geneve = rt.linkSync(gn);
    assert.equal((geneve.linkinfo?.data as Record<string, unknown>).port, 6081, "default port");
    assert.ok(geneve.up);

    await ok("set-if", name, `${internal},upcall_pid=99`);
    assert.deepEqual((await ovs!.getVport(name, internal)).upcallPids, [99]);
    const bad = await dp("set-if", name, `${internal},type=gre`);
    assert.equal(bad.status, 2);
    assert.match(bad.err, /can't change type from internal to gre/);

    await ok("del-if", name, internal, "5");
    lines = dpctlShow(name).get(name)!;
    assert.deepEqual(lines.filter((l) => l.startsWith("  port ")).map((l) => l.split(":")[0]), [
      "  port 0",
      "  port 2",
    ]);
    await ok("del-dp", `system@${name}`);
    assert.equal(dpctlShow().has(name), false);
  } finally {
    await dp("del-dp", name);
  }
});

test("cli: cache-get-size and cache-set-size print what ovs-dpctl prints", { skip }, async () => {
  const name = uniq("dpk");
  try {
    await ok("add-dp", name);
    assert.equal(
      await ok("cache-set-size", name, "masks-cache", "64"),
      "Setting cache size successful, new size 64\n",
    );
    assert.equal(await ok("cache-get-size", name), sh("ovs-dpctl", "cache-get-size", name));
    assert.equal((await dp("cache-set-size", name, "nope", "1")).status, 2);
  } finally {
    await dp("del-dp", name);
  }
});

test(
  "cli: ct-set/get/del-limits agree with ovs-dpctl (in a test namespace)",
  { skip },
  async () => {
    using ns = tempNetns("nltsclict");
    const name = uniq("dpz");
    const n = ["--netns", ns.name];
    const dpctl = (...a: string[]) => sh("ip", "netns", "exec", ns.name, "ovs-dpctl", ...a);
    await ok("add-dp", name, ...n);
    await ok("ct-set-limits", name, "default=20", "zone=4,limit=2", "zone=6,limit=3", ...n);
    assert.equal(await ok("ct-get-limits", name, ...n), dpctl("ct-get-limits", name));
    assert.equal(
      await ok("ct-get-limits", name, "zone=4,5", ...n),
      dpctl("ct-get-limits", name, "zone=4,5"),
    );
    assert.equal(
      await ok("ct-get-limits", "zone=6", ...n),
      "default limit=20\nzone=6,limit=3,count=0\n",
    );
    assert.deepEqual(JSON.parse(await ok("ct-get-limits", "--json", "zone=4", ...n)), {
      zones: [{ zone: 4, limit: 2, count: 0 }],
      defaultLimit: 20,
    });
    await ok("ct-del-limits", name, "zone=4,6", ...n);
    await ok("ct-del-limits", "default", ...n);
    assert.equal(await ok("ct-get-limits", ...n), "default limit=0\n");
    assert.equal(dpctl("ct-get-limits", name), "default limit=0\n");
    const bad = await dp("ct-set-limits", "zone=1,limt=2", ...n);
    assert.equal(bad.status, 2);
    assert.match(bad.err, /invalid zone limit field: limt/);
    assert.equal((await dp("ct-get-limits", uniq("nodp"), ...n)).status, 1);
    await ok("del-dp", name, ...n);
  },
);

test("cli: meter-features, add-meter, get-meter, dump-meters, del-meter", { skip }, async () => {
  const name = uniq("dpm");
  try {
    await ok("add-dp", name);
    assert.match(
      await ok("meter-features", name),
      /^max meters: \d+\nmax bands: \d+\nband types: drop\n$/,
    );
    await ok("add-meter", name, "3", "kbps", "rate=1000,burst=50");
    await ok("add-meter", name, "4", "rate=10");
    assert.match(
      await ok("get-meter", name, "3"),
      /^meter 3: packets:0 bytes:0 used:\d+ms\n {2}band 0: packets:0 bytes:0\n$/,
    );
    const dumped = JSON.parse(await ok("dump-meters", name, "--json", "--max", "10"));
    assert.deepEqual(dumped.map((m: { id: number }) => m.id), [3, 4]);
    assert.match(await ok("del-meter", name, "4"), /^meter 4:/);
    assert.equal(
      await ok("dump-meters", name, "--max", "10").then((s) => s.match(/^meter /gm)?.length),
      1,
    );
    assert.equal((await dp("add-meter", name, "5", "rate=x")).status, 2);
    assert.equal((await dp("get-meter", name, "77")).status, 1);
  } finally {
    await dp("del-dp", name);
  }
});

test("cli: monitor prints datapath and port notifications", { skip }, async () => {
  const name = uniq("dpo");
  const internal = uniq("in");
  const mon = await startChild(
    process.execPath,
    nltsArgv(["dp", "monitor", "--count", "2"]),
    /monitoring/,
  );
  try {
    await ok("add-dp", name, `${internal},type=internal`);
    assert.equal(await mon.done, 0);
    const lines = mon.out().trim().split("\n");
    assert.match(lines[0], new RegExp(`^datapath new system@${name} ifindex:\\d+$`));
    assert.equal(lines[1], `vport new system@${name} port 1: ${internal} (internal)`);
    assert.equal(lines.length, 2);
  } finally {
    mon.kill();
    await dp("del-dp", name);
  }
});

test(
  "cli: upcalls prints a MISS upcall and restores the ports' upcall pids",
  { skip },
  async () => {
    const name = uniq("dpu");
    using veth = vethPair(uniq("va"), uniq("vb"));
    try {
      await ok("add-dp", name, `${veth.a},upcall_pid=1234`);
      const up = await startChild(
        process.execPath,
        nltsArgv(["dp", "upcalls", name, "--count", "1", "--json"]),
        /listening for upcalls/,
      );
      sendUdp(veth.b, "10.81.0");
      assert.equal(await up.done, 0);
      const u = JSON.parse(up.out().trim());
      assert.equal(u.cmd, "miss");
      assert.equal(u.datapath, name);
      assert.equal(u.inPort, 1);
      assert.match(u.packet, /^020000000003/);
      assert.deepEqual((await ovs!.getVport(name, veth.a)).upcallPids, [1234], "restored");
      assert.deepEqual((await ovs!.getVport(name, 0)).upcallPids, [0], "restored");
    } finally {
      await dp("del-dp", name);
    }
  },
);

test("cli: upcalls ended by SIGTERM restores the upcall pids too", { skip }, async () => {
  const name = uniq("dpt");
  using veth = vethPair(uniq("va"), uniq("vb"));
  try {
    await ok("add-dp", name, `${veth.a},upcall_pid=4321`);
    const up = await startChild(
      process.execPath,
      nltsArgv(["dp", "upcalls", name]),
      /listening for upcalls/,
    );
    assert.notDeepEqual((await ovs!.getVport(name, veth.a)).upcallPids, [4321], "taken over");
    up.kill("SIGTERM");
    // The exit status is not checked: Deno's node:child_process reports a child it signalled
    // as killed by that signal even when the child handled it and exited 0. The restored pids
    // are the proof: a process killed by SIGTERM's default action could not restore them.
    await up.done;
    assert.deepEqual((await ovs!.getVport(name, veth.a)).upcallPids, [4321], "restored");
    assert.deepEqual((await ovs!.getVport(name, 0)).upcallPids, [0], "restored");
  } finally {
    await dp("del-dp", name);
  }
});

test("cli: execute sends a frame out of a port", { skip }, async () => {
  const name = uniq("dpx");
  using veth = vethPair(uniq("va"), uniq("vb"));
  try {
    await ok("add-dp", name, veth.a);
    const before = devStat(veth.b, "rx_packets");
    await ok(
      "execute",
      name,
      "ff:ff:ff:ff:ff:ff 02:00:00:00:00:01 88b5 6e6c7473",
      "1",
      "--key",
      "skb_mark(3)",
    );
    await waitFor(() => devStat(veth.b, "rx_packets") > before, 5000, "the frame on the peer");
    const before2 = devStat(veth.b, "rx_packets");
    await ok("execute", name, "ffffffffffff020000000001 88b5 6e6c7473", "push_vlan(vid=5,pcp=0),1");
    await waitFor(() => devStat(veth.b, "rx_packets") > before2, 5000, "the tagged frame");
    const bad = await dp("execute", name, "ffff", "set(x)");
    assert.equal(bad.status, 2);
    assert.match(bad.err, /Cannot parse actions/);
  } finally {
    await dp("del-dp", name);
  }
});

test("cli: exit codes: 0 help, 1 kernel error on one line, 2 usage", { skip }, async () => {
  // As child processes (what a shell sees)...
  assert.equal(nltsTry(["dp", "--help"]).status, 0);
  const missing = nltsTry(["dp", "del-dp", uniq("nodp")]);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
  assert.match(missing.stderr, /ENODEV/);
  assert.equal(nltsTry(["dp", "frobnicate"]).status, 2);
  // ...and in-process, the same statuses from main().
  assert.equal((await dp("show", "--help")).status, 0);
  const show = await dp("show", uniq("nodp"));
  assert.equal(show.status, 1);
  assert.equal(show.err.trim().split("\n").length, 1);
  assert.equal((await dp("show", "--bogus")).status, 2);
  assert.equal((await dp("show", "--count", "1")).status, 2);
  assert.equal((await dp("add-if", "x", "y,colour=blue")).status, 2);
  assert.equal((await dp("add-dp")).status, 2);
  assert.equal((await dp()).status, 2);
});
