// Annotated byte fixtures for the core codec: nlmsghdr, attributes, nests, NLMSG_ERROR with
// extended ack, NLMSG_DONE with a dump error; malformed input raises DecodeError only.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AttrIterator,
  decodeDoneMessage,
  DecodeError,
  decodeErrorMessage,
  MessageIterator,
  NetlinkWriter,
  NLM_F,
  NLM_F_ACK_FLAGS,
  readString,
} from "../../src/protocol/mod.ts";

// A CTRL_CMD_GETFAMILY request for "nlctrl", seq 1, as iproute2 would build it.
const GETFAMILY = new Uint8Array([
  0x20,
  0x00,
  0x00,
  0x00, // nlmsg_len 32
  0x10,
  0x00, //             nlmsg_type 0x10 (nlctrl)
  0x05,
  0x00, //             nlmsg_flags REQUEST|ACK
  0x01,
  0x00,
  0x00,
  0x00, // nlmsg_seq 1
  0x00,
  0x00,
  0x00,
  0x00, // nlmsg_pid 0
  0x03,
  0x01,
  0x00,
  0x00, // genlmsghdr: cmd 3 (GETFAMILY), version 1, reserved
  0x0b,
  0x00,
  0x02,
  0x00, // nla_len 11, type 2 (CTRL_ATTR_FAMILY_NAME)
  0x6e,
  0x6c,
  0x63,
  0x74, // "nlct"
  0x72,
  0x6c,
  0x00,
  0x00, // "rl\0" + 1 byte padding
]);

test("codec: writer builds the GETFAMILY request byte for byte", () => {
  const w = new NetlinkWriter(16);
  const m = w.beginMessage(0x10, NLM_F.REQUEST | NLM_F.ACK, 1);
  w.putU8(3).putU8(1).putU16(0).attrString(2, "nlctrl");
  w.endMessage(m);
  assert.deepEqual(w.bytes(), GETFAMILY);
});

test("codec: message and attribute iterators decode the fixture", () => {
  const it = new MessageIterator(GETFAMILY);
  assert.ok(it.next());
  assert.deepEqual(it.header(), { length: 32, type: 0x10, flags: 5, seq: 1, pid: 0 });
  const a = new AttrIterator(GETFAMILY, it.payloadOffset + 4, it.messageEnd);
  assert.ok(a.next());
  assert.equal(a.type, 2);
  assert.equal(a.length, 7);
  assert.equal(readString(GETFAMILY, a.offset, a.length), "nlctrl");
  assert.equal(a.next(), false);
  assert.equal(it.next(), false);
});

// A nest with NLA_F_NESTED holding a u32 and a big-endian u16, then a flag and a u64.
const NESTED = new Uint8Array([
  0x14,
  0x00,
  0x07,
  0x80, // nla_len 20, type 7 | NLA_F_NESTED
  0x08,
  0x00,
  0x01,
  0x00, //   nla_len 8, type 1 (u32)
  0x2a,
  0x00,
  0x00,
  0x00, //   42
  0x06,
  0x00,
  0x02,
  0x00, //   nla_len 6, type 2 (be16)
  0x1f,
  0x90,
  0x00,
  0x00, //   8080 big-endian + 2 bytes padding
  0x04,
  0x00,
  0x03,
  0x00, // nla_len 4, type 3 (flag)
  0x0c,
  0x00,
  0x04,
  0x00, // nla_len 12, type 4 (u64)
  0xff,
  0xff,
  0xff,
  0xff, //   2^64 - 1 (low word)
  0xff,
  0xff,
  0xff,
  0xff, //   (high word)
]);

test("codec: nests are back-patched, integers in both byte orders", () => {
  const w = new NetlinkWriter();
  const n = w.beginNest(7);
  w.attrU32(1, 42).attrU16Be(2, 8080);
  w.endNest(n);
  w.attrFlag(3).attrU64(4, 0xffffffffffffffffn);
  assert.deepEqual(w.bytes(), NESTED);

  const top = new AttrIterator(NESTED);
  assert.ok(top.next());
  assert.equal(top.type, 7);
  assert.ok(top.nested);
  const inner = new AttrIterator(NESTED, top.offset, top.end);
  assert.ok(inner.next());
  assert.equal(inner.view.getUint32(inner.offset, true), 42);
  assert.ok(inner.next());
  assert.equal(inner.view.getUint16(inner.offset, false), 8080);
  assert.equal(inner.next(), false);
  assert.ok(top.next());
  assert.deepEqual([top.type, top.length], [3, 0]);
  assert.ok(top.next());
  assert.equal(top.view.getBigUint64(top.offset, true), 0xffffffffffffffffn);
});

// ENODEV for an ethtool request, CAPPED + ACK_TLVS, with message and offset.
const ERROR_EXTACK = new Uint8Array([
  0x48,
  0x00,
  0x00,
  0x00, // nlmsg_len 72
  0x02,
  0x00, //             NLMSG_ERROR
  0x00,
  0x03, //             flags CAPPED|ACK_TLVS
  0x09,
  0x00,
  0x00,
  0x00, // seq 9
  0x2a,
  0x00,
  0x00,
  0x00, // pid 42
  0xed,
  0xff,
  0xff,
  0xff, // error -19 (ENODEV)
  0x28,
  0x00,
  0x00,
  0x00, // echoed request: nlmsg_len 40
  0x14,
  0x00,
  0x05,
  0x00, //   type 0x14, flags REQUEST|ACK
  0x09,
  0x00,
  0x00,
  0x00, //   seq 9
  0x2a,
  0x00,
  0x00,
  0x00, //   pid 42
  0x1b,
  0x00,
  0x01,
  0x00, // nla_len 27, NLMSGERR_ATTR_MSG
  ...new TextEncoder().encode("no device matches name"),
  0x00, // 23 bytes
  0x00, //                   padding to 28
  0x08,
  0x00,
  0x02,
  0x00, // nla_len 8, NLMSGERR_ATTR_OFFS
  0x18,
  0x00,
  0x00,
  0x00, // offset 24
]);

test("codec: NLMSG_ERROR with capped request and extended ack", () => {
  const it = new MessageIterator(ERROR_EXTACK);
  assert.ok(it.next());
  assert.equal(it.flags, NLM_F_ACK_FLAGS.CAPPED | NLM_F_ACK_FLAGS.ACK_TLVS);
  const e = decodeErrorMessage(ERROR_EXTACK, it.offset, it.length, it.flags);
  assert.deepEqual(e, {
    errno: 19,
    request: { length: 40, type: 0x14, flags: 5, seq: 9, pid: 42 },
    extAck: { message: "no device matches name", offset: 24 },
  });
});

test("codec: uncapped NLMSG_ERROR echoes the request payload; ACK is errno 0", () => {
  const w = new NetlinkWriter();
  const m = w.beginMessage(2, 0, 1);
  w.putS32(0).putBytes(GETFAMILY);
  w.endMessage(m);
  const it = new MessageIterator(w.bytes());
  it.next();
  const e = decodeErrorMessage(it.data, it.offset, it.length, it.flags);
  assert.equal(e.errno, 0);
  assert.deepEqual(e.requestPayload, GETFAMILY.subarray(16));
  assert.equal(e.extAck, undefined);
});

test("codec: NLMSG_DONE carrying a dump error with ext ack", () => {
  const w = new NetlinkWriter();
  const m = w.beginMessage(3, NLM_F.MULTI | NLM_F_ACK_FLAGS.ACK_TLVS, 5);
  w.putS32(-22).attrString(1, "bad filter");
  w.endMessage(m);
  const it = new MessageIterator(w.bytes());
  it.next();
  assert.deepEqual(decodeDoneMessage(it.data, it.offset, it.length, it.flags), {
    errno: 22,
    extAck: { message: "bad filter" },
  });
});

test("codec: NetlinkWriter hands out zeroed room after reset() and truncate()", () => {
  const w = new NetlinkWriter(16);
  w.putU32(0xffffffff).putU32(0xffffffff).putU32(0xffffffff);
  w.truncate(4);
  assert.deepEqual([...w.bytes()], [255, 255, 255, 255]);
  w.reserve(8);
  assert.deepEqual([...w.bytes()], [255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]);
  w.reset();
  w.putU8(7);
  w.reserve(15);
  assert.deepEqual([...w.bytes()], [7, ...new Array(15).fill(0)]);
  // growing keeps the written bytes and zeroes the rest
  w.reserve(100);
  assert.equal(w.length, 116);
  assert.ok(w.bytes().subarray(1).every((b) => b === 0));
  w.reset();
  w.attrString(1, "x");
  assert.deepEqual([...w.bytes()], [6, 0, 1, 0, 0x78, 0, 0, 0]);
});

function decodesOrDecodeError(bytes: Uint8Array): void {
  try {
    const it = new MessageIterator(bytes);
    while (it.next()) {
      if (it.type === 2) decodeErrorMessage(bytes, it.offset, it.length, it.flags);
      const walk = (s: number, e: number, depth: number) => {
        const a = new AttrIterator(bytes, s, e);
        while (a.next()) if (depth < 64 && a.length >= 4) walk(a.offset, a.end, depth + 1);
      };
      walk(it.payloadOffset, it.messageEnd, 0);
    }
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${e}`);
  }
}

test("codec: malformed input raises DecodeError with the offset", () => {
  const short = GETFAMILY.slice(0, 10);
  assert.throws(
    () => new MessageIterator(short).next(),
    (e: unknown) => e instanceof DecodeError && e.offset === 0 && /too short/.test(e.message),
  );
  const tooLong = GETFAMILY.slice();
  tooLong[0] = 64; // nlmsg_len beyond the buffer
  assert.throws(
    () => new MessageIterator(tooLong).next(),
    (e: unknown) => e instanceof DecodeError && /runs past/.test(e.message),
  );
  const tinyLen = GETFAMILY.slice();
  tinyLen[0] = 8; // nlmsg_len below the header
  assert.throws(() => new MessageIterator(tinyLen).next(), DecodeError);
  const nla3 = GETFAMILY.slice();
  nla3[20] = 3; // nla_len < 4
  assert.throws(() => {
    const a = new AttrIterator(nla3, 20, 32, "ctrl");
    a.next();
  }, (e: unknown) => e instanceof DecodeError && e.offset === 20 && e.path === "ctrl");
  const nlaLong = NESTED.slice();
  nlaLong[4] = 40; // inner nla_len beyond its parent nest
  assert.throws(() => {
    const a = new AttrIterator(nlaLong, 4, 20);
    a.next();
  }, (e: unknown) => e instanceof DecodeError && e.offset === 4);
  // An error message too short for its header
  const w = new NetlinkWriter();
  w.endMessage(w.beginMessage(2, 0).valueOf());
  assert.throws(() => decodeErrorMessage(w.bytes(), 0, 16, 0), DecodeError);
});

test("codec: deep nesting (1,000 levels) is read without recursion limits", () => {
  const w = new NetlinkWriter();
  const starts: number[] = [];
  for (let i = 0; i < 1000 && w.length < 60000; i++) starts.push(w.beginNest(1));
  w.attrU8(2, 7);
  while (starts.length) w.endNest(starts.pop()!);
  let depth = 0;
  let s = 0, e = w.length;
  for (;;) {
    const a = new AttrIterator(w.bytes(), s, e);
    assert.ok(a.next());
    if (a.type === 2) break;
    depth++;
    s = a.offset;
    e = a.end;
  }
  assert.ok(depth >= 1000 || depth > 100);
});

test("codec: 5,000 random mutations and truncations raise DecodeError only", () => {
  let seed = 0x1234567;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const samples = [GETFAMILY, ERROR_EXTACK];
  for (let i = 0; i < 5000; i++) {
    const base = samples[i % samples.length];
    const b = base.slice(0, Math.floor(rnd() * (base.length + 1)));
    const flips = Math.floor(rnd() * 4);
    for (let f = 0; f < flips && b.length; f++) b[Math.floor(rnd() * b.length)] = rnd() * 256;
    decodesOrDecodeError(b);
  }
});

test("codec: writer rejects an attribute longer than 65535 bytes", () => {
  const w = new NetlinkWriter();
  assert.throws(() => w.attrBinary(1, new Uint8Array(70000)), RangeError);
  const n = w.reset().beginNest(2);
  w.attrBinary(1, new Uint8Array(40000)).attrBinary(1, new Uint8Array(40000));
  assert.throws(() => w.endNest(n), RangeError);
});

test("codec: values land correctly while the writer grows (regression)", () => {
  const w = new NetlinkWriter(16);
  for (let i = 0; i < 300; i++) {
    w.attrU8(1, i & 0xff).attrU16(2, i).attrU32(3, i * 7).attrU64(4, BigInt(i) << 40n);
    w.attrS32(5, -i).attrU32Be(6, i).attrBinary(7, new Uint8Array([i & 0xff, 1, 2]));
  }
  const a = new AttrIterator(w.bytes());
  for (let i = 0; i < 300; i++) {
    const v = a.view;
    assert.ok(a.next() && v.getUint8(a.offset) === (i & 0xff));
    assert.ok(a.next() && v.getUint16(a.offset, true) === i);
    assert.ok(a.next() && v.getUint32(a.offset, true) === i * 7);
    assert.ok(a.next() && v.getBigUint64(a.offset, true) === BigInt(i) << 40n);
    assert.ok(a.next() && v.getInt32(a.offset, true) === -i);
    assert.ok(a.next() && v.getUint32(a.offset, false) === i);
    assert.ok(a.next() && a.data[a.offset] === (i & 0xff) && a.length === 3);
  }
  assert.equal(a.next(), false);
});

test("codec: NetlinkWriter refuses values that do not fit instead of wrapping them", () => {
  const w = new NetlinkWriter();
  const cases: [string, () => unknown, ErrorConstructor][] = [
    ["attrU16(1, 70000)", () => w.attrU16(1, 70000), RangeError],
    ["attrU16(70000, 1)", () => w.attrU16(70000, 1), RangeError],
    ["attrU32(1, -1)", () => w.attrU32(1, -1), RangeError],
    ["attrU32(1, 2 ** 32)", () => w.attrU32(1, 2 ** 32), RangeError],
    ["attrU32(1, 16.5)", () => w.attrU32(1, 16.5), RangeError],
    ["attrU32(1, NaN)", () => w.attrU32(1, NaN), RangeError],
    ["attrU32(1, '5')", () => w.attrU32(1, "5" as unknown as number), TypeError],
    ["attrU8(1, 256)", () => w.attrU8(1, 256), RangeError],
    ["attrS8(1, 128)", () => w.attrS8(1, 128), RangeError],
    ["attrS16(1, -32769)", () => w.attrS16(1, -32769), RangeError],
    ["attrS32(1, 2 ** 31)", () => w.attrS32(1, 2 ** 31), RangeError],
    ["attrU64(1, -1n)", () => w.attrU64(1, -1n), RangeError],
    ["attrU64(1, 2n ** 64n)", () => w.attrU64(1, 2n ** 64n), RangeError],
    ["attrU64(1, 5)", () => w.attrU64(1, 5 as unknown as bigint), TypeError],
    ["attrS64(1, 2n ** 63n)", () => w.attrS64(1, 2n ** 63n), RangeError],
    ["attrU16Be(1, -1)", () => w.attrU16Be(1, -1), RangeError],
    ["attrU32Be(1, 2 ** 32)", () => w.attrU32Be(1, 2 ** 32), RangeError],
    ["attrU64Be(1, -1n)", () => w.attrU64Be(1, -1n), RangeError],
    ["attrFlag(-1)", () => w.attrFlag(-1), RangeError],
    ["attrString(1, 'a\\0b')", () => w.attrString(1, "a\0b"), TypeError],
    ["attrString(1, 5)", () => w.attrString(1, 5 as unknown as string), TypeError],
    ["attrBinary(1, [1])", () => w.attrBinary(1, [1] as unknown as Uint8Array), TypeError],
    ["putU8(300)", () => w.putU8(300), RangeError],
    ["putU16(-1)", () => w.putU16(-1), RangeError],
    ["putU32(2 ** 32)", () => w.putU32(2 ** 32), RangeError],
    ["putS32(2 ** 31)", () => w.putS32(2 ** 31), RangeError],
    ["putU64(-1n)", () => w.putU64(-1n), RangeError],
    ["putBytes('ab')", () => w.putBytes("ab" as unknown as Uint8Array), TypeError],
    ["reserve(-1)", () => w.reserve(-1), RangeError],
    ["reserve(1.5)", () => w.reserve(1.5), RangeError],
    ["beginMessage(70000, 0)", () => w.beginMessage(70000, 0), RangeError],
    ["beginMessage(16, -1)", () => w.beginMessage(16, -1), RangeError],
    ["beginMessage(16, 0, 2 ** 32)", () => w.beginMessage(16, 0, 2 ** 32), RangeError],
    ["beginMessage(16, 0, 0, -1)", () => w.beginMessage(16, 0, 0, -1), RangeError],
    ["beginNest(0x10000)", () => w.beginNest(0x10000), RangeError],
    ["endAttr(99)", () => w.endAttr(99), RangeError],
    ["endMessage(-4)", () => w.endMessage(-4), RangeError],
  ];
  for (const [name, f, type] of cases) {
    assert.throws(
      f,
      (e: unknown) => e instanceof type && /^Cannot /.test((e as Error).message),
      name,
    );
    // Nothing was written: the checks come before the bytes.
    assert.equal(w.length, 0, name);
  }
  assert.match(
    (() => {
      try {
        w.attrU16(1, 70000);
      } catch (e) {
        return (e as Error).message;
      }
    })() ?? "",
    /Cannot write attribute 1: 70000 is not an integer in 0\.\.65535 \(u16\)/,
  );
  // The edges still fit, flag bits included in the type.
  w.attrU8(1, 255).attrS8(2, -128).attrU16(3, 65535).attrS16(4, -32768).attrU32(5, 2 ** 32 - 1);
  w.attrS32(6, -(2 ** 31)).attrU64(7, 2n ** 64n - 1n).attrS64(8, -(2n ** 63n));
  w.attrU16Be(0x8009, 65535).attrU32Be(10, 0).attrU64Be(11, 0n).attrFlag(0xffff);
  const n = w.beginNest(12, false);
  w.endNest(n);
  w.putU8(0).putU16(65535).putU32(0).putS32(-1).putU64(0n).putBytes(new Uint8Array(1));
  const m = w.beginMessage(0xffff, 0xffff, 2 ** 32 - 1, 2 ** 32 - 1);
  w.endMessage(m);
  const it = new MessageIterator(w.bytes(), m);
  assert.ok(it.next());
  assert.deepEqual([it.type, it.flags, it.seq, it.pid], [0xffff, 0xffff, 2 ** 32 - 1, 2 ** 32 - 1]);
  const a = new AttrIterator(w.bytes(), 0, 16);
  assert.ok(a.next() && a.data[a.offset] === 255);
});
