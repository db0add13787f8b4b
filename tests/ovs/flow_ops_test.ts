// FlowTable against the kernel: new/set/get/del/flush, echo, UFIDs and the terse flags, the
// probe flag, batches with per-flow errors, notifications on the ovs_flow group, and the
// errors the kernel gives (right class and code).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { GenlSocket } from "../../src/genl/family.ts";
import { NetlinkError } from "../../src/protocol/errors.ts";
import { type Flow, type FlowEvent, FlowTable, resolveDatapath } from "../../src/ovs/flow.ts";
import { formatUfid, parseUfid } from "../../src/ovs/flow_attrs.ts";
import { formatFlowKey, parseActions, parseFlowKey } from "../../src/ovs/odp_text.ts";
import { dpctl, makeFlowDp } from "./_flow_helpers.ts";
import { sh, skip } from "./_helpers.ts";

const ARP = (port: number) => parseFlowKey(`in_port(${port}),eth(),eth_type(0x0806),arp()`);
const UFID = parseUfid("c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f");

function dmesgCount(re: RegExp): number {
  return sh("dmesg").split("\n").filter((l) => re.test(l)).length;
}

async function expectError(
  p: Promise<unknown> | (() => unknown),
  code: string,
): Promise<NetlinkError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    assert.ok(e instanceof NetlinkError, `NetlinkError, got ${e}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

test(
  "flow ops: probe suppresses the kernel's log line; without it the kernel logs",
  { skip },
  async () => {
    using dp = makeFlowDp("fp");
    // A TCP key without tcp_flags: EINVAL, dmesg "openvswitch: netlink: Missing key".
    const bad = parseFlowKey("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80)");
    const re = /openvswitch: netlink: Missing key/;
    const before = dmesgCount(re);
    await expectError(dp.table.new({ ...bad, actions: [] }, { probe: true }), "EINVAL");
    assert.equal(dmesgCount(re), before, "no log line for a probe");
    const e = await expectError(dp.table.new({ ...bad, actions: [] }), "EINVAL");
    assert.equal(e.operation, "ovs_flow.new");
    assert.ok(dmesgCount(re) > before, "the kernel logs the same request without probe");
  },
);

test(
  "flow ops: new (echo), get by key and UFID, set (actions, clear), del (echo), flush",
  { skip },
  async () => {
    using dp = makeFlowDp("fc");
    const t = dp.table;
    const a = ARP(1);
    const echoed = await t.new({ ...a, actions: parseActions("2"), ufid: UFID }, { echo: true });
    assert.ok(echoed);
    assert.equal(echoed.dpIfindex, t.dpIfindex);
    assert.equal(formatUfid(echoed.ufid!), "c5a37a41-3b5f-4d9c-b27f-1c9e0e4a5d6f");
    assert.deepEqual(echoed.actions, [{ kind: "output", value: 2 }]);
    assert.equal(formatFlowKey(echoed.key!, echoed.mask), "in_port(1),eth(),eth_type(0x0806)");
    // Without echo the kernel only acknowledges.
    assert.equal(await t.new({ ...ARP(2), actions: [] }), undefined);

    const byUfid = await t.get({ ufid: UFID });
    const byKey = t.getSync({ key: ARP(2).key });
    assert.deepEqual(byUfid.actions, [{ kind: "output", value: 2 }]);
    assert.deepEqual(byKey.actions, []);
    assert.equal(byKey.ufid, undefined);
    assert.deepEqual(byUfid.stats ?? { packets: 0n, bytes: 0n }, { packets: 0n, bytes: 0n });
    // Terse: the UFID flow comes back without key, mask and actions; a flow without UFID in full.
    const terse = await t.get({ ufid: UFID }, { omit: ["key", "mask", "actions"] });
    assert.deepEqual(Object.keys(terse).sort(), ["dpIfindex", "ufid"]);
    const partial = await t.get({ ufid: UFID }, { omit: ["actions"] });
    assert.ok(partial.key && partial.mask && !partial.actions);
    const dumped: Flow[] = [];
    t.dumpSync((f) => dumped.push(f), { omit: ["key", "mask", "actions"] });
    assert.equal(dumped.length, 2);
    assert.equal(dumped.filter((f) => f.key === undefined).length, 1);

    // set: new actions by key (and UFID), clear statistics, echo the flow.
    const s = await t.set({ key: a.key, mask: a.mask, ufid: UFID, actions: parseActions("3,1") }, {
      clear: true,
      echo: true,
    });
    assert.deepEqual(s?.actions, [{ kind: "output", value: 3 }, { kind: "output", value: 1 }]);
    assert.deepEqual((await t.get({ ufid: UFID })).actions, s?.actions);
    t.setSync({ key: ARP(2).key, actions: parseActions("1") });
    assert.deepEqual(t.getSync({ key: ARP(2).key }).actions, [{ kind: "output", value: 1 }]);
    // new with modify: replaces the actions of the existing flow instead of EEXIST.
    await t.new({ ...ARP(2), actions: parseActions("3") }, { modify: true });
    assert.deepEqual(t.getSync({ key: ARP(2).key }).actions, [{ kind: "output", value: 3 }]);
    // ovs-dpctl sees it the same.
    assert.match(
      dpctl("dump-flows", dp.name),
      /in_port\(2\),eth\(\),eth_type\(0x0806\), packets:0, bytes:0, used:never, actions:3/,
    );

    // dump forms agree.
    const list = await t.list();
    const sync: Flow[] = [];
    assert.equal(t.dumpSync((f) => sync.push(f)), 2);
    assert.deepEqual(list, sync);

    const last = await t.del({ ufid: UFID }, { echo: true });
    assert.equal(formatUfid(last!.ufid!), formatUfid(UFID));
    assert.equal((await t.list()).length, 1);
    t.delSync({ key: ARP(2).key });
    assert.equal((await t.list()).length, 0);
    // flush
    t.newBatch([1, 2, 3].map((p) => ({ ...ARP(p), actions: [] })));
    assert.equal((await t.list()).length, 3);
    await t.flush();
    assert.equal((await t.list()).length, 0);
    t.newSync({ ...ARP(1), actions: [] });
    t.flushSync();
    assert.equal(t.dumpSync(() => {}), 0);
    // del with neither key nor UFID flushes, as the kernel does; an empty ref is refused.
    t.newBatch([1, 2].map((p) => ({ ...ARP(p), actions: [] })));
    assert.equal(await t.del(), undefined);
    assert.equal(t.dumpSync(() => {}), 0);
    t.newSync({ ...ARP(1), actions: [] });
    t.delSync();
    assert.equal(t.dumpSync(() => {}), 0);
    assert.throws(() => t.delSync({}), TypeError);
  },
);

test("flow ops: errors have the right class and code", { skip }, async () => {
  using dp = makeFlowDp("fe");
  const t = dp.table;
  // Duplicate: EEXIST (NLM_F_CREATE), by key and by UFID.
  await t.new({ ...ARP(1), actions: [], ufid: UFID });
  let e = await expectError(t.new({ ...ARP(1), actions: [] }), "EEXIST");
  assert.equal(e.operation, "ovs_flow.new");
  await expectError(t.new({ ...ARP(3), actions: [], ufid: UFID }), "EEXIST");
  // A key inside an existing flow's wildcarded match: EEXIST.
  const wide = parseFlowKey("in_port(2),eth(),eth_type(0x0800),ipv4(frag=no)");
  await t.new({ ...wide, actions: [] });
  const narrow = parseFlowKey("in_port(2),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,frag=no)");
  await expectError(t.new({ ...narrow, actions: [] }), "EEXIST");
  // The same through ovs-dpctl, for the record.
  assert.throws(
    () =>
      sh(
        "ovs-dpctl",
        "add-flow",
        dp.name,
        "in_port(2),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,frag=no)",
        "1",
      ),
    /File exists/,
  );
  // TCP without tcp_flags: EINVAL.
  const tcp = parseFlowKey("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(dst=80)");
  await expectError(t.new({ ...tcp, actions: [] }), "EINVAL");
  // Actions the key does not allow (set(tcp) on an ARP flow): EINVAL.
  await expectError(t.new({ ...ARP(3), actions: parseActions("set(tcp(src=1,dst=2))") }), "EINVAL");
  // No key at all (through the family, as FlowTable refuses to send it): EINVAL.
  await expectError(
    t.family.request("new", { actions: [] }, { header: { dpIfindex: t.dpIfindex } }),
    "EINVAL",
  );
  // Unknown flows: ENOENT for get, set and del, by UFID and by key.
  const other = parseUfid("00000000-0000-0000-0000-000000000001");
  await expectError(t.get({ ufid: other }), "ENOENT");
  await expectError(t.del({ ufid: other }), "ENOENT");
  await expectError(t.set({ ufid: other, key: ARP(9).key, actions: [] }), "ENOENT");
  await expectError(t.get({ key: ARP(9).key }), "ENOENT");
  await expectError(() => t.delSync({ key: ARP(9).key }), "ENOENT");
  // Batches report per-flow errors by index and install the rest.
  const r = t.batch([
    { op: "new", flow: { ...ARP(4), actions: [] } },
    { op: "new", flow: { ...ARP(4), actions: [] } },
    { op: "new", flow: { ...tcp, actions: [] } },
    { op: "set", update: { key: ARP(4).key, actions: parseActions("2") }, clear: true },
    { op: "del", ref: { ufid: other } },
    { op: "del", ref: { key: ARP(4).key } },
  ]);
  assert.equal(r.ok, 3);
  assert.deepEqual(r.errors.map((x) => [x.index, x.error.code]), [[1, "EEXIST"], [2, "EINVAL"], [
    4,
    "ENOENT",
  ]]);
  // No such datapath: ENODEV, by name and by ifindex (the loopback device is no datapath).
  using genl = GenlSocket.open();
  e = await expectError(() => resolveDatapath(genl, "nosuchdp"), "ENODEV");
  await expectError(new FlowTable(genl, 1).list(), "ENODEV");
  // Bad arguments: TypeError / RangeError before anything is sent.
  assert.throws(() => t.newSync({ key: ARP(1).key } as never), TypeError);
  assert.throws(() => t.getSync({}), TypeError);
  assert.throws(() => t.newSync({ ...ARP(1), actions: [], ufid: new Uint8Array(17) }), TypeError);
  assert.throws(() => t.setSync({ ufid: UFID, actions: [] }), TypeError);
  assert.throws(() => new FlowTable(genl, 0), RangeError);
  assert.throws(() => t.newBatch([], { chunk: 0 }), RangeError);
});

test(
  "flow ops: open by name, system@name and ifindex; tables of one socket",
  { skip },
  async () => {
    using dp = makeFlowDp("fn");
    const ifindex = Number(readFileSync(`/sys/class/net/${dp.name}/ifindex`, "utf8"));
    assert.equal(dp.table.dpIfindex, ifindex);
    using own = await FlowTable.open(`system@${dp.name}`);
    assert.equal(own.dpIfindex, ifindex);
    const byIndex = FlowTable.openSync(ifindex, dp.genl);
    await byIndex.new({ ...ARP(1), actions: [] });
    assert.equal((await own.list()).length, 1);
  },
);

/** Reads events until `n` arrived or `ms` passed. */
async function collect(it: AsyncIterator<FlowEvent>, n: number, ms = 10_000): Promise<FlowEvent[]> {
  const out: FlowEvent[] = [];
  const end = Date.now() + ms;
  while (out.length < n && Date.now() < end) {
    const r = await Promise.race([
      it.next(),
      new Promise<"timeout">((res) => setTimeout(() => res("timeout"), end - Date.now())),
    ]);
    if (r === "timeout" || r.done) break;
    out.push(r.value);
  }
  return out;
}

test(
  "flow ops: notifications of the ovs_flow group (nlts and ovs-dpctl changes; other datapaths filtered)",
  {
    skip,
  },
  async () => {
    using dp = makeFlowDp("fv");
    using other = makeFlowDp("fw");
    using sub = dp.table.subscribe();
    const t = dp.table;
    await t.new({ ...ARP(1), actions: parseActions("2"), ufid: UFID });
    await other.table.new({ ...ARP(1), actions: [] }); // another datapath: not ours
    await t.set({ key: ARP(1).key, ufid: UFID, actions: parseActions("3") });
    dpctl("add-flow", dp.name, "in_port(2),eth(),eth_type(0x0806),arp()", "1");
    await t.del({ ufid: UFID });
    const ev = await collect(sub, 4);
    assert.deepEqual(ev.map((e) => e.event), ["new", "set", "new", "del"]);
    for (const e of ev) assert.equal(e.flow.dpIfindex, t.dpIfindex);
    assert.equal(formatUfid(ev[0].flow.ufid!), formatUfid(UFID));
    assert.deepEqual(ev[0].flow.actions, [{ kind: "output", value: 2 }]);
    assert.deepEqual(ev[1].flow.actions, [{ kind: "output", value: 3 }]);
    assert.equal(
      formatFlowKey(ev[2].flow.key!, ev[2].flow.mask),
      "in_port(2),eth(),eth_type(0x0806)",
    );
    assert.deepEqual(ev[3].flow.stats ?? { packets: 0n, bytes: 0n }, { packets: 0n, bytes: 0n });
    // A flush sends no notification.
    await t.flush();
    assert.deepEqual(await collect(sub, 1, 500), []);
    // Every datapath's events with anyDatapath.
    using all = t.subscribe({ anyDatapath: true });
    await other.table.new({ ...ARP(2), actions: [] });
    const [e] = await collect(all, 1);
    assert.equal(e.flow.dpIfindex, other.table.dpIfindex);
    sub.close();
  },
);
