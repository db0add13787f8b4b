// YNL integer checks (min, max, flags-mask) are the kernel's input policy, not a promise about
// what it sends: a reply from a kernel newer than the spec may carry a value outside an older
// spec's checks, and a dump must never fail for that. Decoding keeps such an attribute in its
// set's `unknown` list ({type, bytes}, written back verbatim), so what decodes still re-encodes
// to the same bytes; strict decoding refuses it with a DecodeError naming the check; encoding a
// value outside the checks stays a RangeError. Both decoders (generated and generic) are tested.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type AttrFields,
  type AttrSet,
  attrSet,
  DecodeError,
  MessageIterator,
  NetlinkWriter,
  NLM_F,
  t,
} from "../../src/protocol/mod.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";
import {
  DEVLINK_ATTR,
  DEVLINK_CMD,
  DEVLINK_RATE_TC_ATTR,
  devlinkAttrs,
} from "../../src/families/devlink.ts";
import { attr, concat } from "./_schema_gen.ts";

const le32 = (v: number) => new Uint8Array([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24]);
const cstr = (s: string) => new TextEncoder().encode(`${s}\0`);

/** Runs `fn` with the generated decoders, or with the generic loops. */
function inMode(mode: "generated" | "generic", fn: () => void): void {
  const before = codegenEnabled();
  if (mode === "generic") setCodegen(false);
  try {
    fn();
  } finally {
    setCodegen(before);
  }
}

/** A devlink rate-get reply (NLM_F_MULTI, as in a dump) with traffic classes 0..count-1. */
function rateReply(count: number): Uint8Array {
  const tcs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    tcs.push(
      attr(
        DEVLINK_ATTR.RATE_TC_BWS | 0x8000, // NLA_F_NESTED
        concat([
          attr(DEVLINK_RATE_TC_ATTR.INDEX, new Uint8Array([i])), // u8, checks: max 7
          attr(DEVLINK_RATE_TC_ATTR.BW, le32(10 * i)),
        ]),
      ),
    );
  }
  const attrs = concat([
    attr(DEVLINK_ATTR.BUS_NAME, cstr("pci")),
    attr(DEVLINK_ATTR.DEV_NAME, cstr("0000:01:00.0")),
    attr(DEVLINK_ATTR.RATE_NODE_NAME, cstr("tc-node")),
    ...tcs,
  ]);
  const head = new Uint8Array(20);
  const v = new DataView(head.buffer);
  v.setUint32(0, 20 + attrs.length, true); // nlmsg_len
  v.setUint16(4, 0x1b, true); // nlmsg_type: the devlink family's id
  v.setUint16(6, NLM_F.MULTI, true);
  v.setUint32(8, 7, true); // nlmsg_seq
  v.setUint32(12, 4242, true); // nlmsg_pid
  head.set([DEVLINK_CMD.RATE_NEW, 1, 0, 0], 16); // genlmsghdr: cmd, version 1
  return concat([head, attrs]);
}

for (const mode of ["generated", "generic"] as const) {
  test(`checks (${mode}): a devlink reply with a ninth traffic class (index 8, the spec's max is 7) decodes, keeps the attribute in unknown and re-encodes to the same bytes`, () => {
    inMode(mode, () => {
      const reply = rateReply(9);
      const it = new MessageIterator(reply);
      assert.ok(it.next());
      const start = it.payloadOffset + 4; // after the genlmsghdr
      const value = devlinkAttrs.decode(reply, start, it.messageEnd);
      assert.equal(value.busName, "pci");
      assert.equal(value.rateNodeName, "tc-node");
      const tcs = value.rateTcBws ?? [];
      assert.equal(tcs.length, 9);
      for (let i = 0; i < 8; i++) assert.deepEqual(tcs[i], { index: i, bw: 10 * i });
      assert.deepEqual(tcs[8], {
        unknown: [{ type: DEVLINK_RATE_TC_ATTR.INDEX, bytes: new Uint8Array([8]) }],
        bw: 80,
      });
      // The reply written back from the decoded value: the same bytes.
      const w = new NetlinkWriter();
      const m = w.beginMessage(it.type, it.flags, it.seq, it.pid);
      w.putU8(DEVLINK_CMD.RATE_NEW).putU8(1).putU16(0);
      devlinkAttrs.encode(w, value);
      w.endMessage(m);
      assert.deepEqual(w.bytes(), reply);
      // Strict decoding refuses it, naming the check and where it failed.
      assert.throws(
        () => devlinkAttrs.decode(reply, start, it.messageEnd, { strict: true }),
        (e) =>
          e instanceof DecodeError && e.path === "devlink.rate-tc-bws[8].index" &&
            /8 is outside \.\.\.\.\.7/.test(e.message) || assert.fail(String(e)),
      );
      // The same value as a number is what encoding refuses (the kernel's input policy).
      assert.throws(
        () => devlinkAttrs.encode(new NetlinkWriter(), { rateTcBws: [{ index: 8, bw: 80 }] }),
        (e) => e instanceof RangeError && /8 is outside \.\.\.\.\.7/.test(e.message),
      );
    });
  });

  test(`checks (${mode}): every kind of checked attribute outside its checks is kept in unknown, in range it decodes`, () => {
    inMode(mode, () => checkedKinds());
  });
}

function checkedKinds(): void {
  const item = attrSet("item", { n: [1, t.u8({ max: 3 })], s: [2, t.string()] });
  const s = attrSet("checked", {
    id: [1, t.u32({ min: 1 })],
    index: [2, t.u16({ max: 7 })],
    flags: [3, t.flags(t.u32({ mask: 0x3 }), { a: 1, b: 2 })],
    big: [4, t.u64({ max: 1000n })],
    v: [5, t.uint({ min: 10 })],
    pair: [6, t.struct("pair", { a: t.u8({ max: 9 }), b: t.u8() })],
    many: [7, t.multi(t.u16({ max: 100 }))],
    inner: [8, t.nest(item)],
    items: [9, t.list(item)],
    mode: [10, t.enum(t.u8({ max: 1 }), { off: 0, on: 1 })],
  }) as unknown as AttrSet<AttrFields>;
  const u16 = (v: number) => new Uint8Array([v & 0xff, v >> 8]);
  const u64 = (v: number) => concat([le32(v), le32(0)]);
  // Each: the bytes, the value they decode to, the path and reason strict decoding gives.
  const cases: [Uint8Array, Record<string, unknown>, string, RegExp][] = [];
  const kept = (type: number, bytes: Uint8Array, extra: Record<string, unknown> = {}) => ({
    ...extra,
    unknown: [{ type, bytes }],
  });
  cases.push([attr(1, le32(0)), kept(1, le32(0)), "checked.id", /0 is outside 1\.\./]);
  cases.push([attr(2, u16(8)), kept(2, u16(8)), "checked.index", /8 is outside \.\.\.\.\.7/]);
  cases.push([
    attr(3, le32(9)),
    kept(3, le32(9)),
    "checked.flags",
    /9 sets bits outside the mask 0x3/,
  ]);
  cases.push([attr(4, u64(1001)), kept(4, u64(1001)), "checked.big", /1001 is outside/]);
  cases.push([attr(5, le32(9)), kept(5, le32(9)), "checked.v", /9 is outside 10\.\./]);
  cases.push([attr(5, u64(9)), kept(5, u64(9)), "checked.v", /9 is outside 10\.\./]);
  cases.push([
    attr(6, new Uint8Array([10, 0])),
    kept(6, new Uint8Array([10, 0])),
    "checked.pair",
    /10 is outside/,
  ]);
  cases.push([
    attr(10, new Uint8Array([2])),
    kept(10, new Uint8Array([2])),
    "checked.mode",
    /2 is outside/,
  ]);
  // A multi-attr keeps the items in range in its list, the others in unknown.
  cases.push([
    concat([attr(7, u16(1)), attr(7, u16(101)), attr(7, u16(3))]),
    { many: [1, 3], unknown: [{ type: 7, bytes: u16(101) }] },
    "checked.many[1]",
    /101 is outside/,
  ]);
  // In a nest, the nested set keeps it; in an ordered list, the item stays in its place.
  cases.push([
    attr(8 | 0x8000, concat([attr(1, new Uint8Array([4])), attr(2, cstr("x"))])),
    { inner: { unknown: [{ type: 1, bytes: new Uint8Array([4]) }], s: "x" } },
    "checked.inner.n",
    /4 is outside/,
  ]);
  cases.push([
    attr(
      9 | 0x8000,
      concat([attr(2, cstr("a")), attr(1, new Uint8Array([5])), attr(1, new Uint8Array([2]))]),
    ),
    {
      items: [
        { kind: "s", value: "a" },
        { kind: "unknown", type: 1, bytes: new Uint8Array([5]) },
        { kind: "n", value: 2 },
      ],
    },
    "checked.items[1].n",
    /5 is outside/,
  ]);
  for (const [bytes, expected, path, why] of cases) {
    const value = s.decode(bytes);
    assert.deepEqual(value, expected, path);
    const w = new NetlinkWriter();
    s.encode(w, value as never);
    if (path !== "checked.many[1]") assert.deepEqual(w.bytes(), bytes, `${path}: re-encoded`);
    assert.deepEqual(s.decode(w.bytes()), expected, `${path}: decoded again`);
    assert.throws(
      () => s.decode(bytes, 0, bytes.length, { strict: true }),
      (e) =>
        e instanceof DecodeError && e.path === path && why.test(e.message) ||
        assert.fail(`${path}: ${e}`),
    );
  }
  // Other attributes around a kept one decode as before, in range values are values.
  const mixed = concat([
    attr(1, le32(5)),
    attr(2, u16(9)),
    attr(3, le32(3)),
    attr(6, new Uint8Array([9, 200])),
    attr(10, new Uint8Array([1])),
  ]);
  const value = s.decode(mixed);
  assert.deepEqual(value, {
    id: 5,
    unknown: [{ type: 2, bytes: u16(9) }],
    flags: ["a", "b"],
    pair: { a: 9, b: 200 },
    mode: "on",
  });
  const w = new NetlinkWriter();
  s.encode(w, value as never);
  assert.deepEqual(w.bytes(), mixed);
  // The bounds themselves are in range (a generated decoder compares them inline), and a
  // checked integer of the wrong size is a DecodeError at its path, like any other.
  const edges = concat([attr(1, le32(1)), attr(2, u16(7)), attr(1, le32(0xffff_ffff))]);
  assert.deepEqual(s.decode(edges), { id: 0xffff_ffff, index: 7 });
  assert.deepEqual(s.decode(attr(2, u16(0))), { index: 0 });
  for (const wrong of [attr(1, u16(1)), attr(2, le32(1))]) {
    assert.throws(
      () => s.decode(wrong),
      (e) => e instanceof DecodeError && /^checked\.(id|index)$/.test(e.path ?? ""),
    );
  }
  // Sets whose only checks lie inside a struct, a flag set or a multi-attr know it too.
  for (
    const [codec, bytes] of [
      [t.struct("p", { a: t.u8(), b: t.u8({ max: 9 }) }), new Uint8Array([1, 10])],
      [t.flags(t.u32({ mask: 1 }), { x: 1 }), le32(2)],
      [t.multi(t.s16({ min: -1 })), new Uint8Array([0xfe, 0xff])],
      [t.indexedArray(t.nest(item)), attr(1 | 0x8000, attr(1, new Uint8Array([9])))],
    ] as const
  ) {
    const one = attrSet("one", { v: [1, codec] }) as unknown as AttrSet<AttrFields>;
    const wire = attr(1 | codec.nlaFlags, bytes);
    const decoded = one.decode(wire) as Record<string, unknown>;
    if (codec.kind === "indexed-array") {
      assert.deepEqual(decoded, { v: [{ unknown: [{ type: 1, bytes: new Uint8Array([9]) }] }] });
    } else {
      assert.deepEqual(decoded, { unknown: [{ type: 1, bytes }] }, codec.type);
    }
    const w = new NetlinkWriter();
    one.encode(w, decoded as never);
    assert.deepEqual(w.bytes(), wire, codec.type);
  }
  // Outside a set (a struct decoded on its own) there is no unknown list: a DecodeError.
  const pair = t.struct("pair", { a: t.u8({ max: 9 }), b: t.u8() });
  assert.throws(
    () => pair.decodeAt(new Uint8Array([10, 0]), 0),
    (e) => e instanceof DecodeError && /10 is outside/.test(e.message),
  );
}
