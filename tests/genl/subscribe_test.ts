// Family.subscribe(): groups are joined when it returns (no event after the call is lost), the
// GenlSocket's namespace is the default, and notifications are typed per event.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GenlSocket, netdev } from "../../src/genl/mod.ts";
import { canUseNetns, ipIn, tempNetns } from "../helpers/netns.ts";
import { newFds, openFds } from "../helpers/fds.ts";

test("subscribe: joined on return, in the GenlSocket's namespace, typed by event", {
  skip: canUseNetns() ? false : "needs root and iproute2 (ip netns)",
}, async () => {
  using ns = tempNetns("nltssub");
  using genl = GenlSocket.open({ netns: ns.name });
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 10_000);
  using sub = genl.family(netdev).subscribe(["mgmt"], { signal: ac.signal });
  // Change the namespace before iterating: the events must already be queued for us.
  ipIn(ns.name, ["link", "add", "name", "s0", "type", "veth", "peer", "name", "s1"]);
  const added: number[] = [];
  for await (const n of sub) {
    if (n.event === "dev-add-ntf") {
      assert.equal(typeof n.attrs.ifindex, "number"); // typed: devAttrs
      assert.equal(n.group, "mgmt", "the group it came through, by name");
      added.push(n.attrs.ifindex!);
    }
    if (added.length === 2) break;
  }
  clearTimeout(timer);
  const links = JSON.parse(ipIn(ns.name, ["-j", "link", "show", "type", "veth"])) as {
    ifindex: number;
  }[];
  assert.deepEqual(added.sort(), links.map((l) => l.ifindex).sort());
});

test(
  "subscribe: closing the GenlSocket closes the subscriptions made through it (issue 15, item 11)",
  {
    skip: canUseNetns() ? false : "needs root and iproute2 (ip netns)",
  },
  async () => {
    using ns = tempNetns("nltssub");
    const before = openFds();
    const genl = GenlSocket.open({ netns: ns.name });
    const fam = genl.family(netdev);
    const waiting = fam.subscribe(["mgmt"]);
    const idle = fam.subscribe();
    const pending = waiting.next(); // waits off the main thread for a notification
    genl.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = await Promise.race([
      pending,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("the subscription kept waiting")), 3000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.deepEqual(ended, { done: true, value: undefined }, "a pending iteration ends");
    assert.deepEqual(await idle.next(), { done: true, value: undefined });
    // Every socket (and eventfd) is released once the waits have returned.
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(newFds(before), []);
  },
);
