// Flow tables at scale: N flows (100,000, the figure, by default; NLTS_OVS_SCALE=N for
// another size) installed in batches, dumped back exactly (every UFID once, each with its own key),
// memory bounded while iterating, terse and async dumps, batched deletes, flush.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import type { FlowInit, FlowTable } from "../../src/ovs/flow.ts";
import { type FlowDp, makeFlowDp } from "./_flow_helpers.ts";
import { sh, skip } from "./_helpers.ts";
import { flowOf, srcOf } from "../../bench/_ovs_flows.ts";

const N = Number(process.env.NLTS_OVS_SCALE ?? 100_000);

/**
 * Flow i is the benchmarks' flow i (bench/_ovs_flows.ts: ipv4 source 10.(i>>16).(i>>8).i, all
 * under one mask) with UFID bytes 0..3 = i.
 */
function ufidOf(i: number): Uint8Array {
  const u = new Uint8Array(16);
  new DataView(u.buffer).setUint32(0, i, true);
  u[12] = 0x5c;
  u[15] = 0xa1;
  return u;
}

function* flows(n: number): Generator<FlowInit> {
  for (let i = 0; i < n; i++) yield flowOf(i, ufidOf(i));
}

function indexOf(ufid: Uint8Array | undefined): number {
  assert.ok(ufid && ufid.length === 16 && ufid[12] === 0x5c && ufid[15] === 0xa1, "our UFID");
  return new DataView(ufid.buffer, ufid.byteOffset).getUint32(0, true);
}

let dp: FlowDp | undefined;
after(() => dp?.[Symbol.dispose]());

function table(): FlowTable {
  if (!dp) throw new Error("the install test did not run");
  return dp.table;
}

function rate(n: number, ms: number): string {
  return `${n} in ${(ms / 1000).toFixed(2)} s (${Math.round(n / ms * 1000)}/s)`;
}

test(`flow scale: ${N} flows install in batches`, { skip }, () => {
  dp = makeFlowDp("fs");
  const t0 = performance.now();
  let progress = 0;
  const r = table().newBatch(flows(N), { onProgress: (n) => (progress = n) });
  const ms = performance.now() - t0;
  assert.deepEqual(r.errors.slice(0, 3).map((e) => `${e.index}: ${e.error.message}`), []);
  assert.equal(r.ok, N);
  assert.equal(progress, N);
  console.log(`flow scale: installed ${rate(N, ms)}`);
  assert.match(sh("ovs-dpctl", "show", dp.name), new RegExp(`flows: ${N}\\b`));
});

test(
  `flow scale: the sync dump returns exactly the ${N} installed flows, decoded`,
  { skip },
  () => {
    const seen = new Uint8Array(N);
    let dupes = 0, bad = 0;
    const t0 = performance.now();
    const n = table().dumpSync((f) => {
      const i = indexOf(f.ufid);
      if (i >= N) bad++;
      else if (seen[i]++) dupes++;
      // The typed key is the flow's own.
      if (f.key?.ipv4?.src !== srcOf(i) || f.key.inPort !== 1) bad++;
      if (f.actions?.length !== 1 || f.mask?.ipv4?.src !== "255.255.255.255") bad++;
    });
    console.log(`flow scale: dumped (sync, decoded) ${rate(n, performance.now() - t0)}`);
    assert.equal(n, N);
    assert.equal(dupes, 0);
    assert.equal(bad, 0);
    assert.equal(seen.indexOf(0), -1, "every installed flow came back");
  },
);

test("flow scale: memory stays bounded while iterating a dump", { skip }, () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rss0 = process.memoryUsage().rss;
  let max = rss0, n = 0;
  table().dumpSync(() => {
    if ((++n & 1023) === 0) max = Math.max(max, process.memoryUsage().rss);
  });
  const growth = (max - rss0) / 2 ** 20;
  console.log(`flow scale: RSS grew ${growth.toFixed(1)} MiB over a ${n}-flow dump`);
  assert.equal(n, N);
  // Each decoded flow is about 3 KiB of objects: kept, N of them would take N * 3 KiB.
  assert.ok(growth < 64, `RSS grew ${growth.toFixed(1)} MiB`);
});

test("flow scale: async and terse dumps; ovs-dpctl sees the same count", { skip }, async () => {
  let n = 0;
  const t0 = performance.now();
  for await (const f of table().dump()) {
    if (f.ufid) n++;
  }
  console.log(`flow scale: dumped (async, decoded) ${rate(n, performance.now() - t0)}`);
  assert.equal(n, N);
  const seen = new Uint8Array(N);
  let keys = 0;
  const m = table().dumpSync((f) => {
    seen[indexOf(f.ufid)] = 1;
    if (f.key || f.mask || f.actions) keys++;
  }, { omit: ["key", "mask", "actions"] });
  assert.equal(m, N);
  assert.equal(keys, 0, "terse dump: UFIDs and statistics only");
  assert.equal(seen.indexOf(0), -1);
  const t1 = performance.now();
  const lines = sh("sh", "-c", `ovs-dpctl dump-flows ${dp!.name} | wc -l`).trim();
  console.log(`flow scale: ovs-dpctl dump-flows ${rate(N, performance.now() - t1)}`);
  assert.equal(Number(lines), N);
});

test("flow scale: batched deletes by UFID, then flush empties the table", { skip }, () => {
  const half = Math.floor(N / 2);
  const refs = function* () {
    for (let i = 0; i < N; i += 2) yield { ufid: ufidOf(i) };
  };
  const r = table().delBatch(refs());
  assert.equal(r.ok, Math.ceil(N / 2));
  assert.equal(r.errors.length, 0);
  let odd = 0;
  assert.equal(
    table().dumpSync((f) => {
      if (indexOf(f.ufid) % 2) odd++;
    }),
    half,
  );
  assert.equal(odd, half);
  // Deleting them again: ENOENT for each, reported by index.
  const again = table().delBatch(refs());
  assert.equal(again.ok, 0);
  assert.equal(again.errors.length, Math.ceil(N / 2));
  assert.ok(again.errors.every((e, i) => e.index === i && e.error.code === "ENOENT"));
  table().flushSync();
  assert.equal(table().dumpSync(() => {}), 0);
  assert.match(sh("ovs-dpctl", "show", dp!.name), /flows: 0\b/);
});
