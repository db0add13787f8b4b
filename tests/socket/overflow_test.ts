// Receive-queue overflows (ENOBUFS) are told to every consumer that lost something (issue 15,
// item 2): each messages() iterator of the socket, once, after the messages queued before the
// loss, whichever call read the error; each subscription, which stays open; a request only when
// its own reply was lost. Real overflows: a NETLINK_USERSOCK multicast flood into a small
// receive queue, and 1,040 device notifications from the kernel in a namespace of the test's own.
// Before the fix, the iterators were never told (they waited forever), the request that read the
// error failed although its reply had arrived, and a subscription ended for good.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  NETLINK,
  type NetlinkMessage,
  NetlinkSocket,
  NetlinkWriter,
  SyscallError,
} from "../../mod.ts";
import { GenlSocket, netdev } from "../../src/genl/mod.ts";
import { ipIn, run, tempNetns } from "../helpers/netns.ts";

/** The iterator's next result, or a rejection after `ms` (an iterator that is never told hangs). */
function nextWithin<T>(it: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
  });
  return Promise.race([it.next(), timeout]).finally(() => clearTimeout(timer));
}

/** Pulls from `it` until it throws; returns what it yielded and the error. */
async function drainUntilError<T>(it: AsyncIterator<T>): Promise<{ got: T[]; error: unknown }> {
  const got: T[] = [];
  for (;;) {
    let r: IteratorResult<T>;
    try {
      r = await nextWithin(it, 3000);
    } catch (error) {
      return { got, error };
    }
    assert.ok(!r.done, "the iterator must not end quietly");
    got.push(r.value);
  }
}

const isEnobufs = (e: unknown) => e instanceof SyscallError && e.code === "ENOBUFS";

function message(type: number, seq: number, size: number): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(type, 0, seq);
  w.putBytes(new Uint8Array(size));
  w.endMessage(m);
  return w.copy();
}

test("overflow: every messages() iterator is told once, after what was queued; the request that read it keeps its reply", async () => {
  using flood = NetlinkSocket.open(NETLINK.USERSOCK);
  using peer = NetlinkSocket.open(NETLINK.USERSOCK);
  using s = NetlinkSocket.open(NETLINK.USERSOCK, { rcvbuf: 4096 });
  s.joinGroup(5);
  s.connect(peer.portid);
  const it1 = s.messages();
  const it2 = s.messages();
  const first1 = nextWithin(it1, 3000);
  const first2 = nextWithin(it2, 3000);
  // A request to the peer, answered at once: its reply is queued before the flood.
  const reply = s.request({ type: 0x30, payload: new Uint8Array(4) }, { ack: false });
  const req = peer.receive();
  assert.ok(req);
  const seq = new DataView(req.data.buffer, req.data.byteOffset).getUint32(8, true);
  peer.send(message(0x31, seq, 4), { portid: s.portid });
  // 200 notifications of 1 KiB into a queue of about 8 KiB: most are dropped (ENOBUFS).
  for (let i = 0; i < 200; i++) flood.send(message(0x40, i + 1, 1024), { groups: 1 << 4 });
  const [r] = await reply;
  assert.equal(r.type, 0x31, "the request that read the overflow first still got its reply");
  assert.ok(s.overflowed);
  const a = await drainUntilError(prepend(first1, it1));
  const b = await drainUntilError(prepend(first2, it2));
  assert.ok(isEnobufs(a.error), `iterator 1 is told: ${a.error}`);
  assert.ok(isEnobufs(b.error), `iterator 2 is told: ${b.error}`);
  // What was queued before the loss came first, and in order: the first k notifications.
  const seqs = [...a.got, ...b.got].map((m) => m.seq).sort((x, y) => x - y);
  assert.ok(seqs.length > 0 && seqs.length < 200, `${seqs.length} of 200 were kept`);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
  // Told once: a new iterator starts clean and gets what comes next.
  const it3 = s.messages();
  flood.send(message(0x41, 999, 8), { groups: 1 << 4 });
  const next = await nextWithin(it3, 3000);
  assert.equal((next.value as NetlinkMessage).seq, 999);
  await it3.return(undefined);
});

/** An iterator that yields `first`'s result, then continues with `it`. */
function prepend<T>(
  first: Promise<IteratorResult<T>>,
  it: AsyncIterator<T>,
): AsyncIterator<T> {
  let used = false;
  return {
    next: () => {
      if (used) return it.next();
      used = true;
      return first;
    },
  };
}

test("overflow: kernel notifications (1,040 devices) overflow a subscription and a route socket; both are told and go on", async () => {
  using ns = tempNetns("nlts-ovf");
  using genl = GenlSocket.open({ netns: ns.name });
  const sub = genl.family(netdev).subscribe(["mgmt"]);
  // RTMGRP_LINK on a socket that is also used for requests, with a small queue.
  using route = NetlinkSocket.open(NETLINK.ROUTE, { netns: ns.name, groups: 1, rcvbuf: 16384 });
  const links = route.messages();
  const file = join(tmpdir(), `${ns.name}.batch`);
  const lines: string[] = [];
  for (let i = 0; i < 520; i++) lines.push(`link add oa${i} type veth peer name ob${i}`);
  writeFileSync(file, lines.join("\n") + "\n");
  try {
    run("ip", ["-n", ns.name, "-batch", file]); // the event loop is blocked: nobody reads
  } finally {
    rmSync(file, { force: true });
  }

  // The request reads the overflow first; its own reply found the queue full and was lost,
  // which it says (before: the bare ENOBUFS of the recvmsg).
  const getlo = new Uint8Array(16);
  new DataView(getlo.buffer).setInt32(4, 1, true);
  await assert.rejects(
    route.request({ type: 18, payload: getlo }),
    (e: unknown) => isEnobufs(e) && /reply was lost/.test((e as Error).message),
  );
  // The iterator is told after the notifications that were queued; the socket goes on.
  const told = await drainUntilError(links);
  assert.ok(isEnobufs(told.error), `the route iterator is told: ${told.error}`);
  assert.ok(told.got.length > 0 && told.got.length < 1040, `${told.got.length} kept`);
  const [lo] = await route.request({ type: 18, payload: getlo });
  assert.equal(new DataView(lo.payload.buffer, lo.payload.byteOffset).getInt32(4, true), 1);

  // The subscription: notifications, then ENOBUFS once; then the same subscription goes on.
  const got = await drainUntilError(sub);
  assert.ok(isEnobufs(got.error), `the subscription is told: ${got.error}`);
  assert.ok(got.got.length > 0 && got.got.length < 1040, `${got.got.length} kept`);
  ipIn(ns.name, ["link", "add", "oz0", "type", "veth", "peer", "name", "oz1"]);
  const want = new Set(
    (JSON.parse(ipIn(ns.name, ["-j", "link", "show", "type", "veth"])) as {
      ifname: string;
      ifindex: number;
    }[]).filter((l) => l.ifname.startsWith("oz")).map((l) => l.ifindex),
  );
  const after = new Set<number>();
  while (after.size < 2) {
    const r = await nextWithin(sub, 3000);
    assert.ok(!r.done);
    if (r.value.event === "dev-add-ntf") after.add(r.value.attrs.ifindex!);
  }
  assert.deepEqual(after, want);
  const links2 = route.messages();
  ipIn(ns.name, ["link", "set", "oz0", "up"]);
  const m = await nextWithin(links2, 3000);
  assert.equal((m.value as NetlinkMessage).type, 16, "RTM_NEWLINK after the resync");
  await links2.return(undefined);
  sub.close();
  assert.deepEqual(await sub.next(), { done: true, value: undefined });
});
