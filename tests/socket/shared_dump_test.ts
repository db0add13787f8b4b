// Dumps that share their socket with other work (issue 15, item 1), on the running kernel: a
// network namespace of the test's own with 1,041 devices (520 veth pairs and lo), so that every
// dump spans many datagrams (veth rather than bridges: a namespace of 1,040 bridges holds the
// RTNL lock for ~17 s while it is torn down, stalling every other test on the machine); iproute2 (`ip -j link`) is the independent count. The three shapes:
// a request inside a dump's loop, concurrent dumps, a dump inside a dump's loop, each through
// GenlSocket/Family (netdev dev-get, dumpBatches underneath) and NetlinkSocket.dump (RTM_GETLINK).
// Before the fix, the first returned 507 of 1,041 devices without an error, and concurrent dumps
// returned 507 devices or failed with EBUSY.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenlSocket, netdev } from "../../src/genl/mod.ts";
import { NETLINK, type NetlinkMessage, NetlinkSocket } from "../../mod.ts";
import { ipIn, run, tempNetns } from "../helpers/netns.ts";

const PAIRS = 520;
const RTM_GETLINK = 18;
const RTM_NEWLINK = 16;

/** A namespace with 520 veth pairs; `ifindexes` lists every device as iproute2 reports it. */
function crowdedNetns(): { name: string; ifindexes: number[]; [Symbol.dispose](): void } {
  const ns = tempNetns("nlts-shd");
  const file = join(tmpdir(), `${ns.name}.batch`);
  try {
    const lines: string[] = [];
    for (let i = 0; i < PAIRS; i++) lines.push(`link add sa${i} type veth peer name sb${i}`);
    writeFileSync(file, lines.join("\n") + "\n");
    run("ip", ["-n", ns.name, "-batch", file]);
  } catch (e) {
    ns[Symbol.dispose]();
    throw e;
  } finally {
    rmSync(file, { force: true });
  }
  const links = JSON.parse(ipIn(ns.name, ["-j", "link"])) as { ifindex: number }[];
  const ifindexes = links.map((l) => l.ifindex).sort((a, b) => a - b);
  assert.equal(ifindexes.length, 2 * PAIRS + 1, "ip -j link counts 1,040 veths and lo");
  return { name: ns.name, ifindexes, [Symbol.dispose]: () => ns[Symbol.dispose]() };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** RTM_GETLINK dump request: an all-zero ifinfomsg. */
const getlink = () => ({ type: RTM_GETLINK, payload: new Uint8Array(16) });
/** ifi_index of an RTM_NEWLINK message. */
function ifindexOf(m: NetlinkMessage): number {
  assert.equal(m.type, RTM_NEWLINK);
  return new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(4, true);
}

test("shared socket: requests inside a dump's loop, async and sync, lose none of its 1,041 devices", async () => {
  using ns = crowdedNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);
  const seen: number[] = [];
  for await (const d of fam.dump("dev-get")) {
    seen.push(d.ifindex!);
    if (seen.length % 100 === 0) {
      // An async request on the dump's socket while the dump is suspended in this loop.
      const want = ns.ifindexes[seen.length % ns.ifindexes.length];
      assert.equal((await fam.do("dev-get", { ifindex: want }))?.ifindex, want);
    } else if (seen.length % 100 === 50) {
      // Interleaved synchronous calls: a request, a whole other dump, a raw receive. None of
      // them may eat the suspended dump's datagrams.
      const want = ns.ifindexes[(seen.length * 7) % ns.ifindexes.length];
      assert.equal(fam.doSync("dev-get", { ifindex: want })?.ifindex, want);
      assert.deepEqual(sorted(fam.dumpSync("dev-get").map((m) => m.attrs.ifindex!)), ns.ifindexes);
      assert.equal(genl.socket.receive(), null, "nothing unsolicited; the dump's replies are kept");
    }
  }
  assert.deepEqual(sorted(seen), ns.ifindexes);

  // The same on a NetlinkSocket with NetlinkSocket.dump and request.
  using route = NetlinkSocket.open(NETLINK.ROUTE, { netns: ns.name });
  const links: number[] = [];
  for await (const m of route.dump(getlink())) {
    links.push(ifindexOf(m));
    if (links.length % 100 === 0) {
      const p = new Uint8Array(16);
      new DataView(p.buffer).setInt32(4, links[0], true);
      const [reply] = await route.request({ type: RTM_GETLINK, payload: p });
      assert.equal(ifindexOf(reply), links[0]);
    }
  }
  assert.deepEqual(sorted(links), ns.ifindexes);
});

test("shared socket: ten concurrent dumps each yield all 1,041 devices, sent in the order started", async () => {
  using ns = crowdedNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);
  const seqs: number[] = [];
  const results = await Promise.all(
    Array.from({ length: 10 }, async (_, k) => {
      const got: number[] = [];
      for await (const m of fam.dumpMessages("dev-get")) {
        seqs[k] = m.seq;
        got.push(m.attrs.ifindex!);
        // Give the other dumps every chance to interleave.
        if (got.length % 128 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      return got;
    }),
  );
  for (const got of results) assert.deepEqual(sorted(got), ns.ifindexes);
  // Each dump's request got its seq when it was sent: its turn came in the order started.
  for (let k = 1; k < seqs.length; k++) {
    assert.ok(seqs[k] > seqs[k - 1], `dump ${k} after ${k - 1}`);
  }

  using route = NetlinkSocket.open(NETLINK.ROUTE, { netns: ns.name });
  const counts = await Promise.all(
    Array.from({ length: 4 }, async () => {
      const got: number[] = [];
      for await (const m of route.dump(getlink())) got.push(ifindexOf(m));
      return sorted(got);
    }),
  );
  for (const got of counts) assert.deepEqual(got, ns.ifindexes);
});

test("shared socket: a dump inside another dump's loop runs after it; both yield all 1,041 devices", async () => {
  using ns = crowdedNetns();
  using genl = GenlSocket.open({ netns: ns.name });
  const fam = genl.family(netdev);
  const outer: number[] = [];
  const inner: number[] = [];
  for await (const d of fam.dump("dev-get")) {
    outer.push(d.ifindex!);
    if (outer.length === 500) {
      for await (const e of fam.dump("dev-get")) inner.push(e.ifindex!);
    }
  }
  assert.deepEqual(sorted(outer), ns.ifindexes);
  assert.deepEqual(sorted(inner), ns.ifindexes);

  // Three levels deep on a NetlinkSocket, and a consumer that leaves its dump early: the next
  // dump reads the abandoned one's rest away and is complete.
  using route = NetlinkSocket.open(NETLINK.ROUTE, { netns: ns.name });
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for await (const m of route.dump(getlink())) {
    a.push(ifindexOf(m));
    if (a.length !== 10) continue;
    for await (const n of route.dump(getlink())) {
      b.push(ifindexOf(n));
      if (b.length !== 700) continue;
      for await (const o of route.dump(getlink())) c.push(ifindexOf(o));
    }
  }
  for (const got of [a, b, c]) assert.deepEqual(sorted(got), ns.ifindexes);
  let left = 0;
  for await (const _ of route.dump(getlink())) if (++left === 3) break;
  assert.deepEqual(sorted(route.dumpSync(getlink()).map(ifindexOf)), ns.ifindexes);
  const after: number[] = [];
  for await (const m of route.dump(getlink())) after.push(ifindexOf(m));
  assert.deepEqual(sorted(after), ns.ifindexes);
});
