// What the decoders remember between messages. Strings read through the interning caches
// (src/protocol/_bytes.ts): repeated names come back equal whichever cache answers, including
// names that differ in one byte only (they share a quick bucket; at every position and length),
// more such names than a bucket holds, payloads with a NUL before the last byte, longer than the
// set's maxLength, or not ASCII. Flag words of zero: a shared frozen empty list, unless the
// base's checks refuse zero.
import { test } from "node:test";
import assert from "node:assert/strict";
import { attrSet, DecodeError, NetlinkWriter, readString, t } from "../../src/protocol/mod.ts";
import { codegenEnabled, setCodegen } from "../../src/protocol/schema_compile.ts";

/** One string attribute of type 1 with `payload` as its bytes (padded). */
function attr(payload: number[]): Uint8Array {
  const b = new Uint8Array(4 + ((payload.length + 3) & ~3));
  new DataView(b.buffer).setUint16(0, 4 + payload.length, true);
  b[2] = 1;
  b.set(payload, 4);
  return b;
}
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

test("names that share sampled bytes decode to themselves, again and again", () => {
  const set = attrSet("names", { name: [1, t.string()] });
  // Same length, same first, middle and last bytes: one quick bucket for all of them.
  const names = Array.from({ length: 9 }, (_, i) => `tx-ipxip${i}-segmentation`);
  names.push("tls-hw-tx-offload", "tls-hw-rx-offload", "hsr-fwd-offload", "hsr-dup-offload");
  for (let round = 0; round < 4; round++) {
    for (const n of round % 2 ? [...names].reverse() : names) {
      const w = new NetlinkWriter();
      set.encode(w, { name: n });
      assert.deepEqual(set.decode(w.bytes()), { name: n });
      assert.equal(readString(w.bytes(), 4, w.length - 4), n);
    }
  }
});

test("cached names of every length that differ in one byte anywhere are told apart", () => {
  const set = attrSet("names", { name: [1, t.string()] });
  for (let n = 2; n <= 13; n++) {
    const base = Array.from({ length: n }, (_, i) => 0x61 + (i % 26));
    // The name itself and one variant per byte position (the table compares 4 bytes at a time).
    const names = [base, ...base.map((_, i) => base.map((c, j) => (j === i ? c + 1 : c)))];
    for (let round = 0; round < 3; round++) {
      for (const [k, bytes] of names.entries()) {
        const a = attr([...bytes, 0]);
        // Junk in the padding after the NUL, and an odd byte offset in its buffer.
        a.fill(0xff, 4 + n + 1);
        const shifted = new Uint8Array(a.length + 1).subarray(1);
        shifted.set(a);
        const want = String.fromCharCode(...bytes);
        assert.deepEqual(set.decode(round === 1 ? shifted : a), { name: want }, `n ${n}, ${k}`);
      }
    }
  }
});

test("a NUL before the payload's last byte ends the string, cached or not", () => {
  const set = attrSet("names", { name: [1, t.string()] });
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(set.decode(attr([...ascii("abcd"), 0])), { name: "abcd" });
    // Same length and sampled bytes as "abcd" where the table looks; a NUL cuts it short.
    assert.deepEqual(set.decode(attr([...ascii("ab"), 0, ...ascii("d"), 0])), { name: "ab" });
    assert.deepEqual(set.decode(attr([...ascii("abcd")])), { name: "abcd" }); // no NUL at all
  }
});

test("a cached name longer than the maxLength of another set is still refused there", () => {
  const long = attrSet("long", { name: [1, t.string()] });
  const short = attrSet("short", { name: [1, t.string({ maxLength: 3 })] });
  const bytes = attr([...ascii("abcdef"), 0]);
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(long.decode(bytes), { name: "abcdef" });
    assert.throws(() => short.decode(bytes), { name: "DecodeError" });
  }
});

test("minLength sees the length of a cached name", () => {
  const loose = attrSet("loose", { name: [1, t.string()] });
  const strict = attrSet("strict", { name: [1, t.string({ minLength: 5 })] });
  const bytes = attr([...ascii("abc"), 0]);
  for (let round = 0; round < 2; round++) {
    assert.deepEqual(loose.decode(bytes), { name: "abc" });
    assert.throws(() => strict.decode(bytes), { name: "DecodeError" });
  }
});

test("UTF-8 names are decoded every time (never cached as ASCII)", () => {
  const set = attrSet("names", { name: [1, t.string()] });
  const utf8 = [...new TextEncoder().encode("é-port"), 0];
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(set.decode(attr(utf8)), { name: "é-port" });
  }
});

test("flag words of zero decode to a shared frozen empty list, unless the base's checks refuse zero", () => {
  const values = { a: 1, b: 2 } as const;
  const set = attrSet("zero", {
    checked: [1, t.flags(t.u64({ min: 1 }), values)],
    plain: [2, t.flags(t.u64(), values)],
    word: [3, t.flags(t.u32(), values)],
  });
  // checked = 0 (refused by min 1: kept as unknown), plain = 0, word = 0
  const bytes = Uint8Array.of(
    12,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    12,
    0,
    2,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    8,
    0,
    3,
    0,
    0,
    0,
    0,
    0,
  ); // deno-fmt-ignore
  const first = set.decode(bytes);
  assert.deepEqual(first, {
    unknown: [{ type: 1, bytes: new Uint8Array(8) }],
    plain: [],
    word: [],
  });
  // Flag lists are frozen and shared by the decodes of the same word.
  const again = set.decode(bytes);
  assert.ok(Object.isFrozen(again.plain) && Object.isFrozen(again.word));
  assert.throws(() => (again.plain as unknown[]).push("a"), TypeError);
  assert.deepEqual(set.decode(bytes).plain, []);
  assert.deepEqual(set.decode(bytes).word, []);
});

test("u64 flag words compared with the last one decoded: repeats, changes, zero, checks, sizes", () => {
  for (const mode of ["generated", "generic"] as const) {
    const before = codegenEnabled();
    setCodegen(mode === "generated");
    try {
      const values = { a: 1, b: 2, c: 2n ** 40n } as const;
      const set = attrSet("words", {
        plain: [1, t.flags(t.u64(), values)],
        checked: [2, t.flags(t.u64({ min: 3 }), values)],
      });
      const one = (type: number, lo: number, hi: number, size = 8) => {
        const b = new Uint8Array(4 + size);
        const v = new DataView(b.buffer);
        v.setUint16(0, 4 + size, true);
        v.setUint16(2, type, true);
        if (size >= 4) v.setUint32(4, lo, true);
        if (size >= 8) v.setUint32(8, hi, true);
        return b;
      };
      const words: [number, number, unknown[]][] = [
        [3, 0, ["a", "b"]],
        [3, 0, ["a", "b"]],
        [1, 0, ["a"]],
        [0, 256, ["c"]],
        [0, 0, []],
        [0, 0, []],
        [3, 0, ["a", "b"]],
        [8, 256, ["c", 8n]],
      ];
      for (const [lo, hi, want] of words) {
        assert.deepEqual(set.decode(one(1, lo, hi)), { plain: want }, `${mode} ${lo} ${hi}`);
      }
      // a word its base's checks refuse is kept as unknown every time, after an accepted one
      assert.deepEqual(set.decode(one(2, 3, 0)), { checked: ["a", "b"] });
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(set.decode(one(2, 1, 0)).unknown?.[0]?.type, 2, mode);
      }
      // the remembered word's first 4 bytes in a 4-byte payload: a size error still
      set.decode(one(1, 5, 0));
      assert.throws(() => set.decode(one(1, 5, 0, 4)), DecodeError);
    } finally {
      setCodegen(before);
    }
  }
});

test("u32 flag words through the table, and small sets of fixed fields in their usual order", () => {
  for (const mode of ["generated", "generic"] as const) {
    const before = codegenEnabled();
    setCodegen(mode === "generated");
    try {
      const values = { a: 1, b: 2, c: 4 } as const;
      const op = attrSet("op", { id: [1, t.u32()], flags: [2, t.flags(t.u32(), values)] });
      const checked = attrSet("checked", {
        id: [1, t.u32({ max: 5 })],
        flags: [2, t.flags(t.u32(), values)],
      });
      const mixed = attrSet("mixed", { on: [1, t.flag()], n: [2, t.u8()], ip: [3, t.ipv4()] });
      const ops = attrSet("ops", { ops: [1, t.indexedArray(t.nest(op, { nestedFlag: false }))] });
      /** Attributes of [type, payload bytes]. */
      const attrs = (...list: [number, number[]][]) => {
        const w = new NetlinkWriter();
        for (const [type, payload] of list) w.attrBinary(type, Uint8Array.from(payload));
        return w.bytes().slice();
      };
      const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
      // In order, again and again, through words that share table slots (more than it holds).
      for (let round = 0; round < 2; round++) {
        for (let v = 0; v < 200; v += 3) {
          const want: (string | number)[] = [
            ...(v & 1 ? ["a"] : []),
            ...(v & 2 ? ["b"] : []),
            ...(v & 4 ? ["c"] : []),
          ];
          let rest = v & ~7;
          while (rest !== 0) {
            want.push(rest & -rest);
            rest &= rest - 1;
          }
          const got = op.decode(attrs([1, u32(v)], [2, u32(v)]));
          assert.deepEqual(got, { id: v, flags: want }, `${mode} ${v}`);
          assert.deepEqual(Object.keys(got), ["id", "flags"]);
          assert.ok(Object.isFrozen(got.flags));
        }
      }
      // Another order, a missing field, an unknown one, a header with NLA_F_NET_BYTEORDER.
      const reversed = op.decode(attrs([2, u32(6)], [1, u32(7)]));
      assert.deepEqual(reversed, { flags: ["b", "c"], id: 7 });
      assert.deepEqual(Object.keys(reversed), ["flags", "id"]);
      assert.deepEqual(op.decode(attrs([1, u32(7)])), { id: 7 });
      assert.deepEqual(op.decode(attrs([1, u32(7)], [2, u32(1)], [9, [1, 2, 3, 4]])), {
        id: 7,
        flags: ["a"],
        unknown: [{ type: 9, bytes: Uint8Array.of(1, 2, 3, 4) }],
      });
      assert.deepEqual(op.decode(attrs([1, u32(7)], [2 | 0x4000, u32(1)])), {
        id: 7,
        flags: ["a"],
      });
      // Wrong sizes are errors at their path; a value outside its checks is kept as unknown.
      assert.throws(() => op.decode(attrs([1, u32(7)], [2, [1, 0]])), /op\.flags/);
      assert.throws(() => op.decode(attrs([1, [7, 0]], [2, u32(1)])), /op\.id/);
      assert.deepEqual(checked.decode(attrs([1, u32(9)], [2, u32(1)])), {
        flags: ["a"],
        unknown: [{ type: 1, bytes: Uint8Array.from(u32(9)) }],
      });
      assert.deepEqual(checked.decode(attrs([1, u32(5)], [2, u32(1)])), { id: 5, flags: ["a"] });
      assert.deepEqual(mixed.decode(attrs([1, []], [2, [7]], [3, [10, 0, 0, 1]])), {
        on: true,
        n: 7,
        ip: "10.0.0.1",
      });
      // An indexed array of them: a bad element or header after good ones names its index.
      const good = attrs([1, u32(1)], [2, u32(2)]);
      const list = attrs([1, [...good]], [2, [...good]]);
      assert.deepEqual(ops.decode(attrs([1, [...list]])), {
        ops: [{ id: 1, flags: ["b"] }, { id: 1, flags: ["b"] }],
      });
      const bad = attrs([1, [...list, 200, 0, 3, 0]]);
      assert.throws(() => ops.decode(bad), /ops\.ops\[2\] at byte 44/);
      const short = attrs([1, [...good]], [2, [...attrs([1, u32(1)], [2, [1, 0]])]]);
      assert.throws(() => ops.decode(attrs([1, [...short]])), /ops\.ops\[1\]\.flags/);
    } finally {
      setCodegen(before);
    }
  }
});
