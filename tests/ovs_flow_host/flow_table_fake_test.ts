// FlowTable on the in-memory FakeKernel (no openvswitch module, no root): bulk operations ride
// the table's one socket, framed by the ovs_flow family, in chunks of one sendmsg where only
// the last request asks for an acknowledgement; refusals come back by index; dumps and single
// requests go through the same family. The VM suite runs the same paths against the kernel.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DumpInterruptedError,
  ERRNO,
  NetlinkError,
  NLM_F,
  NLM_F_GET,
  NLM_F_NEW,
} from "../../mod.ts";
import { FakeKernel, genlReply } from "../../src/testing/mod.ts";
import { type FlowInit, FlowTable, ovsDatapathFamily, ovsFlowFamily } from "../../src/ovs/mod.ts";

function fake(refuse: (inPort: number) => boolean) {
  const kernel = new FakeKernel();
  kernel.serveFamily(ovsDatapathFamily, {
    get: (req) => {
      if (req.attrs.name !== "dp0") throw new NetlinkError(ERRNO.ENODEV);
      return genlReply({ name: "dp0" }, { header: { dpIfindex: 7 } });
    },
  });
  const installed: number[] = [];
  kernel.serveFamily(ovsFlowFamily, {
    new: (req) => {
      const port = req.attrs.key?.inPort ?? -1;
      if (refuse(port)) throw new NetlinkError(ERRNO.EEXIST);
      installed.push(port);
    },
    set: () => {},
    del: (req) => {
      if (req.attrs.key === undefined && req.attrs.ufid === undefined) installed.length = 0;
    },
    get: (req) =>
      req.dump ? installed.map((p) => ({ key: { inPort: p }, actions: [] })) : undefined,
  });
  return { kernel, installed };
}

const flow = (inPort: number): FlowInit => ({ key: { inPort, ethertype: 0x0806 }, actions: [] });

test("FlowTable.newBatch on a fake kernel: one sendmsg per chunk, ACK on its last request only", () => {
  const { kernel, installed } = fake((p) => p % 5 === 3);
  using table = FlowTable.openSync("dp0", undefined, { transport: kernel });
  const before = kernel.requests.length;
  const flows = Array.from({ length: 23 }, (_, i) => flow(i));
  const progress: number[] = [];
  const r = table.newBatch(flows, { chunk: 10, onProgress: (n) => progress.push(n) });
  assert.equal(r.ok, 19);
  assert.deepEqual(r.errors.map((e) => [e.index, e.error.code]), [[3, "EEXIST"], [8, "EEXIST"], [
    13,
    "EEXIST",
  ], [18, "EEXIST"]]);
  assert.match(r.errors[0].error.message, /ovs_flow\.new/);
  assert.equal(installed.length, 19);
  assert.deepEqual(progress, [23]);
  const sent = kernel.requests.slice(before);
  assert.equal(sent.length, 23);
  // NLM_F_CREATE on each; NLM_F_ACK on requests 9, 19 and 22 only (the last of each chunk).
  const acked = sent.flatMap((q, i) => (q.message.flags & NLM_F.ACK) ? [i] : []);
  assert.deepEqual(acked, [9, 19, 22]);
  for (const q of sent) {
    assert.equal(q.op, "new");
    assert.deepEqual(q.header, { dpIfindex: 7 });
    assert.equal(q.message.flags & NLM_F_NEW.CREATE, NLM_F_NEW.CREATE);
  }
  // The socket is ready for the next request: nothing of the batch is left queued.
  assert.equal(table.dumpSync(() => {}), 19);
});

test("FlowTable.batch on a fake kernel: mixed operations in order; a bad operation names its index", () => {
  const { kernel } = fake(() => false);
  using table = FlowTable.openSync("dp0", undefined, { transport: kernel });
  const r = table.batch([
    { op: "new", flow: flow(1) },
    { op: "set", update: { key: flow(1).key, actions: [] }, clear: true },
    { op: "del", ref: { key: flow(1).key } },
  ]);
  assert.deepEqual(r, { ok: 3, errors: [] });
  const ops = kernel.requests.slice(-3).map((q) => [q.op, (q.attrs as { clear?: true }).clear]);
  assert.deepEqual(ops, [["new", undefined], ["set", true], ["del", undefined]]);
  assert.throws(
    () => table.batch([{ op: "new", flow: flow(2) }, { op: "nope" } as never]),
    (e: Error) => e instanceof TypeError && /operation 1: /.test(e.message),
  );
  // The chunk before the bad operation was sent.
  assert.equal(kernel.requests.at(-1)?.op, "new");
});

test("FlowTable dump on a fake kernel: the request is the family's GET dump with the header", async () => {
  const { kernel } = fake(() => false);
  using table = FlowTable.openSync("dp0", undefined, { transport: kernel });
  table.newBatch([flow(4), flow(5)]);
  const ports: number[] = [];
  for await (const f of table.dump({ omit: ["actions"] })) ports.push(f.key?.inPort ?? -1);
  assert.deepEqual(ports, [4, 5]);
  const q = kernel.requests.at(-1)!;
  assert.equal(q.op, "get");
  assert.equal(q.message.flags & NLM_F_GET.DUMP, NLM_F_GET.DUMP);
  assert.deepEqual(q.header, { dpIfindex: 7 });
  assert.equal((q.attrs as { ufidFlags?: number }).ufidFlags, 4 /* OMIT_ACTIONS */);
});

test("FlowTable dump on a fake kernel: several datagrams handed out in order; an interrupted dump raises", async () => {
  // 6,000 flows fill several 32 KiB datagrams: under Bun each datagram's messages are copied
  // and decoded as they are handed out (an arena reused from one datagram to the next), under
  // Deno decoded at once; both must give every flow, in order.
  const kernel = new FakeKernel();
  kernel.serveFamily(ovsDatapathFamily, {
    get: () => genlReply({ name: "dp0" }, { header: { dpIfindex: 7 } }),
  });
  const N = 6000;
  let interruptAt = -1;
  kernel.serveFamily(ovsFlowFamily, {
    get: (req) =>
      req.dump
        ? Array.from({ length: N }, (_, i) =>
          genlReply(
            { key: { inPort: i, ethertype: 0x0800 + (i & 0xff) }, actions: [] },
            { header: { dpIfindex: 7 }, flags: i === interruptAt ? NLM_F.DUMP_INTR : 0 },
          ))
        : undefined,
  });
  using table = FlowTable.openSync("dp0", undefined, { transport: kernel });
  const seen: [number, number][] = [];
  for await (const f of table.dump()) seen.push([f.key?.inPort ?? -1, f.key?.ethertype ?? -1]);
  assert.equal(seen.length, N);
  assert.deepEqual(seen, Array.from({ length: N }, (_, i) => [i, 0x0800 + (i & 0xff)]));
  // The kernel flags a message of an early datagram NLM_F_DUMP_INTR: the flows of the
  // datagram before it were handed out, the rest of the dump is dropped and the dump raises.
  interruptAt = 700;
  const before: number[] = [];
  await assert.rejects(async () => {
    for await (const f of table.dump()) before.push(f.key?.inPort ?? -1);
  }, (e: unknown) => e instanceof DumpInterruptedError);
  assert.ok(before.length < interruptAt, `${before.length} flows before the interruption`);
  assert.deepEqual(before, Array.from({ length: before.length }, (_, i) => i));
  // The table's socket is ready for the next dump.
  interruptAt = -1;
  let n = 0;
  for await (const _ of table.dump()) n++;
  assert.equal(n, N);
});
