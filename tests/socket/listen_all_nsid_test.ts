// NETLINK_LISTEN_ALL_NSID: a socket that listens to the notifications of every namespace with an
// id in its own learns, per message, which namespace a notification came from (`nsid`), from the
// control message the kernel adds; its own namespace's notifications carry none.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NETLINK, NetlinkSocket } from "../../mod.ts";
import type { NetlinkMessage } from "../../src/socket/mod.ts";
import { canUseNetns, ipIn, tempNetns } from "../helpers/netns.ts";

const RTNLGRP_LINK = 1;
const RTM_NEWLINK = 16;

/** The next RTM_NEWLINK notification whose payload names `ifname`. */
async function nextLinkNamed(
  it: AsyncIterator<NetlinkMessage>,
  ifname: string,
  skipped: NetlinkMessage[] = [],
): Promise<NetlinkMessage> {
  const want = new TextEncoder().encode(`${ifname}\0`);
  for (;;) {
    const r = await it.next();
    assert.ok(!r.done, "the notifications ended");
    const m = r.value;
    skipped.push(m);
    if (m.type !== RTM_NEWLINK) continue;
    const p = m.payload;
    for (let i = 0; i + want.length <= p.length; i++) {
      if (want.every((b, j) => p[i + j] === b)) return m;
    }
  }
}

test("socket: LISTEN_ALL_NSID names the namespace of each notification", {
  skip: canUseNetns() ? false : "needs root and iproute2 (ip netns)",
}, async () => {
  using a = tempNetns("nsid");
  using b = tempNetns("nsid");
  ipIn(a.name, ["netns", "set", b.name, "42"]);
  using s = NetlinkSocket.open(NETLINK.ROUTE, { netns: a.name });
  s.joinGroup(RTNLGRP_LINK);
  s.setOption("LISTEN_ALL_NSID", true);
  assert.equal(s.getOption("LISTEN_ALL_NSID"), 1);
  const ac = new AbortController();
  const it = s.messages({ signal: ac.signal })[Symbol.asyncIterator]();
  try {
    ipIn(b.name, ["link", "add", "far0", "type", "bridge"]);
    const far = await nextLinkNamed(it, "far0");
    assert.equal(far.nsid, 42);
    assert.equal(far.group, RTNLGRP_LINK);
    ipIn(a.name, ["link", "add", "near0", "type", "bridge"]);
    const near = await nextLinkNamed(it, "near0");
    assert.equal(near.nsid, undefined);
    assert.equal(near.group, RTNLGRP_LINK);
    // off again: notifications of other namespaces stop
    s.setOption("LISTEN_ALL_NSID", false);
    ipIn(b.name, ["link", "add", "far1", "type", "bridge"]);
    ipIn(a.name, ["link", "add", "near1", "type", "bridge"]);
    const seen: NetlinkMessage[] = [];
    await nextLinkNamed(it, "near1", seen);
    assert.deepEqual(seen.map((m) => m.nsid), seen.map(() => undefined));
  } finally {
    ac.abort();
    await it.return?.();
  }
});
