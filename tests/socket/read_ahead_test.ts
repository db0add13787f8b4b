// A socket reads up to two datagrams per system call (recvmmsg: a reply and its ACK, or a
// dump's next datagram). The second one is held until the next read; nobody may then wait on
// the kernel's queue for it: a messages() reader already waiting is woken, and a request or a
// later read gets it first, in order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NETLINK, NetlinkSocket, NetlinkWriter } from "../../mod.ts";
import { GenlSocket, nlctrl } from "../../src/genl/mod.ts";

function message(type: number, seq: number): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(type, 0, seq);
  w.putU32(seq);
  w.endMessage(m);
  return w.copy();
}

/** The iterator's next result, or a rejection after `ms` (a reader left waiting hangs). */
function nextWithin<T>(it: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
  });
  return Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
}

test("a datagram read ahead by receive() reaches the messages() reader waiting meanwhile", async () => {
  using peer = NetlinkSocket.open(NETLINK.USERSOCK);
  using s = NetlinkSocket.open(NETLINK.USERSOCK);
  const it = s.messages();
  const next = nextWithin(it, 3000); // waits: nothing is queued yet
  await new Promise((r) => setTimeout(r, 20));
  peer.send(message(0x20, 1), { portid: s.portid });
  peer.send(message(0x21, 2), { portid: s.portid });
  const first = s.receive(); // may take both datagrams from the kernel in one call
  assert.ok(first);
  assert.equal(first.data[4], 0x20);
  const r = await next;
  assert.equal(r.done, false);
  assert.equal((r.value as { type: number }).type, 0x21);
  await it.return?.(undefined);
});

test("datagrams held back come out in order to receive(), then the queue's", () => {
  using peer = NetlinkSocket.open(NETLINK.USERSOCK);
  using s = NetlinkSocket.open(NETLINK.USERSOCK);
  for (let i = 0; i < 5; i++) peer.send(message(0x20 + i, i + 1), { portid: s.portid });
  const types: number[] = [];
  for (let d = s.receive(); d; d = s.receive()) types.push(d.data[4]);
  assert.deepEqual(types, [0x20, 0x21, 0x22, 0x23, 0x24]);
});

test("round trips with ACK and dumps on one socket keep their replies apart", () => {
  using genl = GenlSocket.open();
  const ctrl = genl.family(nlctrl);
  const all = ctrl.dumpSync("getfamily");
  for (let i = 0; i < 50; i++) {
    assert.equal(ctrl.doSync("getfamily", { familyName: "nlctrl" })?.familyId, 16);
    if (i % 10 === 0) assert.equal(ctrl.dumpSync("getfamily").length, all.length);
  }
  // Nothing left over: a plain receive finds the queue empty.
  assert.equal(genl.socket.receive(), null);
});
