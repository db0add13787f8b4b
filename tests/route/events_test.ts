// RouteClient.subscribe against the host kernel, in namespaces of the test's own: an event for
// each change of links, addresses, routes, neighbours, rules and namespace ids; events of other
// namespaces named by their nsid (NETLINK_LISTEN_ALL_NSID); a receive-queue overflow reported as
// an `overflow` event, after which the iteration goes on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RouteClient, type RouteEvent } from "../../src/route/mod.ts";
import { canUseNetns, ipIn, tempNetns } from "../helpers/netns.ts";

const skip = canUseNetns() ? false : "needs root and iproute2 (ip netns)";

/** Reads events until `want` matches one (returning it); fails after `limit` events. */
async function until(
  it: AsyncIterator<RouteEvent>,
  want: (e: RouteEvent) => boolean,
  seen: RouteEvent[] = [],
  limit = 10000,
): Promise<RouteEvent> {
  for (let i = 0; i < limit; i++) {
    const r = await it.next();
    assert.ok(!r.done, "the events ended");
    seen.push(r.value);
    if (want(r.value)) return r.value;
  }
  throw new Error(`no matching event in ${limit}`);
}

test(
  "route events: one for each change of links, addresses, routes, neighbours, rules",
  { skip },
  async () => {
    using ns = tempNetns("rte");
    using rt = RouteClient.open({ netns: ns.name });
    const ac = new AbortController();
    const it = rt.subscribe(["link", "address", "route", "neighbour", "rule"], {
      signal: ac.signal,
    });
    try {
      // the subscription starts with the first next(): make the first change once it waits
      const first = it.next();
      await new Promise((r) => setTimeout(r, 50));
      rt.addLinkSync({ kind: "bridge", name: "br0", up: true });
      const seen: RouteEvent[] = [(await first).value as RouteEvent];
      const link = seen[0].kind === "link" ? seen[0] : await until(it, (e) => e.kind === "link");
      assert.ok(link.kind === "link" && link.action === "new" && link.link.name === "br0");
      rt.addAddressSync("br0", "10.0.0.1/24");
      const addr = await until(it, (e) => e.kind === "address" && e.address.address === "10.0.0.1");
      assert.ok(
        addr.kind === "address" && addr.action === "new" && addr.address.prefixLength === 24,
      );
      rt.addRouteSync({ dst: "10.9.0.0/16", gateway: "10.0.0.2", metric: 5 });
      const route = await until(it, (e) => e.kind === "route" && e.route.dst === "10.9.0.0/16");
      assert.ok(
        route.kind === "route" && route.action === "new" && route.route.gateway === "10.0.0.2",
      );
      rt.addNeighbourSync("br0", "10.0.0.2", { lladdr: "02:00:00:00:00:02" });
      const neigh = await until(
        it,
        (e) => e.kind === "neighbour" && e.neighbour.address === "10.0.0.2",
      );
      assert.ok(neigh.kind === "neighbour" && neigh.neighbour.lladdr === "02:00:00:00:00:02");
      rt.addRuleSync({ priority: 100, table: 100 });
      const rule = await until(it, (e) => e.kind === "rule" && e.rule.priority === 100);
      assert.ok(rule.kind === "rule" && rule.action === "new" && rule.rule.table === 100);
      // and the deletions
      rt.delRuleSync({ priority: 100 });
      await until(it, (e) => e.kind === "rule" && e.action === "del" && e.rule.priority === 100);
      rt.delRouteSync({ dst: "10.9.0.0/16" });
      await until(
        it,
        (e) => e.kind === "route" && e.action === "del" && e.route.dst === "10.9.0.0/16",
      );
      rt.delNeighbourSync("br0", "10.0.0.2");
      await until(it, (e) => e.kind === "neighbour" && e.action === "del");
      rt.delAddressSync("br0", "10.0.0.1/24");
      await until(
        it,
        (e) => e.kind === "address" && e.action === "del" && e.address.address === "10.0.0.1",
      );
      rt.delLinkSync("br0");
      const gone = await until(it, (e) => e.kind === "link" && e.action === "del");
      assert.ok(gone.kind === "link" && gone.link.name === "br0" && gone.nsid === undefined);
    } finally {
      ac.abort();
      await it.return(undefined);
    }
  },
);

test("route events: other namespaces' changes carry their nsid", { skip }, async () => {
  using a = tempNetns("rte");
  using b = tempNetns("rte");
  using rt = RouteClient.open({ netns: a.name });
  const ac = new AbortController();
  const it = rt.subscribe(["link", "nsid"], { signal: ac.signal, allNamespaces: true });
  try {
    const first = it.next();
    await new Promise((r) => setTimeout(r, 50));
    ipIn(a.name, ["netns", "set", b.name, "17"]);
    const id = (await first).value as RouteEvent;
    assert.deepEqual(id, { kind: "nsid", action: "new", id: 17 });
    ipIn(b.name, ["link", "add", "far0", "type", "bridge"]);
    const far = await until(it, (e) => e.kind === "link" && e.link.name === "far0");
    assert.equal(far.kind === "link" && far.nsid, 17);
    ipIn(a.name, ["link", "add", "near0", "type", "bridge"]);
    const near = await until(it, (e) => e.kind === "link" && e.link.name === "near0");
    assert.equal(near.kind === "link" ? near.nsid : "?", undefined);
  } finally {
    ac.abort();
    await it.return(undefined);
  }
});

test("route events: an overflow is an event, and the events go on", { skip }, async () => {
  using ns = tempNetns("rte");
  using rt = RouteClient.open({ netns: ns.name });
  rt.addLinkSync({ kind: "bridge", name: "br0", up: true });
  rt.addAddressSync("br0", "10.0.0.1/16");
  // a small receive queue for the events; the changes go through the other client
  using slow = RouteClient.open({ netns: ns.name, rcvbuf: 4096 });
  const ac = new AbortController();
  const it = slow.subscribe(["route"], { signal: ac.signal });
  try {
    const first = it.next();
    await new Promise((r) => setTimeout(r, 50));
    rt.addRouteSync({ dst: "10.1.0.0/24", dev: "br0" });
    assert.equal(((await first).value as RouteEvent).kind, "route");
    // thousands of changes nobody reads meanwhile
    const specs = Array.from({ length: 3000 }, (_, i) => ({
      dst: `10.${2 + (i >> 8)}.${i & 255}.0/24`,
      dev: "br0",
    }));
    assert.equal(rt.addRoutesSync(specs).ok, 3000);
    const seen: RouteEvent[] = [];
    await until(it, (e) => e.kind === "overflow", seen);
    assert.ok(seen.length < 3000, `${seen.length} events before the overflow`);
    // resynchronise, then the next change arrives as usual
    assert.equal(rt.routesSync({ family: "inet" }).length, 3002);
    rt.addRouteSync({ dst: "10.200.0.0/24", dev: "br0" });
    await until(it, (e) => e.kind === "route" && e.route.dst === "10.200.0.0/24");
  } finally {
    ac.abort();
    await it.return(undefined);
  }
});
