// Errata (src/ynl/errata.ts): the link kinds the rt-link spec has no linkinfo format for (veth
// with its peer, vxlan, macvlan, ipvlan, vrf ports), the request lists specs leave short (strict
// dump filters, newaddr broadcast), rt-rule addresses typed u32; nlts's own rt-netns spec
// (RTM_*NSID). Checked against the host kernel and iproute2 in namespaces of the test's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { getLibc } from "../../src/ffi/mod.ts";
import { NetlinkError, NetlinkWriter } from "../../src/protocol/mod.ts";
import { NetlinkSocket } from "../../src/socket/mod.ts";
import { NETLINK } from "../../src/protocol/mod.ts";
import { loadRawSpec, RawFamily } from "../../src/ynl/mod.ts";
import { rtAddr } from "../../src/families/rt_addr.ts";
import { rtLink } from "../../src/families/rt_link.ts";
import { rtNetns } from "../../src/families/rt_netns.ts";
import { rtRule } from "../../src/families/rt_rule.ts";
import { ipIn, tempNetns } from "../helpers/netns.ts";

const LINUX_DOC = "/usr/share/doc/linux-doc-6.12/Documentation/netlink/specs";
const SHARED = new URL("../../../shared/ynl-specs", import.meta.url).pathname;
const RT_NETNS = new URL("../../specs/rt-netns.yaml", import.meta.url).pathname;
const DIRS = [LINUX_DOC, ...(existsSync(SHARED) ? [SHARED] : [])];
const CREATE = 0x400 | 0x200; // NLM_F_CREATE | NLM_F_EXCL

type Obj = Record<string, unknown>;

function ipLink(ns: string, name: string): Obj {
  return (JSON.parse(ipIn(ns, ["-j", "-d", "link", "show", name])) as Obj[])[0];
}

function openNetns(name: string): number {
  const r = getLibc().open(`/run/netns/${name}`, 0o2000000 /* O_CLOEXEC */);
  assert.ok(r.ret >= 0, `open /run/netns/${name}: errno ${r.errno}`);
  return r.ret;
}

test("ynl errata: rt-link gains veth, vxlan, macvlan, ipvlan and vrf-port formats", () => {
  for (const dir of DIRS) {
    const rtLink = loadRawSpec("rt_link", { dirs: [dir] });
    const note = rtLink.ynl.errata.find((e) => e.startsWith("linkinfo formats added"));
    assert.ok(note, `${dir}: ${rtLink.ynl.errata.join("; ")}`);
    assert.match(note, /veth, vxlan, macvlan, macvtap, ipvlan, ipvtap/);
    assert.match(note, /linkinfo-member-data-msg: vrf/);
    const sets = rtLink.ynl.sets;
    assert.equal(sets.get("linkinfo-vxlan-attrs")?.field("id")?.type, 1);
    assert.equal(sets.get("linkinfo-vxlan-attrs")?.field("port")?.type, 15);
    assert.equal(sets.get("linkinfo-vxlan-attrs")?.field("collectMetadata")?.type, 25);
    assert.equal(sets.get("linkinfo-vxlan-attrs")?.field("df")?.type, 29);
    assert.equal(sets.get("linkinfo-macvlan-attrs")?.field("bcCutoff")?.type, 9);
    assert.equal(sets.get("linkinfo-vrf-port-attrs")?.field("table")?.type, 1);
    // the peer carries the link attributes a new link takes, not its own linkinfo
    const peer = sets.get("linkinfo-veth-peer-attrs")!;
    assert.equal(peer.field("ifname")?.type, 3);
    assert.equal(peer.field("netNsFd")?.type, 28);
    assert.equal(peer.field("linkinfo"), undefined);
  }
});

test("ynl errata: strict dump filters the specs leave out are accepted", () => {
  for (const dir of DIRS) {
    const route = loadRawSpec("rt_route", { dirs: [dir] });
    const names = route.operations.getroute.request.fields.map((f) => f.name);
    assert.ok(names.some((n) => /^(rta-)?table$/.test(n)), `${dir}: ${names}`);
    assert.ok(names.some((n) => /^(rta-)?oif$/.test(n)), `${dir}: ${names}`);
    const addr = loadRawSpec("rt_addr", { dirs: [dir] });
    assert.ok(
      addr.operations.getaddr.request.fields.some((f) => /target-netnsid$/.test(f.name)),
      dir,
    );
    const link = loadRawSpec("rt_link", { dirs: [dir] });
    assert.ok(link.operations.dellink.request.fields.some((f) => f.name === "target-netnsid"));
  }
});

test("ynl errata: a vxlan made through the spec reads back as iproute2 shows it", () => {
  using ns = tempNetns("ynlk");
  for (const dir of DIRS) {
    using link = RawFamily.open(loadRawSpec("rt_link", { dirs: [dir] }), { netns: ns.name });
    link.requestSync("newlink", {
      ifname: "vx0",
      linkinfo: {
        kind: "vxlan",
        data: { id: 4242, port: 8472, group: "10.1.2.3", ttl: 17, learning: 0, df: "set" },
      },
    }, { flags: CREATE });
    const got = link.doSync("getlink", { ifname: "vx0" })!;
    const data = (got.linkinfo as Obj).data as Obj;
    const ip = (ipLink(ns.name, "vx0").linkinfo as Obj).info_data as Obj;
    assert.equal(data.id, ip.id);
    assert.equal(data.id, 4242);
    assert.equal(data.port, ip.port);
    assert.equal(data.group, ip.remote);
    assert.equal(data.ttl, ip.ttl);
    assert.equal(data.learning === 1, ip.learning);
    assert.equal(data.df, ip.df);
    assert.equal(data.ageing, ip.ageing);
    link.requestSync("dellink", { ifname: "vx0" });
  }
});

test("ynl errata: ext-ack paths name the sub-message's format", () => {
  using ns = tempNetns("ynlk");
  using link = RawFamily.open(loadRawSpec("rt_link", { dirs: [LINUX_DOC] }), { netns: ns.name });
  assert.throws(
    () =>
      link.requestSync("newlink", {
        ifname: "vx0",
        linkinfo: { kind: "vxlan", data: { id: 1 << 24, port: 4789 } },
      }, { flags: CREATE }),
    (e: unknown) => {
      assert.ok(e instanceof NetlinkError, String(e));
      assert.equal(e.code, "ERANGE");
      assert.equal(e.extAck?.attributePath, ".linkinfo.data(vxlan).id");
      return true;
    },
  );
});

test("ynl errata: a veth's peer (ifinfomsg and attributes) goes into another namespace", () => {
  using a = tempNetns("ynlk");
  using b = tempNetns("ynlk");
  const fd = openNetns(b.name);
  try {
    using link = RawFamily.open(loadRawSpec("rt_link", { dirs: [LINUX_DOC] }), { netns: a.name });
    link.requestSync("newlink", {
      ifname: "ve0",
      mtu: 1400,
      linkinfo: { kind: "veth", data: { peer: { ifname: "ve1", mtu: 1300, netNsFd: fd } } },
    }, { flags: CREATE });
  } finally {
    getLibc().close(fd);
  }
  assert.equal(ipLink(a.name, "ve0").mtu, 1400);
  const peer = ipLink(b.name, "ve1");
  assert.equal(peer.mtu, 1300);
  assert.equal((peer.linkinfo as Obj).info_kind, "veth");
});

test("ynl errata: macvlan mode and flags by name, as iproute2 shows them", () => {
  using ns = tempNetns("ynlk");
  ipIn(ns.name, ["link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
  using link = RawFamily.open(loadRawSpec("rt_link", { dirs: [LINUX_DOC] }), { netns: ns.name });
  const [d0] = link.requestSync("getlink", { ifname: "d0" });
  link.requestSync("newlink", {
    ifname: "mv0",
    link: d0.header.ifiIndex,
    linkinfo: { kind: "macvlan", data: { mode: "vepa", flags: ["nopromisc"] } },
  }, { flags: CREATE });
  const data = (link.doSync("getlink", { ifname: "mv0" })!.linkinfo as Obj).data as Obj;
  const ip = (ipLink(ns.name, "mv0").linkinfo as Obj).info_data as Obj;
  assert.equal(data.mode, "vepa");
  assert.equal(ip.mode, "vepa");
  assert.deepEqual(data.flags, ["nopromisc"]);
  assert.equal(ip.nopromisc, true);
});

test("ynl errata: a decode error inside a sub-message names its format", () => {
  const info = loadRawSpec("rt_link", { dirs: [LINUX_DOC] }).ynl.sets.get("linkinfo-attrs")!;
  const w = new NetlinkWriter();
  info.encode(w, { kind: "vxlan", data: { id: 5, ttl: 3 } });
  const bytes = w.bytes().slice();
  assert.equal(bytes[bytes.length - 8], 5); // the ttl attribute's length
  bytes[bytes.length - 8] = 6;
  assert.throws(() => info.decode(bytes), /linkinfo-attrs\.data\(vxlan\)\.ttl/);
});

test("rt-netns spec: assign and read namespace ids as `ip netns set` does", () => {
  using a = tempNetns("ynlk");
  using b = tempNetns("ynlk");
  const spec = loadRawSpec(RT_NETNS);
  assert.deepEqual(Object.keys(spec.operations), ["newnsid", "getnsid"]);
  assert.deepEqual(spec.mcastGroups, { "rtnlgrp-nsid": 28 });
  assert.deepEqual(Object.keys(spec.events ?? {}), ["newnsid-ntf", "delnsid-ntf"]);
  const fd = openNetns(b.name);
  try {
    using f = RawFamily.open(spec, { netns: a.name });
    assert.equal(f.doSync("getnsid", { fd })?.nsid, -1); // none assigned yet
    f.requestSync("newnsid", { nsid: 7, fd });
    assert.equal(f.doSync("getnsid", { fd })?.nsid, 7);
    assert.deepEqual(f.dumpSync("getnsid").map((m) => m.attrs.nsid), [7]);
    assert.match(ipIn(a.name, ["netns", "list-id"]), new RegExp(`nsid 7 .*${b.name}`));
    assert.throws(() => f.requestSync("newnsid", { nsid: 7, fd }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EEXIST");
      return true;
    });
  } finally {
    getLibc().close(fd);
  }
});

test("ynl errata: rt-rule src and dst are addresses of the rule's family", () => {
  using ns = tempNetns("ynlk");
  ipIn(ns.name, [
    "-6",
    "rule",
    "add",
    "from",
    "2001:db8::/32",
    "to",
    "2001:db8:1::/48",
    "table",
    "7",
  ]);
  ipIn(ns.name, ["rule", "add", "from", "10.1.0.0/16", "table", "8"]);
  using f = RawFamily.open(rtRule, { netns: ns.name });
  const v6 = f.dumpSync("getrule", undefined, { header: { family: 10 } })
    .find((m) => m.attrs.table === 7)!;
  assert.equal(v6.attrs.src, "2001:db8::");
  assert.equal(v6.header.srcLen, 32);
  assert.equal(v6.attrs.dst, "2001:db8:1::");
  const v4 = f.dumpSync("getrule", undefined, { header: { family: 2 } })
    .find((m) => m.attrs.table === 8)!;
  assert.equal(v4.attrs.src, "10.1.0.0");
  // and they encode: delete the IPv6 rule by its prefixes
  f.requestSync("delrule", { table: 7, src: "2001:db8::", dst: "2001:db8:1::" }, {
    header: { family: 10, srcLen: 32, dstLen: 48, action: "toTbl" },
  });
  assert.doesNotMatch(ipIn(ns.name, ["-6", "rule"]), /2001:db8/);
});

test("ynl errata: newaddr takes a broadcast address and a route metric", () => {
  using ns = tempNetns("ynlk");
  ipIn(ns.name, ["link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
  using link = RawFamily.open(rtLink, { netns: ns.name });
  const index = link.requestSync("getlink", { ifname: "d0" })[0].header.ifiIndex;
  using addr = RawFamily.open(rtAddr, { netns: ns.name });
  addr.requestSync("newaddr", {
    local: "10.4.0.1",
    address: "10.4.0.1",
    broadcast: "10.4.0.255",
    rtPriority: 77,
  }, { header: { ifaFamily: 2, ifaPrefixlen: 24, ifaIndex: index }, flags: CREATE });
  const ip = (JSON.parse(ipIn(ns.name, ["-j", "addr", "show", "d0"])) as Obj[])[0];
  const info = (ip.addr_info as Obj[]).find((a) => a.local === "10.4.0.1")!;
  assert.equal(info.broadcast, "10.4.0.255");
  assert.equal(info.metric, 77);
});

test("RawFamily.over: families of one protocol share a socket", () => {
  using ns = tempNetns("ynlk");
  using sock = NetlinkSocket.open(NETLINK.ROUTE, { netns: ns.name });
  const link = RawFamily.over(sock, rtLink);
  const netns = RawFamily.over(sock, rtNetns);
  assert.equal(link.socket, sock);
  assert.deepEqual(link.dumpSync("getlink").map((m) => m.attrs.ifname), ["lo"]);
  assert.deepEqual(netns.dumpSync("getnsid"), []);
  using genl = NetlinkSocket.open(NETLINK.GENERIC);
  assert.throws(
    () => RawFamily.over(genl, rtLink),
    /rt-link \(netlink protocol 0\) on a socket of protocol 16/,
  );
});

test("ynl errata: bridge port options are u8 both ways, as the kernel has them", () => {
  using ns = tempNetns("ynlk");
  ipIn(ns.name, ["link", "add", "br0", "type", "bridge"]);
  ipIn(ns.name, ["link", "add", "d0", "master", "br0", "type", "veth", "peer", "name", "d1"]);
  using link = RawFamily.open(rtLink, { netns: ns.name });
  link.requestSync("newlink", {
    ifname: "d0",
    linkinfo: { slaveKind: "bridge", slaveData: { learning: 0, isolated: 1, cost: 33 } },
  });
  const port = link.requestSync("getlink", { ifname: "d0" })[0].attrs.linkinfo!;
  assert.equal(port.slaveKind, "bridge");
  const data = port.slaveData as Obj;
  const ip = (ipLink(ns.name, "d0").linkinfo as Obj).info_slave_data as Obj;
  for (
    const [ours, theirs] of [
      ["learning", "learning"],
      ["isolated", "isolated"],
      ["guard", "guard"],
      ["mode", "hairpin"],
      ["unicastFlood", "flood"],
    ]
  ) {
    assert.equal(data[ours] === 1, ip[theirs], ours);
  }
  assert.equal(data.learning, 0);
  assert.equal(data.isolated, 1);
  assert.equal(data.cost, 33);
});
