// Meters (features, set/replace, get, dump, del, band statistics driven by executed packets)
// and conntrack limits (default and per-zone, get all or some, del), the latter in a network
// namespace of the test's own and checked with ovs-dpctl. VM only.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { NetlinkError, NetlinkWriter } from "../../mod.ts";
import { outputActions, OvsClient } from "../../src/ovs/mod.ts";
import { tempNetns } from "../helpers/netns.ts";
import { quietIpv6, sh, skip, uniq } from "./_helpers.ts";

quietIpv6();
const ovs = skip ? undefined : OvsClient.open();
after(() => ovs?.close());

const isCode = (code: string) => (e: unknown) => e instanceof NetlinkError && e.code === code;

/** `meter(id)` then `output(port)` as raw actions (OVS_ACTION_ATTR_METER is 19). */
function meterThenOutput(id: number, port: number): Uint8Array {
  const w = new NetlinkWriter();
  w.attrU32(19, id);
  w.putBytes(outputActions([port]));
  return w.copy();
}

const FRAME = new Uint8Array(60).fill(0xff, 0, 6).fill(0x02, 6, 7);

test("meter: features, set, replace, get, dump, del", { skip }, async () => {
  const name = uniq("dpm");
  try {
    await ovs!.newDatapath(name);
    const f = await ovs!.meterFeatures(name);
    assert.ok(f.maxMeters > 0, `maxMeters ${f.maxMeters}`);
    assert.ok(f.maxBands >= 1);
    assert.deepEqual(f.bandTypes, ["drop"]);

    assert.equal(
      await ovs!.setMeter(name, { id: 1, unit: "kbps", bands: [{ rate: 1000, burst: 100 }] }),
      undefined,
    );
    await ovs!.setMeter(name, { id: 5, bands: [{ type: "drop", rate: 10 }] });
    await ovs!.setMeter(name, { id: 300, bands: [{ rate: 7 }] });
    const m1 = await ovs!.getMeter(name, 1);
    assert.equal(m1.id, 1);
    assert.deepEqual(m1.stats, { packets: 0n, bytes: 0n });
    assert.equal(typeof m1.used, "bigint");
    assert.deepEqual(m1.bands, [{ stats: { packets: 0n, bytes: 0n } }]);

    const dump = await ovs!.dumpMeters(name);
    assert.deepEqual(dump.map((m) => m.id), [1, 5, 300]);
    assert.deepEqual((await ovs!.dumpMeters(name, { first: 2, last: 299 })).map((m) => m.id), [5]);

    // Replacing returns the old meter's statistics.
    const old = await ovs!.setMeter(name, { id: 5, bands: [{ rate: 20 }] });
    assert.equal(old?.id, 5);
    const gone = await ovs!.delMeter(name, 5);
    assert.equal(gone?.id, 5);
    assert.equal(await ovs!.delMeter(name, 5), undefined, "deleting nothing is not an error");
    await assert.rejects(ovs!.getMeter(name, 5), isCode("ENOENT"));

    await assert.rejects(ovs!.setMeter(name, { id: 9, bands: [{ rate: 0 }] }), isCode("EINVAL"));
    if (f.maxBands === 1) {
      await assert.rejects(
        ovs!.setMeter(name, { id: 9, bands: [{ rate: 1 }, { rate: 2 }] }),
        isCode("EINVAL"),
      );
    }
    await assert.rejects(ovs!.meterFeatures(uniq("nodp")), isCode("ENODEV"));
    await assert.rejects(ovs!.setMeter(name, { id: -1, bands: [] }), RangeError);
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
});

test("meter: executed packets count in the meter and, over the rate, in its drop band", {
  skip,
}, async () => {
  const name = uniq("dpk");
  try {
    await ovs!.newDatapath(name);
    const p = await ovs!.newVport(name, uniq("in"), { type: "internal" });
    sh("ip", "link", "set", p.name, "up");
    // 1 packet/s with a burst of 1: the first packet passes, the next ones are dropped.
    await ovs!.setMeter(name, { id: 2, unit: "pps", bands: [{ rate: 1, burst: 1 }] });
    for (let i = 0; i < 3; i++) {
      await ovs!.execute(name, { packet: FRAME, actions: meterThenOutput(2, p.portNo) });
    }
    const m = await ovs!.getMeter(name, 2);
    assert.equal(m.stats?.packets, 3n);
    assert.equal(m.stats?.bytes, 180n);
    const dropped = m.bands[0].stats?.packets ?? 0n;
    assert.ok(dropped >= 1n && dropped <= 2n, `band packets ${dropped}`);
    // What the datapath sends to an internal port, its device receives.
    const st = (await ovs!.getVport(name, p.portNo)).stats!;
    assert.equal(
      st.rxPackets + dropped,
      3n,
      `every packet was either sent or dropped: ${JSON.stringify(st, (_, v) => `${v}`)}`,
    );
  } finally {
    await ovs!.delDatapath(name).catch(() => {});
  }
});

test("ct limits: set default and zones, get all and some, del; ovs-dpctl agrees", {
  skip,
}, async () => {
  using ns = tempNetns("nltsct");
  using client = OvsClient.open({ netns: ns.name });
  const dp = uniq("dpz");
  await client.newDatapath(dp); // ovs-dpctl's ct commands want a datapath to open
  const dpctl = (...args: string[]) => sh("ip", "netns", "exec", ns.name, "ovs-dpctl", ...args);

  assert.deepEqual(await client.getCtLimits(), { defaultLimit: 0, zones: [] });
  await client.setCtLimits({
    defaultLimit: 10,
    zones: [{ zone: 3, limit: 5 }, { zone: 7, limit: 1 }],
  });
  const all = await client.getCtLimits();
  assert.equal(all.defaultLimit, 10);
  assert.deepEqual(
    all.zones.sort((a, b) => a.zone - b.zone),
    [{ zone: 3, limit: 5, count: 0 }, { zone: 7, limit: 1, count: 0 }],
  );
  assert.deepEqual(
    dpctl("ct-get-limits", dp).trim().split("\n").sort(),
    ["default limit=10", "zone=3,limit=5,count=0", "zone=7,limit=1,count=0"],
  );
  // Zones without their own limit report the default.
  assert.deepEqual(await client.getCtLimits([3, 4]), {
    defaultLimit: 10,
    zones: [{ zone: 3, limit: 5, count: 0 }, { zone: 4, limit: 10, count: 0 }],
  });

  await client.delCtLimits([3]);
  assert.deepEqual((await client.getCtLimits()).zones, [{ zone: 7, limit: 1, count: 0 }]);
  await client.delCtLimits([7], { default: true });
  assert.deepEqual(await client.getCtLimits(), { defaultLimit: 0, zones: [] });

  // What ovs-dpctl sets, nlts reads.
  dpctl("ct-set-limits", dp, "default=3", "zone=9,limit=4");
  assert.deepEqual(await client.getCtLimits(), {
    defaultLimit: 3,
    zones: [{ zone: 9, limit: 4, count: 0 }],
  });
  // The host namespace's limits were never touched.
  assert.notEqual((await ovs!.getCtLimits([9])).zones[0].limit, 4);
  await assert.rejects(client.setCtLimits({ zones: [{ zone: 70000, limit: 1 }] }), RangeError);
  await assert.rejects(client.setCtLimits({}), TypeError);
  await client.delDatapath(dp);
});
