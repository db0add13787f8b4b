// FakeKernel: the in-memory kernel typed code runs against (no FFI, no root, no Linux). These
// tests drive NetlinkSocket, GenlSocket/Family, Controller and OvsClient through it and check
// what the fake does the way Linux does: the controller, ACKs and DONE, errors with extended
// ack, multicast, receive-queue overflow, sync and async waits.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import {
  GenlSocket,
  NETLINK,
  NetlinkError,
  NetlinkSocket,
  NLM_F,
  SyscallError,
} from "../../mod.ts";
import { Controller, netdev } from "../../src/genl/mod.ts";
import { OvsClient, ovsDatapathFamily } from "../../src/ovs/mod.ts";
import { ackOf, FakeKernel, genlReply, replyTo } from "../../src/testing/mod.ts";

test("fake kernel: typed do and dump, sync and async, with the request decoded for the handler", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    "dev-get": (req) =>
      req.dump ? [{ ifindex: 1 }, { ifindex: 2 }, { ifindex: 3 }] : {
        ifindex: req.attrs.ifindex,
        xdpFeatures: ["basic"],
      },
  });
  using genl = GenlSocket.open({ transport: kernel });
  const dev = genl.family(netdev);
  assert.deepEqual(dev.doSync("dev-get", { ifindex: 7 }), { ifindex: 7, xdpFeatures: ["basic"] });
  assert.deepEqual((await dev.do("dev-get", { ifindex: 8 }))?.ifindex, 8);
  assert.deepEqual(dev.dumpSync("dev-get").map((m) => m.attrs.ifindex), [1, 2, 3]);
  const dumped: number[] = [];
  for await (const d of dev.dump("dev-get")) dumped.push(d.ifindex!);
  assert.deepEqual(dumped, [1, 2, 3]);
  const ops = kernel.requests.filter((r) => r.family === "netdev");
  assert.deepEqual(ops.map((r) => r.op), ["dev-get", "dev-get", "dev-get", "dev-get"]);
  assert.deepEqual(ops[0].attrs, { ifindex: 7 });
  assert.equal(ops[0].message.flags & (NLM_F.REQUEST | NLM_F.ACK), NLM_F.REQUEST | NLM_F.ACK);
  assert.equal(ops[2].message.flags & 0x300, 0x300, "a dump request carries NLM_F_DUMP");
  genl.close();
  assert.equal(kernel.openSockets, 0, "the GenlSocket and its controller watcher are closed");
});

test("fake kernel: the controller lists and describes the served families", async () => {
  const kernel = new FakeKernel();
  const info = kernel.serveFamily(netdev, { "dev-get": [] }, {
    id: 0x33,
    groups: { mgmt: 9, "page-pool": 10 },
  });
  assert.equal(info.id, 0x33);
  using ctrl = Controller.open({ transport: kernel });
  const all = await ctrl.listFamilies();
  assert.deepEqual(all.map((f) => f.name), ["nlctrl", "netdev"]);
  const f = ctrl.getFamilySync("netdev");
  assert.equal(f.id, 0x33);
  assert.equal(f.version, netdev.version);
  assert.deepEqual(f.groups, [{ id: 9, name: "mgmt" }, { id: 10, name: "page-pool" }]);
  assert.ok(f.ops.some((o) => o.flags.includes("cmdCapDump")));
  assert.equal((await ctrl.getFamily(0x33)).name, "netdev");
  await assert.rejects(
    ctrl.getFamily("no_such_family"),
    (e: unknown) => e instanceof NetlinkError && e.code === "ENOENT",
  );
});

test("fake kernel: a family nobody serves fails to resolve with ENOENT and the module hint", () => {
  const kernel = new FakeKernel();
  using genl = GenlSocket.open({ transport: kernel });
  assert.throws(
    () => genl.family(ovsDatapathFamily),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "ENOENT" && /modprobe openvswitch/.test(e.message),
  );
});

test("fake kernel: a thrown NetlinkError becomes the client's error, ext ack and attribute path included", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    "dev-get": () => {
      // offset 20: the first attribute after nlmsghdr (16) and genlmsghdr (4)
      throw new NetlinkError(19, { extAck: { message: "no such device", offset: 20 } });
    },
  });
  using genl = GenlSocket.open({ transport: kernel });
  await assert.rejects(
    genl.family(netdev).do("dev-get", { ifindex: 99 }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "ENODEV" && e.operation === "netdev.dev-get" &&
      e.extAck?.message === "no such device" && e.extAck.attributePath === ".ifindex",
  );
});

test("fake kernel: a handler that throws anything else fails the request with EIO naming it", () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    "dev-get": () => {
      throw new TypeError("oops in the test's handler");
    },
  });
  using genl = GenlSocket.open({ transport: kernel });
  assert.throws(
    () => genl.family(netdev).doSync("dev-get", { ifindex: 1 }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "EIO" &&
      /netdev\.dev-get handler threw TypeError: oops in the test's handler/.test(e.message),
  );
});

test("fake kernel: a reply the schema cannot encode fails the request, not the process", () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    // deno-lint-ignore no-explicit-any
    "dev-get": () => ({ ifindex: "not a number" as any }),
  });
  using genl = GenlSocket.open({ transport: kernel });
  assert.throws(
    () => genl.family(netdev).doSync("dev-get", {}),
    (e: unknown) => e instanceof NetlinkError && e.code === "EIO" && /ifindex/.test(e.message),
  );
});

test("fake kernel: operations without a handler, or the wrong kind, are EOPNOTSUPP", () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {});
  using genl = GenlSocket.open({ transport: kernel });
  assert.throws(
    () => genl.family(netdev).doSync("dev-get", {}),
    (e: unknown) => e instanceof NetlinkError && e.code === "EOPNOTSUPP",
  );
});

test("fake kernel: asynchronous handlers answer the async methods; a sync wait fails at once", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {
    "dev-get": async (req) => {
      await new Promise((r) => setTimeout(r, 5));
      return req.dump ? [{ ifindex: 4 }] : { ifindex: 5 };
    },
  });
  using genl = GenlSocket.open({ transport: kernel });
  const dev = genl.family(netdev);
  assert.equal((await dev.do("dev-get", {}))?.ifindex, 5);
  const got: number[] = [];
  for await (const d of dev.dump("dev-get")) got.push(d.ifindex!);
  assert.deepEqual(got, [4]);
  assert.throws(
    () => dev.doSync("dev-get", {}),
    (e: unknown) =>
      e instanceof SyscallError && e.code === "EDEADLK" && /asynchronous methods/.test(e.message),
  );
});

test("fake kernel: notifications reach subscribers of the group only", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {});
  using genl = GenlSocket.open({ transport: kernel });
  using sub = genl.family(netdev).subscribe(["mgmt"]);
  using other = NetlinkSocket.open(NETLINK.GENERIC, { transport: kernel });
  assert.equal(kernel.notify(netdev, "dev-add-ntf", { ifindex: 3 }), 1);
  const { value } = await sub.next();
  assert.ok(value && value.event === "dev-add-ntf");
  assert.equal(value.attrs.ifindex, 3);
  assert.equal(value.group, "mgmt");
  assert.equal(other.receive(), null, "a socket outside the group gets nothing");
});

test("fake kernel: multicast beyond the receive buffer is reported as ENOBUFS to messages()", async () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, {});
  using s = NetlinkSocket.open(NETLINK.GENERIC, { transport: kernel, rcvbuf: 4096 });
  s.joinGroup(kernel.families[0].groups.get("mgmt")!);
  let delivered = 0;
  for (let i = 1; i <= 1000; i++) delivered += kernel.notify(netdev, "dev-add-ntf", { ifindex: i });
  assert.ok(delivered > 0 && delivered < 1000, `${delivered} of 1000 fit the 8 KiB queue`);
  const seen: number[] = [];
  await assert.rejects(
    async () => {
      for await (const m of s.messages()) seen.push(m.type);
    },
    (e: unknown) => e instanceof SyscallError && e.code === "ENOBUFS",
  );
  assert.ok(s.overflowed);
});

test("fake kernel: OvsClient resolves the OVS families it serves (meters absent) and decodes replies", async () => {
  const kernel = new FakeKernel();
  const empty = {};
  const ovsFamilies = await import("../../src/ovs/mod.ts");
  kernel.serveFamily(ovsDatapathFamily, {
    get: (req) =>
      req.dump
        ? [genlReply({ name: "dp0" }, { header: { dpIfindex: 5 } })]
        : genlReply({ name: req.attrs.name }, { header: { dpIfindex: 6 } }),
  });
  kernel.serveFamily(ovsFamilies.ovsVportFamily, empty);
  kernel.serveFamily(ovsFamilies.ovsFlowFamily, empty);
  kernel.serveFamily(ovsFamilies.ovsPacketFamily, empty);
  using ovs = OvsClient.open({ transport: kernel });
  assert.equal(ovs.hasMeters, false);
  const dps = await ovs.dumpDatapaths();
  assert.deepEqual(dps.map((d) => [d.name, d.ifindex]), [["dp0", 5]]);
  assert.equal((await ovs.getDatapath("dpx")).ifindex, 6);
  const get = kernel.requests.filter((r) => r.family === "ovs_datapath").at(-1)!;
  assert.deepEqual(get.header, { dpIfindex: 0 });
  assert.deepEqual(get.attrs, { name: "dpx" });
});

test("fake kernel: a family removed and served again under a new id is found again", () => {
  const kernel = new FakeKernel();
  kernel.serveFamily(netdev, { "dev-get": { ifindex: 1 } });
  using genl = GenlSocket.open({ transport: kernel });
  const dev = genl.family(netdev);
  assert.equal(dev.doSync("dev-get", {})?.ifindex, 1);
  kernel.removeFamily("netdev");
  kernel.serveFamily(netdev, { "dev-get": { ifindex: 2 } }, { id: 0x40 });
  assert.equal(dev.doSync("dev-get", {})?.ifindex, 2, "ENOENT on the old id re-resolves");
  assert.equal(dev.id, 0x40);
});

test("fake kernel: other protocols are served byte by byte; USERSOCK sockets talk to each other", () => {
  const kernel = new FakeKernel();
  assert.throws(
    () => NetlinkSocket.open(NETLINK.ROUTE, { transport: kernel }),
    (e: unknown) => e instanceof SyscallError && e.code === "EPROTONOSUPPORT",
  );
  kernel.handle(NETLINK.ROUTE, (req) => [
    replyTo(req, 16, new Uint8Array([1, 2, 3, 4]), NLM_F.MULTI),
    replyTo(req, 3, new Uint8Array(4), NLM_F.MULTI),
  ]);
  using route = NetlinkSocket.open(NETLINK.ROUTE, { transport: kernel });
  const links = route.dumpSync({ type: 18, payload: new Uint8Array(16) });
  assert.deepEqual(links.map((m) => [m.type, [...m.payload]]), [[16, [1, 2, 3, 4]]]);

  using a = NetlinkSocket.open(NETLINK.USERSOCK, { transport: kernel });
  using b = NetlinkSocket.open(NETLINK.USERSOCK, { transport: kernel });
  a.send(ackOf({ type: 0x20, flags: 0, seq: 7, pid: a.portid, payload: new Uint8Array(0) }), {
    portid: b.portid,
  });
  const d = b.receive();
  assert.ok(d);
  assert.equal(d.portid, a.portid);
  assert.throws(
    () => a.send(new Uint8Array(16), { portid: 12345 }),
    (e: unknown) => e instanceof SyscallError && e.code === "ECONNREFUSED",
  );
});

test("fake kernel: sockets open in the namespaces it knows; handlers see which", () => {
  const kernel = new FakeKernel({ namespaces: ["blue"] });
  const seen: string[] = [];
  kernel.serveFamily(netdev, {
    "dev-get": (req) => {
      seen.push(req.netns);
      return { ifindex: 1 };
    },
  });
  using blue = GenlSocket.open({ transport: kernel, netns: "blue" });
  blue.family(netdev).doSync("dev-get", {});
  using here = GenlSocket.open({ transport: kernel });
  here.family(netdev).doSync("dev-get", {});
  assert.deepEqual(seen, ["blue", ""]);
  assert.throws(
    () => GenlSocket.open({ transport: kernel, netns: "red" }),
    (e: unknown) => e instanceof SyscallError && e.code === "ENOENT",
  );
});

test("fake kernel: the example test passes under Deno with no permissions at all (no --allow-ffi)", () => {
  const file = new URL("./fake_kernel_example_test.ts", import.meta.url).pathname;
  const r = spawnSync("deno", ["test", "--no-prompt", "--no-check", file], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /ok \| 3 passed \| 0 failed/);
});
