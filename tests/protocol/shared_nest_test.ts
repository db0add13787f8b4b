// t.nest(set, { shared: true }): decoded objects frozen and shared between payloads equal byte
// for byte; every payload still decodes to its own values (payloads that differ in any byte,
// more of them than a cache bucket holds), attributes kept as unknown are never shared (nor what
// holds them), and only sets of numbers, strings, flags and shared nests (multi-attr too, arrays
// frozen) may be shared. Generated and generic decoders.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type AttrSet,
  attrSet,
  DecodeError,
  type FixedCodec,
  NetlinkWriter,
  type SharedNestOf,
  t,
} from "../../src/protocol/mod.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";
import { bitsetBitsAttrs } from "../../src/families/ethtool.ts";

function sets() {
  const bit = attrSet("bit", { index: [1, t.u32()], name: [2, t.string()], value: [3, t.flag()] });
  const bits = attrSet("bits", { bit: [1, t.multi(t.nest(bit, { shared: true }))] });
  return { bit, bits };
}

type Bit = { index?: number; name?: string; value?: true };

function encoded(bits: ReturnType<typeof sets>["bits"], list: Bit[]): Uint8Array {
  const w = new NetlinkWriter();
  bits.encode(w, { bit: list });
  return w.bytes();
}

for (const mode of ["generated", "generic"] as const) {
  const withMode = (fn: () => void) => () => {
    const before = codegenEnabled();
    setCodegen(mode === "generated");
    try {
      fn();
    } finally {
      setCodegen(before);
    }
  };

  test(
    `shared nest (${mode}): equal payloads give one frozen object, others their own values`,
    withMode(() => {
      const { bits } = sets();
      const names = ["tx-ipxip4-segmentation", "tx-ipxip6-segmentation", "rx-gro", "ab"];
      const list: Bit[] = [];
      // more distinct payloads than a bucket holds, some differing in one byte only
      for (let i = 0; i < 300; i++) {
        const b: Bit = { index: i % 40, name: names[i % 4] };
        if (i % 3 === 0) b.value = true;
        list.push(b);
      }
      const first = bits.decode(encoded(bits, list)).bit!;
      const again = bits.decode(encoded(bits, list)).bit!;
      assert.deepEqual(first, list);
      assert.deepEqual(again, list);
      for (let i = 0; i < list.length; i++) {
        assert.ok(Object.isFrozen(first[i]));
        const same = list.findIndex((b) =>
          b.index === list[i].index && b.name === list[i].name && b.value === list[i].value
        );
        // equal payloads within one message are one object; a later message's too, unless
        // its bucket has been reused since (the cache is small), and never a wrong one
        assert.equal(first[i], first[same]);
        if (again[i] !== first[i]) assert.deepEqual(again[i], first[i]);
      }
      // the arrays are the caller's own
      assert.notEqual(first, again);
      assert.ok(!Object.isFrozen(first));
      assert.throws(() => {
        (first[0] as { index?: number }).index = 5;
      }, TypeError);
    }),
  );

  test(
    `shared nest (${mode}): payloads compared wherever they sit in their buffer (word-aligned or not)`,
    withMode(() => {
      const { bits } = sets();
      const list: Bit[] = [{ index: 7, name: "tx-checksum-ipv4", value: true }, { index: 8 }];
      const one = encoded(bits, list).slice();
      const first = bits.decode(one).bit!;
      assert.deepEqual(first, list);
      for (const at of [0, 4, 1, 2, 3, 8, 5]) {
        // the same bytes at `at` in a larger buffer, through a view starting 0..3 bytes in
        for (const from of [0, 1, 2, 3]) {
          const buf = new Uint8Array(from + at + one.length + 8);
          buf.set(one, from + at);
          const data = buf.subarray(from);
          const got = bits.decode(data, at, at + one.length).bit!;
          assert.equal(got[0], first[0], `at ${at} from ${from}`);
          assert.equal(got[1], first[1]);
          // one byte changed anywhere is another payload, with its own values
          for (const k of [4, 9, one.length - 1]) {
            const changed = buf.slice();
            changed[from + at + k] ^= 0x10;
            let other: unknown;
            try {
              other = bits.decode(changed.subarray(from), at, at + one.length).bit;
            } catch (e) {
              assert.ok(e instanceof DecodeError);
              continue;
            }
            assert.notDeepEqual(other, first, `changed byte ${k} at ${at} from ${from}`);
          }
        }
      }
    }),
  );

  test(
    `shared nest (${mode}): unknown attributes are kept, frozen, never shared; strict refuses them`,
    withMode(() => {
      const { bits } = sets();
      const w = new NetlinkWriter();
      bits.encode(w, {
        bit: [{ index: 1, name: "a1", unknown: [{ type: 9, bytes: new Uint8Array([1, 2]) }] }],
      });
      const a = bits.decode(w.bytes()).bit![0];
      const b = bits.decode(w.bytes()).bit![0];
      assert.notEqual(a, b);
      assert.deepEqual(a, b);
      assert.deepEqual(a.unknown, [{ type: 9, bytes: new Uint8Array([1, 2]) }]);
      assert.ok(Object.isFrozen(a) && Object.isFrozen(a.unknown));
      assert.throws(() => bits.decode(w.bytes(), 0, w.length, { strict: true }), DecodeError);
      // a bad payload fails as a plain nest's does, shared or not
      const bad = w.bytes().slice();
      bad[4] = 5; // the index attribute's length: 5 bytes for a u32
      assert.throws(() => bits.decode(bad), DecodeError);
      assert.throws(() => bits.decode(bad), DecodeError);
    }),
  );
}

test("shared nest of shared nests: arrays frozen, shared unless an inner one holds unknowns", () => {
  const { bit } = sets();
  const bits = attrSet("bits", {
    bit: [1, t.multi(t.nest(bit, { shared: true }))],
    ids: [2, t.multi(t.u32())],
  });
  const bitset = attrSet("bitset", {
    size: [1, t.u32()],
    bits: [2, t.nest(bits, { shared: true })],
  });
  const w = new NetlinkWriter();
  const list: Bit[] = [{ index: 3, name: "rx-gro", value: true }, { index: 4, name: "tx" }];
  bitset.encode(w, { size: 2, bits: { bit: list, ids: [7, 8] } });
  const a = bitset.decode(w.bytes());
  const b = bitset.decode(w.bytes());
  // @ts-expect-error: a shared object's arrays are read-only
  assert.throws(() => a.bits!.ids!.push(9), TypeError);
  assert.notEqual(a, b);
  assert.equal(a.bits, b.bits);
  assert.deepEqual(a, { size: 2, bits: { bit: list, ids: [7, 8] } });
  assert.ok(Object.isFrozen(a.bits!.bit) && Object.isFrozen(a.bits!.ids));

  // an unknown attribute in a bit: neither the bit nor the list holding it is shared
  const u = new NetlinkWriter();
  bitset.encode(u, {
    bits: { bit: [{ index: 1, unknown: [{ type: 9, bytes: new Uint8Array([1]) }] }] },
  });
  const x = bitset.decode(u.bytes());
  const y = bitset.decode(u.bytes());
  assert.notEqual(x.bits, y.bits);
  assert.notEqual(x.bits!.bit![0], y.bits!.bit![0]);
  assert.deepEqual(x, y);
  assert.ok(Object.isFrozen(x.bits));
});

test("shared nest: encodes as a plain nest does", () => {
  const { bits } = sets();
  const plain = attrSet("bits", {
    bit: [1, t.multi(t.nest(sets().bit))],
  });
  const list: Bit[] = [{ index: 3, name: "rx-gro", value: true }, { index: 4, name: "tx" }];
  const w = new NetlinkWriter();
  plain.encode(w, { bit: list });
  assert.deepEqual(encoded(bits, list), w.bytes());
});

test("shared nest: only sets of numbers, strings, flags and shared nests", () => {
  // deno-lint-ignore no-explicit-any
  const cases: AttrSet<any>[] = [
    attrSet("a", { bytes: [1, t.binary()] }),
    attrSet("b", { blobs: [1, t.multi(t.binary())] }),
    attrSet("c", { inner: [1, t.nest(attrSet("d", { id: [1, t.u32()] }))] }),
  ];
  for (const set of cases) {
    const outer = attrSet("outer", { x: [1, t.nest(set, { shared: true })] });
    const w = new NetlinkWriter();
    const start = w.beginAttr(1);
    w.attrU32(1, 7);
    w.endAttr(start);
    assert.throws(() => outer.decode(w.bytes()), /Cannot share the decoded objects of/);
  }
  assert.throws(
    () => t.nest(cases[0], { shared: 1 as unknown as boolean }),
    /shared must be a boolean/,
  );
});

test("shared nest: the decoded type is read-only; ethtool's bitset bits are shared", () => {
  const bit: AttrSet<{ index: FixedCodec<number> }> = attrSet("bit", { index: [1, t.u32()] });
  const codec: SharedNestOf<typeof bit> = t.nest(bit, { shared: true });
  const bits = attrSet("bits", { bit: [1, t.multi(codec)] });
  const w = new NetlinkWriter();
  bits.encode(w, { bit: [{ index: 1 }] });
  const v = bits.decode(w.bytes()).bit![0];
  // @ts-expect-error: a shared object's properties are read-only
  assert.throws(() => v.index = 2, TypeError);

  const eth = new NetlinkWriter();
  bitsetBitsAttrs.encode(eth, { bit: [{ index: 0, name: "rx-gro", value: true }] });
  const x = bitsetBitsAttrs.decode(eth.bytes()).bit![0];
  const y = bitsetBitsAttrs.decode(eth.bytes()).bit![0];
  assert.equal(x, y);
  assert.deepEqual(x, { index: 0, name: "rx-gro", value: true });
});
