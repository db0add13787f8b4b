// Families from their YNL specs (the generated modules in src/families) against a real kernel,
// in the VM guest, each with an independent peer where one exists:
// - team: options-set and options-get on a team device in a test namespace (the option list
//   back as the kernel holds it, a changed value read back, a string option);
// - fou: add, get (do and dump) and del of a FOU port in a test namespace, with `ip fou show`;
// - the OVS families through their specs (ovs_datapath, ovs_vport, ovs_flow) reading what the
//   hand-written OvsClient made, value for value;
// - devlink: the dump of devices comes back empty (the guest has no devlink device);
// - nl80211 on mac80211_hwsim radios: wiphys and interfaces as `iw` lists them (QEMU only: the
//   user-mode-linux kernel has no mac80211_hwsim).
// Each test says why it skips: outside the guest, or without the module (UML) or the peer tool.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { GenlSocket } from "../../src/genl/mod.ts";
import { NetlinkError } from "../../src/protocol/mod.ts";
import { OvsClient } from "../../src/ovs/mod.ts";
import { parseActions, parseFlowKey } from "../../src/ovs/odp_text.ts";
import { parseUfid } from "../../src/ovs/flow_attrs.ts";
import { team } from "../../src/families/team.ts";
import { fou } from "../../src/families/fou.ts";
import { ovsDatapath } from "../../src/families/ovs_datapath.ts";
import { ovsVport } from "../../src/families/ovs_vport.ts";
import { ovsFlow } from "../../src/families/ovs_flow.ts";
import { devlink } from "../../src/families/devlink.ts";
import { nl80211 } from "../../src/families/nl80211.ts";
import { ipIn, tempNetns } from "../helpers/netns.ts";

const IN_VM = process.env.NLTS_IN_VM === "1";
const OUTSIDE = "runs only in the VM guest (deno task test:vm)";

/** Loads `module` (with `args`); why it cannot be had, or undefined. */
function modprobe(module: string, ...args: string[]): string | undefined {
  const r = spawnSync("modprobe", [module, ...args], { encoding: "utf8" });
  return r.status === 0 ? undefined : `this kernel has no ${module}: ${r.stderr.trim()}`;
}

/** Whether `cmd` runs here. */
function have(cmd: string, ...args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

const u32le = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const cstr = (s: string) => new TextEncoder().encode(`${s}\0`);
const NLA_U32 = 3, NLA_STRING = 5;

test("ynl team: options-set and options-get on a team device", { timeout: 60_000 }, async (t) => {
  const why = IN_VM ? modprobe("team") ?? modprobe("team_mode_activebackup") : OUTSIDE;
  if (why) return t.skip(why);
  using ns = tempNetns("nlts-team");
  ipIn(ns.name, ["link", "add", "team0", "type", "team"]);
  const ifindex = Number(ipIn(ns.name, ["-o", "link", "show", "team0"]).split(":")[0]);
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(team);

  const options = () => {
    const r = fam.doSync("options-get", { teamIfindex: ifindex });
    assert.equal(r?.teamIfindex, ifindex);
    return new Map((r?.listOption?.option ?? []).map((o) => [o.name!, o]));
  };
  const before = options();
  // the team driver's device options (drivers/net/team: team_options[])
  for (const name of ["mode", "notify_peers_count", "mcast_rejoin_count"]) {
    assert.ok(before.has(name), `option ${name} in ${[...before.keys()].join(", ")}`);
  }
  assert.equal(before.get("mcast_rejoin_count")!.type, NLA_U32);
  assert.equal(before.get("mode")!.type, NLA_STRING);

  // the driver multicasts each change (and refuses options-set while nobody listens)
  using listen = GenlSocket.open({ netns: ns.name });
  const events = listen.family(team).subscribe(["change_event"]);
  const firstEvent = events.next();
  fam.doSync("options-set", {
    teamIfindex: ifindex,
    listOption: {
      option: [
        { name: "mcast_rejoin_count", type: NLA_U32, data: u32le(7) },
        { name: "mode", type: NLA_STRING, data: cstr("activebackup") },
      ],
    },
  });
  const ev = await firstEvent;
  assert.ok(!ev.done);
  assert.equal(ev.value.attrs.teamIfindex, ifindex);
  const changed = new Map(
    (ev.value.attrs.listOption?.option ?? []).filter((o) => o.changed).map((o) => [o.name!, o]),
  );
  assert.deepEqual(changed.get("mcast_rejoin_count")?.data, u32le(7));
  events.close();
  const after = options();
  assert.deepEqual(after.get("mcast_rejoin_count")!.data, u32le(7));
  assert.deepEqual(after.get("mode")!.data, cstr("activebackup"));
  // iproute2 sees the same device (its kind), the team family its mode
  assert.match(ipIn(ns.name, ["-d", "link", "show", "team0"]), /\bteam\b/);
  // the activebackup mode brings its own option (team_mode_activebackup.c: "activeport")
  assert.deepEqual(
    [...after.keys()].sort(),
    [...before.keys(), "activeport"].sort(),
  );

  // a bad value: the kernel's error, named
  assert.throws(
    () =>
      fam.doSync("options-set", {
        teamIfindex: ifindex,
        listOption: { option: [{ name: "mode", type: NLA_STRING, data: cstr("no-such-mode") }] },
      }),
    (e) => e instanceof NetlinkError && e.operation === "team.options-set",
  );
});

test("ynl fou: add, get, dump and del a port; `ip fou show` agrees", { timeout: 60_000 }, (t) => {
  const why = IN_VM ? modprobe("fou") : OUTSIDE;
  if (why) return t.skip(why);
  using ns = tempNetns("nlts-fou");
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(fou);
  // type 1: direct (IPIP over UDP), 2: GUE; local 127.0.0.1 (the u32 is in network order)
  fam.doSync("add", { port: 5555, ipproto: 4, type: 1 });
  fam.doSync("add", { port: 5556, type: 2, localV4: 0x0100007f });

  const got = fam.doSync("get", { af: 2, port: 5555 });
  assert.equal(got?.port, 5555);
  assert.equal(got?.ipproto, 4);
  assert.equal(got?.af, 2);
  assert.equal(got?.type, 1);
  const dump = fam.dumpSync("get", {}).map((m) => m.attrs);
  assert.deepEqual(
    dump.map((f) =>
      `${f.port} type ${f.type}${f.type === 1 ? ` ipproto ${f.ipproto}` : ""}${
        f.localV4 ? ` local ${f.localV4}` : ""
      }`
    ).sort(),
    ["5555 type 1 ipproto 4", `5556 type 2 local ${0x0100007f}`],
  );
  const shown = ipIn(ns.name, ["fou", "show"]).trim().split("\n").sort();
  assert.equal(shown.length, 2);
  assert.match(shown[0], /^port 5555 ipproto 4\b/);
  assert.match(shown[1], /^port 5556 gue local 127\.0\.0\.1\b/);

  fam.doSync("del", { af: 2, port: 5555 });
  fam.doSync("del", { af: 2, port: 5556, localV4: 0x0100007f });
  assert.deepEqual(fam.dumpSync("get", {}), []);
  assert.equal(ipIn(ns.name, ["fou", "show"]).trim(), "");
  assert.throws(
    () => fam.doSync("get", { af: 2, port: 5555 }),
    (e) => e instanceof NetlinkError && e.code === "ESRCH", // fou.c: no such port
  );
});

const ovs = IN_VM && modprobe("openvswitch") === undefined ? OvsClient.open() : undefined;
after(() => ovs?.close());

test("ynl ovs: the OVS families through their specs read what OvsClient made", async (t) => {
  if (!ovs) return t.skip(IN_VM ? "this kernel has no openvswitch" : OUTSIDE);
  const name = `ynlov${process.pid % 10000}${"Bun" in globalThis ? "b" : "d"}`;
  const dp = await ovs.newDatapath(name);
  try {
    await ovs.newVport(name, `${name}i`, { type: "internal" });
    const table = await ovs.flows(name);
    const ufid = parseUfid("5e1f0a2b-0c3d-4e5f-8a9b-0c1d2e3f4a5b");
    await table.new({
      ...parseFlowKey("in_port(1),eth(),eth_type(0x0806),arp()"),
      actions: parseActions("0"),
      ufid,
    });
    using genl = GenlSocket.open();

    // datapath: the one OvsClient made, by name and in the dump
    const mine = await ovs.getDatapath(name);
    const dps = genl.family(ovsDatapath).dumpSync("get", {}, { header: { dpIfindex: 0 } });
    const d = dps.find((m) => m.attrs.name === name);
    assert.ok(d, `${name} in the ovs_datapath dump`);
    assert.equal(d.header.dpIfindex, mine.ifindex);
    assert.equal(d.header.dpIfindex, dp.ifindex);
    assert.equal(d.attrs.stats?.nFlows, mine.stats?.flows);
    assert.equal(d.attrs.stats?.nHit, mine.stats?.hit);
    assert.equal(d.attrs.stats?.nMissed, mine.stats?.missed);
    assert.equal(d.attrs.megaflowStats?.nMasks, mine.megaflowStats?.masks);
    assert.deepEqual(d.attrs.userFeatures, mine.userFeatures);
    assert.equal(d.attrs.masksCacheSize, mine.masksCacheSize);

    // vports: number, name, type, upcall pids, ifindex
    const ports = genl.family(ovsVport).dumpSync("get", {}, { header: { dpIfindex: dp.ifindex } })
      .map((m) => m.attrs);
    const handPorts = await ovs.dumpVports(name);
    assert.equal(ports.length, 2);
    assert.deepEqual(
      ports.map((p) => [p.portNo, p.name, p.type, p.upcallPid, p.ifindex]),
      handPorts.map((p) => [p.portNo, p.name, p.type, p.upcallPids, p.ifindex]),
    );
    assert.deepEqual(ports.map((p) => p.type), ["internal", "internal"]);

    // flows: ufid, key (in_port, ethertype), actions, stats
    const flows = genl.family(ovsFlow).dumpSync("get", {}, { header: { dpIfindex: dp.ifindex } })
      .map((m) => m.attrs);
    const handFlows = await table.list();
    assert.equal(flows.length, 1);
    assert.equal(handFlows.length, 1);
    const [f] = flows;
    assert.deepEqual(f.ufid, ufid);
    assert.deepEqual(f.ufid, handFlows[0].ufid);
    assert.equal(f.key?.inPort, 1);
    assert.equal(f.key?.ethertype, 0x0806);
    assert.equal(f.mask?.inPort, 0xffffffff);
    assert.equal(f.actions?.output, 0);
    assert.deepEqual(handFlows[0].actions, [{ kind: "output", value: 0 }]);
    assert.equal(f.stats?.nPackets ?? 0n, handFlows[0].stats?.packets ?? 0n);
  } finally {
    await ovs.delDatapath(name);
  }
});

test("ynl devlink: the device dump comes back empty in the guest", (t) => {
  if (!IN_VM) return t.skip(OUTSIDE);
  using genl = GenlSocket.open();
  try {
    genl.resolve("devlink");
  } catch (e) {
    return t.skip(`this kernel has no devlink family: ${(e as Error).message}`);
  }
  assert.deepEqual(genl.family(devlink).dumpSync("get", {}), []);
});

test("ynl nl80211: wiphys and interfaces of mac80211_hwsim radios, as `iw` lists them", {
  timeout: 60_000,
}, (t) => {
  const why = !IN_VM
    ? OUTSIDE
    : !have("iw", "--version")
    ? "iw is absent (apt-get install iw)"
    : modprobe("mac80211_hwsim", "radios=2");
  if (why) return t.skip(why);
  try {
    using genl = GenlSocket.open();
    const fam = genl.family(nl80211);
    const wiphys = fam.dumpSync("get-wiphy", {}).map((m) => m.attrs);
    // `iw list`: "Wiphy NAME" then "\twiphy index: N" for each
    const listed = [
      ...spawnSync("iw", ["list"], { encoding: "utf8" }).stdout.matchAll(
        /^Wiphy (\S+)\n(?:\twiphy index: (\d+))?/gm,
      ),
    ].map((m) => [m[1], m[2] === undefined ? undefined : Number(m[2])]);
    assert.ok(wiphys.length >= 2, "two hwsim radios");
    assert.deepEqual(
      wiphys.map((w) => [w.wiphyName, listed[0]?.[1] === undefined ? undefined : w.wiphy]).sort(),
      listed.sort(),
    );

    const ifaces = fam.dumpSync("get-interface", {}).map((m) => m.attrs);
    // `iw dev`: "phy#N" then "\tInterface NAME", "\t\tifindex N", "\t\twdev 0xN", "\t\taddr MAC"
    const shown: string[] = [];
    let phy = -1;
    let cur: Record<string, string> | undefined;
    const flush = () => {
      if (cur) shown.push(`${phy} ${cur.name} ${cur.ifindex} ${cur.wdev} ${cur.addr} ${cur.type}`);
    };
    for (const line of spawnSync("iw", ["dev"], { encoding: "utf8" }).stdout.split("\n")) {
      const m = /^phy#(\d+)$/.exec(line) ?? undefined;
      if (m) {
        flush();
        cur = undefined;
        phy = Number(m[1]);
        continue;
      }
      const i = /^\tInterface (\S+)$/.exec(line);
      if (i) {
        flush();
        cur = { name: i[1] };
        continue;
      }
      const kv = /^\t\t(ifindex|wdev|addr|type) (.+)$/.exec(line);
      if (kv && cur) cur[kv[1]] = kv[2];
    }
    flush();
    const IFTYPE: Record<number, string> = { 1: "IBSS", 2: "managed", 3: "AP", 6: "monitor" };
    const ours = ifaces.map((i) =>
      `${i.wiphy} ${i.ifname} ${i.ifindex} 0x${i.wdev?.toString(16)} ${i.mac} ${
        IFTYPE[i.iftype!] ?? i.iftype
      }`
    );
    assert.ok(ours.length >= 2, "an interface per radio");
    assert.deepEqual(ours.sort(), shown.sort());
  } finally {
    spawnSync("modprobe", ["-r", "mac80211_hwsim"]);
  }
});
