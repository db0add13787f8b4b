// RouteReader (`@nlts/netlink/route/routes`): its requests are the bytes RouteClient's spec
// families encode, and its dumps are RouteClient's (same routes, same filters, same errors), in a
// namespace of the test's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, NETLINK, NetlinkError, NetlinkSocket } from "../../mod.ts";
import { RawFamily } from "../../src/ynl/raw_family.ts";
import { rtLink } from "../../src/families/rt_link.ts";
import { rtRoute } from "../../src/families/rt_route.ts";
import { RouteClient, type RouteFilter } from "../../src/route/mod.ts";
import { RouteReader } from "../../src/route/routes.ts";
import {
  finishRouteQuery,
  linkIndexOf,
  linkIndexRequest,
  routeRequest,
  startRouteQuery,
} from "../../src/route/_route_dump.ts";
import { canUseNetns, tempNetns } from "../helpers/netns.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

test("route reader: a link's index request is rt-link's getlink by name", () => {
  using sock = NetlinkSocket.open(NETLINK.ROUTE);
  const link = RawFamily.over(sock, rtLink);
  for (const name of ["lo", "br0", "a-b.c_d", "fifteen-chars15"]) {
    assert.deepEqual(
      linkIndexRequest(name),
      link.encode("getlink", { ifname: name, extMask: ["skipStats"] }),
    );
  }
});

test("route reader: a link's index is its ifinfomsg's; a short reply is a DecodeError", () => {
  const p = new Uint8Array(16);
  new DataView(p.buffer).setInt32(4, 4242, true);
  assert.equal(linkIndexOf([{ payload: p }]), 4242);
  for (const n of [0, 4, 7, 15]) {
    assert.throws(() => linkIndexOf([{ payload: p.subarray(0, n) }]), (e: unknown) => {
      assert.ok(e instanceof DecodeError, String(e));
      assert.match(e.message, new RegExp(`the reply has ${n}$`));
      return true;
    });
  }
});

test("route reader: a dump request is rt-route's getroute of the filter", () => {
  using sock = NetlinkSocket.open(NETLINK.ROUTE);
  const route = RawFamily.over(sock, rtRoute);
  const filters: [RouteFilter, number?][] = [
    [{}],
    [{ table: "all" }],
    [{ table: 100, family: "inet6" }],
    [{ table: 4000000 }],
    [{ table: "local", protocol: "static", type: "unicast" }],
    [{ table: "all", family: "inet", protocol: 4, type: "blackhole" }, 7],
    [{ family: 28 }, 2],
  ];
  for (const [filter, oif] of filters) {
    const q = startRouteQuery(filter);
    if (oif !== undefined) q.attrs.oif = oif;
    finishRouteQuery(filter, q);
    const given = Object.keys(q.attrs).length === 0 ? undefined : q.attrs;
    const { bytes, options } = routeRequest(q);
    assert.deepEqual(
      bytes,
      route.encode("getroute", given as never, { header: q.header as never }),
      JSON.stringify(filter),
    );
    assert.equal(options.operation, "rt-route.getroute");
  }
});

test("route reader: dumps what RouteClient dumps, filters and errors alike", { skip }, async () => {
  using ns = tempNetns("rtrd");
  using rt = RouteClient.open({ netns: ns.name });
  using reader = RouteReader.open({ netns: ns.name });
  rt.setLinkSync("lo", { up: true });
  rt.addLinkSync({ kind: "bridge", name: "br0", up: true });
  rt.addLinkSync({ kind: "bridge", name: "br1", up: true });
  rt.addAddressSync("br0", "10.0.0.1/24");
  rt.addAddressSync("br1", "10.0.1.1/24");
  rt.addAddressSync("br0", "2001:db8::1/64", { flags: ["nodad"] });
  rt.addRouteSync({ dst: "10.9.0.0/16", gateway: "10.0.0.2", metric: 7, metrics: { mtu: 1400 } });
  rt.addRouteSync({ dst: "10.7.0.0/16", type: "blackhole", protocol: "static", table: 100 });
  rt.addRouteSync({ dst: "10.6.0.0/16", dev: "br1", table: 100 });
  rt.addRouteSync({
    dst: "10.8.0.0/16",
    table: 100,
    multipath: [{ gateway: "10.0.0.2", dev: "br0" }, { gateway: "10.0.1.2", dev: "br1" }],
  });
  rt.addRouteSync({ dst: "2001:db8:5::/48", gateway: "2001:db8::2", pref: "high" });
  const br1 = rt.linksSync().find((l) => l.name === "br1")!.index;
  const filters: RouteFilter[] = [
    {},
    { table: "all" },
    { table: "all", family: "inet6" },
    { table: 100 },
    { table: 100, dev: "br1" },
    { table: "all", dev: br1, family: "inet" },
    { table: "all", protocol: "static" },
    { table: 100, type: "blackhole" },
    { table: 200 },
  ];
  for (const f of filters) {
    const theirs = rt.routesSync(f);
    const ours = reader.routesSync(f);
    assert.deepEqual(ours, theirs, JSON.stringify(f));
    assert.deepEqual(ours.map((r) => r.attrs), theirs.map((r) => r.attrs), JSON.stringify(f));
    assert.deepEqual(await reader.routes(f), theirs, JSON.stringify(f));
    const streamed = [];
    for await (const r of reader.routeStream(f)) streamed.push(r);
    assert.deepEqual(streamed, theirs, JSON.stringify(f));
  }
  assert.equal(reader.routesSync({ table: 100, dev: "br1" }).length, 2);
  // errors: a missing link, a bad name or index, a bad table, as RouteClient raises them
  const failure = async (fn: (r: RouteClient | RouteReader) => unknown) => {
    const caught = [];
    for (const who of [rt, reader]) {
      try {
        await fn(who);
        caught.push("none");
      } catch (e) {
        caught.push(
          e instanceof NetlinkError
            ? `${e.code} ${e.operation}`
            : `${(e as Error).constructor.name}: ${(e as Error).message}`,
        );
      }
    }
    assert.equal(caught[0], caught[1]);
    return caught[0];
  };
  assert.match(await failure((r) => r.routesSync({ dev: "nosuch0" })), /^ENODEV rt-link.getlink/);
  assert.match(await failure((r) => r.routes({ dev: "nosuch0" })), /^ENODEV/);
  assert.match(await failure((r) => r.routesSync({ dev: "bad name" })), /^TypeError/);
  assert.match(await failure((r) => r.routesSync({ dev: 0 })), /^RangeError/);
  assert.match(await failure((r) => r.routesSync({ table: -1 })), /Error/);
  assert.match(await failure((r) => r.routesSync({ family: "ipx" as never })), /^TypeError/);
  assert.match(await failure((r) => r.routesSync({ dev: 999999 })), /^ENODEV rt-route.getroute/);
});
