// RouteClient addresses, routes, neighbours and rules against the host kernel and iproute2, in
// namespaces of the test's own: IPv4 and IPv6, add/replace/del/list, multipath, metrics,
// several tables, route lookups, compared with `ip -j addr`, `ip -j route`, `ip -j neigh` and
// `ip -j rule`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NetlinkError } from "../../mod.ts";
import { RouteClient } from "../../src/route/mod.ts";
import { addressListJson, namesOf, routeJson } from "../../src/cli/route_json.ts";
import { canUseNetns, ipIn, tempNetns } from "../helpers/netns.ts";
import { assertShownAlike, ipJson, type Obj } from "./_helpers.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

/** A namespace with lo up and a bridge br0 (up, so routes through it are usable). */
function bridged(rt: RouteClient): void {
  rt.setLinkSync("lo", { up: true });
  rt.addLinkSync({ kind: "bridge", name: "br0", up: true });
  rt.addLinkSync({ kind: "bridge", name: "br1", up: true });
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetlinkError) return e.code;
    throw e;
  }
  return "none";
}

test(
  "route addresses: IPv4 and IPv6 added, replaced, listed like ip -j addr, deleted",
  { skip },
  async () => {
    using ns = tempNetns("rta");
    using rt = RouteClient.open({ netns: ns.name });
    bridged(rt);
    rt.addAddressSync("br0", "10.0.0.1/24", { broadcast: true, label: "br0:a" });
    rt.addAddressSync("br0", "10.0.0.9/24");
    rt.addAddressSync("br0", "10.1.0.1/32", { peer: "10.1.0.2" });
    await rt.addAddress("br0", "2001:db8::1/64", { flags: ["nodad", "noprefixroute"] });
    rt.addAddressSync("br1", "2001:db8:1::1/64", {
      flags: ["nodad"],
      validLifetime: 3600,
      preferredLifetime: 1800,
    });
    assert.equal(code(() => rt.addAddressSync("br0", "10.0.0.1/24")), "EEXIST");
    // a replace changes the metric and lifetimes of what is there (the kernel keeps the label)
    rt.replaceAddressSync("br0", "10.0.0.1/24", { broadcast: true, metric: 20 });
    const mine = rt.addressesSync();
    const ip = ipJson(ns.name, ["addr", "show"]);
    assertShownAlike(addressListJson(rt.linksSync(), mine), ip);
    const a = mine.find((x) => x.address === "10.0.0.1")!;
    assert.deepEqual([a.family, a.prefixLength, a.broadcast, a.label, a.scope, a.metric], [
      "inet",
      24,
      "10.0.0.255",
      "br0:a",
      "global",
      20,
    ]);
    assert.ok(mine.find((x) => x.address === "10.0.0.9")!.flags.includes("secondary"));
    assert.equal(mine.find((x) => x.address === "10.1.0.1")!.peer, "10.1.0.2");
    const v6 = mine.find((x) => x.address === "2001:db8:1::1")!;
    assert.ok(v6.validLifetime! <= 3600 && v6.validLifetime! > 3500);
    assert.ok(v6.preferredLifetime! <= 1800 && v6.preferredLifetime! > 1700);
    // filters
    assert.deepEqual(
      rt.addressesSync({ link: "br1", family: "inet6" }).map((x) => x.address).sort(),
      [
        "2001:db8:1::1",
        ...rt.addressesSync({ link: "br1" }).filter((x) => x.scope === "link").map((x) =>
          x.address
        ),
      ].sort(),
    );
    assert.deepEqual(rt.addressesSync({ family: "inet", link: "lo" }).map((x) => x.address), [
      "127.0.0.1",
    ]);
    // delete
    rt.delAddressSync("br0", "10.0.0.9/24");
    await rt.delAddress("br0", "2001:db8::1/64");
    assert.equal(code(() => rt.delAddressSync("br0", "2001:db8::1/64")), "EADDRNOTAVAIL");
    const left = ipJson(ns.name, ["addr", "show", "br0"])[0].addr_info as Obj[];
    assert.deepEqual(left.map((x) => x.local).filter((x) => !String(x).startsWith("fe80")).sort(), [
      "10.0.0.1",
      "10.1.0.1",
    ]);
  },
);

test(
  "route routes: v4, v6, multipath, metrics, tables listed like ip -j route",
  { skip },
  async () => {
    using ns = tempNetns("rtr");
    using rt = RouteClient.open({ netns: ns.name });
    bridged(rt);
    rt.addAddressSync("br0", "10.0.0.1/24");
    rt.addAddressSync("br1", "10.0.1.1/24");
    rt.addAddressSync("br0", "2001:db8::1/64", { flags: ["nodad"] });
    rt.addRouteSync({ dst: "10.9.0.0/16", gateway: "10.0.0.2", metric: 7, metrics: { mtu: 1400 } });
    rt.addRouteSync({
      dst: "10.8.0.0/16",
      table: 100,
      multipath: [
        { gateway: "10.0.0.2", dev: "br0" },
        { gateway: "10.0.1.2", dev: "br1", weight: 3 },
      ],
    });
    rt.addRouteSync({ dst: "10.7.0.0/16", type: "blackhole", protocol: "static", table: "main" });
    rt.addRouteSync({ dst: "10.6.0.0/16", gateway: "10.5.5.5", dev: "br0", onlink: true });
    rt.addRouteSync({ dst: "default", gateway: "10.0.1.254", table: 300, metric: 900 });
    await rt.addRoute({ dst: "default", gateway: "10.0.0.254", table: 200 });
    rt.addRouteSync({ dst: "2001:db8:5::/48", gateway: "2001:db8::2", pref: "high" });
    rt.addRouteSync({
      dst: "2001:db8:6::/48",
      table: 100,
      multipath: [
        { gateway: "2001:db8::3", dev: "br0" },
        { gateway: "2001:db8::4", dev: "br0", weight: 2 },
      ],
    });
    rt.addRouteSync({ dst: "10.4.0.1", dev: "br1", table: 4000000 });
    assert.equal(
      code(() => rt.addRouteSync({ dst: "10.9.0.0/16", gateway: "10.0.0.2", metric: 7 })),
      "EEXIST",
    );
    const names = namesOf(rt.linksSync());
    // main table, both families (as `ip route` and `ip -6 route`)
    for (const family of ["inet", "inet6"] as const) {
      const mine = rt.routesSync({ family }).map((r) => routeJson(r, names));
      const ip = ipJson(ns.name, [family === "inet" ? "-4" : "-6", "route", "show"]);
      assertShownAlike(mine, ip, `main ${family}`);
    }
    for (const family of ["inet", "inet6"] as const) {
      const f = family === "inet" ? "-4" : "-6";
      // every table
      const all = rt.routesSync({ table: "all", family });
      const ipAll = ipJson(ns.name, [f, "route", "show", "table", "all"]);
      assertShownAlike(all.map((r) => routeJson(r, names, { allTables: true })), ipAll, `all ${f}`);
      // one table each
      for (const table of family === "inet" ? [100, 200, 4000000] : [100]) {
        const mine = rt.routesSync({ table, family }).map((r) => routeJson(r, names));
        const ip = ipJson(ns.name, [f, "route", "show", "table", String(table)]);
        assertShownAlike(mine, ip, `table ${table} ${f}`);
      }
    }
    // a table the family never had: ip says "FIB table does not exist", nlts an empty table
    assert.throws(() => ipIn(ns.name, ["-6", "route", "show", "table", "200"]), /does not exist/);
    assert.deepEqual(rt.routesSync({ table: 200, family: "inet6" }), []);
    const mp = rt.routesSync({ table: 100, family: "inet" })[0];
    assert.deepEqual(mp.multipath?.map((h) => [h.gateway, h.weight]), [["10.0.0.2", 1], [
      "10.0.1.2",
      3,
    ]]);
    const v6mp = rt.routesSync({ table: 100, family: "inet6" }).find((r) => r.multipath)!;
    assert.deepEqual(v6mp.multipath?.map((h) => [h.gateway, h.weight]), [["2001:db8::3", 1], [
      "2001:db8::4",
      2,
    ]]);
    const r9 = rt.routesSync().find((r) => r.dst === "10.9.0.0/16")!;
    assert.equal(r9.metrics?.mtu, 1400);
    assert.equal(r9.metric, 7);
    assert.equal(rt.routesSync({ table: 4000000 })[0].table, 4000000);
    assert.deepEqual(rt.routesSync({ dev: "br1", family: "inet" }).map((r) => r.dst), [
      "10.0.1.0/24",
    ]);
    assert.deepEqual(rt.routesSync({ protocol: "static" }).map((r) => r.dst), ["10.7.0.0/16"]);
    // lookups, as ip route get
    const got = rt.getRouteSync("10.9.1.1");
    assert.deepEqual([got.gateway, got.oif, got.prefsrc], [
      "10.0.0.2",
      rt.linkSync("br0").index,
      "10.0.0.1",
    ]);
    assert.equal(rt.getRouteSync("10.9.1.1", { fibmatch: true }).dst, "10.9.0.0/16");
    assert.equal(code(() => rt.getRouteSync("192.0.2.1")), "ENETUNREACH");
    // replace, delete
    rt.replaceRouteSync({ dst: "10.9.0.0/16", gateway: "10.0.1.2", metric: 7 });
    assert.equal(rt.routesSync().find((r) => r.dst === "10.9.0.0/16")!.gateway, "10.0.1.2");
    rt.delRouteSync({ dst: "10.9.0.0/16", metric: 7 });
    await rt.delRoute({ dst: "default", table: 200 });
    assert.equal(code(() => rt.delRouteSync({ dst: "10.9.0.0/16" })), "ESRCH");
    assert.equal(ipJson(ns.name, ["route", "show", "table", "200"]).length, 0);
    assert.ok(!ipJson(ns.name, ["route"]).some((r) => r.dst === "10.9.0.0/16"));
  },
);

test("route routes: a stream yields what a dump returns", { skip }, async () => {
  using ns = tempNetns("rtr");
  using rt = RouteClient.open({ netns: ns.name });
  bridged(rt);
  rt.addAddressSync("br0", "10.0.0.1/16");
  const specs = Array.from(
    { length: 500 },
    (_, i) => ({ dst: `10.${100 + (i >> 8)}.${i & 255}.0/24`, dev: "br0" }),
  );
  const r = rt.addRoutesSync(specs);
  assert.deepEqual(r, { ok: 500, errors: [] });
  const again = rt.addRoutesSync(specs.slice(0, 3));
  assert.equal(again.ok, 0);
  assert.deepEqual(again.errors.map((e) => [e.index, e.error.code]), [
    [0, "EEXIST"],
    [1, "EEXIST"],
    [2, "EEXIST"],
  ]);
  const streamed: string[] = [];
  for await (const route of rt.routeStream({ table: "all" })) streamed.push(route.dst);
  assert.deepEqual(streamed, rt.routesSync({ table: "all" }).map((x) => x.dst));
  assert.equal(streamed.filter((d) => d.startsWith("10.1")).length, 500);
});

test("route neighbours: added, replaced, listed like ip -j neigh, deleted", { skip }, async () => {
  using ns = tempNetns("rtn");
  using rt = RouteClient.open({ netns: ns.name });
  bridged(rt);
  rt.addAddressSync("br0", "10.0.0.1/24");
  rt.addNeighbourSync("br0", "10.0.0.2", { lladdr: "02:00:00:00:00:02" });
  await rt.addNeighbour("br0", "2001:db8::2", { lladdr: "02:00:00:00:00:03", flags: ["router"] });
  rt.addNeighbourSync("br1", "10.0.1.7", { lladdr: "02:00:00:00:00:07", state: ["reachable"] });
  assert.equal(
    code(() => rt.addNeighbourSync("br0", "10.0.0.2", { lladdr: "02:00:00:00:00:09" })),
    "EEXIST",
  );
  rt.replaceNeighbourSync("br0", "10.0.0.2", { lladdr: "02:00:00:00:00:0a" });
  const ip = ipJson(ns.name, ["neigh", "show"]);
  const mine = rt.neighboursSync();
  for (const n of mine.filter((x) => x.lladdr?.startsWith("02:00"))) {
    const theirs = ip.find((x) => x.dst === n.address)!;
    assert.ok(theirs, `${n.address} in ip neigh`);
    assert.equal(n.lladdr, theirs.lladdr);
    assert.deepEqual(n.state.map((s) => s.toUpperCase()), theirs.state);
    if (n.flags.includes("router")) assert.equal(theirs.router, null);
  }
  // ip hides NOARP entries (multicast addresses); the kernel's dump has them
  assert.deepEqual(
    rt.neighboursSync({ link: "br1" }).filter((n) => !n.state.includes("noarp")).map((n) =>
      n.address
    ),
    ["10.0.1.7"],
  );
  rt.delNeighbourSync("br0", "10.0.0.2");
  await rt.delNeighbour("br0", "2001:db8::2");
  assert.equal(code(() => rt.delNeighbourSync("br0", "10.0.0.2")), "ENOENT");
  assert.deepEqual(
    ipJson(ns.name, ["neigh", "show", "dev", "br0"]).filter((x) => x.lladdr).length,
    0,
  );
});

test("route rules: added, listed like ip -j rule, deleted", { skip }, async () => {
  using ns = tempNetns("rtu");
  using rt = RouteClient.open({ netns: ns.name });
  rt.addRuleSync({ priority: 100, src: "10.0.0.0/8", table: 100 });
  rt.addRuleSync({ priority: 101, dst: "192.0.2.0/24", iifname: "lo", table: 4000000 });
  await rt.addRule({ priority: 102, fwmark: 7, fwmask: 0xff, table: "main" });
  rt.addRuleSync({ family: "inet6", priority: 103, src: "2001:db8::/32", table: 6 });
  rt.addRuleSync({ priority: 104, action: "blackhole" });
  const ip4 = ipJson(ns.name, ["-4", "rule", "show"]);
  const mine4 = rt.rulesSync({ family: "inet" });
  assert.deepEqual(mine4.map((r) => r.priority), ip4.map((r) => r.priority));
  const r100 = mine4.find((r) => r.priority === 100)!;
  assert.deepEqual([r100.src, r100.table, r100.action], ["10.0.0.0/8", 100, "toTbl"]);
  assert.equal(ip4.find((r) => r.priority === 100)!.src, "10.0.0.0");
  assert.equal(mine4.find((r) => r.priority === 101)!.table, 4000000);
  assert.equal(ip4.find((r) => r.priority === 101)!.table, "4000000");
  assert.equal(mine4.find((r) => r.priority === 102)!.fwmark, 7);
  assert.equal(mine4.find((r) => r.priority === 104)!.action, "blackhole");
  const v6 = rt.rulesSync({ family: "inet6" }).find((r) => r.priority === 103)!;
  assert.deepEqual([v6.src, v6.table], ["2001:db8::/32", 6]);
  rt.delRuleSync({ priority: 100 });
  await rt.delRule({ family: "inet6", priority: 103 });
  assert.equal(code(() => rt.delRuleSync({ priority: 100 })), "ENOENT");
  assert.ok(!ipJson(ns.name, ["rule", "show"]).some((r) => r.priority === 100));
  assert.ok(!ipJson(ns.name, ["-6", "rule", "show"]).some((r) => r.priority === 103));
});
