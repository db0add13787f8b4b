// Against the host kernel: NETLINK_GENERIC requests and dumps at the raw message level,
// NETLINK_ROUTE dumps, extended-ack errors, batches, and namespaces.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AttrIterator,
  NETLINK,
  NetlinkError,
  type NetlinkMessage,
  NetlinkSocket,
  NetlinkWriter,
  NLM_F,
  readString,
} from "../../mod.ts";
import { canUseNetns, ipIn, run, tempNetns } from "../helpers/netns.ts";

const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;

function getFamily(name?: string): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(GENL_ID_CTRL, 0);
  w.putU8(CTRL_CMD_GETFAMILY).putU8(1).putU16(0);
  if (name !== undefined) w.attrString(CTRL_ATTR_FAMILY_NAME, name);
  w.endMessage(m);
  return w.copy();
}

function familyOf(m: NetlinkMessage): { id: number; name: string } {
  const it = new AttrIterator(m.payload, 4);
  let id = -1, name = "";
  while (it.next()) {
    if (it.type === CTRL_ATTR_FAMILY_ID) id = it.view.getUint16(it.offset, true);
    if (it.type === CTRL_ATTR_FAMILY_NAME) name = readString(m.payload, it.offset, it.length);
  }
  return { id, name };
}

function genlCtrlList(): Map<string, number> {
  const out = new Map<string, number>();
  const text = run("genl", ["ctrl", "list"]);
  for (const m of text.matchAll(/^Name: (\S+)\s*\n\s*ID: (0x[0-9a-f]+)/gm)) {
    out.set(m[1], parseInt(m[2], 16));
  }
  return out;
}

test("generic: CTRL_CMD_GETFAMILY nlctrl returns id 0x10, then the ACK is consumed", async () => {
  using s = NetlinkSocket.open(NETLINK.GENERIC);
  const replies = await s.request(getFamily("nlctrl"), { operation: "nlctrl.getfamily" });
  assert.equal(replies.length, 1);
  assert.equal(replies[0].type, GENL_ID_CTRL);
  assert.deepEqual(familyOf(replies[0]), { id: 0x10, name: "nlctrl" });
  assert.equal(s.receive(), null, "the ACK did not stay behind");
  // Synchronous and no-ACK variants
  const [r2] = s.requestSync(getFamily("nlctrl"), { ack: false });
  assert.equal(familyOf(r2).name, "nlctrl");
  assert.equal(s.receive(), null);
});

test("generic: the all-families dump agrees with iproute2's genl ctrl list", async () => {
  using s = NetlinkSocket.open(NETLINK.GENERIC);
  const ours = new Map<string, number>();
  for await (const m of s.dump(getFamily())) {
    assert.equal(m.type, GENL_ID_CTRL);
    assert.ok(m.flags & NLM_F.MULTI);
    const f = familyOf(m);
    ours.set(f.name, f.id);
  }
  assert.ok(ours.has("nlctrl"));
  assert.deepEqual(ours, genlCtrlList());
  assert.equal(s.dumpSync(getFamily()).length, ours.size);
});

test("generic: unknown family is ENOENT with the kernel's operation and seq", async () => {
  using s = NetlinkSocket.open(NETLINK.GENERIC);
  await assert.rejects(
    s.request(getFamily("nlts-nofam"), { operation: "nlctrl.getfamily" }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "ENOENT" && e.errno === 2 &&
      e.operation === "nlctrl.getfamily" && e.seq > 0,
  );
  // The socket is still in sync for the next request.
  const [r] = await s.request(getFamily("nlctrl"));
  assert.equal(familyOf(r).name, "nlctrl");
});

test("generic: extended ack carries the kernel's message and offset", () => {
  using s = NetlinkSocket.open(NETLINK.GENERIC);
  // ethtool LINKINFO_GET (1) for a device that does not exist: header nest (1) { dev-name (2) }
  const fam = familyOf(s.requestSync(getFamily("ethtool"))[0]);
  const w = new NetlinkWriter();
  const m = w.beginMessage(fam.id, 0);
  w.putU8(1).putU8(1).putU16(0);
  const hdr = w.beginNest(1);
  w.attrString(2, "nlts-no-such-dev0");
  w.endNest(hdr);
  w.endMessage(m);
  assert.throws(
    () => s.requestSync(w.copy(), { operation: "ethtool.linkinfo-get" }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "ENODEV" &&
      e.extAck?.message === "no device matches name" &&
      e.extAck.offset === 16 + 4 + 4, // nlmsghdr + genlmsghdr + header nest hdr: dev-name attr
  );
});

test("generic: batch of requests in one sendmsg, replies matched by seq", () => {
  using s = NetlinkSocket.open(NETLINK.GENERIC);
  const names = ["nlctrl", "nope-1", "ethtool", "nope-2", "nlctrl"];
  const results = s.batchSync(names.map((n) => getFamily(n)));
  assert.deepEqual(results.map((r) => r.ok), [true, false, true, false, true]);
  for (const [i, r] of results.entries()) {
    if (r.ok) {
      assert.equal(r.replies.length, 1);
      assert.equal(familyOf(r.replies[0]).name, names[i]);
    } else assert.equal(r.error.code, "ENOENT");
  }
  const many = s.batchSync(Array.from({ length: 500 }, () => getFamily("nlctrl")));
  assert.equal(many.filter((r) => r.ok).length, 500);
  assert.equal(s.receive(), null);
});

test("route: RTM_GETLINK dump lists lo", () => {
  using s = NetlinkSocket.open(NETLINK.ROUTE);
  const links = s.dumpSync({ type: 18, payload: new Uint8Array(16) }); // RTM_GETLINK, ifinfomsg
  const names = links.map((m) => {
    const it = new AttrIterator(m.payload, 16);
    while (it.next()) if (it.type === 3) return readString(m.payload, it.offset, it.length);
    return "";
  });
  assert.ok(names.includes("lo"), `lo in ${names}`);
  assert.ok(links.every((m) => m.type === 16)); // RTM_NEWLINK
});

test("netns: a socket opened in the test's namespace sees only its links", {
  skip: canUseNetns() ? false : "needs root and iproute2 (ip netns)",
}, () => {
  using ns = tempNetns();
  ipIn(ns.name, ["link", "add", "name", "nltsA", "type", "veth", "peer", "name", "nltsB"]);
  using s = NetlinkSocket.open(NETLINK.ROUTE, { netns: ns.name });
  const names = s.dumpSync({ type: 18, payload: new Uint8Array(16) }).map((m) => {
    const it = new AttrIterator(m.payload, 16);
    while (it.next()) if (it.type === 3) return readString(m.payload, it.offset, it.length);
    return "";
  }).sort();
  assert.deepEqual(names, ["lo", "nltsA", "nltsB"]);
  // And the host's namespace is untouched: our thread came back.
  using host = NetlinkSocket.open(NETLINK.ROUTE);
  const hostNames = host.dumpSync({ type: 18, payload: new Uint8Array(16) }).length;
  assert.ok(hostNames >= 1);
  assert.throws(
    () => NetlinkSocket.open(NETLINK.ROUTE, { netns: "nlts-missing-ns" }),
    /does not exist/,
  );
});

test("route: a request in the middle of a multi-datagram dump on the same socket", {
  skip: canUseNetns() ? false : "needs root and iproute2 (ip netns)",
}, async () => {
  using ns = tempNetns();
  const batch = Array.from(
    { length: 100 },
    (_, i) => `link add name va${i} type veth peer name vb${i}`,
  );
  run("sh", [
    "-c",
    `printf '%s\\n' ${batch.map((l) => `'${l}'`).join(" ")} | ip -n ${ns.name} -batch -`,
  ]);
  using s = NetlinkSocket.open(NETLINK.ROUTE, { netns: ns.name });
  const linkDump = { type: 18, payload: new Uint8Array(16) };
  const names = (m: NetlinkMessage) => {
    const it = new AttrIterator(m.payload, 16);
    while (it.next()) if (it.type === 3) return readString(m.payload, it.offset, it.length);
    return "";
  };
  const all = s.dumpSync(linkDump).map(names);
  assert.equal(all.length, 201);
  const seen: string[] = [];
  let datagrams = 0;
  for await (const m of s.dump(linkDump)) {
    seen.push(names(m));
    if (seen.length === 2) {
      // RTM_GETLINK for ifindex 1 (lo) while the dump is still being read.
      const req = new Uint8Array(16);
      new DataView(req.buffer).setInt32(4, 1, true);
      const [lo] = s.requestSync({ type: 18, payload: req }, { ack: false });
      assert.equal(names(lo), "lo");
      datagrams++;
    }
  }
  assert.equal(datagrams, 1);
  assert.deepEqual(seen, all);
  assert.equal(s.receive(), null);
  // dumpBatches: the same links, one array per datagram (201 links do not fit in one),
  // mapped while in the receive buffer.
  const batches: string[][] = [];
  for await (
    const b of s.dumpBatches(linkDump, {}, (it) => {
      if (it.type !== 16) return undefined;
      const a = new AttrIterator(it.data, it.payloadOffset + 16, it.messageEnd);
      while (a.next()) if (a.type === 3) return readString(it.data, a.offset, a.length);
      return "";
    })
  ) batches.push(b);
  assert.ok(batches.length > 1, `${batches.length} datagrams`);
  assert.ok(batches.every((b) => b.length > 0));
  assert.deepEqual(batches.flat(), all);
  assert.equal(s.receive(), null);
});

test("generic: leaving a dump early drains it; the next request is clean", async () => {
  using s = NetlinkSocket.open(NETLINK.GENERIC);
  for await (const _ of s.dump(getFamily())) break;
  const [r] = await s.request(getFamily("nlctrl"));
  assert.equal(familyOf(r).name, "nlctrl");
  assert.equal(s.receive(), null);
});
