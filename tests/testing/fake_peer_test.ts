// The receive path against a scripted peer, for what the kernel will not do on demand:
// NLM_F_DUMP_INTR, errors inside NLMSG_DONE, multipart replies to a `do`, stale replies,
// NLMSG_OVERRUN, replies split over datagrams, a peer that never answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DumpInterruptedError,
  NETLINK,
  NetlinkError,
  NetlinkSocket,
  NLM_F,
  NLMSG,
  SyscallError,
} from "../../mod.ts";
import { ackOf, doneOf, errorOf, FakePeer, replyTo } from "../../src/testing/mod.ts";

const item = (n: number) => new Uint8Array([n, 0, 0, 0]);

test("fake: do request gets its reply and the ACK is consumed", async () => {
  using fake = FakePeer.start((req) => [replyTo(req, 0x20, item(7)), ackOf(req)]);
  using c = fake.client();
  const r = await c.request({ type: 0x20, payload: item(1) });
  assert.deepEqual(r.map((m) => [m.type, m.payload[0]]), [[0x20, 7]]);
  assert.equal(fake.requests.length, 1);
  assert.equal(fake.requests[0].flags & (NLM_F.REQUEST | NLM_F.ACK), NLM_F.REQUEST | NLM_F.ACK);
  assert.equal(c.receive(), null);
});

test("fake: error with extended ack becomes NetlinkError with message, offset, missing type", async () => {
  using fake = FakePeer.start((req) => [
    errorOf(req, 22, { message: "bad thing", offset: 20, missingType: 5, missingNest: 16 }),
  ]);
  using c = fake.client();
  await assert.rejects(
    c.request({ type: 0x20 }, { operation: "demo.set" }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "EINVAL" && e.operation === "demo.set" &&
      e.extAck?.message === "bad thing" && e.extAck.offset === 20 &&
      e.extAck.missingType === 5 && e.extAck.missingNest === 16 &&
      /Cannot demo\.set: EINVAL \(Invalid argument\): bad thing/.test(e.message),
  );
});

test("fake: a dump ends only at NLMSG_DONE, across split datagrams", async () => {
  using fake = FakePeer.start((req) => [
    replyTo(req, 0x20, item(1), NLM_F.MULTI),
    replyTo(req, 0x20, item(2), NLM_F.MULTI),
    replyTo(req, 0x20, item(3), 0), // a message without NLM_F_MULTI does not end a dump
    doneOf(req),
  ], { split: true });
  using c = fake.client();
  const got: number[] = [];
  for await (const m of c.dump({ type: 0x20 })) got.push(m.payload[0]);
  assert.deepEqual(got, [1, 2, 3]);
});

test("fake: an error in NLMSG_DONE is raised with its ext ack", async () => {
  using fake = FakePeer.start((req) => [
    replyTo(req, 0x20, item(1), NLM_F.MULTI),
    doneOf(req, { errno: 90, extAck: { message: "dump too big" } }),
  ]);
  using c = fake.client();
  const got: number[] = [];
  await assert.rejects(
    async () => {
      for await (const m of c.dump({ type: 0x20 }, { operation: "demo.dump" })) {
        got.push(
          m.payload[0],
        );
      }
    },
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "EMSGSIZE" && e.extAck?.message === "dump too big",
  );
  assert.deepEqual(got, [1], "messages before the error were delivered");
});

test("fake: NLM_F_DUMP_INTR raises DumpInterruptedError with what was read; retry succeeds", async () => {
  let attempt = 0;
  using fake = FakePeer.start((req) => {
    attempt++;
    if (attempt === 1) {
      return [
        replyTo(req, 0x20, item(1), NLM_F.MULTI | NLM_F.DUMP_INTR),
        doneOf(req, { interrupted: true }),
      ];
    }
    return [replyTo(req, 0x20, item(2), NLM_F.MULTI), doneOf(req)];
  });
  using c = fake.client();
  await assert.rejects(async () => {
    for await (const _ of c.dump({ type: 0x20 })) { /* consume */ }
  }, (e: unknown) => e instanceof DumpInterruptedError && e.partial.length === 1);
  attempt = 0;
  const got: number[] = [];
  for await (const m of c.dump({ type: 0x20 }, { retryInterrupted: 1 })) got.push(m.payload[0]);
  assert.deepEqual(got, [2]);
  assert.equal(attempt, 2);
});

test("fake: dumpBatches maps replies per datagram; DUMP_INTR retries, then raises", async () => {
  let attempt = 0;
  using fake = FakePeer.start((req) => {
    attempt++;
    if (attempt === 1) {
      return [
        replyTo(req, 0x20, item(1), NLM_F.MULTI | NLM_F.DUMP_INTR),
        doneOf(req, { interrupted: true }),
      ];
    }
    return [
      replyTo(req, 0x20, item(2), NLM_F.MULTI),
      replyTo(req, 0x21, item(3), NLM_F.MULTI),
      replyTo(req, 0x20, item(4), NLM_F.MULTI),
      doneOf(req),
    ];
  });
  using c = fake.client();
  const got: number[][] = [];
  const pick = (it: { type: number; data: Uint8Array; payloadOffset: number }) =>
    it.type === 0x20 ? it.data[it.payloadOffset] : undefined;
  for await (const b of c.dumpBatches({ type: 0x20 }, { retryInterrupted: 1 }, pick)) got.push(b);
  assert.deepEqual(got.flat(), [2, 4], "undefined is left out");
  assert.equal(attempt, 2);
  attempt = 0;
  await assert.rejects(async () => {
    for await (const _ of c.dumpBatches({ type: 0x20 }, {}, pick)) { /* consume */ }
  }, (e: unknown) => e instanceof DumpInterruptedError && e.partial.length === 0);
  assert.throws(() => c.dumpBatches({ type: 0x20 }, {}, null as never), TypeError);
  assert.equal(c.receive(), null);
});

test("fake: dumpBatches raises an error in NLMSG_DONE after the batches before it", async () => {
  using fake = FakePeer.start((req) => [
    replyTo(req, 0x20, item(1), NLM_F.MULTI),
    doneOf(req, { errno: 5, extAck: { message: "late failure" } }),
  ]);
  using c = fake.client();
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const b of c.dumpBatches({ type: 0x20 }, {}, (it) => it.data[it.payloadOffset])) {
      got.push(...b);
    }
  }, (e: unknown) => e instanceof NetlinkError && e.code === "EIO");
  assert.deepEqual(got, [1]);
});

test("fake: stale replies (other seq) are not returned to a request; they go to messages()", async () => {
  using fake = FakePeer.start((req) => [
    replyTo({ ...req, seq: req.seq + 1000 }, 0x21, item(9)),
    replyTo(req, 0x20, item(1)),
    ackOf(req),
  ]);
  using c = fake.client();
  const r = await c.request({ type: 0x20 });
  assert.deepEqual(r.map((m) => m.type), [0x20]);
  const ac = new AbortController();
  for await (const m of c.messages({ signal: ac.signal })) {
    assert.equal(m.type, 0x21);
    assert.equal(m.sender, fake.portid);
    ac.abort();
  }
});

test("fake: a multipart reply to a do runs until DONE", async () => {
  using fake = FakePeer.start((req) => [
    replyTo(req, 0x20, item(1), NLM_F.MULTI),
    replyTo(req, 0x20, item(2), NLM_F.MULTI),
    doneOf(req),
  ]);
  using c = fake.client();
  const r = await c.request({ type: 0x20 }, { ack: false });
  assert.deepEqual(r.map((m) => m.payload[0]), [1, 2]);
});

test("fake: NLMSG_OVERRUN fails the exchange with ENOBUFS", async () => {
  using fake = FakePeer.start((req) => [replyTo(req, NLMSG.OVERRUN, new Uint8Array(0))]);
  using c = fake.client();
  await assert.rejects(
    c.request({ type: 0x20 }),
    (e: unknown) => e instanceof NetlinkError && e.code === "ENOBUFS",
  );
});

test("fake: a peer that never answers times out with a clear error", async () => {
  using fake = FakePeer.start(() => []);
  using c = fake.client();
  await assert.rejects(
    c.request({ type: 0x20 }, { timeoutMs: 100, operation: "demo.get" }),
    (e: unknown) =>
      e instanceof SyscallError && /no reply to demo\.get within 100 ms/.test(e.message),
  );
});

test("fake: a late reply to a timed-out request is dropped, not left for others", async () => {
  let n = 0;
  using fake = FakePeer.start(async (req) => {
    if (n++ === 0) await new Promise((r) => setTimeout(r, 150));
    return [replyTo(req, 0x20, item(n)), ackOf(req)];
  });
  using c = fake.client();
  await assert.rejects(c.request({ type: 0x20 }, { timeoutMs: 30 }), SyscallError);
  await new Promise((r) => setTimeout(r, 200)); // the late reply arrives meanwhile
  const r = await c.request({ type: 0x20 });
  assert.deepEqual(r.map((m) => m.payload[0]), [2]);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  const stray: number[] = [];
  for await (const m of c.messages({ signal: ac.signal })) stray.push(m.type);
  assert.deepEqual(stray, []);
});

test("fake: closing the socket rejects a request that is waiting for its reply", async () => {
  using fake = FakePeer.start(() => []);
  const c = fake.client();
  const pending = c.request({ type: 0x20 }, { timeoutMs: -1 });
  setTimeout(() => c.close(), 30);
  await assert.rejects(pending, (e: unknown) => e instanceof TypeError && /closed/.test(e.message));
});

test("fake: a handler that throws fails that request with EIO, and the fake goes on serving", async () => {
  let n = 0;
  using fake = FakePeer.start(async (req) => {
    if (++n === 1) throw new RangeError("boom in the handler");
    if (n === 2) {
      await Promise.resolve();
      throw "a string";
    }
    if (n === 3) return "not messages" as unknown as Uint8Array[];
    return [ackOf(req)];
  });
  using c = fake.client();
  await assert.rejects(
    c.request({ type: 0x20 }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "EIO" &&
      /FakePeer handler threw RangeError: boom in the handler/.test(e.message),
  );
  await assert.rejects(
    c.request({ type: 0x20 }),
    (e: unknown) => e instanceof NetlinkError && /threw a string/.test(e.message),
  );
  await assert.rejects(
    c.request({ type: 0x20 }),
    (e: unknown) => e instanceof NetlinkError && /array of encoded messages/.test(e.message),
  );
  assert.deepEqual(await c.request({ type: 0x20 }), []);
  assert.deepEqual(fake.errors, []);
});

test("fake: a reply that cannot be sent fails the request with the send's errno", async () => {
  // Bigger than the fake's send buffer: sendmsg fails with EMSGSIZE.
  using fake = FakePeer.start((req) => [replyTo(req, 0x20, new Uint8Array(1 << 21)), ackOf(req)]);
  using c = fake.client();
  await assert.rejects(
    c.request({ type: 0x20 }),
    (e: unknown) =>
      e instanceof NetlinkError && e.code === "EMSGSIZE" &&
      /FakePeer could not send its reply/.test(e.message),
  );
});

test("fake: a failure that cannot be reported to anyone is kept in errors", async () => {
  const c = NetlinkSocket.open(NETLINK.USERSOCK);
  using fake = FakePeer.start(async () => {
    c.close(); // the requester is gone before the handler answers
    await Promise.resolve();
    throw new Error("late failure");
  });
  c.send(
    new Uint8Array([16, 0, 0, 0, 0x20, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
    { portid: fake.portid },
  );
  for (let i = 0; i < 100 && fake.errors.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(fake.errors.length, 1);
  assert.match(fake.errors[0].message, /late failure; the error reply could not be sent either/);
});
