// t.subMessage formats with a fixed header: members left out encode as zero (like a message's
// fixed header), and paths inside a sub-message name the selected format, in encode errors, in
// decode errors and in the trace that maps an extended ack's offset back to an attribute.
import { test } from "node:test";
import assert from "node:assert/strict";
import { attrSet, NetlinkWriter, t } from "../../src/protocol/mod.ts";
import { AttrTrace } from "../../src/protocol/schema_trace.ts";

const hdr = t.struct("hdr", { family: t.u8(), pad: t.pad(1), type: t.u16(), index: t.s32() });
const peer = attrSet("peer-attrs", { name: [3, t.string()], mtu: [4, t.u32()] });
const pair = attrSet("pair-attrs", {
  peer: [1, t.subMessage("kind", { pair: { header: hdr, attrs: peer } })],
});
const tun = attrSet("tun-attrs", { id: [1, t.u32({ max: 0xffffff })], ttl: [5, t.u8()] });
const info = attrSet("info-attrs", {
  kind: [1, t.string()],
  data: [2, t.subMessage("kind", { pair, tun })],
});

test("subMessage: header members left out are zero", () => {
  const w = new NetlinkWriter();
  info.encode(w, { kind: "pair", data: { peer: { name: "p1" } } });
  const bytes = w.bytes().slice();
  // kind "pair\0" (12 bytes), data nest: peer: 8-byte zero header, then name "p1\0"
  assert.deepEqual(
    [...bytes],
    [
      [9, 0, 1, 0, 0x70, 0x61, 0x69, 0x72, 0, 0, 0, 0],
      [24, 0, 2, 0x80], // data (NLA_F_NESTED)
      [20, 0, 1, 0], // peer: header and attributes, not a nest
      [0, 0, 0, 0, 0, 0, 0, 0], // hdr: family 0, type 0, index 0
      [7, 0, 3, 0, 0x70, 0x31, 0, 0], // name "p1"
    ].flat(),
  );
  assert.deepEqual(info.decode(bytes), {
    kind: "pair",
    data: { peer: { family: 0, type: 0, index: 0, name: "p1" } },
  });
  const given = new NetlinkWriter();
  info.encode(given, { kind: "pair", data: { peer: { index: 7, name: "p1" } } });
  assert.equal(new DataView(given.bytes().buffer).getInt32(24, true), 7);
});

test("subMessage: encode errors and traces name the format", () => {
  assert.throws(
    () => info.encode(new NetlinkWriter(), { kind: "tun", data: { id: 1 << 24 } }),
    /info-attrs\.data\(tun\)\.id/,
  );
  const trace = new AttrTrace({ origin: 0 });
  info.encode(new NetlinkWriter(), { kind: "tun", data: { id: 5, ttl: 9 } }, { trace });
  // kind (8 bytes) + data header (4) + id (8) + ttl header at 20
  assert.equal(trace.pathAt(20), ".data(tun).ttl");
  assert.equal(trace.pathAt(8), ".data");
});

test("subMessage: decode errors name the format", () => {
  const w = new NetlinkWriter();
  info.encode(w, { kind: "tun", data: { id: 5, ttl: 3 } });
  const bytes = w.bytes().slice();
  bytes[bytes.length - 8] = 6; // the ttl attribute claims 2 bytes
  assert.throws(() => info.decode(bytes), /info-attrs\.data\(tun\)\.ttl/);
});

test("subMessage: a format given as a function is made when its selector value is first met", () => {
  const made: string[] = [];
  const lazyInfo = attrSet("lazy-info-attrs", {
    kind: [1, t.string()],
    data: [
      2,
      t.subMessage("kind", {
        // typed as the formats they return (the public type has no function formats)
        pair: (() => (made.push("pair"), pair)) as unknown as typeof pair,
        tun: (() => (made.push("tun"), tun)) as unknown as typeof tun,
      }),
    ],
  });
  assert.deepEqual(made, []);
  const w = new NetlinkWriter();
  lazyInfo.encode(w, { kind: "tun", data: { id: 5, ttl: 3 } });
  assert.deepEqual(made, ["tun"]);
  // the same bytes as the eager codec, decoded alike; the format is made once
  const eager = new NetlinkWriter();
  info.encode(eager, { kind: "tun", data: { id: 5, ttl: 3 } });
  assert.deepEqual([...w.bytes()], [...eager.bytes()]);
  assert.deepEqual(lazyInfo.decode(w.bytes().slice()), { kind: "tun", data: { id: 5, ttl: 3 } });
  assert.deepEqual(made, ["tun"]);
  // errors still name the format; an unknown value still keeps its bytes
  assert.throws(
    () => lazyInfo.encode(new NetlinkWriter(), { kind: "tun", data: { id: 1 << 24 } }),
    /lazy-info-attrs\.data\(tun\)\.id/,
  );
  const other = new NetlinkWriter();
  lazyInfo.encode(other, { kind: "gre", data: new Uint8Array([1, 2, 3, 4]) });
  assert.deepEqual(lazyInfo.decode(other.bytes().slice()), {
    kind: "gre",
    data: new Uint8Array([1, 2, 3, 4]),
  });
  assert.deepEqual(made, ["tun"]);
});
