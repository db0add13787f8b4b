// RouteClient on an in-memory kernel: FakeKernel with serveRaw (typed handlers of the rt-*
// families) and notifyRaw, as a user tests code built on @nlts/netlink/route without root,
// namespaces or Linux. Checks the requests the client sends (header, attributes, flags) and that
// replies, errors with extended ack and notifications come back typed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, NETLINK, NetlinkError, NLM_F, NLM_F_NEW } from "../../mod.ts";
import { rtAddr } from "../../src/families/rt_addr.ts";
import { rtLink } from "../../src/families/rt_link.ts";
import { rtRoute } from "../../src/families/rt_route.ts";
import { RouteClient, type RouteEvent } from "../../src/route/mod.ts";
import { doneOf, FakeKernel, notifyRaw, replyTo, serveRaw } from "../../src/testing/mod.ts";

type Obj = Record<string, unknown>;

function fakeRtnl(): { kernel: FakeKernel; links: Map<string, Obj>; seen: Obj[] } {
  const kernel = new FakeKernel();
  const links = new Map<string, Obj>([["lo", { index: 1, mtu: 65536, kind: undefined }]]);
  const seen: Obj[] = [];
  const reply = (name: string) => {
    const l = links.get(name)!;
    return {
      header: { ifiIndex: l.index as number, ifiType: name === "lo" ? 772 : 1, ifiFlags: ["up"] },
      attrs: {
        ifname: name,
        mtu: l.mtu as number,
        operstate: 6,
        ...(l.kind ? { linkinfo: { kind: l.kind as string } } : {}),
      },
    };
  };
  serveRaw(kernel, rtLink, {
    getlink: (req) => {
      seen.push({ op: "getlink", dump: req.dump, attrs: req.attrs, header: req.header });
      if (req.dump) return [...links.keys()].map(reply);
      const name = req.attrs.ifname ??
        [...links].find(([, l]) => l.index === req.header.ifiIndex)?.[0];
      if (name === undefined || !links.has(name)) throw new NetlinkError(19);
      return reply(name);
    },
    newlink: (req) => {
      seen.push({ op: "newlink", flags: req.flags, attrs: req.attrs, header: req.header });
      const name = req.attrs.ifname!;
      if (links.has(name)) {
        throw new NetlinkError(17, { extAck: { message: "Link already exists" } });
      }
      links.set(name, {
        index: links.size + 1,
        mtu: req.attrs.mtu ?? 1500,
        kind: req.attrs.linkinfo?.kind,
      });
    },
    dellink: (req) => {
      if (!links.delete(req.attrs.ifname ?? "")) throw new NetlinkError(19);
    },
  });
  serveRaw(kernel, rtAddr, {
    newaddr: (req) => {
      seen.push({ op: "newaddr", attrs: req.attrs, header: req.header });
    },
  });
  serveRaw(kernel, rtRoute, {
    getroute: (req) => {
      seen.push({ op: "getroute", dump: req.dump, attrs: req.attrs, header: req.header });
      return [{
        header: {
          rtmFamily: 2,
          rtmDstLen: 24,
          rtmTable: 254,
          rtmProtocol: 2,
          rtmScope: 253,
          rtmType: "unicast",
        },
        attrs: { dst: "10.0.0.0", oif: 2, table: 254 },
      }];
    },
  });
  return { kernel, links, seen };
}

test("route on a FakeKernel: links made, listed and deleted through typed handlers", () => {
  const { kernel, links, seen } = fakeRtnl();
  using rt = RouteClient.open({ transport: kernel });
  assert.deepEqual(rt.linksSync().map((l) => [l.index, l.name, l.linkType]), [[
    1,
    "lo",
    "loopback",
  ]]);
  const vx = rt.addLinkSync({
    kind: "vxlan",
    name: "vx0",
    vni: 7,
    port: 4789,
    mtu: 1450,
    up: true,
  });
  assert.deepEqual([vx.index, vx.name, vx.kind, vx.mtu, vx.up], [2, "vx0", "vxlan", 1450, true]);
  const req = seen.find((s) => s.op === "newlink")!;
  assert.equal((req.flags as number) & (NLM_F_NEW.CREATE | NLM_F_NEW.EXCL), 0x600);
  assert.deepEqual((req.attrs as Obj).linkinfo, { kind: "vxlan", data: { id: 7, port: 4789 } });
  assert.deepEqual((req.header as Obj).ifiFlags, ["up"]);
  assert.equal((req.header as Obj).ifiChange, 1);
  assert.throws(() => rt.addLinkSync({ kind: "dummy", name: "vx0" }), (e: unknown) => {
    assert.ok(e instanceof NetlinkError);
    assert.equal(e.code, "EEXIST");
    assert.equal(e.extAck?.message, "Link already exists");
    return true;
  });
  rt.delLinkSync("vx0");
  assert.equal(links.has("vx0"), false);
  assert.throws(() => rt.linkSync("vx0"), /ENODEV/);
  assert.equal(kernel.openSockets, 1);
});

test("route on a FakeKernel: the requests of addresses and route dumps", async () => {
  const { kernel, seen } = fakeRtnl();
  using rt = RouteClient.open({ transport: kernel });
  rt.addLinkSync({ kind: "bridge", name: "br0" });
  await rt.addAddress("br0", "10.0.0.1/24", { broadcast: true });
  const a = seen.find((s) => s.op === "newaddr")!;
  assert.deepEqual(a.header, {
    ifaFamily: 2,
    ifaPrefixlen: 24,
    ifaFlags: [],
    ifaScope: 0,
    ifaIndex: 2,
  });
  assert.deepEqual(a.attrs, { address: "10.0.0.1", local: "10.0.0.1", broadcast: "10.0.0.255" });
  const routes = await rt.routes({ table: 100, family: "inet" });
  assert.deepEqual(routes.map((r) => [r.dst, r.protocol, r.scope, r.oif]), [[
    "10.0.0.0/24",
    "kernel",
    "link",
    2,
  ]]);
  const g = seen.find((s) => s.op === "getroute")!;
  assert.equal(g.dump, true);
  assert.equal((g.header as Obj).rtmTable, 100);
  assert.deepEqual(g.attrs, { table: 100 });
});

test("route on a FakeKernel: notifications arrive as typed events", async () => {
  const { kernel } = fakeRtnl();
  using rt = RouteClient.open({ transport: kernel });
  const ac = new AbortController();
  const it = rt.subscribe(["link", "route"], { signal: ac.signal });
  try {
    const next = it.next();
    await new Promise((r) => setTimeout(r, 20));
    notifyRaw(kernel, rtLink, "rtnlgrp-link", "newlink-ntf", {
      header: { ifiIndex: 9, ifiType: 1 },
      attrs: { ifname: "eth9", mtu: 9000 },
    });
    const e = (await next).value as RouteEvent;
    assert.ok(e.kind === "link" && e.action === "new");
    assert.deepEqual([e.link.index, e.link.name, e.link.mtu], [9, "eth9", 9000]);
    notifyRaw(kernel, rtRoute, 7, /* RTNLGRP_IPV4_ROUTE */ 25, /* RTM_DELROUTE */ {
      header: { rtmFamily: 2, rtmDstLen: 8, rtmTable: 254, rtmType: "unicast" },
      attrs: { dst: "10.0.0.0" },
    });
    const d = (await it.next()).value as RouteEvent;
    assert.ok(d.kind === "route" && d.action === "del" && d.route.dst === "10.0.0.0/8");
  } finally {
    ac.abort();
    await it.return(undefined);
  }
});

test("route on a FakeKernel: headers decode in place; one cut short is a DecodeError", () => {
  const kernel = new FakeKernel();
  // two whole routes in one datagram, then one whose rtmsg (12 bytes) has only 8
  const whole = (dst: number) =>
    new Uint8Array([2, 24, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0, 8, 0, 1, 0, 10, 0, dst, 0]);
  let short = false;
  kernel.handle(NETLINK.ROUTE, (req) => {
    const done = doneOf(req);
    const routes = [
      replyTo(req, 24, whole(1), NLM_F.MULTI),
      replyTo(req, 24, whole(2), NLM_F.MULTI),
    ];
    if (short) {
      routes.push(replyTo(req, 24, new Uint8Array([2, 24, 0, 0, 254, 3, 0, 1]), NLM_F.MULTI));
    }
    return [...routes, done];
  });
  using rt = RouteClient.open({ transport: kernel });
  const routes = rt.routesSync({ table: "all" });
  assert.deepEqual(routes.map((r) => [r.dst, r.table, r.protocol, r.scope, r.type]), [
    ["10.0.1.0/24", 254, "boot", "global", "unicast"],
    ["10.0.2.0/24", 254, "boot", "global", "unicast"],
  ]);
  short = true;
  assert.throws(() => rt.routesSync({ table: "all" }), (e: unknown) => {
    assert.ok(e instanceof DecodeError, String(e));
    assert.match(e.message, /needs 12 bytes, 8 left/);
    return true;
  });
});
