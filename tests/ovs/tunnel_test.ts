// Tunnel ports as ovs-vswitchd makes them (lib/dpif-netlink-rtnl.c), in the VM guest, in
// namespaces of the test's own: OvsClient.newVport makes the vxlan/geneve/gre device through
// rtnetlink in flow-based mode (checked against `ip -d link` and ovs-dpctl), an existing device
// is kept when it matches and made again when not, the device goes with its port; and the ports
// carry traffic between two namespaces, each with its datapath, tunnel port and internal port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OvsClient, type TunnelType } from "../../src/ovs/mod.ts";
import { parseActions, parseFlowKey } from "../../src/ovs/odp_text.ts";
import { RouteClient } from "../../src/route/mod.ts";
import { ipIn, tempNetns } from "../helpers/netns.ts";
import { sh, shTry, skip } from "./_helpers.ts";

type Obj = Record<string, unknown>;

function ipLink(ns: string, name: string): Obj {
  return (JSON.parse(ipIn(ns, ["-j", "-d", "link", "show", name])) as Obj[])[0];
}

function dpctl(ns: string): string[] {
  return sh("ip", "netns", "exec", ns, "ovs-dpctl", "show").split("\n").filter((l) =>
    l.startsWith("  port ")
  );
}

test("ovs tunnels: vxlan, geneve and gre devices made through rtnetlink", { skip }, async () => {
  using ns = tempNetns("tun");
  using ovs = OvsClient.open({ netns: ns.name });
  using rt = RouteClient.open({ netns: ns.name });
  await ovs.newDatapath("tdp");
  const vx = await ovs.newVport("tdp", "vx0", {
    type: "vxlan",
    options: { dstPort: 4800, extension: { gbp: true } },
  });
  const gn = await ovs.newVport("tdp", "gn0", { type: "geneve" });
  const gr = await ovs.newVport("tdp", "gr0", { type: "gre" });
  for (const p of [vx, gn, gr]) assert.equal(p.type, "netdev", p.name);

  const vxl = rt.linkSync("vx0");
  assert.deepEqual([vxl.kind, vxl.mtu, vxl.up], ["vxlan", 65000, true]);
  const d = vxl.linkinfo?.data as Obj;
  assert.deepEqual(
    [d.collectMetadata, d.learning, d.udpZeroCsum6Rx, d.port, d.gbp],
    [1, 0, 1, 4800, true],
  );
  const ipVx = (ipLink(ns.name, "vx0").linkinfo as Obj).info_data as Obj;
  assert.deepEqual([ipVx.external, ipVx.learning, ipVx.port, ipVx.udp_zero_csum6_rx], [
    true,
    false,
    4800,
    true,
  ]);
  const gnl = rt.linkSync("gn0");
  assert.deepEqual([gnl.kind, (gnl.linkinfo?.data as Obj).port, gnl.mtu], ["geneve", 6081, 65000]);
  assert.equal(((ipLink(ns.name, "gn0").linkinfo as Obj).info_data as Obj).external, true);
  const grl = rt.linkSync("gr0");
  assert.equal(grl.kind, "gretap");
  assert.equal((grl.linkinfo?.data as Obj).collectMetadata, true);
  assert.equal(grl.master, rt.linkSync("tdp").index);

  // ovs-dpctl sees netdev ports named like the devices
  const lines = dpctl(ns.name);
  for (const p of [vx, gn, gr]) {
    assert.ok(lines.includes(`  port ${p.portNo}: ${p.name}`), lines.join("\n"));
  }
  // the device goes with its port (unless kept)
  await ovs.delVport("tdp", "vx0");
  assert.ok(!rt.linksSync().some((l) => l.name === "vx0"));
  await ovs.delVport("tdp", "gn0", { keepDevice: true });
  assert.equal(rt.linkSync("gn0").kind, "geneve");
  await ovs.delDatapath("tdp");
});

test(
  "ovs tunnels: an existing device is kept when it matches, made again when not",
  { skip },
  async () => {
    using ns = tempNetns("tun");
    using ovs = OvsClient.open({ netns: ns.name });
    using rt = RouteClient.open({ netns: ns.name });
    await ovs.newDatapath("tdp");
    // not what OVS needs: learning, not flow-based
    ipIn(ns.name, ["link", "add", "vx1", "type", "vxlan", "id", "5", "dstport", "4801"]);
    const before = rt.linkSync("vx1").index;
    await ovs.newVport("tdp", "vx1", { type: "vxlan", options: { dstPort: 4801 } });
    const after = rt.linkSync("vx1");
    assert.notEqual(after.index, before);
    assert.equal((after.linkinfo?.data as Obj).collectMetadata, 1);
    // what OVS needs already: kept as it is
    ipIn(ns.name, [
      "link",
      "add",
      "vx2",
      "type",
      "vxlan",
      "external",
      "dstport",
      "4802",
      "nolearning",
      "udp6zerocsumrx",
    ]);
    const kept = rt.linkSync("vx2").index;
    const p = await ovs.newVport("tdp", "vx2", { type: "vxlan", options: { dstPort: 4802 } });
    assert.equal(rt.linkSync("vx2").index, kept);
    assert.equal(p.ifindex, kept);
    // a port the kernel cannot take leaves no device behind
    await assert.rejects(ovs.newVport("tdp", "vx3", { type: "vxlan", options: { dstPort: 4802 } }));
    assert.ok(!rt.linksSync().some((l) => l.name === "vx3"));
    await ovs.delDatapath("tdp");
  },
);

/** Two namespaces joined by a veth underlay, each with a datapath, a tunnel and an internal port. */
async function tunnelPair(type: TunnelType): Promise<{ ns: string[]; [Symbol.dispose](): void }> {
  const a = tempNetns("tun");
  const b = tempNetns("tun");
  const names = [a.name, b.name];
  try {
    ipIn(a.name, ["link", "add", "u0", "type", "veth", "peer", "name", "u1", "netns", b.name]);
    for (const [i, ns] of names.entries()) {
      const under = i === 0 ? "u0" : "u1";
      ipIn(ns, ["addr", "add", `172.31.0.${i + 1}/24`, "dev", under]);
      ipIn(ns, ["link", "set", under, "up"]);
      ipIn(ns, ["link", "set", "lo", "up"]);
      using ovs = OvsClient.open({ netns: ns });
      await ovs.newDatapath("odp");
      await ovs.newVport("odp", "t0", { type, portNo: 1 });
      await ovs.newVport("odp", "i0", { type: "internal", portNo: 2 });
      ipIn(ns, ["addr", "add", `10.9.0.${i + 1}/24`, "dev", "i0"]);
      ipIn(ns, ["link", "set", "i0", "up"]);
      const flows = await ovs.flows("odp");
      const dst = `172.31.0.${2 - i}`;
      for (const l3 of ["eth_type(0x0806),arp()", "eth_type(0x0800),ipv4(frag=no)"]) {
        await flows.new({
          ...parseFlowKey(`in_port(2),eth(),${l3}`),
          actions: parseActions(`set(tunnel(tun_id=0x2a,dst=${dst},ttl=64,flags(df|key))),1`),
        });
        await flows.new({ ...parseFlowKey(`in_port(1),eth(),${l3}`), actions: parseActions("2") });
      }
    }
  } catch (e) {
    a[Symbol.dispose]();
    b[Symbol.dispose]();
    throw e;
  }
  return {
    ns: names,
    [Symbol.dispose]() {
      for (const ns of names) shTry("ip", "netns", "exec", ns, "ovs-dpctl", "del-dp", "odp");
      a[Symbol.dispose]();
      b[Symbol.dispose]();
    },
  };
}

for (const type of ["vxlan", "geneve", "gre"] as const) {
  test(`ovs tunnels: a ${type} port carries traffic between two namespaces`, { skip }, async () => {
    using pair = await tunnelPair(type);
    const [a, b] = pair.ns;
    // busybox is there wherever the VM harness is (tests/vm/setup.ts installs it)
    const ping = shTry(
      "ip",
      "netns",
      "exec",
      a,
      "busybox",
      "ping",
      "-c",
      "2",
      "-W",
      "3",
      "10.9.0.2",
    );
    assert.equal(ping.status, 0, `ping over ${type}: ${ping.out}${ping.err}`);
    // ovs-dpctl agrees: the tunnel port, and flows that saw the packets
    for (const ns of [a, b]) {
      const lines = dpctl(ns);
      assert.ok(lines.includes("  port 1: t0"), lines.join("\n"));
      assert.ok(lines.includes("  port 2: i0 (internal)"), lines.join("\n"));
      const flows = sh("ip", "netns", "exec", ns, "ovs-dpctl", "dump-flows");
      assert.match(flows, /in_port\(1\).*packets:[1-9]/);
      assert.match(flows, /set\(tunnel\(tun_id=0x2a,dst=172\.31\.0\.\d/);
    }
    using rt = RouteClient.open({ netns: a });
    const t0 = rt.linkSync("t0");
    assert.ok((t0.stats?.txPackets ?? 0n) >= 2n, `t0 sent ${t0.stats?.txPackets}`);
  });
}
