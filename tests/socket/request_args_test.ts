// Requests, dumps and batches check their arguments before anything is sent (issue 15, item 8):
// a NETLINK_USERSOCK peer stands in for the kernel and must receive nothing from a bad call.
// Before the fix, `type: 70000` went out as type 4464, -1 as 65535 and 16.5 as 16, a raw
// message with nlmsg_len 0xffffffff went out (the kernel drops it: the caller waited its whole
// timeout), `timeoutMs: NaN` failed only after sending, and `batchSync` with `chunk: 0` failed
// with ENODATA. A malformed NLMSG_ERROR (a positive error field) became NetlinkError "E-513";
// it is a DecodeError for that request now, and the socket goes on.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DecodeError,
  NETLINK,
  NetlinkError,
  type NetlinkMessageInit,
  NetlinkSocket,
  NetlinkWriter,
} from "../../mod.ts";

/** A raw message of `size` bytes whose nlmsg_len says `len`. */
function raw(size: number, len: number): Uint8Array {
  const b = new Uint8Array(size);
  if (size >= 4) new DataView(b.buffer).setUint32(0, len, true);
  if (size >= 6) b[4] = 0x20;
  return b;
}

const CANNOT = /^Cannot [a-z[\]0-9 ]+: /;

test("request arguments: bad values fail with TypeError/RangeError and nothing reaches the peer", async () => {
  using peer = NetlinkSocket.open(NETLINK.USERSOCK);
  using c = NetlinkSocket.open(NETLINK.USERSOCK);
  c.connect(peer.portid);
  const msg = (m: unknown) => m as NetlinkMessageInit;
  const opts = (o: unknown) => o as never;
  const noop = () => {};
  const cases: [string, () => unknown, typeof TypeError | typeof RangeError][] = [
    ["type 70000", () => c.request({ type: 70000 }), RangeError],
    ["type -1", () => c.request({ type: -1 }), RangeError],
    ["type 16.5", () => c.request({ type: 16.5 }), RangeError],
    ["type NaN", () => c.request({ type: NaN }), RangeError],
    ["type '16'", () => c.request(msg({ type: "16" })), TypeError],
    ["no type", () => c.request(msg({})), TypeError],
    ["flags 0x10000", () => c.request({ type: 16, flags: 0x10000 }), RangeError],
    ["flags -1", () => c.request({ type: 16, flags: -1 }), RangeError],
    ["payload 'x'", () => c.request(msg({ type: 16, payload: "x" })), TypeError],
    ["message null", () => c.request(msg(null)), TypeError],
    ["raw nlmsg_len 0xffffffff", () => c.request(raw(20, 0xffffffff)), RangeError],
    ["raw nlmsg_len 8", () => c.request(raw(20, 8)), RangeError],
    ["raw nlmsg_len 28 in 20 bytes", () => c.request(raw(20, 28)), RangeError],
    ["raw nlmsg_len 16 in 24 bytes", () => c.request(raw(24, 16)), RangeError],
    ["raw of 15 bytes", () => c.request(raw(15, 0)), RangeError],
    ["timeoutMs NaN", () => c.request({ type: 16 }, { timeoutMs: NaN }), RangeError],
    ["timeoutMs -2", () => c.request({ type: 16 }, { timeoutMs: -2 }), RangeError],
    ["timeoutMs 2^31", () => c.request({ type: 16 }, { timeoutMs: 2 ** 31 }), RangeError],
    ["timeoutMs '5'", () => c.request({ type: 16 }, opts({ timeoutMs: "5" })), TypeError],
    ["ack 'yes'", () => c.request({ type: 16 }, opts({ ack: "yes" })), TypeError],
    ["operation 5", () => c.request({ type: 16 }, opts({ operation: 5 })), TypeError],
    ["describeExtAck 5", () => c.request({ type: 16 }, opts({ describeExtAck: 5 })), TypeError],
    ["options null", () => c.request({ type: 16 }, opts(null)), TypeError],
    ["requestSync type 70000", () => c.requestSync({ type: 70000 }), RangeError],
    ["requestSync timeoutMs NaN", () => c.requestSync({ type: 1 }, { timeoutMs: NaN }), RangeError],
    ["exchangeSync no handler", () => c.exchangeSync({ type: 16 }, {}, opts(undefined)), TypeError],
    ["exchange options 5", () => c.exchange({ type: 16 }, opts(5), noop), TypeError],
    ["dump type 1e6", () => c.dump({ type: 1e6 }), RangeError],
    ["dump retryInterrupted -1", () => c.dump({ type: 16 }, { retryInterrupted: -1 }), RangeError],
    ["dump timeoutMs Infinity", () => c.dump({ type: 16 }, { timeoutMs: Infinity }), RangeError],
    [
      "dumpSync retryInterrupted 0.5",
      () => c.dumpSync({ type: 16 }, { retryInterrupted: 0.5 }),
      RangeError,
    ],
    ["dumpBatches map 5", () => c.dumpBatches({ type: 16 }, {}, opts(5)), TypeError],
    ["batchSync chunk 0", () => c.batchSync([{ type: 16 }], { chunk: 0 }), RangeError],
    ["batchSync chunk -1", () => c.batchSync([{ type: 16 }], { chunk: -1 }), RangeError],
    ["batchSync chunk 1.5", () => c.batchSync([{ type: 16 }], { chunk: 1.5 }), RangeError],
    ["batchSync chunk 2000", () => c.batchSync([{ type: 16 }], { chunk: 2000 }), RangeError],
    ["batchSync not an array", () => c.batchSync(opts({ type: 16 })), TypeError],
    [
      "batchSync one bad message of three",
      () => c.batchSync([{ type: 16 }, { type: 70000 }, { type: 16 }]),
      RangeError,
    ],
    ["send nothing", () => c.send([]), TypeError],
    ["send a string", () => c.send(opts("abc")), TypeError],
    ["send portid -1", () => c.send(raw(16, 16), { portid: -1 }), RangeError],
    ["connect portid NaN", () => c.connect(NaN), RangeError],
    ["setSocketOption value 2^40", () => c.setSocketOption(1, 8, 2 ** 40), RangeError],
    ["setOption unknown", () => c.setOption(opts("NOPE"), 1), TypeError],
    ["setOption value 1.5", () => c.setOption("NO_ENOBUFS", 1.5), RangeError],
    ["joinGroup 'x'", () => c.joinGroup(opts("x")), TypeError],
    ["messages signal 5", () => c.messages(opts({ signal: 5 })), TypeError],
  ];
  for (const [name, call, Class] of cases) {
    await assert.rejects(async () => await call(), (e: unknown) => {
      assert.ok(e instanceof Class, `${name}: ${e}`);
      assert.match((e as Error).message, CANNOT, name);
      return true;
    });
    assert.equal(peer.receive(), null, `${name}: nothing was sent`);
  }
  // The socket is fine afterwards: a good request goes out.
  c.send(raw(16, 16));
  assert.ok(peer.receive());
});

/** A peer that answers each request with `reply(seq)` until stopped. */
function answer(peer: NetlinkSocket, reply: (seq: number, type: number) => Uint8Array) {
  return (async () => {
    for await (const m of peer.messages({ signal: AbortSignal.timeout(5000) })) {
      peer.send(reply(m.seq, m.type), { portid: m.sender! });
      return;
    }
  })();
}

function control(type: number, seq: number, value: number): Uint8Array {
  const w = new NetlinkWriter();
  const m = w.beginMessage(type, 0x100, seq); // NLM_F_CAPPED: the request header only
  w.putS32(value);
  w.putU32(16).putU16(0x20).putU16(5).putU32(seq).putU32(0);
  w.endMessage(m);
  return w.copy();
}

test("a malformed NLMSG_ERROR (positive error) or NLMSG_DONE fails its request with a DecodeError; the socket goes on", async () => {
  using peer = NetlinkSocket.open(NETLINK.USERSOCK);
  using c = NetlinkSocket.open(NETLINK.USERSOCK);
  c.connect(peer.portid);
  for (const bad of [513, 1, -5000]) {
    const served = answer(peer, (seq) => control(2, seq, bad));
    await assert.rejects(
      c.request({ type: 0x20 }),
      (e: unknown) =>
        e instanceof DecodeError && !(e instanceof NetlinkError) &&
        new RegExp(`NLMSG_ERROR carries error ${bad}`).test(e.message),
    );
    await served;
  }
  let served = answer(peer, (seq) => control(3, seq, 7));
  await assert.rejects(
    (async () => {
      for await (const _ of c.dump({ type: 0x20 })) { /* nothing arrives */ }
    })(),
    (e: unknown) => e instanceof DecodeError && /NLMSG_DONE carries 7/.test(e.message),
  );
  await served;
  // A real error and an ACK still decode as before.
  served = answer(peer, (seq) => control(2, seq, -19));
  await assert.rejects(
    c.request({ type: 0x20 }),
    (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV",
  );
  await served;
  served = answer(peer, (seq) => control(2, seq, 0));
  assert.deepEqual(await c.request({ type: 0x20 }), []);
  await served;
});
