// NETLINK_USERSOCK between sockets of this process: unicast by portid, connect/disconnect,
// multicast via ADD_MEMBERSHIP and via bind groups, MSG_TRUNC growth, error classes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { MessageIterator, NETLINK, NetlinkSocket, NetlinkWriter, SyscallError } from "../../mod.ts";

function message(type: number, seq: number, payload: Uint8Array): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(type, 0, seq);
  w.putBytes(payload);
  w.endMessage(m);
  return w.copy();
}

function receiveOne(s: NetlinkSocket) {
  const d = s.receive();
  assert.ok(d, "a datagram is queued");
  const it = new MessageIterator(d.data);
  assert.ok(it.next());
  return {
    type: it.type,
    seq: it.seq,
    payload: it.payload(),
    portid: d.portid,
    groups: d.groups,
    group: d.group,
  };
}

test("usersock: unicast by portid arrives with the sender's portid", () => {
  using a = NetlinkSocket.open(NETLINK.USERSOCK);
  using b = NetlinkSocket.open(NETLINK.USERSOCK);
  assert.notEqual(a.portid, 0);
  assert.notEqual(a.portid, b.portid);
  a.send(message(0x20, 7, new Uint8Array([1, 2, 3, 4])), { portid: b.portid });
  const got = receiveOne(b);
  assert.equal(got.type, 0x20);
  assert.equal(got.seq, 7);
  assert.deepEqual([...got.payload], [1, 2, 3, 4]);
  assert.equal(got.portid, a.portid);
  assert.equal(got.groups, 0);
  assert.equal(b.receive(), null, "nothing else queued");
});

test("usersock: connect sets the default destination; AF_UNSPEC disconnects", () => {
  using a = NetlinkSocket.open(NETLINK.USERSOCK);
  using b = NetlinkSocket.open(NETLINK.USERSOCK);
  a.connect(b.portid);
  a.send(message(0x21, 1, new Uint8Array([9])));
  assert.equal(receiveOne(b).type, 0x21);
  a.disconnect();
  // Disconnected: a send without address now goes to portid 0, the kernel, which has no
  // USERSOCK socket: ECONNREFUSED, and b receives nothing.
  assert.throws(
    () => a.send(message(0x22, 2, new Uint8Array(0))),
    (e: unknown) => e instanceof SyscallError && e.code === "ECONNREFUSED",
  );
  assert.equal(b.receive(), null);
});

test("usersock: multicast with joinGroup and with bind groups; groups() lists memberships", () => {
  using tx = NetlinkSocket.open(NETLINK.USERSOCK);
  using viaJoin = NetlinkSocket.open(NETLINK.USERSOCK);
  using viaBind = NetlinkSocket.open(NETLINK.USERSOCK, { groups: 1 << 2 }); // group 3
  viaJoin.joinGroup(3);
  assert.deepEqual(viaJoin.groups(), [3]);
  assert.deepEqual(viaBind.groups(), [3]);
  tx.send(message(0x30, 5, new Uint8Array([7, 7])), { groups: 1 << 2 });
  for (const s of [viaJoin, viaBind]) {
    const got = receiveOne(s);
    assert.equal(got.type, 0x30);
    assert.equal(got.groups, 1 << 2, "delivered as multicast to group 3");
    assert.equal(got.group, 3, "NETLINK_PKTINFO names the group");
    assert.equal(got.portid, tx.portid);
  }
  // Joining a group turned NETLINK_PKTINFO on; a unicast datagram then names no group.
  assert.equal(viaJoin.getOption("PKTINFO"), 1);
  assert.equal(viaBind.getOption("PKTINFO"), 1);
  assert.equal(tx.getOption("PKTINFO"), 0, "not for sockets without groups");
  tx.send(message(0x32, 7, new Uint8Array(0)), { portid: viaJoin.portid });
  const uni = receiveOne(viaJoin);
  assert.deepEqual([uni.type, uni.groups, uni.group], [0x32, 0, 0]);
  // Without NETLINK_PKTINFO the group comes from the bitmask.
  viaBind.setOption("PKTINFO", false);
  tx.send(message(0x33, 8, new Uint8Array(0)), { groups: 1 << 2 });
  assert.equal(receiveOne(viaJoin).group, 3);
  const bare = receiveOne(viaBind);
  assert.deepEqual([bare.type, bare.groups, bare.group], [0x33, 1 << 2, 3]);
  viaJoin.leaveGroup(3);
  assert.deepEqual(viaJoin.groups(), []);
  tx.send(message(0x31, 6, new Uint8Array(0)), { groups: 1 << 2 });
  assert.equal(viaJoin.receive(), null, "left the group: nothing arrives");
  assert.equal(receiveOne(viaBind).type, 0x31);
});

test("usersock: a datagram larger than the receive buffer is never lost (peek grows it)", () => {
  using a = NetlinkSocket.open(NETLINK.USERSOCK);
  using b = NetlinkSocket.open(NETLINK.USERSOCK, { receiveBufferSize: 32768 });
  const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
  a.send(message(0x40, 1, big), { portid: b.portid });
  const got = receiveOne(b);
  assert.equal(got.payload.length, big.length);
  assert.deepEqual(got.payload, big);
  assert.ok(b.receiveBufferSize >= 100_016);
});

test("usersock: receiveMode grow reports a cut datagram as EMSGSIZE and grows", () => {
  using a = NetlinkSocket.open(NETLINK.USERSOCK);
  using b = NetlinkSocket.open(NETLINK.USERSOCK, { receiveBufferSize: 32768, receiveMode: "grow" });
  a.send(message(0x41, 1, new Uint8Array(50_000)), { portid: b.portid });
  assert.throws(
    () => b.receive(),
    (e: unknown) => e instanceof SyscallError && e.code === "EMSGSIZE",
  );
  assert.ok(b.receiveBufferSize >= 50_016);
  a.send(message(0x42, 2, new Uint8Array(50_000)), { portid: b.portid });
  assert.equal(receiveOne(b).payload.length, 50_000);
});

test("errors: unsupported protocol, taken portid, invalid group", () => {
  assert.throws(
    () => NetlinkSocket.open(31),
    (e: unknown) =>
      e instanceof SyscallError && e.syscall === "socket" && e.code === "EPROTONOSUPPORT" &&
      /no netlink protocol 31/.test(e.message),
  );
  using a = NetlinkSocket.open(NETLINK.USERSOCK);
  assert.throws(
    () => NetlinkSocket.open(NETLINK.USERSOCK, { portid: a.portid }),
    (e: unknown) => e instanceof SyscallError && e.code === "EADDRINUSE" && /taken/.test(e.message),
  );
  using g = NetlinkSocket.open(NETLINK.GENERIC);
  assert.throws(
    () => g.joinGroup(0xffff),
    (e: unknown) => e instanceof SyscallError && e.code === "EINVAL",
  );
  assert.throws(() => NetlinkSocket.open(40), RangeError);
  assert.throws(() => a.joinGroup(0), RangeError);
});

test("messages(): unsolicited unicast from a peer is yielded, abort ends the iterator", async () => {
  using a = NetlinkSocket.open(NETLINK.USERSOCK);
  using b = NetlinkSocket.open(NETLINK.USERSOCK);
  const ac = new AbortController();
  setTimeout(() => a.send(message(0x50, 11, new Uint8Array([5])), { portid: b.portid }), 30);
  const seen: number[] = [];
  for await (const m of b.messages({ signal: ac.signal })) {
    seen.push(m.type, m.seq);
    ac.abort();
  }
  assert.deepEqual(seen, [0x50, 11]);
});

test("close(): a pending messages() wait ends, double close is harmless", async () => {
  const s = NetlinkSocket.open(NETLINK.USERSOCK);
  const it = s.messages();
  const next = it.next();
  setTimeout(() => s.close(), 20);
  const r = await next;
  assert.equal(r.done, true);
  s.close();
  assert.equal(s.closed, true);
  assert.throws(() => s.send(new Uint8Array(16)), TypeError);
});

test("socket options: SO_RCVBUF, EXT_ACK on by default, NO_ENOBUFS toggles", () => {
  using s = NetlinkSocket.open(NETLINK.GENERIC);
  assert.equal(s.getOption("EXT_ACK"), 1);
  assert.equal(s.getOption("CAP_ACK"), 1);
  s.setOption("NO_ENOBUFS", true);
  assert.equal(s.getOption("NO_ENOBUFS"), 1);
  s.setSocketOption(1, 8, 256 * 1024);
  assert.equal(s.getSocketOption(1, 8), 512 * 1024, "the kernel doubles SO_RCVBUF");
  using loose = NetlinkSocket.open(NETLINK.GENERIC, { strict: false });
  assert.equal(loose.getOption("EXT_ACK"), 0);
});

test("fd leak: 10,000 open/close cycles leave the fd count unchanged", () => {
  const fdCount = () => readdirSync("/proc/self/fd").length;
  const before = fdCount();
  for (let i = 0; i < 10_000; i++) NetlinkSocket.open(NETLINK.GENERIC).close();
  assert.equal(fdCount(), before);
});

test("messages(): a receive-queue overflow surfaces as ENOBUFS, then the socket goes on", async () => {
  using tx = NetlinkSocket.open(NETLINK.USERSOCK);
  using rx = NetlinkSocket.open(NETLINK.USERSOCK);
  rx.joinGroup(5);
  rx.setSocketOption(1, 8, 1024); // SO_RCVBUF: the kernel's minimum
  const payload = new Uint8Array(2048);
  for (let i = 0; i < 64; i++) tx.send(message(0x60, i, payload), { groups: 1 << 4 });
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const m of rx.messages()) seen.push(m.seq);
  }, (e: unknown) => e instanceof SyscallError && e.code === "ENOBUFS" && /lost/.test(e.message));
  assert.ok(rx.overflowed);
  assert.ok(seen.length < 64, `some messages were lost (${seen.length} arrived)`);
  // Resynchronised consumer: the socket still works.
  for (let n = rx.receive(); n; n = rx.receive()) { /* drain */ }
  tx.send(message(0x61, 99, new Uint8Array(4)), { groups: 1 << 4 });
  const ac = new AbortController();
  for await (const m of rx.messages({ signal: ac.signal })) {
    assert.equal(m.seq, 99);
    ac.abort();
  }
});
