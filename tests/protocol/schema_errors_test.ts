// Malformed input -> DecodeError naming the attribute path and byte offset; bad values ->
// TypeError / RangeError naming the path; extended-ack offsets mapped back to attribute paths.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type AttrSet,
  attrSet,
  AttrTrace,
  type Codec,
  DecodeError,
  decodeErrorMessage,
  type ExtAck,
  MAX_NESTING,
  MessageIterator,
  NetlinkWriter,
  NLM_F_ACK_FLAGS,
  NLMSGERR_ATTR,
  t,
} from "../../src/protocol/mod.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";
import { encode, hex } from "./_helpers.ts";

function schemas() {
  const opAttrs = attrSet("op-attrs", {
    id: [1, t.u32()],
    flags: [2, t.flags(t.u32(), { adminPerm: 1, cmdCapDo: 2 })],
  });
  const ctrl = attrSet("ctrl-attrs", {
    familyId: [1, t.u16()],
    mtu: [3, t.u32()],
    v: [4, t.uint()],
    name: [5, t.string()],
    ops: [6, t.indexedArray(t.nest(opAttrs))],
    mac: [7, t.mac()],
  });
  const key = t.struct("ovs-key-ipv4", { src: t.ipv4(), dst: t.ipv4(), proto: t.u8() });
  const action = attrSet("action-attrs", { output: [1, t.u32()], popVlan: [5, t.flag()] });
  const pol = attrSet("pol", { type: [1, t.u32()] });
  const flow = attrSet("flow", {
    key: [1, key],
    actions: [2, t.list(action)],
    policy: [3, t.map(t.map(t.nest(pol)))],
    mode: [4, t.enum(t.u8(), { a: 1, b: 2 })],
    cookie: [5, t.binary({ length: 4 })],
    on: [6, t.flag()],
    big: [7, t.u64()],
  });
  return { opAttrs, ctrl, flow };
}

function decodeError(
  set: AttrSet<never>,
  bytes: Uint8Array,
  options: { strict?: boolean; path?: string } = {},
): DecodeError {
  try {
    set.decode(bytes, 0, bytes.length, options);
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected a DecodeError, got ${e}`);
    return e;
  }
  assert.fail("expected a DecodeError");
}

function expectDecodeError(
  set: AttrSet<never>,
  bytes: Uint8Array,
  path: string,
  offset: number,
  reason: RegExp,
  options: { strict?: boolean; path?: string } = {},
): void {
  const e = decodeError(set, bytes, options);
  assert.equal(e.path, path);
  assert.equal(e.offset, offset);
  assert.match(e.message, reason);
  assert.ok(e.message.startsWith(`Cannot decode ${path} at byte ${offset}: `), e.message);
}

for (const mode of ["generated", "generic"] as const) {
  test(`schema errors (${mode}): malformed attributes raise DecodeError with path and offset`, () => {
    const before = codegenEnabled();
    if (mode === "generic") setCodegen(false);
    try {
      const { ctrl, flow } = schemas();
      const c = ctrl as unknown as AttrSet<never>;
      const f = flow as unknown as AttrSet<never>;
      // a u32 with 3 bytes
      expectDecodeError(
        c,
        hex("06 00 01 00 10 00 00 00", "07 00 03 00 01 02 03 00"),
        "ctrl-attrs.mtu",
        8,
        /expected 4 bytes for u32, got 3/,
      );
      // a u16 with 4 bytes
      expectDecodeError(c, hex("08 00 01 00 10 00 00 00"), "ctrl-attrs.family-id", 0, /expected 2/);
      // nla_len past the parent
      expectDecodeError(
        c,
        hex("10 00 03 00 01 02 03 04"),
        "ctrl-attrs.mtu",
        0,
        /nla_len 16 runs past the end of its parent \(8 bytes left\)/,
      );
      // nla_len shorter than the header
      expectDecodeError(c, hex("02 00 03 00"), "ctrl-attrs.mtu", 0, /shorter than the 4-byte/);
      // a truncated nest: the entry claims 16 bytes, 8 are left in ops
      expectDecodeError(
        c,
        hex(
          "0c 00 06 00", //             ops, nla_len 12
          "10 00 01 00", //               entry 1 claims nla_len 16
          "08 00 01 00", //               ... but the nest ends here
        ),
        "ctrl-attrs.ops[0]",
        4,
        /nla_len 16 runs past the end of its parent \(8 bytes left\)/,
      );
      // the second op's flags are 2 bytes long
      const badFlags = hex(
        "22 00 06 00", //             ops, nla_len 34
        "0c 00 01 00", //               [0]
        "08 00 01 00 03 00 00 00", //     id 3
        "12 00 02 00", //               [1], nla_len 18
        "08 00 01 00 0a 00 00 00", //     id 10
        "06 00 02 00 0c 00 00 00", //     flags with 2 bytes (+ padding)
      );
      expectDecodeError(c, badFlags, "ctrl-attrs.ops[1].flags", 28, /expected 4 bytes/);
      expectDecodeError(c, badFlags, "ctrl.ops[1].flags", 28, /expected 4/, { path: "ctrl" });
      // uint is 4 or 8 bytes
      expectDecodeError(
        c,
        hex("09 00 04 00 01 02 03 04 05 00 00 00"),
        "ctrl-attrs.v",
        0,
        /expected 4 or 8 bytes for uint, got 5/,
      );
      // strict mode rejects unknown attributes, at any depth
      expectDecodeError(
        c,
        hex("0c 00 06 00", "08 00 01 00", "04 00 09 00"),
        "ctrl-attrs.ops[0]",
        8,
        /unknown attribute type 9/,
        { strict: true },
      );
      expectDecodeError(c, hex("04 00 63 00"), "ctrl-attrs", 0, /unknown attribute type 99/, {
        strict: true,
      });
      // lists name the item, maps their keys
      expectDecodeError(
        f,
        hex("14 00 02 80", "04 00 05 00", "04 00 05 00", "06 00 01 00 02 00 00 00"),
        "flow.actions[2].output",
        12,
        /expected 4 bytes for u32, got 2/,
      );
      expectDecodeError(
        f,
        hex("14 00 02 80", "04 00 05 00", "04 00 63 00", "08 00 01 00 02 00 00 00"),
        "flow.actions[1]",
        8,
        /unknown list item type 99/,
        { strict: true },
      );
      expectDecodeError(
        f,
        hex("14 00 03 80", "10 00 00 80", "0c 00 03 80", "07 00 01 00 04 00 00 00"),
        "flow.policy[0][3].type",
        12,
        /expected 4 bytes/,
      );
      // structs, fixed binary and flags have exact sizes too
      expectDecodeError(
        f,
        hex("0c 00 01 00", "01 02 03 04 05 06 07 08"),
        "flow.key",
        0,
        /expected 12 bytes for struct ovs-key-ipv4, got 8/,
      );
      expectDecodeError(f, hex("07 00 05 00 01 02 03 00"), "flow.cookie", 0, /expected 4 bytes/);
      expectDecodeError(f, hex("05 00 06 00 01 00 00 00"), "flow.on", 0, /expected 0 bytes/);
      // fewer than 4 trailing bytes are tolerated, like the kernel does
      assert.deepEqual(ctrl.decode(hex("08 00 03 00 01 00 00 00 00 00")), { mtu: 1 });
    } finally {
      setCodegen(before);
    }
  });
}

test("schema errors: bad decode arguments are RangeErrors", () => {
  const { ctrl } = schemas();
  assert.throws(() => ctrl.decode(new Uint8Array(8), 6, 2), RangeError);
  assert.throws(() => ctrl.decode(new Uint8Array(8), 0, 9), RangeError);
  assert.throws(() => ctrl.decode(new Uint8Array(8), -1), RangeError);
});

test("schema errors: standalone struct decode past the end", () => {
  const hdr = t.struct("ovs-header", { dpIfindex: t.s32() });
  const e = (() => {
    try {
      hdr.decodeAt(new Uint8Array(6), 4);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(e instanceof DecodeError);
  assert.equal(e.offset, 4);
  assert.equal(e.path, "ovs-header");
  assert.match(e.message, /needs 4 bytes, 2 left/);
  assert.throws(() => hdr.decodeAt(new Uint8Array(6), -1), RangeError);
});

test("schema errors: recursion through t.lazy is bounded by MAX_NESTING, the same way both ways", () => {
  type Actions = AttrSet<{
    output: Codec<number>;
    clone: Codec<unknown[], readonly unknown[]>;
  }>;
  const actions: Actions = attrSet("action-attrs", {
    output: [1, t.u32()],
    clone: [2, t.lazy(() => t.list(actions) as Codec<unknown[], readonly unknown[]>)],
  });
  const flow = attrSet("flow", { actions: [1, t.list(actions)] });
  const nest = (depth: number): unknown[] =>
    depth === 0 ? [{ kind: "output", value: 1 }] : [{ kind: "clone", value: nest(depth - 1) }];
  // As deep as the limit: both ways.
  const ok = encode(flow, { actions: nest(MAX_NESTING) });
  assert.deepEqual(flow.decode(ok), { actions: nest(MAX_NESTING) });
  // One more: encoding refuses it, and the same bytes built by hand do not decode.
  assert.throws(
    () => encode(flow, { actions: nest(MAX_NESTING + 1) }),
    (e) => e instanceof RangeError && /nest too deeply/.test(e.message),
  );
  // actions nest > `levels` clones nested in one another > output 1, built by hand
  const chain = (levels: number): Uint8Array => {
    const out = new Uint8Array(4 * (levels + 1) + 8);
    for (let i = 0; i <= levels; i++) {
      const len = out.length - 4 * i;
      out.set([len & 0xff, len >> 8, i === 0 ? 1 : 2, 0x80], 4 * i);
    }
    out.set(hex("08 00 01 00 01 00 00 00"), out.length - 8);
    return out;
  };
  assert.deepEqual(chain(MAX_NESTING), ok);
  for (const levels of [MAX_NESTING + 1, 1000, 16000]) {
    const deep = chain(levels);
    assert.throws(
      () => flow.decode(deep),
      (e) =>
        e instanceof DecodeError && /nest too deeply/.test(e.message) &&
        e.path.startsWith("flow.actions[0].clone[0].clone") && e.offset === 4 + 4 * MAX_NESTING,
      `${levels} levels`,
    );
  }
  const cyclic: { kind: string; value: unknown[] } = { kind: "clone", value: [] };
  cyclic.value.push(cyclic);
  assert.throws(() => encode(flow, { actions: [cyclic] }), /nest too deeply/);
});

function encodeError(set: AttrSet<never>, value: unknown): Error {
  const w = new NetlinkWriter(16);
  w.putU32(0xabcdef01);
  try {
    set.encode(w, value as never);
  } catch (e) {
    assert.ok(e instanceof TypeError || e instanceof RangeError, `got ${e}`);
    // the writer is left as it was
    assert.equal(w.length, 4);
    assert.deepEqual(w.bytes(), hex("01 ef cd ab"));
    return e;
  }
  assert.fail("expected an encode error");
}

test("schema errors: encoding validates values and names the attribute path", () => {
  const { ctrl, flow } = schemas();
  const c = ctrl as unknown as AttrSet<never>;
  const f = flow as unknown as AttrSet<never>;
  const cases: [AttrSet<never>, unknown, ErrorConstructor | RangeErrorConstructor, string][] = [
    [
      c,
      { familyId: 70000 },
      RangeError,
      "Cannot encode ctrl-attrs.family-id: 70000 does not fit in u16",
    ],
    [c, { familyId: -1 }, RangeError, "Cannot encode ctrl-attrs.family-id: -1 does not fit in u16"],
    [
      c,
      { familyId: 1.5 },
      TypeError,
      "Cannot encode ctrl-attrs.family-id: expected an integer for u16, got 1.5",
    ],
    [
      c,
      { mtu: "1500" },
      TypeError,
      'Cannot encode ctrl-attrs.mtu: expected an integer for u32, got "1500"',
    ],
    [c, { name: 5 }, TypeError, "Cannot encode ctrl-attrs.name: expected a string, got 5"],
    [
      c,
      { name: "a\0b" },
      TypeError,
      "Cannot encode ctrl-attrs.name: the string contains a NUL character",
    ],
    [
      c,
      { famlyId: 1 },
      TypeError,
      'Cannot encode ctrl-attrs: ctrl-attrs has no attribute "famlyId" (known: familyId, mtu, v, name, ops, mac)',
    ],
    [
      c,
      { ops: [{ id: 1 }, { flags: ["zzz"] }] },
      TypeError,
      'Cannot encode ctrl-attrs.ops[1].flags: "zzz" is not a known flag (expected adminPerm, cmdCapDo or a number)',
    ],
    [
      c,
      { ops: [{ id: 1 }, "x"] },
      TypeError,
      'Cannot encode ctrl-attrs.ops[1]: expected an object of op-attrs attributes, got "x"',
    ],
    [
      c,
      { ops: { id: 1 } },
      TypeError,
      "Cannot encode ctrl-attrs.ops: expected an array (indexed-array of nest op-attrs), got an object",
    ],
    [c, { v: -1 }, RangeError, "Cannot encode ctrl-attrs.v: -1 does not fit in uint (u64)"],
    [
      c,
      { v: 2 ** 64 },
      TypeError,
      "Cannot encode ctrl-attrs.v: expected a bigint or a safe integer for uint, got 18446744073709552000",
    ],
    [
      c,
      { mac: "00:11:22:33:44" },
      TypeError,
      'Cannot encode ctrl-attrs.mac: expected a MAC address like "00:11:22:33:44:55", got "00:11:22:33:44"',
    ],
    [
      c,
      { unknown: [{ type: 70000, bytes: new Uint8Array() }] },
      RangeError,
      "Cannot encode ctrl-attrs: unknown attribute type 70000 is not an integer 0..16383",
    ],
    [
      c,
      null,
      TypeError,
      "Cannot encode ctrl-attrs: expected an object of ctrl-attrs attributes, got null",
    ],
    [
      f,
      { key: { src: "10.0.0.1", dst: "10.0.0.2" } },
      TypeError,
      "Cannot encode flow.key.proto: the member is missing",
    ],
    [
      f,
      { key: { src: "10.0.0.1", dst: "10.0.0.2", proto: 6, ttl: 1 } },
      TypeError,
      'Cannot encode flow.key: struct ovs-key-ipv4 has no member "ttl" (members: src, dst, proto)',
    ],
    [
      f,
      { key: { src: "10.0.0.300", dst: "10.0.0.2", proto: 6 } },
      TypeError,
      'Cannot encode flow.key.src: expected an IPv4 address like "10.0.0.1", got "10.0.0.300"',
    ],
    [
      f,
      { actions: [{ kind: "output", value: 1 }, { kind: "drop", value: true }] },
      TypeError,
      'Cannot encode flow.actions[1]: action-attrs has no item kind "drop" (known: output, popVlan)',
    ],
    [
      f,
      { actions: [{ kind: "output", value: 1 }, { kind: "output", value: -5 }] },
      RangeError,
      "Cannot encode flow.actions[1].output: -5 does not fit in u32",
    ],
    [
      f,
      { policy: [{ key: 0x4000, value: [] }] },
      RangeError,
      "Cannot encode flow.policy[0]: map key 16384 is not an integer 0..16383",
    ],
    [
      f,
      { mode: "c" },
      TypeError,
      'Cannot encode flow.mode: "c" is not a known value (expected one of a, b or a number)',
    ],
    [f, { mode: 256 }, RangeError, "Cannot encode flow.mode: 256 does not fit in u8"],
    [
      f,
      { cookie: new Uint8Array(3) },
      RangeError,
      "Cannot encode flow.cookie: expected exactly 4 bytes, got 3",
    ],
    [
      f,
      { on: "yes" },
      TypeError,
      'Cannot encode flow.on: expected a boolean for a flag, got "yes"',
    ],
    [f, { big: -1n }, RangeError, "Cannot encode flow.big: -1 does not fit in u64"],
    [
      f,
      { big: 2 ** 60 },
      TypeError,
      "Cannot encode flow.big: expected a bigint or a safe integer for u64, got 1152921504606847000",
    ],
  ];
  for (const [set, value, type, message] of cases) {
    const e = encodeError(set, value);
    assert.ok(e instanceof type, `${message}: got ${e.name}`);
    assert.equal(e.message, message);
  }
});

test("schema ext-ack: offsets map back to YNL attribute paths", () => {
  const { ctrl } = schemas();
  const w = new NetlinkWriter();
  w.putU32(0x11111111); // something before the message: offsets count from the nlmsghdr
  const m = w.beginMessage(0x10, 5, 7);
  w.putU8(3).putU8(1).putU16(0); // genlmsghdr
  const trace = new AttrTrace({ origin: m });
  ctrl.encode(w, { familyId: 16, ops: [{ id: 3, flags: ["cmdCapDo"] }, { id: 10 }] }, { trace });
  w.endMessage(m);
  assert.deepEqual(
    trace.entries.map(([s, e, p]) => [s - m, e - m, p]),
    [
      [20, 26, ".family-id"],
      [28, 64, ".ops"],
      [32, 52, ".ops[0]"],
      [36, 44, ".ops[0].id"],
      [44, 52, ".ops[0].flags"],
      [52, 64, ".ops[1]"],
      [56, 64, ".ops[1].id"],
    ],
  );
  assert.equal(trace.pathAt(20), ".family-id");
  assert.equal(trace.pathAt(56), ".ops[1].id"); // an attribute's header
  assert.equal(trace.pathAt(48), ".ops[0].flags"); // inside a payload: the innermost attribute
  assert.equal(trace.pathAt(4), undefined); // the nlmsghdr
  assert.equal(trace.missingName(5), ".name"); // NLMSGERR_ATTR_MISS_TYPE at the top level
  assert.equal(trace.missingName(2, 52), ".ops[1].flags"); // ... with NLMSGERR_ATTR_MISS_NEST
  assert.equal(trace.missingName(9, 52), undefined);
  assert.equal(trace.missingName(1, 30), undefined); // no attribute starts there

  // The kernel's answer: NLMSG_ERROR with the request echoed and an offset into it.
  const req = w.bytes().subarray(m);
  const err = new NetlinkWriter();
  const e = err.beginMessage(2, NLM_F_ACK_FLAGS.CAPPED | NLM_F_ACK_FLAGS.ACK_TLVS, 7);
  err.putS32(-22).putBytes(req.subarray(0, 16));
  err.attrString(NLMSGERR_ATTR.MSG, "bad op id").attrU32(NLMSGERR_ATTR.OFFS, 56);
  err.endMessage(e);
  const it = new MessageIterator(err.bytes());
  it.next();
  const ack = decodeErrorMessage(err.bytes(), it.offset, it.length, it.flags).extAck!;
  assert.equal(trace.pathAt(ack.offset!), ".ops[1].id");
});

test("schema ext-ack: nothing is recorded without a trace; failed encodes are forgotten", () => {
  const { ctrl } = schemas();
  const trace = new AttrTrace();
  const w = new NetlinkWriter();
  ctrl.encode(w, { mtu: 1 });
  assert.equal(trace.entries.length, 0);
  ctrl.encode(w, { mtu: 2 }, { trace });
  assert.deepEqual(trace.entries, [[8, 16, ".mtu"]]);
  assert.throws(() => ctrl.encode(w, { name: "x", mtu: -1 }, { trace }), RangeError);
  assert.deepEqual(trace.entries, [[8, 16, ".mtu"]]);
  assert.equal(w.length, 16);
});

test("schema ext-ack: describe names the offset's attribute and the missing one, and leaves what it cannot name", () => {
  const link = attrSet("link", {
    ifname: [3, t.string()],
    linkinfo: [18, t.nest(attrSet("linkinfo", { kind: [1, t.string()] }))],
  });
  const trace = new AttrTrace();
  link.encode(new NetlinkWriter(), { ifname: "x", linkinfo: { kind: "veth" } }, { trace });
  const inner = trace.entries.find((e) => e[2] === ".linkinfo")![0];
  const ack: ExtAck = { offset: inner + 4, missingType: 1, missingNest: inner };
  trace.describe(ack);
  assert.equal(ack.attributePath, ".linkinfo.kind");
  assert.equal(ack.missingName, ".linkinfo.kind");
  const unknown: ExtAck = { offset: 999, missingType: 77, message: "m" };
  trace.describe(unknown);
  assert.deepEqual(unknown, { offset: 999, missingType: 77, message: "m" });
  const empty: ExtAck = {};
  trace.describe(empty);
  assert.deepEqual(empty, {});
});
