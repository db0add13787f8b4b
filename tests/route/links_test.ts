// RouteClient links against the host kernel and iproute2, in namespaces of the test's own: every
// kind this host builds in (veth, bridge, vxlan, macvlan) made, read back field by field against
// `ip -j -d link show` and deleted; changes (up/down, MTU, address, master, name, namespace);
// kernel-side filters; namespaces by name and by fd; errors as NetlinkError.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeNamespace, NetlinkError, openNamespace } from "../../mod.ts";
import { type Link, RouteClient } from "../../src/route/mod.ts";
import { linkJson, namesOf } from "../../src/cli/route_json.ts";
import { canUseNetns, ipIn, tempNetns } from "../helpers/netns.ts";
import { assertShownAlike, ipJson, type Obj, sharedKeys } from "./_helpers.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

/** Our links and ip's, matched by index and compared key by key. */
function compareWithIp(ns: string, links: Link[]): string[] {
  const ip = ipJson(ns, ["-d", "link", "show"]);
  assert.deepEqual(
    links.map((l) => l.index).sort((a, b) => a - b),
    ip.map((l) => l.ifindex as number).sort((a, b) => a - b),
  );
  const names = namesOf(links);
  const shared = new Set<string>();
  for (const l of links) {
    const theirs = ip.find((x) => x.ifindex === l.index)!;
    const ours = linkJson(l, names);
    assertShownAlike(ours, theirs, l.name);
    for (const k of sharedKeys(ours, theirs)) shared.add(k);
  }
  return [...shared].sort();
}

function expectError(fn: () => unknown, code: string, re?: RegExp): NetlinkError {
  let err: NetlinkError | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof NetlinkError, String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    err = e;
    return true;
  });
  return err!;
}

test("route links: a dump of every kind agrees with ip -j -d link show", { skip }, () => {
  using ns = tempNetns("rtl");
  ipIn(ns.name, ["link", "add", "ve0", "type", "veth", "peer", "name", "ve1"]);
  ipIn(ns.name, ["link", "add", "br0", "type", "bridge", "stp_state", "1"]);
  ipIn(ns.name, ["link", "set", "ve0", "master", "br0"]);
  ipIn(ns.name, ["link", "set", "br0", "up"]);
  ipIn(
    ns.name,
    ["link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "192.0.2.1"].concat(
      ["dstport", "4789", "nolearning", "ttl", "9"],
    ),
  );
  ipIn(ns.name, ["link", "add", "vx1", "type", "vxlan", "external", "dstport", "4790"]);
  ipIn(ns.name, ["link", "add", "mv0", "link", "ve1", "type", "macvlan", "mode", "bridge"]);
  ipIn(ns.name, ["link", "set", "lo", "up", "mtu", "1500"]);
  using rt = RouteClient.open({ netns: ns.name });
  const links = rt.linksSync();
  assert.deepEqual(links.map((l) => l.name).sort(), [
    "br0",
    "lo",
    "mv0",
    "ve0",
    "ve1",
    "vx0",
    "vx1",
  ]);
  const shared = compareWithIp(ns.name, links);
  for (
    const k of [
      "ifindex",
      "ifname",
      "link",
      "flags",
      "mtu",
      "qdisc",
      "master",
      "operstate",
      "linkmode",
      "group",
      "txqlen",
      "link_type",
      "address",
      "broadcast",
      "promiscuity",
      "min_mtu",
      "max_mtu",
      "linkinfo",
      "num_tx_queues",
      "num_rx_queues",
    ]
  ) assert.ok(shared.includes(k), `${k} compared (${shared.join(", ")})`);
  const vx0 = links.find((l) => l.name === "vx0")!;
  assert.equal(vx0.kind, "vxlan");
  const data = vx0.linkinfo?.data as Obj;
  assert.equal(data.id, 42);
  assert.equal(data.group, "192.0.2.1");
  assert.equal(data.ttl, 9);
  assert.equal(links.find((l) => l.name === "ve0")!.linkinfo?.slaveKind, "bridge");
  assert.equal(links.find((l) => l.name === "lo")!.up, true);
});

test("route links: each host kind made, read back against ip, deleted", { skip }, async () => {
  using ns = tempNetns("rtl");
  using rt = RouteClient.open({ netns: ns.name });
  const made: Link[] = [
    rt.addLinkSync({ kind: "veth", name: "ve0", peer: { name: "ve1", mtu: 1400 }, mtu: 1300 }),
    rt.addLinkSync({ kind: "bridge", name: "br0", stp: true, forwardDelay: 800, up: true }),
    rt.addLinkSync({
      kind: "vxlan",
      name: "vx0",
      vni: 4242,
      remote: "2001:db8::7",
      port: 8472,
      learning: false,
      ttl: 3,
      dev: "ve0",
    }),
    await rt.addLink({ kind: "macvlan", name: "mv0", link: "ve1", mode: "private" }),
    await rt.addLink({ kind: "vxlan", name: "vx1", external: true, port: 4790 }),
  ];
  assert.deepEqual(made.map((l) => l.kind), ["veth", "bridge", "vxlan", "macvlan", "vxlan"]);
  assert.equal(made[0].mtu, 1300);
  assert.equal(rt.linkSync("ve1").mtu, 1400);
  assert.equal(made[0].parent, rt.linkSync("ve1").index);
  assert.equal((made[1].linkinfo?.data as Obj).stpState, 1);
  assert.equal((made[1].linkinfo?.data as Obj).forwardDelay, 800);
  assert.equal(made[1].up, true);
  const vx = made[2].linkinfo?.data as Obj;
  assert.deepEqual([vx.id, vx.group6, vx.port, vx.learning, vx.ttl, vx.link], [
    4242,
    "2001:db8::7",
    8472,
    0,
    3,
    made[0].index,
  ]);
  assert.equal((made[3].linkinfo?.data as Obj).mode, "private");
  assert.equal((made[4].linkinfo?.data as Obj).collectMetadata, 1);
  compareWithIp(ns.name, rt.linksSync());
  for (const l of made) {
    if (l.name === "ve0") continue; // goes with its peer
    if (l.name === "ve1") continue;
    rt.delLinkSync(l.name);
  }
  await rt.delLink("ve1");
  assert.deepEqual(rt.linksSync().map((l) => l.name), ["lo"]);
  assert.deepEqual(ipJson(ns.name, ["link", "show"]).map((l) => l.ifname), ["lo"]);
  expectError(() => rt.linkSync("vx0"), "ENODEV");
});

test("route links: up/down, MTU, address, alias, master, name, namespace", { skip }, async () => {
  using a = tempNetns("rtl");
  using b = tempNetns("rtl");
  using rt = RouteClient.open({ netns: a.name });
  rt.addLinkSync({ kind: "veth", name: "ve0", peer: { name: "ve1" } });
  rt.addLinkSync({ kind: "bridge", name: "br0" });
  rt.setLinkSync("ve0", { up: true, mtu: 9000, address: "02:11:22:33:44:55", alias: "uplink" });
  let ip = ipJson(a.name, ["link", "show", "ve0"])[0];
  assert.equal(ip.mtu, 9000);
  assert.equal(ip.address, "02:11:22:33:44:55");
  assert.equal(ip.ifalias, "uplink");
  assert.ok((ip.flags as string[]).includes("UP"));
  await rt.setLink("ve0", { master: "br0" });
  assert.equal(ipJson(a.name, ["link", "show", "ve0"])[0].master, "br0");
  assert.deepEqual(rt.linksSync({ master: "br0" }).map((l) => l.name), ["ve0"]);
  rt.setLinkSync("ve0", { master: null, up: false });
  ip = ipJson(a.name, ["link", "show", "ve0"])[0];
  assert.equal(ip.master, undefined);
  assert.ok(!(ip.flags as string[]).includes("UP"));
  const index = rt.linkSync("ve0").index;
  rt.setLinkSync("ve0", { name: "uplink0" });
  assert.equal(rt.linkSync(index).name, "uplink0");
  // into another namespace, by name, then back by fd
  rt.setLinkSync("uplink0", { netns: b.name });
  assert.deepEqual(ipJson(b.name, ["link", "show"]).map((l) => l.ifname).sort(), ["lo", "uplink0"]);
  using rb = RouteClient.open({ netns: b.name });
  const fd = openNamespace(a.name);
  try {
    rb.setLinkSync("uplink0", { netns: fd });
  } finally {
    closeNamespace(fd);
  }
  assert.ok(rt.linksSync().some((l) => l.name === "uplink0"));
});

test("route links: veth peers and links made in other namespaces", { skip }, () => {
  using a = tempNetns("rtl");
  using b = tempNetns("rtl");
  using c = tempNetns("rtl");
  using rt = RouteClient.open({ netns: a.name });
  const ve0 = rt.addLinkSync({ kind: "veth", name: "ve0", peer: { name: "ve1", netns: b.name } });
  assert.equal(ve0.parentNetnsid !== undefined, true);
  assert.deepEqual(ipJson(b.name, ["link", "show"]).map((l) => l.ifname).sort(), ["lo", "ve1"]);
  // the peer by fd, and the link itself put straight into another namespace
  const fd = openNamespace(c.name);
  try {
    const far = rt.addLinkSync({
      kind: "veth",
      name: "far0",
      netns: fd,
      peer: { name: "near0" },
    });
    assert.equal(far.name, "far0");
    assert.equal(far.kind, "veth");
  } finally {
    closeNamespace(fd);
  }
  assert.ok(ipJson(c.name, ["link", "show"]).some((l) => l.ifname === "far0"));
  assert.ok(rt.linksSync().some((l) => l.name === "near0"));
  // the client itself by fd
  const fdB = openNamespace(b.name);
  try {
    using rb = RouteClient.open({ netns: fdB });
    assert.deepEqual(rb.linksSync().map((l) => l.name).sort(), ["lo", "ve1"]);
  } finally {
    closeNamespace(fdB);
  }
  // ip's view of the pair, from either side
  compareWithIp(a.name, rt.linksSync());
});

test("route links: the kernel filters dumps by master and by kind", { skip }, () => {
  using ns = tempNetns("rtl");
  using rt = RouteClient.open({ netns: ns.name });
  rt.addLinkSync({ kind: "bridge", name: "br0" });
  rt.addLinkSync({ kind: "bridge", name: "br1" });
  for (let i = 0; i < 3; i++) {
    rt.addLinkSync({
      kind: "veth",
      name: `p${i}`,
      peer: { name: `q${i}` },
      master: i < 2 ? "br0" : "br1",
    });
  }
  assert.deepEqual(rt.linksSync({ master: "br0" }).map((l) => l.name), ["p0", "p1"]);
  assert.deepEqual(rt.linksSync({ kind: "bridge" }).map((l) => l.name), ["br0", "br1"]);
  assert.deepEqual(rt.linksSync({ master: "br1", kind: "veth" }).map((l) => l.name), ["p2"]);
  assert.equal(rt.linksSync({ kind: "veth" }).length, 6);
});

test("route links: EEXIST, ENODEV and ext-ack paths through link kinds", { skip }, () => {
  using ns = tempNetns("rtl");
  using rt = RouteClient.open({ netns: ns.name });
  rt.addLinkSync({ kind: "bridge", name: "br0" });
  expectError(() => rt.addLinkSync({ kind: "bridge", name: "br0" }), "EEXIST");
  expectError(() => rt.delLinkSync("nope0"), "ENODEV");
  expectError(() => rt.setLinkSync(999, { up: true }), "ENODEV");
  const e = expectError(
    () => rt.addLinkSync({ kind: "vxlan", name: "vx0", data: { id: 1 << 24 } }),
    "ERANGE",
  );
  assert.equal(e.extAck?.attributePath, ".linkinfo.data(vxlan).id");
  assert.match(e.message, /VXLAN ID must be lower than 16777216/);
  // a bad argument never reaches the kernel
  assert.throws(() => rt.addLinkSync({ kind: "vxlan", name: "vx0", vni: 1 << 24 }), RangeError);
  assert.throws(() => rt.addLinkSync({ kind: "bridge", name: "much-too-long-name" }), TypeError);
});

test("route links: EPERM without CAP_NET_ADMIN over the namespace", { skip }, () => {
  // A user namespace of its own keeps root's files but not its power over the host's network.
  const child = new URL("./_eperm_child.ts", import.meta.url).pathname;
  const exe = process.execPath;
  const args = exe.includes("bun") ? [exe, child] : [exe, "run", "-A", child];
  const out = execFileSync("unshare", ["--user", "--map-root-user", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const r = JSON.parse(out) as Obj;
  assert.equal(r.name, "NetlinkError");
  assert.equal(r.code, "EPERM");
  assert.equal(r.operation, "rt-link.newlink");
});

test("route links: namespace ids, and another namespace's links through one", { skip }, () => {
  using a = tempNetns("rtl");
  using b = tempNetns("rtl");
  using rt = RouteClient.open({ netns: a.name });
  assert.equal(rt.nsidSync(b.name, { assign: false }), -1);
  const id = rt.nsidSync(b.name);
  assert.ok(id >= 0);
  assert.equal(rt.nsidSync(b.name), id);
  assert.match(ipIn(a.name, ["netns", "list-id"]), new RegExp(`nsid ${id} `));
  ipIn(b.name, ["link", "add", "far0", "type", "bridge"]);
  // IFLA_TARGET_NETNSID: b's links, read and deleted through a's socket
  assert.deepEqual(rt.linksSync({ nsid: id }).map((l) => l.name).sort(), ["far0", "lo"]);
  assert.equal(rt.linkSync("far0", { nsid: id }).kind, "bridge");
  rt.delLinkSync("far0", { nsid: id });
  assert.deepEqual(ipJson(b.name, ["link", "show"]).map((l) => l.ifname), ["lo"]);
});
